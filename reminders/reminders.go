// Package reminders posts hiecbot's deadline reminders and recurring posts,
// on time and exactly once, and lays out the timeline for people.
//
// Two kinds of reminder come from config.Reminders. A "before" reminder is
// posted once, a set time before a deadline (reminders.deadlines[].
// remind_before), to the bidders' channel. A "cron" reminder is a recurring
// post on a cron spec (reminders.cron[]): a countdown to the next deadline
// in the bidders' channel, or the NSG digest of questions awaiting an
// answer in the NSG channel.
//
// The package knows nothing of Slack or of the store: it posts through a
// Poster and remembers what it sent in a Ledger, both wired by main.
//
// # Exactly once
//
// Every post has a ledger key: "before|<deadline>|<due>|<offset>" for a
// before reminder and "cron|<job>|<fire time, RFC 3339 in UTC>" for a
// recurring post. Before posting, the Scheduler asks the Ledger whether the
// key was sent; after the Poster reports success, it marks the key sent. A
// failed post is retried with the Options.Retry backoff. Posts for one key
// are serialised, and a key posted by this process is never posted again by
// it, even if the ledger cannot be read or written.
//
// The ledger is marked after the post, not before, so there is one crash
// window: if the process dies after Slack has accepted a post and before
// the mark is durable, the reminder may be posted once more after the
// restart (when it is still within the grace period). A repeated reminder
// is a nuisance; a lost one can cost a bidder a deadline, so the package
// prefers the repeat. For the same reason a ledger that cannot be read
// counts as "not sent" (the error is logged).
//
// # Missed reminders
//
// Start catches up before reminders whose time passed while the bot was
// down: the latest missed reminder of each deadline is posted once, marked
// "(late: the bot was offline)", if it is less than reminders.grace late and
// was not sent; reminders later than that, and earlier reminders of the
// same deadline superseded by a later one, are skipped with a log line.
// Reminders of deadlines that have passed are never posted. A reminder up
// to a minute late counts as on time. Recurring posts missed while the bot
// was down are not caught up: a countdown or digest is only useful when
// current, and the next one follows on schedule.
//
// # Time
//
// Deadlines are read in reminders.timezone (Europe/London by default; the
// zone database is embedded). A date alone falls due at 17:00, the end of
// the working day, but reminder text never states a time the configuration
// did not give. An offset of whole days is counted in calendar days, so "7d"
// before 19 October 2009 17:00 BST fires on 12 October 17:00 BST and "14d"
// before 2 November 2009 17:00 GMT fires on 19 October 17:00 BST, across the
// change of clocks on 25 October 2009; hours, minutes and seconds of an
// offset are elapsed time.
package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
	_ "time/tzdata" // Europe/London without a system zone database

	"github.com/hiec/hiecbot/config"
	"github.com/robfig/cron/v3"
)

// Poster posts a message to a channel; the Slack bot implements it.
type Poster interface {
	Post(ctx context.Context, channel, text string) error
}

// OncePoster is a Poster that can queue a post durably together with the
// record that its key was sent, in one step, so a reminder is posted
// exactly once even when the process dies between posting and recording.
// When the Poster given to New is one, the Scheduler uses PostOnce and
// leaves the recording to it.
type OncePoster interface {
	PostOnce(ctx context.Context, key, channel, text string) error
}

// SentLog tells whether what a key names was sent; listing the reminders needs
// only this.
type SentLog interface {
	Sent(key string) (bool, error)
}

// Ledger remembers what was sent once, by key (reminders, digests, the
// Desk's deliveries); store.Ledger is one.
type Ledger interface {
	SentLog
	MarkSent(key string, at time.Time) error
}

// DigestFunc renders the NSG digest of questions awaiting an answer; ""
// means there is nothing to post.
type DigestFunc func(ctx context.Context) (string, error)

// Options configures a Scheduler beyond the configuration file.
type Options struct {
	// NSGChannel is where digest posts go; without it they are skipped.
	NSGChannel string
	// Digest renders the digest; without it digest posts are skipped.
	Digest DigestFunc
	// Now is the clock; nil means time.Now. The cron timer itself always
	// runs on the real clock: Now decides what Start catches up and how
	// late a post is.
	Now func() time.Time
	// Logger receives what was posted, retried and skipped; nil means
	// slog.Default().
	Logger *slog.Logger
	// Retry is the backoff between attempts at a failed post: a post is
	// tried len(Retry)+1 times. Nil means DefaultRetry; an empty, non-nil
	// slice means a single attempt.
	Retry []time.Duration
}

// DefaultRetry is the backoff used when Options.Retry is nil.
var DefaultRetry = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute}

// LateNote ends a reminder posted after its time because the bot was down.
const LateNote = "(late: the bot was offline)"

const (
	// onTime is how late a post may be and still count as on time: no late
	// note, no grace check.
	onTime = time.Minute
	// postTimeout bounds one attempt at a post, so that Stop, which waits
	// for posts in flight, cannot wait forever.
	postTimeout = 30 * time.Second
)

// Scheduler posts the configured reminders. Make one with New, run it with
// Start and end it with Stop. It is safe for concurrent use.
type Scheduler struct {
	cfg    config.Reminders
	loc    *time.Location
	grace  time.Duration
	poster Poster
	ledger Ledger
	nsg    string
	digest DigestFunc
	now    func() time.Time
	log    *slog.Logger
	retry  []time.Duration

	before []*oneShot
	jobs   []*cronJob
	cron   *cron.Cron

	// first is closed when robfig/cron first asks a schedule for its next
	// time, which it does for every entry with the one instant it starts at.
	first     chan struct{}
	firstOnce sync.Once
	// caughtUp is closed when the catch-up of Start is over.
	caughtUp chan struct{}

	mu     sync.Mutex
	state  int
	runCtx context.Context
	cancel context.CancelFunc
	locks  map[string]*sync.Mutex // one per ledger key being posted
	sent   map[string]bool        // keys this process has posted
	wg     sync.WaitGroup         // catch-up in flight
}

// Scheduler states.
const (
	idle = iota
	running
	stopped
)

// New returns a Scheduler for cfg that posts through p and records posts in
// l. It fails when cfg's timezone or a cron spec does not parse (config.Load
// has already checked both for a loaded configuration). An empty
// cfg.Channel is not an error: bidder posts are then skipped with a warning.
func New(cfg config.Reminders, p Poster, l Ledger, opts Options) (*Scheduler, error) {
	if p == nil {
		return nil, errors.New("reminders: new scheduler: Poster is nil")
	}
	if l == nil {
		return nil, errors.New("reminders: new scheduler: Ledger is nil")
	}
	sched, err := plan(cfg)
	if err != nil {
		return nil, err
	}
	s := &Scheduler{
		cfg:      cfg,
		loc:      sched.loc,
		grace:    time.Duration(cfg.Grace),
		poster:   p,
		ledger:   l,
		nsg:      opts.NSGChannel,
		digest:   opts.Digest,
		now:      opts.Now,
		log:      opts.Logger,
		retry:    opts.Retry,
		before:   sched.before,
		jobs:     sched.jobs,
		first:    make(chan struct{}),
		caughtUp: make(chan struct{}),
		locks:    map[string]*sync.Mutex{},
		sent:     map[string]bool{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.retry == nil {
		s.retry = DefaultRetry
	}
	logger := cronLogger{s.log}
	s.cron = cron.New(cron.WithLocation(s.loc), cron.WithLogger(logger), cron.WithChain(cron.Recover(logger)))
	for _, r := range s.before {
		s.cron.Schedule(notify{once(r.fire), s.started}, beforeJob{s, r})
	}
	for _, j := range s.jobs {
		j.s = s
		j.id = s.cron.Schedule(notify{j.sched, s.started}, j)
	}
	s.warnUnroutable()
	return s, nil
}

// warnUnroutable logs, once, the posts that have nowhere to go.
func (s *Scheduler) warnUnroutable() {
	bidderPosts, digests := len(s.before) > 0, false
	for _, j := range s.jobs {
		switch j.job.Post {
		case config.PostCountdown:
			bidderPosts = true
		case config.PostDigest:
			digests = true
		}
	}
	if bidderPosts && s.cfg.Channel == "" {
		s.log.Warn("reminders: reminders.channel is empty; deadline reminders and countdowns will not be posted")
	}
	if digests && (s.nsg == "" || s.digest == nil) {
		s.log.Warn("reminders: no NSG channel or digest source; digest posts will not be made")
	}
}

// started records that robfig/cron has taken its start time.
func (s *Scheduler) started() { s.firstOnce.Do(func() { close(s.first) }) }

// Start runs the scheduler until Stop or until ctx is done. It starts the
// cron timer in the configured location, then catches up the before
// reminders missed while the bot was down (see the package documentation).
// Posts, including catch-up posts, are made in the background, so Start
// returns at once; it fails only when ctx is done or the Scheduler was
// started before.
func (s *Scheduler) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("reminders: start: %w", err)
	}
	s.mu.Lock()
	switch s.state {
	case running:
		s.mu.Unlock()
		return errors.New("reminders: start: scheduler already started")
	case stopped:
		s.mu.Unlock()
		return errors.New("reminders: start: scheduler was stopped; make a new one with New")
	}
	s.state = running
	s.runCtx, s.cancel = context.WithCancel(ctx)
	runCtx := s.runCtx
	s.wg.Add(1)
	s.mu.Unlock()

	s.cron.Start()
	go func() {
		<-runCtx.Done()
		s.cron.Stop()
	}()
	// robfig/cron schedules only what falls after the instant it starts
	// at, so catching up everything up to a later instant leaves no gap;
	// the overlap is harmless as posts of one key are serialised and
	// checked against the ledger.
	if len(s.before)+len(s.jobs) > 0 {
		select {
		case <-s.first:
		case <-runCtx.Done():
		}
	}
	now := s.now()
	go func() {
		defer s.wg.Done()
		defer close(s.caughtUp)
		s.catchUp(runCtx, now)
	}()
	return nil
}

// Stop stops the scheduler: no post starts after it, retry waits are cut
// short, and it returns when posts in flight have returned. It may be
// called more than once, and before Start.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	s.state = stopped
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	<-s.cron.Stop().Done()
	s.wg.Wait()
}

// postContext returns the context posts are made under.
func (s *Scheduler) postContext() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runCtx == nil {
		return context.Background()
	}
	return s.runCtx
}

// catchUp posts the latest missed reminder of each deadline when it is
// within the grace period, as the package documentation describes.
func (s *Scheduler) catchUp(ctx context.Context, now time.Time) {
	missed := map[string][]*oneShot{}
	var names []string
	for _, r := range s.before {
		if r.fire.After(now) {
			continue // the cron timer posts it
		}
		if missed[r.deadline.Name] == nil {
			names = append(names, r.deadline.Name)
		}
		missed[r.deadline.Name] = append(missed[r.deadline.Name], r)
	}
	for _, name := range names {
		rs := missed[name]
		sort.Slice(rs, func(i, j int) bool { return rs[i].fire.Before(rs[j].fire) })
		for i, r := range rs {
			if ctx.Err() != nil {
				return
			}
			log := s.log.With("reminder", r.name, "key", r.key)
			switch {
			case r.passed(now):
				log.Debug("reminders: deadline has passed; reminder not posted")
			case s.isSent(r.key, log):
				log.Debug("reminders: reminder already sent")
			case i < len(rs)-1:
				log.Info("reminders: reminder missed while the bot was offline and superseded by a later one; skipped",
					"was_due", r.fire)
			default:
				s.remindBefore(ctx, r, now)
			}
		}
	}
}

// remindBefore posts r as of now, unless its deadline has passed or it is
// more than the grace period late.
func (s *Scheduler) remindBefore(ctx context.Context, r *oneShot, now time.Time) {
	log := s.log.With("reminder", r.name, "key", r.key)
	if r.passed(now) {
		log.Debug("reminders: deadline has passed; reminder not posted")
		return
	}
	note := ""
	if late := now.Sub(r.fire); late > onTime {
		if late >= s.grace {
			log.Warn("reminders: reminder missed by more than the grace period; skipped",
				"was_due", r.fire, "late", late.Round(time.Second).String(), "grace", s.grace.String())
			return
		}
		note = " " + LateNote
	}
	if s.cfg.Channel == "" {
		log.Warn("reminders: reminders.channel is empty; reminder not posted")
		return
	}
	s.deliver(ctx, r.key, s.cfg.Channel, reminderText(r.deadline, r.due, now, s.loc)+note, log)
}

// runCron makes the recurring post of job scheduled at fire.
func (s *Scheduler) runCron(ctx context.Context, job config.CronJob, fire time.Time) {
	key := cronKey(job.Name, fire)
	log := s.log.With("reminder", job.Name, "key", key)
	switch job.Post {
	case config.PostCountdown:
		text := countdownText(s.cfg, s.loc, s.now())
		switch {
		case text == "":
			log.Debug("reminders: every deadline has passed; no countdown")
		case s.cfg.Channel == "":
			log.Warn("reminders: reminders.channel is empty; countdown not posted")
		default:
			s.deliver(ctx, key, s.cfg.Channel, text, log)
		}
	case config.PostDigest:
		if s.nsg == "" || s.digest == nil {
			log.Debug("reminders: no NSG channel or digest source; digest not posted")
			return
		}
		if s.isSent(key, log) {
			log.Debug("reminders: digest already sent")
			return
		}
		text, err := s.digest(ctx)
		switch {
		case err != nil:
			log.Error("reminders: render NSG digest; not posted", "err", err)
		case text == "":
			log.Debug("reminders: no questions awaiting an answer; no digest")
		default:
			s.deliver(ctx, key, s.nsg, text, log)
		}
	default:
		log.Error("reminders: unknown post kind; nothing posted", "post", job.Post)
	}
}

// deliver posts text to channel once for key: it checks the ledger, posts
// with retries, then marks the ledger. It reports whether it posted.
func (s *Scheduler) deliver(ctx context.Context, key, channel, text string, log *slog.Logger) bool {
	mu := s.keyLock(key)
	mu.Lock()
	defer mu.Unlock()
	if s.isSent(key, log) {
		log.Debug("reminders: already sent")
		return false
	}
	for attempt := 0; ; attempt++ {
		err := s.post(ctx, key, channel, text)
		if err == nil {
			break
		}
		if attempt == len(s.retry) {
			log.Error("reminders: post failed; giving up", "channel", channel, "attempts", attempt+1, "err", err)
			return false
		}
		wait := s.retry[attempt]
		log.Warn("reminders: post failed; retrying", "channel", channel, "attempt", attempt+1, "retry_in", wait.String(), "err", err)
		if !sleep(ctx, wait) {
			log.Error("reminders: stopped before the post could be retried; not posted", "channel", channel, "err", err)
			return false
		}
	}
	s.mu.Lock()
	s.sent[key] = true
	s.mu.Unlock()
	log.Info("reminders: posted", "channel", channel)
	if _, ok := s.poster.(OncePoster); ok {
		return true // recorded with the post
	}
	for attempt := 0; ; attempt++ {
		err := s.ledger.MarkSent(key, s.now())
		if err == nil {
			return true
		}
		if attempt == len(s.retry) || !sleep(ctx, s.retry[attempt]) {
			log.Error("reminders: posted but not recorded; it may be posted again after a restart", "err", err)
			return true
		}
	}
}

// post makes one attempt. A post in flight is not cancelled by Stop, which
// waits for it, but it is bounded by postTimeout.
func (s *Scheduler) post(ctx context.Context, key, channel, text string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	defer cancel()
	if op, ok := s.poster.(OncePoster); ok {
		if err := op.PostOnce(ctx, key, channel, text); err != nil {
			return fmt.Errorf("queue the post to %s: %w", channel, err)
		}
		return nil
	}
	if err := s.poster.Post(ctx, channel, text); err != nil {
		return fmt.Errorf("post to %s: %w", channel, err)
	}
	return nil
}

// isSent reports whether key was posted by this process or is marked in
// the ledger. A ledger that cannot be read counts as not sent.
func (s *Scheduler) isSent(key string, log *slog.Logger) bool {
	s.mu.Lock()
	here := s.sent[key]
	s.mu.Unlock()
	if here {
		return true
	}
	sent, err := s.ledger.Sent(key)
	if err != nil {
		log.Error("reminders: read the reminder ledger; treating the reminder as not sent", "err", err)
		return false
	}
	return sent
}

func (s *Scheduler) keyLock(key string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	mu := s.locks[key]
	if mu == nil {
		mu = new(sync.Mutex)
		s.locks[key] = mu
	}
	return mu
}

// sleep waits for d or until ctx is done, reporting whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// beforeJob is the cron job of a before reminder.
type beforeJob struct {
	s *Scheduler
	r *oneShot
}

func (j beforeJob) Run() { j.s.remindBefore(j.s.postContext(), j.r, j.s.now()) }

// cronJob is a recurring post.
type cronJob struct {
	job   config.CronJob
	sched cron.Schedule
	s     *Scheduler
	id    cron.EntryID
}

// Run makes the post for the time robfig/cron scheduled it at, which keys
// it in the ledger.
func (j *cronJob) Run() {
	fire := j.s.cron.Entry(j.id).Prev
	if fire.IsZero() {
		fire = j.s.now().Truncate(time.Minute) // specs have no seconds field
	}
	j.s.runCron(j.s.postContext(), j.job, fire)
}

// once is a cron.Schedule that fires at one instant: Next returns it until
// it is reached, then the zero time, and robfig/cron schedules it no more.
type once time.Time

// Next implements cron.Schedule.
func (o once) Next(t time.Time) time.Time {
	if at := time.Time(o); at.After(t) {
		return at
	}
	return time.Time{}
}

// notify is a cron.Schedule that reports each call of Next.
type notify struct {
	cron.Schedule
	called func()
}

// Next implements cron.Schedule.
func (n notify) Next(t time.Time) time.Time {
	n.called()
	return n.Schedule.Next(t)
}

// cronLogger sends robfig/cron's log to slog: its chatter at debug level.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, keysAndValues ...any) {
	c.l.Debug("reminders: cron: "+msg, keysAndValues...)
}

func (c cronLogger) Error(err error, msg string, keysAndValues ...any) {
	c.l.Error("reminders: cron: "+msg, append(keysAndValues, "err", err)...)
}
