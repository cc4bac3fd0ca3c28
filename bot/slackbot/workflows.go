package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/slack-go/slack"
)

// The NSG's Slack workflows: the notice of a question awaiting the NSG
// carries Answer, Publish and Show buttons; Answer and Publish open
// modals (views.open), and the modal's submission does the work. After a
// button is used, its message is updated (chat.update) to say who did
// what, and the bidder's "Ask the NSG" button becomes "Passed to the
// NSG".

// Action ids of the NSG notice's buttons, the block they sit in, and the
// modals' callback ids. A button's value is the question id; a modal's
// private_metadata says which question and which notice it came from.
const (
	actionNSGAnswer  = "hiec_nsg_answer"
	actionNSGPublish = "hiec_nsg_publish"
	actionNSGShow    = "hiec_nsg_show"
	noticeBlockID    = "hiec_notice"

	answerModalID  = "hiec_answer_modal"
	publishModalID = "hiec_publish_modal"

	// Input blocks and their elements.
	answerTextBlock   = "answer_text"
	answerCiteBlock   = "answer_cite"
	publishQBlock     = "publish_question"
	publishABlock     = "publish_answer"
	inputElementID    = "value"
	maxModalInputText = 3000
)

// modalMeta travels in a modal's private_metadata: the question and the
// notice message to update once the modal is submitted.
type modalMeta struct {
	ID      string `json:"id"`
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
}

func (m modalMeta) encode() string {
	data, _ := json.Marshal(m)
	return string(data)
}

// noticeMessage is the NSG channel's notice of q: the text, and blocks
// with the buttons that still apply and, when set, a line saying what was
// done.
func noticeMessage(q store.Question, done string) message {
	text := nsgNotice(q)
	blocks := textSections(text)
	if len(blocks) > maxMessageBlocks-2 {
		blocks = blocks[:maxMessageBlocks-2]
	}
	if done != "" {
		blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, truncate(done, maxContextText), false, false)))
	}
	id := q.ID
	if q.Follows != "" {
		id = q.Follows
	}
	var buttons []slack.BlockElement
	button := func(action, label string) {
		buttons = append(buttons, slack.NewButtonBlockElement(action, id, slack.NewTextBlockObject(slack.PlainTextType, label, false, false)))
	}
	switch q.Status {
	case store.StatusAnswered, store.StatusAwaiting, store.StatusFollowing, store.StatusNSGAnswered:
		if q.Follows == "" {
			button(actionNSGAnswer, "Answer")
		}
	}
	if q.Status == store.StatusNSGAnswered {
		button(actionNSGPublish, "Publish")
	}
	button(actionNSGShow, "Show")
	blocks = append(blocks, slack.NewActionBlock(noticeBlockID, buttons...))
	return message{Text: text, Blocks: blocks}
}

// answerModal asks for the NSG's answer to q: text of their own, or the
// citation of a passage that answers it.
func answerModal(q store.Question, meta modalMeta) slack.ModalViewRequest {
	text := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, "The answer the asker will get", false, false), inputElementID)
	text.Multiline = true
	text.MaxLength = maxModalInputText
	if q.NSGAnswer != "" && q.Cited == "" {
		text.InitialValue = truncate(q.NSGAnswer, maxModalInputText)
	}
	cite := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, "Guide, slide 17", false, false), inputElementID)
	cite.MaxLength = 300
	textBlock := slack.NewInputBlock(answerTextBlock, slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false),
		slack.NewTextBlockObject(slack.PlainTextType, "The asker gets it by DM; it stays private to them until you publish it.", false, false), text)
	textBlock.Optional = true
	citeBlock := slack.NewInputBlock(answerCiteBlock, slack.NewTextBlockObject(slack.PlainTextType, "…or cite a passage", false, false),
		slack.NewTextBlockObject(slack.PlainTextType, "The asker gets that passage, and the next bidder who asks this way is answered from it.", false, false), cite)
	citeBlock.Optional = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      answerModalID,
		PrivateMetadata: meta.encode(),
		Title:           slack.NewTextBlockObject(slack.PlainTextType, "Answer "+q.ID, false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			mrkdwnSection(truncate("*"+q.ID+"*\n"+quote(q.Question, 2000), maxSectionText)),
			textBlock, citeBlock,
		}},
	}
}

// publishModal lets staff reword a clarification before it is published:
// prefilled with the question as asked and the answer as given.
func publishModal(q store.Question, c store.Clarification, meta modalMeta) slack.ModalViewRequest {
	input := func(block, label, hint, value string) *slack.InputBlock {
		el := slack.NewPlainTextInputBlockElement(nil, inputElementID)
		el.Multiline = true
		el.MaxLength = maxModalInputText
		el.InitialValue = truncate(value, maxModalInputText)
		return slack.NewInputBlock(block, slack.NewTextBlockObject(slack.PlainTextType, label, false, false),
			slack.NewTextBlockObject(slack.PlainTextType, hint, false, false), el)
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      publishModalID,
		PrivateMetadata: meta.encode(),
		Title:           slack.NewTextBlockObject(slack.PlainTextType, "Publish "+q.ID, false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Publish", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			mrkdwnSection("Every bidder will read exactly this, in the bidders' channel and by DM to the " +
				fmt.Sprint(q.AskedBy()) + " " + plural(q.AskedBy(), "bidder", "bidders") + " who asked it. Take out names and details that would identify the asker."),
			input(publishQBlock, "Question", "As published: it need not be the asker's words.", c.Question),
			input(publishABlock, "Answer", "The NSG's answer, as published.", c.Answer),
		}},
	}
}

// openView opens a modal for the user who triggered it.
func (b *Bot) openView(ctx context.Context, trigger string, view slack.ModalViewRequest) error {
	if trigger == "" {
		return errors.New("open a form: Slack sent no trigger_id")
	}
	return b.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := b.api.OpenViewContext(ctx, trigger, view)
		return err
	})
}

// updateMessage replaces a message the bot posted.
func (b *Bot) updateMessage(ctx context.Context, channel, ts string, m message) error {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	return b.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, opts...)
		return err
	})
}

// nsgAction handles a button on the NSG notice. Only staff may use them;
// to anyone else they reveal nothing.
func (b *Bot) nsgAction(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction, user string) {
	reply := func(text string) {
		m := message{Text: text}
		b.goJob("answer an NSG button", func(ctx context.Context) error {
			return b.respond(ctx, cb.ResponseURL, cb.Channel.ID, user, m)
		}, "action", act.ActionID)
	}
	if !b.desk.IsStaff(user) {
		reply("Sorry, that button is for the National Steering Group.")
		return
	}
	meta := modalMeta{ID: act.Value, Channel: firstNonEmpty(cb.Container.ChannelID, cb.Channel.ID), TS: firstNonEmpty(cb.Container.MessageTs, cb.Message.Timestamp)}
	switch act.ActionID {
	case actionNSGShow:
		q, err := b.desk.Records().Get(act.Value)
		if err == nil {
			err = b.desk.RecordView(user, "show", q.ID, 1)
		}
		if err != nil {
			reply(escape(err.Error()))
			return
		}
		reply(escape(dialogue.QuestionText(q)))
	case actionNSGAnswer:
		q, err := b.desk.Records().Get(act.Value)
		if err == nil {
			err = b.desk.RecordView(user, "answer form", q.ID, 1)
		}
		if err == nil {
			err = b.openView(ctx, cb.TriggerID, answerModal(q, meta))
		}
		if err != nil {
			b.log.Warn("open the answer form", "id", act.Value, "err", err)
			reply("I could not open the answer form: " + escape(err.Error()) + ". You can answer with `/hiec answer " + escape(act.Value) + " <text>`.")
		}
	case actionNSGPublish:
		q, c, err := b.desk.Draft(act.Value)
		if err == nil {
			err = b.desk.RecordView(user, "publication form", q.ID, 1)
		}
		if err == nil {
			err = b.openView(ctx, cb.TriggerID, publishModal(q, c, meta))
		}
		if err != nil {
			b.log.Warn("open the publication form", "id", act.Value, "err", err)
			reply("I could not open the publication form: " + escape(err.Error()) + ".")
		}
	}
}

// viewSubmission handles a submitted modal and returns Slack's response:
// nil closes the modal; errors keep it open with the fields' errors. The
// work is done, and durable, before it returns.
func (b *Bot) viewSubmission(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	user := cb.User.ID
	var meta modalMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.ID == "" {
		b.log.Warn("a modal came back without its question", "callback_id", cb.View.CallbackID)
		return nil
	}
	value := func(block string) string {
		if cb.View.State == nil {
			return ""
		}
		return strings.TrimSpace(cb.View.State.Values[block][inputElementID].Value)
	}
	fail := func(block, msg string) *slack.ViewSubmissionResponse {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{block: truncate(msg, 200)})
	}
	if !b.desk.IsStaff(user) {
		return fail(firstBlock(cb.View.CallbackID), "Only the National Steering Group can do this.")
	}
	var (
		q    store.Question
		err  error
		done string
		when = time.Now().UTC().Format("2 Jan 15:04 UTC")
	)
	switch cb.View.CallbackID {
	case answerModalID:
		text, cite := value(answerTextBlock), value(answerCiteBlock)
		switch {
		case text == "" && cite == "":
			return fail(answerTextBlock, "Write an answer, or cite a passage below.")
		case text != "" && cite != "":
			return fail(answerCiteBlock, "Either write an answer or cite a passage, not both.")
		case cite != "":
			q, err = b.desk.CiteQuestion(ctx, user, meta.ID, cite)
			if errors.Is(err, dialogue.ErrNoPassage) {
				return fail(answerCiteBlock, "No single passage has that citation. Write it as the bot cites it, e.g. Guide, slide 17.")
			}
			done = fmt.Sprintf("Answered by <@%s> on %s with %s.", escape(user), when, truncateEscaped(q.Cited, maxCitation))
		default:
			q, err = b.desk.AnswerQuestion(ctx, user, meta.ID, text)
			done = fmt.Sprintf("Answered by <@%s> on %s. The asker has it by DM; it is private until published.", escape(user), when)
		}
		if err != nil {
			return fail(answerTextBlock, modalError(err))
		}
		done += dialogue.FollowersWaiting(q)
	case publishModalID:
		w := store.Wording{Question: value(publishQBlock), Answer: value(publishABlock)}
		if w.Question == "" {
			return fail(publishQBlock, "Write the question as bidders will read it.")
		}
		if w.Answer == "" {
			return fail(publishABlock, "Write the answer as bidders will read it.")
		}
		q, err = b.desk.PublishQuestion(ctx, user, meta.ID, w)
		if err != nil {
			return fail(publishQBlock, modalError(err))
		}
		done = fmt.Sprintf("Published by <@%s> on %s as clarification %s, to the bidders' channel and by DM to %d %s.",
			escape(user), when, escape(q.Clarification), q.AskedBy(), plural(q.AskedBy(), "bidder", "bidders"))
	default:
		return nil
	}
	if meta.Channel != "" && meta.TS != "" {
		m := noticeMessage(q, done)
		b.goJob("update the NSG notice", func(ctx context.Context) error {
			return b.updateMessage(ctx, meta.Channel, meta.TS, m)
		}, "id", q.ID)
	}
	return nil
}

// modalError says why a submission did nothing, for staff.
func modalError(err error) string {
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrEmpty):
		return err.Error()
	}
	return "Something went wrong on my side; nothing was changed. Please try again in a minute."
}

func firstBlock(callback string) string {
	if callback == publishModalID {
		return publishQBlock
	}
	return answerTextBlock
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// markDone updates the bidder's message whose button was pressed: the
// buttons give way to a line saying what was done. An ephemeral message
// (an answer to a mention or to /hiec ask) is replaced through the
// response_url; one in a DM with chat.update.
func (b *Bot) markDone(ctx context.Context, cb *slack.InteractionCallback, note string) error {
	var blocks []slack.Block
	for _, bl := range cb.Message.Blocks.BlockSet {
		if a, ok := bl.(*slack.ActionBlock); ok && a.BlockID == answerBlockID {
			continue
		}
		blocks = append(blocks, bl)
	}
	blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, note, false, false)))
	m := message{Text: firstNonEmpty(cb.Message.Text, note), Blocks: blocks}
	channel := firstNonEmpty(cb.Container.ChannelID, cb.Channel.ID)
	ts := firstNonEmpty(cb.Container.MessageTs, cb.Message.Timestamp)
	if cb.Container.IsEphemeral || ts == "" {
		if cb.ResponseURL == "" {
			return nil
		}
		wm := webhookMessage(m, true)
		wm.ReplaceOriginal = true
		return b.call(ctx, "response_url", func(ctx context.Context) error {
			return slack.PostWebhookCustomHTTPContext(ctx, cb.ResponseURL, b.http, &wm)
		})
	}
	return b.updateMessage(ctx, channel, ts, m)
}
