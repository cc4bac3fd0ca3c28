package store

import (
	"fmt"
	"strings"
	"time"
)

// cellKind says how a column's value is written.
type cellKind int

const (
	textCell cellKind = iota // a string, wrapped in the XLSX
	timeCell                 // a time in the export's zone: a date cell, or "2009-06-03 14:05"
	boolCell                 // Yes or No (blank when unknown)
)

// column is one column of the CSV and XLSX exports, both of which follow
// this table, in the order NSG staff read: what was asked and when, what
// became of it, who asked, and the machine ids last.
type column struct {
	heading string // "%s" stands for the zone name
	width   float64
	kind    cellKind
	wrap    bool // long text: wrapped in the XLSX
	// value returns a string, a *time.Time or a *bool for q.
	value func(q *Question) any
}

// The export's columns. ("Published as" is the clarification number;
// "Followers" the questions of the other bidders who asked the same
// thing, so the question was asked by one more bidder than it lists.)
var columns = []column{
	{heading: "Id", width: 8, value: func(q *Question) any { return q.ID }},
	{heading: "Asked (%s)", width: 16, kind: timeCell, value: func(q *Question) any { return &q.AskedAt }},
	{heading: "Question", width: 38, wrap: true, value: func(q *Question) any { return q.Question }},
	{heading: "Status", width: 11, wrap: true, value: func(q *Question) any { return q.Status.Label() }},
	{heading: "Bot's answer (citation)", width: 24, wrap: true, value: func(q *Question) any { return citations(q.Refs, "\n") }},
	{heading: "NSG answer", width: 38, wrap: true, value: func(q *Question) any { return q.NSGAnswer }},
	{heading: "Answered by", width: 12, wrap: true, value: func(q *Question) any { return q.AnsweredBy }},
	{heading: "Answered at (%s)", width: 16, kind: timeCell, value: func(q *Question) any { return q.AnsweredAt }},
	{heading: "Published as (C-number)", width: 13, value: func(q *Question) any { return q.Clarification }},
	{heading: "Followers", width: 10, wrap: true, value: func(q *Question) any { return followersCell(q.Followers) }},
	{heading: "Asker", width: 14, wrap: true, value: func(q *Question) any { return askerName(q) }},
	{heading: "Team", width: 9, value: func(q *Question) any { return q.TeamID }},
	{heading: "Channel", width: 12, wrap: true, value: func(q *Question) any { return channelLabel(q) }},
	{heading: "Bot confident", width: 10, kind: boolCell, value: func(q *Question) any { return &q.Confident }},
	{heading: "Published at (%s)", width: 16, kind: timeCell, value: func(q *Question) any { return q.PublishedAt }},
	{heading: "Helpful", width: 9, kind: boolCell, value: func(q *Question) any { return helpful(q.Feedback) }},
	{heading: "Follows", width: 9, value: func(q *Question) any { return q.Follows }},
	{heading: "NSG cited", width: 20, wrap: true, value: func(q *Question) any { return q.Cited }},
	{heading: "Late", width: 6, kind: boolCell, value: func(q *Question) any { return &q.Late }},
	{heading: "User id", width: 12, value: func(q *Question) any { return q.UserID }},
	{heading: "Channel id", width: 12, value: func(q *Question) any { return q.ChannelID }},
	{heading: "Thread ts", width: 18, value: func(q *Question) any { return q.ThreadTS }},
	{heading: "Via", width: 9, value: func(q *Question) any { return q.Via }},
}

// printedColumns is how many leading columns are printed: the ones staff
// read on paper. The rest (whether the bot was confident, publication
// time, feedback and the machine ids) are on screen only.
const printedColumns = 13

// headings returns the column headings with the zone named.
func headings(loc *time.Location) []string {
	hs := make([]string, len(columns))
	for i, c := range columns {
		hs[i] = heading(c.heading, loc)
	}
	return hs
}

func heading(h string, loc *time.Location) string {
	return strings.Replace(h, "%s", zoneName(loc), 1)
}

func zoneName(loc *time.Location) string {
	if loc == nil || loc.String() == "" {
		return "UTC"
	}
	return loc.String()
}

// Label is the status as staff read it in an export.
func (s Status) Label() string {
	switch s {
	case StatusAnswered:
		return "Answered by bot"
	case StatusAwaiting:
		return "Awaiting NSG"
	case StatusFollowing:
		return "Follows another"
	case StatusNSGAnswered:
		return "NSG answered"
	case StatusPublished:
		return "Published"
	}
	return string(s)
}

// citations lists where the bot's answer came from, best first, one per
// line: "Guide, slide 17: Application process".
func citations(refs []Ref, sep string) string {
	var b strings.Builder
	for i, r := range refs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(r.Label())
	}
	return b.String()
}

func askerName(q *Question) string {
	if q.UserName != "" {
		return q.UserName
	}
	return q.UserID
}

// channelLabel says where a question was asked, for people.
func channelLabel(q *Question) string {
	switch q.Via {
	case "dm":
		return "DM"
	case "mention":
		return strings.TrimSpace("Mention in " + q.ChannelID)
	case "command":
		return strings.TrimSpace("/hiec in " + q.ChannelID)
	case "console":
		return "Console"
	}
	return q.ChannelID
}

func helpful(feedback string) *bool {
	yes, no := true, false
	switch feedback {
	case FeedbackHelpful:
		return &yes
	case FeedbackNotHelpful:
		return &no
	}
	return nil
}

// localTime is t's wall clock in loc, as a UTC time: spreadsheets store
// times without a zone, so the zone goes in the heading instead.
func localTime(t *time.Time, loc *time.Location) (time.Time, bool) {
	if t == nil || t.IsZero() {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC), true
}

// csvTimeLayout is how CSV cells write times: spreadsheets read it as a
// date and time.
const csvTimeLayout = "2006-01-02 15:04"

// text renders v, a column value, as a CSV cell.
func text(v any, loc *time.Location) string {
	switch v := v.(type) {
	case string:
		return v
	case *time.Time:
		if t, ok := localTime(v, loc); ok {
			return t.Format(csvTimeLayout)
		}
		return ""
	case *bool:
		return yesNo(v)
	}
	return ""
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "Yes"
	}
	return "No"
}

// followersCell lists the questions that follow one, one per line, with
// how many there are: "2: Q-0045, Q-0051".
func followersCell(fs []Follower) string {
	if len(fs) == 0 {
		return ""
	}
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	return fmt.Sprintf("%d: %s", len(fs), strings.Join(ids, ", "))
}
