package store

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The chain proves the trail was not edited, but the trail vouches for
// the records too: VerifyAudit replays it and compares what it says each
// question's NSG-controlled fields are (the NSG answer, who gave it and
// when, the cited passage, the published wording and number, the
// followers) and the clarification numbers with what the store holds. A
// record rewritten outside hiecbot no longer matches.
//
// The chain cannot show that entries were cut from its end, with the head
// rewritten to match: so every entry appended is also recorded, after its
// transaction commits, as a line "seq hash" appended (and fsynced) to a
// file beside the store, <store>.audit-head. VerifyAudit checks every
// line of that file against the trail.

// HeadFileSuffix names the file beside the store that records the audit
// trail's head after every append.
const HeadFileSuffix = ".audit-head"

// HeadFile is the head file of the store at path.
func HeadFile(path string) string { return path + HeadFileSuffix }

// RecordError names a record that does not match what the audit trail
// says of it.
type RecordError struct {
	// Question is the question ("Q-0042") or clarification ("C-003").
	Question string
	Field    string
	// Seq is the entry that last set the field, 0 when none did.
	Seq    uint64
	Reason string
}

func (e *RecordError) Error() string {
	by := "no audit entry sets it"
	if e.Seq > 0 {
		by = fmt.Sprintf("audit entry %d set it", e.Seq)
	}
	return fmt.Sprintf("%s: its %s does not match the audit trail (%s): %s: the record was changed outside hiecbot", e.Question, e.Field, by, e.Reason)
}

// Unwrap makes errors.Is(err, ErrAuditBroken) hold.
func (e *RecordError) Unwrap() error { return ErrAuditBroken }

// vouched is what the trail says of one question.
type vouched struct {
	answered, published                   bool
	answer, cited, answeredBy             string
	answeredAt, publishedAt               time.Time
	answerSeq, citedSeq, publishSeq       uint64
	clarification, pubQuestion, pubAnswer string
	followers                             []string
	followSeq                             uint64
	escalated                             bool
	escalatedSeq                          uint64
}

// lastFollow is the entry that last merged a follower, 0 for none.
func (v *vouched) lastFollow() uint64 {
	if v == nil {
		return 0
	}
	return v.followSeq
}

func changeTo(e AuditEntry, field string) (string, bool) {
	for _, c := range e.Changes {
		if c.Field == field {
			return c.To, true
		}
	}
	return "", false
}

// replay reads what the trail says of each question, and of each
// clarification number (C-001 → Q-0042, with the entry).
func replay(entries []AuditEntry) (map[string]*vouched, map[string]AuditEntry) {
	qs, clars := map[string]*vouched{}, map[string]AuditEntry{}
	get := func(id string) *vouched {
		v := qs[id]
		if v == nil {
			v = &vouched{}
			qs[id] = v
		}
		return v
	}
	for _, e := range entries {
		if e.Question == "" {
			continue
		}
		v := get(e.Question)
		switch e.Action {
		case ActionAnswer, ActionReAnswer, ActionCite:
			v.answered, v.answerSeq, v.citedSeq = true, e.Seq, e.Seq
			v.answer, _ = changeTo(e, "answer")
			v.cited, _ = changeTo(e, "cited")
			v.answeredBy, v.answeredAt = e.By, e.At
		case ActionPublish:
			v.published, v.publishSeq = true, e.Seq
			v.clarification = e.Clarification
			v.pubQuestion, _ = changeTo(e, "published_question")
			v.pubAnswer, _ = changeTo(e, "published_answer")
			v.publishedAt = e.At
			clars[e.Clarification] = e
		case ActionFollow:
			if f, ok := changeTo(e, "follower"); ok {
				v.followers = append(v.followers, f)
				v.followSeq = e.Seq
			}
		case ActionEscalate:
			v.escalated, v.escalatedSeq = true, e.Seq
		}
	}
	return qs, clars
}

func quoteShort(s string) string {
	const max = 60
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strconv.Quote(s)
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func optTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// verifyRecords compares every question and clarification number with
// what the trail (entries, already verified as a chain) says of it.
func verifyRecords(tx *bolt.Tx, entries []AuditEntry) error {
	qs, clars := replay(entries)
	b := tx.Bucket(bucketQuestions)
	type who struct{ user, follows string }
	asked := map[string]who{}
	var records []Question
	if b != nil {
		err := each(tx, Filter{}, func(q Question) error {
			asked[q.ID] = who{q.UserID, q.Follows}
			records = append(records, q)
			return nil
		})
		if err != nil {
			return err
		}
	}
	// A follower kept for a question there is no record of was planted
	// (or its question removed).
	if fb := tx.Bucket(bucketFollowers); fb != nil {
		c := fb.Cursor()
		for k, _ := c.First(); k != nil; {
			if len(k) != 16 {
				return &RecordError{Question: fmt.Sprintf("follower key %x", k), Field: "followers", Reason: "a stray key sits among the followers"}
			}
			id := formatID(binary.BigEndian.Uint64(k))
			if _, ok := asked[id]; !ok {
				return &RecordError{Question: id, Field: "followers", Seq: qs[id].lastFollow(),
					Reason: fmt.Sprintf("follower %s is kept for a question there is no record of", formatID(binary.BigEndian.Uint64(k[8:])))}
			}
			k, _ = c.Seek(seqKey(binary.BigEndian.Uint64(k) + 1)) // the next question's
		}
	}
	for _, q := range records {
		v := qs[q.ID]
		if v == nil {
			v = &vouched{}
		}
		bad := func(field string, seq uint64, want, got string) error {
			return &RecordError{Question: q.ID, Field: field, Seq: seq,
				Reason: fmt.Sprintf("the trail says %s, the record has %s", quoteShort(want), quoteShort(got))}
		}
		timeStr := func(t time.Time) string {
			if t.IsZero() {
				return "none"
			}
			return t.UTC().Format(time.RFC3339Nano)
		}
		wantStatus, statusSeq := "", max(v.answerSeq, v.publishSeq)
		switch {
		case v.published:
			wantStatus = string(StatusPublished)
		case v.answered:
			wantStatus = string(StatusNSGAnswered)
		case v.escalated:
			// Escalated and not yet answered: it awaits the NSG.
			wantStatus, statusSeq = string(StatusAwaiting), v.escalatedSeq
		}
		switch {
		case wantStatus != "" && string(q.Status) != wantStatus:
			return bad("status", statusSeq, wantStatus, string(q.Status))
		case wantStatus == "" && (q.Status == StatusNSGAnswered || q.Status == StatusPublished):
			return bad("status", 0, "not answered by the NSG", string(q.Status))
		}
		checks := []struct {
			field     string
			seq       uint64
			want, got string
		}{
			{"NSG answer", v.answerSeq, v.answer, q.NSGAnswer},
			{"answered-by", v.answerSeq, v.answeredBy, q.AnsweredBy},
			{"answered-at", v.answerSeq, timeStr(v.answeredAt), timeStr(optTime(q.AnsweredAt))},
			{"cited passage", v.citedSeq, v.cited, q.Cited},
			{"clarification number", v.publishSeq, v.clarification, q.Clarification},
			{"published question", v.publishSeq, v.pubQuestion, q.PublishedQuestion},
			{"published answer", v.publishSeq, v.pubAnswer, q.PublishedAnswer},
			{"published-at", v.publishSeq, timeStr(v.publishedAt), timeStr(optTime(q.PublishedAt))},
		}
		for _, c := range checks {
			if c.want != c.got {
				return bad(c.field, c.seq, c.want, c.got)
			}
		}
		got := make([]string, len(q.Followers))
		for i, f := range q.Followers {
			got[i] = f.ID
		}
		if strings.Join(got, ",") != strings.Join(v.followers, ",") {
			return bad("followers", v.followSeq, strings.Join(v.followers, ", "), strings.Join(got, ", "))
		}
		for _, f := range q.Followers {
			if w, ok := asked[f.ID]; !ok || w.user != f.UserID || w.follows != q.ID {
				return &RecordError{Question: q.ID, Field: "followers", Seq: v.followSeq,
					Reason: fmt.Sprintf("follower %s is not the bidder (%s) whose question %s follows this one", f.ID, f.UserID, f.ID)}
			}
		}
	}
	// A question the trail acts on has a record: one removed outright
	// (a published or answered question's, say) was tampered with.
	for _, id := range slices.Sorted(maps.Keys(qs)) {
		if _, ok := asked[id]; !ok {
			v := qs[id]
			return &RecordError{Question: id, Field: "record", Seq: max(v.answerSeq, v.publishSeq, v.followSeq, v.escalatedSeq),
				Reason: "the trail records NSG actions on it, but there is no record of it"}
		}
	}
	cb := tx.Bucket(bucketClarifications)
	seen := 0
	if cb != nil {
		c := cb.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 8 {
				return &RecordError{Question: fmt.Sprintf("clarification key %x", k), Field: "number", Reason: "a stray key sits among the clarification numbers"}
			}
			number := formatClarification(binary.BigEndian.Uint64(k))
			e, ok := clars[number]
			if !ok {
				return &RecordError{Question: number, Field: "question", Reason: fmt.Sprintf("it maps to %s, but the trail publishes no %s", quoteShort(string(v)), number)}
			}
			if string(v) != e.Question {
				return &RecordError{Question: number, Field: "question", Seq: e.Seq, Reason: fmt.Sprintf("the trail says %s, the map has %s", e.Question, quoteShort(string(v)))}
			}
			seen++
		}
	}
	if seen != len(clars) {
		for number, e := range clars {
			if cb == nil || cb.Get(seqKey(clarificationSeq(number))) == nil {
				return &RecordError{Question: number, Field: "question", Seq: e.Seq, Reason: "the trail publishes it as " + e.Question + ", but the clarification map has no such number"}
			}
		}
	}
	return nil
}

func clarificationSeq(number string) uint64 {
	n, _ := strconv.ParseUint(strings.TrimPrefix(number, "C-"), 10, 64)
	return n
}

// headLine is one line of the head file.
type headLine struct {
	line int
	head auditHead
}

// headFiles serialises writes to each head file: commit handlers run
// after bbolt has released its writer lock.
var headFiles sync.Map // path → *headWriter

// headWriter appends the heads committed to one head file, a line per
// entry. A commit only notes its heads (committedHead) and the lines are
// written by a goroutine of their own, so a commit and the writers
// waiting on it do not wait for a second fsync. The writer gathers the
// heads of the commits that follow for headDelay before it writes them,
// with one fsync: under load a commit adding entries lands every
// millisecond or so, and an fsync of the head file after each of them
// took a processor and the disk for as long as the log's own. Whoever
// needs the lines now (Close, verification, recordHead) cuts the
// gathering short (waitIdle).
type headWriter struct {
	mu      sync.Mutex
	idle    *sync.Cond // signalled when writing ends
	last    uint64     // the last head in the file
	pending []auditHead
	writing bool
	hurry   bool          // write what is pending without gathering more
	wake    chan struct{} // cuts the gathering short
}

// headDelay is how long the head writer gathers heads before it writes.
const headDelay = 10 * time.Millisecond

// waitIdle waits, with hw.mu held, until no lines are being written,
// having the writer write what it gathered at once.
func (hw *headWriter) waitIdle() {
	if hw.writing {
		hw.hurry = true
		select {
		case hw.wake <- struct{}{}:
		default:
		}
	}
	for hw.writing {
		hw.idle.Wait()
	}
}

func headWriterFor(dbPath string) *headWriter {
	if w, ok := headFiles.Load(dbPath); ok {
		return w.(*headWriter)
	}
	hw := &headWriter{wake: make(chan struct{}, 1)}
	hw.idle = sync.NewCond(&hw.mu)
	w, _ := headFiles.LoadOrStore(dbPath, hw)
	return w.(*headWriter)
}

// committedHead notes that head was committed, for the head file of the
// store at dbPath, and starts writing unless it is under way.
func committedHead(dbPath string, head auditHead) {
	hw := headWriterFor(dbPath)
	hw.mu.Lock()
	defer hw.mu.Unlock()
	hw.pending = append(hw.pending, head)
	if hw.writing {
		return
	}
	hw.writing = true
	go hw.run(dbPath)
}

// run writes the heads noted, in entry order, until none is left. A
// failure drops them: the next commit's line, or the next open for
// writing (catchUpHead), brings the file up to date, and VerifyAudit
// reports a head file behind.
func (hw *headWriter) run(dbPath string) {
	hw.mu.Lock()
	defer hw.mu.Unlock()
	for len(hw.pending) > 0 {
		if !hw.hurry {
			hw.mu.Unlock()
			t := time.NewTimer(headDelay)
			select {
			case <-t.C:
			case <-hw.wake:
				t.Stop()
			}
			hw.mu.Lock()
		}
		heads := hw.pending
		hw.pending = nil
		slices.SortFunc(heads, func(a, b auditHead) int { return cmp.Compare(a.Seq, b.Seq) })
		i := 0
		for i < len(heads) && heads[i].Seq <= hw.last {
			i++
		}
		heads = heads[i:]
		if len(heads) == 0 {
			continue
		}
		hw.mu.Unlock()
		err := appendHeads(dbPath, heads...)
		hw.mu.Lock()
		if err == nil {
			hw.last = max(hw.last, heads[len(heads)-1].Seq)
		}
	}
	hw.writing, hw.hurry = false, false
	hw.idle.Broadcast()
}

// flushHeads waits until the lines being written to the head file of the
// store at dbPath are written.
func flushHeads(dbPath string) {
	hw := headWriterFor(dbPath)
	hw.mu.Lock()
	hw.waitIdle()
	hw.mu.Unlock()
}

// recordHead appends head to the head file of the store at dbPath, now,
// unless a later head is already there. A failure is returned for the
// caller to log: the commit has happened and stands, and VerifyAudit will
// report the head file behind the trail.
func recordHead(dbPath string, head auditHead) error {
	hw := headWriterFor(dbPath)
	hw.mu.Lock()
	defer hw.mu.Unlock()
	hw.waitIdle()
	if head.Seq <= hw.last {
		return nil
	}
	if err := appendHeads(dbPath, head); err != nil {
		return err
	}
	hw.last = head.Seq
	return nil
}

// appendHeads appends a line for each head to the head file, fsynced.
func appendHeads(dbPath string, heads ...auditHead) error {
	f, err := os.OpenFile(HeadFile(dbPath), os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("record the audit head: %w", err)
	}
	sep := ""
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
			sep = "\n" // end a line a crash cut short
		}
	}
	var b strings.Builder
	b.WriteString(sep)
	for _, h := range heads {
		fmt.Fprintf(&b, "%d %s\n", h.Seq, h.Hash)
	}
	_, err = f.WriteString(b.String())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("record the audit head in %s: %w", HeadFile(dbPath), err)
	}
	return nil
}

// readHeads reads the head file of the store at dbPath; a missing file is
// no lines. A last line cut short (a crash while it was written) is
// ignored.
func readHeads(dbPath string) ([]headLine, error) {
	flushHeads(dbPath) // the lines this process is writing come first
	data, err := os.ReadFile(HeadFile(dbPath))
	if errors.Is(err, os.ErrNotExist) {
		return nil, os.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	var out []headLine
	partial := len(data) > 0 && data[len(data)-1] != '\n'
	total := strings.Count(string(data), "\n")
	if partial {
		total++
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		text := sc.Text()
		last := partial && n == total
		seqText, hash, ok := strings.Cut(text, " ")
		seq, err := strconv.ParseUint(seqText, 10, 64)
		if !ok || err != nil || len(hash) != 64 {
			if last {
				break
			}
			return nil, fmt.Errorf("%s line %d: %q is not \"<entry> <hash>\"", HeadFile(dbPath), n, text)
		}
		out = append(out, headLine{line: n, head: auditHead{Seq: seq, Hash: hash}})
	}
	return out, sc.Err()
}

// verifyHeads checks every line of the head file against the trail
// (hashes, by entry number): an entry cut from the end, or an entry
// rewritten with the chain recomputed, no longer matches.
func verifyHeads(dbPath string, hashes []string) error {
	lines, err := readHeads(dbPath)
	if errors.Is(err, os.ErrNotExist) {
		if len(hashes) == 0 {
			return nil
		}
		return &AuditError{Seq: uint64(len(hashes)), Reason: fmt.Sprintf("the head file %s is missing: it records the trail's head after every commit that adds entries, so without it entries cut from the end cannot be found (it was deleted, or the store was copied without it)", HeadFile(dbPath))}
	}
	if err != nil {
		return &AuditError{Seq: 0, Reason: "the head file is not readable: " + err.Error()}
	}
	for _, l := range lines {
		switch {
		case l.head.Seq == 0:
			continue
		case l.head.Seq > uint64(len(hashes)):
			return &AuditError{Seq: uint64(len(hashes)) + 1, Reason: fmt.Sprintf("the trail ends at entry %d but %s (line %d) records entry %d: entries were removed from the end", len(hashes), HeadFile(dbPath), l.line, l.head.Seq)}
		case hashes[l.head.Seq-1] != l.head.Hash:
			return &AuditError{Seq: l.head.Seq, Reason: fmt.Sprintf("its hash differs from the one %s (line %d) recorded when it was written: the trail was rewritten from here on", HeadFile(dbPath), l.line)}
		}
	}
	return nil
}

// headWritable makes sure the head file beside the store at dbPath can
// be appended to, or, while there is none, created: the heads are
// written after each commit, where a failure could only be dropped, and
// would later read as tampering.
func headWritable(dbPath string) error {
	var f *os.File
	path := HeadFile(dbPath)
	_, err := os.Stat(path)
	if err == nil {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	} else if errors.Is(err, os.ErrNotExist) {
		if f, err = os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".probe-*"); err == nil {
			defer os.Remove(f.Name())
		}
	}
	if err != nil {
		return fmt.Errorf("the audit head file %s cannot be written (%w): every NSG action's hash is appended to it; let the user running hiecbot write to it and its folder", path, err)
	}
	return f.Close()
}

// catchUpHead brings the head file up to the trail's head when it is
// missing or behind (a crash between a commit and its line, or a store
// from before head files): called when the store is opened for writing.
func catchUpHead(dbPath string, head auditHead) error {
	lines, err := readHeads(dbPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil // VerifyAudit reports it; never overwrite evidence
	}
	var last uint64
	for _, l := range lines {
		last = max(last, l.head.Seq)
	}
	// The file, not what this process last wrote (perhaps to a store
	// since replaced), says where it stands.
	hw := headWriterFor(dbPath)
	hw.mu.Lock()
	hw.waitIdle()
	hw.last, hw.pending = last, nil
	hw.mu.Unlock()
	if last >= head.Seq {
		return nil
	}
	return recordHead(dbPath, head)
}
