package slackbot

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
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
	for _, c := range f.api.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "D"+user || c.Form.Get("channel") == "D0"+user {
			b.WriteString(c.Form.Get("text") + c.Form.Get("blocks") + "\n")
		}
	}
	for _, c := range f.api.Calls("chat.postEphemeral") {
		if c.Form.Get("user") == user {
			b.WriteString(c.Form.Get("text") + c.Form.Get("blocks") + "\n")
		}
	}
	return b.String()
}

// postedIn returns everything posted for all to see in a channel.
func (f *fixture) postedIn(channel string) string {
	var b strings.Builder
	for _, c := range f.api.Calls("chat.postMessage") {
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
	if !strings.Contains(seenA, "clearly answers") || !strings.Contains(seenA, "direct message") {
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
	for _, c := range f.api.Calls("chat.postMessage") {
		if c.Form.Get("channel") == bidderChannel {
			t.Errorf("something reached the bidders' channel before publication: %q", c.Form.Get("text"))
		}
	}
}

// TestProbingRevealsNoQuestion: a bidder cannot learn what another has
// asked by asking it: a question that follows another bidder's awaiting
// question gets the very reply of one nobody has asked.
func TestProbingRevealsNoQuestion(t *testing.T) {
	f := newFixtureWith(t, realEngine(t))
	f.event(t, dmEvent("Ev0A1", bidderA, "We are Leeds and Acme: can a hospice join our cluster as a partner?"))
	f.settle()
	f.event(t, dmEvent("Ev0B1", bidderB, "Are Bristol and Zenith asking whether a hospice can join as a partner?"))
	f.settle()
	control := f.seenBy(bidderB)
	f.event(t, dmEvent("Ev0B2", bidderB, "Are Leeds and Acme asking whether a hospice can join as a partner?"))
	f.settle()
	probe := strings.TrimPrefix(f.seenBy(bidderB), control)
	if p, _ := f.store.Get("Q-0003"); p.Status != store.StatusFollowing {
		t.Fatalf("the probe was logged as %s, not as following Q-0001: the test proves nothing", p.Status)
	}
	if c, _ := f.store.Get("Q-0002"); c.Status != store.StatusAwaiting {
		t.Fatalf("the control was logged as %s, not as awaiting: the test proves nothing", c.Status)
	}
	if strings.TrimSpace(probe) != strings.TrimSpace(control) {
		t.Errorf("the probe naming Leeds and Acme got\n%q\nand the one naming Bristol and Zenith\n%q", probe, control)
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
	home := mustJSON(f.api.Wait(t, "views.publish", 1)[0].JSON)
	all := strings.Join(seen, "\n") + home
	for _, leak := range []string{"Newcastle", "hospice", bidderA, "Q-0001 ", "awaiting", "1 question"} {
		if strings.Contains(all, leak) {
			t.Errorf("a bidder saw %q:\n%s", leak, all)
		}
	}
}

// TestFollowersAndPublication: bidder B asks what bidder A's question,
// already with the NSG, asks: B gets the reply any question passed on
// gets, and learns nothing of A's question; staff see the group; A alone
// gets the private answer; at publication the clarification, in the
// NSG's wording, goes to the bidders' channel and by DM to both, and a
// third bidder is answered from it at once.
func TestFollowersAndPublication(t *testing.T) {
	f := newFixtureWith(t, realEngine(t))
	f.event(t, dmEvent("Ev0A1", bidderA, "We are Leeds and Acme: can a hospice join our cluster as a partner?"))
	f.settle()
	f.event(t, dmEvent("Ev0B1", bidderB, "Can a hospice join a cluster as a partner?"))
	f.settle()
	seenB := f.seenBy(bidderB)
	if !strings.Contains(seenB, "passed your question to the National Steering Group") {
		t.Errorf("bidder B was not told the question is with the NSG:\n%s", seenB)
	}
	for _, leak := range []string{"Leeds", "Acme", bidderA, "Q-0001"} {
		if strings.Contains(seenB, leak) {
			t.Errorf("bidder B learnt %q about the other question:\n%s", leak, seenB)
		}
	}
	b, _ := f.store.Get("Q-0002")
	a, _ := f.store.Get("Q-0001")
	if b.Status != store.StatusFollowing || b.Follows != "Q-0001" || a.AskedBy() != 2 {
		t.Fatalf("B logged as %+v; A asked by %d", b, a.AskedBy())
	}
	notices := f.postedIn(nsgChannel)
	if !strings.Contains(notices, "Q-0002 asks what Q-0001 asks") || !strings.Contains(notices, "asked by 2 bidders") {
		t.Errorf("the NSG was not shown the group:\n%s", notices)
	}
	for _, cmd := range []string{"questions", "show Q-0001"} {
		if resp := f.command(t, staffUser, cmd); !strings.Contains(strings.ToLower(resp["text"].(string)), "asked by 2 bidders") {
			t.Errorf("/hiec %s does not show the group: %v", cmd, resp["text"])
		}
	}

	if resp := f.command(t, staffUser, "answer Q-0001 Yes: a hospice may join as a partner."); !strings.Contains(resp["text"].(string), "1 other bidder follows Q-0001 and gets the answer only when it is published") {
		t.Errorf("staff were not told the follower waits for publication: %v", resp["text"])
	}
	f.settle()
	if got := f.seenBy(bidderB); strings.Contains(got, "may join as a partner") {
		t.Errorf("the follower got the private answer before publication:\n%s", got)
	}
	f.command(t, staffUser, "publish Q-0001 question: Can a hospice join a cluster as a partner? answer: Yes: a hospice may join as a partner.")
	f.settle()
	channel := f.postedIn(bidderChannel)
	want := "*Clarification C-001 from the National Steering Group*\n*Question*\n> Can a hospice join a cluster as a partner?\n*Answer*\n> Yes: a hospice may join as a partner."
	if !strings.Contains(channel, want) {
		t.Errorf("published text:\n%s\nwant:\n%s", channel, want)
	}
	for _, who := range []string{bidderA, bidderB} {
		if got := f.seenBy(who); !strings.Contains(got, "Clarification C-001") {
			t.Errorf("%s did not get the clarification by DM:\n%s", who, got)
		}
	}
	if got := f.seenBy(bidderB); strings.Contains(got, "Leeds") {
		t.Errorf("the follower saw the asker's own wording:\n%s", got)
	}
	f.event(t, dmEvent("Ev0C1", "U0BIDDERC", "Can a hospice be a partner in a cluster?"))
	f.settle()
	if got := f.seenBy("U0BIDDERC"); !strings.Contains(got, "NSG clarification C-001") || !strings.Contains(got, "may join as a partner") {
		t.Errorf("a third bidder was not answered from the clarification:\n%s", got)
	}
	if n, err := f.store.VerifyAudit(); err != nil || n != 5 {
		t.Errorf("audit: %d entries, %v; want follow, the list and the question shown to staff, answer, publish", n, err)
	}
	h, _ := f.store.History("Q-0001")
	var actions []string
	for _, e := range h {
		actions = append(actions, e.Action+" by "+e.By)
	}
	if got := strings.Join(actions, ", "); got != "follow by hiecbot, view by "+staffUser+", answer by "+staffUser+", publish by "+staffUser {
		t.Errorf("Q-0001's history: %s", got)
	}
}

func TestQuestionReferences(t *testing.T) {
	c := newRefCodec(testBotToken)
	seen := map[string]bool{}
	for _, id := range []string{"Q-0001", "Q-0002", "Q-0042", "Q-9999", "Q-12345"} {
		ref := c.encode(id)
		if strings.Contains(ref, strings.TrimPrefix(id, "Q-")) || seen[ref] || len(ref) != 33 {
			t.Errorf("reference %q for %s", ref, id)
		}
		seen[ref] = true
		if got, ok := c.decode(ref); !ok || got != id {
			t.Errorf("decode(%q) = %q, %v; want %s", ref, got, ok, id)
		}
		if got, ok := newRefCodec("another token").decode(ref); ok {
			t.Errorf("another key resolved %q to %q", ref, got)
		}
	}
	for _, forged := range []string{"r00000000000000000000000000000000", "rzz", "r" + strings.Repeat("g", 32)} {
		if got, ok := c.decode(forged); ok {
			t.Errorf("decode(%q) = %q; want refused", forged, got)
		}
	}
	if got, ok := c.decode("Q-0007"); !ok || got != "Q-0007" {
		t.Errorf("a button posted before references: %q, %v", got, ok)
	}
}

// TestPublishRefusedWithoutBiddersChannel: with no bidders' channel a
// clarification would reach its askers and no other bidder, so Slack
// refuses to publish (the command, its draft and the Compose of a
// publication), saying to set reminders.channel, and nothing changes.
func TestPublishRefusedWithoutBiddersChannel(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.BidderChannel = "" })
	f.event(t, dmEvent("Ev0NOCH", "U0BIDDERA", "Can a hospice lead a bid?"))
	f.settle()
	f.command(t, staffUser, "answer Q-0001 Yes, a hospice may lead.")
	f.settle()
	for _, cmd := range []string{"publish Q-0001", "publish Q-0001 as is", "publish Q-0001 question: May a hospice lead? answer: Yes."} {
		resp := f.command(t, staffUser, cmd)
		text, _ := resp["text"].(string)
		if !strings.Contains(text, "reminders.channel") || !strings.Contains(text, "every bidder") || strings.Contains(text, "Published") {
			t.Errorf("/hiec %s = %q; want a refusal saying to set reminders.channel", cmd, text)
		}
	}
	f.settle()
	q, err := f.store.Get("Q-0001")
	if err != nil || q.Status != store.StatusNSGAnswered || q.Clarification != "" {
		t.Errorf("after the refusals Q-0001 is %+v, %v; want it still nsg_answered and unpublished", q, err)
	}
	if got := f.seenBy("U0BIDDERA"); strings.Contains(got, "Clarification") {
		t.Errorf("the asker was sent a clarification no other bidder got:\n%s", got)
	}
	h, _ := f.store.History("Q-0001")
	for _, e := range h {
		if e.Action == store.ActionPublish {
			t.Errorf("the audit trail records a publication: %+v", e)
		}
	}
	if err := f.bot.CanPublish(); !errors.Is(err, dialogue.ErrNoBidderChannel) {
		t.Errorf("CanPublish = %v; want ErrNoBidderChannel", err)
	}
}

// TestBidderButtonsRevealNothing: a button value that is not the
// presser's own (another bidder's reference, a bare id, a forged or
// garbled reference) changes nothing, and every one gets the same reply,
// so pressing says nothing about whether a question exists or whose it
// is.
func TestBidderButtonsRevealNothing(t *testing.T) {
	f := newFixture(t)
	f.event(t, dmEvent("Ev0ASKA", bidderUser, "When are detailed bids due?"))
	f.settle()
	theirs := f.bot.refs.encode("Q-0001")
	values := []string{theirs, "Q-0001", f.bot.refs.encode("Q-0999"), "r" + strings.Repeat("0", 32), "rnot-hex", ""}
	var replies []string
	for i, v := range values {
		for _, action := range []string{actionHelpful, actionAskNSG} {
			f.interact(t, map[string]any{
				"type": "block_actions", "user": map[string]any{"id": "U0RIVAL"}, "team": map[string]any{"id": "T0HIEC"},
				"channel": map[string]any{"id": "D0U0RIVAL"}, "response_url": f.api.ResponseURL("button"),
				"actions": []map[string]any{{"type": "button", "block_id": answerBlockID, "action_id": action, "value": v, "action_ts": "1.1"}},
			})
			f.settle()
			calls := f.api.Calls("response")
			if len(calls) != len(replies)+1 {
				t.Fatalf("value %d (%q) %s: %d responses, want %d", i, v, action, len(calls), len(replies)+1)
			}
			replies = append(replies, fmt.Sprint(calls[len(calls)-1].JSON["text"]))
		}
	}
	for i, r := range replies {
		if r != replies[0] || !strings.Contains(r, "could not find that question") {
			t.Errorf("reply %d = %q; want the same reply for every value not the presser's (%q)", i, r, replies[0])
		}
	}
	if q, _ := f.store.Get("Q-0001"); q.Status != store.StatusAnswered || q.Feedback != "" {
		t.Errorf("another bidder's press changed Q-0001: status %s, feedback %q", q.Status, q.Feedback)
	}
}
