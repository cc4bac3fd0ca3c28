package slackbot

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hiec/hiecbot/bot/store"
)

// socketPeer is the Slack side of a Socket Mode connection.
type socketPeer struct {
	t    *testing.T
	conn *websocket.Conn
}

// send writes one Socket Mode message.
func (p *socketPeer) send(v any) {
	p.t.Helper()
	if err := p.conn.WriteJSON(v); err != nil {
		p.t.Fatalf("write to the bot: %v", err)
	}
}

// ack reads the bot's next message, which must acknowledge envelope.
func (p *socketPeer) ack(envelope string) map[string]any {
	p.t.Helper()
	_ = p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m map[string]any
	if err := p.conn.ReadJSON(&m); err != nil {
		p.t.Fatalf("read the acknowledgement of %s: %v", envelope, err)
	}
	if m["envelope_id"] != envelope {
		p.t.Fatalf("got %v, want the acknowledgement of %s", m, envelope)
	}
	return m
}

// serveSocket makes the double accept Socket Mode connections and hand
// them to the test.
func serveSocket(t *testing.T, d *double) <-chan *socketPeer {
	peers := make(chan *socketPeer, 1)
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	// Slack's client sends Origin: https://api.slack.com.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	d.mu.Lock()
	d.ws = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("ticket") == "" {
			http.Error(w, "no ticket", http.StatusUnauthorized)
			return
		}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		select {
		case peers <- &socketPeer{t: t, conn: conn}:
		case <-done:
			return
		}
		<-done
	}
	d.mu.Unlock()
	return peers
}

func eventsEnvelope(envelopeID string, retry int, payload string) map[string]any {
	return map[string]any{"envelope_id": envelopeID, "type": "events_api", "accepts_response_payload": false,
		"retry_attempt": retry, "retry_reason": "", "payload": json.RawMessage(payload)}
}

func TestSocketMode(t *testing.T) {
	f := newFixture(t, func(o *Options) {
		o.Slack.AppToken = testAppToken
		o.Slack.SigningSecret = ""
	})
	f.bot.pingInterval = time.Minute
	peers := serveSocket(t, f.api)
	stop := runBot(t, f.bot)

	var p *socketPeer
	select {
	case p = <-peers:
	case <-time.After(5 * time.Second):
		t.Fatalf("the bot did not connect; calls: %v", f.api.methods())
	}
	open := f.api.wait(t, "apps.connections.open", 1)[0]
	if open.token() != testAppToken {
		t.Errorf("apps.connections.open token %.10q…, want the app-level token", open.token())
	}
	p.send(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A0HIEC"}})

	// A question by DM: acknowledged once logged, then answered.
	question := dmEvent("Ev0SOCKET", bidderUser, "When are detailed bids due?")
	p.send(eventsEnvelope("env-1", 0, question))
	p.ack("env-1")
	if qs := f.questions(t); len(qs) != 1 {
		t.Fatalf("logged %d questions at the acknowledgement, want 1", len(qs))
	}
	post := f.api.wait(t, "chat.postMessage", 1)[0]
	if post.Form.Get("channel") != "D0"+bidderUser || !strings.Contains(post.Form.Get("text"), "19 October 2009") {
		t.Errorf("answer %v", post.Form)
	}

	// Slack redelivers the same event: acknowledged, not logged or answered again.
	p.send(eventsEnvelope("env-2", 1, question))
	p.ack("env-2")

	// A slash command: the response rides on the acknowledgement.
	p.send(map[string]any{"envelope_id": "env-3", "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{"command": "/hiec", "text": "questions", "user_id": bidderUser, "channel_id": "C0GENERAL", "team_id": "T0HIEC"}})
	ack := p.ack("env-3")
	payload, _ := ack["payload"].(map[string]any)
	if payload["response_type"] != "ephemeral" || !strings.Contains(payload["text"].(string), "National Steering Group") {
		t.Errorf("command acknowledgement %v, want the ephemeral refusal", ack)
	}

	// A button press, delivered twice.
	press := map[string]any{"envelope_id": "env-4", "type": "interactive", "accepts_response_payload": false,
		"payload": map[string]any{"type": "block_actions", "user": map[string]any{"id": bidderUser}, "channel": map[string]any{"id": "D0" + bidderUser},
			"response_url": f.api.srv.URL + "/response/socket",
			"actions":      []map[string]any{{"type": "button", "block_id": answerBlockID, "action_id": actionHelpful, "value": "Q-0001"}}}}
	p.send(press)
	p.ack("env-4")
	press["retry_attempt"] = 1
	p.send(press)
	p.ack("env-4")

	// An envelope slack-go cannot parse is still acknowledged.
	p.send(map[string]any{"envelope_id": "env-5", "type": "events_api", "payload": map[string]any{"type": "event_callback", "event_id": "Ev0ODD", "event": map[string]any{"type": "message", "text": 5}}})
	p.ack("env-5")

	if err := stop(); err != nil {
		t.Fatalf("Run = %v after cancellation, want nil", err)
	}
	if qs := f.questions(t); len(qs) != 1 || qs[0].Feedback != store.FeedbackHelpful {
		t.Errorf("log %+v, want one question rated helpful", qs)
	}
	if n := len(f.api.callsTo("chat.postMessage")); n != 1 {
		t.Errorf("%d answers posted, want 1", n)
	}
	if n := len(f.api.callsTo("response")); n != 1 {
		t.Errorf("%d button confirmations, want 1", n)
	}
	for _, s := range []string{testAppToken, testBotToken, "secret-ticket"} {
		if strings.Contains(f.logs.String(), s) {
			t.Errorf("the log holds a secret (%.12s…)", s)
		}
	}
}

func TestSocketModeBadAppToken(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Slack.AppToken = testAppToken })
	f.api.on("apps.connections.open", func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
		return true
	})
	err := f.bot.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || !strings.Contains(err.Error(), f.api.apiURL()) {
		t.Errorf("Run = %v, want invalid_auth naming the API URL", err)
	}
	if strings.Contains(err.Error(), testAppToken) {
		t.Error("the error holds the app token")
	}
}
