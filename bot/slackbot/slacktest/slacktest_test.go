package slacktest

import (
	"bytes"
	"encoding/json"
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

// post calls chat.postMessage on s with form, through client, and returns
// the answer's status and body ("" when the client gave up).
func post(t *testing.T, client *http.Client, s *Server, form url.Values) (int, string) {
	t.Helper()
	resp, err := client.PostForm(s.APIURL()+"chat.postMessage", form)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// TestFailPostsByChannel: FailPosts counts the posts to each channel
// apart, KeepMessages keeps the posts taken (a stalled one too, even when
// the client gives up on it, but not a refused one), each with a ts of its
// own, and conversations.history and .replies show them with their
// metadata.
func TestFailPostsByChannel(t *testing.T) {
	s := New(t)
	s.KeepMessages()
	s.FailPosts(func(channel string, n int) Fault {
		switch {
		case channel == "C0DOWN" && n == 1:
			return Fault{Status: http.StatusServiceUnavailable}
		case channel == "C0SLOW" && n == 1:
			return Fault{Stall: time.Second}
		}
		return Fault{}
	})
	impatient := &http.Client{Timeout: 100 * time.Millisecond}
	meta := `{"event_type":"hiecbot_outbox","event_payload":{"id":"n1"}}`
	for _, tt := range []struct {
		channel, thread, text string
		wantStatus            int // 0: the client gave up
	}{
		{"C0OK", "", "first", 200},
		{"C0DOWN", "", "refused", 503},
		{"C0DOWN", "", "again", 200},
		{"C0SLOW", "", "stalled", 0},
		{"C0OK", "1255000000.000001", "in the thread", 200},
	} {
		form := url.Values{"channel": {tt.channel}, "text": {tt.text}, "metadata": {meta}}
		if tt.thread != "" {
			form.Set("thread_ts", tt.thread)
		}
		if status, body := post(t, impatient, s, form); status != tt.wantStatus {
			t.Errorf("post %q to %s = %d %s, want %d", tt.text, tt.channel, status, body, tt.wantStatus)
		}
	}
	texts := func(ms []Message) (out []string) {
		for _, m := range ms {
			out = append(out, m.Text)
		}
		return out
	}
	for channel, want := range map[string][]string{"C0OK": {"first", "in the thread"}, "C0DOWN": {"again"}, "C0SLOW": {"stalled"}} {
		if got := texts(s.Messages(channel)); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("Messages(%s) = %q, want %q", channel, got, want)
		}
	}
	ok := s.Messages("C0OK")
	if ok[0].TS == ok[1].TS || ok[0].Metadata.EventType != "hiecbot_outbox" || ok[0].Metadata.EventPayload["id"] != "n1" {
		t.Errorf("messages %+v: want distinct ts and the metadata as posted", ok)
	}
	for _, tt := range []struct{ method, ts, want string }{
		{"conversations.history", "", `"text":"in the thread"`},
		{"conversations.replies", "1255000000.000001", `"text":"in the thread"`},
	} {
		resp, err := http.PostForm(s.APIURL()+tt.method, url.Values{"channel": {"C0OK"}, "ts": {tt.ts}})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		body := b.String()
		if !strings.Contains(body, tt.want) || !strings.Contains(body, `"event_type":"hiecbot_outbox"`) {
			t.Errorf("%s = %s, want %s with its metadata", tt.method, body, tt.want)
		}
		if first := strings.Contains(body, `"text":"first"`); first != (tt.method == "conversations.history") {
			t.Errorf("%s = %s: the message outside the thread shown %v", tt.method, body, first)
		}
	}
	if a := s.Posts("C0DOWN"); len(a) != 2 || a[1].At.Before(a[0].At) || a[0].At.IsZero() {
		t.Errorf("calls to C0DOWN %+v, want both attempts with their arrival times", a)
	}
}

// TestGrantScopes: with scopes granted, a call needing another answers
// missing_scope as Slack does, naming the scope it needed; the kind of
// conversation decides which (a public channel's, a private one's, a
// DM's).
func TestGrantScopes(t *testing.T) {
	s := New(t)
	s.SetChannel("C0PUBLIC", Channel{Public: true})
	api := slack.New("xoxb-test", slack.OptionAPIURL(s.APIURL()))
	tests := []struct {
		name   string
		scopes []string
		call   func() error
		needed string // "" for ok
	}{
		{"post with chat:write", []string{"chat:write"}, func() error {
			_, _, err := api.PostMessage("C0PRIVATE", slack.MsgOptionText("hi", false))
			return err
		}, ""},
		{"post without chat:write", []string{"users:read"}, func() error {
			_, _, err := api.PostMessage("C0PRIVATE", slack.MsgOptionText("hi", false))
			return err
		}, "chat:write"},
		{"a private channel's info needs groups:read", []string{"channels:read"}, func() error {
			_, err := api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: "C0PRIVATE"})
			return err
		}, "groups:read"},
		{"a public channel's history needs channels:history", []string{"groups:history"}, func() error {
			_, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C0PUBLIC"})
			return err
		}, "channels:history"},
		{"a DM's history needs im:history", []string{"channels:history", "groups:history"}, func() error {
			_, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "D0BIDDER"})
			return err
		}, "im:history"},
		{"opening a DM needs im:write", []string{"chat:write"}, func() error {
			_, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U1"}})
			return err
		}, "im:write"},
		{"auth.test needs none", nil, func() error {
			_, err := api.AuthTest()
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.GrantScopes(tt.scopes...)
			err := tt.call()
			if tt.needed == "" {
				if err != nil {
					t.Fatalf("err = %v, want ok", err)
				}
				return
			}
			if err == nil || err.Error() != "missing_scope" {
				t.Fatalf("err = %v, want missing_scope", err)
			}
			calls := s.Calls(s.Methods()[len(s.Methods())-1])
			if got := s.NeededScope(calls[len(calls)-1]); got != tt.needed {
				t.Errorf("needed %q, want %q", got, tt.needed)
			}
		})
	}
	// The answer names the scope needed and those provided, as Slack's does.
	s.GrantScopes("users:read", "chat:write")
	resp, err := http.PostForm(s.APIURL()+"conversations.open", url.Values{"token": {"xoxb-test"}, "users": {"U1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		OK       bool   `json:"ok"`
		Error    string `json:"error"`
		Needed   string `json:"needed"`
		Provided string `json:"provided"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.OK || got.Error != "missing_scope" || got.Needed != "im:write" || got.Provided != "chat:write,users:read" {
		t.Errorf("answer %+v", got)
	}
}
