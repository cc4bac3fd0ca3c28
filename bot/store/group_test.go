package store

import (
	"context"
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

// TestFollowersCommittedTogether: followers of one question committed in
// one group are each recorded, with the askers counted right in the
// trail, and the trail verifies.
func TestFollowersCommittedTogether(t *testing.T) {
	s := openTest(t, testPath(t), nil)
	ctx := context.Background()
	target := &Question{UserID: "U0", Question: "Can a hospice join a cluster?", Status: StatusAwaiting}
	if err := s.Log(ctx, target); err != nil {
		t.Fatal(err)
	}
	const n = 30
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// Every third follower is an asker already counted.
			q := &Question{UserID: fmt.Sprintf("U%d", i%20), Question: "Could a hospice join clusters?"}
			if followed, _, err := s.LogFollower(ctx, "", q, target.ID); err != nil || !followed {
				t.Errorf("LogFollower %d = %v, %v", i, followed, err)
			}
		})
	}
	wg.Wait()
	got, err := s.Get(target.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Followers) != n || got.AskedBy() != 20 {
		t.Errorf("%d followers, asked by %d; want %d and 20", len(got.Followers), got.AskedBy(), n)
	}
	if _, err := s.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(target.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := h[len(h)-1].Changes[1]
	if last.Field != "asked_by" || last.To != "20" {
		t.Errorf("last merge recorded %+v, want asked_by to 20", last)
	}
}
