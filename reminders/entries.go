package reminders

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/hiec/hiecbot/config"
)

// Kinds of Entry.
const (
	KindBefore = "before" // posted once, a set time before a deadline
	KindCron   = "cron"   // posted on a cron spec
)

// Entry is one reminder as `hiecbot reminders` lists it.
type Entry struct {
	// Name is "<deadline> (<offset> before)", e.g. "Detailed bids due (7d
	// before)", or the cron job's name.
	Name string `json:"name"`
	// Kind is KindBefore or KindCron.
	Kind string `json:"kind"`
	// Due is the deadline's instant; zero (null in JSON) for cron.
	Due time.Time `json:"due"`
	// FiresAt is the reminder's fixed time for before, its next fire time
	// for cron.
	FiresAt time.Time `json:"fires_at"`
	// Sent reports whether the ledger records the post at FiresAt: with
	// an outbox, that it was queued, exactly once.
	Sent bool `json:"sent"`
	// Key is the reminder's ledger key at FiresAt.
	Key string `json:"-"`
	// Delivery, when the caller knows it, is what became of the queued
	// post: "queued", "sent" or "failed: why" (see store.Message).
	Delivery string `json:"delivery,omitempty"`
}

// jsonTime is RFC 3339 with the offset always written as digits, so that
// GMT shows as +00:00 beside BST's +01:00.
const jsonTime = "2006-01-02T15:04:05-07:00"

// MarshalJSON writes times in RFC 3339 with their offset and a zero time as
// null.
func (e Entry) MarshalJSON() ([]byte, error) {
	stamp := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := t.Format(jsonTime)
		return &s
	}
	return json.Marshal(struct {
		Name     string  `json:"name"`
		Kind     string  `json:"kind"`
		Due      *string `json:"due"`
		FiresAt  *string `json:"fires_at"`
		Sent     bool    `json:"sent"`
		Delivery string  `json:"delivery,omitempty"`
	}{e.Name, e.Kind, stamp(e.Due), stamp(e.FiresAt), e.Sent, e.Delivery})
}

// Entries lists every reminder with its fire time as of at, sorted by
// FiresAt, in the configured timezone. Before reminders whose time is
// before at are listed too, so the whole timeline shows.
func (s *Scheduler) Entries(at time.Time) ([]Entry, error) {
	sent := func(key string) (bool, error) {
		s.mu.Lock()
		here := s.sent[key]
		s.mu.Unlock()
		if here {
			return true, nil
		}
		return s.ledger.Sent(key)
	}
	return entries(s.before, s.jobs, s.loc, sent, at)
}

// Entries is Scheduler.Entries without a Scheduler, for the command line.
// l may be nil: every reminder is then unsent.
func Entries(cfg config.Reminders, l SentLog, at time.Time) ([]Entry, error) {
	p, err := plan(cfg)
	if err != nil {
		return nil, err
	}
	sent := func(string) (bool, error) { return false, nil }
	if l != nil {
		sent = l.Sent
	}
	return entries(p.before, p.jobs, p.loc, sent, at)
}

func entries(before []*oneShot, jobs []*cronJob, loc *time.Location, sent func(string) (bool, error), at time.Time) ([]Entry, error) {
	out := make([]Entry, 0, len(before)+len(jobs))
	for _, r := range before {
		ok, err := sent(r.key)
		if err != nil {
			return nil, fmt.Errorf("reminders: entries: is %q sent: %w", r.name, err)
		}
		out = append(out, Entry{Name: r.name, Kind: KindBefore, Due: r.due, FiresAt: r.fire, Sent: ok, Key: r.key})
	}
	for _, j := range jobs {
		e := Entry{Name: j.job.Name, Kind: KindCron}
		if next := j.sched.Next(at); !next.IsZero() {
			e.FiresAt, e.Key = next.In(loc), cronKey(j.job.Name, next)
			ok, err := sent(e.Key)
			if err != nil {
				return nil, fmt.Errorf("reminders: entries: is %q at %s sent: %w", j.job.Name, next.Format(time.RFC3339), err)
			}
			e.Sent = ok
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].FiresAt, out[j].FiresAt
		switch {
		case a.IsZero() != b.IsZero():
			return b.IsZero() // a job that never fires goes last
		case !a.Equal(b):
			return a.Before(b)
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// oneShot is a before reminder.
type oneShot struct {
	deadline config.Deadline
	before   time.Duration
	due      time.Time // the deadline's instant
	fire     time.Time // when to post
	key      string    // ledger key
	name     string    // Entry name
}

// passed reports whether r's deadline has passed at now, so that r is not
// to be posted. A reminder at the deadline itself (offset 0) may be posted
// while on time.
func (r *oneShot) passed(now time.Time) bool {
	if now.Before(r.due) {
		return false
	}
	return r.before != 0 || now.Sub(r.fire) > onTime
}

// oneShots returns the before reminders of cfg in configuration order.
func oneShots(cfg config.Reminders, loc *time.Location) []*oneShot {
	var out []*oneShot
	for _, d := range cfg.Deadlines {
		due := d.Due.In(loc)
		for _, off := range d.RemindBefore {
			b := time.Duration(off)
			label := config.FormatDuration(b)
			out = append(out, &oneShot{
				deadline: d,
				before:   b,
				due:      due,
				fire:     fireTime(due, b),
				key:      fmt.Sprintf("before|%s|%s|%s", d.Name, d.Due, label),
				name:     fmt.Sprintf("%s (%s before)", d.Name, label),
			})
		}
	}
	return out
}

// fireTime is before ahead of due: whole days in calendar days at the same
// wall-clock time in due's location (so across a change of clocks "7d" is
// not 168 hours), the rest in elapsed time.
func fireTime(due time.Time, before time.Duration) time.Time {
	const day = 24 * time.Hour
	return due.AddDate(0, 0, -int(before/day)).Add(-(before % day))
}

// cronKey is the ledger key of the recurring post name at fire.
func cronKey(name string, fire time.Time) string {
	return "cron|" + name + "|" + fire.UTC().Format(time.RFC3339)
}

// schedule is what cfg asks for: its zone, one-shot reminders and
// recurring posts.
type schedule struct {
	loc    *time.Location
	before []*oneShot
	jobs   []*cronJob
}

// plan loads cfg's timezone and parses its reminders and cron specs.
func plan(cfg config.Reminders) (schedule, error) {
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return schedule{}, fmt.Errorf("reminders: timezone %q: %w", cfg.Timezone, err)
	}
	jobs, err := parseJobs(cfg)
	if err != nil {
		return schedule{}, err
	}
	return schedule{loc: loc, before: oneShots(cfg, loc), jobs: jobs}, nil
}

// parseJobs parses the specs of cfg's recurring posts.
func parseJobs(cfg config.Reminders) ([]*cronJob, error) {
	jobs := make([]*cronJob, 0, len(cfg.Cron))
	for _, c := range cfg.Cron {
		spec := c.FullSpec(cfg.Timezone)
		sched, err := config.CronParser.Parse(spec)
		if err != nil {
			return nil, fmt.Errorf("reminders: cron job %q: spec %q: %w", c.Name, spec, err)
		}
		jobs = append(jobs, &cronJob{job: c, sched: sched})
	}
	return jobs, nil
}
