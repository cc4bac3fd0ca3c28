package slackbot

import (
	"strings"
	"testing"

	"github.com/hiec/hiecbot/knowledge"
)

// Two bidders of the same procurement, for the integrity tests.
const (
	bidderA = "U0BIDDERA"
	bidderB = "U0BIDDERB"
)

// realEngine is the answer engine on the embedded guide, so that what
// becomes knowledge is really searched.
func realEngine(t testing.TB) *knowledge.Engine {
	t.Helper()
	e, err := knowledge.New(knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// seenBy returns everything the Slack double was asked to show user:
// posts to their DM, ephemeral messages for them, and the responses to
// their own commands and buttons (responses are passed in by the test).
func (f *fixture) seenBy(user string) string {
	var b strings.Builder
	for _, c := range f.api.callsTo("chat.postMessage") {
		if c.Form.Get("channel") == "D"+user || c.Form.Get("channel") == "D0"+user {
			b.WriteString(c.Form.Get("text") + c.Form.Get("blocks") + "\n")
		}
	}
	for _, c := range f.api.callsTo("chat.postEphemeral") {
		if c.Form.Get("user") == user {
			b.WriteString(c.Form.Get("text") + c.Form.Get("blocks") + "\n")
		}
	}
	return b.String()
}

// postedIn returns everything posted for all to see in a channel.
func (f *fixture) postedIn(channel string) string {
	var b strings.Builder
	for _, c := range f.api.callsTo("chat.postMessage") {
		if c.Form.Get("channel") == channel {
			b.WriteString(c.Form.Get("text") + c.Form.Get("blocks") + "\n")
		}
	}
	return b.String()
}

// TestConfidentialUntilPublished: bidder A asks in a public channel and
// is answered by the NSG; until the NSG publishes, bidder B asking the
// same thing learns nothing of A's exchange, and the channel sees
// nothing from the bot at all.
func TestConfidentialUntilPublished(t *testing.T) {
	f := newFixtureWith(t, realEngine(t))
	secret := "Leeds and Acme"
	f.event(t, mentionEvent("Ev0A1", bidderA, "<@U0HIECBOT> We are "+secret+": can a hospice join our cluster?", "1255000000.000500", ""))
	f.settle()
	if got := f.postedIn("C0GENERAL"); got != "" {
		t.Errorf("the bot posted in the channel a bidder asked in:\n%s", got)
	}
	seenA := f.seenBy(bidderA)
	if !strings.Contains(seenA, "does not cover") || !strings.Contains(seenA, "direct message") {
		t.Errorf("bidder A was not told, privately, that the question went on:\n%s", seenA)
	}
	noQuestionID(t, "bidder A's reply", seenA)

	if resp := f.command(t, staffUser, "answer Q-0001 Yes: "+secret+" may include a hospice as a partner."); !strings.Contains(resp["text"].(string), "Answered Q-0001") {
		t.Fatalf("answer: %v", resp)
	}
	f.settle()
	if got := f.seenBy(bidderA); !strings.Contains(got, "may include a hospice as a partner") {
		t.Errorf("bidder A did not get the NSG's answer by DM:\n%s", got)
	}
	if got := f.postedIn("C0GENERAL"); got != "" {
		t.Errorf("the NSG answer went to the channel:\n%s", got)
	}

	// Bidder B asks the same thing, in a DM and by command: nothing of A's
	// answer comes back.
	f.event(t, dmEvent("Ev0B1", bidderB, "Can a hospice join a cluster?"))
	resp := f.command(t, bidderB, "ask May a hospice be a partner in a cluster?")
	f.settle()
	seenB := f.seenBy(bidderB) + resp["text"].(string) + mustJSON(resp["blocks"])
	for _, leak := range []string{secret, "may include a hospice", "NSG answer", bidderA} {
		if strings.Contains(seenB, leak) {
			t.Errorf("bidder B saw %q before publication:\n%s", leak, seenB)
		}
	}
	if resp["response_type"] != "ephemeral" {
		t.Errorf("/hiec ask answered %v, want ephemeral", resp["response_type"])
	}
	for _, c := range f.api.callsTo("chat.postMessage") {
		if c.Form.Get("channel") == bidderChannel {
			t.Errorf("something reached the bidders' channel before publication: %q", c.Form.Get("text"))
		}
	}
}

// TestAppHomeAndErrorsRevealNothing: a bidder's App Home and the
// refusals they get say nothing of other bidders' questions.
func TestAppHomeAndErrorsRevealNothing(t *testing.T) {
	f := newFixtureWith(t, realEngine(t))
	question := "Can Newcastle University fund a hospice partner?"
	f.event(t, dmEvent("Ev0A1", bidderA, question))
	f.settle()
	f.event(t, mustJSON(map[string]any{"type": "event_callback", "event_id": "Ev0HOME",
		"event": map[string]any{"type": "app_home_opened", "user": bidderB, "channel": "D0" + bidderB, "tab": "home"}}))
	var seen []string
	for _, cmd := range []string{"questions", "show Q-0001", "answer Q-0001 yes", "publish Q-0001", "export csv", "history Q-0001"} {
		resp := f.command(t, bidderB, cmd)
		seen = append(seen, resp["text"].(string))
	}
	f.settle()
	home := mustJSON(f.api.wait(t, "views.publish", 1)[0].JSON)
	all := strings.Join(seen, "\n") + home
	for _, leak := range []string{"Newcastle", "hospice", bidderA, "Q-0001 ", "awaiting", "1 question"} {
		if strings.Contains(all, leak) {
			t.Errorf("a bidder saw %q:\n%s", leak, all)
		}
	}
}
