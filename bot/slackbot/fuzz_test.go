package slackbot

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
)

func FuzzStripMarkup(f *testing.F) {
	for _, s := range []string{
		"<@U0HIECBOT> when are bids due?", "<@U1|bob> <#C1|bids> <!here> <https://x.org|the guide> <https://x.org>",
		"&amp;lt; &lt;@U1&gt;", "<<@U1>>", "<", ">", "<@", "<!date^1|x>", "a\tb\n\nc", "\xff<@\xfe>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := StripMarkup(in)
		// What is left of Slack's markup can only come from a typed,
		// entity-encoded "<".
		if !strings.Contains(in, "&lt;") {
			for _, m := range []string{"<@", "<#", "<!", "<http", "<mailto"} {
				if strings.Contains(out, m) {
					t.Fatalf("StripMarkup(%q) = %q keeps %q", in, out, m)
				}
			}
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("StripMarkup(%q) = %q is not UTF-8", in, out)
		}
		if out != strings.TrimSpace(out) || strings.Contains(out, "  ") || strings.Contains(out, "\n\n") {
			t.Fatalf("StripMarkup(%q) = %q is not tidy", in, out)
		}
		if len(out) > len(in) {
			t.Fatalf("StripMarkup(%q) = %q grew", in, out)
		}
	})
}

// FuzzEventsHandler feeds arbitrary, validly signed bodies to every
// endpoint: the bot answers 2xx or 4xx, never 5xx, and never panics.
func FuzzEventsHandler(f *testing.F) {
	for _, s := range []string{
		dmEvent("Ev1", bidderUser, "When are detailed bids due?"),
		mentionEvent("Ev2", bidderUser, "<@U0HIECBOT> hello", "1.1", "1.0"),
		`{"type":"url_verification","challenge":"abc"}`,
		`{"type":"event_callback","event_id":"Ev3","event":{"type":"app_home_opened","user":"U1","tab":"home"}}`,
		`{"type":"event_callback","event_id":"Ev4","event":{"type":"message","channel_type":"im","user":"U1","channel":"D1","text":"<@U1|x> &amp;","edited":{}}}`,
		`{"type":"event_callback","event_id":"Ev5","event":null}`,
		`{"type":"event_callback","event_id":"Ev6","event":[1,2]}`,
		"command=%2Fhiec&text=ask+when+are+bids+due&user_id=U1&channel_id=C1",
		"command=%2Fhiec&text=export&user_id=" + staffUser,
		`payload={"type":"block_actions","user":{"id":"U1"},"actions":[{"block_id":"b","action_id":"hiec_helpful","value":"Q-1"}]}`,
		`payload={"type":"block_actions","actions":[{"action_id":"x"},7]}`,
		"", "{}", "null", "[]", `"x"`, "\x00\xff",
	} {
		f.Add(uint8(0), s)
		f.Add(uint8(1), s)
		f.Add(uint8(2), s)
	}
	fx := newFixture(f)
	fx.bot.retry = []time.Duration{}
	paths := []string{"/slack/events", "/slack/commands", "/slack/interactivity"}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		path := paths[int(which)%len(paths)]
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		slacktest.Sign(r, body, testSigningSecret, time.Now())
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, r)
		if w.Code >= 500 || w.Code < 200 {
			t.Fatalf("POST %s %q = %d %q", path, body, w.Code, w.Body.String())
		}
	})
}
