package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The NSG's changes to the log. Each is recorded in the audit trail in
// the same transaction as the change.

// answerable reports whether the NSG may (re-)answer a question in st.
func answerable(st Status) error {
	if st == StatusPublished {
		return fmt.Errorf("%w: already published; a published answer cannot be changed", ErrConflict)
	}
	return nil
}

// RecordAnswer records the NSG's answer to question id, given by by, and moves it
// to nsg_answered. An answered, awaiting, following or already NSG-answered
// question may be (re-)answered; a published one may not (ErrConflict).
// Blank text is ErrEmpty. A re-answer keeps the earlier answer in the audit
// trail. Giving the same answer again changes nothing. On error nothing
// changes.
func (s *Store) RecordAnswer(id, text, by string) (Question, error) {
	return s.answer("answer", id, text, "", by)
}

// Cite records that the NSG answered question id by pointing at an
// existing passage: citation is the passage's citation and text the
// passage, which becomes the NSG answer. It moves and is allowed as Answer
// is, and is recorded in the audit trail as a citation.
func (s *Store) Cite(id, citation, text, by string) (Question, error) {
	citation = strings.TrimSpace(citation)
	if citation == "" {
		return Question{}, fmt.Errorf("cite %s: %w: no citation", strings.TrimSpace(id), ErrEmpty)
	}
	return s.answer("cite", id, text, citation, by)
}

func (s *Store) answer(op, id, text, cited, by string) (Question, error) {
	text, by = strings.TrimSpace(text), strings.TrimSpace(by)
	return s.updateTx(op, id, func(tx *bolt.Tx, q *Question) (bool, error) {
		if err := answerable(q.Status); err != nil {
			return false, err
		}
		if text == "" {
			return false, fmt.Errorf("%w: the answer is blank", ErrEmpty)
		}
		if q.Status == StatusNSGAnswered && q.NSGAnswer == text && q.Cited == cited && q.AnsweredBy == by {
			return false, nil
		}
		action := ActionAnswer
		switch {
		case cited != "":
			action = ActionCite
		case q.NSGAnswer != "":
			action = ActionReAnswer
		}
		changes := []Change{
			{Field: "status", From: string(q.Status), To: string(StatusNSGAnswered)},
			{Field: "answer", From: q.NSGAnswer, To: text},
		}
		if cited != "" || q.Cited != "" {
			changes = append(changes, Change{Field: "cited", From: q.Cited, To: cited})
		}
		if q.AnsweredBy != "" && q.AnsweredBy != by {
			changes = append(changes, Change{Field: "answered_by", From: q.AnsweredBy, To: by})
		}
		at := s.clock()
		q.Status = StatusNSGAnswered
		q.NSGAnswer = text
		q.Cited = cited
		q.AnsweredBy = by
		q.AnsweredAt = &at
		return true, appendAudit(tx, AuditEntry{By: by, Action: action, Question: q.ID, Changes: changes}, at)
	})
}

// Wording is what the NSG publishes: the question and answer as bidders
// will read them. An empty field publishes the text as asked or answered.
type Wording struct {
	Question string
	Answer   string
}

// Publish makes the NSG's answer to question id public in the given
// wording, moving it from nsg_answered to published and numbering it
// C-001, C-002, … in publication order, from a sequence of its own. Any
// other status is ErrConflict: the question needs an NSG answer first, or
// is already published. The audit trail records who published, the number
// and every change of wording.
func (s *Store) Publish(id string, w Wording, by string) (Question, error) {
	pq, pa, by := strings.TrimSpace(w.Question), strings.TrimSpace(w.Answer), strings.TrimSpace(by)
	return s.updateTx("publish", id, func(tx *bolt.Tx, q *Question) (bool, error) {
		switch q.Status {
		case StatusNSGAnswered:
		case StatusPublished:
			if q.PublishedAt == nil {
				return false, fmt.Errorf("%w: already published", ErrConflict)
			}
			as := ""
			if q.Clarification != "" {
				as = " as " + q.Clarification
			}
			return false, fmt.Errorf("%w: already published%s on %s", ErrConflict, as, q.PublishedAt.Format(time.RFC3339))
		default:
			return false, fmt.Errorf("%w: it is %s and needs an NSG answer first", ErrConflict, q.Status)
		}
		if pq == "" {
			pq = q.Question
		}
		if pa == "" {
			pa = q.NSGAnswer
		}
		cb := tx.Bucket(bucketClarifications)
		if cb == nil {
			return false, fmt.Errorf("clarifications bucket missing (open the store for writing)")
		}
		n, err := cb.NextSequence()
		if err != nil {
			return false, err
		}
		number := formatClarification(n)
		if err := cb.Put(seqKey(n), []byte(q.ID)); err != nil {
			return false, err
		}
		changes := []Change{
			{Field: "status", From: string(q.Status), To: string(StatusPublished)},
			{Field: "clarification", To: number},
			{Field: "published_question", From: q.Question, To: pq},
			{Field: "published_answer", From: q.NSGAnswer, To: pa},
		}
		at := s.clock()
		q.Status = StatusPublished
		q.PublishedAt = &at
		q.Clarification = number
		q.PublishedQuestion, q.PublishedAnswer = pq, pa
		return true, appendAudit(tx, AuditEntry{By: by, Action: ActionPublish, Question: q.ID, Clarification: number, Changes: changes}, at)
	})
}

// LogFollower is LogOnce for a question the bot could not answer that asks
// what question target asks. In the same transaction it logs q as
// following target (status following, Follows set), adds its asker to
// target's followers (one small record of its own: target's record is not
// rewritten, and OnCommitted hears of q alone) and records the merge in
// the audit trail. If target is no longer awaiting the NSG by then, q is
// logged as awaiting on its own and followed is false. An empty key logs without one. first is false
// for a key seen before, when nothing is logged.
func (s *Store) LogFollower(ctx context.Context, key string, q *Question, target string) (followed, first bool, err error) {
	n, err := lookupID("follow", target)
	if err != nil {
		return false, false, err
	}
	attach := func(tx *bolt.Tx, r *Question) error {
		followed = false
		var t Question
		if err := getRecord(tx.Bucket(bucketQuestions), n, "follow", &t); err != nil {
			return err
		}
		if t.Status != StatusAwaiting || t.Late {
			r.Status = StatusAwaiting
			return nil
		}
		if len(t.Followers) > 0 {
			// A record from before followers were kept apart: move them.
			if err := putRecord(tx, n, &t); err != nil {
				return err
			}
		}
		fn, ok := parseID(r.ID)
		if !ok {
			return fmt.Errorf("follow %s: the new question has no id", t.ID)
		}
		r.Status, r.Follows = StatusFollowing, t.ID
		// One small record for the follower: the followed question's
		// record is left as it is.
		before, after, err := addFollower(tx, n, &t, fn, r)
		if err != nil {
			return err
		}
		followed = true
		return appendAudit(tx, AuditEntry{By: ActorBot, Action: ActionFollow, Question: t.ID, Changes: []Change{
			{Field: "follower", To: r.ID},
			{Field: "asked_by", From: strconv.Itoa(before), To: strconv.Itoa(after)},
		}}, s.clock())
	}
	if q != nil && q.Status == "" {
		q.Status = StatusAwaiting
	}
	first, err = s.log(ctx, key, q, attach)
	if !first {
		followed = false
	}
	return followed, first, err
}
