package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestGroupCommit: the calls that arrive while a commit is under way are
// committed together in the next one; a call that fails or panics gets its
// own error and the others are committed without it.
func TestGroupCommit(t *testing.T) {
	s := openTest(t, testPath(t), nil)
	release := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.db.Batch(func(tx *bolt.Tx) error {
			<-release // hold the commit while the others queue
			return tx.Bucket(bucketReminders).Put([]byte("first"), []byte("1"))
		})
	}()
	// Wait until the first call's commit is under way.
	for {
		s.db.group.mu.Lock()
		busy := s.db.group.running && len(s.db.group.pending) == 0
		s.db.group.mu.Unlock()
		if busy {
			break
		}
		time.Sleep(time.Millisecond)
	}
	const n = 40
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		revs = map[int]bool{}
		errs = make([]error, n)
	)
	boom := errors.New("boom")
	for i := range n {
		wg.Go(func() {
			errs[i] = s.db.Batch(func(tx *bolt.Tx) error {
				switch i {
				case 7:
					return boom
				case 9:
					panic("a damaged page")
				}
				if err := tx.Bucket(bucketReminders).Put(fmt.Appendf(nil, "k%d", i), []byte("v")); err != nil {
					return err
				}
				mu.Lock()
				revs[tx.ID()] = true
				mu.Unlock()
				return nil
			})
		})
	}
	for {
		s.db.group.mu.Lock()
		queued := len(s.db.group.pending)
		s.db.group.mu.Unlock()
		if queued == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		switch {
		case i == 7 && !errors.Is(err, boom):
			t.Errorf("the failing call got %v, want its own error", err)
		case i == 9 && !errors.Is(err, ErrDamaged):
			t.Errorf("the panicking call got %v, want ErrDamaged", err)
		case i != 7 && i != 9 && err != nil:
			t.Errorf("call %d: %v", i, err)
		}
	}
	// The failing calls are left out and the group is committed again
	// without them; what committed, committed together.
	var got int
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketReminders).ForEach(func(k, _ []byte) error { got++; return nil })
	})
	if err != nil || got != n-2+1 {
		t.Errorf("%d records, %v; want %d", got, err, n-2+1)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(revs) > 3 {
		t.Errorf("%d calls queued behind one commit took %d commits, want them together", n, len(revs))
	}
}
