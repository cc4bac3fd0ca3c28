package dialogue

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/hiec/hiecbot/bot/store"
)

// Watched is a Log that reports every question it commits, as
// *store.Store does: the Desk then keeps the questions awaiting the NSG in
// an index in memory instead of reading them all for each question the
// sources do not cover. With any other Log (one that another process may
// write to as well, like chat's) it reads them from the log each time.
type Watched interface {
	// OnCommitted registers fn for every question committed, with the
	// commit's revision (see store.Store.OnCommitted).
	OnCommitted(fn func(rev uint64, q store.Question))
	// ListAt lists questions and the revision of the snapshot it read.
	ListAt(f store.Filter) (uint64, []store.Question, error)
}

// awaitingIndex holds the content words of every question awaiting the
// NSG (and not late), and for each word the questions that have it, so
// that finding the question most like a new one only looks at those that
// share a word with it. It is loaded from the log on first use, then kept
// by the log's reports of what it commits.
type awaitingIndex struct {
	log Watched

	mu    sync.Mutex
	ready bool
	// base is the revision of the snapshot loaded; reports up to it are
	// already in it.
	base uint64
	// rev is the revision of the last report applied for each question
	// reported since base, so a report that arrives late is not applied
	// over a newer one.
	rev map[string]uint64
	// words are the distinct content words of each indexed question; a
	// question with fewer than minContentWords is never a duplicate and
	// is not indexed.
	words map[string]map[string]bool
	// byWord are the indexed questions with each word.
	byWord map[string]map[string]struct{}
}

func newAwaitingIndex(log Watched) *awaitingIndex {
	x := &awaitingIndex{log: log}
	log.OnCommitted(x.committed)
	return x
}

// committed applies a report from the log.
func (x *awaitingIndex) committed(rev uint64, q store.Question) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.ready || rev <= x.base {
		return // the snapshot, when it is loaded, has it
	}
	if r, ok := x.rev[q.ID]; ok && r > rev {
		return
	}
	x.rev[q.ID] = rev
	x.put(q)
}

// put indexes q if it awaits the NSG, and drops it otherwise.
func (x *awaitingIndex) put(q store.Question) {
	if old, ok := x.words[q.ID]; ok {
		for w := range old {
			ids := x.byWord[w]
			delete(ids, q.ID)
			if len(ids) == 0 {
				delete(x.byWord, w)
			}
		}
		delete(x.words, q.ID)
	}
	if q.Status != store.StatusAwaiting || q.Late {
		return
	}
	ws := contentWords(q.Question)
	if len(ws) < minContentWords {
		return
	}
	x.words[q.ID] = ws
	for w := range ws {
		ids := x.byWord[w]
		if ids == nil {
			ids = map[string]struct{}{}
			x.byWord[w] = ids
		}
		ids[q.ID] = struct{}{}
	}
}

// load reads the awaiting questions from the log, once. Reports of
// commits after the snapshot wait for it (they need x.mu) and are applied
// over it; those before it are in it.
func (x *awaitingIndex) load() error {
	if x.ready {
		return nil
	}
	rev, qs, err := x.log.ListAt(store.Filter{Status: []store.Status{store.StatusAwaiting}})
	if err != nil {
		return fmt.Errorf("list awaiting questions: %w", err)
	}
	x.base, x.rev = rev, map[string]uint64{}
	x.words, x.byWord = map[string]map[string]bool{}, map[string]map[string]struct{}{}
	for _, q := range qs {
		x.put(q)
	}
	x.ready = true
	return nil
}

// match returns the id of the awaiting question most similar to text, if
// one is at least DuplicateThreshold similar; of equally similar ones the
// oldest. It gives what a scan of every awaiting question with Similarity
// gives (duplicateByScan), computed the same way.
func (x *awaitingIndex) match(text string) (string, error) {
	wa := contentWords(text)
	if len(wa) < minContentWords {
		return "", nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.load(); err != nil {
		return "", err
	}
	// A question at least DuplicateThreshold similar shares at least
	// that share of text's words, so it has one of any others: the
	// rarest are enough to find every candidate.
	probe := make([]string, 0, len(wa))
	for w := range wa {
		probe = append(probe, w)
	}
	slices.SortFunc(probe, func(a, b string) int { return cmp.Compare(len(x.byWord[a]), len(x.byWord[b])) })
	need := int(math.Ceil(DuplicateThreshold*float64(len(wa)) - 1e-9)) // conservative: probing more finds no less
	probe = probe[:min(len(probe), len(wa)-need+1)]
	best, bestScore := "", 0.0
	seen := map[string]bool{}
	for _, w := range probe {
		for id := range x.byWord[w] {
			if seen[id] {
				continue
			}
			seen[id] = true
			wb := x.words[id]
			n := 0
			for w := range wa {
				if wb[w] {
					n++
				}
			}
			s := float64(n) / float64(len(wa)+len(wb)-n)
			if s >= DuplicateThreshold && (s > bestScore || s == bestScore && olderID(id, best)) {
				best, bestScore = id, s
			}
		}
	}
	return best, nil
}

// olderID reports whether question id a was logged before b: ids are
// Q- and a zero-padded number that may outgrow its padding.
func olderID(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
