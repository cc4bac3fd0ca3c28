package config

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zones work on a machine without a zone database

	"github.com/hiec/hiecbot/config/when"
	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"
)

// EndOfWorkingDay is the local time a deadline given as a date alone falls
// due: 17:00 on that day in the reminders' timezone.
const (
	EndOfWorkingDayHour   = 17
	EndOfWorkingDayMinute = 0
)

// CronParser parses the specs of recurring posts: five fields (minute,
// hour, day of month, month, day of week), descriptors such as @weekly,
// and an optional CRON_TZ= or TZ= prefix.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Reminders configures the posts made before each deadline and on a
// schedule.
type Reminders struct {
	// Timezone is the IANA zone deadlines are given in.
	Timezone string `yaml:"timezone"`
	// Channel is the bidders' channel reminders and clarifications go to.
	Channel string `yaml:"channel"`
	// Grace is how late a reminder missed while the bot was down may still
	// be sent.
	Grace      Duration    `yaml:"grace"`
	Deadlines  []Deadline  `yaml:"deadlines"`
	Milestones []Milestone `yaml:"milestones"`
	Cron       []CronJob   `yaml:"cron"`
}

// Location returns the reminders' timezone; validate has checked it.
func (r Reminders) Location() *time.Location {
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Deadline is a date bidders must not miss.
type Deadline struct {
	Name string `yaml:"name"`
	// Due is the date, or date and time, in the reminders' timezone.
	Due Due `yaml:"due"`
	// RemindBefore lists how long before Due to post a reminder.
	RemindBefore []Duration `yaml:"remind_before"`
	// Message replaces the generated reminder text when set.
	Message string `yaml:"message"`
	// Source is the citation for the date, shown with reminders.
	Source string `yaml:"source"`
	// Line is where the deadline is defined in the file, 0 for defaults.
	Line int `yaml:"-"`
}

// UnmarshalYAML decodes a deadline and remembers its line.
func (d *Deadline) UnmarshalYAML(n *yaml.Node) error {
	type plain Deadline
	if err := n.Decode((*plain)(d)); err != nil {
		return err
	}
	d.Line = n.Line
	return nil
}

// Milestone is a dated step of the process that is shown, not reminded.
type Milestone struct {
	Name string `yaml:"name"`
	// When is a month (2009-07) or a day (2009-12-01).
	When   Due    `yaml:"when"`
	Source string `yaml:"source"`
	Line   int    `yaml:"-"`
}

// UnmarshalYAML decodes a milestone and remembers its line.
func (m *Milestone) UnmarshalYAML(n *yaml.Node) error {
	type plain Milestone
	if err := n.Decode((*plain)(m)); err != nil {
		return err
	}
	m.Line = n.Line
	return nil
}

// Post kinds for recurring jobs.
const (
	PostCountdown = "countdown" // to the bidders' channel: time left to the next deadline
	PostDigest    = "digest"    // to nsg.channel: questions awaiting an answer
)

// CronJob is a recurring post.
type CronJob struct {
	Name string `yaml:"name"`
	// Spec is a robfig/cron spec, read in Timezone (or the reminders'
	// timezone) unless it starts with CRON_TZ=.
	Spec     string `yaml:"spec"`
	Timezone string `yaml:"timezone"`
	// Post is countdown or digest.
	Post string `yaml:"post"`
	Line int    `yaml:"-"`
}

// UnmarshalYAML decodes a job and remembers its line.
func (c *CronJob) UnmarshalYAML(n *yaml.Node) error {
	type plain CronJob
	if err := n.Decode((*plain)(c)); err != nil {
		return err
	}
	c.Line = n.Line
	return nil
}

// FullSpec is the spec with its timezone made explicit, as cron parses it.
func (c CronJob) FullSpec(defaultZone string) string {
	if strings.HasPrefix(c.Spec, "CRON_TZ=") || strings.HasPrefix(c.Spec, "TZ=") {
		return c.Spec
	}
	zone := c.Timezone
	if zone == "" {
		zone = defaultZone
	}
	return "CRON_TZ=" + zone + " " + c.Spec
}

// Precision says how much of a Due was written.
type Precision int

// Precisions of a Due.
const (
	PrecisionMonth  = Precision(when.Month)  // 2009-07
	PrecisionDay    = Precision(when.Day)    // 2009-10-19
	PrecisionMinute = Precision(when.Minute) // 2009-10-19 12:00
)

// Due is a civil date, or date and time, without a zone.
type Due struct {
	Year      int
	Month     time.Month
	Day       int
	Hour, Min int
	Precision Precision
}

// ParseDue reads "2009-10-19", "2009-10-19 12:00" (or with a T) or, for
// milestones, "2009-07", with the one date reader of package when.
func ParseDue(s string) (Due, error) {
	c, err := when.ParseCivil(s, true)
	if err != nil {
		return Due{}, err
	}
	return Due{Year: c.Year, Month: c.Month, Day: c.Day, Hour: c.Hour, Min: c.Min, Precision: Precision(c.Precision)}, nil
}

// UnmarshalYAML parses a date, reporting its line on error.
func (d *Due) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDue(n.Value)
	if err != nil {
		return &lineError{n.Line, err.Error()}
	}
	*d = v
	return nil
}

// MarshalYAML writes the date as it was given.
func (d Due) MarshalYAML() (any, error) { return d.String(), nil }

// IsZero reports whether no date was given.
func (d Due) IsZero() bool { return d.Precision == 0 }

// String writes the date in the form ParseDue reads.
func (d Due) String() string {
	switch d.Precision {
	case PrecisionMonth:
		return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
	case PrecisionDay:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	case PrecisionMinute:
		return fmt.Sprintf("%04d-%02d-%02d %02d:%02d", d.Year, int(d.Month), d.Day, d.Hour, d.Min)
	}
	return ""
}

// In returns the instant the date falls due in loc: a day alone is the
// end of that working day (17:00), a month alone its first day at 00:00.
func (d Due) In(loc *time.Location) time.Time {
	switch d.Precision {
	case PrecisionMonth:
		return time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, loc)
	case PrecisionDay:
		return time.Date(d.Year, d.Month, d.Day, EndOfWorkingDayHour, EndOfWorkingDayMinute, 0, 0, loc)
	}
	return time.Date(d.Year, d.Month, d.Day, d.Hour, d.Min, 0, 0, loc)
}

// Label writes the date for people: "19 October 2009", "19 October 2009
// 12:00" or "July 2009".
func (d Due) Label() string {
	switch d.Precision {
	case PrecisionMonth:
		return fmt.Sprintf("%s %d", d.Month, d.Year)
	case PrecisionDay:
		return fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year)
	case PrecisionMinute:
		return fmt.Sprintf("%d %s %d %02d:%02d", d.Day, d.Month, d.Year, d.Hour, d.Min)
	}
	return ""
}

func (r *Reminders) validate(ps *problems) {
	zoneOK := false
	if r.Timezone == "" {
		ps.at("reminders.timezone", "is empty: give an IANA zone such as Europe/London")
	} else if _, err := time.LoadLocation(r.Timezone); err != nil {
		ps.at("reminders.timezone", "%q is not a known IANA zone: use one such as Europe/London", r.Timezone)
	} else {
		zoneOK = true
	}
	names := map[string]bool{}
	for i, d := range r.Deadlines {
		key := fmt.Sprintf("reminders.deadlines[%d]", i)
		switch {
		case strings.TrimSpace(d.Name) == "":
			ps.at(key+".name", "is empty: every deadline needs a name")
		case names[d.Name]:
			ps.at(key+".name", "%q is used twice; deadline names must be unique", d.Name)
		}
		names[d.Name] = true
		switch {
		case d.Due.IsZero():
			ps.at(key+".due", "is missing (%s): give a date such as 2009-10-19 or 2009-10-19 12:00", d.Name)
		case d.Due.Precision == PrecisionMonth:
			ps.at(key+".due", "%s needs a day (%s), e.g. %s-19", d.Due, d.Name, d.Due)
		}
		seen := map[Duration]bool{}
		for j, off := range d.RemindBefore {
			if seen[off] {
				ps.at(fmt.Sprintf("%s.remind_before[%d]", key, j), "%s is listed twice (%s); give each offset once", FormatDuration(time.Duration(off)), d.Name)
			}
			seen[off] = true
		}
	}
	for i, m := range r.Milestones {
		key := fmt.Sprintf("reminders.milestones[%d]", i)
		if strings.TrimSpace(m.Name) == "" {
			ps.at(key+".name", "is empty: every milestone needs a name")
		}
		if m.When.IsZero() {
			ps.at(key+".when", "is missing (%s): give a month such as 2009-07 or a date", m.Name)
		}
	}
	for i, c := range r.Cron {
		key := fmt.Sprintf("reminders.cron[%d]", i)
		if strings.TrimSpace(c.Name) == "" {
			ps.at(key+".name", "is empty: every recurring post needs a name")
		} else if names[c.Name] {
			ps.at(key+".name", "%q is used twice; reminder names must be unique", c.Name)
		}
		names[c.Name] = true
		if c.Post != PostCountdown && c.Post != PostDigest {
			ps.at(key+".post", "%q is not a kind of post (%s): use %s or %s", c.Post, c.Name, PostCountdown, PostDigest)
		}
		if c.Timezone != "" {
			if _, err := time.LoadLocation(c.Timezone); err != nil {
				ps.at(key+".timezone", "%q is not a known IANA zone (%s): use one such as Europe/London", c.Timezone, c.Name)
				continue
			}
		}
		if c.Timezone == "" && !zoneOK {
			continue // the spec is read in the bad zone already reported
		}
		if _, err := CronParser.Parse(c.FullSpec(r.Timezone)); err != nil {
			ps.at(key+".spec", "%q (%s): %v; write five fields: minute hour day-of-month month day-of-week, e.g. \"0 9 * * MON\"", c.Spec, c.Name, err)
		}
	}
}

const guideSlide17 = "Guide, slide 17: Application process"

// defaultReminders is the guide's 2009 timeline (slides 16 to 18).
func defaultReminders() Reminders {
	day := func(y int, m time.Month, d int) Due {
		return Due{Year: y, Month: m, Day: d, Precision: PrecisionDay}
	}
	days := func(ds ...int) []Duration {
		out := make([]Duration, len(ds))
		for i, d := range ds {
			out[i] = Duration(time.Duration(d) * 24 * time.Hour)
		}
		return out
	}
	return Reminders{
		Timezone: "Europe/London",
		Grace:    Duration(6 * time.Hour),
		Deadlines: []Deadline{
			{Name: "Informal dialogue closes", Due: day(2009, time.September, 1), RemindBefore: days(28, 14, 7, 1), Source: guideSlide17},
			{Name: "Detailed bids due", Due: day(2009, time.October, 19), RemindBefore: days(28, 14, 7, 1), Source: guideSlide17},
		},
		Milestones: []Milestone{
			{Name: "OJEU advert", When: Due{Year: 2009, Month: time.July, Precision: PrecisionMonth}, Source: guideSlide17},
			{Name: "First wave of HIECs announced", When: Due{Year: 2009, Month: time.December, Precision: PrecisionMonth}, Source: "Guide, slide 18: December"},
		},
		Cron: []CronJob{
			{Name: "Weekly countdown", Spec: "0 9 * * MON", Post: PostCountdown},
			{Name: "NSG digest", Spec: "0 9 * * MON-FRI", Post: PostDigest},
		},
	}
}
