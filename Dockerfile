# hiecbot: a static binary built in a Go image, run as a non-root user in a
# distroless image, with the question log in the volume /data.
#   docker build -t hiecbot .
#   docker run -v hiecbot-data:/data -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN \
#     -v "$PWD/hiecbot.yaml:/etc/hiecbot/hiecbot.yaml:ro" hiecbot

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static (no cgo), reproducible paths; the zone database is embedded.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" -o /out/hiecbot . \
    && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hiecbot /usr/local/bin/hiecbot
# The volume's mount point, owned by the user that writes the log there.
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
# Relative defaults (data/hiecbot.db) land in the volume.
WORKDIR /
VOLUME ["/data"]
# slack.listen (HTTP mode) and a conventional metrics.listen (Socket Mode).
EXPOSE 3000 9090
ENTRYPOINT ["/usr/local/bin/hiecbot"]
CMD ["serve", "--config", "/etc/hiecbot/hiecbot.yaml"]
