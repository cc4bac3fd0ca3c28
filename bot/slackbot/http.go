package slackbot

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"
)

// maxBody is the largest request body the bot reads; Slack's are far
// smaller.
const maxBody = 1 << 20

// Handler serves Slack's HTTP requests: POST /slack/events (the Events
// API), POST /slack/commands (/hiec), POST /slack/interactivity (the
// buttons) and GET /healthz (with Options.Ops: GET /metrics, /healthz and
// /readyz from it). Every POST must carry a valid signature made
// with the signing secret and a timestamp within five minutes (else 401),
// not already accepted (a replay: else 409, or 200 unprocessed for an
// event Slack retries),
// a body of at most 1 MiB (else 413) and a well-formed payload (else
// 400). An event is acknowledged once its question is durably logged; the
// answer follows by chat.postMessage.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", b.serveEvents)
	mux.HandleFunc("POST /slack/commands", b.serveCommand)
	mux.HandleFunc("POST /slack/interactivity", b.serveInteractivity)
	if b.ops != nil {
		for _, p := range []string{"GET /metrics", "GET /healthz", "GET /readyz"} {
			mux.Handle(p, b.ops)
		}
		return mux
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	return mux
}

// readVerified reads the body, checks its signature and that the
// signature was not already accepted (a replayed request). On failure it
// has answered the request and returns false.
func (b *Bot) readVerified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "request body larger than 1 MiB", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "cannot read the request body", http.StatusBadRequest)
		}
		return nil, false
	}
	if err := verifySignature(r.Header, body, b.slack.SigningSecret.Value()); err != nil {
		b.log.Warn("rejected a Slack request with a bad signature", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return nil, false
	}
	if !b.replays.claim(r.Header.Get("X-Slack-Signature")) {
		b.log.Warn("refused a replayed Slack request: its signature was already accepted", "path", r.URL.Path, "remote", r.RemoteAddr, "retry", r.Header.Get("X-Slack-Retry-Num"))
		if r.URL.Path == "/slack/events" && r.Header.Get("X-Slack-Retry-Num") != "" {
			// Slack retrying an event it saw no answer to: it was handled.
			w.WriteHeader(http.StatusOK)
			return nil, false
		}
		http.Error(w, "request already handled: a replayed signature", http.StatusConflict)
		return nil, false
	}
	return body, true
}

// firstDurably records a command's or a button's signature in the store's
// dedupe ledger, so a replay is refused even after a restart (an event's
// id is recorded with its question already). On failure it has answered
// the request and returns false.
func (b *Bot) firstDurably(w http.ResponseWriter, r *http.Request) bool {
	first, err := b.seen.FirstSeen("sig:" + sigKey(r.Header.Get("X-Slack-Signature")))
	if err != nil {
		b.replays.release(r.Header.Get("X-Slack-Signature"))
		b.log.Error("cannot record a Slack request in the dedupe ledger", "path", r.URL.Path, "err", err)
		http.Error(w, "cannot take the request now", http.StatusServiceUnavailable)
		return false
	}
	if !first {
		b.log.Warn("refused a replayed Slack request: its signature was already accepted before a restart", "path", r.URL.Path, "remote", r.RemoteAddr)
		http.Error(w, "request already handled: a replayed signature", http.StatusConflict)
		return false
	}
	return true
}

// verifySignature checks Slack's v0 signature of body with the signing
// secret, and that the request's timestamp is within five minutes of now.
func verifySignature(h http.Header, body []byte, secret string) error {
	sv, err := slack.NewSecretsVerifier(h, secret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

func (b *Bot) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, ok := b.readVerified(w, r)
	if !ok {
		return
	}
	env, err := parseEnvelope(body)
	if err != nil {
		b.log.Warn("rejected a malformed Slack event", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch env.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, env.Challenge)
		return
	case "event_callback":
		if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
			b.log.Info("Slack is retrying an event", "event_id", env.EventID, "retry", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
		}
		if err := b.handleEvent(r.Context(), &env); err != nil {
			if errors.Is(err, errMalformed) {
				b.log.Warn("rejected a malformed Slack event", "event_id", env.EventID, "err", err)
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			// Nothing was logged: let Slack deliver the event again.
			b.replays.release(r.Header.Get("X-Slack-Signature"))
			b.log.Error("cannot take a Slack event now", "event_id", env.EventID, "err", err)
			http.Error(w, "cannot take the event now", http.StatusServiceUnavailable)
			return
		}
	case "app_rate_limited":
		b.log.Warn("Slack is rate-limiting the events sent to the bot", "payload_team", env.TeamID)
	}
	w.WriteHeader(http.StatusOK)
}

func (b *Bot) serveCommand(w http.ResponseWriter, r *http.Request) {
	body, ok := b.readVerified(w, r)
	if !ok || !b.firstDurably(w, r) {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("user_id") == "" {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	c := slack.SlashCommand{
		TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"),
		Command: form.Get("command"), Text: form.Get("text"),
		ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"),
	}
	writeJSON(w, b.command(r.Context(), c))
}

func (b *Bot) serveInteractivity(w http.ResponseWriter, r *http.Request) {
	body, ok := b.readVerified(w, r)
	if !ok || !b.firstDurably(w, r) {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "malformed interaction: no payload", http.StatusBadRequest)
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
		return
	}
	if resp := b.interaction(r.Context(), &cb); resp != nil {
		writeJSON(w, resp)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func writeJSON(w http.ResponseWriter, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "cannot render the response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}
