package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The outbox holds every message the bot owes someone (an answer, an NSG
// notice, an NSG answer delivery, a clarification, a reminder, an export
// upload) until it is sent. A message is put in the outbox in the same
// transaction as the change that creates it, so a change that is on disk
// always has its messages on disk, and a sender (package outbox) delivers
// them, marking each sent or failed here.

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// Message is one message the bot owes.
type Message struct {
	// ID is assigned by the store: M-000001, M-000002, … never reused.
	// It is for the NSG and the logs only: a bidder can read a message's
	// metadata back from Slack, and a counter there would tell them how
	// many messages the bot has sent.
	ID string `json:"id"`
	// Nonce is a random value the store gives each message (see Ref): the
	// sender puts it in the Slack message's metadata, so a post that may
	// or may not have happened can be found again without the metadata
	// saying anything about other messages.
	Nonce string `json:"nonce,omitempty"`
	// Key, when set, makes enqueueing idempotent: a second message with
	// the same key is not queued (a reminder's ledger key, say).
	Key string `json:"key,omitempty"`
	// After, when set, is the Key of a message this one waits for: it
	// is sent only once that one is, and fails if that one fails (a
	// clarification's DMs wait for its post to every bidder).
	After string `json:"after,omitempty"`
	// Kind says what the message is: answer, nsg_notice, delivery,
	// clarification, follower, reminder, export, staff_notice.
	Kind string `json:"kind"`
	// QuestionID is the question the message is about, if any.
	QuestionID string `json:"question_id,omitempty"`
	// Channel is where it goes; with only User set it goes to that user's
	// DM with the bot.
	Channel string `json:"channel,omitempty"`
	User    string `json:"user,omitempty"`
	// Ephemeral messages are shown to User alone in Channel.
	Ephemeral bool   `json:"ephemeral,omitempty"`
	ThreadTS  string `json:"thread_ts,omitempty"`
	Text      string `json:"text"`
	// Blocks is the Block Kit JSON, if any.
	Blocks json.RawMessage `json:"blocks,omitempty"`
	// File is an upload (an export) instead of a post.
	File *OutFile `json:"file,omitempty"`
	// NotifyStaff says whether staff are told by DM when the message
	// fails for good (not for those notices themselves).
	NotifyStaff bool `json:"notify_staff,omitempty"`
	// Native is the adapter's own rendering of the message (Slack's
	// blocks), kept in memory only: the copy the sender is handed as the
	// message is queued carries it, so it need not decode Blocks again.
	Native any `json:"-"`

	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	Attempts  int        `json:"attempts,omitempty"`
	NextAt    *time.Time `json:"next_at,omitempty"`
	// Tried is set once a post has been attempted: the message may have
	// reached Slack even though no answer came back.
	Tried  bool       `json:"tried,omitempty"`
	SentAt *time.Time `json:"sent_at,omitempty"`
	// TS is the Slack timestamp of the sent message.
	TS string `json:"ts,omitempty"`
	// Error is the last error, or the one it failed with.
	Error string `json:"error,omitempty"`
}

// OutFile is a file to upload.
type OutFile struct {
	Name    string `json:"name"`
	Title   string `json:"title,omitempty"`
	Comment string `json:"comment,omitempty"`
	Data    []byte `json:"data,omitempty"`
}

var (
	bucketOutbox     = []byte("outbox")
	bucketOutboxKeys = []byte("outbox_keys")
	// bucketOutboxState holds each message's delivery state apart from
	// its content, so recording an attempt rewrites a hundred bytes, not
	// the message.
	bucketOutboxState = []byte("outbox_state")
)

// msgState is the part of a Message that changes as it is sent.
type msgState struct {
	Status   string     `json:"s"`
	Attempts int        `json:"a,omitempty"`
	NextAt   *time.Time `json:"n,omitempty"`
	Tried    bool       `json:"t,omitempty"`
	SentAt   *time.Time `json:"at,omitempty"`
	TS       string     `json:"ts,omitempty"`
	Error    string     `json:"e,omitempty"`
}

func (m *Message) state() msgState {
	return msgState{Status: m.Status, Attempts: m.Attempts, NextAt: m.NextAt, Tried: m.Tried, SentAt: m.SentAt, TS: m.TS, Error: m.Error}
}

func (m *Message) setState(st msgState) {
	m.Status, m.Attempts, m.NextAt, m.Tried, m.SentAt, m.TS, m.Error = st.Status, st.Attempts, st.NextAt, st.Tried, st.SentAt, st.TS, st.Error
}

// outbox is the outbox's buckets in one transaction.
type outbox struct{ msgs, keys, states *bolt.Bucket }

// read returns the message under k with its current state.
func (o outbox) read(k []byte) (Message, bool, error) {
	v := o.msgs.Get(k)
	if v == nil {
		return Message{}, false, nil
	}
	var m Message
	if err := json.Unmarshal(v, &m); err != nil {
		return Message{}, true, fmt.Errorf("read outbox message %s: %w", formatMessageID(binary.BigEndian.Uint64(k)), err)
	}
	if o.states != nil {
		if sv := o.states.Get(k); sv != nil {
			var st msgState
			if err := json.Unmarshal(sv, &st); err != nil {
				return Message{}, true, fmt.Errorf("read outbox message %s: %w", m.ID, err)
			}
			m.setState(st)
		}
	}
	return m, true, nil
}

// readState returns the delivery state of the message under k, which
// exists: from the states bucket, or for a message queued before states
// were kept apart, from the message.
func (o outbox) readState(k []byte) (msgState, error) {
	if o.states != nil {
		if sv := o.states.Get(k); sv != nil {
			var st msgState
			if err := json.Unmarshal(sv, &st); err != nil {
				return msgState{}, fmt.Errorf("read outbox message %s: %w", formatMessageID(binary.BigEndian.Uint64(k)), err)
			}
			return st, nil
		}
	}
	m, _, err := o.read(k)
	return m.state(), err
}

func (o outbox) writeState(k []byte, st msgState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return o.states.Put(k, data)
}

func openOutbox(tx *bolt.Tx) (outbox, error) {
	msgs, keys, err := outboxBuckets(tx)
	if err != nil {
		return outbox{}, err
	}
	o := outbox{msgs: msgs, keys: keys}
	if tx.Writable() {
		o.states, err = tx.CreateBucketIfNotExists(bucketOutboxState)
	} else {
		o.states = tx.Bucket(bucketOutboxState)
	}
	return o, err
}

// Ref is what the sender marks m's Slack message with, to find it again:
// its random nonce, or for a message queued before nonces were given its
// id.
func (m Message) Ref() string {
	if m.Nonce != "" {
		return m.Nonce
	}
	return m.ID
}

func formatMessageID(n uint64) string { return fmt.Sprintf("M-%06d", n) }

func parseMessageID(id string) (uint64, bool) {
	s, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(id)), "M-")
	if !ok || s == "" {
		return 0, false
	}
	var n uint64
	for _, c := range s {
		if c < '0' || c > '9' || n > 1<<50 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, n > 0
}

// outboxBuckets returns the outbox buckets, creating them in a write
// transaction (a log made before the outbox existed has none).
func outboxBuckets(tx *bolt.Tx) (msgs, keys *bolt.Bucket, err error) {
	if !tx.Writable() {
		return tx.Bucket(bucketOutbox), tx.Bucket(bucketOutboxKeys), nil
	}
	if msgs, err = tx.CreateBucketIfNotExists(bucketOutbox); err != nil {
		return nil, nil, err
	}
	if keys, err = tx.CreateBucketIfNotExists(bucketOutboxKeys); err != nil {
		return nil, nil, err
	}
	return msgs, keys, nil
}

// enqueue puts m in the outbox inside tx, assigning its id; a message
// whose key is already queued is skipped (ok false).
func enqueue(tx *bolt.Tx, now time.Time, m *Message) (bool, error) {
	if m.Channel == "" && m.User == "" {
		return false, fmt.Errorf("queue a %s message: it has neither a channel nor a user", m.Kind)
	}
	msgs, keys, err := outboxBuckets(tx)
	if err != nil {
		return false, err
	}
	if m.Key != "" && keys.Get([]byte(m.Key)) != nil {
		return false, nil
	}
	n, err := msgs.NextSequence()
	if err != nil {
		return false, err
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return false, fmt.Errorf("queue a %s message: make its reference: %w", m.Kind, err)
	}
	m.ID, m.Nonce, m.Status, m.CreatedAt = formatMessageID(n), hex.EncodeToString(nonce), OutboxPending, now
	m.Attempts, m.NextAt, m.Tried, m.SentAt, m.TS, m.Error = 0, nil, false, nil, "", ""
	data, err := json.Marshal(m)
	if err != nil {
		return false, err
	}
	k := seqKey(n)
	// Ids only grow: full pages split less and are written less.
	msgs.FillPercent = 0.95
	if err := msgs.Put(k, data); err != nil {
		return false, err
	}
	states, err := tx.CreateBucketIfNotExists(bucketOutboxState)
	if err != nil {
		return false, err
	}
	states.FillPercent = 0.95
	if err := (outbox{states: states}).writeState(k, m.state()); err != nil {
		return false, err
	}
	if m.Key != "" {
		if err := keys.Put([]byte(m.Key), k); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Composer turns a change to a question into the messages it owes, in the
// transaction that makes the change: op is the change ("log", "answer",
// "publish", "escalate", …) and q the question after it. The Slack adapter
// is one; main wires it with SetComposer.
type Composer func(op string, q Question) []Message

// SetComposer makes every change to a question queue the messages c
// composes for it, in the same transaction. Set it before the store is
// used concurrently.
func (s *Store) SetComposer(c Composer) { s.composer = c }

// OnQueued sets a function called with the messages a transaction queued,
// once it has committed; the sender takes them from there, so it need not
// read them back. Set it before the store is used concurrently.
func (s *Store) OnQueued(fn func([]Message)) { s.onQueued = fn }

type outboxKey struct{}

// WithMessages returns a context under which the question Log or LogOnce
// records also queues the messages out returns for it (given the question
// with its id), in the same transaction: the reply to the asker, say,
// which only the caller can compose.
func WithMessages(ctx context.Context, out func(q Question) []Message) context.Context {
	return context.WithValue(ctx, outboxKey{}, out)
}

// queueFor queues the composer's messages for op on q, and extra's, in
// tx, and returns those queued.
func (s *Store) queueFor(tx *bolt.Tx, op string, q Question, extra func(Question) []Message) ([]Message, error) {
	var msgs []Message
	if extra != nil {
		msgs = append(msgs, extra(q)...)
	}
	if s.composer != nil {
		msgs = append(msgs, s.composer(op, q)...)
	}
	now := s.clock()
	out := msgs[:0]
	for i := range msgs {
		if msgs[i].QuestionID == "" {
			msgs[i].QuestionID = q.ID
		}
		ok, err := enqueue(tx, now, &msgs[i])
		if err != nil {
			return nil, fmt.Errorf("queue messages for %s: %w", q.ID, err)
		}
		if ok {
			out = append(out, msgs[i])
		}
	}
	return out, nil
}

func (s *Store) queued(msgs []Message) {
	if len(msgs) > 0 && s.onQueued != nil {
		s.onQueued(msgs)
	}
}

// Enqueue queues messages not tied to a change of a question (an export,
// a reminder), durably, in one group-committed transaction, and returns
// them with their ids. A message whose Key is already queued is left out.
func (s *Store) Enqueue(ctx context.Context, msgs ...Message) ([]Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("queue messages: %w", err)
	}
	if s.allQueued(msgs) {
		return nil, nil // nothing to write: no commit, no fsync
	}
	var out []Message
	err := s.db.Batch(func(tx *bolt.Tx) error {
		out = out[:0]
		now := s.clock()
		for _, m := range msgs {
			ok, err := enqueue(tx, now, &m)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("queue messages in %s: %w", s.path, err)
	}
	s.queued(out)
	return out, nil
}

// allQueued reports whether every message has a key already queued.
func (s *Store) allQueued(msgs []Message) bool {
	all := true
	_ = s.db.View(func(tx *bolt.Tx) error {
		_, keys, _ := outboxBuckets(tx)
		for _, m := range msgs {
			if m.Key == "" || keys == nil || keys.Get([]byte(m.Key)) == nil {
				all = false
				return nil
			}
		}
		return nil
	})
	return all
}

// PostOnce queues a post of text to channel for the reminder identified by
// key and marks the reminder sent, in one transaction: a reminder is then
// queued exactly once, however often the scheduler fires it.
func (s *Store) PostOnce(ctx context.Context, key, channel, text string) error {
	if key == "" {
		return fmt.Errorf("post once: %w: no key", ErrEmpty)
	}
	v, err := s.clock().MarshalText()
	if err != nil {
		return err
	}
	var queued []Message
	err = s.db.Batch(func(tx *bolt.Tx) error {
		queued = nil
		if tx.Bucket(bucketReminders).Get([]byte(key)) != nil {
			return nil // already sent or queued
		}
		m := Message{Key: ReminderKey(key), Kind: "reminder", Channel: channel, Text: text, NotifyStaff: true}
		ok, err := enqueue(tx, s.clock(), &m)
		if err != nil {
			return err
		}
		if ok {
			queued = []Message{m}
		}
		return tx.Bucket(bucketReminders).Put([]byte(key), v)
	})
	if err != nil {
		return fmt.Errorf("queue reminder %q in %s: %w", key, s.path, err)
	}
	s.queued(queued)
	return nil
}

// OutboxFilter selects outbox messages; its zero value selects all.
type OutboxFilter struct {
	// Status, if set, keeps messages with this status.
	Status string
	// QuestionID, if set, keeps messages about this question.
	QuestionID string
}

// Outbox returns the messages f selects, oldest first, without file data.
func (s *Store) Outbox(f OutboxFilter) ([]Message, error) {
	var out []Message
	err := s.db.View(func(tx *bolt.Tx) error {
		o, _ := openOutbox(tx)
		if o.msgs == nil {
			return nil
		}
		visit := func(k []byte) error {
			m, ok, err := o.read(k)
			if err != nil || !ok {
				return err
			}
			s.overlay(&m)
			if (f.Status == "" || m.Status == f.Status) && (f.QuestionID == "" || m.QuestionID == f.QuestionID) {
				if m.File != nil {
					m.File = &OutFile{Name: m.File.Name, Title: m.File.Title, Comment: m.File.Comment}
				}
				out = append(out, m)
			}
			return nil
		}
		return o.msgs.ForEach(func(k, _ []byte) error { return visit(k) })
	})
	if err != nil {
		return nil, fmt.Errorf("read the outbox in %s: %w", s.path, err)
	}
	return out, nil
}

// KeyStatus is the status of the message queued with key: OutboxSent,
// OutboxFailed or pending; found is false when none was.
func (s *Store) KeyStatus(key string) (status string, found bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		o, _ := openOutbox(tx)
		if o.msgs == nil || o.keys == nil {
			return nil
		}
		k := o.keys.Get([]byte(key))
		if k == nil || o.msgs.Get(k) == nil {
			return nil
		}
		st, err := o.readState(k) // the state alone: not the message's blocks
		if err != nil {
			return err
		}
		status, found = st.Status, true
		if s.marked(binary.BigEndian.Uint64(k)) {
			status = OutboxSent
		}
		return nil
	})
	if err != nil {
		return "", false, fmt.Errorf("read the outbox in %s: %w", s.path, err)
	}
	return status, found, nil
}

// Pending returns every message not yet sent nor failed, with its file
// data, oldest first.
func (s *Store) Pending() ([]Message, error) {
	var out []Message
	err := s.db.View(func(tx *bolt.Tx) error {
		o, _ := openOutbox(tx)
		if o.states == nil {
			return nil
		}
		// The states are small: scanning them all finds the few pending.
		return o.states.ForEach(func(k, v []byte) error {
			var st msgState
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("read outbox message %s: %w", formatMessageID(binary.BigEndian.Uint64(k)), err)
			}
			if st.Status != OutboxPending {
				return nil
			}
			m, ok, err := o.read(k)
			if ok && err == nil {
				if s.overlay(&m); m.Status == OutboxPending {
					out = append(out, m)
				}
			}
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read the outbox in %s: %w", s.path, err)
	}
	return out, nil
}

// ErrNoMessage means no outbox message has the given id.
var ErrNoMessage = errors.New("no such outbox message")

// changeMessage applies change to the state of message id in a
// group-committed transaction. change gets the state and, when it needs
// the whole message (to compose notices about it), full; the messages it
// returns are queued in the same transaction.
func (s *Store) changeMessage(op, id string, change func(st *msgState, full func() (Message, error)) ([]Message, error)) (msgState, error) {
	n, ok := parseMessageID(id)
	if !ok {
		return msgState{}, fmt.Errorf("%s %q: %w", op, id, ErrNoMessage)
	}
	var (
		out    msgState
		queued []Message
	)
	err := s.db.Batch(func(tx *bolt.Tx) error {
		queued = nil
		o, err := openOutbox(tx)
		if err != nil {
			return err
		}
		k := seqKey(n)
		if o.msgs.Get(k) == nil {
			return fmt.Errorf("%s %s: %w", op, formatMessageID(n), ErrNoMessage)
		}
		var st msgState
		if sv := o.states.Get(k); sv != nil {
			if err := json.Unmarshal(sv, &st); err != nil {
				return fmt.Errorf("%s %s: %w", op, formatMessageID(n), err)
			}
		} else { // queued before states were kept apart
			m, _, err := o.read(k)
			if err != nil {
				return err
			}
			st = m.state()
		}
		full := func() (Message, error) {
			m, _, err := o.read(k)
			m.setState(st)
			return m, err
		}
		more, err := change(&st, full)
		if err != nil {
			return err
		}
		if err := o.writeState(k, st); err != nil {
			return err
		}
		if st.Status != OutboxPending {
			// Delivered or given up: an upload's data is not needed.
			if v := o.msgs.Get(k); bytes.Contains(v, []byte(`"file":{`)) {
				m, _, err := o.read(k)
				if err != nil {
					return err
				}
				m.File.Data = nil
				data, err := json.Marshal(&m)
				if err != nil {
					return err
				}
				if err := o.msgs.Put(k, data); err != nil {
					return err
				}
			}
		}
		now := s.clock()
		for i := range more {
			ok, err := enqueue(tx, now, &more[i])
			if err != nil {
				return err
			}
			if ok {
				queued = append(queued, more[i])
			}
		}
		out = st
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrNoMessage) {
			return msgState{}, err
		}
		return msgState{}, fmt.Errorf("%s in %s: %w", op, s.path, err)
	}
	s.queued(queued)
	return out, nil
}

// Retry records a failed attempt at message id and when to try again.
func (s *Store) Retry(id string, next time.Time, cause error) error {
	_, err := s.changeMessage("retry", id, func(st *msgState, _ func() (Message, error)) ([]Message, error) {
		st.Attempts++
		st.Tried = true
		at := next.UTC()
		st.NextAt = &at
		st.Error = cause.Error()
		return nil, nil
	})
	return err
}

// MarkFailed records that message id failed for good with cause, and in
// the same transaction queues notices (the staff's DMs about it), given
// the message as failed.
func (s *Store) MarkFailed(id string, cause error, notices func(m Message) []Message) error {
	_, err := s.changeMessage("mark failed", id, func(st *msgState, full func() (Message, error)) ([]Message, error) {
		st.Attempts++
		st.Status, st.NextAt, st.Error = OutboxFailed, nil, cause.Error()
		if notices == nil {
			return nil, nil
		}
		m, err := full()
		if err != nil {
			return nil, err
		}
		return notices(m), nil
	})
	return err
}

// ReminderKey is the outbox key of the post of the reminder whose ledger
// key is key.
func ReminderKey(key string) string { return "reminder|" + key }
