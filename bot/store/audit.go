package store

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The audit trail records every NSG action on the log (answer, re-answer,
// cite, publish with its edits, export, and the bot's merging of a
// follower into a question), every escalation to the NSG, and every
// backup and audit export, with who, when and what changed. An entry is
// written in the same transaction as the change it records, so there is
// never a change without its entry or an entry without its change.
//
// Entries are chained: each carries the SHA-256 of the one before it
// (Prev) and of itself (Hash, over its JSON form with Hash empty), and the
// store keeps the hash of the last one. Changing, removing or inserting an
// entry therefore breaks the chain at that entry, which VerifyAudit finds
// and names.

var (
	bucketAudit          = []byte("audit")
	bucketAuditHead      = []byte("audit_head")
	bucketClarifications = []byte("clarifications")
	auditHeadKey         = []byte("head")
)

// Audit actions.
const (
	ActionAnswer   = "answer"    // the NSG's first answer to a question
	ActionReAnswer = "re-answer" // a later answer; the earlier one is kept here
	ActionCite     = "cite"      // answered by pointing at an existing passage
	ActionPublish  = "publish"   // published as a clarification, with the wording's edits
	ActionExport   = "export"    // questions exported
	ActionFollow   = "follow"    // a follower merged into a question awaiting the NSG
	ActionEscalate = "escalate"  // a question passed to the NSG (by its asker or staff)
	ActionBackup   = "backup"    // the store copied to a backup
	ActionView     = "view"      // bidders' questions shown to staff (a list, a question, its history)
	// ActionAuditExport is the audit trail itself exported.
	ActionAuditExport = "audit-export"
)

// ActorBot is who the audit trail names for what the bot does on its own
// (merging a follower).
const ActorBot = "hiecbot"

// AuditEntry is one recorded action.
type AuditEntry struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
	// Question is the question acted on ("Q-0042"); empty for an export.
	Question string `json:"question,omitempty"`
	// Clarification is the number published as, for a publication.
	Clarification string   `json:"clarification,omitempty"`
	Changes       []Change `json:"changes,omitempty"`
	// Prev is the hex SHA-256 of the entry before, "" for the first.
	Prev string `json:"prev"`
	// Hash is the hex SHA-256 of this entry's JSON with Hash empty.
	Hash string `json:"hash"`
}

// Change is one field an action changed, or for an export one of its
// parameters (From empty).
type Change struct {
	Field string `json:"field"`
	From  string `json:"from,omitempty"`
	To    string `json:"to"`
}

type auditHead struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// digest is the hash of e as recorded: its JSON with Hash empty.
func (e AuditEntry) digest() (string, error) {
	e.Hash = ""
	data, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// appendAudit adds e to the trail in tx, numbering and chaining it.
func appendAudit(tx *bolt.Tx, e AuditEntry, at time.Time) error {
	b, hb := tx.Bucket(bucketAudit), tx.Bucket(bucketAuditHead)
	if b == nil || hb == nil {
		return errors.New("audit trail: buckets missing (open the store for writing)")
	}
	var head auditHead
	if v := hb.Get(auditHeadKey); v != nil {
		if err := json.Unmarshal(v, &head); err != nil {
			return fmt.Errorf("audit trail: read its head: %w", err)
		}
	}
	n, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.Seq, e.At, e.Prev = n, at.UTC(), head.Hash
	if e.Hash, err = e.digest(); err != nil {
		return err
	}
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	b.FillPercent = 0.95 // entries are only appended
	if err := b.Put(seqKey(n), data); err != nil {
		return err
	}
	head = auditHead{Seq: n, Hash: e.Hash}
	hv, err := json.Marshal(head)
	if err != nil {
		return err
	}
	// Once committed, the head is also recorded outside the file, by a
	// writer of its own (committedHead). A failure there cannot undo the
	// commit; the next commit's line, or the next open for writing,
	// brings the head file up to date.
	path := tx.DB().Path()
	tx.OnCommit(func() { committedHead(path, head) })
	return hb.Put(auditHeadKey, hv)
}

// AuditEach calls fn for every audit entry, oldest first, from one
// consistent snapshot. It does not check the chain (VerifyAudit does); an
// entry that is not valid JSON is an error naming it.
func (s *Store) AuditEach(fn func(AuditEntry) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit entry %s: not a valid entry: %w", auditKeyName(k), err)
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
}

func auditKeyName(k []byte) string {
	if len(k) == 8 {
		return strconv.FormatUint(binary.BigEndian.Uint64(k), 10)
	}
	return fmt.Sprintf("key %x", k)
}

// History returns the audit entries about question id, oldest first:
// every answer it was given (so an answer replaced by a re-answer is still
// there), citations, its publication and the followers merged into it.
func (s *Store) History(id string) ([]AuditEntry, error) {
	n, err := lookupID("history", id)
	if err != nil {
		return nil, err
	}
	want := formatID(n)
	if _, err := s.Get(want); err != nil {
		return nil, err
	}
	var out []AuditEntry
	err = s.AuditEach(func(e AuditEntry) error {
		if e.Question == want {
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("history of %s in %s: %w", want, s.path, err)
	}
	return out, nil
}

// AuditError names the first audit entry that does not match the chain.
type AuditError struct {
	Seq    uint64
	Reason string
}

func (e *AuditError) Error() string {
	return fmt.Sprintf("audit entry %d: %s", e.Seq, e.Reason)
}

// ErrAuditBroken is wrapped by every *AuditError.
var ErrAuditBroken = errors.New("the audit trail does not verify")

// Unwrap makes errors.Is(err, ErrAuditBroken) hold.
func (e *AuditError) Unwrap() error { return ErrAuditBroken }

// VerifyAudit checks the audit trail from its first entry: each entry's
// hash matches its content, each names the hash of the one before, the
// numbers run without a gap, and the last is the one the store's head
// records; every head recorded in the head file beside the store
// (HeadFile) is an entry of the trail, so none was cut from its end. Then
// it replays the trail and checks that every question's NSG-controlled
// fields (status, NSG answer, answered-by and -at, cited passage, the
// published wording, number and time, the followers) and the
// clarification numbers are what the trail says. It returns how many
// entries it checked, and an *AuditError naming the first entry that does
// not match or a *RecordError naming the first record that does not
// (both wrap ErrAuditBroken).
func (s *Store) VerifyAudit() (int, error) {
	n := 0
	var (
		entries []AuditEntry
		hashes  []string
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		var head auditHead
		if hb := tx.Bucket(bucketAuditHead); hb != nil {
			if v := hb.Get(auditHeadKey); v != nil {
				if err := json.Unmarshal(v, &head); err != nil {
					return &AuditError{Seq: 0, Reason: "the head of the trail is not readable: " + err.Error()}
				}
			}
		}
		prev, last := "", uint64(0)
		if b != nil {
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if len(k) != 8 {
					return &AuditError{Seq: last + 1, Reason: fmt.Sprintf("a stray key %x sits in the trail", k)}
				}
				seq := binary.BigEndian.Uint64(k)
				if seq != last+1 {
					return &AuditError{Seq: last + 1, Reason: fmt.Sprintf("it is missing (the next entry is %d): entries were removed", seq)}
				}
				var e AuditEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return &AuditError{Seq: seq, Reason: "it is not a valid entry: " + err.Error()}
				}
				if e.Seq != seq {
					return &AuditError{Seq: seq, Reason: fmt.Sprintf("it calls itself entry %d", e.Seq)}
				}
				if e.Prev != prev {
					return &AuditError{Seq: seq, Reason: fmt.Sprintf("it does not follow entry %d: the hash it records for it differs, so entry %d was changed or replaced", seq-1, seq-1)}
				}
				sum, err := e.digest()
				if err != nil {
					return &AuditError{Seq: seq, Reason: err.Error()}
				}
				if sum != e.Hash {
					return &AuditError{Seq: seq, Reason: "its content does not match its hash: it was changed after it was written"}
				}
				prev, last = e.Hash, seq
				entries, hashes = append(entries, e), append(hashes, e.Hash)
				n++
			}
		}
		if head.Seq != last || head.Hash != prev {
			return &AuditError{Seq: last + 1, Reason: fmt.Sprintf("the trail ends at entry %d but the store's head records entry %d: entries were removed from or added to the end", last, head.Seq)}
		}
		if err := verifyHeads(s.path, hashes); err != nil {
			return err
		}
		return verifyRecords(tx, entries)
	})
	return n, err
}

// RecordExport adds an export of rows questions to the audit trail.
func (s *Store) RecordExport(by string, format Format, f Filter, rows int) error {
	changes := []Change{{Field: "format", To: string(format)}, {Field: "rows", To: strconv.Itoa(rows)}}
	if len(f.Status) > 0 {
		changes = append(changes, Change{Field: "status", To: joinStatuses(f.Status)})
	}
	if !f.Since.IsZero() {
		changes = append(changes, Change{Field: "since", To: f.Since.UTC().Format(time.RFC3339)})
	}
	if !f.Until.IsZero() {
		changes = append(changes, Change{Field: "until", To: f.Until.UTC().Format(time.RFC3339)})
	}
	now := s.clock()
	err := s.db.Update(func(tx *bolt.Tx) error {
		return appendAudit(tx, AuditEntry{By: strings.TrimSpace(by), Action: ActionExport, Changes: changes}, now)
	})
	if err != nil {
		return fmt.Errorf("record the export in the audit trail of %s: %w", s.path, err)
	}
	return nil
}

// RecordView adds to the audit trail that by was shown bidders'
// questions: what (a list, a question, its history), of question id when
// it is one, and how many rows.
func (s *Store) RecordView(by, what, id string, rows int) error {
	now := s.clock()
	err := s.db.Update(func(tx *bolt.Tx) error {
		return appendAudit(tx, AuditEntry{By: strings.TrimSpace(by), Action: ActionView, Question: id,
			Changes: []Change{{Field: "what", To: what}, {Field: "rows", To: strconv.Itoa(rows)}}}, now)
	})
	if err != nil {
		return fmt.Errorf("record the view in the audit trail of %s: %w", s.path, err)
	}
	return nil
}

// RecordBackup adds a backup of the store, written whole to to (size
// bytes), to the audit trail.
func (s *Store) RecordBackup(by, to string, size int64) error {
	return s.record(by, ActionBackup, []Change{{Field: "to", To: to}, {Field: "bytes", To: strconv.FormatInt(size, 10)}}, "the backup")
}

// RecordAuditExport adds an export of the audit trail (entries entries,
// in format) to the trail itself.
func (s *Store) RecordAuditExport(by string, format Format, entries int) error {
	return s.record(by, ActionAuditExport, []Change{{Field: "format", To: string(format)}, {Field: "entries", To: strconv.Itoa(entries)}}, "the audit export")
}

// record appends an entry about no question.
func (s *Store) record(by, action string, changes []Change, what string) error {
	now := s.clock()
	err := s.db.Update(func(tx *bolt.Tx) error {
		return appendAudit(tx, AuditEntry{By: strings.TrimSpace(by), Action: action, Changes: changes}, now)
	})
	if err != nil {
		return fmt.Errorf("record %s in the audit trail of %s: %w", what, s.path, err)
	}
	return nil
}

// auditColumns are the columns of a CSV audit export.
var auditColumns = []string{"seq", "at", "by", "action", "question", "clarification", "changes", "prev", "hash"}

// ExportAudit streams the audit trail to w, oldest first: CSV (a header
// row, changes in one cell as "field: from → to" lines) or JSON (one
// array of entries). Only csv and json are allowed. It returns how many
// entries it wrote.
func (s *Store) ExportAudit(w io.Writer, format Format) (int, error) {
	n := 0
	bw := bufio.NewWriterSize(w, 64<<10)
	var err error
	switch format {
	case FormatCSV:
		cw := csv.NewWriter(bw)
		if err = cw.Write(auditColumns); err != nil {
			return 0, err
		}
		err = s.AuditEach(func(e AuditEntry) error {
			var ch []string
			for _, c := range e.Changes {
				if c.From != "" {
					ch = append(ch, c.Field+": "+c.From+" → "+c.To)
				} else {
					ch = append(ch, c.Field+": "+c.To)
				}
			}
			row := []string{strconv.FormatUint(e.Seq, 10), e.At.UTC().Format(time.RFC3339), e.By, e.Action, e.Question, e.Clarification, strings.Join(ch, "\n"), e.Prev, e.Hash}
			for i, c := range row {
				row[i] = neutralise(c)
			}
			n++
			return cw.Write(row)
		})
		if err == nil {
			cw.Flush()
			err = cw.Error()
		}
	case FormatJSON:
		if _, err = bw.WriteString("["); err != nil {
			return 0, err
		}
		err = s.AuditEach(func(e AuditEntry) error {
			data, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if n > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n")
			n++
			_, err = bw.Write(data)
			return err
		})
		if err == nil {
			_, err = bw.WriteString("\n]\n")
		}
	default:
		return 0, fmt.Errorf("export the audit trail: unknown format %q: valid formats are csv, json", format)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return n, fmt.Errorf("export the audit trail of %s: %w", s.path, err)
	}
	return n, nil
}
