// Package slacktest is a Slack double for tests, in the manner of
// net/http/httptest: a Web API server on loopback that records every call
// and answers as Slack does, with answers a test may replace, fault rules
// (5xx, 429 with Retry-After, ok:false, stalls; by call or by channel),
// the messages it was posted (conversations.history and .replies show
// them, metadata and all), file uploads, response URLs, a Socket Mode
// websocket, and the request signing Slack uses for the Events API, slash
// commands and interactivity.
//
// It owns only the Slack side of the wire. It must not import any hiecbot
// package, so that every package's tests (the bot's, the scheduler's,
// main's) can share it without an import cycle.
package slacktest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one request the double received.
type Call struct {
	Method string // the Web API method, or "upload" (a file's bytes) or "response" (a response_url)
	Path   string
	Form   url.Values     // a form-encoded body
	JSON   map[string]any // a JSON body
	Body   []byte
	Auth   string    // the Authorization header
	At     time.Time // when the call arrived
}

// Token is the token the call carried, in the Authorization header or
// the form.
func (c Call) Token() string {
	if t, ok := strings.CutPrefix(c.Auth, "Bearer "); ok {
		return t
	}
	return c.Form.Get("token")
}

// Param is a parameter of the call, from its form or its JSON body.
func (c Call) Param(name string) string {
	if v := c.Form.Get(name); v != "" {
		return v
	}
	if v, ok := c.JSON[name].(string); ok {
		return v
	}
	return ""
}

// A Handler replaces the double's answer to a method: it gets the 1-based
// count of calls to that method and returns false to let the double answer
// as usual. The call is recorded either way.
type Handler func(w http.ResponseWriter, r *http.Request, n int) bool

// Server is the Slack double.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:port, with no slash.
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	calls    []Call
	changed  chan struct{}
	override map[string]Handler
	faults   map[string]func(c Call, n int) Fault
	counts   map[string]int
	keep     bool      // KeepMessages
	messages []Message // the posts taken, with KeepMessages
	seq      int       // the last message's ts suffix
	token    string
	ws       http.HandlerFunc
	onPost   func(form url.Values)
	channels map[string]Channel // SetChannel
	scopes   map[string]bool    // GrantScopes; nil: every scope
}

// Channel is what conversations.info and conversations.members say of a
// channel (see SetChannel).
type Channel struct {
	// Public is a channel anyone in the workspace can join; Shared one
	// shared with another workspace or organisation.
	Public, Shared bool
	// Members are the channel's members' user ids.
	Members []string
}

// SetChannel sets what conversations.info and conversations.members
// answer for channel id. A channel never set is private, unshared, and
// has the bot as its only member.
func (s *Server) SetChannel(id string, c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.channels == nil {
		s.channels = map[string]Channel{}
	}
	s.channels[id] = c
}

func (s *Server) channel(id string) Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.channels[id]; ok {
		return c
	}
	return Channel{Members: []string{BotUserID}}
}

// NewServer starts a double; Close stops it.
func NewServer() *Server {
	s := &Server{changed: make(chan struct{}), override: map[string]Handler{}, faults: map[string]func(Call, int) Fault{}, counts: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// New starts a double that stops when the test ends.
func New(t testing.TB) *Server {
	s := NewServer()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// APIURL is the Web API's base URL, to give a client as its API URL.
func (s *Server) APIURL() string { return s.URL + "/api/" }

// ResponseURL is a response_url the double accepts; its calls are
// recorded as "response".
func (s *Server) ResponseURL(name string) string { return s.URL + "/response/" + name }

// On replaces the answer to a Web API method ("upload" and "response"
// too), and any fault rule for it.
func (s *Server) On(method string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.override[method] = h
	delete(s.faults, method)
}

// RequireToken makes every Web API call that does not carry token answer
// ok:false invalid_auth, as Slack does.
func (s *Server) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// GrantScopes makes the bot token hold only these scopes: a Web API call
// that needs another answers ok:false missing_scope, naming the scope it
// needed, as Slack does (see NeededScope). Without it every scope is
// held.
func (s *Server) GrantScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = map[string]bool{}
	for _, sc := range scopes {
		s.scopes[sc] = true
	}
}

// NeededScope is the bot scope Slack requires of call, by its method
// and, for a conversation's methods, the kind of conversation (a DM's id
// begins with D; any other is a public channel when SetChannel says so,
// else private): "" when it requires none.
func (s *Server) NeededScope(c Call) string {
	kind := func(public, private, im string) string {
		id := c.Param("channel")
		switch {
		case strings.HasPrefix(id, "D"):
			return im
		case s.channel(id).Public:
			return public
		}
		return private
	}
	switch c.Method {
	case "chat.postMessage", "chat.postEphemeral", "chat.update", "chat.delete":
		return "chat:write"
	case "conversations.history", "conversations.replies":
		return kind("channels:history", "groups:history", "im:history")
	case "conversations.info", "conversations.members":
		return kind("channels:read", "groups:read", "im:read")
	case "conversations.open":
		return "im:write"
	case "users.info", "users.list":
		return "users:read"
	case "files.getUploadURLExternal", "files.completeUploadExternal", "files.upload":
		return "files:write"
	}
	return "" // auth.test, views.*, apps.connections.open (the app token's), uploads, response URLs
}

// OnPost hands every chat.postMessage's form to fn and answers it at once,
// recording no call at all: for benchmarks, where the record would grow
// without bound.
func (s *Server) OnPost(fn func(form url.Values)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onPost = fn
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ws" {
		s.mu.Lock()
		ws := s.ws
		s.mu.Unlock()
		if ws == nil {
			http.NotFound(w, r)
			return
		}
		ws(w, r)
		return
	}
	body := readBody(r)
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := Call{Path: r.URL.Path, Body: body, Auth: r.Header.Get("Authorization"), At: time.Now()}
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
	s.mu.Lock()
	s.counts[c.Method]++
	n := s.counts[c.Method]
	h := s.override[c.Method]
	rule := s.faults[c.Method]
	onPost := s.onPost
	token := s.token
	s.mu.Unlock()
	if token != "" && strings.HasPrefix(r.URL.Path, "/api/") && c.Token() != token {
		WriteError(w, "invalid_auth")
		s.record(c)
		return
	}
	if need := s.missingScope(c); need != "" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "missing_scope", "needed": need, "provided": s.granted()})
		s.record(c)
		return
	}
	if h != nil && h(w, r, n) {
		s.record(c)
		return
	}
	var f Fault
	if rule != nil {
		f = rule(c, n)
	}
	if f.Fails() {
		f.Write(w, r)
		s.record(c)
		return
	}
	if onPost != nil && c.Method == "chat.postMessage" {
		onPost(c.Form)
		WriteOK(w, map[string]any{"channel": c.Form.Get("channel"), "ts": "1255000000.000100"})
		return
	}
	ts := PostTS
	if c.Method == "chat.postMessage" {
		ts = s.take(c) // taken before any stall: the post stands even if the client gives up
	}
	if f.Write(w, r) {
		s.answer(w, c, ts)
	}
	s.record(c)
}

// missingScope returns the scope c needs and the token lacks, or "".
func (s *Server) missingScope(c Call) string {
	s.mu.Lock()
	scopes := s.scopes
	s.mu.Unlock()
	if scopes == nil {
		return ""
	}
	if need := s.NeededScope(c); need != "" && !scopes[need] {
		return need
	}
	return ""
}

// granted lists the scopes GrantScopes gave, as Slack's "provided" does.
func (s *Server) granted() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(slices.Sorted(maps.Keys(s.scopes)), ",")
}

// readBody reads r's body, in one buffer of its declared length when it
// has one (a post's form is several kilobytes).
func readBody(r *http.Request) []byte {
	if n := r.ContentLength; n > 0 && n <= 64<<20 {
		body := make([]byte, n)
		k, _ := io.ReadFull(r.Body, body)
		return body[:k]
	}
	body, _ := io.ReadAll(r.Body)
	return body
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.onPost != nil {
		return
	}
	s.calls = append(s.calls, c)
	close(s.changed)
	s.changed = make(chan struct{})
}

// WriteOK answers ok:true with fields.
func WriteOK(w http.ResponseWriter, fields map[string]any) {
	if fields == nil {
		fields = map[string]any{}
	}
	fields["ok"] = true
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(fields)
}

// WriteError answers ok:false with Slack's error code.
func WriteError(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": code})
}

// The workspace the double answers for.
const (
	TeamID    = "T0HIEC"
	BotUserID = "U0HIECBOT"
	BotID     = "B0HIECBOT"
	// PostTS is the ts of every message the double takes by default.
	PostTS = "1255000000.000100"
	// FileID is the id of every uploaded file.
	FileID = "F0EXPORT"
)

// answer answers c as Slack does; ts is the ts of the message a
// chat.postMessage posted.
func (s *Server) answer(w http.ResponseWriter, c Call, ts string) {
	switch c.Method {
	case "auth.test":
		WriteOK(w, map[string]any{"url": "https://hiec.slack.com/", "team": "HIEC bidders", "user": "hiecbot", "team_id": TeamID, "user_id": BotUserID, "bot_id": BotID})
	case "users.info":
		id := c.Param("user")
		WriteOK(w, map[string]any{"user": map[string]any{"id": id, "name": "bidder-" + strings.ToLower(id), "real_name": "Pat Bidder", "profile": map[string]any{"display_name": "Pat"}}})
	case "chat.postMessage":
		WriteOK(w, map[string]any{"channel": c.Param("channel"), "ts": ts})
	case "conversations.history", "conversations.replies":
		if !s.keeping() {
			WriteError(w, "unknown_method")
			return
		}
		thread := ""
		if c.Method == "conversations.replies" {
			thread = c.Param("ts")
		}
		var msgs []map[string]any
		for _, m := range s.Messages(c.Param("channel")) {
			if thread != "" && m.Thread != thread {
				continue
			}
			msg := map[string]any{"type": "message", "text": m.Text, "ts": m.TS}
			if m.Metadata.EventType != "" {
				msg["metadata"] = m.Metadata
			}
			msgs = append(msgs, msg)
		}
		WriteOK(w, map[string]any{"messages": msgs, "has_more": false})
	case "conversations.info":
		id := c.Param("channel")
		ch := s.channel(id)
		WriteOK(w, map[string]any{"channel": map[string]any{"id": id, "is_channel": ch.Public, "is_group": !ch.Public,
			"is_private": !ch.Public, "is_shared": ch.Shared, "is_ext_shared": ch.Shared, "is_member": true}})
	case "conversations.members":
		// Paged as Slack pages it: limit members at a time, and a cursor
		// (here the offset) for the next page until there is none.
		members := s.channel(c.Param("channel")).Members
		from, _ := strconv.Atoi(c.Param("cursor"))
		limit, _ := strconv.Atoi(c.Param("limit"))
		if limit <= 0 {
			limit = 100
		}
		from = min(max(from, 0), len(members))
		to, next := min(from+limit, len(members)), ""
		if to < len(members) {
			next = strconv.Itoa(to)
		}
		WriteOK(w, map[string]any{"members": append([]string{}, members[from:to]...), "response_metadata": map[string]any{"next_cursor": next}})
	case "chat.postEphemeral":
		WriteOK(w, map[string]any{"message_ts": "1255000000.000200"})
	case "conversations.open":
		WriteOK(w, map[string]any{"channel": map[string]any{"id": "D" + c.Param("users")}})
	case "files.getUploadURLExternal":
		WriteOK(w, map[string]any{"upload_url": s.URL + "/upload/" + FileID, "file_id": FileID})
	case "upload":
		_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(c.Body)))
	case "files.completeUploadExternal":
		WriteOK(w, map[string]any{"files": []map[string]any{{"id": FileID, "title": "export"}}})
	case "views.publish":
		WriteOK(w, map[string]any{"view": map[string]any{"id": "V0HOME", "type": "home"}})
	case "views.open":
		WriteOK(w, map[string]any{"view": map[string]any{"id": "V0MODAL", "type": "modal"}})
	case "chat.update":
		WriteOK(w, map[string]any{"channel": c.Param("channel"), "ts": c.Param("ts"), "text": c.Param("text")})
	case "apps.connections.open":
		WriteOK(w, map[string]any{"url": "ws://" + strings.TrimPrefix(s.URL, "http://") + "/ws?ticket=0000-secret-ticket"})
	case "response":
		w.WriteHeader(http.StatusOK)
	default:
		WriteError(w, "unknown_method")
	}
}

// Calls returns the calls to a method so far.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Posts returns the chat.postMessage calls to channel so far.
func (s *Server) Posts(channel string) []Call {
	var out []Call
	for _, c := range s.Calls("chat.postMessage") {
		if c.Param("channel") == channel {
			out = append(out, c)
		}
	}
	return out
}

// Wait returns the calls to method once there are at least n, failing the
// test after ten seconds.
func (s *Server) Wait(t testing.TB, method string, n int) []Call {
	t.Helper()
	const limit = 10 * time.Second
	deadline := time.After(limit)
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cs := s.Calls(method); len(cs) >= n {
			return cs
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("waited %v for %d call(s) to %s; got %d; all calls: %v", limit, n, method, len(s.Calls(method)), s.Methods())
		}
	}
}

// Methods lists the methods called so far, in order.
func (s *Server) Methods() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.calls {
		out = append(out, c.Method)
	}
	return out
}

// Message is a message the double holds (see KeepMessages).
type Message struct {
	Channel, Thread, Text, TS string
	Metadata                  Metadata
}

// Metadata is a message's metadata, as posted.
type Metadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// KeepMessages makes the double keep every message chat.postMessage takes
// (not one a fault refuses, but one it stalls), each with a ts of its own,
// and answer conversations.history and conversations.replies with them,
// metadata and all, as Slack does: every message in the channel, or in
// the thread, oldest first, in one page (oldest and cursors are ignored).
func (s *Server) KeepMessages() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keep = true
}

func (s *Server) keeping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keep
}

// take keeps the message a chat.postMessage posts, with KeepMessages, and
// returns its ts.
func (s *Server) take(c Call) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.keep {
		return PostTS
	}
	s.seq++
	m := Message{Channel: c.Param("channel"), Thread: c.Param("thread_ts"), Text: c.Param("text"), TS: fmt.Sprintf("1255000000.%06d", s.seq)}
	if raw := c.Param("metadata"); raw != "" {
		_ = json.Unmarshal([]byte(raw), &m.Metadata)
	} else if meta, ok := c.JSON["metadata"]; ok {
		b, _ := json.Marshal(meta)
		_ = json.Unmarshal(b, &m.Metadata)
	}
	s.messages = append(s.messages, m)
	return m.TS
}

// Messages returns the messages the double holds in channel, oldest
// first (see KeepMessages).
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Channel == channel {
			out = append(out, m)
		}
	}
	return out
}

// A Fault is how the double fails one call; the zero Fault delivers.
type Fault struct {
	Status     int           // an HTTP error status (503); with 429, Retry-After is sent
	RetryAfter int           // with 429: the Retry-After seconds
	SlackError string        // ok:false with this error code
	Stall      time.Duration // take the call, then answer only after this long
}

// Fails reports whether the call is refused (not taken) under f.
func (f Fault) Fails() bool { return f.Status != 0 || f.SlackError != "" }

// Write answers a refused call as f says and returns true; for a call
// that is taken it waits out the stall (or the client's giving up) and
// returns whether the caller should still answer (false: the client
// went away).
func (f Fault) Write(w http.ResponseWriter, r *http.Request) (answer bool) {
	switch {
	case f.Status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		w.WriteHeader(f.Status)
		return false
	case f.Status != 0:
		http.Error(w, "upstream trouble", f.Status)
		return false
	case f.SlackError != "":
		WriteError(w, f.SlackError)
		return false
	case f.Stall > 0:
		select {
		case <-time.After(f.Stall):
		case <-r.Context().Done():
			return false // the client gave up: the call stands, unanswered
		}
	}
	return true
}

// Fail makes method fail as rule says for its nth call (1-based); a zero
// Fault lets the double answer as usual. It replaces any answer On gave
// the method.
func (s *Server) Fail(method string, rule func(n int) Fault) {
	s.fail(method, func(_ Call, n int) Fault { return rule(n) })
}

// FailPosts makes chat.postMessage fail as rule says for the nth post to
// a channel (1-based, counted in each channel apart): for a Slack that
// fails some conversations and not others.
func (s *Server) FailPosts(rule func(channel string, n int) Fault) {
	var mu sync.Mutex
	counts := map[string]int{}
	s.fail("chat.postMessage", func(c Call, _ int) Fault {
		channel := c.Param("channel")
		mu.Lock()
		counts[channel]++
		n := counts[channel]
		mu.Unlock()
		return rule(channel, n)
	})
}

func (s *Server) fail(method string, rule func(Call, int) Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = rule
	delete(s.override, method)
}

// Always is a rule for Fail: every call fails with f.
func Always(f Fault) func(int) Fault { return func(int) Fault { return f } }

// First is a rule for Fail: the first n calls fail with f, the rest are
// answered as usual.
func First(n int, f Fault) func(int) Fault {
	return func(i int) Fault {
		if i <= n {
			return f
		}
		return Fault{}
	}
}

// Sign signs a request body as Slack signs Events API, slash command and
// interactivity requests, at time at.
func Sign(r *http.Request, body, secret string, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", Signature(secret, ts, body))
}

// Signature is Slack's v0 signature of body sent at timestamp ts.
func Signature(secret, ts, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// SignedRequest is a POST to url carrying body, signed now with secret.
func SignedRequest(url, contentType, body, secret string) *http.Request {
	r, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	r.Header.Set("Content-Type", contentType)
	Sign(r, body, secret, time.Now())
	return r
}

// FreeAddr is a loopback address free to listen on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
