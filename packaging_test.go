package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDockerfile checks what cannot be built here (no image registry):
// two stages, a static binary, a non-root user, the log in a volume, and
// an entrypoint that is the binary the build stage copied.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	if n := len(regexp.MustCompile(`(?m)^FROM `).FindAllString(df, -1)); n != 2 {
		t.Errorf("%d stages, want a build stage and a run stage", n)
	}
	for _, want := range []string{
		"CGO_ENABLED=0 go build", // static
		"-o /out/hiecbot .",      // the binary
		"COPY --from=build /out/hiecbot /usr/local/bin/hiecbot",
		`ENTRYPOINT ["/usr/local/bin/hiecbot"]`,
		`VOLUME ["/data"]`,
		"USER nonroot:nonroot",
		"--chown=nonroot:nonroot /out/data /data", // the volume is writable by that user
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if regexp.MustCompile(`(?m)^USER (root|0)\b`).MatchString(df) {
		t.Error("the image runs as root")
	}
	// The image's default command is one hiecbot accepts.
	cmd := regexp.MustCompile(`(?m)^CMD \["serve", "--config", "([^"]+)"\]`).FindStringSubmatch(df)
	if cmd == nil {
		t.Fatal("no CMD serve --config FILE")
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"serve", "--config", cmd[1], "--help"}, os.Getenv, strings.NewReader(""), &out, io.Discard); err != nil || !strings.Contains(out.String(), "hiecbot serve") {
		t.Errorf("the CMD's flags are not serve's: %v\n%s", err, out.String())
	}
}

// TestREADMESystemdUnit: the README's unit runs a command hiecbot
// accepts, as its own user, restarting on failure but not on a config
// mistake (exit 2).
func TestREADMESystemdUnit(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	unit := regexp.MustCompile("(?s)```ini\n(.*?)```").FindStringSubmatch(string(data))
	if unit == nil {
		t.Fatal("no systemd unit in the README")
	}
	keys := map[string]string{}
	for _, line := range strings.Split(unit[1], "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			keys[k] = v
		}
	}
	for k, want := range map[string]string{"User": "hiecbot", "Restart": "on-failure", "RestartPreventExitStatus": "2", "StateDirectory": "hiecbot"} {
		if keys[k] != want {
			t.Errorf("%s=%q, want %q", k, keys[k], want)
		}
	}
	exec := strings.Fields(keys["ExecStart"])
	if len(exec) < 2 || exec[0] != "/usr/local/bin/hiecbot" {
		t.Fatalf("ExecStart=%q", keys["ExecStart"])
	}
	var out bytes.Buffer
	if err := run(context.Background(), append(exec[1:], "--help"), os.Getenv, strings.NewReader(""), &out, io.Discard); err != nil || !strings.Contains(out.String(), "hiecbot serve") {
		t.Errorf("ExecStart's arguments are not a hiecbot command: %v", err)
	}
	if i, j := strings.Index(string(data), "go build -o hiecbot ."), strings.Index(string(data), "hiecbot questions"); i < 0 || i > j {
		t.Error("the README uses hiecbot before showing go build -o hiecbot .")
	}
}
