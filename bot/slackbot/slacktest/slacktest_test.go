package slacktest

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// TestSignVerifies: a request Sign signs passes slack-go's verifier, the
// one the bot uses, and fails it with another secret.
func TestSignVerifies(t *testing.T) {
	const body = `{"type":"url_verification"}`
	for _, tt := range []struct {
		name, secret string
		ok           bool
	}{{"same secret", "s3cret", true}, {"other secret", "other", false}} {
		t.Run(tt.name, func(t *testing.T) {
			r := SignedRequest("http://127.0.0.1/slack/events", "application/json", body, "s3cret")
			v, err := slack.NewSecretsVerifier(r.Header, tt.secret)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = v.Write([]byte(body))
			if err := v.Ensure(); (err == nil) != tt.ok {
				t.Errorf("Ensure = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// TestFaultRules: each fault answers as Slack does when it fails that
// way, the call is recorded, and First lets later calls through.
func TestFaultRules(t *testing.T) {
	tests := []struct {
		name       string
		fault      Fault
		wantStatus int
		wantHeader string // Retry-After
		wantBody   string
	}{
		{"5xx", Fault{Status: http.StatusServiceUnavailable}, 503, "", "upstream trouble"},
		{"429", Fault{Status: http.StatusTooManyRequests, RetryAfter: 3}, 429, "3", ""},
		{"ok:false", Fault{SlackError: "channel_not_found"}, 200, "", `"error":"channel_not_found"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(t)
			s.Fail("chat.postMessage", First(1, tt.fault))
			for i, want := range []struct {
				status int
				body   string
			}{{tt.wantStatus, tt.wantBody}, {200, `"ok":true`}} {
				resp, err := http.PostForm(s.APIURL()+"chat.postMessage", url.Values{"channel": {"C1"}, "text": {"hi"}})
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				_, _ = b.ReadFrom(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want.status || !strings.Contains(b.String(), want.body) {
					t.Errorf("call %d = %d %q, want %d containing %q", i+1, resp.StatusCode, b.String(), want.status, want.body)
				}
				if i == 0 && resp.Header.Get("Retry-After") != tt.wantHeader {
					t.Errorf("Retry-After = %q, want %q", resp.Header.Get("Retry-After"), tt.wantHeader)
				}
			}
			if got := s.Posts("C1"); len(got) != 2 || got[1].Param("text") != "hi" {
				t.Errorf("recorded %+v, want both calls", got)
			}
		})
	}
}

// TestStallAnswersLate: a stalled call is answered only after the stall.
func TestStallAnswersLate(t *testing.T) {
	s := New(t)
	s.Fail("chat.postMessage", Always(Fault{Stall: 150 * time.Millisecond}))
	start := time.Now()
	resp, err := http.PostForm(s.APIURL()+"chat.postMessage", url.Values{"channel": {"C1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(start); d < 150*time.Millisecond || resp.StatusCode != 200 {
		t.Errorf("answered %d after %v, want 200 after the 150ms stall", resp.StatusCode, d)
	}
}

// TestRequireToken: a call without the token is refused invalid_auth.
func TestRequireToken(t *testing.T) {
	s := New(t)
	s.RequireToken("xoxb-right")
	for _, tt := range []struct{ token, want string }{{"xoxb-wrong", `"error":"invalid_auth"`}, {"xoxb-right", `"ok":true`}} {
		resp, err := http.PostForm(s.APIURL()+"auth.test", url.Values{"token": {tt.token}})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("token %s: %s, want %s", tt.token, b.String(), tt.want)
		}
	}
}
