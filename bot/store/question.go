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
//	answered | awaiting | following | nsg_answered ──Answer or Cite──▶ nsg_answered
//	nsg_answered ──Publish──▶ published
//
// A question the bot could not answer that asks what another question
// awaiting the NSG asks is logged as following that one (LogFollower): its
// asker gets the other's clarification when it is published. Published is
// final.
const (
	StatusAnswered    Status = "answered"     // answered from the sources
	StatusAwaiting    Status = "awaiting"     // waiting for the NSG
	StatusFollowing   Status = "following"    // asks what another awaiting question asks (Follows)
	StatusNSGAnswered Status = "nsg_answered" // answered by the NSG, not yet published
	StatusPublished   Status = "published"    // published as an anonymised clarification
)

// Statuses lists every valid status in life-cycle order.
var Statuses = []Status{StatusAnswered, StatusAwaiting, StatusFollowing, StatusNSGAnswered, StatusPublished}

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusAnswered, StatusAwaiting, StatusFollowing, StatusNSGAnswered, StatusPublished:
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

	// Late is set for a question asked after the informal dialogue closed
	// (dialogue.closes): it was logged but not passed to the NSG.
	Late bool `json:"late"`
	// Cited is the citation of the passage the NSG answered with, when
	// they answered by pointing at one (Cite); NSGAnswer is its text.
	Cited string `json:"cited"`
	// Clarification is the number the question was published as
	// ("C-001"), in publication order; empty until it is published.
	Clarification string `json:"clarification"`
	// PublishedQuestion and PublishedAnswer are the wording the NSG
	// published, which may differ from Question and NSGAnswer (names and
	// details that would identify the asker taken out).
	PublishedQuestion string `json:"published_question"`
	PublishedAnswer   string `json:"published_answer"`
	// Follows is the id of the question this one follows: it asks what
	// that one asks, and its asker gets that one's clarification.
	Follows string `json:"follows"`
	// Followers are the bidders whose questions follow this one, in the
	// order they asked.
	Followers []Follower `json:"followers"`
}

// Follower is a bidder who asked what another question asks: their
// question is logged as its own record (ID) and follows that one.
type Follower struct {
	ID        string    `json:"id"` // the follower's own question, "Q-0045"
	AskedAt   time.Time `json:"asked_at"`
	UserID    string    `json:"user_id"`
	UserName  string    `json:"user_name"`
	TeamID    string    `json:"team_id"`
	ChannelID string    `json:"channel_id"`
	Via       string    `json:"via"`
}

// AskedBy is how many bidders asked the question: its asker and the
// distinct others who follow it.
func (q Question) AskedBy() int { return len(q.Askers()) }

// Askers returns the Slack user ids of everyone who asked the question,
// its asker first and then its followers, each once.
func (q Question) Askers() []string {
	var out []string
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	add(q.UserID)
	for _, f := range q.Followers {
		add(f.UserID)
	}
	return out
}

// Clarification is the published, anonymised form of a question: what was
// asked and what the NSG answered, in the words the NSG chose to publish.
// It deliberately has no field that could identify the asker, their
// organisation or where they asked, nor the question's id: its number
// ("C-001") is from a sequence of its own, which says nothing about how
// many questions were asked.
type Clarification struct {
	ID          string    `json:"id"`
	Question    string    `json:"question"`
	Answer      string    `json:"answer"`
	PublishedAt time.Time `json:"published_at"`
}

// Clarified returns the anonymised form of q, with the published wording
// (the wording as asked and answered when none was set). ID and
// PublishedAt are zero when q has not been published.
func (q Question) Clarified() Clarification {
	c := Clarification{ID: q.Clarification, Question: q.PublishedQuestion, Answer: q.PublishedAnswer}
	if c.Question == "" {
		c.Question = q.Question
	}
	if c.Answer == "" {
		c.Answer = q.NSGAnswer
	}
	if q.PublishedAt != nil {
		c.PublishedAt = *q.PublishedAt
	}
	return c
}

// formatClarification renders a publication sequence number.
func formatClarification(n uint64) string { return fmt.Sprintf("C-%03d", n) }

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
