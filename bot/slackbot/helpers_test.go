package slackbot

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/fakes"
	"github.com/hiec/hiecbot/bot/outbox"
	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/hiec/hiecbot/reminders"
)

// Credentials that look real, so tests can show they never reach a log.
const (
	testBotToken      = "xoxb-2009000000001-2009000000002-HIECb0tT0kenSecretValue1"
	testAppToken      = "xapp-1-A0HIEC0001-2009000000003-7f3e9a1c5d2b8e4f6a0c3e5d7b9f1a2c4e6d8f0a1b3c5d7e9f1a3c5e7d9b1f3a"
	testSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	staffUser         = "U0NSGSTAFF"
	bidderUser        = "U0BIDDER1"
	nsgChannel        = "C0NSG"
	bidderChannel     = "C0BIDDERS"
)

// apiCall is one request the Slack double received.
type apiCall = slacktest.Call

// deadlineEngine answers questions about deadlines confidently and
// nothing else, and can cite slide 17 of the guide.
func deadlineEngine() *fakes.Engine {
	slide17 := knowledge.Answer{Source: "guide", Ref: "slide 17", Title: "Application process", Citation: "Guide, slide 17: Application process", Score: 2.5,
		Text: "Detailed bids are due on 19 October 2009.\nShortlisted clusters present in November.", Highlight: "Detailed bids are *due* on 19 October 2009."}
	return &fakes.Engine{
		Keywords: []string{"due", "deadline"},
		Answers: []knowledge.Answer{slide17,
			{Source: "press", Ref: "para 3", Title: "Announcement", Citation: "Announcement of 11 May 2009, para 3", Score: 1.6, Text: "Bids open in May."}},
		Passages: []knowledge.Answer{{Source: "guide", Ref: "slide 17", Title: "Application process", Citation: "Guide, slide 17: Application process",
			Text: "Detailed bids are due on 19 October 2009."}},
	}
}

// fixture is a Bot wired to a real store, a Desk on a fake engine and a
// Slack double.
type fixture struct {
	bot   *Bot
	desk  *dialogue.Desk
	store *store.Store
	api   *slacktest.Server
	logs  *fakes.SyncBuffer
	h     http.Handler
}

type fixtureOption func(*Options)

func newFixture(t testing.TB, opts ...fixtureOption) *fixture {
	t.Helper()
	return newFixtureWith(t, deadlineEngine(), opts...)
}

// newFixtureWith is newFixture answering with engine.
func newFixtureWith(t testing.TB, engine dialogue.Engine, opts ...fixtureOption) *fixture {
	t.Helper()
	return newFixtureDesk(t, engine, nil, opts...)
}

// newFixtureDesk is newFixtureWith with the Desk's options changed by
// desk (when not nil).
func newFixtureDesk(t testing.TB, engine dialogue.Engine, desk func(*dialogue.Options), opts ...fixtureOption) *fixture {
	t.Helper()
	return newFixtureAtDesk(t, filepath.Join(t.TempDir(), "questions.db"), engine, desk, opts...)
}

// newFixtureAt is newFixtureWith with its store at path.
func newFixtureAt(t testing.TB, path string, engine dialogue.Engine, opts ...fixtureOption) *fixture {
	t.Helper()
	return newFixtureAtDesk(t, path, engine, nil, opts...)
}

func newFixtureAtDesk(t testing.TB, path string, engine dialogue.Engine, desk func(*dialogue.Options), opts ...fixtureOption) *fixture {
	t.Helper()
	f := &fixture{api: slacktest.New(t), logs: &fakes.SyncBuffer{}}
	// The token holds the manifests' scopes and no more (TestManifests
	// checks they are leastScopes): a call needing another fails here as
	// it would in Slack.
	f.api.GrantScopes(leastScopes...)
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.store = st
	logger := slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dopts := dialogue.Options{
		Staff:    func(id string) bool { return id == staffUser },
		Timeline: reminders.TimelineOf(config.Default().Reminders),
		Location: config.Default().Reminders.Location(),
		Logger:   logger,
		Ledger:   st.Ledger(),
		Now:      func() time.Time { return time.Date(2009, 10, 7, 9, 0, 0, 0, time.UTC) },
	}
	if desk != nil {
		desk(&dopts)
	}
	f.desk = dialogue.New(engine, st, dopts)
	o := Options{
		Slack:         config.Slack{BotToken: testBotToken, SigningSecret: testSigningSecret, APIURL: f.api.APIURL(), Listen: "127.0.0.1:0"},
		NSGChannel:    nsgChannel,
		BidderChannel: bidderChannel,
		Desk:          f.desk,
		Seen:          st,
		Logger:        logger,
		Retry:         []time.Duration{time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond},
	}
	for _, fn := range opts {
		fn(&o)
	}
	b, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	f.desk.SetNotifier(b)
	f.bot = b
	f.h = b.Handler()
	t.Cleanup(func() {
		b.drain()
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return f
}

// socketMode is a fixture option: the Bot takes events over Socket Mode.
func socketMode(o *Options) {
	o.Slack.AppToken = testAppToken
	o.Slack.SigningSecret = ""
}

// runSocket runs the Bot (made with socketMode) against the double's
// Socket Mode websocket and returns the connection it opens, before
// Slack's hello, and the Bot's stop.
func (f *fixture) runSocket(t *testing.T) (*slacktest.SocketPeer, func() error) {
	t.Helper()
	f.bot.pingInterval = time.Minute
	peers := f.api.ServeSocket(t)
	stop := runBot(t, f.bot)
	select {
	case p := <-peers:
		return p, stop
	case <-time.After(5 * time.Second):
		t.Fatalf("the bot did not connect; calls: %v", f.api.Methods())
		return nil, nil
	}
}

// do sends a signed request to the bot's handler and returns the response.
func (f *fixture) do(t testing.TB, path, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	slacktest.Sign(r, body, testSigningSecret, time.Now())
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

// event posts an Events API payload and expects 200.
func (f *fixture) event(t testing.TB, body string) {
	t.Helper()
	if w := f.do(t, "/slack/events", "application/json", body); w.Code != http.StatusOK {
		t.Fatalf("POST /slack/events = %d %q, want 200", w.Code, w.Body.String())
	}
}

// command posts a /hiec command and returns the decoded response.
func (f *fixture) command(t testing.TB, user, text string) map[string]any {
	t.Helper()
	return f.commandWith(t, user, text, nil)
}

// commandWith is command with extra form fields (a trigger_id).
func (f *fixture) commandWith(t testing.TB, user, text string, extra url.Values) map[string]any {
	t.Helper()
	form := url.Values{
		"command": {"/hiec"}, "text": {text}, "user_id": {user}, "user_name": {"name-" + user},
		"team_id": {"T0HIEC"}, "channel_id": {"C0GENERAL"}, "response_url": {f.api.ResponseURL("cmd")},
	}
	for k, v := range extra {
		form[k] = v
	}
	w := f.do(t, "/slack/commands", "application/x-www-form-urlencoded", form.Encode())
	if w.Code != http.StatusOK {
		t.Fatalf("POST /slack/commands %q = %d %q", text, w.Code, w.Body.String())
	}
	var resp map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("command response %q: %v", w.Body.String(), err)
	}
	return resp
}

// dmEvent is a message.im event.
func dmEvent(eventID, user, text string) string {
	return mustJSON(map[string]any{
		"type": "event_callback", "team_id": "T0HIEC", "event_id": eventID, "event_time": 1255000000,
		"authorizations": []map[string]any{{"user_id": "U0HIECBOT", "is_bot": true}},
		"event":          map[string]any{"type": "message", "channel_type": "im", "channel": "D0" + user, "user": user, "text": text, "ts": "1255000000.000001", "team": "T0HIEC"},
	})
}

// mentionEvent is an app_mention event, in a thread when threadTS is set.
func mentionEvent(eventID, user, text, ts, threadTS string) string {
	ev := map[string]any{"type": "app_mention", "channel": "C0GENERAL", "user": user, "text": text, "ts": ts}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return mustJSON(map[string]any{"type": "event_callback", "team_id": "T0HIEC", "event_id": eventID, "event": ev})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// questions returns every logged question.
func (f *fixture) questions(t testing.TB) []store.Question {
	t.Helper()
	qs, err := f.store.List(store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// settle waits for the Bot's and the Desk's background work.
func (f *fixture) settle() { f.bot.drain() }

// withOutbox wires the fixture's Bot to its store's outbox and runs a
// sender until the test ends.
func withOutbox(t *testing.T, f *fixture, opts outbox.Options) *outbox.Sender {
	t.Helper()
	f.bot.outbox = f.store
	f.store.SetComposer(f.bot.Compose)
	if opts.Backoff == 0 {
		opts.Backoff, opts.MaxBackoff = 20*time.Millisecond, 100*time.Millisecond
	}
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Second
	}
	opts.Logger = f.bot.log
	s := outbox.New(f.store, f.bot.OutboxPoster(), opts)
	f.store.OnQueued(s.Queued)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// waitFor polls cond for up to thirty seconds (the machine may be busy).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
