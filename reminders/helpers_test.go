package reminders

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/fakes"
	"github.com/hiec/hiecbot/config"
)

var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a wall-clock time in London.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, london)
}

func day(y int, m time.Month, d int) config.Due {
	return config.Due{Year: y, Month: m, Day: d, Precision: config.PrecisionDay}
}

func days(ds ...int) []config.Duration {
	out := make([]config.Duration, len(ds))
	for i, d := range ds {
		out[i] = config.Duration(time.Duration(d) * 24 * time.Hour)
	}
	return out
}

// testConfig has one deadline, detailed bids on 19 October 2009, reminded
// 28, 14, 7 and 1 days before, and no recurring posts.
func testConfig() config.Reminders {
	return config.Reminders{
		Timezone: "Europe/London",
		Channel:  "C-BIDDERS",
		Grace:    config.Duration(6 * time.Hour),
		Deadlines: []config.Deadline{{
			Name:         "Detailed bids due",
			Due:          day(2009, time.October, 19),
			RemindBefore: days(28, 14, 7, 1),
			Source:       "Guide, slide 17: Application process",
		}},
	}
}

type post struct{ channel, text string }

// recPoster records posts; it fails the first fail attempts, or every
// attempt when fail is negative.
type recPoster struct {
	mu       sync.Mutex
	fail     int
	attempts int
	posts    []post
}

func (p *recPoster) Post(ctx context.Context, channel, text string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.attempts++
	if p.fail != 0 {
		if p.fail > 0 {
			p.fail--
		}
		return errors.New("slack: service_unavailable")
	}
	p.posts = append(p.posts, post{channel, text})
	return nil
}

func (p *recPoster) Posts() []post {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]post(nil), p.posts...)
}

func (p *recPoster) Attempts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.attempts
}

// memLedger is an in-memory Ledger; readErr and markErr make it fail.
type memLedger struct {
	mu      sync.Mutex
	sent    map[string]time.Time
	readErr error
	markErr error
}

func newLedger() *memLedger { return &memLedger{sent: map[string]time.Time{}} }

func (l *memLedger) Sent(key string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.readErr != nil {
		return false, l.readErr
	}
	_, ok := l.sent[key]
	return ok, nil
}

func (l *memLedger) MarkSent(key string, at time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.markErr != nil {
		return l.markErr
	}
	l.sent[key] = at
	return nil
}

func (l *memLedger) Keys() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var keys []string
	for k := range l.sent {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// testLogger logs at info level and shows the log when t fails.
func testLogger(t *testing.T) (*slog.Logger, *fakes.SyncBuffer) {
	t.Helper()
	buf := new(fakes.SyncBuffer)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", buf)
		}
	})
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo})), buf
}

// newTest returns a Scheduler whose clock reads now.
func newTest(t *testing.T, cfg config.Reminders, p Poster, l Ledger, now time.Time) (*Scheduler, *fakes.SyncBuffer) {
	t.Helper()
	log, buf := testLogger(t)
	s, err := New(cfg, p, l, Options{Now: func() time.Time { return now }, Logger: log, Retry: []time.Duration{time.Millisecond}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, buf
}

// runOnce starts s, lets it catch up and stops it.
func runOnce(t *testing.T, s *Scheduler) {
	t.Helper()
	if err := s.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	<-s.caughtUp
	s.Stop()
}

func texts(ps []post) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.channel + ": " + p.text + "\n")
	}
	return b.String()
}
