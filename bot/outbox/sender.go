// Package outbox delivers the messages the bot owes, which the store keeps
// in its outbox until they are sent (see store.Message).
//
// A Sender drains the outbox through a small Poster (the Slack adapter is
// one): it resends what is pending at start, retries failures with
// exponential backoff and jitter, honours a rate limit's Retry-After, and
// records a permanent failure (channel_not_found, not_in_channel,
// is_archived, invalid_auth…) with its error, telling staff by DM.
//
// Each message goes out exactly once. A post whose outcome is unknown (a
// timeout, a broken connection, a crash of the previous process while it
// was owed) is looked for in Slack by its outbox id before it is posted
// again. Only ephemeral messages, which leave nothing to look for, may be
// shown twice after such a failure.
//
// It owns delivery; it knows nothing of Slack beyond the Poster interface
// and must not import the Slack adapter.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/hiec/hiecbot/bot/store"
)

// Store is the outbox as the Sender needs it; *store.Store is one.
type Store interface {
	Pending() ([]store.Message, error)
	MarkSent(id, ts string) error
	Retry(id string, next time.Time, cause error) error
	MarkFailed(id string, cause error, notices func(store.Message) []store.Message) error
	// KeyStatus is the status of the message queued with key (see
	// store.Message.After).
	KeyStatus(key string) (status string, found bool, err error)
}

// Poster sends outbox messages.
type Poster interface {
	// Send makes one attempt at delivering m and returns the id (Slack
	// timestamp) of what it posted. Its errors may say they are
	// permanent (Permanent() bool) or how long to wait (RetryAfter()
	// time.Duration); any other error is retried.
	Send(ctx context.Context, m store.Message) (string, error)
	// Find looks for m, posted since since, by its outbox id.
	Find(ctx context.Context, m store.Message, since time.Time) (string, bool, error)
}

// Options configure a Sender.
type Options struct {
	// Staff are told by DM of every message that fails for good.
	Staff []string
	// Workers is how many messages are sent at once; 0 means 32.
	Workers int
	// Timeout bounds one attempt; 0 means 45 seconds, longer than the
	// Web API client's own timeout.
	Timeout time.Duration
	// Backoff is the wait after the first failure, doubled after each
	// further one up to MaxBackoff, with jitter; 0 means 1s and 5m.
	Backoff, MaxBackoff time.Duration
	// MaxAge is how long a message is retried before it fails for good;
	// 0 means 24 hours.
	MaxAge time.Duration
	Logger *slog.Logger
	Now    func() time.Time
}

// Sender delivers the outbox. Its methods are safe for concurrent use.
type Sender struct {
	st   Store
	p    Poster
	opts Options
	log  *slog.Logger
	now  func() time.Time

	wake chan struct{}

	mu sync.Mutex
	// queue holds the messages owed, as the store handed them over
	// (Queued) or as they were pending at start, with when each is due.
	queue map[string]*entry
	// busy holds the conversations a message is being sent to: one at a
	// time per conversation keeps their messages in order.
	busy map[string]bool
	// unsure holds the messages that may be in Slack already: those
	// pending when the Sender started (the last process may have posted
	// them before it died) and those whose last attempt timed out.
	unsure map[string]bool
}

type entry struct {
	m       store.Message
	due     time.Time
	sending bool
	// sentTS is set once the message is sent but its sending could not be
	// recorded: it is never sent again by this process.
	sentTS string
}

// New returns a Sender for the outbox in st, posting through p.
func New(st Store, p Poster, opts Options) *Sender {
	if opts.Workers <= 0 {
		opts.Workers = 32
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 45 * time.Second
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Minute
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = 24 * time.Hour
	}
	s := &Sender{st: st, p: p, opts: opts, log: opts.Logger, now: opts.Now,
		wake: make(chan struct{}, 1), queue: map[string]*entry{}, busy: map[string]bool{}, unsure: map[string]bool{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Queued hands the Sender messages the store has just queued durably
// (store.OnQueued). It never blocks.
func (s *Sender) Queued(msgs []store.Message) {
	s.mu.Lock()
	for _, m := range msgs {
		if _, ok := s.queue[m.ID]; !ok {
			s.queue[m.ID] = &entry{m: m}
		}
	}
	s.mu.Unlock()
	s.kick()
}

func (s *Sender) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// rescan is how often the Sender reads the outbox back from the store, as
// a safety net for anything handed over while it could not take it.
const rescan = 5 * time.Minute

// load takes what the store holds pending; at start every such message
// may have been posted already by the process before.
func (s *Sender) load(start bool) error {
	pending, err := s.st.Pending()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range pending {
		if _, ok := s.queue[m.ID]; ok {
			continue
		}
		e := &entry{m: m}
		if m.NextAt != nil {
			e.due = *m.NextAt
		}
		s.queue[m.ID] = e
		if start {
			s.unsure[m.ID] = true
		}
	}
	if start && len(pending) > 0 {
		s.log.Info("outbox: resending what was owed at start, after a look in Slack for each", "pending", len(pending))
	}
	return nil
}

// Run sends until ctx is done, then lets the attempts under way finish
// (each bounded by Options.Timeout) and returns. What is still pending is
// sent by the next Run, after a look in Slack for what may have gone out.
func (s *Sender) Run(ctx context.Context) error {
	for err := s.load(true); err != nil; err = s.load(true) {
		s.log.Error("outbox: cannot read the pending messages; trying again", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.opts.Backoff):
		}
	}
	// Workers that live as long as Run, rather than a goroutine per
	// message: each keeps the stack that posting grew.
	work := make(chan *entry)
	var wg sync.WaitGroup
	for range s.opts.Workers {
		wg.Go(func() {
			for e := range work {
				s.done(e, s.deliver(context.WithoutCancel(ctx), e))
				s.kick() // the conversation is free for its next message
			}
		})
	}
	defer wg.Wait()
	defer close(work)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	lastScan := s.now()
	for {
		if s.now().Sub(lastScan) > rescan {
			if err := s.load(false); err != nil {
				s.log.Error("outbox: cannot read the pending messages", "err", err)
			}
			lastScan = s.now()
		}
		ready, next := s.ready()
		for i, e := range ready {
			select {
			case work <- e:
			case <-ctx.Done():
				for _, e := range ready[i:] {
					s.done(e, false)
				}
				return nil
			}
		}
		if next <= 0 || next > rescan {
			next = rescan
		}
		timer.Reset(next)
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

func target(m store.Message) string {
	if m.Channel != "" {
		return m.Channel + "|" + m.ThreadTS
	}
	return "user:" + m.User
}

// ready claims the messages due now, oldest first, one per conversation,
// and says how long until the next one is due.
func (s *Sender) ready() ([]*entry, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var (
		out  []*entry
		next time.Duration
	)
	for _, e := range s.queue {
		if e.sending {
			continue
		}
		if e.due.After(now) {
			if d := e.due.Sub(now); next == 0 || d < next {
				next = d
			}
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].m.ID < out[j].m.ID })
	claimed := out[:0]
	for _, e := range out {
		t := target(e.m)
		if s.busy[t] {
			continue
		}
		s.busy[t], e.sending = true, true
		claimed = append(claimed, e)
	}
	return claimed, next
}

// done releases e after an attempt; finished says it left the outbox.
func (s *Sender) done(e *entry, finished bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.busy, target(e.m))
	e.sending = false
	if finished {
		delete(s.queue, e.m.ID)
		delete(s.unsure, e.m.ID)
	}
}

// deliver makes one attempt at e's message and records the outcome; it
// reports whether the message is done with (sent or failed for good).
func (s *Sender) deliver(ctx context.Context, e *entry) bool {
	m := e.m
	log := s.log.With("outbox_id", m.ID, "kind", m.Kind, "question", m.QuestionID)
	if e.sentTS != "" {
		return s.sent(e, e.sentTS, log)
	}
	if m.After != "" {
		st, found, err := s.st.KeyStatus(m.After)
		switch {
		case err == nil && found && st == store.OutboxFailed:
			return s.giveUp(e, fmt.Errorf("not sent, for the message it follows (%s) failed for good: a clarification reaches every bidder together, or no one", m.After), log)
		case err != nil || found && st != store.OutboxSent:
			// Not yet: look again soon, at no cost to its attempts.
			s.mu.Lock()
			e.due = s.now().Add(s.opts.Backoff)
			s.mu.Unlock()
			return false
		}
	}
	actx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	s.mu.Lock()
	unsure := s.unsure[m.ID] || m.Tried
	s.mu.Unlock()
	var (
		ts  string
		err error
	)
	if unsure {
		// It may have gone out: look before posting again.
		var found bool
		ts, found, err = s.p.Find(actx, m, m.CreatedAt.Add(-lookBack))
		if err == nil && found {
			log.Info("outbox: found in Slack, sent before; not posting again", "ts", ts)
			return s.sent(e, ts, log)
		}
		if err != nil {
			// Whether it went out is still unknown: neither post it
			// again (it may be there) nor give it up (it may not),
			// whatever Slack said; look again later.
			err = lookFailed{err}
		}
	}
	if err == nil {
		ts, err = s.p.Send(actx, m)
	}
	if err == nil {
		return s.sent(e, ts, log)
	}
	return s.failed(e, err, log)
}

func (s *Sender) sent(e *entry, ts string, log *slog.Logger) bool {
	if err := s.st.MarkSent(e.m.ID, ts); err != nil {
		// Posted, but the store cannot say so now: never post it again
		// from this process; after a restart the look in Slack finds it.
		log.Error("outbox: sent, but cannot record it; will record it later", "err", err)
		s.mu.Lock()
		e.sentTS, e.due = ts, s.now().Add(s.opts.Backoff)
		s.mu.Unlock()
		return false
	}
	log.Debug("outbox: sent", "ts", ts)
	return true
}

type permanent interface{ Permanent() bool }

// lookBack is how far before a message was queued the look in Slack for
// it reaches: the bot's clock and Slack's may differ, and a look that
// starts after the post was made would miss it and post it twice.
const lookBack = 24 * time.Hour

// lookFailed is a failed look in Slack for a message that may have been
// posted. It is retried, for giving it up could lose the message, unless
// the Poster's error says it would stop the post as well (BlocksPost: the
// channel gone, the token refused): a missing history scope, say, is
// retried until an operator grants it, or until MaxAge.
type lookFailed struct{ err error }

// blocksPost is a Poster's error that would refuse a post too.
type blocksPost interface{ BlocksPost() bool }

func (e lookFailed) Error() string {
	return "look in Slack for it before posting again: " + e.err.Error()
}
func (e lookFailed) Unwrap() error { return e.err }
func (e lookFailed) Permanent() bool {
	var b blocksPost
	return errors.As(e.err, &b) && b.BlocksPost()
}

type retryAfter interface{ RetryAfter() time.Duration }

func (s *Sender) failed(e *entry, err error, log *slog.Logger) bool {
	m := e.m
	var pe permanent
	if errors.As(err, &pe) && pe.Permanent() {
		return s.giveUp(e, err, log)
	}
	if age := s.now().Sub(m.CreatedAt); age > s.opts.MaxAge {
		var ra retryAfter
		if errors.As(err, &ra) && ra.RetryAfter() > 0 {
			// Rate limited: nothing was posted.
			return s.giveUp(e, fmt.Errorf("still failing after %v, giving up: %w", age.Round(time.Minute), err), log)
		}
		// A timeout, a 5xx or a failed look: whether a try posted it is
		// unknown.
		return s.giveUp(e, fmt.Errorf("still failing after %v, giving up; an earlier try may have posted it, so look in Slack before sending it again: %w", age.Round(time.Minute), err), log)
	}
	var wait time.Duration
	var ra retryAfter
	if errors.As(err, &ra) && ra.RetryAfter() > 0 {
		wait = ra.RetryAfter() // Slack said how long; a rate limit means nothing was posted
	} else {
		wait = s.backoff(m.Attempts)
		s.mu.Lock()
		s.unsure[m.ID] = true // a timeout or a 5xx may have posted it
		s.mu.Unlock()
	}
	log.Warn("outbox: send failed; retrying", "attempt", m.Attempts+1, "retry_in", wait.Round(time.Millisecond).String(), "err", err)
	next := s.now().Add(wait)
	s.mu.Lock()
	e.due = next
	e.m.Attempts++
	s.mu.Unlock()
	if rerr := s.st.Retry(m.ID, next, err); rerr != nil {
		log.Error("outbox: cannot record the failed attempt", "err", rerr)
	}
	return false
}

// backoff is the wait after attempt failures: exponential with full
// jitter in its upper half, so many messages that failed together do not
// come back together.
func (s *Sender) backoff(attempts int) time.Duration {
	d := s.opts.Backoff
	for i := 0; i < attempts && d < s.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, s.opts.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

func (s *Sender) giveUp(e *entry, err error, log *slog.Logger) bool {
	m := e.m
	log.Error("outbox: cannot deliver the message; giving up", "channel", m.Channel, "user", m.User, "err", err)
	rerr := s.st.MarkFailed(m.ID, err, func(f store.Message) []store.Message {
		if !f.NotifyStaff {
			return nil
		}
		var out []store.Message
		for _, u := range s.opts.Staff {
			out = append(out, store.Message{Kind: "staff_notice", User: u, QuestionID: f.QuestionID, Text: Notice(f)})
		}
		return out
	})
	if rerr != nil {
		log.Error("outbox: cannot record the failure; will try again", "err", rerr)
		s.mu.Lock()
		e.due = s.now().Add(s.backoff(m.Attempts))
		s.mu.Unlock()
		return false
	}
	return true
}

// Notice is what staff are told about a message that failed for good.
func Notice(m store.Message) string {
	about := ""
	if m.QuestionID != "" {
		about = " about " + m.QuestionID
	}
	to := m.Channel
	if to == "" {
		to = "a DM with <@" + m.User + ">"
	} else {
		to = "<#" + to + ">"
	}
	return fmt.Sprintf("*I could not deliver outbox message %s* (the %s%s, to %s): %s.\nIt will not be retried. `hiecbot outbox --failed` lists every message that failed; fix the cause (invite the bot, unarchive the channel, renew the token) and answer or publish again.",
		m.ID, kindName(m.Kind), about, to, m.Error)
}

func kindName(k string) string {
	switch k {
	case "answer":
		return "answer to a question"
	case "nsg_notice":
		return "notice to the NSG"
	case "delivery":
		return "NSG answer for its asker"
	case "clarification":
		return "published clarification"
	case "reminder":
		return "reminder"
	case "export":
		return "export upload"
	}
	return k
}
