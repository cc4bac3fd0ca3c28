package store

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Group commit. bbolt's own Batch gathers calls for a fixed delay and
// then commits them, while the calls that arrive during that commit's
// fsync form small batches of their own, each waiting for its own fsync:
// under load the log commits a few milliseconds' worth of questions per
// fsync. Here a committer takes every call that is waiting, commits them
// in one transaction, and then takes every call that arrived meanwhile:
// a lone call commits at once, and under load each commit carries what
// arrived during the one before, however long its fsync took.
//
// Before it takes a group the committer yields its processor once
// (runtime.Gosched): the goroutines that are runnable then, such as
// handlers that have their answer and are about to log it, run first and
// join the group, instead of each waiting a whole commit for the next.
// With nothing else to run the yield returns at once, so a lone call
// still commits without delay; under load each fsync (two a commit,
// each holding a processor while the disk flushes) carries more calls.

// maxGroup bounds how many calls one commit carries.
const maxGroup = 1000

// groupCommit is the queue of calls waiting for the committer.
type groupCommit struct {
	mu      sync.Mutex
	pending []*groupCall
	running bool // the committer is running
}

type groupCall struct {
	fn  func(*bolt.Tx) error
	err chan error
}

// errSolo tells a call to run in a transaction of its own: it failed or
// panicked in a group, and the others were committed without it.
var errSolo = errors.New("run alone")

// Batch runs fn in a write transaction shared with the other calls
// waiting, committed together. As with bolt.DB.Batch, fn may run more
// than once and must be idempotent, and a call whose fn fails is run
// again alone, so its error is its own; a failed commit fails every call
// in it.
func (d safeDB) Batch(fn func(*bolt.Tx) error) error {
	g := d.group
	c := &groupCall{fn: fn, err: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	if !g.running {
		g.running = true
		go g.run(d)
	}
	g.mu.Unlock()
	if err := <-c.err; err != errSolo {
		return err
	}
	return d.Update(fn)
}

// run commits the waiting calls, group by group, until none is left.
func (g *groupCommit) run(d safeDB) {
	for {
		runtime.Gosched() // let the runnable callers join the group first
		g.mu.Lock()
		if len(g.pending) == 0 {
			break
		}
		n := min(len(g.pending), maxGroup)
		calls := slices.Clone(g.pending[:n])
		g.pending = slices.Delete(g.pending, 0, n)
		g.mu.Unlock()
		commitGroup(d, calls)
	}
	g.running = false
	g.mu.Unlock()
}

// commitGroup commits calls in one transaction, leaving out (to run alone)
// each that fails.
func commitGroup(d safeDB, calls []*groupCall) {
	for len(calls) > 0 {
		failed := -1
		err := d.Update(func(tx *bolt.Tx) error {
			for i, c := range calls {
				if err := callGuarded(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			calls[failed].err <- errSolo
			calls = slices.Delete(calls, failed, failed+1)
			continue
		}
		for _, c := range calls {
			c.err <- err
		}
		return
	}
}

// callGuarded runs fn, turning a panic or a memory fault in it into an
// error (the call then runs alone, where the guard of Update reports it).
func callGuarded(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked: %v", p)
		}
	}()
	return fn(tx)
}
