package reminders

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/config"
)

func TestReminderText(t *testing.T) {
	bids := testConfig().Deadlines[0]
	noon := config.Deadline{Name: "Clarification questions close",
		Due: config.Due{Year: 2009, Month: time.October, Day: 26, Hour: 12, Precision: config.PrecisionMinute}}
	custom := bids
	custom.Message = "Detailed bids are due on 19 October 2009."
	tests := []struct {
		name string
		d    config.Deadline
		now  time.Time
		want string
	}{
		{"7 days", bids, sevenDays, "Reminder: *Detailed bids due* on 19 October 2009 — in 7 days. (Guide, slide 17: Application process)"},
		{"tomorrow", bids, at(2009, time.October, 18, 17, 0), "Reminder: *Detailed bids due* on 19 October 2009 — tomorrow. (Guide, slide 17: Application process)"},
		{"today, without a time the guide did not give", bids, at(2009, time.October, 19, 9, 0), "Reminder: *Detailed bids due* on 19 October 2009 — today. (Guide, slide 17: Application process)"},
		{"hours before a time of day, across the change of clocks", noon, at(2009, time.October, 25, 21, 30), "Reminder: *Clarification questions close* on 26 October 2009 12:00 — in 14 hours 30 minutes."},
		{"days before a time of day", noon, at(2009, time.October, 19, 12, 0), "Reminder: *Clarification questions close* on 26 October 2009 12:00 — in 7 days."},
		{"message replaces the text", custom, sevenDays, "Detailed bids are due on 19 October 2009."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reminderText(tt.d, tt.d.Due.In(london), tt.now, london)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if tt.d.Due.Precision == config.PrecisionDay && strings.Contains(got, "17:00") {
				t.Errorf("%q states a time the configuration did not give", got)
			}
		})
	}
}

func TestCountdownText(t *testing.T) {
	cfg := config.Default().Reminders
	tests := []struct {
		now  time.Time
		want string
	}{
		{at(2009, time.August, 3, 9, 0), "29 days to *Informal dialogue closes* (1 September 2009). (Guide, slide 17: Application process)"},
		{at(2009, time.August, 31, 9, 0), "1 day to *Informal dialogue closes* (1 September 2009). (Guide, slide 17: Application process)"},
		{at(2009, time.September, 1, 9, 0), "Today: *Informal dialogue closes* (1 September 2009). (Guide, slide 17: Application process)"},
		{at(2009, time.September, 1, 17, 0), "48 days to *Detailed bids due* (19 October 2009). (Guide, slide 17: Application process)"},
		{at(2009, time.October, 19, 16, 59), "Today: *Detailed bids due* (19 October 2009). (Guide, slide 17: Application process)"},
		{at(2009, time.October, 19, 17, 0), ""},
	}
	for _, tt := range tests {
		t.Run(tt.now.Format(time.RFC3339), func(t *testing.T) {
			if got := countdownText(cfg, london, tt.now); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestTimeline(t *testing.T) {
	cfg := config.Default().Reminders
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		{"before the advert", at(2009, time.June, 15, 9, 0), `• OJEU advert: July 2009 — Guide, slide 17: Application process
• Informal dialogue closes: 1 September 2009 (in 78 days) — Guide, slide 17: Application process
• Detailed bids due: 19 October 2009 (in 126 days) — Guide, slide 17: Application process
• First wave of HIECs announced: December 2009 — Guide, slide 18: December`},
		{"during the advert month", at(2009, time.July, 20, 9, 0), `• OJEU advert: July 2009 — Guide, slide 17: Application process
• Informal dialogue closes: 1 September 2009 (in 43 days) — Guide, slide 17: Application process
• Detailed bids due: 19 October 2009 (in 91 days) — Guide, slide 17: Application process
• First wave of HIECs announced: December 2009 — Guide, slide 18: December`},
		{"bids due in 12 days", at(2009, time.October, 7, 9, 0), `• OJEU advert: July 2009 (passed) — Guide, slide 17: Application process
• Informal dialogue closes: 1 September 2009 (passed) — Guide, slide 17: Application process
• Detailed bids due: 19 October 2009 (in 12 days) — Guide, slide 17: Application process
• First wave of HIECs announced: December 2009 — Guide, slide 18: December`},
		{"bids due tomorrow", at(2009, time.October, 18, 23, 0), `• OJEU advert: July 2009 (passed) — Guide, slide 17: Application process
• Informal dialogue closes: 1 September 2009 (passed) — Guide, slide 17: Application process
• Detailed bids due: 19 October 2009 (tomorrow) — Guide, slide 17: Application process
• First wave of HIECs announced: December 2009 — Guide, slide 18: December`},
		{"bids due today", at(2009, time.October, 19, 0, 30), `• OJEU advert: July 2009 (passed) — Guide, slide 17: Application process
• Informal dialogue closes: 1 September 2009 (passed) — Guide, slide 17: Application process
• Detailed bids due: 19 October 2009 (today) — Guide, slide 17: Application process
• First wave of HIECs announced: December 2009 — Guide, slide 18: December`},
		{"all passed", at(2010, time.January, 1, 0, 0), `• OJEU advert: July 2009 (passed) — Guide, slide 17: Application process
• Informal dialogue closes: 1 September 2009 (passed) — Guide, slide 17: Application process
• Detailed bids due: 19 October 2009 (passed) — Guide, slide 17: Application process
• First wave of HIECs announced: December 2009 (passed) — Guide, slide 18: December`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := Timeline(cfg, tt.now)
			if got := FormatTimeline(ms); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			for i := 1; i < len(ms); i++ {
				if ms[i].At.Before(ms[i-1].At) {
					t.Errorf("%s sorted after %s", ms[i].Name, ms[i-1].Name)
				}
			}
		})
	}

	ms := Timeline(cfg, at(2009, time.October, 7, 9, 0))
	bids := ms[2]
	want := Milestone{Name: "Detailed bids due", Label: "19 October 2009", Source: "Guide, slide 17: Application process",
		At: at(2009, time.October, 19, 17, 0), Kind: KindDeadline, DaysLeft: 12, Precision: config.PrecisionDay}
	if !bids.At.Equal(want.At) || bids.At.Location().String() != "Europe/London" {
		t.Errorf("At = %v, want %v in Europe/London", bids.At, want.At)
	}
	bids.At = want.At
	if bids != want {
		t.Errorf("got  %+v\nwant %+v", bids, want)
	}
	if ms[0].Kind != KindMilestone || ms[0].Precision != config.PrecisionMonth || !ms[0].Passed {
		t.Errorf("OJEU advert = %+v, want a passed month-only milestone", ms[0])
	}
	if got, want := FormatTimeline(TimelineOf(cfg)(at(2009, time.October, 7, 9, 0))), FormatTimeline(ms); got != want {
		t.Errorf("TimelineOf(cfg)(now) =\n%s\nwant Timeline(cfg, now) =\n%s", got, want)
	}
	if got := FormatTimeline(nil); got != "" {
		t.Errorf("FormatTimeline(nil) = %q, want empty", got)
	}
}

func TestEntries(t *testing.T) {
	cfg := config.Default().Reminders
	l := newLedger()
	l.sent["before|Informal dialogue closes|2009-09-01|28d"] = time.Now()
	now := at(2009, time.August, 5, 12, 0) // a Wednesday
	type row struct {
		name, kind, due, firesAt string
		sent                     bool
	}
	want := []row{
		{"Informal dialogue closes (28d before)", KindBefore, "2009-09-01T17:00:00+01:00", "2009-08-04T17:00:00+01:00", true},
		{"NSG digest", KindCron, "", "2009-08-06T09:00:00+01:00", false},
		{"Weekly countdown", KindCron, "", "2009-08-10T09:00:00+01:00", false},
		{"Informal dialogue closes (14d before)", KindBefore, "2009-09-01T17:00:00+01:00", "2009-08-18T17:00:00+01:00", false},
		{"Informal dialogue closes (7d before)", KindBefore, "2009-09-01T17:00:00+01:00", "2009-08-25T17:00:00+01:00", false},
		{"Informal dialogue closes (1d before)", KindBefore, "2009-09-01T17:00:00+01:00", "2009-08-31T17:00:00+01:00", false},
		{"Detailed bids due (28d before)", KindBefore, "2009-10-19T17:00:00+01:00", "2009-09-21T17:00:00+01:00", false},
		{"Detailed bids due (14d before)", KindBefore, "2009-10-19T17:00:00+01:00", "2009-10-05T17:00:00+01:00", false},
		{"Detailed bids due (7d before)", KindBefore, "2009-10-19T17:00:00+01:00", "2009-10-12T17:00:00+01:00", false},
		{"Detailed bids due (1d before)", KindBefore, "2009-10-19T17:00:00+01:00", "2009-10-18T17:00:00+01:00", false},
	}
	check := func(t *testing.T, es []Entry, want []row) {
		t.Helper()
		if len(es) != len(want) {
			t.Fatalf("got %d entries, want %d: %+v", len(es), len(want), es)
		}
		for i, e := range es {
			due := ""
			if !e.Due.IsZero() {
				due = e.Due.Format(jsonTime)
			}
			got := row{e.Name, e.Kind, due, e.FiresAt.Format(jsonTime), e.Sent}
			if got != want[i] {
				t.Errorf("entry %d = %+v, want %+v", i, got, want[i])
			}
		}
	}
	t.Run("without a scheduler", func(t *testing.T) {
		es, err := Entries(cfg, l, now)
		if err != nil {
			t.Fatal(err)
		}
		check(t, es, want)
	})
	t.Run("nil ledger", func(t *testing.T) {
		es, err := Entries(cfg, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		unsent := append([]row(nil), want...)
		unsent[0].sent = false
		check(t, es, unsent)
	})
	t.Run("scheduler", func(t *testing.T) {
		s, _ := newTest(t, cfg, &recPoster{}, l, now)
		es, err := s.Entries(now)
		if err != nil {
			t.Fatal(err)
		}
		check(t, es, want)
	})
	t.Run("after the change of clocks", func(t *testing.T) {
		es, err := Entries(cfg, nil, at(2009, time.October, 30, 12, 0)) // a Friday, GMT
		if err != nil {
			t.Fatal(err)
		}
		last := es[len(es)-2:]
		check(t, last, []row{
			{"NSG digest", KindCron, "", "2009-11-02T09:00:00+00:00", false},
			{"Weekly countdown", KindCron, "", "2009-11-02T09:00:00+00:00", false},
		})
	})
	t.Run("ledger error", func(t *testing.T) {
		bad := newLedger()
		bad.readErr = errMissing
		if _, err := Entries(cfg, bad, now); err == nil || !strings.Contains(err.Error(), "Informal dialogue closes (28d before)") {
			t.Errorf("Entries with a failing ledger = %v, want an error naming the reminder", err)
		}
	})
}

var errMissing = errors.New("ledger unreadable")

func TestEntryJSON(t *testing.T) {
	es := []Entry{
		{Name: "Detailed bids due (7d before)", Kind: KindBefore, Due: at(2009, time.October, 19, 17, 0), FiresAt: sevenDays, Sent: true},
		{Name: "Weekly countdown", Kind: KindCron, FiresAt: at(2009, time.November, 2, 9, 0)},
	}
	got, err := json.Marshal(es)
	if err != nil {
		t.Fatal(err)
	}
	const want = `[{"name":"Detailed bids due (7d before)","kind":"before","due":"2009-10-19T17:00:00+01:00","fires_at":"2009-10-12T17:00:00+01:00","sent":true},` +
		`{"name":"Weekly countdown","kind":"cron","due":null,"fires_at":"2009-11-02T09:00:00+00:00","sent":false}]`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	var back []Entry
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !back[0].FiresAt.Equal(es[0].FiresAt) || !back[1].Due.IsZero() || back[1].Kind != KindCron {
		t.Errorf("round trip = %+v", back)
	}
}
