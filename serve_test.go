package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/fakes"
	"github.com/hiec/hiecbot/bot/slackbot"
	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/hiec/hiecbot/bot/store"
)

// newSlack is the Slack double serve talks to: it opens every DM as D1,
// the channel the test's events come from.
func newSlack(t *testing.T) *slacktest.Server {
	api := slacktest.New(t)
	api.On("conversations.open", func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		slacktest.WriteOK(w, map[string]any{"channel": map[string]any{"id": "D1"}})
		return true
	})
	return api
}

// postForms waits for at least n chat.postMessage calls and returns their forms.
func postForms(t *testing.T, api *slacktest.Server, n int) []url.Values {
	t.Helper()
	var out []url.Values
	for _, c := range api.Wait(t, "chat.postMessage", n) {
		out = append(out, c.Form)
	}
	return out
}

// TestServeEndToEnd runs `hiecbot serve` over HTTP against a Slack double:
// a signed DM is answered, the NSG's command-line tools work on the store
// the running bot holds, an answer given there reaches the asker, and
// SIGTERM-style cancellation shuts the bot down cleanly.
func TestServeEndToEnd(t *testing.T) {
	api := newSlack(t)
	dir, err := os.MkdirTemp("", "hs") // short: the admin socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	addr := slacktest.FreeAddr(t)
	const secret = "test-signing-secret"
	cfg := fmt.Sprintf("storage:\n  path: q.db\nslack:\n  bot_token: xoxb-test\n  signing_secret: %s\n  listen: %q\n  api_url: %s/api/\nnsg:\n  staff: [UNSG]\n  channel: CNSG\nreminders:\n  channel: CBID\n", secret, addr, api.URL)
	if err := os.WriteFile(filepath.Join(dir, "hiecbot.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var logs fakes.SyncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--config", filepath.Join(dir, "hiecbot.yaml"), "serve"}, func(string) string { return "" }, strings.NewReader(""), io.Discard, &logs)
	}()
	waitHealthy(t, "http://"+addr+"/healthz")

	body := `{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"message","channel_type":"im","channel":"D1","user":"UBID","text":"Can our consortium recover VAT?","ts":"1.0"}}`
	for i := 0; i < 2; i++ { // Slack's retry of the same event
		req := slacktest.SignedRequest("http://"+addr+"/slack/events", "application/json", body, secret)
		if i > 0 {
			req.Header.Set("X-Slack-Retry-Num", "1")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("event %d: status %d", i, resp.StatusCode)
		}
	}
	posts := postForms(t, api, 2) // the reply to the bidder and the NSG notice
	channels := map[string]bool{}
	for _, p := range posts {
		channels[p.Get("channel")] = true
	}
	if !channels["D1"] || !channels["CNSG"] {
		t.Errorf("posts went to %v, want the DM and the NSG channel", channels)
	}

	// Operations: ready once auth.test succeeded, metrics counting the DM.
	if code, body := httpGet(t, "http://"+addr+"/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("/readyz = %d %q, want ready", code, body)
	}
	// The counters move just after the posts they go with: read them once
	// they are all there, or after 20 seconds (a loaded CI machine runs
	// every package at once; a pass costs no more than before).
	wants := []string{`hiecbot_questions_asked_total{status="awaiting",via="dm"} 1`, `hiecbot_questions{status="awaiting"} 1`, `hiecbot_answers_total{confident="false"} 1`, "hiecbot_outbox_backlog ", `hiecbot_outbox_failures_total{kind="permanent"} 0`}
	var metricsText string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, metricsText = httpGet(t, "http://"+addr+"/metrics")
		missing := false
		for _, want := range wants {
			missing = missing || !strings.Contains(metricsText, want)
		}
		if !missing || time.Now().After(deadline) {
			break
		}
	}
	for _, want := range wants {
		if !strings.Contains(metricsText, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if l := logs.String(); !strings.Contains(l, "hiecbot serving") || strings.Index(l, "hiecbot serving") < strings.Index(l, "connected to Slack") {
		t.Errorf("\"hiecbot serving\" is not logged after auth.test:\n%s", l)
	}

	// The NSG works the log while the bot holds the store file.
	r := hiecbot(t, dir, "", "questions", "list")
	if r.err != nil || !strings.Contains(r.stdout, "Q-0001") || strings.Contains(r.stdout, "Q-0002") {
		t.Fatalf("list while serving (a retried event must be logged once): %v\n%s", r.err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "questions", "answer", "Q-0001", "VAT depends on each partner's status."); r.err != nil {
		t.Fatalf("answer while serving: %v", r.err)
	}
	posts = postForms(t, api, 3)
	if last := posts[len(posts)-1]; last.Get("channel") != "D1" || !strings.Contains(last.Get("text")+last.Get("blocks"), "VAT depends") {
		t.Errorf("the NSG answer did not reach the asker: %v", last)
	}
	if r := hiecbot(t, dir, "", "ask", "--json", "Can a consortium recover VAT?"); strings.Contains(r.stdout, `"ref":"Q-0001"`) {
		t.Errorf("an unpublished NSG answer reached another asker: %v\n%s", r.err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "questions", "publish", "Q-0001", "--yes"); r.err != nil {
		t.Fatalf("publish while serving: %v", r.err)
	}
	backup := filepath.Join(dir, "backup.db")
	if r := hiecbot(t, dir, "", "backup", backup); r.err != nil || !strings.Contains(r.stdout, "from the running bot") {
		t.Errorf("hot backup while serving: %v\n%s", r.err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "store", "check"); r.err != nil || !strings.Contains(r.stdout, "sound") {
		t.Errorf("store check while serving: %v\n%s", r.err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "ask", "--json", "Can a consortium recover VAT?"); !strings.Contains(r.stdout, `"ref":"C-001"`) {
		t.Errorf("ask beside a running bot does not see the published clarification: %v\n%s", r.err, r.stdout)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(logs.String(), "xoxb-test") || strings.Contains(logs.String(), secret) {
		t.Errorf("a secret reached the log:\n%s", logs.String())
	}
	// The store is closed and whole: the command line opens it directly.
	if r := hiecbot(t, dir, "", "questions", "show", "Q-0001"); r.err != nil || !strings.Contains(r.stdout, "published") {
		t.Errorf("after shutdown: %v\n%s", r.err, r.stdout)
	}
	b, err := store.Open(backup, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if q, err := b.Get("Q-0001"); err != nil || q.Status != store.StatusPublished {
		t.Errorf("the hot backup holds %+v, %v", q, err)
	}
}

func waitHealthy(t *testing.T, u string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never became healthy", u)
}

type result struct {
	stdout, stderr string
	err            error
}

// hiecbot runs the command with the config in dir, as main does.
func hiecbot(t *testing.T, dir string, stdin string, args ...string) result {
	t.Helper()
	r := fakes.Run(t, run, dir, stdin, args...)
	return result{r.Stdout, r.Stderr, r.Err}
}

// TestServeRefusesUnservableSocket: when the admin socket cannot be
// served (here its path is too long), serve stops at start with a clear
// error rather than running without it.
func TestServeRefusesUnservableSocket(t *testing.T) {
	dir := t.TempDir()
	deep := filepath.Join(dir, strings.Repeat("x", 90))
	if err := os.MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := "storage:\n  path: " + filepath.Join(deep, "q.db") + "\nslack:\n  bot_token: xoxb-test\n  signing_secret: s\n  listen: 127.0.0.1:0\n  api_url: http://127.0.0.1:1/api/\n"
	if err := os.WriteFile(filepath.Join(dir, "hiecbot.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := hiecbot(t, dir, "", "serve")
	if r.err == nil || !strings.Contains(r.err.Error(), "admin socket") || !strings.Contains(r.err.Error(), "shorter path") {
		t.Errorf("serve with an unservable socket: %v", r.err)
	}
}

func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeBadToken: a token Slack refuses stops serve with an error
// that says so, and "serving" is never logged.
func TestServeBadToken(t *testing.T) {
	api := slacktest.New(t)
	api.RequireToken("xoxb-right")
	dir := t.TempDir()
	cfg := fmt.Sprintf("storage:\n  path: q.db\nslack:\n  bot_token: xoxb-wrong\n  signing_secret: s\n  listen: %q\n  api_url: %s/api/\n", slacktest.FreeAddr(t), api.URL)
	if err := os.WriteFile(filepath.Join(dir, "hiecbot.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs fakes.SyncBuffer
	err := run(context.Background(), []string{"--config", filepath.Join(dir, "hiecbot.yaml"), "serve"}, func(string) string { return "" }, strings.NewReader(""), io.Discard, &logs)
	if err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("err = %v, want the token refused", err)
	}
	if strings.Contains(logs.String(), "hiecbot serving") {
		t.Errorf("logged serving with a bad token:\n%s", logs.String())
	}
}

// TestServeSocketModeMetrics: in Socket Mode (the default) the metrics,
// health and readiness endpoints are served on metrics.listen, ready once
// auth.test has succeeded.
func TestServeSocketModeMetrics(t *testing.T) {
	api := slacktest.New(t)
	peers := api.ServeSocket(t)
	go func() {
		select {
		case p := <-peers:
			_ = p.Conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
		case <-time.After(15 * time.Second):
		}
	}()
	dir, err := os.MkdirTemp("", "hs") // short: the admin socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	metricsAddr := slacktest.FreeAddr(t)
	cfg := fmt.Sprintf("storage:\n  path: q.db\nslack:\n  bot_token: xoxb-test\n  app_token: xapp-test\n  api_url: %s/api/\nmetrics:\n  listen: %q\n", api.URL, metricsAddr)
	if err := os.WriteFile(filepath.Join(dir, "hiecbot.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs fakes.SyncBuffer
	served := make(chan error, 1)
	go func() {
		served <- run(ctx, []string{"--config", filepath.Join(dir, "hiecbot.yaml"), "serve"}, func(string) string { return "" }, strings.NewReader(""), io.Discard, &logs)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + metricsAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics.listen never became ready: %v\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := httpGet(t, "http://"+metricsAddr+"/metrics"); code != 200 || !strings.Contains(body, "hiecbot_questions{status=\"awaiting\"} 0") {
		t.Errorf("/metrics = %d:\n%.400s", code, body)
	}
	if code, _ := httpGet(t, "http://"+metricsAddr+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestServeSendsNothingBeforeNSGChannelCheck: a notice owed from before
// (queued in the outbox) is not posted while the NSG channel is still
// being checked, nor at all when the check refuses the channel: serve
// stops first, saying why.
func TestServeSendsNothingBeforeNSGChannelCheck(t *testing.T) {
	api := newSlack(t)
	api.SetChannel("CNSG", slacktest.Channel{Public: true, Members: []string{slacktest.BotUserID, "UNSG"}})
	api.On("conversations.info", func(w http.ResponseWriter, r *http.Request, n int) bool {
		time.Sleep(time.Second) // a slow round trip
		return false
	})
	// The look in Slack for what was owed at start finds nothing, so
	// the notice would be posted at once.
	api.On("conversations.history", func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		slacktest.WriteOK(w, map[string]any{"messages": []any{}, "has_more": false})
		return true
	})
	dir := t.TempDir()
	cfg := fmt.Sprintf("storage:\n  path: q.db\nslack:\n  bot_token: xoxb-test\n  signing_secret: s\n  listen: %q\n  api_url: %s/api/\nnsg:\n  staff: [UNSG]\n  channel: CNSG\nreminders:\n  channel: CBID\n", slacktest.FreeAddr(t), api.URL)
	if err := os.WriteFile(filepath.Join(dir, "hiecbot.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(dir, "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Enqueue(context.Background(), store.Message{Kind: "nsg_notice", Channel: "CNSG", QuestionID: "Q-0001", Text: "Q-0001 from Acme Ltd (U123): Can our consortium recover VAT?"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	r := hiecbot(t, dir, "", "serve")
	if !errors.Is(r.err, slackbot.ErrNSGChannelOpen) {
		t.Errorf("serve with a public NSG channel = %v, want ErrNSGChannelOpen", r.err)
	}
	if calls := api.Calls("chat.postMessage"); len(calls) > 0 {
		t.Errorf("posted %d messages (the first to %s) though the NSG channel was refused", len(calls), calls[0].Form.Get("channel"))
	}
}
