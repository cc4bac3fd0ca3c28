// Package store is hiecbot's durable question log. It owns the bbolt file
// (questions, audit trail, outbox, ledgers) and imports nothing of
// hiecbot's but config/when: no Slack, no knowledge, no dialogue.
//
// Every question a bidder asks is logged with its asker, the sources the
// answer drew on and its status, so the National Steering Group can list,
// answer, publish and export them. The log is a single bbolt file: one
// process (normally "hiecbot serve") holds it open for writing, and within
// that process any number of goroutines may read (list, export) while others
// write, each reader seeing a consistent snapshot.
//
// Questions are numbered Q-0001, Q-0002, … from a sequence that is never
// reused, even when the log is reopened. A question is on disk (fsynced) when
// Log returns; concurrent calls to Log are committed together in one
// transaction (group commit), so many goroutines share each fsync.
//
// The same file keeps two small ledgers: Slack event ids already handled
// (FirstSeen), so Slack's retries are not answered twice, and reminders
// already sent once (Ledger: Sent, MarkSent).
package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Errors returned by the store. They are wrapped with the operation, path or
// question id; test for them with errors.Is.
var (
	// ErrLocked means another process (such as a running "hiecbot serve")
	// holds the log file open.
	ErrLocked = errors.New("store is locked")
	// ErrNotFound means no question has the given id.
	ErrNotFound = errors.New("question not found")
	// ErrConflict means the question's status does not allow the change.
	ErrConflict = errors.New("status change not allowed")
	// ErrEmpty means a required text (an answer, a key) was empty.
	ErrEmpty = errors.New("empty text")
)

// DefaultTimeout is how long Open waits for another process to release the
// file when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// dedupeTTL is how long FirstSeen remembers a key at least; entries older
// than this are pruned.
const dedupeTTL = 2 * time.Hour

// pruneBatch bounds how many stale dedupe entries one FirstSeen call deletes.
const pruneBatch = 256

// initialMmapSize is the address space mapped up front. While the file fits
// in it, writers never wait for long readers (an export) to finish before
// growing the map. It is address space, not memory, and does not grow the
// file.
const initialMmapSize = 1 << 30 // 1 GiB on 64-bit; 32-bit maps on demand

var (
	bucketQuestions  = []byte("questions")
	bucketSeen       = []byte("seen")
	bucketSeenByTime = []byte("seen_by_time")
	bucketReminders  = []byte("reminders")
	allBuckets       = [][]byte{bucketQuestions, bucketSeen, bucketSeenByTime, bucketReminders, bucketAudit, bucketAuditHead, bucketClarifications,
		bucketFollowers, bucketFollowerAskers}
)

// Options configure Open.
type Options struct {
	// Timeout is how long to wait for another process to release the file
	// before giving up with ErrLocked. Zero means DefaultTimeout; a negative
	// value waits for ever.
	Timeout time.Duration
	// ReadOnly opens the log for reading only. The file must exist. A
	// read-only open still waits for a writer to close the file.
	ReadOnly bool
	// Now is the clock used for AskedAt, AnsweredAt, PublishedAt and the
	// dedupe ledger. Nil means time.Now. Times are stored in UTC.
	Now func() time.Time
	// Location is the zone exports show times in (reminders.timezone),
	// named in their headings. Nil means UTC.
	Location *time.Location
}

// Store is an open question log. Its methods are safe for concurrent use.
type Store struct {
	db   safeDB
	path string
	now  func() time.Time
	loc  *time.Location
	// composer and onQueued wire the outbox (see SetComposer, OnQueued).
	composer Composer
	onQueued func([]Message)
	// marks are the messages sent whose record rides on the next commit.
	marks marks
	// watch are the functions told of every question committed.
	watch watchers
	// sweepFrom is where the next sweep of the dedupe ledger starts
	// (sweepSeen); nil for its first key.
	sweepFrom []byte
}

// Open opens the question log at path, creating the folder (mode 0700) and
// the file (mode 0600) on first use unless opts.ReadOnly is set. If another
// process holds the file for longer than opts.Timeout, Open returns an error
// wrapping ErrLocked.
//
// A file that is not a whole question log (empty, truncated, overwritten,
// with corrupt header pages) is an error wrapping ErrDamaged that names the
// file and says what to do; it is checked before bbolt maps it, so it never
// crashes the process, and it is never re-created. Damage found later, by a
// read, is an ErrDamaged error from that read.
func Open(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("open store: no path given")
	}
	timeout := opts.Timeout
	switch {
	case timeout == 0:
		timeout = DefaultTimeout
	case timeout < 0:
		timeout = 0 // bbolt: wait for ever
	}
	switch _, err := os.Stat(path); {
	case err == nil:
		err := preflight(path)
		if errors.Is(err, ErrDamaged) {
			// A writer in another process may have reused a page between
			// our reads; a damaged file fails the same way again.
			time.Sleep(50 * time.Millisecond)
			err = preflight(path)
		}
		if err != nil {
			return nil, err
		}
	case errors.Is(err, os.ErrNotExist) && !opts.ReadOnly:
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
		if err := createNew(path); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	bo := &bolt.Options{
		Timeout:      timeout,
		ReadOnly:     opts.ReadOnly,
		FreelistType: bolt.FreelistMapType,
		// Read at open, under the guard, even read-only: else the first
		// check reads it in a goroutine of bbolt's own (see Check).
		PreLoadFreelist: true,
	}
	if bits.UintSize == 64 {
		bo.InitialMmapSize = initialMmapSize
	}
	bdb, err := openGuarded(path, bo)
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open store %s: %w: the file is in use by another process, such as a running `hiecbot serve` (gave up after %v); stop it, or wait and try again",
				path, ErrLocked, timeout)
		}
		if errors.Is(err, ErrDamaged) {
			return nil, err
		}
		if errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) || errors.Is(err, berrors.ErrVersionMismatch) {
			return nil, damaged(path, "%v", err)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db := safeDB{DB: bdb, path: path, group: &groupCommit{}}
	if !opts.ReadOnly {
		var head auditHead
		err := db.Update(func(tx *bolt.Tx) error {
			for _, name := range allBuckets {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return fmt.Errorf("create bucket %s: %w", name, err)
				}
			}
			if v := tx.Bucket(bucketAuditHead).Get(auditHeadKey); v != nil {
				_ = json.Unmarshal(v, &head) // VerifyAudit reports an unreadable head
			}
			return nil
		})
		if err == nil {
			err = catchUpHead(path, head)
		}
		if err == nil {
			err = headWritable(path)
		}
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return &Store{db: db, path: path, now: now, loc: loc}, nil
}

// Close closes the log, releasing the file for other processes.
func (s *Store) Close() error {
	s.marks.mu.Lock()
	if s.marks.timer != nil {
		s.marks.timer.Stop()
		s.marks.timer = nil
	}
	s.marks.mu.Unlock()
	if !s.db.IsReadOnly() {
		s.flushMarks() // what was sent is recorded before the file closes
	}
	err := s.db.Close()
	flushHeads(s.path) // the audit heads committed are in the head file
	if err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

func (s *Store) clock() time.Time { return s.now().UTC() }

// seqKey is the bucket key of question n: big-endian, so keys sort in id
// order.
func seqKey(n uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, n)
	return k
}

// Log records a new question. It assigns q.ID from the never-reused
// sequence, sets q.AskedAt to now if it is zero (and to UTC otherwise), and
// sets q.Status to answered if q.Confident and to awaiting otherwise when it
// is empty. When Log returns nil the question is on disk.
//
// Concurrent calls are committed together, sharing one fsync: the calls
// that arrive while a commit is under way go in the next (see Batch). ctx
// is checked before queuing and again
// when the commit runs: if it is done by then, Log returns its error and
// nothing is logged. Log does not return early while a commit is under way.
func (s *Store) Log(ctx context.Context, q *Question) error {
	_, err := s.log(ctx, "", q, nil)
	return err
}

// LogOnce is Log for a question that arrived with a delivery key (a Slack
// event id): in the same transaction it records the key and the question,
// and when the key was seen before it logs nothing and reports false. A
// retried delivery is therefore never logged twice, and a recorded key
// always has its question logged.
func (s *Store) LogOnce(ctx context.Context, key string, q *Question) (bool, error) {
	if key == "" {
		return false, fmt.Errorf("log question once: %w: no key", ErrEmpty)
	}
	return s.log(ctx, key, q, nil)
}

// log records q, with key when it is not empty. attach, when set, runs in
// the same transaction once the question has its id, and may change it
// and write other records (not other questions' records: the watchers
// hear only of q); Batch may run it more than once.
func (s *Store) log(ctx context.Context, key string, q *Question, attach func(tx *bolt.Tx, r *Question) error) (bool, error) {
	if q == nil {
		return false, errors.New("log question: nil question")
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("log question: %w", err)
	}
	rec := *q
	if rec.AskedAt.IsZero() {
		rec.AskedAt = s.clock()
	} else {
		rec.AskedAt = rec.AskedAt.UTC()
	}
	switch {
	case rec.Status == "" && rec.Confident:
		rec.Status = StatusAnswered
	case rec.Status == "":
		rec.Status = StatusAwaiting
	case !rec.Status.Valid():
		return false, fmt.Errorf("log question: unknown status %q: valid statuses are %s", rec.Status, joinStatuses(Statuses))
	}
	if rec.Feedback != "" {
		fb, err := parseFeedback(rec.Feedback)
		if err != nil {
			return false, fmt.Errorf("log question: %w", err)
		}
		rec.Feedback = fb
	}
	now := s.clock()
	extra, _ := ctx.Value(outboxKey{}).(func(Question) []Message)
	// Records of messages sent ride on this commit (see MarkSent).
	taken := s.takeMarks()
	var (
		committed Question
		rev       uint64
		first     bool
		queued    []Message
	)
	err := s.db.Batch(func(tx *bolt.Tx) error {
		if err := applyMarks(tx, taken); err != nil {
			return err
		}
		// Batch may run this more than once; only the committed run's
		// results survive in committed, rev, first and queued.
		committed, first, queued = Question{}, false, nil
		rev = uint64(tx.ID())
		if err := ctx.Err(); err != nil {
			return err
		}
		if key != "" {
			seen, err := s.markSeen(tx, key, now)
			if err != nil || !seen {
				return err
			}
		}
		first = true
		b := tx.Bucket(bucketQuestions)
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		r := rec
		r.ID = formatID(n)
		if attach != nil {
			if err := attach(tx, &r); err != nil {
				return err
			}
		}
		committed = r
		if err := putRecord(tx, n, &r); err != nil {
			return err
		}
		// The messages the question owes are committed with it.
		queued, err = s.queueFor(tx, "log", r, extra)
		return err
	})
	s.doneMarks(taken, err == nil)
	if err != nil {
		return false, fmt.Errorf("log question in %s: %w", s.path, err)
	}
	if !first {
		return false, nil
	}
	s.committed(rev, committed)
	s.queued(queued)
	*q = committed
	return true, nil
}

// Get returns the question with the given id. It accepts the id as people
// type it: "Q-0042", "q-0042", "Q42", "#42" or "42". An unknown or malformed
// id gives an error wrapping ErrNotFound that names the id.
func (s *Store) Get(id string) (Question, error) {
	n, err := lookupID("get", id)
	if err != nil {
		return Question{}, err
	}
	var q Question
	err = s.db.View(func(tx *bolt.Tx) error {
		return getQuestion(tx, n, "get", &q)
	})
	return q, err
}

func lookupID(op, id string) (uint64, error) {
	n, ok := parseID(id)
	if !ok {
		return 0, fmt.Errorf("%s %q: %w (question ids look like Q-0042)", op, id, ErrNotFound)
	}
	return n, nil
}

// getQuestion reads question n with its followers.
func getQuestion(tx *bolt.Tx, n uint64, op string, q *Question) error {
	if err := getRecord(tx.Bucket(bucketQuestions), n, op, q); err != nil {
		return err
	}
	if err := withFollowers(tx, n, q); err != nil {
		*q = Question{}
		return fmt.Errorf("%s %s: %w", op, formatID(n), err)
	}
	return nil
}

// getRecord reads question n's record alone: followers kept apart from
// it are not read.
func getRecord(b *bolt.Bucket, n uint64, op string, q *Question) error {
	var v []byte
	if b != nil {
		v = b.Get(seqKey(n))
	}
	if v == nil {
		return fmt.Errorf("%s %s: %w", op, formatID(n), ErrNotFound)
	}
	if err := decodeRecord(v, q); err != nil {
		return fmt.Errorf("%s %s: decode record: %w", op, formatID(n), err)
	}
	return nil
}

// Filter selects questions. Its zero value selects all of them.
type Filter struct {
	// Status, if not empty, keeps questions with any of these statuses.
	Status []Status
	// Since and Until bound AskedAt: Since inclusive, Until exclusive. A
	// zero time is no bound.
	Since, Until time.Time
}

func (f Filter) all() bool {
	return len(f.Status) == 0 && f.Since.IsZero() && f.Until.IsZero()
}

func (f Filter) match(status Status, askedAt time.Time) bool {
	if len(f.Status) > 0 {
		ok := false
		for _, s := range f.Status {
			if s == status {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if !f.Since.IsZero() && askedAt.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !askedAt.Before(f.Until) {
		return false
	}
	return true
}

// Each calls fn for every question f selects, in id order, reading from one
// consistent snapshot: writes made meanwhile are not seen, and do not wait
// for Each. If fn returns an error, Each stops and returns it unchanged. fn
// must not wait for a write to this store (Log, Answer, …) to finish.
func (s *Store) Each(f Filter, fn func(Question) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return each(tx, f, fn)
	})
}

func each(tx *bolt.Tx, f Filter, fn func(Question) error) error {
	fc := newFollowerCursor(tx)
	return scan(tx, f, func(k, v []byte) error {
		var q Question
		if err := decodeRecord(v, &q); err != nil {
			return decodeErr(k, err)
		}
		if len(k) == 8 {
			if err := fc.add(binary.BigEndian.Uint64(k), &q); err != nil {
				return decodeErr(k, err)
			}
		}
		return fn(q)
	})
}

// scan calls fn with the key and encoded record of each question f
// selects, in id order, decoding only the fields the filter needs.
func scan(tx *bolt.Tx, f Filter, fn func(k, v []byte) error) error {
	b := tx.Bucket(bucketQuestions)
	if b == nil {
		return nil
	}
	all := f.all()
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if !all {
			st, at, err := decodeFilterFields(v)
			if err != nil {
				return decodeErr(k, err)
			}
			if !f.match(st, at) {
				continue
			}
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func decodeErr(k []byte, err error) error {
	id := fmt.Sprintf("key %x", k)
	if len(k) == 8 {
		id = formatID(binary.BigEndian.Uint64(k))
	}
	return fmt.Errorf("read question %s: %w", id, err)
}

// List returns the questions f selects, in id order.
func (s *Store) List(f Filter) ([]Question, error) {
	var out []Question
	err := s.Each(f, func(q Question) error {
		out = append(out, q)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list questions in %s: %w", s.path, err)
	}
	return out, nil
}

// Count returns how many questions f selects.
func (s *Store) Count(f Filter) (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		return scan(tx, f, func(_, _ []byte) error {
			n++
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("count questions in %s: %w", s.path, err)
	}
	return n, nil
}

// NSGAnswers calls fn for every question the NSG has answered, published or
// not, in id order.
func (s *Store) NSGAnswers(fn func(Question) error) error {
	return s.Each(Filter{Status: []Status{StatusNSGAnswered, StatusPublished}}, fn)
}

// update applies change to question id in one write transaction. change
// reports whether it changed anything; if it returns an error or false,
// nothing is written.
func (s *Store) update(op, id string, change func(q *Question) (bool, error)) (Question, error) {
	return s.updateTx(op, id, func(_ *bolt.Tx, q *Question) (bool, error) { return change(q) })
}

// updateTx is update for a change that also writes other records (the
// audit trail) in the same transaction.
func (s *Store) updateTx(op, id string, change func(tx *bolt.Tx, q *Question) (bool, error)) (Question, error) {
	n, err := lookupID(op, id)
	if err != nil {
		return Question{}, err
	}
	var (
		out    Question
		rev    uint64
		fnErr  error // an error from the function, already annotated
		queued []Message
	)
	err = s.db.Update(func(tx *bolt.Tx) error {
		rev = uint64(tx.ID())
		fnErr = func() error {
			var q Question
			if err := getQuestion(tx, n, op, &q); err != nil {
				return err
			}
			changed, err := change(tx, &q)
			if err != nil {
				return fmt.Errorf("%s %s: %w", op, q.ID, err)
			}
			out = q
			if !changed {
				return errUnchanged // roll back: no commit, no fsync
			}
			if err := putRecord(tx, n, &q); err != nil {
				return fmt.Errorf("%s %s: %w", op, q.ID, err)
			}
			// The messages the change owes are committed with it.
			if queued, err = s.queueFor(tx, op, q, nil); err != nil {
				return fmt.Errorf("%s %s: %w", op, q.ID, err)
			}
			return nil
		}()
		return fnErr
	})
	switch {
	case err == nil:
		s.committed(rev, out)
		s.queued(queued)
		return out, nil
	case err == errUnchanged:
		return out, nil
	case err == fnErr:
		return Question{}, err
	default: // the transaction itself failed: read-only, disk, closed
		return Question{}, fmt.Errorf("%s %s in %s: %w", op, formatID(n), s.path, err)
	}
}

// errUnchanged rolls back an update that had nothing to write.
var errUnchanged = errors.New("unchanged")

// Escalate passes question id to the NSG, moving it from answered to
// awaiting, as when the bidder presses "Ask the NSG" (or staff do, for
// anyone's question): by is who did, recorded in the audit trail. A
// question already awaiting is returned unchanged; one the NSG has
// answered is ErrConflict.
func (s *Store) Escalate(id, by string) (Question, error) {
	return s.updateTx("escalate", id, func(tx *bolt.Tx, q *Question) (bool, error) {
		switch q.Status {
		case StatusAnswered:
			q.Status = StatusAwaiting
			return true, appendAudit(tx, AuditEntry{By: strings.TrimSpace(by), Action: ActionEscalate, Question: q.ID,
				Changes: []Change{{Field: "status", From: string(StatusAnswered), To: string(StatusAwaiting)}}}, s.clock())
		case StatusAwaiting:
			return false, nil
		default:
			return false, fmt.Errorf("%w: the NSG has already answered it (%s)", ErrConflict, q.Status)
		}
	})
}

// SetFeedback records the bidder's feedback on question id: "helpful" or
// "not_helpful". Anything else is an error and changes nothing.
func (s *Store) SetFeedback(id, feedback string) (Question, error) {
	fb, err := parseFeedback(feedback)
	if err != nil {
		if n, ok := parseID(id); ok {
			id = formatID(n)
		}
		return Question{}, fmt.Errorf("feedback %s: %w", id, err)
	}
	return s.update("feedback", id, func(q *Question) (bool, error) {
		if q.Feedback == fb {
			return false, nil
		}
		q.Feedback = fb
		return true, nil
	})
}

func parseFeedback(s string) (string, error) {
	fb := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	switch fb {
	case FeedbackHelpful, FeedbackNotHelpful:
		return fb, nil
	}
	return "", fmt.Errorf("unknown feedback %q: valid feedback is %s or %s", s, FeedbackHelpful, FeedbackNotHelpful)
}

// FirstSeen reports whether key (a Slack event id) is seen for the first
// time, remembering it durably for at least two hours so Slack's retries of
// the same event get false. Entries older than that are pruned as it goes.
func (s *Store) FirstSeen(key string) (bool, error) {
	if key == "" {
		return false, fmt.Errorf("first seen: %w: no key", ErrEmpty)
	}
	now := s.clock()
	var first bool
	err := s.db.Batch(func(tx *bolt.Tx) error {
		var err error
		first, err = s.markSeen(tx, key, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("first seen %q in %s: %w", key, s.path, err)
	}
	return first, nil
}

// FirstSeenWith is FirstSeen that also queues, the first time, the
// messages a context made by WithMessages carries (given a zero Question),
// in the same transaction: the reply to a greeting, say, which is not
// logged as a question but is owed all the same.
func (s *Store) FirstSeenWith(ctx context.Context, key string) (bool, error) {
	if key == "" {
		return false, fmt.Errorf("first seen: %w: no key", ErrEmpty)
	}
	extra, _ := ctx.Value(outboxKey{}).(func(Question) []Message)
	now := s.clock()
	var (
		first  bool
		queued []Message
	)
	err := s.db.Batch(func(tx *bolt.Tx) error {
		queued = nil
		var err error
		if first, err = s.markSeen(tx, key, now); err != nil || !first || extra == nil {
			return err
		}
		queued, err = s.queueFor(tx, "seen", Question{}, extra)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("first seen %q in %s: %w", key, s.path, err)
	}
	s.queued(queued)
	return first, nil
}

// markSeen records key as seen at now and reports whether it is new,
// pruning entries older than the dedupe window as it goes.
//
// The ledger is one bucket, key → the time it was seen. Pruning sweeps
// it a few entries per call (sweepSeen), so recording a key is one put:
// a second index by time would be a second tree for every commit to read
// in and write out. Entries recorded before the sweep, which also have
// one in the time index (bucketSeenByTime), are pruned through that
// index until it is empty.
func (s *Store) markSeen(tx *bolt.Tx, key string, now time.Time) (bool, error) {
	k := []byte(key)
	seen, byTime := tx.Bucket(bucketSeen), tx.Bucket(bucketSeenByTime)
	cutoff := now.Add(-dedupeTTL)
	if err := pruneSeen(seen, byTime, cutoff); err != nil {
		return false, err
	}
	if err := s.sweepSeen(seen, cutoff); err != nil {
		return false, err
	}
	if seen.Get(k) != nil {
		return false, nil
	}
	ts := make([]byte, 8)
	binary.BigEndian.PutUint64(ts, uint64(now.UnixNano()))
	if err := seen.Put(k, ts); err != nil {
		return false, err
	}
	return true, nil
}

// sweepBatch is how many dedupe entries one call to sweepSeen checks: a
// sweep of the whole ledger, however large, takes dedupeTTL/sweepBatch
// (7.5 minutes) of calls at any steady rate, so an entry is pruned at
// most that long after it is stale.
const sweepBatch = 16

// sweepSeen checks up to sweepBatch entries of the dedupe ledger, from
// where the last call stopped (round the bucket, starting again at its
// first key), and deletes those recorded before cutoff.
func (s *Store) sweepSeen(seen *bolt.Bucket, cutoff time.Time) error {
	// The position is only read and written in write transactions,
	// which run one at a time; a transaction rolled back leaves it
	// ahead, and what it skipped is checked on the next round.
	var limit [8]byte
	binary.BigEndian.PutUint64(limit[:], uint64(cutoff.UnixNano()))
	c := seen.Cursor()
	var k, v []byte
	if s.sweepFrom == nil {
		k, v = c.First()
	} else {
		k, v = c.Seek(s.sweepFrom)
	}
	var stale [][]byte
	wrapped := false
	for range sweepBatch {
		if k == nil {
			if wrapped {
				break
			}
			wrapped = true
			if k, v = c.First(); k == nil {
				break
			}
		}
		if len(v) == 8 && bytes.Compare(v, limit[:]) < 0 {
			stale = append(stale, bytes.Clone(k))
		}
		k, v = c.Next()
	}
	s.sweepFrom = bytes.Clone(k) // nil at the end: the next call starts again
	for _, k := range stale {
		if err := seen.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// pruneSeen deletes up to pruneBatch dedupe entries recorded before
// cutoff that the time index holds (entries recorded before the ledger
// was swept instead).
func pruneSeen(seen, byTime *bolt.Bucket, cutoff time.Time) error {
	if byTime == nil {
		return nil
	}
	var limit [8]byte
	binary.BigEndian.PutUint64(limit[:], uint64(cutoff.UnixNano()))
	var stale [][]byte
	c := byTime.Cursor()
	for k, _ := c.First(); k != nil && len(stale) < pruneBatch; k, _ = c.Next() {
		if len(k) < 8 || bytes.Compare(k[:8], limit[:]) >= 0 {
			break
		}
		stale = append(stale, bytes.Clone(k))
	}
	for _, k := range stale {
		if err := seen.Delete(k[8:]); err != nil {
			return err
		}
		if err := byTime.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Ledger is the store's record of what was sent once and must not be sent
// again: reminders, digests and NSG deliveries, by key. It is the
// reminders.Ledger the scheduler and the Desk are given.
type Ledger struct{ s *Store }

// Ledger returns the store's ledger of what was sent.
func (s *Store) Ledger() Ledger { return Ledger{s} }

// Sent reports whether what key names has been marked sent.
func (l Ledger) Sent(key string) (bool, error) {
	s := l.s
	if key == "" {
		return false, fmt.Errorf("reminder sent: %w: no key", ErrEmpty)
	}
	var sent bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketReminders); b != nil {
			sent = b.Get([]byte(key)) != nil
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("reminder sent %q in %s: %w", key, s.path, err)
	}
	return sent, nil
}

// MarkSent durably records that what key names was sent at at.
func (l Ledger) MarkSent(key string, at time.Time) error {
	s := l.s
	if key == "" {
		return fmt.Errorf("mark reminder sent: %w: no key", ErrEmpty)
	}
	v, err := at.UTC().MarshalText()
	if err != nil {
		return fmt.Errorf("mark reminder %q sent: %w", key, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketReminders).Put([]byte(key), v)
	})
	if err != nil {
		return fmt.Errorf("mark reminder %q sent in %s: %w", key, s.path, err)
	}
	return nil
}
