package knowledge

import (
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// The first stages of the pipeline: normalise, analyse and expand a
// question into units.

// A word is a lower-case word of a question with its byte offsets.
type word struct {
	start, end int
	text       string
}

// A unit is one part of a question that a passage should contain: a term,
// or a phrase of the lexicon, with the phrases that may stand for it.
type unit struct {
	keys   []string   // the stems of the question's own words
	alts   [][]string // synonyms: each a phrase of stems
	scopes []string   // the document each synonym holds in, or "" (see expansion)
	// all is keys and then every alt: set by weigh.
	all    [][]string
	start  int     // byte offset in the question
	weight float64 // its rarity (see Engine.weigh)
	// known reports whether the unit, or a synonym of it, occurs in some
	// passage: a question whose weight lies in unknown units asks about
	// something the passages do not mention.
	known bool
	// fact is the kind of fact the unit's words ask for when they are a
	// cue ("deadline": a date); a passage stating such a fact near the
	// question's other words contains the unit.
	fact string
	// asking says the unit is a cue's words that only ask ("what day",
	// "how much"), naming nothing the fact is of; a cue such as
	// "deadline" or "email address" names it too (see cueSpan).
	asking bool
}

// analysed is a question after the first stages.
type analysed struct {
	text  string   // normalised
	units []unit   // in question order
	asks  []string // kinds of fact asked for (see askedFacts)
	// dropped are the words removed as fillers, for the explanation.
	dropped []string
}

var plainPunctuation = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`, "–", "-", "—", "-", "\u00a0", " ")

// normalise tidies a question: typographic quotes and dashes made plain,
// white space collapsed.
func normalise(q string) string {
	if plainASCII(q) {
		return q // nothing to replace (every old string is not ASCII) or collapse
	}
	q = plainPunctuation.Replace(q)
	return strings.Join(strings.Fields(q), " ")
}

// plainASCII reports whether q is ASCII with no white space but single
// spaces between words.
func plainASCII(q string) bool {
	if q == "" || q[0] == ' ' || q[len(q)-1] == ' ' {
		return q == ""
	}
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c >= utf8.RuneSelf, c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			return false
		case c == ' ' && q[i+1] == ' ':
			return false
		}
	}
	return true
}

// analyseBoth runs both analysis chains on q, tokenizing it once, in tb's
// memory: the words chain's filters are the first of the full chain's
// (see newAnalyzers), so the words are the stream part-way through. It
// falls back to running each chain when the analyzers are not built that
// way.
func (e *Engine) analyseBoth(q string, tb *tokens) ([]word, analysis.TokenStream) {
	full, ok1 := e.full.(*analysis.DefaultAnalyzer)
	wa, ok2 := e.words.(*analysis.DefaultAnalyzer)
	if !ok1 || !ok2 || len(full.TokenFilters) < len(wa.TokenFilters) {
		return wordsOf(q, e.words.Analyze([]byte(q)), tb.words), e.full.Analyze([]byte(q))
	}
	n := len(wa.TokenFilters)
	var stream analysis.TokenStream
	if _, ok := full.Tokenizer.(*unicode.UnicodeTokenizer); ok {
		stream = tb.tokenize(q)
	}
	if stream == nil {
		stream = full.Tokenizer.Tokenize([]byte(q))
	}
	for _, f := range full.TokenFilters[:n] {
		stream = f.Filter(stream)
	}
	ws := wordsOf(q, stream, tb.words) // copied: the later filters stem in place
	tb.words = ws
	for _, f := range full.TokenFilters[n:] {
		if _, ok := f.(*porter.PorterStemmer); ok {
			tb.stemStream(stream)
			continue
		}
		stream = f.Filter(stream)
	}
	return ws, stream
}

// analyseQuestion runs normalise, analyse and expand on q (already
// spelling-corrected). Fillers are dropped; each remaining term, or
// phrase of the lexicon (longest first), becomes a unit with its
// synonyms.
func (e *Engine) analyseQuestion(q string) analysed {
	a := analysed{text: q}
	tb := newTokens()
	defer tb.release()
	ws, termToks := e.analyseBoth(q, tb)
	texts := make([]string, len(ws), len(ws)+len(termToks))
	starts := resize(tb.starts, len(ws)) // starts[i]: word i begins some phrase of the lexicon
	for i, w := range ws {
		texts[i], starts[i] = w.text, e.lex.starts[w.text]
	}
	tb.starts = starts
	var cues []cueSpan
	a.asks, cues = askedFacts(q, ws, texts, starts, e.lex, tb.cues[:0])
	tb.cues = cues
	cueAt := func(start int) (string, bool) {
		for _, c := range cues {
			if start >= c.start && start < c.end {
				return c.kind, c.asking
			}
		}
		return "", false
	}
	// Byte ranges of fillers.
	filler := tb.fillers[:0]
	for i := 0; i < len(ws); {
		n := 0
		if starts[i] {
			n = e.lex.longest(texts[i:], e.lex.maxFiller, fillerPhrases, nil)
		}
		if n == 0 {
			i++
			continue
		}
		filler = append(filler, [2]int{ws[i].start, ws[i+n-1].end})
		a.dropped = append(a.dropped, strings.Join(texts[i:i+n], " "))
		i += n
	}
	tb.fillers = filler
	inFiller := func(start int) bool {
		for _, f := range filler {
			if start >= f[0] && start < f[1] {
				return true
			}
		}
		return false
	}
	// Phrasal verbs: the start of each verb followed by its particle,
	// with what the two mean.
	var phrasal map[int][]expansion
	if len(e.lex.phrasal) > 0 {
		for i := 0; i+1 < len(ws); i++ {
			if !e.lex.particles[texts[i+1]] {
				continue
			}
			if x, ok := e.lex.phrasal[stem(texts[i])+" "+texts[i+1]]; ok && !inFiller(ws[i].start) {
				if phrasal == nil {
					phrasal = map[int][]expansion{}
				}
				phrasal[ws[i].start] = x
			}
		}
	}
	terms := tb.terms[:0]
	for _, t := range termToks {
		if !inFiller(t.Start) {
			terms = append(terms, qterm{textAt(q, t.Start, t.Term), t.Start})
		}
	}
	tb.terms = terms
	stems := texts[len(texts):len(texts)] // texts has room for them
	for _, t := range terms {
		stems = append(stems, t.stem)
	}
	if len(terms) > 0 {
		a.units = make([]unit, 0, len(terms))
	}
	for i := 0; i < len(terms); {
		n := e.lex.longest(stems[i:], e.lex.maxPhrase, expandPhrases, nil)
		var held *heldAlts
		if n > 0 {
			held = e.heldAlts(strings.Join(stems[i:i+n], " "))
		} else {
			n = 1
		}
		keys := stems[i : i+n : i+n]
		if !slices.ContainsFunc(a.units, func(u unit) bool { return slices.Equal(u.keys, keys) }) {
			u := unit{keys: keys}
			u.fact, u.asking = cueAt(terms[i].start)
			if held != nil {
				// Shared: full slices, so that derive's appends copy.
				u.alts, u.scopes = held.alts[:len(held.alts):len(held.alts)], held.scopes[:len(held.scopes):len(held.scopes)]
			}
			if x := phrasal[terms[i].start]; n == 1 && x != nil {
				for _, p := range x {
					if e.phraseDF(p.stems) > 0 {
						// append copies: held's slices are full.
						u.alts, u.scopes = append(u.alts, p.stems), append(u.scopes, "")
					}
				}
			}
			a.units = append(a.units, u)
		}
		i += n
	}
	return a
}

// heldSlot keeps a phrase's heldAlts for an engine; its lexicon has one
// slot per phrase of expand.
type heldSlot struct{ p atomic.Pointer[heldAlts] }

// heldAlts are the expansions of a phrase that some passage holds (a
// synonym with a word no passage holds can match nowhere), as of the
// engine's termsGen; read only.
type heldAlts struct {
	gen    uint64
	alts   [][]string // their stems, in the lexicon's order
	scopes []string
}

// heldAlts returns the expansions of the lexicon's phrase p that some
// passage holds, worked out once for each set of terms the passages hold.
// The caller holds e.mu.
func (e *Engine) heldAlts(p string) *heldAlts {
	slot := e.lex.held[p]
	if slot == nil {
		return nil
	}
	if h := slot.p.Load(); h != nil && h.gen == e.termsGen {
		return h
	}
	alts := e.lex.expand[p]
	h := &heldAlts{gen: e.termsGen, alts: make([][]string, 0, len(alts)), scopes: make([]string, 0, len(alts))}
	for _, alt := range alts {
		if e.phraseDF(alt.stems) > 0 {
			h.alts = append(h.alts, alt.stems)
			h.scopes = append(h.scopes, alt.scope)
		}
	}
	slot.p.Store(h)
	return h
}

// minRoot is the length of the shortest common beginning by which two
// stems are taken for forms of one word ("applic", "appli"; "organis",
// "organiz"; "evalu", "evaluat"), and rootSlack how many letters of the
// shorter stem may differ after it.
const (
	minRoot   = 5
	rootSlack = 2
)

// derive adds to each one-word unit the passages' terms that look like
// other forms of its word (see minRoot), as synonyms that hold in every
// document. The caller holds
// e.mu.
func (e *Engine) derive(units []unit) {
	for i := range units {
		u := &units[i]
		if len(u.keys) != 1 || len(u.keys[0]) < minRoot {
			continue
		}
		k := u.keys[0]
		var forms []string
		for _, t := range e.roots[k[:minRoot]] {
			if t != k && e.df[t] > 0 && commonPrefix(k, t) >= max(minRoot, min(len(k), len(t))-rootSlack) {
				forms = append(forms, t)
			}
		}
		slices.Sort(forms) // roots holds terms in the order passages happened to list them
		for _, t := range forms {
			u.alts = append(u.alts, []string{t})
			u.scopes = append(u.scopes, "")
		}
	}
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// weigh sets each unit's weight: the IDF of its rarest form that occurs
// in some passage (the question's own words or a synonym), or, when none
// occurs anywhere, the largest IDF there is. The caller holds e.mu.
func (e *Engine) weigh(units []unit, w *work) {
	n := len(e.passages)
	nforms := 0
	for _, u := range units {
		nforms += 1 + len(u.alts)
	}
	var all [][]string
	if w != nil {
		all = w.forms[:0]
	}
	if cap(all) < nforms {
		all = make([][]string, 0, nforms)
	}
	for i := range units {
		u := &units[i]
		from := len(all)
		all = append(append(all, u.keys), u.alts...)
		u.all = all[from:len(all):len(all)]
		best := -1
		for _, form := range u.all {
			if df := e.phraseDF(form); df > 0 && (best < 0 || df < best) {
				best = df
			}
		}
		u.known = best > 0 || u.fact != ""
		df := max(best, 0)
		if best <= 0 && u.fact != "" {
			df = n / 2 // a kind of fact, found in many passages
		}
		u.weight = idf(df, n) * (1 - e.params.colloquialCut(u))
	}
	if w != nil {
		w.forms = all
	}
}

// colloquialCut is the share of its weight a unit loses for being a word
// of conversation more than of documents ("get", "want", "happen",
// "lot"): a question put in everyday words carries them, and a passage
// that happens to use one is no better an answer for it. The rarity of a
// word in one document cannot tell "get" from "deadline"; how much more
// often it is said than written, in English at large, can. A cue for a
// kind of fact ("phone number") and a several-word unit keep their
// weight.
func (p *Params) colloquialCut(u *unit) float64 {
	if len(u.keys) != 1 || u.fact != "" || p.ColloquialScale <= 0 {
		return 0
	}
	r := colloquialness()[u.keys[0]]
	return p.Colloquial * min(1, r/p.ColloquialScale)
}

// phraseDF estimates how many passages hold all the stems of a phrase: the
// fewest holding any one of them.
func (e *Engine) phraseDF(stems []string) int {
	df := -1
	for _, s := range stems {
		if d := e.df[s]; df < 0 || d < df {
			df = d
		}
	}
	return max(df, 0)
}
