package store

import (
	"strings"
	"time"

	"github.com/hiec/hiecbot/config/when"
)

// FilterError is a filter value that could not be read; Field is
// "status", "since" or "until", so each caller can name it in its own
// terms (--since on the command line, `since` in Slack).
type FilterError struct {
	Field string
	Err   error
}

func (e *FilterError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FilterError) Unwrap() error { return e.Err }

// ParseFilter is the one reader of filters as people write them, for the
// command line, the /hiec commands and the admin socket: status is a
// comma-separated list of statuses ("awaiting,nsg_answered"), since and
// until are dates or times read by when.Parse in loc (a date alone is
// midnight there). Empty strings set no bound.
func ParseFilter(status, since, until string, loc *time.Location) (Filter, error) {
	var f Filter
	if strings.TrimSpace(status) != "" {
		for _, s := range strings.Split(status, ",") {
			st, err := ParseStatus(s)
			if err != nil {
				return Filter{}, &FilterError{"status", err}
			}
			f.Status = append(f.Status, st)
		}
	}
	for _, b := range []struct {
		field, s string
		t        *time.Time
	}{{"since", since, &f.Since}, {"until", until, &f.Until}} {
		if strings.TrimSpace(b.s) == "" {
			continue
		}
		t, err := when.Parse(b.s, loc)
		if err != nil {
			return Filter{}, &FilterError{b.field, err}
		}
		*b.t = t
	}
	return f, nil
}
