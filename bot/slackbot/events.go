package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/slack-go/slack"
)

// envelope is the outer part of an Events API payload, over HTTP or in a
// Socket Mode events_api envelope.
type envelope struct {
	Type           string          `json:"type"`
	Challenge      string          `json:"challenge"`
	TeamID         string          `json:"team_id"`
	EventID        string          `json:"event_id"`
	Event          json.RawMessage `json:"event"`
	Authorizations []struct {
		UserID string `json:"user_id"`
		IsBot  bool   `json:"is_bot"`
	} `json:"authorizations"`
}

// event holds the fields of the inner events the bot handles: message
// (message.im), app_mention and app_home_opened.
type event struct {
	Type        string          `json:"type"`
	Subtype     string          `json:"subtype"`
	User        string          `json:"user"`
	BotID       string          `json:"bot_id"`
	Text        string          `json:"text"`
	TS          string          `json:"ts"`
	ThreadTS    string          `json:"thread_ts"`
	Channel     string          `json:"channel"`
	ChannelType string          `json:"channel_type"`
	Team        string          `json:"team"`
	Tab         string          `json:"tab"`
	Edited      json.RawMessage `json:"edited"`
	Hidden      bool            `json:"hidden"`
}

// errMalformed marks a payload that is not what Slack sends.
var errMalformed = errors.New("malformed payload")

// parseEnvelope reads an Events API payload.
func parseEnvelope(data []byte) (envelope, error) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return env, fmt.Errorf("%w: %v", errMalformed, err)
	}
	switch env.Type {
	case "":
		return env, fmt.Errorf("%w: no type", errMalformed)
	case "url_verification":
		if env.Challenge == "" {
			return env, fmt.Errorf("%w: url_verification without a challenge", errMalformed)
		}
	case "event_callback":
		if env.EventID == "" || len(env.Event) == 0 {
			return env, fmt.Errorf("%w: event_callback without an event_id or event", errMalformed)
		}
	}
	return env, nil
}

// handleEvent handles one event_callback. It returns once whatever must
// be durable before Slack is acknowledged is durable (the event id in the
// dedupe ledger, the question in the log), having started the reply in
// the background. An error means Slack should deliver the event again;
// errMalformed means it should not.
func (b *Bot) handleEvent(ctx context.Context, env *envelope) error {
	var ev event
	if err := json.Unmarshal(env.Event, &ev); err != nil {
		// An event of another type may not fit the fields of these: only
		// its type says whether it is malformed.
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(env.Event, &head); err != nil {
			return fmt.Errorf("%w: event: %v", errMalformed, err)
		}
		if !subscribed(head.Type) {
			return nil // not subscribed to; nothing to do
		}
		return fmt.Errorf("%w: %s event: %v", errMalformed, head.Type, err)
	}
	if !subscribed(ev.Type) {
		return nil // not subscribed to; nothing to do
	}
	if ev.Type == "app_home_opened" {
		if ev.Tab == "home" && ev.User != "" {
			b.goJob("publish App Home", func(ctx context.Context) error { return b.publishHome(ctx, ev.User) }, "user", ev.User)
		}
		return nil
	}
	if !b.isQuestion(env, &ev) {
		return nil
	}
	a := dialogue.Asker{UserID: ev.User, TeamID: ev.Team, ChannelID: ev.Channel, ThreadTS: ev.ThreadTS, Via: dialogue.ViaDM}
	if a.TeamID == "" {
		a.TeamID = env.TeamID
	}
	if ev.Type == "app_mention" {
		a.Via = dialogue.ViaMention
		if a.ThreadTS == "" {
			a.ThreadTS = ev.TS
		}
	}
	return b.ask(ctx, a, ev.Text, env.EventID)
}

// subscribed reports whether the bot handles events of type t.
func subscribed(t string) bool {
	switch t {
	case "message", "app_mention", "app_home_opened":
		return true
	}
	return false
}

// isQuestion reports whether ev is a person asking: a direct message or a
// mention by a user, not by a bot (this one included), not an edit or
// any other subtype.
func (b *Bot) isQuestion(env *envelope, ev *event) bool {
	if ev.User == "" || ev.BotID != "" || ev.Hidden || len(ev.Edited) > 0 || ev.Channel == "" {
		return false
	}
	// A DM with a file attached (file_share) is answered from its text;
	// every other subtype (edits, joins, bot messages) is not a question.
	if ev.Subtype != "" && (ev.Subtype != "file_share" || ev.Type != "message") {
		return false
	}
	if ev.Type == "message" && ev.ChannelType != "im" {
		return false
	}
	if ev.User == b.ownUserID() {
		return false
	}
	for _, a := range env.Authorizations {
		if a.IsBot && a.UserID == ev.User {
			return false
		}
	}
	return true
}

// Replies the bot makes when it cannot answer.
const (
	emptyQuestionText = "Ask me a question about the HIEC guide, e.g. _When are detailed bids due?_ `/hiec help` says more."
	sorryText         = "Sorry, I could not record your question just now, so it has not reached the National Steering Group yet. I will try again by myself; if you have no answer in ten minutes, please ask again."
)

// ask answers a question and logs it with its event id in one durable
// write before returning, then posts the reply where it was asked in the
// background. A repeat of an event already handled is ignored. When the
// question cannot be logged it returns an error, so the event is not
// acknowledged and Slack delivers it again; the asker is told once.
func (b *Bot) ask(ctx context.Context, a dialogue.Asker, raw, eventID string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), askTimeout)
	defer cancel()
	a.UserName = b.userName(ctx, a.UserID)

	askCtx := ctx
	if b.outbox != nil {
		// The reply is queued with the question, in one transaction.
		askCtx = dialogue.WithReplyRenderer(ctx, replyRenderer{b, a})
	}
	reply, err := b.desk.AskOnce(askCtx, a, StripMarkup(raw), "event:"+eventID)
	if err == nil || errors.Is(err, dialogue.ErrRepeat) {
		b.sorry.Delete(eventID)
	}
	var m message
	switch {
	case errors.Is(err, dialogue.ErrRepeat):
		b.log.Info("event already handled; ignoring the repeat", "event_id", eventID)
		return nil
	case errors.Is(err, knowledge.ErrEmptyQuestion):
		m = message{Text: emptyQuestionText}
	case err != nil:
		// Nothing was made durable: the event is not acknowledged (HTTP
		// 503, no Socket Mode ack), so Slack delivers it again. The asker
		// hears once per event that it did not go through yet.
		b.log.Error("cannot record a question; Slack will deliver it again", "event_id", eventID, "user", a.UserID, "err", err)
		if _, told := b.sorry.LoadOrStore(eventID, true); !told {
			m := message{Text: sorryText}
			b.goJob("tell the asker", func(ctx context.Context) error {
				if a.Via == dialogue.ViaMention && !isDM(a.ChannelID) {
					return b.postEphemeral(ctx, a.ChannelID, a.UserID, a.ThreadTS, m)
				}
				return b.postMessage(ctx, a.ChannelID, a.ThreadTS, m)
			}, "event_id", eventID, "channel", a.ChannelID)
		}
		return fmt.Errorf("record question: %w", err)
	case b.outbox != nil && (reply.Question != nil || reply.Queued):
		return nil // queued with the question (or the event id); the sender posts it
	default:
		m = b.render(reply)
	}
	attrs := []any{"event_id", eventID, "channel", a.ChannelID}
	if reply.Question != nil {
		attrs = append(attrs, "id", reply.Question.ID)
	}
	if a.Via == dialogue.ViaMention && !isDM(a.ChannelID) {
		// A channel sees the mention but never the answer: only the asker
		// does, with a word on how to keep the next question confidential.
		m = withNote(m, mentionNote)
		b.goJob("post answer", func(ctx context.Context) error {
			return b.postEphemeral(ctx, a.ChannelID, a.UserID, a.ThreadTS, m)
		}, attrs...)
		return nil
	}
	b.goJob("post answer", func(ctx context.Context) error {
		return b.postMessage(ctx, a.ChannelID, a.ThreadTS, m)
	}, attrs...)
	return nil
}

// mentionNote ends every answer to a mention in a channel.
const mentionNote = "_Only you can see this answer, but your message itself is visible to everyone in this channel; to keep a question confidential, send it to me in a direct message._"

// isDM reports whether a channel id is a direct message (D…).
func isDM(channel string) bool { return strings.HasPrefix(channel, "D") }

// withNote adds a last line to a message, in its text and its blocks.
func withNote(m message, note string) message {
	m.Text = truncate(m.Text, maxMessageText-len(note)-1) + "\n" + note
	if len(m.Blocks) > 0 {
		blocks := m.Blocks
		if len(blocks) >= maxMessageBlocks {
			blocks = blocks[:maxMessageBlocks-1]
		}
		m.Blocks = append(append([]slack.Block(nil), blocks...), slack.NewContextBlock("",
			slack.NewTextBlockObject(slack.MarkdownType, note, false, false)))
	}
	return m
}

// command runs a /hiec command and returns the response for Slack: the
// reply itself (ephemeral when private), or for an export a note that
// the file is on its way to the user's DM, uploaded in the background.
func (b *Bot) command(ctx context.Context, c slack.SlashCommand) slack.WebhookMessage {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), askTimeout)
	defer cancel()
	a := dialogue.Asker{UserID: c.UserID, TeamID: c.TeamID, ChannelID: c.ChannelID, Via: dialogue.ViaCommand}
	line := StripMarkup(c.Text)
	if name, _, _ := strings.Cut(strings.TrimSpace(line), " "); strings.EqualFold(name, "ask") {
		// The question is logged with the asker's name, which comes from
		// one place: the users.info display name.
		a.UserName = b.userName(ctx, c.UserID)
	}
	if m, ok := b.commandModal(ctx, c, line); ok {
		return webhookMessage(m, true)
	}
	reply, err := b.desk.Command(ctx, a, line)
	if err != nil {
		b.log.Error("command failed", "user", c.UserID, "command", c.Command, "err", err)
		return webhookMessage(message{Text: "Sorry, that did not work: something went wrong on my side. Please try again in a minute."}, true)
	}
	if reply.Kind == dialogue.KindFile && reply.File != nil && b.outbox != nil {
		f := *reply.File
		m := store.Message{Kind: kindExport, User: c.UserID, Text: "Your export " + escape(f.Name), NotifyStaff: true,
			File: &store.OutFile{Name: f.Name, Title: f.Title, Data: f.Data,
				Comment: fmt.Sprintf("Here is your export: %d %s.", f.Rows, plural(f.Rows, "question", "questions"))}}
		queued, err := b.outbox.Enqueue(ctx, m)
		if err != nil || len(queued) == 0 {
			b.log.Error("cannot queue an export", "user", c.UserID, "file", f.Name, "err", err)
			return webhookMessage(message{Text: "Sorry, I could not queue " + escape(f.Name) + " for you just now. Please try the export again in a minute."}, true)
		}
		return webhookMessage(message{Text: reply.Text + " The file is queued (" + queued[0].ID + ") and will arrive in a direct message."}, true)
	}
	if reply.Kind == dialogue.KindFile && reply.File != nil {
		f := *reply.File
		b.goJob("upload export", func(ctx context.Context) error {
			err := b.uploadToDM(ctx, c.UserID, f)
			if err != nil {
				note := message{Text: "Sorry, I could not send you " + escape(f.Name) + ". Please try the export again."}
				if rerr := b.respond(ctx, c.ResponseURL, c.ChannelID, c.UserID, note); rerr != nil {
					b.log.Error("tell the user the export failed", "user", c.UserID, "err", rerr)
				}
			}
			return err
		}, "user", c.UserID, "file", f.Name)
		return webhookMessage(message{Text: reply.Text + " I am sending the file to you in a direct message."}, true)
	}
	// Every /hiec reply is for the user alone: Slack shows the command to
	// no one else either, so a bidder's question stays between them and
	// the bot.
	return webhookMessage(b.render(reply), true)
}

// interaction handles the buttons and modals: under an answer, Helpful
// records the asker's feedback and Ask the NSG passes the question on;
// on the NSG notice, Answer and Publish open their modals and Show shows
// the question; a submitted modal answers or publishes. Each is done (and
// durable) before it returns; confirmations are sent in the background.
// It returns the response Slack wants for a modal's submission (nil
// closes it), and nil otherwise.
func (b *Bot) interaction(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), askTimeout)
	defer cancel()
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		return b.viewSubmission(ctx, cb)
	case slack.InteractionTypeBlockActions:
	default:
		return nil
	}
	a := dialogue.Asker{UserID: cb.User.ID, TeamID: cb.Team.ID, ChannelID: cb.Channel.ID}
	for _, act := range cb.ActionCallback.BlockActions {
		if act == nil {
			continue
		}
		var (
			reply dialogue.Reply
			err   error
			done  string // what the message's buttons give way to
		)
		switch act.ActionID {
		case actionNSGAnswer, actionNSGPublish, actionNSGShow:
			b.nsgAction(ctx, cb, act, a.UserID)
			continue
		case actionHelpful, actionAskNSG:
			id, ok := b.refs.decode(act.Value)
			if !ok {
				err = fmt.Errorf("button value %q: %w", act.Value, store.ErrNotFound)
				break
			}
			if act.ActionID == actionHelpful {
				reply, err = b.desk.Feedback(ctx, a, id, store.FeedbackHelpful)
				done = "_Marked helpful. Thank you._"
				break
			}
			reply, err = b.desk.Escalate(ctx, a, id)
			done = "_Passed to the NSG. Their answer will come to you in a direct message._"
			if reply.Kind == dialogue.KindClosed {
				done = "_" + escape(reply.Text) + "_"
			}
		default:
			continue
		}
		text := reply.Text
		if err == nil && reply.Kind == dialogue.KindRefused {
			// Another bidder's question: say no more than for a forged
			// or unknown reference, so a button tells no one whether
			// some question exists or whose it is.
			b.log.Warn("button refused", "action", act.ActionID, "id", act.Value, "user", a.UserID, "reason", reply.Text)
			text = actionErrorText(act.Value, store.ErrNotFound)
		}
		if err != nil {
			text = actionErrorText(act.Value, err)
			b.log.Warn("button failed", "action", act.ActionID, "id", act.Value, "user", a.UserID, "err", err)
		}
		if err == nil && reply.Kind != dialogue.KindRefused && len(cb.Message.Blocks.BlockSet) > 0 {
			// The button has done its work: it gives way to what was done.
			b.goJob("update the message", func(ctx context.Context) error {
				return b.markDone(ctx, cb, done)
			}, "action", act.ActionID, "id", act.Value)
			continue
		}
		m := message{Text: escape(text)}
		b.goJob("confirm button", func(ctx context.Context) error {
			return b.respond(ctx, cb.ResponseURL, cb.Channel.ID, cb.User.ID, m)
		}, "action", act.ActionID, "id", act.Value)
	}
	return nil
}

// commandModal opens the form a staff command stands for, when Slack
// gave a trigger: `/hiec publish Q-0042` the publication modal and
// `/hiec answer Q-0042` (with no text) the answer modal. It reports false
// for anything else, which the Desk then runs.
func (b *Bot) commandModal(ctx context.Context, c slack.SlashCommand, line string) (message, bool) {
	name, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	id := strings.TrimSpace(rest)
	name = strings.ToLower(name)
	if c.TriggerID == "" || id == "" || strings.ContainsAny(id, " \t\n") || (name != "publish" && name != "answer") || !b.desk.IsStaff(c.UserID) {
		return message{}, false
	}
	var err error
	if name == "publish" {
		var (
			q  store.Question
			cl store.Clarification
		)
		if q, cl, err = b.desk.Draft(id); err == nil {
			err = b.openView(ctx, c.TriggerID, publishModal(q, cl, modalMeta{ID: q.ID}))
		}
	} else {
		var q store.Question
		if q, err = b.desk.Records().Get(id); err == nil {
			err = b.openView(ctx, c.TriggerID, answerModal(q, modalMeta{ID: q.ID}))
		}
	}
	if err != nil {
		return message{Text: escape(err.Error())}, true
	}
	return message{Text: "Check the form I opened, then submit it."}, true
}

// actionErrorText tells the user why a button did nothing, without the
// internals of the error.
func actionErrorText(id string, err error) string {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "I could not find that question."
	case errors.Is(err, store.ErrConflict):
		return "That question has moved on (the NSG may already have answered it), so there is nothing to do."
	}
	return "Sorry, that did not work: something went wrong on my side. Please try again in a minute."
}
