package knowledge

import (
	"testing"

	"github.com/blevesearch/bleve/v2"
	bquery "github.com/blevesearch/bleve/v2/search/query"
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

// plainIndex is a bleve index of e's passages' text, with the default
// mapping, for plainMatch.
type plainIndex struct {
	idx bleve.Index
	k   int
}

func newPlainIndex(t testing.TB, e *Engine) *plainIndex {
	t.Helper()
	idx, err := bleve.NewUsing("", bleve.NewIndexMapping(), "scorch", "scorch", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idx.Close() })
	b := idx.NewBatch()
	for id, ip := range e.passages {
		if err := b.Index(id, map[string]string{"body": ip.text}); err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	return &plainIndex{idx, e.params.Candidates}
}

// plainMatch runs one plain bleve match query for q on the passages'
// text, as a baseline for Answer's cost.
func (p *plainIndex) plainMatch(q string) (int, error) {
	m := bquery.NewMatchQuery(q)
	m.SetField("body")
	sr, err := p.idx.Search(bleve.NewSearchRequestOptions(m, p.k, 0, false))
	if err != nil {
		return 0, err
	}
	return len(sr.Hits), nil
}

// topCoverage returns the coverage of q by its best passage.
