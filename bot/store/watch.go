package store

import (
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Watching what is committed: a reader that keeps its own view of the
// questions in memory (the Desk's index of questions awaiting the NSG)
// takes a snapshot with ListAt and then applies every later commit that
// OnCommitted reports, ordering them by revision.

// watchers are the functions OnCommitted registered.
type watchers struct {
	mu  sync.RWMutex
	fns []func(rev uint64, q Question)
}

// OnCommitted registers fn to be called with every question record a
// write commits: a question logged (a follower among them) or changed
// (answered, cited, published, escalated, given feedback). A question
// given a follower keeps its record (the follower is kept apart) and is
// not reported. fn runs in the writing
// goroutine after the commit and before the write returns, so a caller
// that logs a question and then reads a view kept by fn sees it there.
//
// rev is the commit's revision (its bbolt transaction id). Calls for
// different commits may run concurrently and out of order: of two calls
// for the same question, the one with the higher revision holds the later
// state. Questions committed together share a revision. fn must be quick
// and must not write to the store.
func (s *Store) OnCommitted(fn func(rev uint64, q Question)) {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	s.watch.fns = append(s.watch.fns, fn)
}

// committed reports the questions a commit of revision rev wrote.
func (s *Store) committed(rev uint64, qs ...Question) {
	s.watch.mu.RLock()
	defer s.watch.mu.RUnlock()
	for _, fn := range s.watch.fns {
		for _, q := range qs {
			fn(rev, q)
		}
	}
}

// ListAt is List that also reports the revision of the snapshot it read:
// every commit up to that revision is in the list, and none after it.
func (s *Store) ListAt(f Filter) (uint64, []Question, error) {
	var (
		rev uint64
		out []Question
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		rev = uint64(tx.ID())
		return each(tx, f, func(q Question) error {
			out = append(out, q)
			return nil
		})
	})
	if err != nil {
		return 0, nil, fmt.Errorf("list questions in %s: %w", s.path, err)
	}
	return rev, out, nil
}
