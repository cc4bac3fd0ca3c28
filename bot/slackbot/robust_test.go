package slackbot

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/hiec/hiecbot/bot/store"
)

func TestRateLimitHonoured(t *testing.T) {
	f := newFixture(t)
	var (
		mu    sync.Mutex
		times []time.Time
	)
	f.api.On("chat.postMessage", func(w http.ResponseWriter, r *http.Request, n int) bool {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	})
	f.event(t, dmEvent("Ev0RATE", bidderUser, "When are detailed bids due?"))
	if qs := f.questions(t); len(qs) != 1 {
		t.Fatalf("logged %d questions before the answer was posted, want 1", len(qs))
	}
	f.settle()
	mu.Lock()
	defer mu.Unlock()
	if len(times) != 2 {
		t.Fatalf("%d attempts, want 2", len(times))
	}
	if gap := times[1].Sub(times[0]); gap < time.Second {
		t.Errorf("retried after %v, want at least Retry-After: 1s", gap)
	}
	if p := f.api.Calls("chat.postMessage"); len(p) != 2 || !strings.Contains(p[1].Form.Get("text"), "19 October 2009") {
		t.Errorf("posts %v", p)
	}
}

func TestServerErrorsRetried(t *testing.T) {
	tests := []struct {
		name     string
		fail     func(w http.ResponseWriter, r *http.Request)
		failures int
		wantPost bool
	}{
		{"503 then success", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }, 2, true},
		{"dropped connection then success", func(w http.ResponseWriter, r *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, 1, true},
		{"Slack internal_error then success", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":false,"error":"internal_error"}`)
		}, 1, true},
		{"500 every time", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }, 100, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.api.On("chat.postMessage", func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n <= tt.failures {
					tt.fail(w, r)
					return true
				}
				return false
			})
			f.event(t, dmEvent("Ev0FLAKY", bidderUser, "When are detailed bids due?"))
			f.settle()
			if qs := f.questions(t); len(qs) != 1 {
				t.Errorf("logged %d questions, want 1 whatever Slack does", len(qs))
			}
			n := len(f.api.Calls("chat.postMessage"))
			if tt.wantPost && n != tt.failures+1 {
				t.Errorf("%d attempts, want %d", n, tt.failures+1)
			}
			if !tt.wantPost {
				if n != 4 {
					t.Errorf("%d attempts, want 4 (1 + 3 retries)", n)
				}
				if !strings.Contains(f.logs.String(), "gave up after 4 attempts") {
					t.Errorf("the failure is not logged: %s", f.logs)
				}
			}
		})
	}
}

func TestPermanentErrorsNotRetried(t *testing.T) {
	f := newFixture(t)
	f.api.Fail("chat.postMessage", slacktest.Always(slacktest.Fault{SlackError: "channel_not_found"}))
	err := f.bot.Post(t.Context(), "C0GONE", "hello")
	if err == nil || !strings.Contains(err.Error(), "channel_not_found") {
		t.Errorf("Post = %v, want channel_not_found", err)
	}
	if n := len(f.api.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

// TestDeliveryFallsBackToDM: when the bot cannot post in the thread any
// more, the asker gets the NSG's answer in a DM.
func TestDeliveryFallsBackToDM(t *testing.T) {
	f := newFixture(t)
	f.event(t, mentionEvent("Ev0ASK", bidderUser, "<@U0HIECBOT> can a hospice join?", "1255000000.000900", ""))
	f.settle()
	f.api.On("chat.postMessage", func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.FormValue("channel") != "C0GENERAL" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":false,"error":"not_in_channel"}`)
		return true
	})
	f.command(t, staffUser, "answer Q-0001 Yes.")
	f.settle()
	posts := f.api.Calls("chat.postMessage")
	last := posts[len(posts)-1]
	if last.Form.Get("channel") != "D"+bidderUser || !strings.Contains(last.Form.Get("text"), "Yes.") {
		t.Errorf("last post %v", last.Form)
	}
}

func TestLogsHoldNoSecrets(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Slack.AppToken = "" })
	// Every Slack call fails, and the bot logs what it can.
	f.api.Fail("chat.postMessage", slacktest.Always(slacktest.Fault{Status: http.StatusBadGateway}))
	f.api.Fail("users.info", slacktest.Always(slacktest.Fault{SlackError: "invalid_auth"}))
	f.event(t, dmEvent("Ev0A", bidderUser, "When are detailed bids due?"))
	f.event(t, dmEvent("Ev0B", bidderUser, "Can a hospice join?"))
	f.do(t, "/slack/events", "application/json", `{"type":`)
	r := f.do(t, "/slack/events", "application/json", "{}")
	_ = r
	f.settle()
	// A bot that cannot start says so without the token.
	f.api.Fail("auth.test", slacktest.Always(slacktest.Fault{SlackError: "invalid_auth"}))
	err := f.bot.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("Run = %v, want invalid_auth", err)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "post answer failed") {
		t.Fatalf("expected failures in the log, got %s", logs)
	}
	for _, secret := range []string{testBotToken, testSigningSecret, "xoxb-", "HIECb0tT0ken"} {
		if strings.Contains(logs, secret) || strings.Contains(err.Error(), secret) {
			t.Errorf("a secret (%.8s…) reached the log or an error", secret)
		}
	}
}

// runBot starts b.Run and returns a function that stops it and returns
// Run's error.
func runBot(t *testing.T, b *Bot) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				err = errors.New("Run did not return within 10s of cancellation")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func TestRunHTTPShutsDownGracefully(t *testing.T) {
	f := newFixture(t)
	addr := make(chan net.Addr, 1)
	f.bot.onListen = func(a net.Addr) { addr <- a }
	// Slack is slow to take the answer: shutdown must wait for it.
	release := make(chan struct{})
	f.api.On("chat.postMessage", func(w http.ResponseWriter, r *http.Request, n int) bool {
		<-release
		return false
	})
	stop := runBot(t, f.bot)
	var base string
	select {
	case a := <-addr:
		base = "http://" + a.String()
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not listen")
	}
	if f.api.Wait(t, "auth.test", 1)[0].Token() != testBotToken {
		t.Error("auth.test without the bot token")
	}
	body := dmEvent("Ev0RUN", bidderUser, "When are detailed bids due?")
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/events", strings.NewReader(body))
	slacktest.Sign(req, body, testSigningSecret, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("event = %d", resp.StatusCode)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case err := <-stopped:
		t.Fatalf("Run returned (%v) with an answer still being posted", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if n := len(f.api.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d answers posted, want 1 before Run returned", n)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("still serving after Run returned")
	}
}

func TestRunHTTPAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f := newFixture(t, func(o *Options) { o.Slack.Listen = ln.Addr().String() })
	if err := f.bot.Run(t.Context()); err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("Run = %v, want an error naming the address", err)
	}
}

func TestNewChecksOptions(t *testing.T) {
	f := newFixture(t)
	good := Options{Slack: f.bot.slack, Desk: f.desk, Seen: f.store}
	tests := []struct {
		name string
		mod  func(o *Options)
		want string
	}{
		{"no desk", func(o *Options) { o.Desk = nil }, "Desk"},
		{"no ledger", func(o *Options) { o.Seen = nil }, "Seen"},
		{"no bot token", func(o *Options) { o.Slack.BotToken = "" }, "bot token"},
		{"no way in", func(o *Options) { o.Slack.SigningSecret = ""; o.Slack.AppToken = "" }, "signing secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.mod(&o)
			if _, err := New(o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error about %s", err, tt.want)
			}
		})
	}
	var _ Deduper = (*store.Store)(nil)
}
