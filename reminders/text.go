package reminders

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hiec/hiecbot/config"
)

// Kinds of Milestone.
const (
	KindDeadline  = "deadline"  // from reminders.deadlines
	KindMilestone = "milestone" // from reminders.milestones
)

// Milestone is a deadline or milestone for people (/hiec deadlines, App
// Home).
type Milestone struct {
	Name string
	// Label is the date as configured, for people: "19 October 2009",
	// "19 October 2009 12:00" or "July 2009".
	Label  string
	Source string
	// At is the instant in the reminders' timezone: for a date alone the
	// end of that working day, for a month alone its first day.
	At time.Time
	// Kind is KindDeadline or KindMilestone.
	Kind string
	// DaysLeft is the number of calendar days from now to At in the
	// reminders' timezone: 0 on the day, negative after it. It means
	// little for a month alone, which FormatTimeline shows without it.
	DaysLeft int
	// Passed reports whether At has passed; a month alone passes when the
	// month ends.
	Passed bool
	// Precision is how much of the date was given.
	Precision config.Precision
}

// Timeline returns cfg's deadlines and milestones as of now, sorted by
// time (in configuration order, deadlines first, when at the same time).
func Timeline(cfg config.Reminders, now time.Time) []Milestone {
	loc := cfg.Location()
	out := make([]Milestone, 0, len(cfg.Deadlines)+len(cfg.Milestones))
	for _, d := range cfg.Deadlines {
		at := d.Due.In(loc)
		out = append(out, Milestone{
			Name: d.Name, Label: d.Due.Label(), Source: d.Source, At: at, Kind: KindDeadline,
			DaysLeft: calendarDays(now, at, loc), Passed: !now.Before(at), Precision: d.Due.Precision,
		})
	}
	for _, m := range cfg.Milestones {
		at := m.When.In(loc)
		end := at
		if m.When.Precision == config.PrecisionMonth {
			end = at.AddDate(0, 1, 0)
		}
		out = append(out, Milestone{
			Name: m.Name, Label: m.When.Label(), Source: m.Source, At: at, Kind: KindMilestone,
			DaysLeft: calendarDays(now, at, loc), Passed: !now.Before(end), Precision: m.When.Precision,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// TimelineOf is cfg's timeline as a function of now: what the Desk shows
// for /hiec deadlines and App Home, wired by main.
func TimelineOf(cfg config.Reminders) func(now time.Time) []Milestone {
	return func(now time.Time) []Milestone { return Timeline(cfg, now) }
}

// FormatTimeline writes one line per milestone, such as "• Detailed bids
// due: 19 October 2009 (in 12 days) — Guide, slide 17: Application
// process". A passed milestone says "(passed)"; a month alone has no day
// count. It returns "" for no milestones.
func FormatTimeline(ms []Milestone) string {
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "• %s: %s", m.Name, m.Label)
		switch {
		case m.Passed:
			b.WriteString(" (passed)")
		case m.Precision == config.PrecisionMonth:
		case m.DaysLeft <= 0:
			b.WriteString(" (today)")
		case m.DaysLeft == 1:
			b.WriteString(" (tomorrow)")
		default:
			fmt.Fprintf(&b, " (in %d days)", m.DaysLeft)
		}
		if m.Source != "" {
			b.WriteString(" — " + m.Source)
		}
	}
	return b.String()
}

// reminderText is the before reminder for d, falling due at due, as of now:
// d.Message when set, otherwise the name, date, time left and source.
func reminderText(d config.Deadline, due, now time.Time, loc *time.Location) string {
	if d.Message != "" {
		return d.Message
	}
	text := fmt.Sprintf("Reminder: *%s* on %s — %s.", d.Name, d.Due.Label(), until(d.Due.Precision, due, now, loc))
	if d.Source != "" {
		text += " (" + d.Source + ")"
	}
	return text
}

// countdownText is the countdown to the next deadline after now, or ""
// when every deadline has passed.
func countdownText(cfg config.Reminders, loc *time.Location, now time.Time) string {
	var next *config.Deadline
	var at time.Time
	for i := range cfg.Deadlines {
		d := &cfg.Deadlines[i]
		if t := d.Due.In(loc); t.After(now) && (next == nil || t.Before(at)) {
			next, at = d, t
		}
	}
	if next == nil {
		return ""
	}
	var text string
	left, days := at.Sub(now), calendarDays(now, at, loc)
	switch {
	case next.Due.Precision == config.PrecisionMinute && left < 24*time.Hour:
		text = fmt.Sprintf("%s to *%s* (%s).", span(left), next.Name, next.Due.Label())
	case days == 0:
		text = fmt.Sprintf("Today: *%s* (%s).", next.Name, next.Due.Label())
	default:
		text = fmt.Sprintf("%s to *%s* (%s).", plural(days, "day"), next.Name, next.Due.Label())
	}
	if next.Source != "" {
		text += " (" + next.Source + ")"
	}
	return text
}

// until says how long from now until at for people. For a date alone it
// counts calendar days ("today", "tomorrow", "in 7 days") and so never
// implies a time of day; for a date and time under a day ahead it gives
// hours and minutes.
func until(p config.Precision, at, now time.Time, loc *time.Location) string {
	left := at.Sub(now)
	if left <= 0 {
		return "due now"
	}
	if p == config.PrecisionMinute && left < 24*time.Hour {
		return "in " + span(left)
	}
	switch days := calendarDays(now, at, loc); days {
	case 0:
		return "today"
	case 1:
		return "tomorrow"
	default:
		return fmt.Sprintf("in %d days", days)
	}
}

// span writes a duration under a day in hours and minutes.
func span(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0 && m == 0:
		return "less than a minute"
	case h == 0:
		return plural(m, "minute")
	case m == 0:
		return plural(h, "hour")
	}
	return plural(h, "hour") + " " + plural(m, "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// calendarDays is the number of calendar days from from's date to to's
// date in loc.
func calendarDays(from, to time.Time, loc *time.Location) int {
	y1, m1, d1 := from.In(loc).Date()
	y2, m2, d2 := to.In(loc).Date()
	a := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	b := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a) / (24 * time.Hour))
}
