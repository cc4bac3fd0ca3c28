package knowledge

import (
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

// plainMatch runs one plain bleve match query for q on the body field of
// e's index, as a baseline for Answer's cost.
func (e *Engine) plainMatch(q string) (int, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	m := query.NewMatchQuery(q)
	m.SetField(fieldBody)
	sr, err := e.index.Search(bleve.NewSearchRequestOptions(m, e.params.Candidates, 0, false))
	if err != nil {
		return 0, err
	}
	return len(sr.Hits), nil
}

// topCoverage returns the coverage of q by its best passage.
