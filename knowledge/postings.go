package knowledge

import (
	"slices"
	"sync"
)

// The retrieval index: an inverted index of the passages' terms, held in
// memory and scored with BM25F.
//
// bleve (whose analysis makes the terms) was the index until its cost
// showed: a question expands to 30 to 100 term clauses over three fields,
// each a term searcher with its own set-up, and a search took about ten
// times a plain match query; indexing the passages a second time through
// bleve's documents took a third of start-up. The whole of what retrieval
// needs is a map from term to postings and a score, so it is here, where
// it costs a few microseconds and can be saved with the rest (see
// cache.go).

// The fields of a passage, in the order of fieldTF.
const (
	inBody = iota
	inTitle
	inAlts
	numFields
)

// BM25 parameters: the usual values, as in bleve and Lucene.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// A posting is a passage holding a term, with where.
type posting struct {
	Doc int32 // the passage's number in postings.docs
	T   *termInfo
}

// tf returns how often the posting's term occurs in field f.
func (p posting) tf(f int) int {
	switch f {
	case inBody:
		return len(p.T.pos)
	case inTitle:
		return len(p.T.tpos)
	}
	return p.T.nAlts
}

// postings is the inverted index. Passages are numbered in the order they
// are added; a replaced passage's number is retired (docs[n] is nil) and
// its postings skipped.
type postings struct {
	docs  []*indexed
	names []string           // each passage's document (see passage.doc)
	seqs  []int              // each passage's seq, for ties (see bestFirst)
	lens  [][numFields]int32 // each passage's length in terms, by field
	terms map[string][]posting
	sum   [numFields]float64 // total length of the live passages, by field
	live  int
}

func newPostings() *postings { return &postings{terms: map[string][]posting{}} }

// add indexes ip, whose terms are keys with where each occurs, retiring
// number old when it is not negative, and returns ip's number.
func (x *postings) add(ip *indexed, old int32, keys []string, infos []*termInfo) int32 {
	if old >= 0 && x.docs[old] != nil {
		x.docs[old] = nil
		for f := range numFields {
			x.sum[f] -= float64(x.lens[old][f])
		}
		x.live--
	}
	n := int32(len(x.docs))
	x.docs = append(x.docs, ip)
	x.names, x.seqs = append(x.names, ip.doc()), append(x.seqs, ip.seq)
	var lens [numFields]int32
	for i, k := range keys {
		infos[i].num = int32(i)
		p := posting{n, infos[i]}
		x.terms[k] = append(x.terms[k], p)
		for f := range numFields {
			lens[f] += int32(p.tf(f))
		}
	}
	x.lens = append(x.lens, lens)
	for f := range numFields {
		x.sum[f] += float64(lens[f])
	}
	x.live++
	return n
}

// find returns the number (termInfo.num) of term k in passage number
// doc, or -1 when the passage does not hold it.
func (x *postings) find(k string, doc int32) int32 {
	ps := x.terms[k] // in order of passage number
	i, ok := slices.BinarySearchFunc(ps, doc, func(p posting, d int32) int { return int(p.Doc - d) })
	if !ok {
		return -1
	}
	return ps[i].T.num
}

// queryTerm is a term searched for, with its weight in the query.
type queryTerm struct {
	term   string
	weight float64
	// scope, when not "", is the only document the term is searched in:
	// it comes from that document's own vocabulary.
	scope string
	// looked says that df and ps are the term's document frequency and
	// postings, looked up already; otherwise search looks them up.
	looked bool
	df     int
	ps     []posting
}

// hit is a passage found, with its score.
type hit struct {
	doc   int32
	score float64
}

// search scores every live passage holding some term of q with BM25F
// (each field's term frequency normalised by its length and weighted by
// boost, summed, then saturated) and returns the best k, best first; ties
// go to the passage added first. df is the number of live passages
// holding each term. The hits are appended to dst.
func (x *postings) search(q []queryTerm, boost [numFields]float64, df map[string]int, k int, dst []hit) []hit {
	if x.live == 0 || k <= 0 {
		return nil
	}
	var avg [numFields]float64
	for f := range numFields {
		avg[f] = max(x.sum[f]/float64(x.live), 1)
	}
	buf := x.scratch()
	scores, in, touched := buf.score, buf.slot, buf.touched[:0]
	for _, qt := range q {
		ps, d := qt.ps, qt.df
		if !qt.looked {
			ps, d = x.terms[qt.term], df[qt.term]
		}
		if len(ps) == 0 {
			continue
		}
		w := qt.weight * idf(d, x.live)
		for _, p := range ps {
			if x.docs[p.Doc] == nil || qt.scope != "" && x.names[p.Doc] != qt.scope {
				continue
			}
			tf := 0.0
			for f := range numFields {
				if n := p.tf(f); n > 0 {
					norm := 1 - bm25B + bm25B*float64(x.lens[p.Doc][f])/avg[f]
					tf += boost[f] * float64(n) / norm
				}
			}
			if in[p.Doc] == 0 {
				in[p.Doc] = 1
				touched = append(touched, p.Doc)
			}
			scores[p.Doc] += w * tf * (bm25K1 + 1) / (tf + bm25K1)
		}
	}
	hits := slices.Grow(dst[:0], len(touched))
	for _, d := range touched {
		hits = append(hits, hit{d, scores[d]})
		scores[d], in[d] = 0, 0
	}
	buf.touched = touched
	defer x.release(buf)                       // clean again
	slices.SortFunc(hits, func(a, b hit) int { // as bestFirst, with the seqs at hand
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return x.seqs[a.doc] - x.seqs[b.doc]
	})
	if len(hits) <= k {
		return hits
	}
	// The best k, and the best perDoc of every document besides: a long
	// document full of a question's common words must not crowd a short
	// one's passages out before they are ranked on the whole question.
	// (The ones kept are moved up in hits, in order.)
	out := hits[:k]
	if buf.taken == nil {
		buf.taken = map[string]int{}
	}
	taken := buf.taken
	defer clear(taken)
	for _, h := range out {
		taken[x.names[h.doc]]++
	}
	for _, h := range hits[k:] {
		if d := x.names[h.doc]; taken[d] < perDoc {
			taken[d]++
			out = append(out, h)
		}
	}
	return out
}

// bestFirst orders passages a and b, scored sa and sb: higher score
// first, and of equal scores the passage added first.
func bestFirst(sa, sb float64, a, b *indexed) int {
	switch {
	case sa > sb:
		return -1
	case sa < sb:
		return 1
	}
	return a.seq - b.seq
}

// perDoc is how many passages of each document retrieval keeps at least.
const perDoc = 3

// searchBuf is the working memory of a search, or of query.views, by
// passage number; slot and score are all zero between uses.
type searchBuf struct {
	slot    []int32
	score   []float64
	touched []int32
	taken   map[string]int // search's, empty between uses
}

var searchBufs sync.Pool // of *searchBuf

// scratch returns a searchBuf for x's passages; release gives it back.
func (x *postings) scratch() *searchBuf {
	b, _ := searchBufs.Get().(*searchBuf)
	if b == nil {
		b = &searchBuf{}
	}
	if n := len(x.docs); len(b.slot) < n {
		b.slot, b.score = make([]int32, n+n/4), make([]float64, n+n/4)
	}
	return b
}

func (x *postings) release(b *searchBuf) { searchBufs.Put(b) }
