package knowledge

import (
	"fmt"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// newTestEngine builds an engine and closes it when the test ends.
func newTestEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// explain describes how a question was analysed and scored, for test logs.
func (e *Engine) explain(q string) string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	units := e.analyze(q)
	ws := e.unitWeights(units)
	var b strings.Builder
	b.WriteString("\n\tunits:")
	for i, u := range units {
		fmt.Fprintf(&b, " %v=%.2f", u.keys, ws[i])
	}
	nq := newQuestion(units)
	hits, err := e.search(nq)
	if err != nil {
		return err.Error()
	}
	for i, s := range e.rank(nq, hits) {
		if i == 4 {
			break
		}
		fmt.Fprintf(&b, "\n\t%.3f bm25=%.3f cov=%.2f %s", s.score, s.bm25, s.coverage, s.ip.citation)
	}
	return b.String()
}

// plainMatch runs one plain bleve match query for q on the body field of
// e's index, as a baseline for Answer's cost.
func (e *Engine) plainMatch(q string) (int, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	m := query.NewMatchQuery(q)
	m.SetField(fieldBody)
	sr, err := e.index.Search(bleve.NewSearchRequestOptions(m, candidateCount, 0, false))
	if err != nil {
		return 0, err
	}
	return len(sr.Hits), nil
}

// topCoverage returns the coverage of q by its best passage.
func (e *Engine) topCoverage(q string) float64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	units := e.analyze(q)
	if len(units) == 0 {
		return 0
	}
	nq := newQuestion(units)
	hits, _ := e.search(nq)
	r := e.rank(nq, hits)
	if len(r) == 0 {
		return 0
	}
	return r[0].coverage
}
