package slackbot

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
)

// TestReplayedRequestsRefused replays signed requests byte for byte,
// headers and all, inside the five-minute window: an answer, a button
// press and an event each run once.
func TestReplayedRequestsRefused(t *testing.T) {
	f := newFixture(t)
	f.event(t, dmEvent("Ev0ASK", bidderUser, "Can a charity lead a bid?"))
	f.settle()
	id := f.questions(t)[0].ID

	send := func(path, contentType, body string, at time.Time, retry bool) int {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		if retry {
			r.Header.Set("X-Slack-Retry-Num", "1")
		}
		slacktest.Sign(r, body, testSigningSecret, at)
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		return w.Code
	}
	form := func(text string) string {
		return url.Values{"command": {"/hiec"}, "text": {text}, "user_id": {staffUser}, "user_name": {"nsg"},
			"team_id": {"T0HIEC"}, "channel_id": {"C0GENERAL"}, "response_url": {f.api.ResponseURL("cmd")}}.Encode()
	}
	at := time.Now().Add(-time.Minute)
	old := form("answer " + id + " First answer.")
	if c := send("/slack/commands", "application/x-www-form-urlencoded", old, at, false); c != http.StatusOK {
		t.Fatalf("answer: %d", c)
	}
	newer := form("answer " + id + " Second, corrected answer.")
	if c := send("/slack/commands", "application/x-www-form-urlencoded", newer, at.Add(time.Second), false); c != http.StatusOK {
		t.Fatalf("second answer: %d", c)
	}
	f.settle()
	delivered := len(f.api.Calls("chat.postMessage"))
	// The first answer, replayed: refused, so it neither overwrites the
	// newer answer nor reaches the asker again.
	if c := send("/slack/commands", "application/x-www-form-urlencoded", old, at, false); c != http.StatusConflict {
		t.Errorf("replayed answer: %d, want 409", c)
	}
	f.settle()
	if q, _ := f.store.Get(id); !strings.Contains(q.NSGAnswer, "Second") {
		t.Errorf("a replayed answer overwrote the newer one: %q", q.NSGAnswer)
	}
	if n := len(f.api.Calls("chat.postMessage")); n != delivered {
		t.Errorf("a replayed answer was sent again: %d posts, want %d", n, delivered)
	}

	// A button press, replayed.
	press := url.Values{"payload": {mustJSON(map[string]any{"type": "block_actions", "user": map[string]any{"id": bidderUser},
		"channel": map[string]any{"id": "D0" + bidderUser}, "response_url": f.api.ResponseURL("btn"),
		"actions": []map[string]any{{"type": "button", "block_id": answerBlockID, "action_id": actionAskNSG, "value": id}}})}}.Encode()
	if c := send("/slack/interactivity", "application/x-www-form-urlencoded", press, at, false); c != http.StatusOK {
		t.Fatalf("button: %d", c)
	}
	if c := send("/slack/interactivity", "application/x-www-form-urlencoded", press, at, false); c != http.StatusConflict {
		t.Errorf("replayed button: %d, want 409", c)
	}

	// An event, replayed: refused, and with Slack's retry header answered
	// 200 without being handled again.
	ev := dmEvent("Ev0REPLAY", bidderUser, "When are detailed bids due?")
	if c := send("/slack/events", "application/json", ev, at, false); c != http.StatusOK {
		t.Fatalf("event: %d", c)
	}
	if c := send("/slack/events", "application/json", ev, at, false); c != http.StatusConflict {
		t.Errorf("replayed event: %d, want 409", c)
	}
	if c := send("/slack/events", "application/json", ev, at, true); c != http.StatusOK {
		t.Errorf("replayed event with a retry header: %d, want 200", c)
	}
	f.settle()
	if n := len(f.questions(t)); n != 2 {
		t.Errorf("%d questions logged, want 2", n)
	}
	if !strings.Contains(f.logs.String(), "replayed") {
		t.Error("replays are not logged")
	}
}

// TestReplayCopiesSentAtOnce: of several identical copies sent at the
// same moment, one runs.
func TestReplayCopiesSentAtOnce(t *testing.T) {
	f := newFixture(t)
	ev := dmEvent("Ev0TWINS", bidderUser, "When are detailed bids due?")
	at := time.Now()
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() {
			r := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(ev))
			slacktest.Sign(r, ev, testSigningSecret, at)
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			codes[i] = w.Code
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		if c == http.StatusOK {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("codes %v: want exactly one 200", codes)
	}
}

// TestReplayWindowForgets: signatures are compared as Slack's verifier
// reads them (hex in any case), a released one (an event answered 503)
// may come again, and the window forgets old ones.
func TestReplayWindowForgets(t *testing.T) {
	r := newReplays()
	now := time.Now()
	r.now = func() time.Time { return now }
	if !r.claim("v0=AB") || r.claim("v0=ab") {
		t.Fatal("a signature in another case is the same signature")
	}
	r.release("v0=ab")
	if !r.claim("v0=ab") {
		t.Fatal("a released signature is refused")
	}
	now = now.Add(replayWindow + time.Second)
	if !r.claim("v0=ab") {
		t.Fatal("a signature older than the window is still remembered")
	}
	if len(r.seen) != 1 || len(r.order) != 1 {
		t.Errorf("pruning left %d, %d entries", len(r.seen), len(r.order))
	}
}

// TestReplayRefusedAfterRestart: a command replayed to a restarted bot
// (its memory of signatures gone) is refused through the store.
func TestReplayRefusedAfterRestart(t *testing.T) {
	f := newFixture(t)
	body := url.Values{"command": {"/hiec"}, "text": {"deadlines"}, "user_id": {bidderUser}, "team_id": {"T0HIEC"}, "channel_id": {"C0GENERAL"}}.Encode()
	at := time.Now()
	send := func(h http.Handler) int {
		r := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		slacktest.Sign(r, body, testSigningSecret, at)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if c := send(f.h); c != http.StatusOK {
		t.Fatalf("command: %d", c)
	}
	restarted, err := New(Options{Slack: f.bot.slack, Desk: f.desk, Seen: f.store, Logger: f.bot.log})
	if err != nil {
		t.Fatal(err)
	}
	f.desk.SetNotifier(restarted)
	if c := send(restarted.Handler()); c != http.StatusConflict {
		t.Errorf("replay after a restart: %d, want 409", c)
	}
}
