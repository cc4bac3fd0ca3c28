package dialogue

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hiec/hiecbot/bot/store"
)

// vocabulary is small, so random questions often share enough words to be
// duplicates, and include function words and plurals the similarity
// ignores or folds.
var vocabulary = strings.Fields("can a the hospice hospices join cluster clusters lead partner VAT costs bid bids wave charity is what university NHS's")

func randomQuestion(r *rand.Rand) string {
	words := make([]string, 1+r.IntN(6))
	for i := range words {
		words[i] = vocabulary[r.IntN(len(vocabulary))]
	}
	return strings.Join(words, " ") + "?"
}

// TestAwaitingIndexMatchesScan checks, over random questions, statuses
// and changes, that the Desk's index of awaiting questions finds exactly
// the duplicate a scan of every awaiting question finds.
func TestAwaitingIndexMatchesScan(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 42))
			st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ctx := context.Background()
			// Some questions are in the log before the Desk starts: the
			// index loads them.
			logRandom(t, st, r, 40)
			d := New(nil, st, Options{})
			if d.awaiting == nil {
				t.Fatal("a Desk on a *store.Store keeps no index of awaiting questions")
			}
			found := 0
			check := func(step int) {
				t.Helper()
				for range 30 {
					text := randomQuestion(r)
					got, err := d.awaiting.match(text)
					if err != nil {
						t.Fatal(err)
					}
					want, err := d.duplicateByScan(text)
					if err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Fatalf("step %d: duplicate of %q: index %q, scan %q", step, text, got, want)
					}
					if got != "" {
						found++
					}
				}
			}
			check(0)
			for step := 1; step <= 6; step++ {
				logRandom(t, st, r, 15)
				qs, err := st.List(store.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				// Answer, escalate, publish and follow some of them.
				for range 8 {
					q := qs[r.IntN(len(qs))]
					switch r.IntN(4) {
					case 0:
						_, err = st.RecordAnswer(q.ID, "An answer.", "UNSG")
					case 1:
						_, err = st.Escalate(q.ID, "UNSG")
					case 2:
						_, err = st.Publish(q.ID, store.Wording{}, "UNSG")
					case 3:
						_, _, err = st.LogFollower(ctx, "", &store.Question{UserID: "U9", Question: randomQuestion(r)}, q.ID)
					}
					_ = err // many of these are refused (ErrConflict); that is part of the mix
				}
				check(step)
			}
			if found < 10 {
				t.Errorf("only %d of 210 random questions had a duplicate: the test says little", found)
			}
		})
	}
}

// logRandom logs n random questions at once (sharing commits), with
// random statuses, some late.
func logRandom(t *testing.T, st *store.Store, r *rand.Rand, n int) {
	t.Helper()
	statuses := []store.Status{store.StatusAwaiting, store.StatusAwaiting, store.StatusAnswered, store.StatusFollowing}
	qs := make([]store.Question, n)
	for i := range qs {
		qs[i] = store.Question{UserID: fmt.Sprintf("U%d", i), Question: randomQuestion(r),
			Status: statuses[r.IntN(len(statuses))], Late: r.IntN(8) == 0}
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range qs {
		wg.Go(func() { errs <- st.Log(context.Background(), &qs[i]) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// reportingLog is a Watched log whose reports the test sends itself.
type reportingLog struct {
	Log
	report func(rev uint64, q store.Question)
	rev    uint64
	qs     []store.Question
}

func (l *reportingLog) OnCommitted(fn func(uint64, store.Question)) { l.report = fn }
func (l *reportingLog) ListAt(store.Filter) (uint64, []store.Question, error) {
	return l.rev, l.qs, nil
}

// TestAwaitingIndexOrdersReports checks that reports are applied by
// revision, whatever order they arrive in, and that those the snapshot
// already holds are ignored.
func TestAwaitingIndexOrdersReports(t *testing.T) {
	hospice := store.Question{ID: "Q-0001", Question: "Can a hospice join a cluster?", Status: store.StatusAwaiting}
	answered := hospice
	answered.Status = store.StatusNSGAnswered
	vat := store.Question{ID: "Q-0002", Question: "Is VAT recoverable on cluster costs?", Status: store.StatusAwaiting}
	charity := store.Question{ID: "Q-0003", Question: "Can a charity lead a cluster?", Status: store.StatusAwaiting}
	tests := []struct {
		name    string
		reports []store.Question
		revs    []uint64
		ask     string
		want    string
	}{
		{"answered after the snapshot", []store.Question{answered}, []uint64{11}, hospice.Question, ""},
		{"a report the snapshot holds", []store.Question{answered}, []uint64{10}, hospice.Question, "Q-0001"},
		{"late report of an older state", []store.Question{answered, hospice}, []uint64{12, 11}, hospice.Question, ""},
		{"logged after the snapshot", []store.Question{vat}, []uint64{11}, "Can we recover VAT on the cluster's costs?", "Q-0002"},
		{"logged before the snapshot", []store.Question{charity}, []uint64{9}, charity.Question, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &reportingLog{rev: 10, qs: []store.Question{hospice}}
			x := newAwaitingIndex(l)
			l.report(5, vat) // before the index is loaded: the snapshot has what counts
			if id, err := x.match(hospice.Question); err != nil || id != "Q-0001" {
				t.Fatalf("match before reports = %q, %v; want Q-0001", id, err)
			}
			for i, q := range tt.reports {
				l.report(tt.revs[i], q)
			}
			if id, _ := x.match(tt.ask); id != tt.want {
				t.Errorf("match(%q) = %q, want %q", tt.ask, id, tt.want)
			}
		})
	}
}

// TestAwaitingIndexPrefersOldest checks that of equally similar awaiting
// questions the oldest is the one followed, as a scan in id order finds,
// also once ids outgrow their padding.
func TestAwaitingIndexPrefersOldest(t *testing.T) {
	q := "Can a hospice join a cluster?"
	l := &reportingLog{rev: 1, qs: []store.Question{
		{ID: "Q-10000", Question: q, Status: store.StatusAwaiting},
		{ID: "Q-9999", Question: q, Status: store.StatusAwaiting},
		{ID: "Q-10001", Question: q, Status: store.StatusAwaiting},
	}}
	if id, _ := newAwaitingIndex(l).match(q); id != "Q-9999" {
		t.Errorf("match = %q, want the oldest, Q-9999", id)
	}
}

// BenchmarkDuplicate finds the duplicate of a new question among 5,000
// awaiting the NSG, with the Desk's index and by reading them all.
func BenchmarkDuplicate(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "q.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	r := rand.New(rand.NewPCG(1, 2))
	topics := strings.Fields("hospice charity university college trust council practice pharmacy ambulance laboratory")
	places := strings.Fields("Cumbria Devon Kent Essex Norfolk Leeds York Bristol Bath Derby")
	verbs := strings.Fields("join lead fund host chair audit")
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range 5000 {
		text := fmt.Sprintf("Can a %s in %s %s a cluster bid %d?", topics[r.IntN(len(topics))], places[r.IntN(len(places))], verbs[r.IntN(len(verbs))], i)
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := st.Log(context.Background(), &store.Question{UserID: "U1", Question: text, Status: store.StatusAwaiting}); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	d := New(nil, st, Options{})
	ask := "Could a hospice in Kent lead cluster bids?"
	b.Run("index", func(b *testing.B) {
		for b.Loop() {
			if _, err := d.duplicate(ask); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			if _, err := d.duplicateByScan(ask); err != nil {
				b.Fatal(err)
			}
		}
	})
}
