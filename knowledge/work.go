package knowledge

import "sync"

// work is the working memory of one answer, kept from one question to
// the next: the forms of the units, the passages retrieved, the ranked
// candidates and the question's terms for highlighting were a kilobyte
// or more a question, every one garbage when the answer is made. Nothing
// it holds is used after release. Where a stage is given a nil *work, it
// allocates.
type work struct {
	forms   [][]string  // weigh's: what the units' all are cut from
	found   []hit       // postings.search's
	hits    []*indexed  // retrieve's
	bm25    []float64   // retrieve's
	cands   []candidate // rank's, in the order of the hits
	order   []int32     // rank's
	ranked  []candidate // rank's, best first
	missing []string    // what the candidates' missing are cut from
	weights termWeights // answer's, for highlight
}

var works sync.Pool // of *work

func newWork() *work {
	w, _ := works.Get().(*work)
	if w == nil {
		w = &work{}
	}
	return w
}

// release gives w's memory back, dropping what it refers to.
func (w *work) release() {
	clear(w.forms)
	clear(w.hits)
	clear(w.cands)
	clear(w.ranked)
	clear(w.missing)
	w.weights.reset(0)
	works.Put(w)
}
