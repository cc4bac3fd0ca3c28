// Package fakes holds the test doubles of hiecbot's own parts that more
// than one package's tests need: a knowledge engine with answers the test
// chooses, a log sink safe for the goroutines that write to it, and Run,
// which drives the command line for the bot's tests and main's. The
// Slack double is bot/slackbot/slacktest.
//
// It owns doubles only, for tests. It imports knowledge (for the engine's
// result types) and nothing else of hiecbot: no bot package, so that the
// packages under test can use it without a cycle.
package fakes

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiec/hiecbot/knowledge"
)

// Engine is a knowledge engine double. It answers a question that
// mentions any of Keywords (case aside), or any question at all when
// Confident, confidently with Answers, and any other unconfidently with
// none. Lookup finds a passage by a prefix of its
// citation. It remembers the NSG's clarifications and the phrasings it is
// taught.
type Engine struct {
	Keywords  []string
	Confident bool
	Answers   []knowledge.Answer
	Passages  []knowledge.Answer
	// Delay is how long each answer takes.
	Delay time.Duration

	mu             sync.Mutex
	clarifications map[string]string // by number: "question => answer"
	phrasings      map[string]string // question → citation
}

// Answer answers q as the Engine's fields say.
func (e *Engine) Answer(q string) (knowledge.Result, error) {
	if e.Delay > 0 {
		time.Sleep(e.Delay)
	}
	res := knowledge.Result{Question: q}
	l := strings.ToLower(q)
	res.Confident = e.Confident
	for _, k := range e.Keywords {
		res.Confident = res.Confident || strings.Contains(l, strings.ToLower(k))
	}
	if res.Confident {
		res.Answers = append([]knowledge.Answer(nil), e.Answers...)
	}
	return res, nil
}

// Lookup finds the passage whose citation starts with citation (case and
// surrounding space aside); an empty citation finds nothing.
func (e *Engine) Lookup(citation string) (knowledge.Answer, bool) {
	c := strings.ToLower(strings.TrimSpace(citation))
	if c == "" {
		return knowledge.Answer{}, false
	}
	for _, a := range e.Passages {
		if strings.HasPrefix(strings.ToLower(a.Citation), c) {
			return a, true
		}
	}
	return knowledge.Answer{}, false
}

// AddPhrasing remembers that question is answered by citation.
func (e *Engine) AddPhrasing(citation, question string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.phrasings == nil {
		e.phrasings = map[string]string{}
	}
	e.phrasings[question] = citation
	return nil
}

// AddClarification remembers a published clarification.
func (e *Engine) AddClarification(number, question, answer string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.clarifications == nil {
		e.clarifications = map[string]string{}
	}
	e.clarifications[number] = question + " => " + answer
	return nil
}

// Clarifications are the clarifications indexed, by number, each as
// "question => answer".
func (e *Engine) Clarifications() map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]string{}
	for k, v := range e.clarifications {
		out[k] = v
	}
	return out
}

// Phrasings are the phrasings taught: question → citation.
func (e *Engine) Phrasings() map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]string{}
	for k, v := range e.phrasings {
		out[k] = v
	}
	return out
}

// SyncBuffer is a bytes.Buffer safe for concurrent writes: a log sink for
// a bot's goroutines and the test reading it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WaitFor returns what was written once it contains want, failing the
// test after ten seconds.
func (s *SyncBuffer) WaitFor(t testing.TB, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if got := s.String(); strings.Contains(got, want) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("output never showed %q:\n%s", want, s.String())
	return ""
}
