package slacktest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// SocketPeer is the Slack side of one Socket Mode connection.
type SocketPeer struct {
	t    testing.TB
	Conn *websocket.Conn
}

// Send writes one Socket Mode message to the bot.
func (p *SocketPeer) Send(v any) {
	p.t.Helper()
	if err := p.Conn.WriteJSON(v); err != nil {
		p.t.Fatalf("write to the bot: %v", err)
	}
}

// Hello sends the hello that opens a connection.
func (p *SocketPeer) Hello() {
	p.t.Helper()
	p.Send(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A0HIEC"}})
}

// Ack reads the bot's next message, which must acknowledge envelope,
// within five seconds.
func (p *SocketPeer) Ack(envelope string) map[string]any {
	p.t.Helper()
	_ = p.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m map[string]any
	if err := p.Conn.ReadJSON(&m); err != nil {
		p.t.Fatalf("read the acknowledgement of %s: %v", envelope, err)
	}
	if m["envelope_id"] != envelope {
		p.t.Fatalf("got %v, want the acknowledgement of %s", m, envelope)
	}
	return m
}

// ServeSocket makes the double accept Socket Mode connections (at the URL
// apps.connections.open gives, which carries a ticket) and hand each to
// the test; connections stay open until the test ends.
func (s *Server) ServeSocket(t testing.TB) <-chan *SocketPeer {
	peers := make(chan *SocketPeer, 1)
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	// Slack's client sends Origin: https://api.slack.com.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.mu.Lock()
	s.ws = func(w http.ResponseWriter, r *http.Request) {
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
		case peers <- &SocketPeer{t: t, Conn: conn}:
		case <-done:
			return
		}
		<-done
	}
	s.mu.Unlock()
	return peers
}

// EventsEnvelope wraps an Events API payload as Socket Mode delivers it.
func EventsEnvelope(envelopeID string, retry int, payload string) map[string]any {
	return map[string]any{"envelope_id": envelopeID, "type": "events_api", "accepts_response_payload": false,
		"retry_attempt": retry, "retry_reason": "", "payload": json.RawMessage(payload)}
}
