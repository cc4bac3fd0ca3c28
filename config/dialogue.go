package config

import (
	"time"

	"github.com/hiec/hiecbot/config/when"
)

// Dialogue configures the informal dialogue itself.
type Dialogue struct {
	// Closes is when the informal dialogue closes: a date ("2009-09-01",
	// the end of that working day, 17:00) or a date and time ("2009-09-01
	// 12:00") in reminders.timezone, or RFC 3339. Unset, it never closes.
	// After it, questions the sources do not cover are logged as late and
	// not passed to the NSG; staff can still answer and publish.
	Closes string `yaml:"closes,omitempty"`

	closes time.Time // parsed by validate
}

// ClosesAt is when the informal dialogue closes; zero when unset.
func (d Dialogue) ClosesAt() time.Time { return d.closes }

// parseCloses reads dialogue.closes in loc.
func parseCloses(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	c, err := when.ParseCivil(s, false)
	if err != nil {
		return time.Time{}, err
	}
	if c.Precision == when.Day {
		return time.Date(c.Year, c.Month, c.Day, EndOfWorkingDayHour, EndOfWorkingDayMinute, 0, 0, loc), nil
	}
	return c.Start(loc), nil
}

func (d *Dialogue) validate(ps *problems, loc *time.Location) {
	d.closes = time.Time{}
	if d.Closes == "" {
		return
	}
	t, err := parseCloses(d.Closes, loc)
	if err != nil {
		ps.at("dialogue.closes", "%q is not a time: write a date (2009-09-01, which closes at 17:00), a date and time (2009-09-01 12:00), both in reminders.timezone, or RFC 3339 (2009-09-01T17:00:00+01:00)", d.Closes)
		return
	}
	d.closes = t
}
