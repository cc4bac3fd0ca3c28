package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// TestFailedGroupCommitFailsEveryCall: when the commit of a group fails
// (here the disk is full), every call in the group gets the error and
// none of them is logged: no question is half there and no id is used
// up; once space returns the same calls are all logged, numbered on from
// where the log was. It mounts a small tmpfs, so it needs root (as CI
// runs) and skips otherwise.
func TestFailedGroupCommitFailsEveryCall(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("mounts a small tmpfs to fill, which needs root (CI runs as root); skipped")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s); skipped", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	s := openTest(t, filepath.Join(dir, "questions.db"), nil)
	ctx := context.Background()
	first := &Question{UserID: "U0", Question: "When are bids due?", Confident: true}
	if err := s.Log(ctx, first); err != nil {
		t.Fatal(err)
	}

	// Hold the committer while the group queues and the disk fills.
	release, held := make(chan struct{}), make(chan error, 1)
	holding(t, s, release, held)
	const n = 20
	big := strings.Repeat("Can a hospice in Cumbria lead a cluster? ", 500) // 20 KB each: the group needs new pages
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.Log(ctx, &Question{UserID: fmt.Sprintf("U%d", i), Question: fmt.Sprint(i, big)}) })
	}
	waitGroup(t, s, func(_ bool, pending int) bool { return pending == n })
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for chunk := make([]byte, 64<<10); ; {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	close(release)
	wg.Wait()
	<-held
	for i, err := range errs {
		if err == nil {
			t.Errorf("call %d of the failed group returned nil", i)
		}
	}
	if got, err := s.Count(Filter{}); err != nil || got != 1 {
		t.Fatalf("%d questions logged (%v) after the failed group; want only the first", got, err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	qs := make([]*Question, n)
	for i := range n {
		qs[i] = &Question{UserID: fmt.Sprintf("U%d", i), Question: fmt.Sprint(i, big)}
		wg.Go(func() {
			if err := s.Log(ctx, qs[i]); err != nil {
				t.Errorf("call %d once space returned: %v", i, err)
			}
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	for _, q := range qs {
		ids[q.ID] = true
	}
	for i := 2; i <= n+1; i++ {
		if !ids[formatID(uint64(i))] {
			t.Errorf("no question is %s: the failed group used up ids (got %v)", formatID(uint64(i)), ids)
		}
	}
}

// TestLogReturnsOnlyOnceCommitted: Log does not return while the commit
// that carries its question is under way, and what it returned is there
// for the next reader.
func TestLogReturnsOnlyOnceCommitted(t *testing.T) {
	s := openTest(t, testPath(t), nil)
	release, held := make(chan struct{}), make(chan error, 1)
	holding(t, s, release, held)
	done := make(chan error, 1)
	q := &Question{UserID: "U0", Question: "When are bids due?", Confident: true}
	go func() { done <- s.Log(context.Background(), q) }()
	waitGroup(t, s, func(_ bool, pending int) bool { return pending == 1 })
	select {
	case err := <-done:
		t.Fatalf("Log returned %v before its commit ran", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	<-held
	if got, err := s.Get(q.ID); err != nil || got.Question != q.Question {
		t.Errorf("Get(%s) after Log = %+v, %v", q.ID, got, err)
	}
}

// holding starts a commit that holds the committer until release is
// closed (its result goes to held), and returns once it is under way. It
// is released when the test ends, whatever happens.
func holding(t *testing.T, s *Store, release chan struct{}, held chan<- error) {
	t.Helper()
	t.Cleanup(sync.OnceFunc(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}))
	started := make(chan struct{})
	var once sync.Once
	go func() {
		held <- s.db.Batch(func(*bolt.Tx) error {
			once.Do(func() { close(started) })
			<-release
			return nil
		})
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the holding commit never started")
	}
}

// waitGroup waits until the group commit's state satisfies ok.
func waitGroup(t *testing.T, s *Store, ok func(running bool, pending int) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.db.group.mu.Lock()
		done := ok(s.db.group.running, len(s.db.group.pending))
		s.db.group.mu.Unlock()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the group commit never reached the state waited for")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestHeadFileFollowsABurst: the heads of many commits that add audit
// entries reach the head file by themselves soon after, one line per
// entry in order, without a flush; and VerifyAudit, which needs them now,
// gets them at once.
func TestHeadFileFollowsABurst(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path, nil)
	ctx := context.Background()
	target := &Question{UserID: "U0", Question: "Can a hospice join a cluster?", Status: StatusAwaiting}
	if err := s.Log(ctx, target); err != nil {
		t.Fatal(err)
	}
	const n = 60
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			q := &Question{UserID: fmt.Sprintf("U%d", i+1), Question: "Could a hospice join clusters?"}
			if _, _, err := s.LogFollower(ctx, "", q, target.ID); err != nil {
				t.Error(err)
			}
		})
		if i%10 == 0 {
			time.Sleep(3 * time.Millisecond) // commits spread out in time
		}
	}
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		data, err := os.ReadFile(HeadFile(path))
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if err == nil && len(lines) == n {
			for i, l := range lines {
				if !strings.HasPrefix(l, fmt.Sprint(i+1, " ")) {
					t.Fatalf("line %d is %q; want entry %d's head", i+1, l, i+1)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the head file holds %d lines (%v) 5s after the burst; want %d", len(lines), err, n)
		}
		time.Sleep(time.Millisecond)
	}
	if got, err := s.VerifyAudit(); err != nil || got != n {
		t.Errorf("VerifyAudit = %d, %v", got, err)
	}
	// VerifyAudit right after a commit does not wait out the gathering.
	q := &Question{UserID: "U99", Question: "Could a hospice join clusters?"}
	if _, _, err := s.LogFollower(ctx, "", q, target.ID); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if got, err := s.VerifyAudit(); err != nil || got != n+1 {
		t.Errorf("VerifyAudit = %d, %v", got, err)
	}
	if lines, err := readHeads(path); err != nil || len(lines) != n+1 {
		t.Errorf("head file after VerifyAudit: %d lines, %v; want %d", len(lines), err, n+1)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("VerifyAudit took %v", d)
	}
}
