package slackbot

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/outbox"
	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/hiec/hiecbot/bot/store"
)

// TestOutboxUnderFaults sends answers through a Slack that fails in every
// way it does: a 5xx, a 429 with Retry-After, a stall past the client's
// timeout after the post was made, a retryable ok:false, and a permanent
// channel_not_found. Each answer arrives exactly once; the permanent
// failure is recorded and staff are told by DM.
func TestOutboxUnderFaults(t *testing.T) {
	f := newFixture(t, func(o *Options) {
		o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	})
	users := map[string]slacktest.Fault{ // the first attempt in each user's DM
		"U0FIVEXX": {Status: http.StatusServiceUnavailable},
		"U0LIMIT":  {Status: http.StatusTooManyRequests, RetryAfter: 1},
		"U0STALL":  {Stall: time.Second},
		"U0FLAKY":  {SlackError: "internal_error"},
		"U0GONE":   {SlackError: "channel_not_found"},
	}
	f.api.KeepMessages()
	f.api.FailPosts(func(channel string, attempt int) slacktest.Fault {
		flt, ok := users[strings.TrimPrefix(channel, "D0")]
		switch {
		case !ok:
			return slacktest.Fault{}
		case flt.SlackError == "channel_not_found":
			return flt // every time
		case attempt == 1:
			return flt
		}
		return slacktest.Fault{}
	})
	withOutbox(t, f, outbox.Options{Staff: []string{staffUser}})

	for u := range users {
		f.event(t, dmEvent("Ev0"+u, u, "When are detailed bids due?"))
	}
	for u := range users {
		if u == "U0GONE" {
			continue
		}
		waitFor(t, "the answer to "+u, func() bool { return len(f.api.Messages("D0"+u)) > 0 })
	}
	waitFor(t, "the failure to be recorded", func() bool {
		failed, _ := f.store.Outbox(store.OutboxFilter{Status: store.OutboxFailed})
		return len(failed) == 1
	})
	waitFor(t, "staff to be told", func() bool { return len(f.api.Messages("D"+staffUser)) == 1 })
	// Let any late retry show itself.
	time.Sleep(300 * time.Millisecond)

	for u := range users {
		posts := f.api.Messages("D0" + u)
		switch u {
		case "U0GONE":
			if len(posts) != 0 {
				t.Errorf("%s: %d posts to a channel that is not there", u, len(posts))
			}
		default:
			if len(posts) != 1 {
				t.Errorf("%s: answered %d times, want exactly once: %+v", u, len(posts), posts)
			}
		}
	}
	if a := f.api.Posts("D0U0LIMIT"); len(a) != 2 || a[1].At.Sub(a[0].At) < time.Second {
		t.Errorf("Retry-After not honoured: attempts at %v", a)
	}
	if a := f.api.Posts("D0U0STALL"); len(a) != 1 {
		t.Errorf("the stalled post was posted again (%d attempts) instead of being found in the history", len(a))
	}
	failed, _ := f.store.Outbox(store.OutboxFilter{Status: store.OutboxFailed})
	if len(failed) != 1 || !strings.Contains(failed[0].Error, "channel_not_found") || failed[0].Channel != "D0U0GONE" {
		t.Fatalf("failed = %+v", failed)
	}
	notice := f.api.Messages("D" + staffUser)[0].Text
	for _, want := range []string{failed[0].ID, "channel_not_found", failed[0].QuestionID} {
		if !strings.Contains(notice, want) {
			t.Errorf("staff notice %q does not name %s", notice, want)
		}
	}
	pending, _ := f.store.Pending()
	if len(pending) != 0 {
		t.Errorf("still pending: %+v", pending)
	}
}

// TestOutboxCarriesEveryMessage: NSG notices, NSG answer deliveries,
// clarifications, the asker's copy of a clarification and reminders go
// through the outbox too, each once.
func TestOutboxCarriesEveryMessage(t *testing.T) {
	f := newFixture(t)
	f.api.KeepMessages()
	withOutbox(t, f, outbox.Options{})
	f.event(t, dmEvent("Ev0NSG", bidderUser, "Can a hospice lead a bid?")) // not covered: the NSG is told
	waitFor(t, "the NSG notice", func() bool { return len(f.api.Messages(nsgChannel)) == 1 })
	id := f.questions(t)[0].ID
	if _, err := f.desk.AnswerQuestion(context.Background(), "nsg", id, "Yes, a hospice may lead."); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the delivery", func() bool {
		for _, p := range f.api.Messages("D" + bidderUser) {
			if strings.Contains(p.Text, "hospice may lead") {
				return true
			}
		}
		return false
	})
	if _, err := f.desk.PublishQuestion(context.Background(), "nsg", id, store.Wording{Question: "May a hospice lead a bid?", Answer: "Yes, a hospice may lead."}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the clarification", func() bool { return len(f.api.Messages(bidderChannel)) == 1 })
	for range 3 { // the scheduler firing the same reminder again
		if err := f.bot.PostOnce(context.Background(), "deadline|bids|7d", bidderChannel, "Detailed bids are due in 7 days."); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the reminder", func() bool { return len(f.api.Messages(bidderChannel)) == 2 })
	f.settle()
	time.Sleep(100 * time.Millisecond)
	if n := len(f.api.Messages(nsgChannel)); n != 1 {
		t.Errorf("%d NSG notices, want 1", n)
	}
	if n := len(f.api.Messages(bidderChannel)); n != 2 {
		t.Errorf("%d posts to the bidders' channel, want the clarification and one reminder", n)
	}
	sent, _ := f.store.Outbox(store.OutboxFilter{Status: store.OutboxSent})
	kinds := map[string]int{}
	for _, m := range sent {
		kinds[m.Kind]++
		if m.TS == "" {
			t.Errorf("%s sent without a Slack ts", m.ID)
		}
	}
	for _, k := range []string{"nsg_notice", "answer", "delivery", "clarification", "follower", "reminder"} {
		if kinds[k] != 1 {
			t.Errorf("%d %s messages sent, want 1 (%v)", kinds[k], k, kinds)
		}
	}
	// A greeting is not a question, but its reply is owed all the same.
	f.event(t, dmEvent("Ev0HELLO", "U0HELLO", "hello"))
	waitFor(t, "the reply to a greeting", func() bool { return len(f.api.Messages("D0U0HELLO")) == 1 })
	f.settle()
	time.Sleep(50 * time.Millisecond)
	if n := len(f.api.Messages("D0U0HELLO")); n != 1 {
		t.Errorf("greeting answered %d times, want once", n)
	}
	if a, d := f.api.Messages("D0"+bidderUser), f.api.Messages("D"+bidderUser); len(a) != 1 || len(d) != 2 {
		t.Errorf("%d answers where the asker asked and %d DMs (the delivery, the clarification), want 1 and 2", len(a), len(d))
	}
}

// TestExportQueuedAndUploaded: an export is queued with its file and
// uploaded by the sender; the staff member is told it is queued.
func TestExportQueuedAndUploaded(t *testing.T) {
	f := newFixture(t)
	f.api.KeepMessages()
	withOutbox(t, f, outbox.Options{})
	f.event(t, dmEvent("Ev0EXP", bidderUser, "When are detailed bids due?"))
	resp := f.command(t, staffUser, "export csv")
	if text, _ := resp["text"].(string); !strings.Contains(text, "queued (M-") {
		t.Errorf("export response %q does not say it is queued", text)
	}
	done := f.api.Wait(t, "files.completeUploadExternal", 1)
	if !strings.Contains(string(done[0].Body)+done[0].Form.Encode(), "M-") {
		t.Errorf("the upload's comment does not carry its outbox id: %s %v", done[0].Body, done[0].Form)
	}
	waitFor(t, "the export to be marked sent", func() bool {
		sent, _ := f.store.Outbox(store.OutboxFilter{Status: store.OutboxSent})
		for _, m := range sent {
			if m.Kind == "export" {
				return m.User == staffUser && m.File != nil && m.File.Name != ""
			}
		}
		return false
	})
}

// TestOutboxMetadataIsANonce: the metadata a bidder can read back from
// Slack marks each post with a random nonce of its own, never the outbox
// id (a counter: M-000123 would tell a bidder how many messages the bot
// has sent), and the nonce is what finds a post whose outcome is unknown.
func TestOutboxMetadataIsANonce(t *testing.T) {
	f := newFixture(t, func(o *Options) {
		o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	})
	f.api.KeepMessages()
	f.api.FailPosts(func(channel string, attempt int) slacktest.Fault {
		if channel == "D0U0STALL" && attempt == 1 {
			return slacktest.Fault{Stall: time.Second} // posted, but the answer is lost
		}
		return slacktest.Fault{}
	})
	withOutbox(t, f, outbox.Options{})
	users := []string{"U0ONE", "U0TWO", "U0STALL"}
	for _, u := range users {
		f.event(t, dmEvent("Ev0"+u, u, "When are detailed bids due?"))
	}
	for _, u := range users {
		waitFor(t, "the answer to "+u, func() bool { return len(f.api.Messages("D0"+u)) == 1 })
	}
	var sent []store.Message
	waitFor(t, "the answers to be marked sent", func() bool {
		sent, _ = f.store.Outbox(store.OutboxFilter{Status: store.OutboxSent})
		return len(sent) == len(users)
	})
	nonces := map[string]string{}
	for _, m := range sent {
		nonces[m.Nonce] = m.ID
	}
	counter := regexp.MustCompile(`(?i)M-?\d+`)
	seen := map[string]bool{}
	for _, u := range users {
		posts := f.api.Messages("D0" + u)
		if len(posts) != 1 {
			t.Fatalf("%s: %d posts, want exactly 1 (the stalled post must be found by its nonce, not posted again)", u, len(posts))
		}
		ref, _ := posts[0].Metadata.EventPayload["id"].(string)
		if counter.MatchString(ref) || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(ref) {
			t.Errorf("%s's message metadata carries %q; want a random 128-bit nonce, not the outbox id", u, ref)
		}
		if seen[ref] {
			t.Errorf("nonce %q used twice", ref)
		}
		seen[ref] = true
		if _, ok := nonces[ref]; !ok {
			t.Errorf("nonce %q on %s's post is no sent message's nonce", ref, u)
		}
	}
}
