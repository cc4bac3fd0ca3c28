package when

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want string // RFC 3339, or "" for an error
	}{
		{"2009-06-01", "2009-06-01T00:00:00+01:00"},
		{" 2009-06-01 09:30 ", "2009-06-01T09:30:00+01:00"},
		{"2009-12-01T09:30", "2009-12-01T09:30:00Z"},
		{"2009-06-01T09:30:00Z", "2009-06-01T09:30:00Z"},
		{"2009-06-01T09:30:00.5+02:00", "2009-06-01T09:30:00.5+02:00"},
		{"2009-07", ""},
		{"yesterday", ""},
		{"2009-13-01", ""},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in, london)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") || !strings.Contains(err.Error(), "Europe/London") {
				t.Errorf("Parse(%q) = %v, %v; want an error naming the forms and zone", tc.in, got, err)
			}
			continue
		}
		if err != nil || !got.Equal(mustTime(t, tc.want)) {
			t.Errorf("Parse(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestParseCivilMonths(t *testing.T) {
	c, err := ParseCivil("2009-07", true)
	if err != nil || c.Precision != Month || c.Month != time.July {
		t.Errorf("ParseCivil(2009-07, months) = %+v, %v", c, err)
	}
	if _, err := ParseCivil("2009-07", false); err == nil {
		t.Error("a month alone was taken where a day is needed")
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2009-06-01", "2009-06-01 09:30", "2009-06-01T09:30:00Z", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s, time.UTC)
		if err == nil && got.IsZero() {
			t.Errorf("Parse(%q) succeeded with a zero time", s)
		}
	})
}
