package slackbot

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
)

// interact posts an interaction payload and returns the response body.
func (f *fixture) interact(t *testing.T, payload map[string]any) string {
	t.Helper()
	w := f.do(t, "/slack/interactivity", "application/x-www-form-urlencoded", url.Values{"payload": {mustJSON(payload)}}.Encode())
	if w.Code != http.StatusOK {
		t.Fatalf("interaction = %d %q", w.Code, w.Body.String())
	}
	return w.Body.String()
}

// pressNotice presses a button of the NSG notice posted as post.
func (f *fixture) pressNotice(t *testing.T, user, action, id string, post apiCall) {
	t.Helper()
	f.interact(t, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": "T0HIEC"},
		"trigger_id": "1337.42.trigger", "channel": map[string]any{"id": nsgChannel},
		"container":    map[string]any{"type": "message", "channel_id": nsgChannel, "message_ts": "1255000000.000100"},
		"message":      map[string]any{"ts": "1255000000.000100", "text": post.Form.Get("text")},
		"response_url": f.api.ResponseURL("notice"),
		"actions":      []map[string]any{{"type": "button", "block_id": noticeBlockID, "action_id": action, "value": id, "action_ts": "1.1"}},
	})
}

// submit submits a modal opened by views.open with values for its inputs.
func (f *fixture) submit(t *testing.T, user string, view map[string]any, values map[string]string) map[string]any {
	t.Helper()
	state := map[string]any{}
	for block, v := range values {
		state[block] = map[string]any{inputElementID: map[string]any{"type": "plain_text_input", "value": v}}
	}
	body := f.interact(t, map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user}, "team": map[string]any{"id": "T0HIEC"},
		"view": map[string]any{"id": "V0MODAL", "type": "modal", "callback_id": view["callback_id"],
			"private_metadata": view["private_metadata"], "state": map[string]any{"values": state}},
	})
	if body == "" {
		return nil
	}
	var resp map[string]any
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("view_submission response %q: %v", body, err)
	}
	return resp
}

// openedView returns the view of the n-th views.open call (1-based).
func (f *fixture) openedView(t *testing.T, n int) map[string]any {
	t.Helper()
	c := f.api.Wait(t, "views.open", n)[n-1]
	view, ok := c.JSON["view"].(map[string]any)
	if !ok {
		t.Fatalf("views.open without a view: %s", c.Body)
	}
	if c.JSON["trigger_id"] != "1337.42.trigger" {
		t.Errorf("views.open trigger %v", c.JSON["trigger_id"])
	}
	return view
}

// noticeTo returns the NSG channel posts.
func (f *fixture) noticeTo() []apiCall {
	var out []apiCall
	for _, c := range f.api.Calls("chat.postMessage") {
		if c.Form.Get("channel") == nsgChannel {
			out = append(out, c)
		}
	}
	return out
}

// TestNSGNoticeWorkflow: the notice's Answer button opens a modal whose
// submission answers the question and updates the notice; Publish opens
// the publication modal, prefilled and editable, whose submission
// publishes the edited wording; Show shows the question; bidders can use
// none of them.
func TestNSGNoticeWorkflow(t *testing.T) {
	f := newFixture(t)
	f.event(t, dmEvent("Ev0Q1", bidderUser, "We are Leeds and Acme: can a hospice join?"))
	f.settle()
	notices := f.noticeTo()
	if len(notices) != 1 {
		t.Fatalf("%d NSG notices, want 1", len(notices))
	}
	blocks := mustJSON(blocksJSON(t, notices[0]))
	for _, want := range []string{`"action_id":"hiec_nsg_answer"`, `"action_id":"hiec_nsg_show"`, `"value":"Q-0001"`} {
		if !strings.Contains(blocks, want) {
			t.Errorf("notice blocks lack %s: %s", want, blocks)
		}
	}
	if strings.Contains(blocks, actionNSGPublish) {
		t.Errorf("an unanswered question's notice offers Publish: %s", blocks)
	}

	// A bidder pressing the NSG's buttons gets nothing.
	f.pressNotice(t, bidderUser, actionNSGAnswer, "Q-0001", notices[0])
	f.pressNotice(t, bidderUser, actionNSGShow, "Q-0001", notices[0])
	f.settle()
	if n := len(f.api.Calls("views.open")); n != 0 {
		t.Errorf("a bidder opened %d NSG forms", n)
	}
	for _, r := range f.api.Calls("response") {
		if strings.Contains(mustJSON(r.JSON), "hospice") {
			t.Errorf("a bidder's button showed the question: %v", r.JSON)
		}
	}

	// Answer: the modal, a refused empty submission, then the answer.
	f.pressNotice(t, staffUser, actionNSGAnswer, "Q-0001", notices[0])
	view := f.openedView(t, 1)
	if view["callback_id"] != answerModalID || !strings.Contains(mustJSON(view), "cite a passage") || !strings.Contains(mustJSON(view), "Leeds and Acme") {
		t.Errorf("answer modal %v", view)
	}
	if resp := f.submit(t, staffUser, view, nil); resp["response_action"] != "errors" {
		t.Errorf("an empty answer was accepted: %v", resp)
	}
	if resp := f.submit(t, staffUser, view, map[string]string{answerCiteBlock: "Guide, slide 99"}); resp["response_action"] != "errors" || !strings.Contains(mustJSON(resp), answerCiteBlock) {
		t.Errorf("a citation of no passage was accepted: %v", resp)
	}
	if resp := f.submit(t, staffUser, view, map[string]string{answerTextBlock: "Yes, as a partner."}); resp != nil {
		t.Fatalf("answer submission = %v, want the modal closed", resp)
	}
	f.settle()
	if q, _ := f.store.Get("Q-0001"); q.Status != store.StatusNSGAnswered || q.AnsweredBy != staffUser {
		t.Fatalf("after the answer modal: %+v", q)
	}
	if got := f.seenBy(bidderUser); !strings.Contains(got, "Yes, as a partner.") {
		t.Errorf("the asker did not get the answer by DM:\n%s", got)
	}
	up := f.api.Wait(t, "chat.update", 1)[0]
	if up.Form.Get("channel") != nsgChannel || up.Form.Get("ts") != "1255000000.000100" ||
		!strings.Contains(up.Form.Get("blocks"), "Answered by \\u003c@"+staffUser+"\\u003e") && !strings.Contains(up.Form.Get("blocks"), "Answered by <@"+staffUser+">") ||
		!strings.Contains(up.Form.Get("blocks"), actionNSGPublish) {
		t.Errorf("notice update %v", up.Form)
	}

	// Show: the question in full, for the staff member alone.
	f.pressNotice(t, staffUser, actionNSGShow, "Q-0001", notices[0])
	f.settle()
	var shown bool
	for _, r := range f.api.Calls("response") {
		shown = shown || (r.JSON["response_type"] == "ephemeral" && strings.Contains(r.JSON["text"].(string), "Yes, as a partner."))
	}
	if !shown {
		t.Error("Show did not show the question to the staff member")
	}

	// Publish: prefilled, edited, published as edited.
	f.pressNotice(t, staffUser, actionNSGPublish, "Q-0001", notices[0])
	view = f.openedView(t, 2)
	pv := mustJSON(view)
	if view["callback_id"] != publishModalID || !strings.Contains(pv, `"initial_value":"We are Leeds and Acme: can a hospice join?"`) || !strings.Contains(pv, `"initial_value":"Yes, as a partner."`) {
		t.Errorf("publish modal not prefilled: %s", pv)
	}
	if resp := f.submit(t, staffUser, view, map[string]string{publishQBlock: "Can a hospice join a cluster?", publishABlock: ""}); resp["response_action"] != "errors" {
		t.Errorf("a blank published answer was accepted: %v", resp)
	}
	if resp := f.submit(t, staffUser, view, map[string]string{publishQBlock: "Can a hospice join a cluster?", publishABlock: "Yes, as a partner."}); resp != nil {
		t.Fatalf("publish submission = %v", resp)
	}
	f.settle()
	published := f.postedIn(bidderChannel)
	for _, want := range []string{"Clarification C-001", "Can a hospice join a cluster?", "Yes, as a partner."} {
		if !strings.Contains(published, want) {
			t.Errorf("the bidders' channel lacks %q:\n%s", want, published)
		}
	}
	for _, leak := range []string{"Leeds", "Acme", bidderUser, "Q-0001"} {
		if strings.Contains(published, leak) {
			t.Errorf("the published clarification shows %q:\n%s", leak, published)
		}
	}
	ups := f.api.Wait(t, "chat.update", 2)
	if last := ups[len(ups)-1].Form.Get("blocks"); !strings.Contains(last, "clarification C-001") || strings.Contains(last, actionNSGPublish) || strings.Contains(last, actionNSGAnswer) {
		t.Errorf("notice after publication: %s", last)
	}
	if q, _ := f.store.Get("Q-0001"); q.Clarification != "C-001" || q.PublishedQuestion != "Can a hospice join a cluster?" {
		t.Errorf("stored %+v", q)
	}
}

// TestAnswerModalCites: the Answer modal's "cite a passage" gives the
// asker that passage, cited.
func TestAnswerModalCites(t *testing.T) {
	f := newFixture(t)
	f.event(t, dmEvent("Ev0Q1", bidderUser, "What is the closing date for full bids?"))
	f.settle()
	f.pressNotice(t, staffUser, actionNSGAnswer, "Q-0001", f.noticeTo()[0])
	view := f.openedView(t, 1)
	if resp := f.submit(t, staffUser, view, map[string]string{answerCiteBlock: "guide, slide 17"}); resp != nil {
		t.Fatalf("cite submission = %v", resp)
	}
	f.settle()
	q, _ := f.store.Get("Q-0001")
	if q.Cited != "Guide, slide 17: Application process" || q.NSGAnswer != "Detailed bids are due on 19 October 2009." {
		t.Errorf("stored %+v", q)
	}
	got := f.seenBy(bidderUser)
	if !strings.Contains(got, "Guide, slide 17: Application process") || !strings.Contains(got, "Detailed bids are due on 19 October 2009.") {
		t.Errorf("the asker did not get the cited passage:\n%s", got)
	}
}

// TestSlashPublishOpensTheModal: /hiec publish Q-0042 opens the
// publication modal for staff; for a bidder it is refused.
func TestSlashPublishOpensTheModal(t *testing.T) {
	f := newFixture(t)
	f.event(t, dmEvent("Ev0Q1", bidderUser, "Can a hospice join?"))
	f.settle()
	trigger := url.Values{"trigger_id": {"1337.42.trigger"}}
	if resp := f.commandWith(t, staffUser, "publish Q-0001", url.Values{"trigger_id": {"1337.41.trigger"}}); !strings.Contains(resp["text"].(string), "needs an NSG answer first") {
		t.Errorf("publishing an unanswered question: %v", resp)
	}
	f.command(t, staffUser, "answer Q-0001 Yes.")
	if resp := f.commandWith(t, bidderUser, "publish Q-0001", trigger); !strings.Contains(resp["text"].(string), "National Steering Group") {
		t.Errorf("a bidder's publish: %v", resp)
	}
	resp := f.commandWith(t, staffUser, "publish Q-0001", trigger)
	if resp["response_type"] != "ephemeral" || !strings.Contains(resp["text"].(string), "form") {
		t.Errorf("publish response %v", resp)
	}
	view := f.openedView(t, 1)
	if view["callback_id"] != publishModalID || !strings.Contains(mustJSON(view), `"initial_value":"Can a hospice join?"`) {
		t.Errorf("view %v", view)
	}
	if n := len(f.api.Calls("views.open")); n != 1 {
		t.Errorf("%d views opened, want 1 (the bidder's command opened none)", n)
	}
	if q, _ := f.store.Get("Q-0001"); q.Status != store.StatusNSGAnswered {
		t.Errorf("opening the form published: %s", q.Status)
	}
	// /hiec answer with an id alone opens the answer form.
	f.commandWith(t, staffUser, "answer Q-0001", trigger)
	if view := f.openedView(t, 2); view["callback_id"] != answerModalID || !strings.Contains(mustJSON(view), `"initial_value":"Yes."`) {
		t.Errorf("answer form %v", view)
	}
}

// TestAskTheNSGBecomesPassed: once pressed, the bidder's "Ask the NSG"
// button gives way to "Passed to the NSG": by chat.update in a DM, and
// through the response_url for an ephemeral answer.
func TestAskTheNSGBecomesPassed(t *testing.T) {
	for _, ephemeral := range []bool{false, true} {
		name := "dm"
		if ephemeral {
			name = "ephemeral"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.event(t, dmEvent("Ev0Q1", bidderUser, "When are detailed bids due?"))
			f.settle()
			post := f.api.Wait(t, "chat.postMessage", 1)[0]
			var blocks []any
			_ = json.Unmarshal([]byte(post.Form.Get("blocks")), &blocks)
			f.interact(t, map[string]any{
				"type": "block_actions", "user": map[string]any{"id": bidderUser}, "team": map[string]any{"id": "T0HIEC"},
				"channel":      map[string]any{"id": "D0" + bidderUser},
				"container":    map[string]any{"type": "message", "channel_id": "D0" + bidderUser, "message_ts": "1255000000.000100", "is_ephemeral": ephemeral},
				"message":      map[string]any{"ts": "1255000000.000100", "text": post.Form.Get("text"), "blocks": blocks},
				"response_url": f.api.ResponseURL("button"),
				"actions":      []map[string]any{{"type": "button", "block_id": answerBlockID, "action_id": actionAskNSG, "value": "Q-0001", "action_ts": "1.1"}},
			})
			f.settle()
			if q, _ := f.store.Get("Q-0001"); q.Status != store.StatusAwaiting {
				t.Fatalf("status %s, want awaiting", q.Status)
			}
			var updated string
			if ephemeral {
				r := f.api.Wait(t, "response", 1)[0]
				if r.JSON["replace_original"] != true {
					t.Errorf("response %v, want it to replace the ephemeral answer", r.JSON)
				}
				updated = mustJSON(r.JSON)
			} else {
				u := f.api.Wait(t, "chat.update", 1)[0]
				if u.Form.Get("channel") != "D0"+bidderUser || u.Form.Get("ts") != "1255000000.000100" {
					t.Errorf("updated %v", u.Form)
				}
				updated = u.Form.Get("blocks")
			}
			if !strings.Contains(updated, "Passed to the NSG") || strings.Contains(updated, actionAskNSG) || !strings.Contains(updated, "Detailed bids are due") {
				t.Errorf("the answer after Ask the NSG: %s", updated)
			}
		})
	}
}

// TestFileShareDMIsAnswered: a DM with a file attached is answered from
// its text.
func TestFileShareDMIsAnswered(t *testing.T) {
	f := newFixture(t)
	body := mustJSON(map[string]any{
		"type": "event_callback", "team_id": "T0HIEC", "event_id": "Ev0FILE",
		"event": map[string]any{"type": "message", "subtype": "file_share", "channel_type": "im", "channel": "D0" + bidderUser,
			"user": bidderUser, "text": "When are detailed bids due? Our draft is attached.", "ts": "1255000000.000001",
			"files": []map[string]any{{"id": "F0DRAFT", "name": "draft.docx"}}},
	})
	f.event(t, body)
	f.settle()
	if qs := f.questions(t); len(qs) != 1 || qs[0].Via != dialogue.ViaDM {
		t.Fatalf("logged %+v, want the file_share DM's question", qs)
	}
	if got := f.seenBy(bidderUser); !strings.Contains(got, "Detailed bids are due on 19 October 2009.") {
		t.Errorf("reply %q", got)
	}
}

// TestAskerNamesFromUsersInfo: however a question comes, the asker's
// name in the log is the users.info display name.
func TestAskerNamesFromUsersInfo(t *testing.T) {
	f := newFixture(t)
	f.command(t, bidderUser, "ask When are detailed bids due?") // user_name "name-U0BIDDER1"
	f.event(t, mentionEvent("Ev0M", bidderUser, "<@U0HIECBOT> When are bids due?", "1255000000.000500", ""))
	f.settle()
	for _, q := range f.questions(t) {
		if q.UserName != "Pat" {
			t.Errorf("%s via %s logged as %q, want Pat (users.info display name)", q.ID, q.Via, q.UserName)
		}
	}
}

// TestClosedDialogue: after dialogue.closes the bot still answers from
// the sources, tells a bidder it cannot answer that the dialogue has
// closed, passes nothing on and logs the question as late; staff can
// still answer and publish it; the date shows in /hiec deadlines and the
// App Home.
func TestClosedDialogue(t *testing.T) {
	closes := time.Date(2009, 9, 1, 16, 0, 0, 0, time.UTC) // 17:00 BST; the fixture's clock is 7 October
	f := newFixtureDesk(t, deadlineEngine(), func(o *dialogue.Options) { o.Closes = closes })
	f.event(t, dmEvent("Ev0Q1", bidderUser, "When are detailed bids due?"))
	f.event(t, dmEvent("Ev0Q2", bidderUser, "Can a hospice join?"))
	f.settle()
	if len(f.noticeTo()) != 0 {
		t.Errorf("a question went to the NSG after the dialogue closed")
	}
	seen := f.seenBy(bidderUser)
	if !strings.Contains(seen, "Detailed bids are due on 19 October 2009.") || !strings.Contains(seen, "informal dialogue closed on Tuesday 1 September 2009 17:00 BST") {
		t.Errorf("bidder saw:\n%s", seen)
	}
	q, _ := f.store.Get("Q-0002")
	if !q.Late || q.Status != store.StatusAwaiting {
		t.Errorf("late question logged as %+v", q)
	}
	if resp := f.command(t, staffUser, "questions"); !strings.Contains(resp["text"].(string), "late") {
		t.Errorf("staff list does not mark it late: %v", resp["text"])
	}
	// Ask the NSG on the covered answer is refused, saying why.
	f.interact(t, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": bidderUser}, "team": map[string]any{"id": "T0HIEC"},
		"channel": map[string]any{"id": "D0" + bidderUser}, "response_url": f.api.ResponseURL("button"),
		"actions": []map[string]any{{"type": "button", "block_id": answerBlockID, "action_id": actionAskNSG, "value": "Q-0001", "action_ts": "1.1"}},
	})
	f.settle()
	if q, _ := f.store.Get("Q-0001"); q.Status != store.StatusAnswered {
		t.Errorf("escalated after the close: %s", q.Status)
	}
	if r := f.api.Wait(t, "response", 1)[0]; !strings.Contains(mustJSON(r.JSON), "closed") {
		t.Errorf("Ask the NSG after the close: %v", r.JSON)
	}
	// Staff still answer and publish.
	if resp := f.command(t, staffUser, "answer Q-0002 Yes, as a partner."); !strings.Contains(resp["text"].(string), "Answered Q-0002") {
		t.Errorf("answer after the close: %v", resp)
	}
	if resp := f.command(t, staffUser, "publish Q-0002 as is"); !strings.Contains(resp["text"].(string), "C-001") {
		t.Errorf("publish after the close: %v", resp)
	}
	if resp := f.command(t, bidderUser, "deadlines"); !strings.Contains(resp["text"].(string), "closed on Tuesday 1 September 2009 17:00 BST") {
		t.Errorf("deadlines: %v", resp["text"])
	}
	f.event(t, mustJSON(map[string]any{"type": "event_callback", "event_id": "Ev0HOME",
		"event": map[string]any{"type": "app_home_opened", "user": bidderUser, "channel": "D0" + bidderUser, "tab": "home"}}))
	f.settle()
	if home := mustJSON(f.api.Wait(t, "views.publish", 1)[0].JSON); !strings.Contains(home, "closed on Tuesday 1 September 2009 17:00 BST") {
		t.Errorf("App Home lacks the closing date: %s", home)
	}
}
