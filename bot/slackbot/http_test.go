package slackbot

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/hiec/hiecbot/bot/store"
)

// blocksJSON decodes the blocks of a chat.postMessage call.
func blocksJSON(t *testing.T, c apiCall) []map[string]any {
	t.Helper()
	raw := c.Form.Get("blocks")
	if raw == "" {
		return nil
	}
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		t.Fatalf("blocks %q: %v", raw, err)
	}
	return blocks
}

func TestAskInEveryWay(t *testing.T) {
	tests := []struct {
		name       string
		send       func(t *testing.T, f *fixture) map[string]any
		channel    string
		thread     string
		via        string
		wantThread string
	}{
		{
			name: "direct message",
			send: func(t *testing.T, f *fixture) map[string]any {
				f.event(t, dmEvent("Ev0DM", bidderUser, "When are *detailed bids* due?"))
				return nil
			},
			channel: "D0" + bidderUser, via: dialogue.ViaDM,
		},
		{
			name: "mention at top level",
			send: func(t *testing.T, f *fixture) map[string]any {
				f.event(t, mentionEvent("Ev0MENTION", bidderUser, "<@U0HIECBOT> When are *detailed bids* due?", "1255000000.000500", ""))
				return nil
			},
			channel: "C0GENERAL", via: dialogue.ViaMention, wantThread: "1255000000.000500",
		},
		{
			name: "mention in a thread",
			send: func(t *testing.T, f *fixture) map[string]any {
				f.event(t, mentionEvent("Ev0THREAD", bidderUser, "<@U0HIECBOT|hiecbot>   When are *detailed bids* due?", "1255000000.000900", "1255000000.000100"))
				return nil
			},
			channel: "C0GENERAL", via: dialogue.ViaMention, wantThread: "1255000000.000100",
		},
		{
			name: "slash command",
			send: func(t *testing.T, f *fixture) map[string]any {
				return f.command(t, bidderUser, "ask When are *detailed bids* due?")
			},
			channel: "C0GENERAL", via: dialogue.ViaCommand,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			resp := tt.send(t, f)
			f.settle()
			qs := f.questions(t)
			if len(qs) != 1 {
				t.Fatalf("logged %d questions, want 1", len(qs))
			}
			q := qs[0]
			if q.Question != "When are *detailed bids* due?" || q.Via != tt.via || q.UserID != bidderUser || q.ChannelID != tt.channel || q.ThreadTS != tt.wantThread || q.Status != store.StatusAnswered {
				t.Errorf("logged %+v", q)
			}
			var text string
			var blocks []map[string]any
			switch {
			case resp != nil:
				if resp["response_type"] != "ephemeral" {
					t.Errorf("response_type = %v, want ephemeral: only the asker sees a /hiec ask", resp["response_type"])
				}
				text, _ = resp["text"].(string)
				raw, _ := json.Marshal(resp["blocks"])
				_ = json.Unmarshal(raw, &blocks)
				if n := len(f.api.Calls("chat.postMessage")); n != 0 {
					t.Errorf("%d chat.postMessage calls for a slash command, want the answer in the response", n)
				}
			case tt.via == dialogue.ViaMention:
				// A mention in a channel is answered to the asker alone.
				eph := f.api.Wait(t, "chat.postEphemeral", 1)
				if n := len(f.api.Calls("chat.postMessage")); n != 0 {
					t.Errorf("%d chat.postMessage calls for a mention; the channel must see nothing from the bot", n)
				}
				p := eph[0]
				if p.Form.Get("channel") != tt.channel || p.Form.Get("user") != bidderUser || p.Form.Get("thread_ts") != tt.wantThread {
					t.Errorf("ephemeral to %s/%s thread %q, want %s/%s thread %q", p.Form.Get("channel"), p.Form.Get("user"), p.Form.Get("thread_ts"), tt.channel, bidderUser, tt.wantThread)
				}
				text = p.Form.Get("text")
				blocks = blocksJSON(t, p)
				if !strings.Contains(text, mentionNote) || len(blocks) == 0 || !strings.Contains(mustJSON(blocks[len(blocks)-1]), "direct message") {
					t.Errorf("the answer to a mention lacks the confidentiality note: %q", text)
				}
				if len(blocks) > 0 {
					blocks = blocks[:len(blocks)-1]
				}
			default:
				if q.UserName != "Pat" {
					t.Errorf("user name = %q, want Pat from users.info", q.UserName)
				}
				posts := f.api.Wait(t, "chat.postMessage", 1)
				if len(posts) != 1 {
					t.Fatalf("%d posts, want 1", len(posts))
				}
				p := posts[0]
				if p.Form.Get("channel") != tt.channel || p.Form.Get("thread_ts") != tt.wantThread {
					t.Errorf("posted to %s thread %q, want %s thread %q", p.Form.Get("channel"), p.Form.Get("thread_ts"), tt.channel, tt.wantThread)
				}
				if p.Token() != testBotToken {
					t.Errorf("chat.postMessage token %q", p.Token())
				}
				text = p.Form.Get("text")
				blocks = blocksJSON(t, p)
			}
			if !strings.Contains(text, "Detailed bids are due on 19 October 2009.") {
				t.Errorf("fallback text lacks the passage: %q", text)
			}
			noQuestionID(t, "the answer", text+mustJSON(blocks))
			checkAnswerBlocks(t, blocks, q.ID)
		})
	}
}

// questionID matches an internal question id in what a bidder sees,
// button values included: a bidder can read those back from Slack.
var questionID = regexp.MustCompile(`(?i)\bQ-?\d{2,}`)

// noQuestionID fails when a text meant for a bidder shows a question id:
// ids are a sequence and would tell bidders how many questions others
// asked.
func noQuestionID(t *testing.T, what, text string) {
	t.Helper()
	if id := questionID.FindString(text); id != "" {
		t.Errorf("%s shows the internal id %s to a bidder:\n%s", what, id, text)
	}
}

// checkAnswerBlocks checks the Block Kit of a confident answer.
func checkAnswerBlocks(t *testing.T, blocks []map[string]any, id string) {
	t.Helper()
	if len(blocks) != 3 {
		t.Fatalf("%d blocks, want section, context, actions: %v", len(blocks), blocks)
	}
	sec := blocks[0]["text"].(map[string]any)["text"].(string)
	// The line that answers (the engine's highlight) is marked in bold.
	want := "*Guide, slide 17: Application process*\n> *Detailed bids are due on 19 October 2009.*\n> Shortlisted clusters present in November."
	if blocks[0]["type"] != "section" || sec != want {
		t.Errorf("section = %q, want %q", sec, want)
	}
	ctx, _ := json.Marshal(blocks[1])
	if blocks[1]["type"] != "context" || !strings.Contains(string(ctx), "Announcement of 11 May 2009, para 3") || strings.Contains(string(ctx), id) {
		t.Errorf("context = %s", ctx)
	}
	actions, _ := json.Marshal(blocks[2])
	for _, s := range []string{`"action_id":"hiec_helpful"`, `"action_id":"hiec_ask_nsg"`, `"Helpful"`, `"Ask the NSG"`} {
		if !strings.Contains(string(actions), s) {
			t.Errorf("actions %s lack %s", actions, s)
		}
	}
	// The buttons' value is an opaque reference only the bot resolves.
	for _, el := range blocks[2]["elements"].([]any) {
		v, _ := el.(map[string]any)["value"].(string)
		if got, ok := newRefCodec(testBotToken).decode(v); !ok || got != id || strings.Contains(v, id) {
			t.Errorf("button value %q resolves to %q, %v; want an opaque reference to %s", v, got, ok, id)
		}
	}
}

func TestNotCoveredGoesToNSG(t *testing.T) {
	f := newFixture(t)
	f.event(t, dmEvent("Ev0NOTCOVERED", bidderUser, "Can a hospice join a cluster? <!channel>"))
	f.settle()
	qs := f.questions(t)
	if len(qs) != 1 || qs[0].Status != store.StatusAwaiting || qs[0].Question != "Can a hospice join a cluster?" {
		t.Fatalf("logged %+v, want one awaiting question", qs)
	}
	posts := f.api.Wait(t, "chat.postMessage", 2)
	var reply, notice apiCall
	for _, p := range posts {
		switch p.Form.Get("channel") {
		case "D0" + bidderUser:
			reply = p
		case nsgChannel:
			notice = p
		}
	}
	if !strings.Contains(reply.Form.Get("text"), "clearly answers") || reply.Form.Get("blocks") != "" {
		t.Errorf("reply = %q blocks %q", reply.Form.Get("text"), reply.Form.Get("blocks"))
	}
	noQuestionID(t, "the not-covered reply", reply.Form.Get("text"))
	nt := notice.Form.Get("text")
	for _, s := range []string{qs[0].ID, "<@" + bidderUser + ">", "Can a hospice join a cluster?", "/hiec answer " + qs[0].ID} {
		if !strings.Contains(nt, s) {
			t.Errorf("NSG notice %q lacks %q", nt, s)
		}
	}
}

func TestSmallTalkAndEmptyAreNotLogged(t *testing.T) {
	f := newFixture(t)
	f.event(t, dmEvent("Ev0HELLO", bidderUser, "Hello there!"))
	f.event(t, mentionEvent("Ev0EMPTY", bidderUser, "<@U0HIECBOT>", "1255000000.000700", ""))
	f.settle()
	if qs := f.questions(t); len(qs) != 0 {
		t.Fatalf("logged %+v, want nothing", qs)
	}
	posts := append(f.api.Wait(t, "chat.postMessage", 1), f.api.Wait(t, "chat.postEphemeral", 1)...)
	for _, p := range posts {
		if p.Form.Get("channel") == nsgChannel {
			t.Errorf("small talk reached the NSG: %q", p.Form.Get("text"))
		}
	}
}

func TestIgnoredMessages(t *testing.T) {
	base := func(mod func(ev map[string]any)) string {
		ev := map[string]any{"type": "message", "channel_type": "im", "channel": "D0X", "user": bidderUser, "text": "When are bids due?", "ts": "1.2"}
		mod(ev)
		return mustJSON(map[string]any{"type": "event_callback", "event_id": "Ev0IGNORED", "event": ev,
			"authorizations": []map[string]any{{"user_id": "U0HIECBOT", "is_bot": true}}})
	}
	tests := []struct {
		name string
		body string
	}{
		{"another bot", base(func(ev map[string]any) { ev["bot_id"] = "B0OTHER" })},
		{"the bot itself", base(func(ev map[string]any) { ev["user"] = "U0HIECBOT" })},
		{"an edit", base(func(ev map[string]any) {
			ev["subtype"] = "message_changed"
			ev["message"] = map[string]any{"text": "When are bids due?"}
		})},
		{"an edited message", base(func(ev map[string]any) { ev["edited"] = map[string]any{"user": bidderUser, "ts": "1.3"} })},
		{"a bot_message", base(func(ev map[string]any) { ev["subtype"] = "bot_message"; delete(ev, "user") })},
		{"a channel join", base(func(ev map[string]any) { ev["subtype"] = "channel_join" })},
		{"a channel message", base(func(ev map[string]any) { ev["channel_type"] = "channel" })},
		{"a mention by a bot", mustJSON(map[string]any{"type": "event_callback", "event_id": "Ev0BOTMENTION",
			"event": map[string]any{"type": "app_mention", "channel": "C0GENERAL", "user": "U0OTHERBOT", "bot_id": "B0OTHER", "text": "<@U0HIECBOT> when are bids due?", "ts": "1.2"}})},
		{"an unsubscribed event", mustJSON(map[string]any{"type": "event_callback", "event_id": "Ev0OTHER",
			"event": map[string]any{"type": "user_change", "user": map[string]any{"id": bidderUser}}})},
		{"a messages tab opened", mustJSON(map[string]any{"type": "event_callback", "event_id": "Ev0TAB",
			"event": map[string]any{"type": "app_home_opened", "user": bidderUser, "tab": "messages"}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.event(t, tt.body)
			f.settle()
			if qs := f.questions(t); len(qs) != 0 {
				t.Errorf("logged %+v", qs)
			}
			if m := f.api.Methods(); len(m) != 0 {
				t.Errorf("called Slack: %v", m)
			}
		})
	}
}

func TestRetriedEventHandledOnce(t *testing.T) {
	f := newFixture(t)
	body := dmEvent("Ev0RETRY", bidderUser, "When are detailed bids due?")
	f.event(t, body)
	r := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(body))
	r.Header.Set("X-Slack-Retry-Num", "1")
	r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	slacktest.Sign(r, body, testSigningSecret, time.Now())
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("retry = %d", w.Code)
	}
	// A redelivery signed anew (not a replay): the event id dedupes it.
	r = httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(body))
	slacktest.Sign(r, body, testSigningSecret, time.Now().Add(2*time.Second))
	w = httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("redelivery = %d", w.Code)
	}
	f.settle()
	if qs := f.questions(t); len(qs) != 1 {
		t.Errorf("logged %d questions, want 1", len(qs))
	}
	if posts := f.api.Calls("chat.postMessage"); len(posts) != 1 {
		t.Errorf("%d answers posted, want 1", len(posts))
	}
}

func TestRequestChecks(t *testing.T) {
	valid := dmEvent("Ev0CHECK", bidderUser, "hello")
	now := time.Now()
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		sign   func(r *http.Request, body string)
		want   int
		reply  string
	}{
		{name: "valid", path: "/slack/events", body: valid, want: 200},
		{name: "no signature", path: "/slack/events", body: valid, sign: func(r *http.Request, body string) {
			r.Header.Set("X-Slack-Request-Timestamp", "1")
		}, want: 401},
		{name: "no timestamp", path: "/slack/events", body: valid, sign: func(r *http.Request, body string) {
			slacktest.Sign(r, body, testSigningSecret, now)
			r.Header.Del("X-Slack-Request-Timestamp")
		}, want: 401},
		{name: "wrong secret", path: "/slack/events", body: valid, sign: func(r *http.Request, body string) {
			slacktest.Sign(r, body, "0000000000000000000000000000000", now)
		}, want: 401},
		{name: "tampered body", path: "/slack/events", body: valid, sign: func(r *http.Request, body string) {
			slacktest.Sign(r, strings.Replace(body, "hello", "HELLO", 1), testSigningSecret, now)
		}, want: 401},
		{name: "garbage signature", path: "/slack/events", body: valid, sign: func(r *http.Request, body string) {
			slacktest.Sign(r, body, testSigningSecret, now)
			r.Header.Set("X-Slack-Signature", "v0=zz")
		}, want: 401},
		{name: "other version", path: "/slack/events", body: valid, sign: func(r *http.Request, body string) {
			slacktest.Sign(r, body, testSigningSecret, now)
			r.Header.Set("X-Slack-Signature", "v1="+strings.TrimPrefix(r.Header.Get("X-Slack-Signature"), "v0="))
		}, want: 401},
		{name: "timestamp 6 minutes old", path: "/slack/events", body: valid, sign: func(r *http.Request, body string) {
			slacktest.Sign(r, body, testSigningSecret, now.Add(-6*time.Minute))
		}, want: 401},
		{name: "timestamp 6 minutes ahead", path: "/slack/events", body: valid, sign: func(r *http.Request, body string) {
			slacktest.Sign(r, body, testSigningSecret, now.Add(6*time.Minute))
		}, want: 401},
		{name: "timestamp not a number", path: "/slack/events", body: valid, sign: func(r *http.Request, body string) {
			slacktest.Sign(r, body, testSigningSecret, now)
			r.Header.Set("X-Slack-Request-Timestamp", "soon")
		}, want: 401},
		{name: "body over 1 MiB", path: "/slack/events", body: `{"type":"event_callback","pad":"` + strings.Repeat("x", 1<<20) + `"}`, want: 413},
		{name: "not JSON", path: "/slack/events", body: `{"type":`, want: 400},
		{name: "no type", path: "/slack/events", body: `{"event_id":"Ev1"}`, want: 400},
		{name: "event without id", path: "/slack/events", body: `{"type":"event_callback","event":{"type":"message"}}`, want: 400},
		{name: "event of the wrong shape", path: "/slack/events", body: `{"type":"event_callback","event_id":"Ev1","event":{"type":"message","text":7}}`, want: 400},
		{name: "url_verification", path: "/slack/events", body: `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`, want: 200, reply: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"},
		{name: "url_verification without challenge", path: "/slack/events", body: `{"type":"url_verification"}`, want: 400},
		{name: "command not a form", path: "/slack/commands", body: "user_id=%zz", want: 400},
		{name: "command without user", path: "/slack/commands", body: "command=%2Fhiec&text=help", want: 400},
		{name: "command unsigned", path: "/slack/commands", body: "command=%2Fhiec&text=help&user_id=U1", sign: func(*http.Request, string) {}, want: 401},
		{name: "interaction without payload", path: "/slack/interactivity", body: "foo=bar", want: 400},
		{name: "interaction payload not JSON", path: "/slack/interactivity", body: "payload=%7Bnope", want: 400},
		{name: "interaction too big", path: "/slack/interactivity", body: "payload=" + strings.Repeat("a", 1<<20+1), want: 413},
		{name: "GET events", method: http.MethodGet, path: "/slack/events", want: 405},
		{name: "health", method: http.MethodGet, path: "/healthz", want: 200, reply: "ok\n", sign: func(*http.Request, string) {}},
	}
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			r := httptest.NewRequest(method, tt.path, strings.NewReader(tt.body))
			if tt.sign != nil {
				tt.sign(r, tt.body)
			} else {
				slacktest.Sign(r, tt.body, testSigningSecret, now)
			}
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("%s %s = %d %q, want %d", method, tt.path, w.Code, w.Body.String(), tt.want)
			}
			if tt.reply != "" && w.Body.String() != tt.reply {
				t.Errorf("body = %q, want %q", w.Body.String(), tt.reply)
			}
		})
	}
}

// Slack's documented example of a signed request
// (https://api.slack.com/authentication/verifying-requests-from-slack).
const (
	docSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	docTimestamp = 1531420618
	docBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

// TestDocumentedSignature checks Slack's own example against the
// verifier, on a fake clock (a synctest bubble) set to the example's
// time: accepted then, and by the whole handler; refused five minutes
// and a second later.
func TestDocumentedSignature(t *testing.T) {
	f := newFixture(t) // docSecret is the fixture's signing secret
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", "1531420618")
	h.Set("X-Slack-Signature", docSignature)
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(time.Unix(docTimestamp, 0)))
		if err := verifySignature(h, []byte(docBody), docSecret); err != nil {
			t.Fatalf("documented example refused at its own time: %v", err)
		}
		if err := verifySignature(h, []byte(docBody+"&x=1"), docSecret); err == nil {
			t.Error("a changed body was accepted")
		}
		r := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(docBody))
		r.Header = h.Clone()
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ephemeral") {
			t.Errorf("handler = %d %q, want 200 with the (ephemeral) help", w.Code, w.Body.String())
		}
		time.Sleep(5*time.Minute + time.Second)
		if err := verifySignature(h, []byte(docBody), docSecret); err == nil {
			t.Error("documented example accepted five minutes after its time")
		}
	})
}

func TestNSGCommandsRefusedToBidders(t *testing.T) {
	f := newFixture(t)
	secret := "Is the Riverside bid over budget?"
	f.event(t, dmEvent("Ev0SECRET", "U0OTHER", secret))
	f.settle()
	for _, line := range []string{"questions", "questions all", "show Q-0001", "answer Q-0001 yes", "publish Q-0001", "export csv"} {
		resp := f.command(t, bidderUser, line)
		text, _ := resp["text"].(string)
		if resp["response_type"] != "ephemeral" || !strings.Contains(text, "National Steering Group") {
			t.Errorf("%q: response %v, want an ephemeral refusal", line, resp)
		}
		for _, leak := range []string{"Riverside", "U0OTHER", "hospice"} {
			if strings.Contains(text, leak) {
				t.Errorf("%q: refusal reveals %q: %q", line, leak, text)
			}
		}
	}
	f.settle()
	q, err := f.store.Get("Q-0001")
	if err != nil {
		t.Fatal(err)
	}
	if q.Status != store.StatusAwaiting || q.NSGAnswer != "" {
		t.Errorf("a bidder changed the question: %+v", q)
	}
	for _, m := range []string{"files.getUploadURLExternal", "conversations.open"} {
		if n := len(f.api.Calls(m)); n != 0 {
			t.Errorf("%d calls to %s", n, m)
		}
	}
	for _, p := range f.api.Calls("chat.postMessage") {
		if p.Form.Get("channel") == bidderChannel {
			t.Errorf("something was published: %q", p.Form.Get("text"))
		}
	}
}

func TestExportUploadedToStaffDM(t *testing.T) {
	f := newFixture(t)
	f.event(t, dmEvent("Ev0Q1", bidderUser, "Can a hospice join a cluster?"))
	f.settle()
	resp := f.command(t, staffUser, "export csv")
	if resp["response_type"] != "ephemeral" || !strings.Contains(resp["text"].(string), "direct message") {
		t.Errorf("response %v", resp)
	}
	f.settle()
	open := f.api.Wait(t, "conversations.open", 1)
	if open[0].Form.Get("users") != staffUser {
		t.Errorf("opened a DM with %q, want %s", open[0].Form.Get("users"), staffUser)
	}
	get := f.api.Wait(t, "files.getUploadURLExternal", 1)[0]
	up := f.api.Wait(t, "upload", 1)[0]
	done := f.api.Wait(t, "files.completeUploadExternal", 1)[0]
	if name := get.Form.Get("filename"); !strings.HasPrefix(name, "hiec-questions-") || !strings.HasSuffix(name, ".csv") {
		t.Errorf("filename %q", name)
	}
	if !strings.Contains(string(up.Body), "Can a hospice join a cluster?") {
		t.Errorf("uploaded %q, want the CSV", up.Body)
	}
	if up.Token() != testBotToken {
		t.Errorf("upload token %q", up.Token())
	}
	if done.Form.Get("channel_id") != "D"+staffUser || !strings.Contains(done.Form.Get("files"), "F0EXPORT") {
		t.Errorf("completed with %v", done.Form)
	}
}

// TestNSGAnswerDelivered: however a bidder asked, the NSG's answer
// reaches them by DM and nowhere else: never the channel or the thread
// they asked in.
func TestNSGAnswerDelivered(t *testing.T) {
	tests := []struct {
		name string
		ask  func(t *testing.T, f *fixture)
	}{
		{"mention in a thread", func(t *testing.T, f *fixture) {
			f.event(t, mentionEvent("Ev0ASK", bidderUser, "<@U0HIECBOT> can a hospice join a cluster?", "1255000000.000900", "1255000000.000100"))
		}},
		{"direct message", func(t *testing.T, f *fixture) {
			f.event(t, dmEvent("Ev0ASK", bidderUser, "can a hospice join a cluster?"))
		}},
		{"slash command", func(t *testing.T, f *fixture) {
			f.command(t, bidderUser, "ask can a hospice join a cluster?")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.ask(t, f)
			f.settle()
			before := len(f.api.Calls("chat.postMessage"))
			resp := f.command(t, staffUser, "answer Q-0001 Yes: a hospice may join as a partner & be funded.")
			if resp["response_type"] != "ephemeral" || !strings.Contains(resp["text"].(string), "Answered Q-0001") {
				t.Fatalf("answer response %v", resp)
			}
			f.settle()
			posts := f.api.Wait(t, "chat.postMessage", before+1)
			if len(posts) != before+1 {
				t.Errorf("%d posts after the answer, want 1 (the DM)", len(posts)-before)
			}
			p := posts[len(posts)-1]
			if p.Form.Get("channel") != "D"+bidderUser || p.Form.Get("thread_ts") != "" {
				t.Errorf("delivered to %s thread %q, want the asker's DM D%s", p.Form.Get("channel"), p.Form.Get("thread_ts"), bidderUser)
			}
			if open := f.api.Calls("conversations.open"); len(open) == 0 || open[len(open)-1].Form.Get("users") != bidderUser {
				t.Errorf("conversations.open %v, want a DM with the asker", open)
			}
			text := p.Form.Get("text")
			if !strings.Contains(text, "a hospice may join as a partner &amp; be funded.") || !strings.Contains(text, "for you alone") {
				t.Errorf("delivery %q", text)
			}
			noQuestionID(t, "the delivered answer", text)
			for _, c := range f.api.Calls("chat.postMessage") {
				if c.Form.Get("channel") == "C0GENERAL" {
					t.Errorf("posted in the channel the bidder asked in: %q", c.Form.Get("text"))
				}
			}
		})
	}
}

func TestPublishIsAnonymous(t *testing.T) {
	f := newFixture(t)
	f.event(t, mentionEvent("Ev0ASK", bidderUser, "<@U0HIECBOT> can a hospice join a cluster?", "1255000000.000900", ""))
	f.settle()
	f.command(t, staffUser, "answer Q-0001 Yes, as a partner.")
	resp := f.command(t, staffUser, "publish Q-0001 as is")
	if !strings.Contains(resp["text"].(string), "Published Q-0001 as clarification C-001") {
		t.Fatalf("publish response %v", resp)
	}
	f.settle()
	var pub *apiCall
	for _, p := range f.api.Calls("chat.postMessage") {
		if p.Form.Get("channel") == bidderChannel {
			pub = &p
		}
	}
	if pub == nil {
		t.Fatalf("nothing posted to %s: %v", bidderChannel, f.api.Methods())
	}
	text := pub.Form.Get("text")
	if !strings.Contains(text, "can a hospice join a cluster?") || !strings.Contains(text, "Yes, as a partner.") {
		t.Errorf("clarification %q", text)
	}
	for _, who := range []string{bidderUser, "Pat", "bidder-", "C0GENERAL", "<@", "1255000000", "Q-0001"} {
		if strings.Contains(text, who) || strings.Contains(pub.Form.Get("blocks"), who) {
			t.Errorf("clarification names the asker (%q): %q", who, text)
		}
	}
}

func TestButtons(t *testing.T) {
	press := func(t *testing.T, f *fixture, user, action, id string) {
		t.Helper()
		payload := mustJSON(map[string]any{
			"type": "block_actions", "user": map[string]any{"id": user, "name": "someone"}, "team": map[string]any{"id": "T0HIEC"},
			"channel": map[string]any{"id": "D0" + bidderUser}, "response_url": f.api.ResponseURL("button"),
			"actions": []map[string]any{{"type": "button", "block_id": answerBlockID, "action_id": action, "value": id, "action_ts": "1.1"}},
		})
		w := f.do(t, "/slack/interactivity", "application/x-www-form-urlencoded", url.Values{"payload": {payload}}.Encode())
		if w.Code != http.StatusOK {
			t.Fatalf("interaction = %d %q", w.Code, w.Body.String())
		}
	}
	responses := func(f *fixture) []string {
		var out []string
		for _, c := range f.api.Calls("response") {
			if c.JSON["response_type"] != "ephemeral" || c.JSON["replace_original"] != false {
				out = append(out, "NOT EPHEMERAL")
			}
			out = append(out, c.JSON["text"].(string))
		}
		return out
	}
	f := newFixture(t)
	f.event(t, dmEvent("Ev0ASK", bidderUser, "When are detailed bids due?"))
	f.settle()

	press(t, f, bidderUser, actionHelpful, "Q-0001")
	f.settle()
	if q, _ := f.store.Get("Q-0001"); q.Feedback != store.FeedbackHelpful {
		t.Errorf("feedback = %q, want helpful", q.Feedback)
	}
	if r := responses(f); len(r) != 1 || !strings.Contains(r[0], "Thanks for the feedback") {
		t.Errorf("responses %q", r)
	}

	press(t, f, "U0SOMEONEELSE", actionAskNSG, "Q-0001")
	f.settle()
	if q, _ := f.store.Get("Q-0001"); q.Status != store.StatusAnswered {
		t.Errorf("someone else escalated the question: %s", q.Status)
	}

	press(t, f, bidderUser, actionAskNSG, "Q-0001")
	f.settle()
	if q, _ := f.store.Get("Q-0001"); q.Status != store.StatusAwaiting {
		t.Errorf("status = %s after Ask the NSG, want awaiting", q.Status)
	}
	var noticed bool
	for _, p := range f.api.Calls("chat.postMessage") {
		noticed = noticed || (p.Form.Get("channel") == nsgChannel && strings.Contains(p.Form.Get("text"), "Q-0001"))
	}
	if !noticed {
		t.Error("the NSG was not told")
	}

	press(t, f, bidderUser, actionAskNSG, "Q-0099")
	f.settle()
	r := responses(f)
	if len(r) != 4 || r[1] != r[3] || !strings.Contains(r[1], "could not find that question") || !strings.Contains(r[2], "gone to the National Steering Group") || !strings.Contains(r[3], "could not find that question") {
		t.Errorf("responses %q", r)
	}
}

func TestAppHome(t *testing.T) {
	for _, tt := range []struct {
		user      string
		wantStaff bool
	}{{bidderUser, false}, {staffUser, true}} {
		t.Run(tt.user, func(t *testing.T) {
			f := newFixture(t)
			f.event(t, dmEvent("Ev0Q", "U0OTHER", "Can a hospice join a cluster?"))
			f.event(t, mustJSON(map[string]any{"type": "event_callback", "event_id": "Ev0HOME",
				"event": map[string]any{"type": "app_home_opened", "user": tt.user, "channel": "D0" + tt.user, "tab": "home"}}))
			f.settle()
			c := f.api.Wait(t, "views.publish", 1)[0]
			if c.JSON["user_id"] != tt.user {
				t.Errorf("published for %v", c.JSON["user_id"])
			}
			view, _ := json.Marshal(c.JSON["view"])
			s := string(view)
			for _, want := range []string{`"type":"home"`, "How to ask", "/hiec ask", "Deadlines", "(in 12 days)"} {
				if !strings.Contains(s, want) {
					t.Errorf("view lacks %q: %s", want, s)
				}
			}
			if got := strings.Contains(s, "1 question awaits an NSG answer"); got != tt.wantStaff {
				t.Errorf("shows the awaiting count: %v, want %v: %s", got, tt.wantStaff, s)
			}
		})
	}
}

func TestPost(t *testing.T) {
	f := newFixture(t)
	if err := f.bot.Post(t.Context(), bidderChannel, "Detailed bids are due in 7 days."); err != nil {
		t.Fatal(err)
	}
	p := f.api.Wait(t, "chat.postMessage", 1)[0]
	if p.Form.Get("channel") != bidderChannel || p.Form.Get("text") != "Detailed bids are due in 7 days." {
		t.Errorf("posted %v", p.Form)
	}
	if err := f.bot.Post(t.Context(), "", "x"); err == nil {
		t.Error("Post without a channel succeeded")
	}
}
