package slackbot

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/knowledge"
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
type apiCall struct {
	Method string // Web API method, or "upload" or "response"
	Path   string
	Form   url.Values
	JSON   map[string]any
	Body   []byte
	Auth   string
}

// double is a Slack Web API double on loopback: it records every call
// and answers as Slack would. Tests may override a method's answer.
type double struct {
	srv *httptest.Server

	mu       sync.Mutex
	calls    []apiCall
	changed  chan struct{}
	override map[string]func(w http.ResponseWriter, r *http.Request, n int) bool
	counts   map[string]int
	// ws serves /ws, the Socket Mode websocket.
	ws http.HandlerFunc
	// onPost, when set, sees every chat.postMessage (and no call is
	// recorded): the benchmark uses it.
	onPost func(form url.Values)
}

func newDouble(t testing.TB) *double {
	d := &double{changed: make(chan struct{}), override: map[string]func(http.ResponseWriter, *http.Request, int) bool{}, counts: map[string]int{}}
	d.srv = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *double) apiURL() string { return d.srv.URL + "/api/" }

// on replaces the answer to a method: fn gets the 1-based count of calls
// to it and returns false to answer as usual.
func (d *double) on(method string, fn func(w http.ResponseWriter, r *http.Request, n int) bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.override[method] = fn
}

func (d *double) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ws" {
		d.mu.Lock()
		ws := d.ws
		d.mu.Unlock()
		if ws == nil {
			http.NotFound(w, r)
			return
		}
		ws(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := apiCall{Path: r.URL.Path, Body: body, Auth: r.Header.Get("Authorization")}
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		c.Method = strings.TrimPrefix(r.URL.Path, "/api/")
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		c.Method = "upload"
	case strings.HasPrefix(r.URL.Path, "/response/"):
		c.Method = "response"
	default:
		http.NotFound(w, r)
		return
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/json"):
		_ = json.Unmarshal(body, &c.JSON)
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		c.Form, _ = url.ParseQuery(string(body))
	}
	d.mu.Lock()
	d.counts[c.Method]++
	n := d.counts[c.Method]
	fn := d.override[c.Method]
	onPost := d.onPost
	d.mu.Unlock()
	if fn != nil && fn(w, r, n) {
		d.record(c)
		return
	}
	if onPost != nil && c.Method == "chat.postMessage" {
		onPost(c.Form)
		writeOK(w, map[string]any{"channel": c.Form.Get("channel"), "ts": "1255000000.000100"})
		return
	}
	d.answer(w, c)
	d.record(c)
}

func (d *double) record(c apiCall) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.onPost != nil {
		return
	}
	d.calls = append(d.calls, c)
	close(d.changed)
	d.changed = make(chan struct{})
}

func writeOK(w http.ResponseWriter, fields map[string]any) {
	fields["ok"] = true
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(fields)
}

func (d *double) answer(w http.ResponseWriter, c apiCall) {
	switch c.Method {
	case "auth.test":
		writeOK(w, map[string]any{"url": "https://hiec.slack.com/", "team": "HIEC bidders", "user": "hiecbot", "team_id": "T0HIEC", "user_id": "U0HIECBOT", "bot_id": "B0HIECBOT"})
	case "users.info":
		id := c.Form.Get("user")
		writeOK(w, map[string]any{"user": map[string]any{"id": id, "name": "bidder-" + strings.ToLower(id), "real_name": "Pat Bidder", "profile": map[string]any{"display_name": "Pat"}}})
	case "chat.postMessage":
		writeOK(w, map[string]any{"channel": c.Form.Get("channel"), "ts": "1255000000.000100"})
	case "chat.postEphemeral":
		writeOK(w, map[string]any{"message_ts": "1255000000.000200"})
	case "conversations.open":
		writeOK(w, map[string]any{"channel": map[string]any{"id": "D" + c.Form.Get("users")}})
	case "files.getUploadURLExternal":
		writeOK(w, map[string]any{"upload_url": d.srv.URL + "/upload/F0EXPORT", "file_id": "F0EXPORT"})
	case "upload":
		_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(c.Body)))
	case "files.completeUploadExternal":
		writeOK(w, map[string]any{"files": []map[string]any{{"id": "F0EXPORT", "title": "export"}}})
	case "views.publish":
		writeOK(w, map[string]any{"view": map[string]any{"id": "V0HOME", "type": "home"}})
	case "views.open":
		writeOK(w, map[string]any{"view": map[string]any{"id": "V0MODAL", "type": "modal"}})
	case "chat.update":
		writeOK(w, map[string]any{"channel": c.Form.Get("channel"), "ts": c.Form.Get("ts"), "text": c.Form.Get("text")})
	case "apps.connections.open":
		writeOK(w, map[string]any{"url": "ws://" + strings.TrimPrefix(d.srv.URL, "http://") + "/ws?ticket=0000-secret-ticket"})
	case "response":
		w.WriteHeader(http.StatusOK)
	default:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
	}
}

// token is the token a call carried, in the Authorization header or
// the form.
func (c apiCall) token() string {
	if t, ok := strings.CutPrefix(c.Auth, "Bearer "); ok {
		return t
	}
	return c.Form.Get("token")
}

// callsTo returns the calls to a method so far.
func (d *double) callsTo(method string) []apiCall {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []apiCall
	for _, c := range d.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// wait returns the calls to method once there are at least n, failing the
// test after five seconds.
func (d *double) wait(t testing.TB, method string, n int) []apiCall {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		d.mu.Lock()
		changed := d.changed
		d.mu.Unlock()
		if cs := d.callsTo(method); len(cs) >= n {
			return cs
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("waited 5s for %d call(s) to %s; got %d; all calls: %v", n, method, len(d.callsTo(method)), d.methods())
		}
	}
}

func (d *double) methods() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, c := range d.calls {
		out = append(out, c.Method)
	}
	return out
}

// fakeEngine answers questions about deadlines confidently and nothing
// else.
type fakeEngine struct{}

func (fakeEngine) Answer(q string) (knowledge.Result, error) {
	l := strings.ToLower(q)
	if strings.Contains(l, "due") || strings.Contains(l, "deadline") {
		return knowledge.Result{Question: q, Confident: true, Answers: []knowledge.Answer{
			{Source: "guide", Ref: "slide 17", Title: "Application process", Citation: "Guide, slide 17: Application process", Score: 2.5,
				Text: "Detailed bids are due on 19 October 2009.\nShortlisted clusters present in November.", Highlight: "Detailed bids are *due* on 19 October 2009."},
			{Source: "press", Ref: "para 3", Title: "Announcement", Citation: "Announcement of 11 May 2009, para 3", Score: 1.2, Text: "Bids open in May."},
		}}, nil
	}
	return knowledge.Result{Question: q}, nil
}

func (fakeEngine) Lookup(citation string) (knowledge.Answer, bool) {
	if strings.HasPrefix("guide, slide 17: application process", strings.ToLower(strings.TrimSpace(citation))) && strings.TrimSpace(citation) != "" {
		return knowledge.Answer{Source: "guide", Ref: "slide 17", Title: "Application process", Citation: "Guide, slide 17: Application process",
			Text: "Detailed bids are due on 19 October 2009."}, true
	}
	return knowledge.Answer{}, false
}
func (fakeEngine) AddPhrasing(citation, question string) error            { return nil }
func (fakeEngine) AddClarification(number, question, answer string) error { return nil }

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixture is a Bot wired to a real store, a Desk on a fake engine and a
// Slack double.
type fixture struct {
	bot   *Bot
	desk  *dialogue.Desk
	store *store.Store
	api   *double
	logs  *syncBuffer
	h     http.Handler
}

type fixtureOption func(*Options)

func newFixture(t testing.TB, opts ...fixtureOption) *fixture {
	t.Helper()
	return newFixtureWith(t, fakeEngine{}, opts...)
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
	f := &fixture{api: newDouble(t), logs: &syncBuffer{}}
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.store = st
	logger := slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dopts := dialogue.Options{
		Staff:     func(id string) bool { return id == staffUser },
		Reminders: config.Default().Reminders,
		Logger:    logger,
		Ledger:    st,
		Now:       func() time.Time { return time.Date(2009, 10, 7, 9, 0, 0, 0, time.UTC) },
	}
	if desk != nil {
		desk(&dopts)
	}
	f.desk = dialogue.New(engine, st, dopts)
	o := Options{
		Slack:         config.Slack{BotToken: testBotToken, SigningSecret: testSigningSecret, APIURL: f.api.apiURL(), Listen: "127.0.0.1:0"},
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

// sign signs a request body as Slack does, at time at.
func sign(r *http.Request, body string, secret string, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// do sends a signed request to the bot's handler and returns the response.
func (f *fixture) do(t testing.TB, path, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	sign(r, body, testSigningSecret, time.Now())
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
		"team_id": {"T0HIEC"}, "channel_id": {"C0GENERAL"}, "response_url": {f.api.srv.URL + "/response/cmd"},
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
