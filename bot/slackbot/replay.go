package slackbot

import (
	"strings"
	"sync"
	"time"
)

// replayWindow is how long a signature stays valid: Slack's timestamp
// check accepts five minutes either side of now, so a signature accepted
// now can come back for up to ten.
const replayWindow = 10 * time.Minute

// replays remembers the signatures of the signed requests accepted in the
// replay window, so a request replayed byte for byte (same timestamp,
// same body, so same signature) is refused rather than run again. The
// signature is claimed before the request is handled, so two copies sent
// at once cannot both run, and released when the request was not taken
// (an event answered 503, which Slack retries).
type replays struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	order []claim // in claim order, for pruning
	now   func() time.Time
}

type claim struct {
	sig string
	at  time.Time
}

func newReplays() *replays {
	return &replays{seen: map[string]time.Time{}, now: time.Now}
}

// key is the signature as Slack's verifier reads it: hex, any case.
func sigKey(sig string) string { return strings.ToLower(strings.TrimSpace(sig)) }

// claim reports whether sig is new in the window, and remembers it.
func (r *replays) claim(sig string) bool {
	k := sigKey(sig)
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	r.prune(now)
	if _, ok := r.seen[k]; ok {
		return false
	}
	r.seen[k] = now
	r.order = append(r.order, claim{k, now})
	return true
}

// release forgets sig, for a request that was refused and will come again.
func (r *replays) release(sig string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.seen, sigKey(sig))
}

func (r *replays) prune(now time.Time) {
	cutoff := now.Add(-replayWindow)
	i := 0
	for ; i < len(r.order) && r.order[i].at.Before(cutoff); i++ {
		if at, ok := r.seen[r.order[i].sig]; ok && !at.After(r.order[i].at) {
			delete(r.seen, r.order[i].sig)
		}
	}
	if i > 0 {
		r.order = append(r.order[:0], r.order[i:]...)
	}
}
