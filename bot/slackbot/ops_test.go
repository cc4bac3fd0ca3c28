package slackbot

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// observer records what the Bot tells its Observer.
type observer struct {
	mu        sync.Mutex
	connected int
	errors    map[string]int
}

func (o *observer) Connected() { o.mu.Lock(); o.connected++; o.mu.Unlock() }
func (o *observer) SlackAPIError(method string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.errors == nil {
		o.errors = map[string]int{}
	}
	o.errors[method]++
}

// TestRunTellsBadTokenFromUnreachableAPI: auth.test refusing the token
// and an API that cannot be reached are different errors that say what
// to do, neither reports the bot connected, and each failed attempt is
// counted by method.
func TestRunTellsBadTokenFromUnreachableAPI(t *testing.T) {
	t.Run("bad token", func(t *testing.T) {
		obs := &observer{}
		f := newFixture(t, func(o *Options) { o.Observer = obs })
		f.api.On("auth.test", func(w http.ResponseWriter, _ *http.Request, _ int) bool {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
			return true
		})
		err := f.bot.Run(context.Background())
		if !errors.Is(err, ErrBadToken) || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") || errors.Is(err, ErrUnreachable) {
			t.Errorf("err = %v, want ErrBadToken naming SLACK_BOT_TOKEN", err)
		}
		if obs.connected != 0 || obs.errors["auth.test"] != 1 {
			t.Errorf("observer: connected %d, errors %v; want 0 and one auth.test error", obs.connected, obs.errors)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		dead := "http://" + ln.Addr().String() + "/api/"
		ln.Close() // nothing listens there now
		obs := &observer{}
		f := newFixture(t, func(o *Options) { o.Observer = obs; o.Slack.APIURL = dead })
		err = f.bot.Run(context.Background())
		if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrBadToken) || !strings.Contains(err.Error(), dead) {
			t.Errorf("err = %v, want ErrUnreachable naming %s", err, dead)
		}
		if obs.connected != 0 || obs.errors["auth.test"] != 4 {
			t.Errorf("observer: connected %d, errors %v; want 0 and four auth.test attempts", obs.connected, obs.errors)
		}
	})
}

// TestOpsHandlerBesideSlackEndpoints: in HTTP mode the Ops handler
// answers /metrics, /healthz and /readyz on the Slack listener, and the
// Observer learns of the connection before events are served.
func TestOpsHandlerBesideSlackEndpoints(t *testing.T) {
	obs := &observer{}
	ops := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ops "+r.URL.Path) })
	f := newFixture(t, func(o *Options) { o.Observer = obs; o.Ops = ops })
	addr := make(chan net.Addr, 1)
	f.bot.onListen = func(a net.Addr) { addr <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.bot.Run(ctx) }()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a.String()
	case err := <-done:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("not listening")
	}
	obs.mu.Lock()
	connected := obs.connected
	obs.mu.Unlock()
	if connected != 1 {
		t.Errorf("Connected called %d times before listening, want 1", connected)
	}
	for _, p := range []string{"/metrics", "/healthz", "/readyz"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "ops "+p {
			t.Errorf("GET %s = %q, want the ops handler", p, body)
		}
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequest("POST", "/slack/events", strings.NewReader("{}")))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("unsigned event = %d, want 401: the Slack endpoints are still there", rec.Code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
}
