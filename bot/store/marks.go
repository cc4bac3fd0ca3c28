package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Recording that a message was sent need not cost an fsync of its own:
// if the record is lost with the process, the sender's look in Slack at
// the next start finds the message and records it then. So MarkSent keeps
// the mark in memory, and the next transaction that commits anyway (a
// question being logged) carries it; marks no question carried within
// marksDelay are committed by themselves. Until then the store's own
// reads (Outbox, Pending) see them.

// marksDelay is how long a mark waits for a transaction to ride on.
const marksDelay = 200 * time.Millisecond

type sentMark struct {
	n      uint64
	ts     string
	at     time.Time
	taking bool // claimed by a transaction in progress
}

type marks struct {
	mu    sync.Mutex
	m     map[uint64]*sentMark
	timer *time.Timer
}

// MarkSent records that message id was sent, as Slack message ts. The
// record is committed with the next write to the log, within marksDelay;
// a record lost in a crash is made good by the sender's look in Slack.
func (s *Store) MarkSent(id, ts string) error {
	n, ok := parseMessageID(id)
	if !ok {
		return fmt.Errorf("mark sent %q: %w", id, ErrNoMessage)
	}
	s.marks.mu.Lock()
	defer s.marks.mu.Unlock()
	if s.marks.m == nil {
		s.marks.m = map[uint64]*sentMark{}
	}
	s.marks.m[n] = &sentMark{n: n, ts: ts, at: s.clock()}
	if s.marks.timer == nil {
		s.marks.timer = time.AfterFunc(marksDelay, s.flushMarks)
	}
	return nil
}

// takeMarks claims the marks no transaction carries yet.
func (s *Store) takeMarks() []*sentMark {
	s.marks.mu.Lock()
	defer s.marks.mu.Unlock()
	var out []*sentMark
	for _, mk := range s.marks.m {
		if !mk.taking {
			mk.taking = true
			out = append(out, mk)
		}
	}
	return out
}

// doneMarks forgets marks committed (ok), or releases them for another
// transaction.
func (s *Store) doneMarks(taken []*sentMark, ok bool) {
	if len(taken) == 0 {
		return
	}
	s.marks.mu.Lock()
	defer s.marks.mu.Unlock()
	for _, mk := range taken {
		if cur := s.marks.m[mk.n]; cur == mk {
			if ok {
				delete(s.marks.m, mk.n)
			} else {
				mk.taking = false
			}
		}
	}
	if !ok && s.marks.timer == nil && len(s.marks.m) > 0 {
		s.marks.timer = time.AfterFunc(marksDelay, s.flushMarks)
	}
}

// applyMarks writes taken marks in tx; applying one twice (a batch run
// again) does no harm.
func applyMarks(tx *bolt.Tx, taken []*sentMark) error {
	if len(taken) == 0 {
		return nil
	}
	o, err := openOutbox(tx)
	if err != nil {
		return err
	}
	for _, mk := range taken {
		k := seqKey(mk.n)
		v := o.msgs.Get(k)
		if v == nil {
			continue
		}
		// The state alone changes: the message itself (its blocks, a
		// few kilobytes of JSON) is read only for an upload's data.
		st, err := o.readState(k)
		if err != nil {
			return err
		}
		at := mk.at
		st.Status, st.SentAt, st.TS, st.NextAt, st.Error = OutboxSent, &at, mk.ts, nil, ""
		if err := o.writeState(k, st); err != nil {
			return err
		}
		if bytes.Contains(v, []byte(`"file":{`)) { // an upload's data is not needed now
			m, _, err := o.read(k)
			if err != nil {
				return err
			}
			if m.File != nil && m.File.Data != nil {
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
	}
	return nil
}

// flushMarks commits the marks no question carried.
func (s *Store) flushMarks() {
	s.marks.mu.Lock()
	s.marks.timer = nil
	s.marks.mu.Unlock()
	taken := s.takeMarks()
	if len(taken) == 0 {
		return
	}
	err := s.db.Batch(func(tx *bolt.Tx) error { return applyMarks(tx, taken) })
	s.doneMarks(taken, err == nil)
}

// overlay shows marks not yet committed in what the store reads.
// marked reports whether message n is marked sent and the mark not yet
// committed.
func (s *Store) marked(n uint64) bool {
	s.marks.mu.Lock()
	defer s.marks.mu.Unlock()
	return s.marks.m[n] != nil
}

func (s *Store) overlay(m *Message) {
	n, ok := parseMessageID(m.ID)
	if !ok {
		return
	}
	s.marks.mu.Lock()
	mk := s.marks.m[n]
	s.marks.mu.Unlock()
	if mk != nil {
		at := mk.at
		m.Status, m.SentAt, m.TS, m.NextAt, m.Error = OutboxSent, &at, mk.ts, nil, ""
	}
}
