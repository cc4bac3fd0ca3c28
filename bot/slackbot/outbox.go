package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/slack-go/slack"
)

// Queue is the durable outbox the Bot puts what it owes in when
// Options.Outbox is set; *store.Store is one. A sender (package outbox)
// delivers it through OutboxPoster.
type Queue interface {
	Enqueue(ctx context.Context, msgs ...store.Message) ([]store.Message, error)
	PostOnce(ctx context.Context, key, channel, text string) error
}

// metadataType marks the Slack messages the outbox sends: each carries
// its random outbox nonce (store.Message.Ref, never the M- id, a counter
// that would tell a bidder how many messages were sent) in the message
// metadata, so a post whose outcome is unknown (a timeout, a crash) can
// be found in the channel's history instead of being posted twice.
const metadataType = "hiecbot_outbox"

// Outbox message kinds.
const (
	kindAnswer        = "answer"
	kindNSGNotice     = "nsg_notice"
	kindDelivery      = "delivery"
	kindClarification = "clarification"
	kindFollower      = "follower"
	kindReminder      = "reminder"
	kindExport        = "export"
)

// stored turns a rendered message into an outbox message. Its blocks are
// encoded once: the stored JSON is the array of the blocks' encodings,
// and the copy handed to the sender carries each block with its encoding
// (encodedBlock), so posting it does not encode them again.
func stored(kind string, m message) store.Message {
	out := store.Message{Kind: kind, Text: m.Text, NotifyStaff: true}
	if len(m.Blocks) == 0 {
		return out
	}
	native := make([]slack.Block, len(m.Blocks))
	data := []byte{'['}
	for i, bl := range m.Blocks {
		enc, err := json.Marshal(bl)
		if err != nil {
			return out
		}
		if i > 0 {
			data = append(data, ',')
		}
		data = append(data, enc...)
		native[i] = encodedBlock{bl, enc}
	}
	out.Blocks, out.Native = append(data, ']'), native
	return out
}

// encodedBlock is a block with its JSON encoding, which it marshals to.
type encodedBlock struct {
	slack.Block
	json []byte
}

func (b encodedBlock) MarshalJSON() ([]byte, error) { return b.json, nil }

// Keys make the messages a change owes idempotent: the composer queues
// them with the change and the Desk's notifications (which also run for
// what was decided while no bot ran) find them queued already.
func nsgKey(q store.Question) string { return "nsg|" + q.ID }
func deliveryKey(q store.Question) string {
	at := int64(0)
	if q.AnsweredAt != nil {
		at = q.AnsweredAt.UnixNano()
	}
	return "delivered|" + q.ID + "|" + strconv.FormatInt(at, 10)
}
func clarificationKey(id string) string { return "clarification|" + id }

func (b *Bot) nsgNoticeMessage(q store.Question) (store.Message, bool) {
	if b.nsgChannel == "" {
		return store.Message{}, false
	}
	m := stored(kindNSGNotice, noticeMessage(q, ""))
	m.Key, m.Channel, m.QuestionID = nsgKey(q), b.nsgChannel, q.ID
	return m, true
}

func (b *Bot) deliveryMessage(q store.Question) (store.Message, bool) {
	if q.UserID == "" || q.Via == dialogue.ViaConsole {
		return store.Message{}, false
	}
	m := stored(kindDelivery, message{Text: deliveryText(q)})
	m.Key, m.User, m.QuestionID = deliveryKey(q), q.UserID, q.ID
	return m, true
}

func clarifiedKey(id, user string) string { return "clarified|" + id + "|" + user }

// followerMessage is a published clarification for a bidder who asked or
// followed its question.
func (b *Bot) followerMessage(user string, c store.Clarification) store.Message {
	m := stored(kindFollower, followerText(c))
	m.Key, m.User, m.QuestionID = clarifiedKey(c.ID, user), user, c.ID
	if b.bidderChannel != "" {
		// Only once every bidder has it: an asker hears no sooner, and
		// no asker alone hears it if the post to every bidder fails.
		m.After = clarificationKey(c.ID)
	}
	return m
}

func (b *Bot) clarificationMessage(c store.Clarification) (store.Message, bool) {
	if b.bidderChannel == "" {
		return store.Message{}, false
	}
	m := stored(kindClarification, message{Text: clarificationText(c)})
	m.Key, m.Channel, m.QuestionID = clarificationKey(c.ID), b.bidderChannel, c.ID
	return m, true
}

// Compose is the store's Composer: the messages a change to a question
// owes, queued in the transaction that makes the change. main wires it
// with store.SetComposer when the outbox is on.
func (b *Bot) Compose(op string, q store.Question) []store.Message {
	var (
		m  store.Message
		ok bool
	)
	switch {
	case op == "log" && !q.Late && (q.Status == store.StatusAwaiting || q.Status == store.StatusFollowing),
		op == "escalate" && q.Status == store.StatusAwaiting:
		m, ok = b.nsgNoticeMessage(q)
	case (op == "answer" || op == "cite") && q.Status == store.StatusNSGAnswered:
		m, ok = b.deliveryMessage(q)
	case op == "publish" && q.Status == store.StatusPublished:
		c := q.Clarified()
		var out []store.Message
		if m, ok := b.clarificationMessage(c); ok {
			out = append(out, m)
		}
		// Everyone who asked it, or asked the same, hears by DM.
		for _, user := range q.Askers() {
			if user == q.UserID && q.Via == dialogue.ViaConsole {
				continue
			}
			out = append(out, b.followerMessage(user, c))
		}
		for i := range out {
			out[i].QuestionID = q.ID
		}
		return out
	}
	if !ok {
		return nil
	}
	return []store.Message{m}
}

// replyMessages is the reply to a question as the outbox holds it: in a
// DM or a thread, or for a mention in a channel, shown to the asker alone.
func (b *Bot) replyMessages(a dialogue.Asker, r dialogue.Reply) []store.Message {
	rendered := b.render(r)
	ephemeral := a.Via == dialogue.ViaMention && !isDM(a.ChannelID)
	if ephemeral {
		rendered = withNote(rendered, mentionNote)
	}
	m := stored(kindAnswer, rendered)
	m.Channel, m.ThreadTS = a.ChannelID, a.ThreadTS
	if ephemeral {
		m.Ephemeral, m.User = true, a.UserID
	}
	return []store.Message{m}
}

// replyRenderer is replyMessages in two steps (dialogue.ReplyRenderer):
// the blocks of a confident answer that do not depend on the question's
// id (the quoted passage, its citation, the other references) are laid
// out and encoded before the question is logged, and only the buttons,
// whose value is the question's reference, are made in the transaction
// that logs it.
type replyRenderer struct {
	b *Bot
	a dialogue.Asker
}

// preparedAnswer is the blocks of a confident answer above its buttons,
// each with its encoding, and the stored JSON of them so far: "[" and
// the encodings, each followed by ",".
type preparedAnswer struct {
	native []slack.Block
	data   []byte
}

func (rr replyRenderer) ephemeral() bool {
	return rr.a.Via == dialogue.ViaMention && !isDM(rr.a.ChannelID)
}

func (rr replyRenderer) Prepare(res knowledge.Result) any {
	if !res.Confident || len(res.Answers) == 0 || rr.ephemeral() {
		return nil // no blocks, or a note after them: all is done in Messages
	}
	body := answerBody(res)
	p := &preparedAnswer{native: make([]slack.Block, len(body)), data: []byte{'['}}
	for i, bl := range body {
		enc, err := json.Marshal(bl)
		if err != nil {
			return nil
		}
		p.data = append(append(p.data, enc...), ',')
		p.native[i] = encodedBlock{bl, enc}
	}
	return p
}

func (rr replyRenderer) Messages(r dialogue.Reply, prepared any) []store.Message {
	p, ok := prepared.(*preparedAnswer)
	if !ok || r.Kind != dialogue.KindAnswer || r.Question == nil || len(r.Result.Answers) == 0 {
		return rr.b.replyMessages(rr.a, r)
	}
	actions := answerActions(rr.b.refs.encode(r.Question.ID))
	enc, err := json.Marshal(actions)
	if err != nil {
		return rr.b.replyMessages(rr.a, r)
	}
	m := store.Message{Kind: kindAnswer, Text: truncate(escape(r.Text), maxMessageText), NotifyStaff: true,
		Channel: rr.a.ChannelID, ThreadTS: rr.a.ThreadTS}
	m.Blocks = append(append(append(make([]byte, 0, len(p.data)+len(enc)+1), p.data...), enc...), ']')
	m.Native = append(slices.Clip(p.native), encodedBlock{actions, enc})
	return []store.Message{m}
}

// queue puts messages in the outbox. It is used by the notifier methods,
// which the Desk also calls for what was decided while no bot was running.
func (b *Bot) queue(ctx context.Context, msgs ...store.Message) error {
	_, err := b.outbox.Enqueue(ctx, msgs...)
	return err
}

// PostOnce queues a reminder's post exactly once for its ledger key; the
// reminders scheduler uses it when the outbox is on.
func (b *Bot) PostOnce(ctx context.Context, key, channel, text string) error {
	if b.outbox == nil {
		return errors.New("post once: the outbox is off")
	}
	return b.outbox.PostOnce(ctx, key, channel, truncate(escape(text), maxMessageText))
}

// OutboxPoster is the Bot as the outbox sender's Poster: it sends one
// queued message in one attempt, and finds one in Slack by its outbox nonce.
func (b *Bot) OutboxPoster() *Poster { return &Poster{b: b} }

// Poster sends outbox messages to Slack.
type Poster struct{ b *Bot }

// sendError is a failed attempt, classified for the sender: permanent
// failures (channel_not_found, not_in_channel, is_archived, invalid_auth…)
// are not retried; a rate limit says how long to wait.
type sendError struct {
	err        error
	permanent  bool
	retryAfter time.Duration
	// blocks says Slack refused for what would refuse a post too (the
	// conversation gone, the bot out of it, the token refused), not for
	// the method alone (a missing history scope).
	blocks bool
}

func (e *sendError) Error() string             { return e.err.Error() }
func (e *sendError) Unwrap() error             { return e.err }
func (e *sendError) Permanent() bool           { return e.permanent }
func (e *sendError) RetryAfter() time.Duration { return e.retryAfter }
func (e *sendError) BlocksPost() bool          { return e.blocks }

// blockingCodes are the Slack errors that refuse any post to the
// conversation, whatever the method that met them.
var blockingCodes = []string{"channel_not_found", "is_archived", "not_in_channel", "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "user_not_found"}

func classify(method string, err error) error {
	if err == nil {
		return nil
	}
	e := &sendError{err: fmt.Errorf("%s: %w", method, err)}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		e.retryAfter = rl.RetryAfter
		return e
	}
	if _, ok := retryDelay(err, time.Second); ok {
		return e
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		e.permanent = sc.Code >= 400 && sc.Code < 500 && sc.Code != http.StatusRequestTimeout && sc.Code != http.StatusTooManyRequests
		return e
	}
	var se slack.SlackErrorResponse
	e.permanent = errors.As(err, &se)
	e.blocks = e.permanent && slices.Contains(blockingCodes, se.Err)
	return e
}

// target is the conversation m goes to, opening the DM for a message to a
// user.
func (p *Poster) target(ctx context.Context, m store.Message) (string, error) {
	if m.Channel != "" {
		return m.Channel, nil
	}
	var ch *slack.Channel
	_, err := func() (struct{}, error) {
		var err error
		ch, _, _, err = p.b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{m.User}})
		return struct{}{}, err
	}()
	if err != nil {
		return "", classify("conversations.open", err)
	}
	if ch == nil || ch.ID == "" {
		return "", &sendError{err: fmt.Errorf("conversations.open for %s returned no channel", m.User)}
	}
	return ch.ID, nil
}

// Send makes one attempt at delivering m and returns the Slack timestamp
// of the message it made.
func (p *Poster) Send(ctx context.Context, m store.Message) (string, error) {
	channel, err := p.target(ctx, m)
	if err != nil {
		return "", err
	}
	if m.File != nil {
		if len(m.File.Data) == 0 {
			m.Text, m.File = "The export "+escape(m.File.Name)+" is empty.", nil
		} else {
			f, err := p.b.api.UploadFileContext(ctx, slack.UploadFileParameters{
				Reader: bytes.NewReader(m.File.Data), FileSize: len(m.File.Data),
				Filename: m.File.Name, Title: m.File.Title, Channel: channel,
				InitialComment: m.File.Comment + " (" + m.ID + ")", // an export, for staff: the id their confirmation named
			})
			if err != nil {
				return "", classify("files.uploadV2", err)
			}
			return f.ID, nil
		}
	}
	if !m.Ephemeral {
		ts, err := p.postMessage(ctx, channel, m)
		return ts, classify("chat.postMessage", err)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if native, ok := m.Native.([]slack.Block); ok && len(native) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(native...))
	} else if len(m.Blocks) > 0 { // read back from the store
		var bl slack.Blocks
		if err := json.Unmarshal(m.Blocks, &bl); err == nil && len(bl.BlockSet) > 0 {
			opts = append(opts, slack.MsgOptionBlocks(bl.BlockSet...))
		}
	}
	if m.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(m.ThreadTS))
	}
	ts, err := p.b.api.PostEphemeralContext(ctx, channel, m.User, opts...)
	return ts, classify("chat.postEphemeral", err)
}

// outboxMetadata is the metadata a post from the outbox carries.
type outboxMetadata struct {
	EventType    string `json:"event_type"`
	EventPayload struct {
		ID string `json:"id"`
	} `json:"event_payload"`
}

// postResponse is what the bot reads of chat.postMessage's answer: Slack
// echoes the whole message back, which the sender does not need.
type postResponse struct {
	TS string `json:"ts"`
	slack.SlackResponse
}

// postMessage makes one chat.postMessage call for m, in channel, with its
// outbox nonce in the metadata. The blocks go as the outbox holds them,
// encoded once when m was queued: they are not decoded and encoded again
// to be posted. Its errors are those of the Slack client (a
// RateLimitedError for a 429 with Retry-After, a StatusCodeError for
// another status, a SlackErrorResponse for ok:false), so the sender tells
// them apart as it does for every other call.
func (p *Poster) postMessage(ctx context.Context, channel string, m store.Message) (string, error) {
	var blocks []byte
	if _, ok := m.Native.([]slack.Block); ok || json.Valid(m.Blocks) { // read back from the store: checked
		if b := bytes.TrimSpace(m.Blocks); len(b) > 2 && b[0] == '[' {
			blocks = b
		}
	}
	var meta outboxMetadata
	meta.EventType, meta.EventPayload.ID = metadataType, m.Ref()
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return "", err
	}
	token := []byte(p.b.slack.BotToken.Value())
	form := make([]byte, 0, 64+queryEscapedLen(token)+queryEscapedLen([]byte(channel))+queryEscapedLen([]byte(m.Text))+queryEscapedLen(blocks)+queryEscapedLen([]byte(m.ThreadTS))+queryEscapedLen(metaJSON))
	field := func(name string, value []byte) {
		if len(form) > 0 {
			form = append(form, '&')
		}
		form = append(form, name...)
		form = append(form, '=')
		form = appendQueryEscape(form, value)
	}
	field("token", token)
	field("channel", []byte(channel))
	field("text", []byte(m.Text))
	if blocks != nil {
		field("blocks", blocks)
	}
	if m.ThreadTS != "" {
		field("thread_ts", []byte(m.ThreadTS))
	}
	field("metadata", metaJSON)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.b.slack.APIURL+"chat.postMessage", bytes.NewReader(form))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.b.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "" {
		secs, err := strconv.ParseInt(resp.Header.Get("Retry-After"), 10, 64)
		if err != nil {
			return "", err
		}
		return "", &slack.RateLimitedError{RetryAfter: time.Duration(secs) * time.Second}
	}
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // keep the connection
		return "", slack.StatusCodeError{Code: resp.StatusCode, Status: resp.Status}
	}
	var r postResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return "", err
	}
	if err := r.Err(); err != nil {
		return "", err
	}
	return r.TS, nil
}

// appendQueryEscape appends v escaped as a form value, as
// url.QueryEscape does.
func appendQueryEscape(dst, v []byte) []byte {
	const hex = "0123456789ABCDEF"
	for _, c := range v {
		switch formClass[c] {
		case formKeep:
			dst = append(dst, c)
		case formSpace:
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}

// queryEscapedLen is the length of v escaped by appendQueryEscape.
func queryEscapedLen(v []byte) int {
	n := len(v)
	for _, c := range v {
		if formClass[c] == formEscape {
			n += 2
		}
	}
	return n
}

// formClass says how each byte goes in a form value: as it is (the
// unreserved bytes), a space as "+", anything else %-escaped.
var formClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			t[c] = formKeep
		case c == ' ':
			t[c] = formSpace
		default:
			t[c] = formEscape
		}
	}
	return t
}()

const (
	formEscape = iota
	formKeep
	formSpace
)

// Find looks for m in its conversation (its thread, for a reply in a
// thread) among the messages since since, by the outbox nonce in their
// metadata (or, for an upload, in its comment). An ephemeral message
// leaves no trace to find: found is false.
func (p *Poster) Find(ctx context.Context, m store.Message, since time.Time) (string, bool, error) {
	if m.Ephemeral {
		return "", false, nil
	}
	channel, err := p.target(ctx, m)
	if err != nil {
		return "", false, err
	}
	oldest := strconv.FormatInt(since.Unix(), 10)
	match := func(msgs []slack.Message) (string, bool) {
		for _, x := range msgs {
			if x.Metadata.EventType == metadataType && fmt.Sprint(x.Metadata.EventPayload["id"]) == m.Ref() {
				return x.Timestamp, true
			}
			if m.File != nil && strings.Contains(x.Text, "("+m.ID+")") {
				return x.Timestamp, true
			}
		}
		return "", false
	}
	cursor := ""
	for page := 0; page < 10; page++ {
		var (
			msgs []slack.Message
			more bool
		)
		if m.ThreadTS != "" {
			var err error
			msgs, more, cursor, err = p.b.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: channel, Timestamp: m.ThreadTS, Oldest: oldest, Cursor: cursor, Limit: 200, IncludeAllMetadata: true})
			if err != nil {
				return "", false, classify("conversations.replies", err)
			}
		} else {
			resp, err := p.b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: channel, Oldest: oldest, Cursor: cursor, Limit: 200, IncludeAllMetadata: true})
			if err != nil {
				return "", false, classify("conversations.history", err)
			}
			msgs, more, cursor = resp.Messages, resp.HasMore, resp.ResponseMetaData.NextCursor
		}
		if ts, ok := match(msgs); ok {
			return ts, true, nil
		}
		if !more || cursor == "" {
			break
		}
	}
	return "", false, nil
}
