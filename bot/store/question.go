package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Status is where a question stands in its life: answered from the guide,
// waiting for the National Steering Group, answered by the NSG, or published
// as a clarification to all bidders.
type Status string

// The statuses a question moves through. The allowed moves are
//
//	answered ──Escalate──▶ awaiting
//	answered | awaiting | nsg_answered ──Answer──▶ nsg_answered
//	nsg_answered ──Publish──▶ published
//
// Published is final.
const (
	StatusAnswered    Status = "answered"     // answered from the sources
	StatusAwaiting    Status = "awaiting"     // waiting for the NSG
	StatusNSGAnswered Status = "nsg_answered" // answered by the NSG, not yet published
	StatusPublished   Status = "published"    // published as an anonymised clarification
)

// Statuses lists every valid status in life-cycle order.
var Statuses = []Status{StatusAnswered, StatusAwaiting, StatusNSGAnswered, StatusPublished}

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusAnswered, StatusAwaiting, StatusNSGAnswered, StatusPublished:
		return true
	}
	return false
}

// ParseStatus returns the status named by s. Surrounding space and letter
// case are ignored, and a hyphen may stand for the underscore
// ("NSG-answered"). An unknown name is an error that lists the valid ones.
func ParseStatus(s string) (Status, error) {
	st := Status(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_"))
	if st.Valid() {
		return st, nil
	}
	return "", fmt.Errorf("unknown status %q: valid statuses are %s", s, joinStatuses(Statuses))
}

func joinStatuses(ss []Status) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// Feedback values a bidder can leave on an answer.
const (
	FeedbackHelpful    = "helpful"
	FeedbackNotHelpful = "not_helpful"
)

// Ref is one passage of the sources an answer was drawn from.
type Ref struct {
	Source   string  `json:"source"`
	Ref      string  `json:"ref"`
	Title    string  `json:"title"`
	Citation string  `json:"citation"`
	Score    float64 `json:"score"`
}

// Label names the passage without repeating its title: the citation when
// present ("Guide, slide 17: Application process"), otherwise the source
// and ref, followed by the title unless the label already holds it.
func (r Ref) Label() string {
	label := r.Citation
	if label == "" {
		switch {
		case r.Source != "" && r.Ref != "":
			label = r.Source + ", " + r.Ref
		case r.Source != "":
			label = r.Source
		default:
			label = r.Ref
		}
	}
	if r.Title != "" && !strings.Contains(label, r.Title) {
		if label != "" {
			label += ": "
		}
		label += r.Title
	}
	return label
}

// String renders the reference on one line with its score, as in
// "Guide, slide 17: Application process (1.23)".
func (r Ref) String() string {
	return r.Label() + " (" + strconv.FormatFloat(r.Score, 'f', 2, 64) + ")"
}

// Question is one question asked by a bidder, with what became of it.
type Question struct {
	ID          string     `json:"id"`       // "Q-0042", assigned by Log
	AskedAt     time.Time  `json:"asked_at"` // UTC
	UserID      string     `json:"user_id"`
	UserName    string     `json:"user_name"`
	TeamID      string     `json:"team_id"`
	ChannelID   string     `json:"channel_id"`
	Via         string     `json:"via"`       // dm, mention, command, console
	ThreadTS    string     `json:"thread_ts"` // the thread it came from
	Question    string     `json:"question"`
	Refs        []Ref      `json:"refs"`
	Confident   bool       `json:"confident"`
	Status      Status     `json:"status"`
	NSGAnswer   string     `json:"nsg_answer"`
	AnsweredBy  string     `json:"answered_by"`
	AnsweredAt  *time.Time `json:"answered_at"`
	PublishedAt *time.Time `json:"published_at"`
	Feedback    string     `json:"feedback"` // "", "helpful", "not_helpful"
}

// Clarification is the published, anonymised form of a question: what was
// asked and what the NSG answered. It deliberately has no field that could
// identify the asker, their organisation or where they asked.
type Clarification struct {
	ID          string    `json:"id"`
	Question    string    `json:"question"`
	Answer      string    `json:"answer"`
	PublishedAt time.Time `json:"published_at"`
}

// Clarification returns the anonymised form of q. PublishedAt is zero when q
// has not been published.
func (q Question) Clarification() Clarification {
	c := Clarification{ID: q.ID, Question: q.Question, Answer: q.NSGAnswer}
	if q.PublishedAt != nil {
		c.PublishedAt = *q.PublishedAt
	}
	return c
}

// formatID renders a sequence number as a question id.
func formatID(n uint64) string {
	return fmt.Sprintf("Q-%04d", n)
}

// parseID accepts the ways people write a question id: "Q-0042", "q-0042",
// "Q42", "q 42", "#42", "0042" and "42", with surrounding space. It returns the
// sequence number.
func parseID(s string) (uint64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "#")
	if len(s) > 0 && (s[0] == 'Q' || s[0] == 'q') {
		s = s[1:]
		if len(s) > 0 && (s[0] == '-' || s[0] == ' ') {
			s = s[1:]
		}
	}
	if s == "" || len(s) > 20 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, false
	}
	return n, true
}
