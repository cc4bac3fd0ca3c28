package knowledge

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
)

// The last stages of the pipeline: retrieve candidates, compute their
// features, rank them and decide whether the best one answers.

// retrieve searches the postings for every stem of the units,
// synonyms weighted less than the question's own words, and returns the
// best Candidates passages with their BM25F scores (bm25[i] is hits[i]'s).
// The caller holds e.mu.
func (e *Engine) retrieve(qu *query, w *work) (hits []*indexed, bm25 []float64) {
	r, _ := retrievals.Get().(*retrieval)
	if r == nil {
		r = &retrieval{}
	}
	defer r.release()
	q, at := r.q[:0], resize(r.at, len(qu.stems)) // at[id]: 1 + stem id's place in q, or 0
	clear(at)
	r.at = at
	add := func(id int, w float64, scope string) {
		if i := at[id] - 1; i >= 0 {
			// A stem of the question's own words, or of a general
			// synonym, is searched everywhere.
			if q[i].scope != scope {
				q[i].scope = ""
			}
			return
		}
		if df := qu.dfs[id]; df > 0 { // a word no passage holds finds nothing
			at[id] = int32(len(q)) + 1
			q = append(q, queryTerm{term: qu.stems[id], weight: w, scope: scope, looked: true, df: df, ps: qu.ps[id]})
		}
	}
	units := qu.units
	for i := range units { // the question's own words (form 0), then the synonyms
		for _, id := range qu.ids[i][0] {
			add(id, 1, "")
		}
	}
	for i := range units {
		for j, sc := range units[i].scopes {
			for _, id := range qu.ids[i][j+1] {
				add(id, e.params.SynonymBoost, sc)
			}
		}
	}
	r.q = q
	if len(q) == 0 {
		return nil, nil
	}
	boost := [numFields]float64{inBody: 1, inTitle: e.params.TitleBoost, inAlts: e.params.AltBoost}
	if w == nil {
		w = &work{}
	}
	found := e.inv.search(q, boost, e.df, e.params.Candidates, w.found[:0])
	w.found = found
	hits, bm25 = resize(w.hits, len(found)), resize(w.bm25, len(found))
	for i, h := range found {
		hits[i], bm25[i] = e.inv.docs[h.doc], h.score
	}
	w.hits, w.bm25 = hits, bm25
	return hits, bm25
}

// retrieval is retrieve's working memory, reused from one question to
// the next.
type retrieval struct {
	q  []queryTerm
	at []int32
}

var retrievals sync.Pool // of *retrieval

func (r *retrieval) release() {
	clear(r.q)
	retrievals.Put(r)
}

// features are what the ranking and the decision know of a candidate
// passage, each between 0 and 1.
type features struct {
	BM25     float64 `json:"bm25"`     // BM25 score relative to the best candidate's
	Coverage float64 `json:"coverage"` // share of the question's weight the passage contains
	Title    float64 `json:"title"`    // share contained in its heading path or phrasings
	Window   float64 `json:"window"`   // share contained in its best stretch of Window words
	Phrase   float64 `json:"phrase"`   // share of the question's adjacent parts adjacent in the passage
	TypeMiss float64 `json:"typeMiss"` // 1 if the question asks for a kind of fact the passage lacks
}

// candidate is a passage with its features and score.
type candidate struct {
	ip      *indexed
	f       features
	score   float64
	missing []string // kinds of fact asked for and not found
	// alt is the alternative phrasing most like the question (-1 for
	// none), altSim how like (see Engine.bestAlt).
	alt    int
	altSim float64
}

// A query is a question's units with every stem of their forms
// numbered, so that a candidate's record of each stem is looked up once.
type query struct {
	p     *Params
	units []unit
	stems []string
	dfs   []int       // dfs[id]: the number of passages holding stems[id]
	ps    [][]posting // ps[id]: its postings
	ids   [][][]int   // ids[i][f] numbers the stems of form f (units[i].all[f])
	// The working memory of newQuery, views and featuresOf, reused from
	// one candidate to the next (a query serves one goroutine), and from
	// one query to the next (see release).
	num   map[string]int
	forms [][]int
	idbuf []int
	vs    []view
	ts    []*termInfo
	ws    [][]int
	whole []int   // what the views' whole slices are cut from
	held  []bool  // held[id]: some view has stem id
	live  [][]int // live[i]: the forms of unit i whose every stem some view has
	lbuf  []int   // what live is cut from
	// by[id*nw:][:nw] is the bit set of the views having stem id, and
	// lmask[n*nw:][:nw] of those having every stem of the form lbuf[n]
	// (nw words a set).
	by, lmask []uint64
	nw        int
	// lunit[n] is the unit of the form lbuf[n]; hforms and hcount are
	// what the views' held lists are made in.
	lunit, hforms, hcount []int32
	s                     scratch
	// facts[i] is the factBits bit of units[i].fact (0 for none); the
	// kinds of fact asked for are askBits (of each) and asked (all); see
	// newQuery.
	facts, askBits []uint64
	asked          uint64
	// missing is what the candidates' missing are cut from: the answer's
	// memory (work.missing), lent by rank.
	missing []string
	// bits has bit keyBit(s) set for each stem s: a term whose bit is
	// not set is none of them, with no look-up in num (see mayHave).
	bits [4]uint64
}

// mayHave reports whether a term whose keyBit is b may be one of the
// query's stems: false means it is not.
func (q *query) mayHave(b uint8) bool { return q.bits[b>>6]&(1<<(b&63)) != 0 }

// has reports whether s is one of the query's stems.
func (q *query) has(s string) bool {
	_, ok := q.num[s]
	return ok
}

var queries sync.Pool // of *query: see newQuery and release

// resize returns s with length n, reusing its memory when it can; the
// elements are not cleared.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// query returns the query of units (which weigh has set), asking for the
// kinds of fact asks; the caller holds e.mu and releases it.
func (e *Engine) query(units []unit, asks []string) *query {
	return newQuery(units, asks, &e.params, e.inv, e.df)
}

// newQuery numbers the stems of units, which weigh has set.
// Each stem's document frequency and postings, in x and df, are looked up
// once (dfs, ps).
func newQuery(units []unit, asks []string, p *Params, x *postings, df map[string]int) *query {
	q, _ := queries.Get().(*query)
	if q == nil {
		q = &query{num: map[string]int{}}
	}
	nforms, nstems := 0, 0
	for j := range units {
		u := &units[j]
		nforms += len(u.all)
		for _, form := range u.all {
			nstems += len(form)
		}
	}
	q.p, q.units, q.ids, q.stems = p, units, resize(q.ids, len(units)), q.stems[:0]
	q.dfs, q.ps = q.dfs[:0], q.ps[:0]
	q.facts, q.askBits, q.asked = resize(q.facts, len(units)), resize(q.askBits, len(asks)), 0
	for i := range units {
		q.facts[i] = 0
		if f := units[i].fact; f != "" {
			q.facts[i] = factBits[f]
		}
	}
	for n, k := range asks {
		q.askBits[n] = factBits[k]
		q.asked |= q.askBits[n]
	}
	q.bits = [4]uint64{}
	q.forms, q.idbuf = resize(q.forms, nforms), resize(q.idbuf, nstems)
	forms, idbuf := q.forms, q.idbuf
	for i := range units {
		u := &units[i]
		q.ids[i], forms = forms[:len(u.all):len(u.all)], forms[len(u.all):]
		for f, form := range u.all {
			ids := idbuf[:len(form):len(form)]
			idbuf = idbuf[len(form):]
			for j, s := range form {
				n, ok := q.num[s]
				if !ok {
					n = len(q.stems)
					q.num[s] = n
					q.stems = append(q.stems, s)
					q.dfs, q.ps = append(q.dfs, df[s]), append(q.ps, x.terms[s])
					b := keyBit(s)
					q.bits[b>>6] |= 1 << (b & 63)
				}
				ids[j] = n
			}
			q.ids[i][f] = ids
		}
	}
	return q
}

// release gives q's memory back for another query; q and its views are
// not used after.
func (q *query) release() {
	clear(q.num)
	clear(q.vs)
	clear(q.ps)
	q.p, q.units = nil, nil
	queries.Put(q)
}

// view is a passage as a query sees it: its record of each of the
// query's stems (nil where it has none), and for each unit the forms it
// holds whole.
type view struct {
	q     *query
	ip    *indexed
	t     []*termInfo
	whole [][]int // whole[i]: the forms of unit i whose every stem the passage has
	n     int     // its number among the query's views (see query.lmask)
	doc   string  // its passage's document (see passage.doc)
	held  []int32 // the live forms it has every stem of, by their number in q.lbuf
}

// views returns the views of the passages hits, found through the
// postings of the query's stems. They are valid until q is released.
func (q *query) views(x *postings, hits []*indexed) []view {
	ns, nu := len(q.stems), len(q.units)
	q.vs, q.ts, q.ws = resize(q.vs, len(hits)), resize(q.ts, len(hits)*ns), resize(q.ws, len(hits)*nu)
	vs, ts, ws := q.vs, q.ts, q.ws
	clear(ts)
	q.whole = q.whole[:0]
	buf := x.scratch()
	at := buf.slot // at[doc] is 1 + the doc's number in hits, 0 for none
	for c, ip := range hits {
		vs[c] = view{q: q, ip: ip, t: ts[c*ns : (c+1)*ns : (c+1)*ns], whole: ws[c*nu : (c+1)*nu : (c+1)*nu], n: c, doc: x.names[ip.num]}
		at[ip.num] = int32(c) + 1
	}
	q.held = resize(q.held, ns)
	clear(q.held)
	nw := (len(hits) + 63) / 64
	q.nw, q.by = nw, resize(q.by, ns*nw)
	clear(q.by)
	for id := range q.stems {
		for _, p := range q.ps[id] {
			if c := at[p.Doc]; c > 0 && x.docs[p.Doc] != nil {
				vs[c-1].t[id] = p.T
				q.held[id] = true
				q.by[id*nw+int(c-1)/64] |= 1 << ((c - 1) % 64)
			}
		}
	}
	for _, ip := range hits {
		at[ip.num] = 0
	}
	x.release(buf) // clean again
	// Only the forms whose every stem some view has can be whole in one.
	q.live, q.lbuf = resize(q.live, nu), q.lbuf[:0]
	for i, forms := range q.ids {
		from := len(q.lbuf)
	form:
		for f, ids := range forms {
			for _, id := range ids {
				if !q.held[id] {
					continue form
				}
			}
			q.lbuf = append(q.lbuf, f)
		}
		q.live[i] = q.lbuf[from:len(q.lbuf):len(q.lbuf)]
	}
	q.lmask = resize(q.lmask, len(q.lbuf)*nw)
	n := 0
	for i, forms := range q.live {
		for _, f := range forms {
			m := q.lmask[n*nw : (n+1)*nw]
			for w := range m {
				m[w] = ^uint64(0)
			}
			for _, id := range q.ids[i][f] {
				for w := range m {
					m[w] &= q.by[id*nw+w]
				}
			}
			n++
		}
	}
	// Each view's list of the live forms it has every stem of (by their
	// number in lbuf, in order), from lmask.
	nl := len(q.lbuf)
	q.lunit, q.hforms, q.hcount = resize(q.lunit, nl), resize(q.hforms, len(vs)*nl), resize(q.hcount, len(vs))
	clear(q.hcount)
	n = 0
	for i, forms := range q.live {
		for range forms {
			q.lunit[n] = int32(i)
			n++
		}
	}
	for n := range nl {
		for w := range nw {
			for m := q.lmask[n*nw+w]; m != 0; m &= m - 1 {
				if c := w*64 + bits.TrailingZeros64(m); c < len(vs) {
					q.hforms[c*nl+int(q.hcount[c])] = int32(n)
					q.hcount[c]++
				}
			}
		}
	}
	for c := range vs {
		vs[c].held = q.hforms[c*nl : c*nl+int(q.hcount[c])]
		vs[c].findWhole(vs[c].doc)
	}
	return vs
}

// findWhole finds the forms of each unit the passage, view number c of
// document doc, holds whole.
func (v *view) findWhole(doc string) {
	q := v.q
	from := len(q.whole)
	k := 0 // in v.held
	for i := range q.live {
		for ; k < len(v.held) && int(q.lunit[v.held[k]]) == i; k++ {
			f := q.lbuf[v.held[k]]
			if f > 0 {
				// The question's own words and general synonyms hold
				// everywhere, a document's vocabulary in that document
				// only.
				if sc := q.units[i].scopes[f-1]; sc != "" && sc != doc {
					continue
				}
			}
			if !v.together(q.ids[i][f]) {
				continue
			}
			q.whole = append(q.whole, f)
		}
		v.whole[i], from = q.whole[from:len(q.whole):len(q.whole)], len(q.whole)
	}
}

// together reports whether the passage holds the stems ids (a form of a
// unit, all of which it has) as a phrase: in order, each within three
// terms of the one before, in its text or its heading path. A passage
// that has a phrase's words apart ("service details" here, "How to bid"
// there) does not hold the phrase ("detailed bids"); it earns the partial
// credit of its words. (A phrasing holds a form with all its words:
// see altUnits.)
func (v *view) together(ids []int) bool {
	if len(ids) < 2 {
		return true
	}
	inOrder := func(at func(*termInfo) []int) bool {
		for k := 0; k+1 < len(ids); k++ {
			if !adjacent(at(v.t[ids[k]]), at(v.t[ids[k+1]])) {
				return false
			}
		}
		return true
	}
	return inOrder(func(t *termInfo) []int { return t.pos }) || inOrder(func(t *termInfo) []int { return t.tpos })
}

// credit returns the share of unit i's weight the passage earns, counting
// the occurrences where accepts.
func (v *view) credit(i int, where func(*termInfo) bool) float64 {
	in := func(f int) bool {
		for _, id := range v.q.ids[i][f] {
			if !where(v.t[id]) {
				return false
			}
		}
		return true
	}
	for _, f := range v.whole[i] {
		if in(f) {
			if f == 0 {
				return 1
			}
			return v.q.p.SynonymCredit
		}
	}
	return v.partial(v.q.ids[i][0], v.holds(where))
}

// partial is the credit of a unit of several words (keys, its own) that
// the passage, or a phrasing, holds no form of whole: PartialCredit times
// the share of the words has accepts. A one-word unit earns none.
func (v *view) partial(keys []int, has func(id int) bool) float64 {
	if len(keys) < 2 {
		return 0
	}
	n := 0
	for _, id := range keys {
		if has(id) {
			n++
		}
	}
	return v.q.p.PartialCredit * float64(n) / float64(len(keys))
}

// holds returns the test partial takes for the occurrences where accepts.
func (v *view) holds(where func(*termInfo) bool) func(id int) bool {
	return func(id int) bool { t := v.t[id]; return t != nil && where(t) }
}

// altWords is the share of unit i's weight that phrasing j (aq) holds
// in its words: all of it for the question's own words, SynonymCredit
// for a synonym (a document's vocabulary in its document only), else the
// partial credit of the own words it has. A form's words need only all
// be in the one phrasing. Phrasings from the 64th share a bit (altBit):
// whether one of them holds a term is read from its own terms.
func (v *view) altWords(i, j int, aq *altQuestion) float64 {
	q := v.q
	ids := q.ids[i]
	bit := altBit(j)
	in := func(id int) bool {
		t := v.t[id]
		if t == nil || t.alts&bit == 0 {
			return false
		}
		return j < 63 || slices.Contains(aq.keys, q.stems[id])
	}
	doc := v.doc
form:
	for _, f := range q.live[i] {
		if f > 0 {
			if sc := q.units[i].scopes[f-1]; sc != "" && sc != doc {
				continue
			}
		}
		for _, id := range ids[f] {
			if !in(id) {
				continue form
			}
		}
		if f == 0 {
			return 1
		}
		return q.p.SynonymCredit
	}
	return v.partial(ids[0], in)
}

// ownCredits returns credit(i, inPassage) and credit(i, inHeading), in
// one pass and without a call a term.
func (v *view) ownCredits(i int) (passage, heading float64) {
	ids := v.q.ids[i]
	p, h := -1, -1 // the first whole form held in the passage, in the heading path
	for _, f := range v.whole[i] {
		inP, inH := true, true
		for _, id := range ids[f] {
			t := v.t[id]
			inH = inH && t.inTitle
			inP = inP && (t.inTitle || len(t.pos) > 0)
		}
		if inP && p < 0 {
			p = f
		}
		if inH && h < 0 {
			h = f
		}
		if p >= 0 && h >= 0 {
			break
		}
	}
	credit := func(f int, where func(*termInfo) bool) float64 {
		switch {
		case f == 0:
			return 1
		case f > 0:
			return v.q.p.SynonymCredit
		}
		return v.partial(ids[0], v.holds(where))
	}
	return credit(p, inPassage), credit(h, inHeading)
}

var (
	// inPassage accepts a term of the passage's own words, in its text
	// or its heading path; inHeading, of the heading path only. A term
	// found only in an alternative phrasing counts through bestAlt.
	inPassage = func(t *termInfo) bool { return t.inTitle || len(t.pos) > 0 }
	inHeading = func(t *termInfo) bool { return t.inTitle }
)

// bestAlt returns which of the passage's alternative phrasings is most
// like the question, and how like, between 0 and 1: the harmonic mean of
// the share of the question's weight (of total) the phrasing holds and
// the IDF-weighted share of the phrasing's terms (fillers dropped, as
// from a question) the question holds.
// A phrasing counts as a whole, not as a bag of the words of all of
// them: a question must be like one question the passage answers, and
// that question must not be much more than the question asked. It
// returns -1 and 0 for a passage with none.
func (e *Engine) bestAlt(v *view, total float64, asks uint64) (int, float64) {
	ip := v.ip
	if len(ip.alts)+len(ip.phrasings) == 0 || total <= 0 {
		return -1, 0
	}
	// A phrasing that holds no stem of the question's forms holds none of
	// its words: its likeness is 0, and it is not the best.
	var holding uint64 // the phrasings holding some stem of the question's
	for _, t := range v.t {
		if t != nil {
			holding |= t.alts
		}
	}
	if holding == 0 {
		return -1, 0
	}
	ip.altQsOnce.Do(func() { ip.altQs = e.altQuestions(ip.altList()) })
	aw := e.altWeights(ip)
	q := v.q
	us := q.s.altUnits(v)
	// in[n]: the question has the passage's term number n (see
	// termInfo.num).
	in := resize(q.s.in, aw.terms)
	clear(in)
	for _, t := range v.t {
		if t != nil && int(t.num) < len(in) {
			in[t.num] = true
		}
	}
	q.s.in = in
	// First what each phrasing holds of the question's weight; then the
	// likeness of the one holding the most, and of the others in order.
	js, helds := q.s.altJs[:0], q.s.altHelds[:0]
	first := -1 // in js, the phrasing holding the most
	if len(ip.altQs) < 64 {
		// Unit by unit, adding its credit to the phrasings that give it
		// some, as the loop below would phrasing by phrasing (in the same
		// order, for each phrasing: units first to last).
		held, content := &q.s.held, &q.s.content
		for m := holding; m != 0; m &= m - 1 {
			j := bits.TrailingZeros64(m)
			held[j], content[j] = 0, 0
		}
		for i := range us {
			u := &us[i]
			one := u.own
			if u.fact != 0 {
				one |= aw.asking[bits.TrailingZeros64(u.fact)]
			}
			one &= holding
			syn := u.syn & holding &^ one
			var part uint64
			if len(u.keys) >= 2 {
				for _, b := range u.keys {
					part |= b
				}
				part &= holding &^ one &^ syn
			}
			for m := one; m != 0; m &= m - 1 {
				j := bits.TrailingZeros64(m)
				c := u.weight * 1
				held[j] += c
				if !u.asking {
					content[j] += c
				}
			}
			for m := syn; m != 0; m &= m - 1 {
				j := bits.TrailingZeros64(m)
				c := u.weight * q.p.SynonymCredit
				held[j] += c
				if !u.asking {
					content[j] += c
				}
			}
			for m := part; m != 0; m &= m - 1 {
				j := bits.TrailingZeros64(m)
				c := u.weight * u.partial(1<<j, q.p)
				held[j] += c
				if !u.asking {
					content[j] += c
				}
			}
		}
		for m := holding; m != 0; m &= m - 1 {
			j := bits.TrailingZeros64(m)
			if content[j] == 0 || held[j] == 0 {
				continue
			}
			if first < 0 || held[j] > helds[first] {
				first = len(js)
			}
			js, helds = append(js, j), append(helds, held[j])
		}
	}
	for j := 0; j < len(ip.altQs) && len(ip.altQs) >= 64; j++ {
		if j < 64 { // only the phrasings in holding are read
			if m := holding >> j; m != 0 {
				j += bits.TrailingZeros64(m)
			} else {
				j = 63 // none of the first 64: on from the 65th, if any
				continue
			}
			if j >= len(ip.altQs) {
				break
			}
		}
		aq := &ip.altQs[j]
		bit := altBit(j)
		if holding&bit == 0 {
			continue
		}
		// Asking for the same kind of fact makes two questions alike
		// only when they share what they ask about: "what day is it?"
		// is not like "what day are bids due?".
		held, content := 0.0, 0.0
		for i := range us {
			var c float64
			if j < 63 {
				c = us[i].weight * us[i].credit(bit, aq.asks, q.p)
			} else { // its bit is shared (see altBit)
				c = us[i].weight * v.altCredit(i, j, aq)
			}
			held += c
			if !us[i].asking {
				content += c
			}
		}
		if content == 0 || held == 0 {
			continue
		}
		if first < 0 || held > helds[first] {
			first = len(js)
		}
		js, helds = append(js, j), append(helds, held)
	}
	q.s.altJs, q.s.altHelds = js, helds
	best, sim := -1, 0.0
	// The likeness is at most 2a/(a+1), at b = 1 (asked is a part of
	// all's sum), which is below sim where a < sim/(2-sim): a phrasing
	// holding less than least (short of it by more than rounding) cannot
	// beat the best so far, and is not read further. Of phrasings alike
	// as much, the first is the best.
	least := 0.0
	for n := -1; n < len(js); n++ {
		m := n
		if n < 0 {
			m = first // the one holding the most first, where there is one
		} else if n == first {
			continue
		}
		if m < 0 {
			continue
		}
		j, held := js[m], helds[m]
		if held < least {
			continue
		}
		aq := &ip.altQs[j]
		asked, all, w, at, kb := 0.0, aw.all[j], aw.w[j], aw.at[j], aw.bits[j]
		for k, s := range aq.keys {
			if aq.cues[k]&asks != 0 {
				asked += w[k]
			} else if n := at[k]; n >= 0 {
				if in[n] {
					asked += w[k]
				}
			} else if q.mayHave(kb[k]) && q.has(s) {
				asked += w[k]
			}
		}
		a, b := held/total, 0.0
		if all > 0 {
			b = asked / all
		}
		if a+b > 0 {
			if h := 2 * a * b / (a + b); h > sim || h == sim && j < best {
				best, sim = j, h
				least = total * sim / (2 - sim) * (1 - 1e-6)
			}
		}
	}
	return best, sim
}

// altWeights are the IDF of each term of a passage's phrasings (w[j][k]
// for altQs[j].keys[k]) and their sum for each phrasing, in that order,
// as of the engine's statsGen; read only.
type altWeights struct {
	gen  uint64
	w    [][]float64
	all  []float64
	bits [][]uint8 // keyBit of each term (see query.mayHave)
	// at[j][k] is the number of the term in the passage's postings (see
	// termInfo.num), or -1 when they do not hold it (the phrasing read
	// as a question may differ from it as indexed); terms is one more
	// than the largest.
	at    [][]int32
	terms int
	// asking[b] holds bit j for each of the first 64 phrasings asking
	// for the kind of fact whose factBits bit is 1<<b.
	asking [64]uint64
}

// altWeights returns ip's altWeights, worked out once for each state of
// the term statistics rather than for each question. ip.altQs is known.
// The caller holds e.mu.
func (e *Engine) altWeights(ip *indexed) *altWeights {
	if aw := ip.altW.Load(); aw != nil && aw.gen == e.statsGen {
		return aw
	}
	n := e.inv.live
	nj := len(ip.altQs)
	aw := &altWeights{gen: e.statsGen, w: make([][]float64, nj), all: make([]float64, nj), bits: make([][]uint8, nj), at: make([][]int32, nj)}
	for j := range ip.altQs {
		keys := ip.altQs[j].keys
		aw.w[j], aw.bits[j], aw.at[j] = make([]float64, len(keys)), make([]uint8, len(keys)), make([]int32, len(keys))
		for k, s := range keys {
			aw.w[j][k] = idf(e.df[s], n)
			aw.all[j] += aw.w[j][k]
			aw.bits[j][k] = keyBit(s)
			aw.at[j][k] = e.inv.find(s, ip.num)
			aw.terms = max(aw.terms, int(aw.at[j][k])+1)
		}
		for m := ip.altQs[j].asks; m != 0 && j < 64; m &= m - 1 {
			aw.asking[bits.TrailingZeros64(m)] |= 1 << j
		}
	}
	ip.altW.Store(aw)
	return aw
}

// altUnit is what a passage's phrasings hold of a unit of the question,
// as bit sets of phrasings (see altBit), for altUnit.credit.
type altUnit struct {
	weight float64
	fact   uint64   // the unit's kind of fact, as its factBits bit, or 0
	asking bool     // the unit only asks (see unit.asking)
	own    uint64   // the phrasings holding the question's own words (form 0) whole
	syn    uint64   // the phrasings holding some synonym (form > 0) whole
	keys   []uint64 // for each of the question's own words, the phrasings holding it
}

// altUnits returns what the passage of v holds of each unit of the
// question in its phrasings, in s's memory.
func (s *scratch) altUnits(v *view) []altUnit {
	q := v.q
	doc := v.doc
	s.units, s.keys = resize(s.units, len(q.units)), s.keys[:0]
	k := 0 // in v.held
	for i := range q.units {
		u := &q.units[i]
		au := altUnit{weight: u.weight, fact: q.facts[i], asking: u.asking}
		ids := q.ids[i]
		// The forms one phrasing holds all the words of: not v.whole,
		// which asks for the words together in the text or the title.
		for ; k < len(v.held) && int(q.lunit[v.held[k]]) == i; k++ {
			f := q.lbuf[v.held[k]]
			all := ^uint64(0)
			for _, id := range ids[f] {
				all &= v.t[id].alts
			}
			if f == 0 {
				au.own = all
			} else if sc := u.scopes[f-1]; sc == "" || sc == doc {
				au.syn |= all
			}
		}
		from := len(s.keys)
		for _, id := range ids[0] {
			b := uint64(0)
			if t := v.t[id]; t != nil {
				b = t.alts
			}
			s.keys = append(s.keys, b)
		}
		au.keys = s.keys[from:len(s.keys):len(s.keys)]
		s.units[i] = au
	}
	return s.units
}

// credit is altCredit for the phrasing with bit, asking for the kinds
// of fact asks: the same share, from bit sets.
func (au *altUnit) credit(bit, asks uint64, p *Params) float64 {
	switch {
	case au.fact&asks != 0, au.own&bit != 0:
		return 1
	case au.syn&bit != 0:
		return p.SynonymCredit
	case len(au.keys) < 2:
		return 0
	}
	return au.partial(bit, p)
}

// partial is the partial credit of the unit's words in the phrasing with
// bit, as view.credit gives it.
func (au *altUnit) partial(bit uint64, p *Params) float64 {
	n := 0
	for _, b := range au.keys {
		if b&bit != 0 {
			n++
		}
	}
	return p.PartialCredit * float64(n) / float64(len(au.keys))
}

// altQuestion is an alternative phrasing read as a question.
type altQuestion struct {
	keys []string // its distinct terms, fillers dropped
	cues []uint64 // the kind of fact keys[k] asks for, as its factBits bit, or 0
	asks uint64   // the kinds of fact it asks for (see askedFacts)
}

// altQuestions reads each of alts as a question. The caller holds e.mu.
func (e *Engine) altQuestions(alts []string) []altQuestion {
	out := make([]altQuestion, len(alts))
	for j, alt := range alts {
		a := e.analyseQuestion(normalise(alt))
		aq := &out[j]
		for _, k := range a.asks {
			aq.asks |= factBits[k]
		}
		for _, u := range a.units {
			for _, k := range u.keys {
				if !slices.Contains(aq.keys, k) {
					aq.keys = append(aq.keys, k)
					aq.cues = append(aq.cues, factBits[u.fact])
				}
			}
		}
	}
	return out
}

// altCredit is the share of unit i's weight that alternative phrasing j
// (aq) earns: what its words give, or all of it for a cue ("deadline",
// "what date") when the phrasing asks for the same kind of fact ("when
// ..."): two questions asking for a date share that part, whatever
// their words for it.
func (v *view) altCredit(i, j int, aq *altQuestion) float64 {
	if f := v.q.units[i].fact; f != "" && aq.asks&factBits[f] != 0 {
		return 1
	}
	return v.altWords(i, j, aq)
}

// positions returns where the forms of unit i that the passage holds
// whole occur in its text, in order. The result is read only: it may be
// a term's own positions, or the query's scratch memory.
func (v *view) positions(i int) []int {
	ids := v.q.ids[i]
	if w := v.whole[i]; len(w) == 1 && len(ids[w[0]]) == 1 {
		return v.t[ids[w[0]][0]].pos // one term's positions: ascending already
	}
	s := &v.q.s
	from := len(s.arena)
	for _, f := range v.whole[i] {
		for _, id := range ids[f] {
			s.arena = append(s.arena, v.t[id].pos...)
		}
	}
	out := s.arena[from:len(s.arena):len(s.arena)]
	slices.Sort(out)
	return out
}

// titlePositions returns where unit i's own words occur in the title,
// read only as positions' result is.
func (v *view) titlePositions(i int) []int {
	keys := v.q.ids[i][0]
	if len(keys) == 1 {
		if t := v.t[keys[0]]; t != nil {
			return t.tpos
		}
		return nil
	}
	s := &v.q.s
	from := len(s.arena)
	for _, id := range keys {
		if t := v.t[id]; t != nil {
			s.arena = append(s.arena, t.tpos...)
		}
	}
	out := s.arena[from:len(s.arena):len(s.arena)]
	slices.Sort(out)
	return out
}

// scratch is featuresOf's working memory, reused for each candidate of a
// query.
type scratch struct {
	credits []float64
	titled  []bool
	pos     [][]int
	counts  []int
	events  []event
	arena   []int // what positions and titlePositions are cut from
	// bestAlt's
	held, content [64]float64
	altJs         []int
	altHelds      []float64
	units         []altUnit
	keys          []uint64 // what units' keys are cut from
	in            []bool
}

// An event is an occurrence of a unit in a passage's text.
type event struct {
	pos, unit int
}

// reset readies s for a candidate of a query of n units.
func (s *scratch) reset(n int) {
	if cap(s.credits) < n {
		s.credits, s.titled, s.pos, s.counts = make([]float64, n), make([]bool, n), make([][]int, n), make([]int, n)
	}
	s.credits, s.titled, s.pos, s.counts = s.credits[:n], s.titled[:n], s.pos[:n], s.counts[:n]
	clear(s.credits)
	clear(s.titled)
	clear(s.pos)
	clear(s.counts)
	s.events, s.arena = s.events[:0], s.arena[:0]
}

// featuresOf computes the features of ip for the query (its units'
// weights summing to total) and the kinds of fact asked for.
func (e *Engine) featuresOf(v *view, total float64, asks []string) candidate {
	ip, q := v.ip, v.q
	c := candidate{ip: ip}
	if total <= 0 {
		return c
	}
	units := q.units
	q.s.reset(len(units))
	credits, titled, pos, events := q.s.credits, q.s.titled, q.s.pos, q.s.events
	alt, sim := e.bestAlt(v, total, q.asked)
	c.alt, c.altSim = alt, sim
	for i := range units {
		u := &units[i]
		pos[i] = v.positions(i)
		var tc float64
		credits[i], tc = v.ownCredits(i)
		if alt >= 0 {
			var ac float64
			if alt < 63 { // from bestAlt's bit sets, as it read them
				ac = sim * q.s.units[i].credit(altBit(alt), v.ip.altQs[alt].asks, q.p)
			} else {
				ac = sim * v.altCredit(i, alt, &v.ip.altQs[alt])
			}
			credits[i], tc = max(credits[i], ac), max(tc, ac)
		}
		c.f.Coverage += u.weight * credits[i]
		c.f.Title += u.weight * tc
		titled[i] = tc > 0
		if credits[i] > 0 && !titled[i] {
			for _, p := range pos[i] {
				events = append(events, event{p, i})
			}
		}
	}
	c.f.Coverage /= total
	c.f.Title /= total
	// Best window: the titled units count in every window.
	base := 0.0
	for i := range units {
		u := &units[i]
		if titled[i] {
			base += u.weight * credits[i]
		}
	}
	slices.SortFunc(events, func(a, b event) int { return a.pos - b.pos })
	q.s.events = events
	counts := q.s.counts
	best, sum, lo := base, base, 0
	bestAt := -1
	for hi, ev := range events {
		if counts[ev.unit] == 0 {
			sum += units[ev.unit].weight * credits[ev.unit]
		}
		counts[ev.unit]++
		for events[lo].pos <= ev.pos-e.params.Window {
			u := events[lo].unit
			if counts[u]--; counts[u] == 0 {
				sum -= units[u].weight * credits[u]
			}
			lo++
		}
		if sum > best+1e-12 || bestAt < 0 {
			best, bestAt = max(best, sum), (events[lo].pos+events[hi].pos)/2
		}
	}
	// A cue unit the passage lacks is contained when the passage states
	// a fact of its kind near the rest of the question.
	for i := range units {
		u := &units[i]
		if u.fact != "" && credits[i] < 1 && e.statesFact(ip, q.facts[i], bestAt) {
			gain := u.weight * (1 - credits[i])
			c.f.Coverage += gain / total
			best += gain
		}
	}
	c.f.Window = best / total
	// Adjacent parts of the question adjacent in the passage.
	if len(units) > 1 {
		pairs, found := 0, 0
		for i := 0; i+1 < len(units); i++ {
			pairs++
			if adjacent(pos[i], pos[i+1]) || adjacent(v.titlePositions(i), v.titlePositions(i+1)) {
				found++
			}
		}
		c.f.Phrase = float64(found) / float64(pairs)
	}
	// Kinds of fact asked for: on the lines of the best window, or the
	// title.
	from := len(q.missing)
	for n, k := range asks {
		if !e.statesFact(ip, q.askBits[n], bestAt) {
			q.missing = append(q.missing, k)
		}
	}
	if len(q.missing) > from {
		c.missing = q.missing[from:len(q.missing):len(q.missing)]
		c.f.TypeMiss = 1
	}
	return c
}

// statesFact reports whether ip states a fact of the kind whose
// factBits bit is bit near term number
// at (within the window), or anywhere when at < 0.
func (e *Engine) statesFact(ip *indexed, bit uint64, at int) bool {
	ip.findFacts()
	from, to := 0, len(ip.lineEnds)-1
	if at >= 0 && len(ip.spans) > 0 {
		from = ip.lineOf(max(0, at-e.params.Window))
		to = ip.lineOf(min(len(ip.spans)-1, at+e.params.Window))
	}
	for l := from; l <= to; l++ {
		if ip.lineSets[l]&bit != 0 {
			return true
		}
	}
	return ip.titleSet&bit != 0
}

// adjacent reports whether some position of b follows one of a within
// three terms.
func adjacent(a, b []int) bool {
	j := 0
	for _, p := range a {
		for j < len(b) && b[j] <= p {
			j++
		}
		if j < len(b) && b[j]-p <= 3 {
			return true
		}
	}
	return false
}

// rank computes every candidate's features and score and orders them,
// best first; ties go to the passage indexed first.
func (e *Engine) rank(q *query, asks []string, hits []*indexed, bm25 []float64, w *work) []candidate {
	units := q.units
	total := 0.0
	for j := range units {
		u := &units[j]
		total += u.weight
	}
	top := 0.0
	for _, s := range bm25 {
		top = max(top, s)
	}
	p := e.params
	if w == nil {
		w = &work{}
	}
	out := slices.Grow(w.cands[:0], len(hits))
	q.missing = slices.Grow(w.missing[:0], len(hits)*len(asks))
	vs := q.views(e.inv, hits)
	for i := range vs {
		ip := vs[i].ip
		c := e.featuresOf(&vs[i], total, asks)
		if top > 0 {
			c.f.BM25 = bm25[i] / top
		}
		c.score = p.WBM25*c.f.BM25 + p.WCoverage*c.f.Coverage + p.WTitle*c.f.Title +
			p.WWindow*c.f.Window + p.WPhrase*c.f.Phrase - p.WTypeMiss*c.f.TypeMiss + ip.prior
		out = append(out, c)
	}
	w.missing, q.missing = q.missing, nil
	// Sorted by their numbers, not moved about whole: a candidate is a
	// hundred bytes. The order is total (ties go to the passage indexed
	// first), so any sort gives it.
	order := resize(w.order, len(out))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return bestFirst(out[a].score, out[b].score, out[a].ip, out[b].ip) })
	ranked := resize(w.ranked, len(out))
	for i, c := range order {
		ranked[i] = out[c]
	}
	w.cands, w.order, w.ranked = out, order, ranked
	return ranked
}

// decision is the verdict on the best candidate.
type decision struct {
	Probability float64 `json:"probability"`
	Threshold   float64 `json:"threshold"`
	Margin      float64 `json:"margin"`  // the best score less the runner-up's
	Unknown     float64 `json:"unknown"` // share of the question's weight no passage mentions
	Confident   bool    `json:"confident"`
	Reason      string  `json:"reason"`
}

// confInputs are the inputs of the confidence model, in the order of
// Params.confCoeffs: 1 (for the bias), the best passage's coverage,
// window coverage, title coverage and missing fact, its lead in score
// (at most 1) and in coverage over the runner-up, the share of the
// question no passage mentions, and 1/(number of parts of the question):
// a one-word question is a weak clue.
func confInputs(units []unit, ranked []candidate, d decision) []float64 {
	b := ranked[0]
	covLead := b.f.Coverage
	if len(ranked) > 1 {
		covLead -= ranked[1].f.Coverage
	}
	return []float64{1, b.f.Coverage, b.f.Window, b.f.Title, b.f.TypeMiss,
		min(d.Margin, 1), covLead, d.Unknown, 1 / float64(max(1, len(units)))}
}

// decide estimates the chance that the best candidate answers the
// question, a logistic function of its features, the lead it has over the
// runner-up and the share of the question no passage mentions.
func (e *Engine) decide(units []unit, ranked []candidate) decision {
	p := e.params
	d := decision{Threshold: p.MinConfidence}
	if len(ranked) == 0 {
		d.Reason = "no passage contains any word of the question"
		return d
	}
	total, unknown := 0.0, 0.0
	var missingWords []string
	for _, u := range units {
		total += u.weight
		if !u.known {
			unknown += u.weight
			missingWords = append(missingWords, strings.Join(u.keys, " "))
		}
	}
	if total > 0 {
		d.Unknown = unknown / total
	}
	b := ranked[0]
	d.Margin = b.score
	if len(ranked) > 1 {
		d.Margin = b.score - ranked[1].score
	}
	x := confInputs(units, ranked, d)
	z := 0.0
	for i, c := range p.confCoeffs() {
		z += *c * x[i]
	}
	d.Probability = 1 / (1 + math.Exp(-z))
	d.Confident = d.Probability >= p.MinConfidence
	// A question that only asks for a kind of fact ("what day is it?",
	// "how much?") names nothing it is the fact of: any passage stating
	// one contains it, and none is the answer with confidence. ("What is
	// the deadline?" names it: "deadline" is not only asking.)
	var onlyAsks []string // the kinds of fact, when every unit only asks
	for _, u := range units {
		if !u.asking {
			onlyAsks = nil
			break
		}
		if !slices.Contains(onlyAsks, AKind(u.fact)) {
			onlyAsks = append(onlyAsks, AKind(u.fact))
		}
	}
	if len(onlyAsks) > 0 {
		d.Confident = false
	}
	switch {
	case len(onlyAsks) > 0:
		d.Reason = fmt.Sprintf("p=%.2f, but the question only asks for %s: it names nothing to look for", d.Probability, strings.Join(onlyAsks, " and "))
	case d.Confident:
		d.Reason = fmt.Sprintf("p=%.2f ≥ %.2f", d.Probability, p.MinConfidence)
	case len(b.missing) > 0:
		d.Reason = fmt.Sprintf("p=%.2f < %.2f: asks for %s, the best passage gives none", d.Probability, p.MinConfidence, AKind(strings.Join(b.missing, "/")))
	case d.Unknown >= 0.3:
		d.Reason = fmt.Sprintf("p=%.2f < %.2f: no passage mentions %s", d.Probability, p.MinConfidence, strings.Join(missingWords, ", "))
	case b.f.Coverage < 0.6:
		d.Reason = fmt.Sprintf("p=%.2f < %.2f: the best passage covers %.0f%% of the question", d.Probability, p.MinConfidence, 100*b.f.Coverage)
	default:
		d.Reason = fmt.Sprintf("p=%.2f < %.2f: the best passage leads the next by only %.2f", d.Probability, p.MinConfidence, d.Margin)
	}
	return d
}
