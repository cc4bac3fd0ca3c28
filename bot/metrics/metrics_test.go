package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/fakes"
	"github.com/hiec/hiecbot/bot/store"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

// flaky is a Store whose writability the test sets.
type flaky struct {
	*store.Store
	err error
}

func (f *flaky) Writable() error { return f.err }

func TestReadiness(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := New()
	s := &flaky{Store: st}
	m.Watch(s)
	h := m.Handler()
	if code, body := get(t, h, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get(t, h, "/readyz"); code != 503 || !strings.Contains(body, "auth.test") {
		t.Errorf("/readyz before auth.test = %d %q, want 503 saying why", code, body)
	}
	m.Connected()
	if code, body := get(t, h, "/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("/readyz once connected = %d %q", code, body)
	}
	s.err = errors.New("question log q.db is not writable: no space left on device")
	m.probe.at = time.Time{} // the next check probes again
	if code, body := get(t, h, "/readyz"); code != 503 || !strings.Contains(body, "no space left") {
		t.Errorf("/readyz with an unwritable store = %d %q, want 503", code, body)
	}
}

func TestMetricsExposed(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := New()
	m.Watch(st)
	log := m.CountLog(st)
	if _, ok := log.(dialogue.Watched); !ok {
		t.Error("CountLog of a store is not dialogue.Watched: the Desk would scan every awaiting question for each new one")
	}
	ctx := context.Background()
	for _, q := range []*store.Question{
		{UserID: "U1", Via: "dm", Question: "a", Status: store.StatusAnswered},
		{UserID: "U2", Via: "dm", Question: "b", Status: store.StatusAwaiting},
		{UserID: "U3", Via: "mention", Question: "c", Status: store.StatusAwaiting},
	} {
		if err := log.Log(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if first, err := log.LogOnce(ctx, "Ev1", &store.Question{UserID: "U4", Via: "command", Question: "d", Status: store.StatusAnswered}); err != nil || !first {
		t.Fatal(first, err)
	}
	if first, _ := log.LogOnce(ctx, "Ev1", &store.Question{UserID: "U4", Via: "command", Question: "d", Status: store.StatusAnswered}); first {
		t.Fatal("a repeated event was logged again")
	}
	for _, c := range []bool{true, true, false} {
		if _, err := m.TimeEngine(&fakes.Engine{Confident: c, Delay: 2 * time.Millisecond}).Answer("q"); err != nil {
			t.Fatal(err)
		}
	}
	m.SlackAPIError("chat.postMessage")
	m.SlackAPIError("chat.postMessage")
	m.SlackAPIError("auth.test")
	m.ReminderSent()
	// The outbox: two messages queued, one retried twice then given up on.
	msgs, err := st.Enqueue(ctx, store.Message{Kind: "post", Channel: "C1", Text: "one"}, store.Message{Kind: "post", Channel: "C2", Text: "two"})
	if err != nil || len(msgs) != 2 {
		t.Fatalf("enqueue: %v %v", msgs, err)
	}
	ob := m.CountOutbox(st)
	for range 2 {
		if err := ob.Retry(msgs[0].ID, time.Now(), errors.New("503")); err != nil {
			t.Fatal(err)
		}
	}
	if err := ob.MarkFailed(msgs[0].ID, errors.New("channel_not_found"), nil); err != nil {
		t.Fatal(err)
	}

	code, body := get(t, m.Handler(), "/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		`hiecbot_questions_asked_total{status="answered",via="dm"} 1`,
		`hiecbot_questions_asked_total{status="awaiting",via="dm"} 1`,
		`hiecbot_questions_asked_total{status="awaiting",via="mention"} 1`,
		`hiecbot_questions_asked_total{status="answered",via="command"} 1`,
		`hiecbot_questions{status="awaiting"} 2`,
		`hiecbot_questions{status="published"} 0`,
		`hiecbot_answers_total{confident="true"} 2`,
		`hiecbot_answers_total{confident="false"} 1`,
		`hiecbot_answer_duration_seconds_count 3`,
		`hiecbot_answer_duration_seconds_bucket{le="0.001"} 0`, // each answer took 2 ms
		`hiecbot_slack_api_errors_total{method="chat.postMessage"} 2`,
		`hiecbot_slack_api_errors_total{method="auth.test"} 1`,
		`hiecbot_reminders_sent_total 1`,
		`hiecbot_outbox_backlog 1`,
		`hiecbot_outbox_failures_total{kind="retry"} 2`,
		`hiecbot_outbox_failures_total{kind="permanent"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want+"\n") && !strings.Contains(body, want+" ") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestServe(t *testing.T) {
	m := New()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx, "127.0.0.1:0", func(a string) { addr <- a }) }()
	a := <-addr
	resp, err := http.Get("http://" + a + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(body), "not ready") {
		t.Errorf("/readyz = %d %q", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
	if err := New().Serve(context.Background(), "not-an-address", nil); err == nil || !strings.Contains(err.Error(), "metrics.listen") {
		t.Errorf("bad address: %v", err)
	}
}
