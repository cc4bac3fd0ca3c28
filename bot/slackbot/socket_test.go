package slackbot

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/hiec/hiecbot/bot/store"
)

func TestSocketMode(t *testing.T) {
	f := newFixture(t, socketMode)
	p, stop := f.runSocket(t)
	open := f.api.Wait(t, "apps.connections.open", 1)[0]
	if open.Token() != testAppToken {
		t.Errorf("apps.connections.open token %.10q…, want the app-level token", open.Token())
	}
	p.Send(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A0HIEC"}})

	// A question by DM: acknowledged once logged, then answered.
	question := dmEvent("Ev0SOCKET", bidderUser, "When are detailed bids due?")
	p.Send(slacktest.EventsEnvelope("env-1", 0, question))
	p.Ack("env-1")
	if qs := f.questions(t); len(qs) != 1 {
		t.Fatalf("logged %d questions at the acknowledgement, want 1", len(qs))
	}
	post := f.api.Wait(t, "chat.postMessage", 1)[0]
	if post.Form.Get("channel") != "D0"+bidderUser || !strings.Contains(post.Form.Get("text"), "19 October 2009") {
		t.Errorf("answer %v", post.Form)
	}

	// Slack redelivers the same event: acknowledged, not logged or answered again.
	p.Send(slacktest.EventsEnvelope("env-2", 1, question))
	p.Ack("env-2")

	// A slash command: the response rides on the acknowledgement.
	p.Send(map[string]any{"envelope_id": "env-3", "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{"command": "/hiec", "text": "questions", "user_id": bidderUser, "channel_id": "C0GENERAL", "team_id": "T0HIEC"}})
	ack := p.Ack("env-3")
	payload, _ := ack["payload"].(map[string]any)
	if payload["response_type"] != "ephemeral" || !strings.Contains(payload["text"].(string), "National Steering Group") {
		t.Errorf("command acknowledgement %v, want the ephemeral refusal", ack)
	}

	// A button press, delivered twice.
	press := map[string]any{"envelope_id": "env-4", "type": "interactive", "accepts_response_payload": false,
		"payload": map[string]any{"type": "block_actions", "user": map[string]any{"id": bidderUser}, "channel": map[string]any{"id": "D0" + bidderUser},
			"response_url": f.api.ResponseURL("socket"),
			"actions":      []map[string]any{{"type": "button", "block_id": answerBlockID, "action_id": actionHelpful, "value": "Q-0001"}}}}
	p.Send(press)
	p.Ack("env-4")
	press["retry_attempt"] = 1
	p.Send(press)
	p.Ack("env-4")

	// An envelope slack-go cannot parse is still acknowledged.
	p.Send(map[string]any{"envelope_id": "env-5", "type": "events_api", "payload": map[string]any{"type": "event_callback", "event_id": "Ev0ODD", "event": map[string]any{"type": "message", "text": 5}}})
	p.Ack("env-5")

	if err := stop(); err != nil {
		t.Fatalf("Run = %v after cancellation, want nil", err)
	}
	if qs := f.questions(t); len(qs) != 1 || qs[0].Feedback != store.FeedbackHelpful {
		t.Errorf("log %+v, want one question rated helpful", qs)
	}
	if n := len(f.api.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d answers posted, want 1", n)
	}
	if n := len(f.api.Calls("response")); n != 1 {
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
	f.api.On("apps.connections.open", func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
		return true
	})
	err := f.bot.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || !strings.Contains(err.Error(), f.api.APIURL()) {
		t.Errorf("Run = %v, want invalid_auth naming the API URL", err)
	}
	if strings.Contains(err.Error(), testAppToken) {
		t.Error("the error holds the app token")
	}
}
