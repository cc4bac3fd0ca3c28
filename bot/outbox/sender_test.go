package outbox

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/store"
)

// poster is a Poster double: fail decides each attempt's error, and
// posted is what reached "Slack".
type poster struct {
	mu     sync.Mutex
	fail   func(m store.Message, attempt int) error
	posted map[string][]string // conversation → outbox ids
	tries  map[string][]time.Time
	finds  int
	// findErr, when set, is Find's error on look n (from 1).
	findErr func(n int) error
	since   []time.Time // every look's since
	// lost makes Send post the message with this text but fail, as when
	// the answer is lost on the way back.
	lost map[string]bool
}

func newPoster() *poster {
	return &poster{posted: map[string][]string{}, tries: map[string][]time.Time{}, lost: map[string]bool{}}
}

func (p *poster) Send(_ context.Context, m store.Message) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tries[m.ID] = append(p.tries[m.ID], time.Now())
	if p.fail != nil {
		if err := p.fail(m, len(p.tries[m.ID])); err != nil {
			return "", err
		}
	}
	p.posted[target(m)] = append(p.posted[target(m)], m.ID)
	if p.lost[m.Text] {
		delete(p.lost, m.Text)
		return "", context.DeadlineExceeded
	}
	return "ts-" + m.ID, nil
}

func (p *poster) Find(_ context.Context, m store.Message, since time.Time) (string, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finds++
	p.since = append(p.since, since)
	if p.findErr != nil {
		if err := p.findErr(p.finds); err != nil {
			return "", false, err
		}
	}
	for _, id := range p.posted[target(m)] {
		if id == m.ID {
			return "ts-" + m.ID, true, nil
		}
	}
	return "", false, nil
}

func (p *poster) count(m store.Message) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, id := range p.posted[target(m)] {
		if id == m.ID {
			n++
		}
	}
	return n
}

type testErr struct {
	msg       string
	permanent bool
	after     time.Duration
	blocks    bool // would refuse a post too (see blocksPost)
}

func (e testErr) Error() string             { return e.msg }
func (e testErr) Permanent() bool           { return e.permanent }
func (e testErr) RetryAfter() time.Duration { return e.after }
func (e testErr) BlocksPost() bool          { return e.blocks }

func run(t *testing.T, st *store.Store, p Poster, opts Options) *Sender {
	t.Helper()
	if opts.Backoff == 0 {
		opts.Backoff, opts.MaxBackoff = 10*time.Millisecond, 40*time.Millisecond
	}
	s := New(st, p, opts)
	st.OnQueued(s.Queued)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func status(t *testing.T, st *store.Store, id string) store.Message {
	t.Helper()
	all, err := st.Outbox(store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no message %s", id)
	return store.Message{}
}

// TestSenderRetriesAndGivesUp: transient errors are retried with backoff,
// Retry-After is honoured, a permanent error is recorded with staff told
// by DM, and a message is never sent twice.
func TestSenderRetriesAndGivesUp(t *testing.T) {
	st := openStore(t)
	p := newPoster()
	p.fail = func(m store.Message, attempt int) error {
		switch {
		case m.Text == "flaky" && attempt < 3:
			return errors.New("503 Service Unavailable")
		case m.Text == "limited" && attempt == 1:
			return testErr{msg: "ratelimited", after: 300 * time.Millisecond}
		case m.Text == "gone":
			return testErr{msg: "channel_not_found", permanent: true}
		}
		return nil
	}
	run(t, st, p, Options{Staff: []string{"UNSG1", "UNSG2"}})
	msgs, err := st.Enqueue(context.Background(),
		store.Message{Kind: "answer", Channel: "D1", Text: "flaky", NotifyStaff: true},
		store.Message{Kind: "reminder", Channel: "C2", Text: "limited", NotifyStaff: true},
		store.Message{Kind: "delivery", User: "U3", Text: "gone", NotifyStaff: true, QuestionID: "Q-0003"})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "all three settled", func() bool {
		p, _ := st.Pending()
		return len(p) == 0
	})
	if m := status(t, st, msgs[0].ID); m.Status != store.OutboxSent || m.TS != "ts-"+m.ID || p.count(m) != 1 {
		t.Errorf("flaky: %+v, posted %d times", m, p.count(m))
	}
	if tries := p.tries[msgs[1].ID]; len(tries) != 2 || tries[1].Sub(tries[0]) < 300*time.Millisecond {
		t.Errorf("Retry-After not honoured: %v", tries)
	}
	gone := status(t, st, msgs[2].ID)
	if gone.Status != store.OutboxFailed || gone.Error != "channel_not_found" || len(p.tries[msgs[2].ID]) != 1 {
		t.Errorf("permanent failure: %+v, %d attempts", gone, len(p.tries[msgs[2].ID]))
	}
	notices, _ := st.Outbox(store.OutboxFilter{Status: store.OutboxSent})
	told := map[string]bool{}
	for _, m := range notices {
		if m.Kind == "staff_notice" {
			told[m.User] = true
			if !strings.Contains(m.Text, gone.ID) || !strings.Contains(m.Text, "channel_not_found") || !strings.Contains(m.Text, "Q-0003") {
				t.Errorf("staff notice %q", m.Text)
			}
		}
	}
	if !told["UNSG1"] || !told["UNSG2"] {
		t.Errorf("staff told: %v", told)
	}
}

// TestSenderLooksBeforeResending: a post whose answer was lost, and a
// message pending when the sender starts, are looked for before being
// posted again: each reaches Slack once.
func TestSenderLooksBeforeResending(t *testing.T) {
	st := openStore(t)
	p := newPoster()
	// Pending from a process that died after posting one of them.
	old, err := st.Enqueue(context.Background(),
		store.Message{Kind: "answer", Channel: "D1", Text: "posted before the crash"},
		store.Message{Kind: "answer", Channel: "D2", Text: "never posted"})
	if err != nil {
		t.Fatal(err)
	}
	p.posted[target(old[0])] = []string{old[0].ID}
	p.lost["answer lost"] = true
	run(t, st, p, Options{})
	lost, err := st.Enqueue(context.Background(), store.Message{Kind: "reminder", Channel: "C3", Text: "answer lost"})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "all sent", func() bool {
		pend, _ := st.Pending()
		return len(pend) == 0
	})
	for _, m := range append(old, lost...) {
		if n := p.count(m); n != 1 {
			t.Errorf("%s (%s) reached Slack %d times, want 1", m.ID, m.Text, n)
		}
		if got := status(t, st, m.ID); got.Status != store.OutboxSent {
			t.Errorf("%s: %s", m.ID, got.Status)
		}
	}
	if p.finds < 3 {
		t.Errorf("%d looks in Slack, want one for each uncertain message", p.finds)
	}
}

// overlapPoster reports sends to one conversation that overlap.
type overlapPoster struct {
	poster
	active  map[string]int
	overlap bool
}

func (p *overlapPoster) Send(ctx context.Context, m store.Message) (string, error) {
	p.mu.Lock()
	p.active[target(m)]++
	if p.active[target(m)] > 1 {
		p.overlap = true
	}
	p.mu.Unlock()
	time.Sleep(5 * time.Millisecond)
	p.mu.Lock()
	p.active[target(m)]--
	p.mu.Unlock()
	return p.poster.Send(ctx, m)
}

// TestSenderOneAtATimePerConversation: messages to one conversation are
// sent one at a time, while other conversations go in parallel.
func TestSenderOneAtATimePerConversation(t *testing.T) {
	st := openStore(t)
	p := &overlapPoster{poster: *newPoster(), active: map[string]int{}}
	run(t, st, p, Options{})
	var msgs []store.Message
	for i := range 20 {
		msgs = append(msgs, store.Message{Kind: "answer", Channel: []string{"D1", "D2"}[i%2], Text: "x"})
	}
	if _, err := st.Enqueue(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "all sent", func() bool {
		pend, _ := st.Pending()
		return len(pend) == 0
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.overlap {
		t.Error("two messages to one conversation were sent at once")
	}
	if len(p.posted["D1|"]) != 10 || len(p.posted["D2|"]) != 10 {
		t.Errorf("posted %v", p.posted)
	}
}

func TestBackoffJitter(t *testing.T) {
	s := New(nil, nil, Options{Backoff: time.Second, MaxBackoff: 8 * time.Second})
	for attempts, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := s.backoff(attempts)
			if d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempts, d, want/2, want)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("backoff(%d) has little jitter: %d values", attempts, len(seen))
		}
	}
}

// TestFailedLookIsRetried: when the look in Slack for a message that may
// have been posted fails, even with an error Slack calls final (a
// missing scope), the message is neither given up nor posted blindly: it
// is looked for again, and goes out once. The look reaches a day back, so
// a bot clock ahead of Slack's does not miss a post.
func TestFailedLookIsRetried(t *testing.T) {
	st := openStore(t)
	p := newPoster()
	p.fail = func(m store.Message, n int) error {
		if n == 1 {
			return testErr{msg: "HTTP 503"} // may have posted: look before the next try
		}
		return nil
	}
	p.findErr = func(n int) error {
		if n <= 2 {
			return testErr{msg: "conversations.history: missing_scope", permanent: true}
		}
		return nil
	}
	run(t, st, p, Options{})
	queued, err := st.Enqueue(context.Background(), store.Message{Kind: "reminder", Channel: "C0BIDDERS", Text: "Bids due in 7 days."})
	if err != nil {
		t.Fatal(err)
	}
	m := queued[0]
	waitUntil(t, "the reminder sent", func() bool { return status(t, st, m.ID).Status == store.OutboxSent })
	if n := p.count(m); n != 1 {
		t.Errorf("posted %d times, want 1", n)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finds < 3 {
		t.Errorf("looked %d times, want again after each failed look", p.finds)
	}
	for _, since := range p.since {
		if since.After(m.CreatedAt.Add(-23 * time.Hour)) {
			t.Errorf("looked since %v, less than a day before the message (%v)", since, m.CreatedAt)
		}
	}
}

// TestFailedLookGivenUp: a look in Slack that fails for what would stop
// the post too (the channel gone) gives the message up at once, posting
// nothing; one still failing past MaxAge gives it up saying an earlier
// try may have posted it, so staff look before sending it again.
func TestFailedLookGivenUp(t *testing.T) {
	for _, tt := range []struct {
		name, findErr, want string
		blocks              bool
		maxAge              time.Duration
	}{
		{"the channel gone", "conversations.history: channel_not_found", "channel_not_found", true, time.Hour},
		{"past MaxAge", "conversations.history: missing_scope", "an earlier try may have posted it", false, time.Nanosecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			p := newPoster()
			p.fail = func(m store.Message, n int) error {
				if n == 1 {
					return testErr{msg: "HTTP 503"}
				}
				return nil
			}
			p.findErr = func(int) error { return testErr{msg: tt.findErr, permanent: true, blocks: tt.blocks} }
			run(t, st, p, Options{MaxAge: tt.maxAge})
			queued, err := st.Enqueue(context.Background(), store.Message{Kind: "reminder", Channel: "C0BIDDERS", Text: "Bids due in 7 days."})
			if err != nil {
				t.Fatal(err)
			}
			m := queued[0]
			waitUntil(t, "the reminder given up", func() bool { return status(t, st, m.ID).Status == store.OutboxFailed })
			if got := status(t, st, m.ID).Error; !strings.Contains(got, tt.want) {
				t.Errorf("failed with %q, want it to say %q", got, tt.want)
			}
			if n := p.count(m); n != 0 {
				t.Errorf("posted %d times, want none", n)
			}
		})
	}
}

// TestAfterWaitsForItsMessage: a message queued After another (a
// clarification's DM after its post to every bidder) goes out only once
// that one has, and not at all when that one fails for good.
func TestAfterWaitsForItsMessage(t *testing.T) {
	for _, tt := range []struct {
		name     string
		fail     func(n int) error // the channel post's try n
		wantSent bool
	}{
		{"the post goes out at its third try", func(n int) error {
			if n < 3 {
				return testErr{msg: "rate limited", after: 20 * time.Millisecond}
			}
			return nil
		}, true},
		{"the post fails for good", func(int) error { return testErr{msg: "is_archived", permanent: true} }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			p := newPoster()
			var postedAt, dmAt time.Time
			p.fail = func(m store.Message, n int) error {
				if m.Channel != "" {
					if err := tt.fail(n); err != nil {
						return err
					}
					postedAt = time.Now()
					return nil
				}
				dmAt = time.Now()
				return nil
			}
			run(t, st, p, Options{})
			queued, err := st.Enqueue(context.Background(),
				store.Message{Kind: "clarification", Key: "clarification|C-001", Channel: "C0BIDDERS", Text: "C-001"},
				store.Message{Kind: "follower", Key: "clarified|C-001|U1", After: "clarification|C-001", User: "U1", Text: "C-001, for you"})
			if err != nil {
				t.Fatal(err)
			}
			post, dm := queued[0], queued[1]
			want := store.OutboxFailed
			if tt.wantSent {
				want = store.OutboxSent
			}
			waitUntil(t, "the DM and the post settled", func() bool {
				return status(t, st, dm.ID).Status == want && status(t, st, post.ID).Status == want
			})
			p.mu.Lock()
			posted, dmed := postedAt, dmAt
			p.mu.Unlock()
			switch {
			case tt.wantSent && (p.count(dm) != 1 || dmed.Before(posted)):
				t.Errorf("the DM went out %d times, at %v, the post at %v: want once, after", p.count(dm), dmed, posted)
			case !tt.wantSent && p.count(dm) != 0:
				t.Errorf("the DM went out though the post to every bidder failed")
			case !tt.wantSent && !strings.Contains(status(t, st, dm.ID).Error, "every bidder together"):
				t.Errorf("the DM failed with %q", status(t, st, dm.ID).Error)
			}
		})
	}
}
