// Package dialogue is hiecbot's transport-free core: it answers a bidder's
// question from the knowledge index, logs it for the National Steering
// Group (NSG), passes on what the sources do not cover, and runs the
// commands that Slack's /hiec and the console share.
//
// Adapters (Slack, the console) turn their input into calls on a Desk and
// render the Reply they get back; everything that has to reach someone
// other than the person asking goes through a Notifier.
//
// It may import knowledge, bot/store and reminders; it must not
// import net, Slack, the console or the admin socket (TestNoTransport).
package dialogue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/hiec/hiecbot/reminders"
)

// Engine answers questions from the sources; *knowledge.Engine is one.
type Engine interface {
	Answer(question string) (knowledge.Result, error)
	// Lookup resolves a citation staff typed ("Guide, slide 17") to its
	// passage.
	Lookup(citation string) (knowledge.Answer, bool)
	// AddPhrasing indexes question as another way of asking what the
	// cited passage answers (staff answered it by citing the passage).
	AddPhrasing(citation, question string) error
	// AddClarification indexes a published clarification, cited "NSG
	// clarification C-001".
	AddClarification(number, question, answer string) error
}

// Log is the durable question log; *store.Store is one.
type Log interface {
	Log(ctx context.Context, q *store.Question) error
	LogOnce(ctx context.Context, key string, q *store.Question) (bool, error)
	FirstSeen(key string) (bool, error)
	Get(id string) (store.Question, error)
	List(f store.Filter) ([]store.Question, error)
	Count(f store.Filter) (int, error)
	LogFollower(ctx context.Context, key string, q *store.Question, target string) (followed, first bool, err error)
	RecordAnswer(id, text, by string) (store.Question, error)
	Cite(id, citation, text, by string) (store.Question, error)
	Publish(id string, w store.Wording, by string) (store.Question, error)
	History(id string) ([]store.AuditEntry, error)
	RecordExport(by string, format store.Format, f store.Filter, rows int) error
	// RecordView records that by was shown bidders' questions (see
	// store.Store.RecordView).
	RecordView(by, what, id string, rows int) error
	Escalate(id, by string) (store.Question, error)
	SetFeedback(id, feedback string) (store.Question, error)
	Export(w io.Writer, format store.Format, f store.Filter) (int, error)
}

// ErrNoBidderChannel means there is no bidders' channel to publish in
// (reminders.channel is not set): a clarification posted only to its
// askers would reach some bidders and not others, so none is published.
var ErrNoBidderChannel = errors.New("no bidders' channel is configured (reminders.channel)")

// NoBidderChannelAdvice says what to do when publishing is refused with
// ErrNoBidderChannel.
const NoBidderChannelAdvice = "a clarification must reach every bidder, so nothing was published; set reminders.channel in the configuration to the channel every bidder is in, and restart the bot"

// PublishChecker is a Notifier that can say, before anything changes,
// whether a clarification published now would reach every bidder; the
// error wraps ErrNoBidderChannel.
type PublishChecker interface {
	CanPublish() error
}

// canPublish refuses to publish id while the notifier cannot reach every
// bidder.
func (d *Desk) canPublish(id string) error {
	pc, ok := d.notifier.(PublishChecker)
	if !ok {
		return nil
	}
	if err := pc.CanPublish(); err != nil {
		return fmt.Errorf("publish %s: %w", strings.TrimSpace(id), err)
	}
	return nil
}

// Notifier carries what the Desk sends to people other than the one
// asking: the Slack adapter posts it, the console prints it.
type Notifier interface {
	// NotifyNSG announces a question that awaits the NSG, or (Follows
	// set) one that was found to ask what another awaiting question asks.
	NotifyNSG(ctx context.Context, q store.Question) error
	// DeliverAnswer gives the asker the NSG's answer, privately (a DM).
	// When q.Cited is set the answer is that passage, cited.
	DeliverAnswer(ctx context.Context, q store.Question) error
	// Publish posts an anonymised clarification for every bidder.
	Publish(ctx context.Context, c store.Clarification) error
	// DeliverClarification sends a published clarification privately to
	// one bidder who asked it or followed it.
	DeliverClarification(ctx context.Context, userID string, c store.Clarification) error
}

// Asker is who asked and where.
type Asker struct {
	UserID   string
	UserName string
	TeamID   string
	// ChannelID and ThreadTS say where the question came from, so an NSG
	// answer can be delivered there.
	ChannelID string
	ThreadTS  string
	// Via is dm, mention, command or console.
	Via string
}

// Ways a question arrives.
const (
	ViaDM      = "dm"
	ViaMention = "mention"
	ViaCommand = "command"
	ViaConsole = "console"
)

// Kind says what a Reply is, so adapters can render it.
type Kind int

// Kinds of Reply.
const (
	// KindAnswer is a confident answer from the sources.
	KindAnswer Kind = iota + 1
	// KindNotCovered says the sources do not cover the question and that
	// it has gone to the NSG.
	KindNotCovered
	// KindSmallTalk answers a greeting, thanks or a request for help.
	KindSmallTalk
	// KindText is the output of a command.
	KindText
	// KindFile is an export to hand over as a file.
	KindFile
	// KindRefused is a command the user may not run, or bad input.
	KindRefused
	// KindClosed says the sources do not cover the question and that the
	// informal dialogue has closed, so it was not passed on.
	KindClosed
	// KindPublishDraft is the wording a publication would post (Draft
	// set): an adapter that can show a form lets staff edit it there.
	KindPublishDraft
)

// Reply is what a Desk answers; Text is always a complete plain rendering
// (mrkdwn), so an adapter that cannot do better shows Text.
type Reply struct {
	Kind Kind
	Text string
	// Question is the logged question, for answers and notices.
	Question *store.Question
	// Result holds the passages behind an answer.
	Result knowledge.Result
	// Private replies are for the user alone (Slack: ephemeral).
	Private bool
	// File is set for KindFile.
	File *File
	// Queued says the reply itself is already in the outbox (see
	// WithReplyMessages), so the adapter must not send it again.
	Queued bool
	// Draft is set for KindPublishDraft.
	Draft *store.Clarification
}

// File is an export ready to upload or write.
type File struct {
	Name  string
	Title string
	Data  []byte
	Rows  int
}

// Options configures a Desk.
type Options struct {
	// Staff reports whether a user id may run the NSG commands.
	Staff func(userID string) bool
	// Timeline gives the deadlines and milestones as of a time, for
	// /hiec deadlines and App Home (reminders.TimelineOf(cfg.Reminders)
	// is one); without it there are none.
	Timeline func(now time.Time) []reminders.Milestone
	// Location is the timezone people write and read dates in
	// (reminders.timezone): export dates, the dialogue's close. UTC when nil.
	Location *time.Location
	// Notifier defaults to one that drops everything.
	Notifier Notifier
	// Ledger, when set, records deliveries so that answers given while no
	// bot was running are delivered by DeliverPending.
	Ledger reminders.Ledger
	// Closes is when the informal dialogue closes (dialogue.closes); zero
	// means it does not. After it, questions the sources do not cover are
	// logged as late and not passed to the NSG.
	Closes time.Time
	Logger *slog.Logger
	Now    func() time.Time
}

// Desk is the one place questions are answered, logged and passed on.
// It is safe for concurrent use.
type Desk struct {
	engine    Engine
	questions Log // the question log
	notifier  Notifier
	ledger    reminders.Ledger
	staff     func(string) bool
	timeline  func(time.Time) []reminders.Milestone
	loc       *time.Location
	closes    time.Time
	logger    *slog.Logger
	now       func() time.Time
	// awaiting indexes the questions awaiting the NSG when the log is
	// Watched; nil otherwise.
	awaiting *awaitingIndex

	bgMu    sync.Mutex
	bg      sync.WaitGroup // notifications in flight
	waiting bool           // Wait has been called: run notifications inline
}

// New returns a Desk answering with engine and logging to questions.
func New(engine Engine, questions Log, opts Options) *Desk {
	d := &Desk{engine: engine, questions: questions, notifier: opts.Notifier, staff: opts.Staff,
		ledger: opts.Ledger, timeline: opts.Timeline, loc: opts.Location, closes: opts.Closes, logger: opts.Logger, now: opts.Now}
	if d.notifier == nil {
		d.notifier = discard{}
	}
	if d.staff == nil {
		d.staff = func(string) bool { return false }
	}
	if d.logger == nil {
		d.logger = slog.New(slog.DiscardHandler)
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.timeline == nil {
		d.timeline = func(time.Time) []reminders.Milestone { return nil }
	}
	if d.loc == nil {
		d.loc = time.UTC
	}
	if w, ok := questions.(Watched); ok {
		d.awaiting = newAwaitingIndex(w)
	}
	return d
}

// SetNotifier replaces the notifier; adapters that are built after the
// Desk (they need it to handle events) call it before serving.
func (d *Desk) SetNotifier(n Notifier) { d.notifier = n }

// IsStaff reports whether the user may run the NSG commands.
func (d *Desk) IsStaff(userID string) bool { return d.staff(userID) }

// Wait blocks until the notifications the Desk has started are done.
// Notifications started while or after it waits run before the call that
// started them returns, so nothing is left behind at shutdown.
func (d *Desk) Wait() {
	d.bgMu.Lock()
	d.waiting = true
	d.bgMu.Unlock()
	d.bg.Wait()
	d.bgMu.Lock()
	d.waiting = false
	d.bgMu.Unlock()
}

// Ask answers a question. Small talk gets a friendly reply and is not
// logged; anything else is answered from the sources and durably logged
// before Ask returns, so an adapter may acknowledge it. A question the
// sources do not cover is announced to the NSG in the background.
func (d *Desk) Ask(ctx context.Context, a Asker, text string) (Reply, error) {
	return d.AskOnce(ctx, a, text, "")
}

// ErrRepeat is returned by AskOnce for a delivery already handled.
var ErrRepeat = errors.New("this delivery was already handled")

// AskOnce is Ask for a question delivered with a key (a Slack event id):
// the key is recorded with the question in one durable write, so a
// retried delivery gets ErrRepeat and is neither logged nor answered
// twice, while a delivery that failed may be retried. An empty key makes
// it Ask.
func (d *Desk) AskOnce(ctx context.Context, a Asker, text, key string) (Reply, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		if err := d.once(key); err != nil {
			return Reply{}, err
		}
		return Reply{}, knowledge.ErrEmptyQuestion
	}
	if kind := smallTalk(text); kind != notSmallTalk {
		r := Reply{Kind: KindSmallTalk, Text: smallTalkReply(kind)}
		queued, err := d.onceQueuing(ctx, key, r)
		if err != nil {
			return Reply{}, err
		}
		r.Queued = queued
		return r, nil
	}
	res, err := d.engine.Answer(text)
	if err != nil {
		return Reply{}, fmt.Errorf("answer %q: %w", text, err)
	}
	q := store.Question{
		UserID: a.UserID, UserName: a.UserName, TeamID: a.TeamID,
		ChannelID: a.ChannelID, ThreadTS: a.ThreadTS, Via: a.Via,
		Question: text, Confident: res.Confident, Status: store.StatusAnswered,
	}
	for _, ans := range res.Answers {
		q.Refs = append(q.Refs, store.Ref{Source: ans.Source, Ref: ans.Ref, Title: ans.Title, Citation: ans.Citation, Score: ans.Score})
	}
	if rr, ok := replyRendererOf(ctx); ok {
		// The adapter queues its reply in the transaction that logs the
		// question, so an acknowledged question always has its answer owed.
		// What it can render before knowing the question's id it renders
		// here, outside the transaction: the transactions of every
		// question asked at once commit one at a time.
		prepared := rr.Prepare(res)
		ctx = store.WithMessages(ctx, func(logged store.Question) []store.Message {
			return rr.Messages(d.reply(logged, res), prepared)
		})
	}
	if !res.Confident {
		return d.pass(ctx, q, res, key)
	}
	if err := d.logQuestion(ctx, key, &q); err != nil {
		return Reply{}, err
	}
	return d.reply(q, res), nil
}

// reply is the answer to a logged question, by what the log made of it:
// answered, late, or with the NSG. A question that follows another gets
// the reply of any question passed to the NSG: telling its asker that a
// question like theirs is already there would let a bidder test, by
// asking, what other bidders have asked.
func (d *Desk) reply(q store.Question, res knowledge.Result) Reply {
	switch {
	case q.Late:
		return Reply{Kind: KindClosed, Text: closedText(d.closesLabel()), Question: &q, Result: res}
	case !res.Confident:
		return Reply{Kind: KindNotCovered, Text: notCoveredText(), Question: &q, Result: res}
	}
	return Reply{Kind: KindAnswer, Text: AnswerText(res, q.ID), Question: &q, Result: res}
}

type replyOutboxKey struct{}

// WithReplyMessages returns a context under which AskOnce queues the
// messages out makes of its Reply in the question log's outbox, in the
// same transaction that logs the question (see store.WithMessages).
func WithReplyMessages(ctx context.Context, out func(Reply) []store.Message) context.Context {
	return WithReplyRenderer(ctx, replyFunc(out))
}

// A ReplyRenderer makes the messages of a reply the outbox is to hold (see
// WithReplyRenderer) in two steps, so that most of the work can be done
// before the question is logged.
type ReplyRenderer interface {
	// Prepare is called with the engine's result for a question before
	// it is logged, outside the transaction that logs it; what it returns
	// (nil for nothing) is handed to Messages.
	Prepare(res knowledge.Result) any
	// Messages returns the messages of r, the reply to the question as
	// it was logged, inside the transaction that logs it: the same
	// messages whatever Prepare returned (prepared is nil for a reply
	// with no result, such as small talk).
	Messages(r Reply, prepared any) []store.Message
}

// WithReplyRenderer is WithReplyMessages for an adapter that renders a
// reply in two steps: AskOnce queues rr's messages for its Reply in the
// transaction that logs the question, having called rr.Prepare before it.
func WithReplyRenderer(ctx context.Context, rr ReplyRenderer) context.Context {
	return context.WithValue(ctx, replyOutboxKey{}, rr)
}

func replyRendererOf(ctx context.Context) (ReplyRenderer, bool) {
	rr, ok := ctx.Value(replyOutboxKey{}).(ReplyRenderer)
	return rr, ok
}

// replyFunc is a ReplyRenderer that does all its work in Messages.
type replyFunc func(Reply) []store.Message

func (replyFunc) Prepare(knowledge.Result) any              { return nil }
func (f replyFunc) Messages(r Reply, _ any) []store.Message { return f(r) }

// logQuestion logs q, once for key when key is set.
func (d *Desk) logQuestion(ctx context.Context, key string, q *store.Question) error {
	var err error
	if key == "" {
		err = d.questions.Log(ctx, q)
	} else {
		var first bool
		if first, err = d.questions.LogOnce(ctx, key, q); err == nil && !first {
			return ErrRepeat
		}
	}
	if err != nil {
		return fmt.Errorf("log question: %w", err)
	}
	d.logger.Info("question", "id", q.ID, "via", q.Via, "user", q.UserID, "confident", q.Confident, "status", q.Status, "late", q.Late)
	return nil
}

// pass handles a question the sources do not cover. After the dialogue
// has closed it is logged as late and not passed on. Otherwise, when a
// question already awaiting the NSG asks the same thing, it is logged as
// following that one; and when none does, it is logged as awaiting and
// announced to the NSG.
func (d *Desk) pass(ctx context.Context, q store.Question, res knowledge.Result, key string) (Reply, error) {
	q.Status = store.StatusAwaiting
	if d.Closed() {
		q.Late = true
		if err := d.logQuestion(ctx, key, &q); err != nil {
			return Reply{}, err
		}
		return d.reply(q, res), nil
	}
	target, err := d.duplicate(q.Question)
	if err != nil {
		// Finding a duplicate is a convenience; the question still goes on.
		d.logger.Error("look for a duplicate question", "err", err)
	}
	if target != "" {
		// q.Status says whether it follows target, for staff; its asker
		// gets the reply of any question passed on (see reply).
		_, first, err := d.questions.LogFollower(ctx, key, &q, target)
		switch {
		case err != nil:
			return Reply{}, fmt.Errorf("log question: %w", err)
		case !first:
			return Reply{}, ErrRepeat
		}
		d.logger.Info("question", "id", q.ID, "via", q.Via, "user", q.UserID, "confident", false, "status", q.Status, "follows", q.Follows)
		d.background(func(ctx context.Context) { d.notifyNSG(ctx, q) })
		return d.reply(q, res), nil
	}
	if err := d.logQuestion(ctx, key, &q); err != nil {
		return Reply{}, err
	}
	d.background(func(ctx context.Context) { d.notifyNSG(ctx, q) })
	return d.reply(q, res), nil
}

// duplicate returns the id of the question awaiting the NSG that asks
// most nearly what text asks, if one is similar enough (of equally similar
// ones the oldest); "" if none is.
func (d *Desk) duplicate(text string) (string, error) {
	if d.awaiting != nil {
		return d.awaiting.match(text)
	}
	return d.duplicateByScan(text)
}

// duplicateByScan is duplicate reading every awaiting question from the
// log.
func (d *Desk) duplicateByScan(text string) (string, error) {
	qs, err := d.questions.List(store.Filter{Status: []store.Status{store.StatusAwaiting}})
	if err != nil {
		return "", fmt.Errorf("list awaiting questions: %w", err)
	}
	best, bestScore := "", 0.0
	for _, q := range qs {
		if q.Late {
			continue
		}
		if s := Similarity(text, q.Question); s >= DuplicateThreshold && s > bestScore {
			best, bestScore = q.ID, s
		}
	}
	return best, nil
}

// Closed reports whether the informal dialogue has closed.
func (d *Desk) Closed() bool { return !d.closes.IsZero() && !d.now().Before(d.closes) }

// Closes is when the informal dialogue closes; zero when it does not.
func (d *Desk) Closes() time.Time { return d.closes }

// ClosesLine says when questions to the NSG close, or closed; "" when no
// closing time is set.
func (d *Desk) ClosesLine() string {
	if d.closes.IsZero() {
		return ""
	}
	if d.Closed() {
		return "Questions to the National Steering Group closed on " + d.closesLabel() + " (informal dialogue)."
	}
	return "Questions to the National Steering Group close on " + d.closesLabel() + " (informal dialogue)."
}

// closesLabel writes the closing time in the reminders' timezone.
func (d *Desk) closesLabel() string {
	return d.closes.In(d.loc).Format("Monday 2 January 2006 15:04 MST")
}

// onceQueuing is once for a reply that is not logged as a question: when
// the adapter queues its replies (WithReplyMessages) and the log can, r is
// queued with the key in one transaction, and queued is true.
func (d *Desk) onceQueuing(ctx context.Context, key string, r Reply) (bool, error) {
	rr, ok := replyRendererOf(ctx)
	fs, can := d.questions.(interface {
		FirstSeenWith(ctx context.Context, key string) (bool, error)
	})
	if !ok || !can || key == "" {
		return false, d.once(key)
	}
	ctx = store.WithMessages(ctx, func(store.Question) []store.Message { return rr.Messages(r, nil) })
	first, err := fs.FirstSeenWith(ctx, key)
	if err != nil {
		return false, fmt.Errorf("record delivery %s: %w", key, err)
	}
	if !first {
		return false, ErrRepeat
	}
	return true, nil
}

// once records a delivery key for a message that is not logged: nil the
// first time, ErrRepeat after.
func (d *Desk) once(key string) error {
	if key == "" {
		return nil
	}
	first, err := d.questions.FirstSeen(key)
	if err != nil {
		return fmt.Errorf("record delivery %s: %w", key, err)
	}
	if !first {
		return ErrRepeat
	}
	return nil
}

// Escalate passes an answered question on to the NSG (the "Ask the NSG"
// button). Only the asker or NSG staff may do it.
func (d *Desk) Escalate(ctx context.Context, a Asker, id string) (Reply, error) {
	q, err := d.questions.Get(id)
	if err != nil {
		return Reply{}, err
	}
	if q.UserID != a.UserID && !d.staff(a.UserID) {
		return refused("Only the person who asked this question can pass it to the NSG."), nil
	}
	if d.Closed() && !d.staff(a.UserID) && q.Status == store.StatusAnswered {
		return Reply{Kind: KindClosed, Private: true, Question: &q, Text: "The informal dialogue closed on " + d.closesLabel() +
			", so I can no longer pass questions to the National Steering Group. The guide and the published clarifications still answer what they cover."}, nil
	}
	before := q.Status
	if q, err = d.questions.Escalate(id, a.UserID); err != nil {
		return Reply{}, err
	}
	if before != store.StatusAwaiting {
		d.background(func(ctx context.Context) { d.notifyNSG(ctx, q) })
	}
	return Reply{Kind: KindText, Private: true, Question: &q,
		Text: "Thanks: your question has gone to the National Steering Group. Their answer will come to you in a direct message."}, nil
}

// Feedback records whether an answer helped. Only the asker's feedback
// counts.
func (d *Desk) Feedback(ctx context.Context, a Asker, id, feedback string) (Reply, error) {
	q, err := d.questions.Get(id)
	if err != nil {
		return Reply{}, err
	}
	if q.UserID != a.UserID {
		return refused("Only the person who asked this question can rate its answer."), nil
	}
	if _, err := d.questions.SetFeedback(id, feedback); err != nil {
		return Reply{}, err
	}
	return Reply{Kind: KindText, Private: true, Text: "Thanks for the feedback."}, nil
}

// AnswerQuestion records the NSG's answer to a question and delivers it
// to the asker, by DM. The answer stays private to its asker: it is not
// added to the knowledge index, so no other bidder is answered from it,
// until staff publish it (PublishQuestion).
func (d *Desk) AnswerQuestion(ctx context.Context, by, id, text string) (store.Question, error) {
	q, err := d.questions.RecordAnswer(id, text, by)
	if err != nil {
		return store.Question{}, err
	}
	d.background(func(ctx context.Context) { d.deliver(ctx, q) })
	return q, nil
}

// ErrNoPassage is returned by CiteQuestion for a citation that names no
// single passage.
var ErrNoPassage = knowledge.ErrNoPassage

// CiteQuestion records that staff answered a question by pointing at an
// existing passage (citation as they typed it, resolved by the engine):
// the asker gets that passage, cited, by DM, and the question becomes
// another phrasing indexed with the passage, so the next bidder who asks
// it that way is answered from it. The passage is public already, so
// nothing private is shared.
func (d *Desk) CiteQuestion(ctx context.Context, by, id, citation string) (store.Question, error) {
	ans, ok := d.engine.Lookup(citation)
	if !ok {
		return store.Question{}, fmt.Errorf("cite %s: %w: %q matches no passage, or several; give a citation as the bot shows it, e.g. \"Guide, slide 17\"", strings.TrimSpace(id), ErrNoPassage, strings.TrimSpace(citation))
	}
	q, err := d.questions.Cite(id, ans.Citation, ans.Text, by)
	if err != nil {
		return store.Question{}, err
	}
	if err := d.engine.AddPhrasing(ans.Citation, q.Question); err != nil {
		// The citation is stored and will be indexed at the next start.
		d.logger.Error("index the question as a phrasing of its passage", "id", q.ID, "citation", ans.Citation, "err", err)
	}
	d.background(func(ctx context.Context) { d.deliver(ctx, q) })
	return q, nil
}

// PublishQuestion publishes an answered question as an anonymised
// clarification for every bidder, in the wording w (empty fields keep the
// text as asked and answered): it is numbered in its own sequence, joins
// the knowledge index at once, goes to the bidders' channel and, by DM,
// to everyone who asked it or followed it.
//
// Publication must reach every bidder or not happen: while the notifier
// says it has nowhere to post for all of them (PublishChecker), nothing
// is published and the error wraps ErrNoBidderChannel.
func (d *Desk) PublishQuestion(ctx context.Context, by, id string, w store.Wording) (store.Question, error) {
	if err := d.canPublish(id); err != nil {
		return store.Question{}, err
	}
	q, err := d.questions.Publish(id, w, by)
	if err != nil {
		return store.Question{}, err
	}
	c := q.Clarified()
	if err := d.engine.AddClarification(c.ID, c.Question, c.Answer); err != nil {
		// The publication is stored and will be indexed at the next start.
		d.logger.Error("index clarification", "id", q.ID, "clarification", c.ID, "err", err)
	}
	d.background(func(ctx context.Context) {
		// Its askers hear it only once every bidder can (see
		// DeliverPending).
		if d.announce(ctx, q.ID, c) {
			d.clarify(ctx, q, c)
		}
	})
	return q, nil
}

// Draft is what publishing question id as it stands would post, for staff
// to check and reword before they publish. Only NSG-answered questions
// have one.
func (d *Desk) Draft(id string) (store.Question, store.Clarification, error) {
	if err := d.canPublish(id); err != nil {
		return store.Question{}, store.Clarification{}, err
	}
	q, err := d.questions.Get(id)
	if err != nil {
		return store.Question{}, store.Clarification{}, err
	}
	switch q.Status {
	case store.StatusNSGAnswered:
	case store.StatusPublished:
		return q, store.Clarification{}, fmt.Errorf("publish %s: %w: already published as %s", q.ID, store.ErrConflict, q.Clarification)
	default:
		return q, store.Clarification{}, fmt.Errorf("publish %s: %w: it is %s and needs an NSG answer first", q.ID, store.ErrConflict, q.Status)
	}
	return q, q.Clarified(), nil
}

// History is the audit trail of a question, oldest first.
func (d *Desk) History(id string) ([]store.AuditEntry, error) { return d.questions.History(id) }

// RecordView records in the audit trail that staff member by was shown
// bidders' questions in Slack: what (a list, a question, its history), of
// question id when it is one, and how many rows. It is called before
// they are shown. (The command line is for those who hold the store file
// itself, which no trail can guard: its exports are recorded, its reads
// are not.)
func (d *Desk) RecordView(by, what, id string, rows int) error {
	return d.questions.RecordView(by, what, id, rows)
}

// Timeline is the deadlines and milestones as of now.
func (d *Desk) Timeline() []reminders.Milestone { return d.timeline(d.now()) }

// Home is what the App Home tab shows a user.
type Home struct {
	Timeline []reminders.Milestone
	// Closes is when the informal dialogue closes (zero: not set), and
	// Closed whether it has.
	Closes time.Time
	Closed bool
	// Staff is set for NSG staff, with the number of questions awaiting.
	Staff    bool
	Awaiting int
}

// Home returns the App Home view for a user.
func (d *Desk) Home(userID string) (Home, error) {
	h := Home{Timeline: d.Timeline(), Staff: d.staff(userID), Closed: d.Closed()}
	if !d.closes.IsZero() {
		h.Closes = d.closes.In(d.loc)
	}
	if h.Staff {
		n, err := d.questions.Count(store.Filter{Status: []store.Status{store.StatusAwaiting}})
		if err != nil {
			return Home{}, fmt.Errorf("count awaiting questions: %w", err)
		}
		h.Awaiting = n
	}
	return h, nil
}

// Digest renders the questions awaiting an answer for the NSG's daily
// post; "" when there are none.
func (d *Desk) Digest(ctx context.Context) (string, error) {
	qs, err := d.questions.List(store.Filter{Status: []store.Status{store.StatusAwaiting}})
	if err != nil {
		return "", fmt.Errorf("list awaiting questions: %w", err)
	}
	if len(qs) == 0 {
		return "", nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%d %s awaiting an NSG answer*\n", len(qs), plural(len(qs), "question", "questions"))
	writeQuestionList(&b, qs, 20)
	b.WriteString("Answer with `/hiec answer Q-0000 <text>`.")
	return b.String(), nil
}

// background runs a notification after the caller has replied. It uses a
// fresh context: the request that caused it may already be finished.
func (d *Desk) background(fn func(context.Context)) {
	run := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		fn(ctx)
	}
	d.bgMu.Lock()
	if d.waiting {
		d.bgMu.Unlock()
		run()
		return
	}
	d.bg.Add(1)
	d.bgMu.Unlock()
	go func() {
		defer d.bg.Done()
		run()
	}()
}

func (d *Desk) notifyNSG(ctx context.Context, q store.Question) {
	if err := d.notifier.NotifyNSG(ctx, q); err != nil {
		d.logger.Error("notify NSG", "id", q.ID, "err", err)
	}
}

func refused(text string) Reply { return Reply{Kind: KindRefused, Private: true, Text: text} }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

type discard struct{}

func (discard) NotifyNSG(context.Context, store.Question) error     { return nil }
func (discard) DeliverAnswer(context.Context, store.Question) error { return nil }
func (discard) Publish(context.Context, store.Clarification) error  { return nil }
func (discard) DeliverClarification(context.Context, string, store.Clarification) error {
	return nil
}
