// Package when reads the dates and times people write, in one way for
// the whole of hiecbot: the config's deadlines, the command line's
// --since, --until and --at, and the /hiec export command. It owns only
// parsing and imports nothing of hiecbot's.
package when

import (
	"fmt"
	"strings"
	"time"
)

// Precision says how much of a civil date was written.
type Precision int

// Precisions of a Civil date.
const (
	Month  Precision = iota + 1 // 2009-07
	Day                         // 2009-10-19
	Minute                      // 2009-10-19 12:00
)

// Civil is a date, or a date and time, without a zone.
type Civil struct {
	Year      int
	Month     time.Month
	Day       int
	Hour, Min int
	Precision Precision
}

// Forms lists what ParseCivil reads, for error messages.
const Forms = "YYYY-MM-DD or YYYY-MM-DD HH:MM (e.g. 2009-10-19 or 2009-10-19 12:00)"

var layouts = []struct {
	layout string
	p      Precision
}{
	{"2006-01-02 15:04", Minute},
	{"2006-01-02T15:04", Minute},
	{"2006-01-02", Day},
	{"2006-01", Month},
}

// ParseCivil reads "2009-10-19", "2009-10-19 12:00" (or with a T), or
// "2009-07" when months are allowed.
func ParseCivil(s string, months bool) (Civil, error) {
	s = strings.TrimSpace(s)
	for _, f := range layouts {
		if f.p == Month && !months {
			continue
		}
		if t, err := time.Parse(f.layout, s); err == nil {
			c := Civil{Year: t.Year(), Month: t.Month(), Day: t.Day(), Precision: f.p}
			if f.p == Minute {
				c.Hour, c.Min = t.Hour(), t.Minute()
			}
			return c, nil
		}
	}
	forms := Forms
	if months {
		forms = "YYYY-MM-DD, YYYY-MM-DD HH:MM or YYYY-MM (e.g. 2009-10-19, 2009-10-19 12:00 or 2009-07)"
	}
	return Civil{}, fmt.Errorf("date %q is not one hiecbot reads: write %s", s, forms)
}

// Start returns the first instant of c in loc: midnight of a day, the
// first day of a month, or the minute written.
func (c Civil) Start(loc *time.Location) time.Time {
	switch c.Precision {
	case Month:
		return time.Date(c.Year, c.Month, 1, 0, 0, 0, 0, loc)
	case Day:
		return time.Date(c.Year, c.Month, c.Day, 0, 0, 0, 0, loc)
	}
	return time.Date(c.Year, c.Month, c.Day, c.Hour, c.Min, 0, 0, loc)
}

// Parse reads an instant: RFC 3339 ("2009-06-01T09:00:00+01:00"), or a
// date or date and minute in loc ("2009-06-01" is midnight there).
func Parse(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	c, err := ParseCivil(s, false)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q is not one hiecbot reads: write YYYY-MM-DD, YYYY-MM-DD HH:MM (in %s) or RFC 3339 (e.g. 2009-06-01, 2009-06-01 09:30 or 2009-06-01T09:30:00+01:00)", s, zoneName(loc))
	}
	return c.Start(loc), nil
}

func zoneName(loc *time.Location) string {
	if loc == nil {
		return "UTC"
	}
	return loc.String()
}
