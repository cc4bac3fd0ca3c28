package knowledge

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// The analysis. One tokenizer (bleve's Unicode word segmentation) serves
// the index, the questions, coverage and highlighting alike, in two
// chains: fullAnalyzer (possessives stripped, lower case, English stop
// words dropped, Porter stems) makes the terms that are searched and
// counted; wordsAnalyzer (possessives, lower case) makes the words that
// fillers and cues are matched on.
const (
	fullAnalyzer  = "hiecbot_terms"
	wordsAnalyzer = "hiecbot_words"
	stopMap       = "hiecbot_stop_words"
	stopFilter    = "hiecbot_stop"
)

// stopWords returns the words of lexicon/stopwords.txt.
func stopWords() ([]interface{}, error) {
	words, err := wordList("lexicon/stopwords.txt")
	out := make([]interface{}, len(words))
	for i, w := range words {
		out[i] = w
	}
	return out, err
}

// newAnalyzers returns the two analysis chains, built by a bleve mapping
// (bleve's registry of tokenizers and filters).
func newAnalyzers() (full, words analysis.Analyzer, err error) {
	m := bleve.NewIndexMapping()
	stops, err := stopWords()
	if err != nil {
		return nil, nil, err
	}
	if err := m.AddCustomTokenMap(stopMap, map[string]interface{}{"type": tokenmap.Name, "tokens": stops}); err != nil {
		return nil, nil, fmt.Errorf("stop words: %w", err)
	}
	if err := m.AddCustomTokenFilter(stopFilter, map[string]interface{}{"type": stop.Name, "stop_token_map": stopMap}); err != nil {
		return nil, nil, fmt.Errorf("stop words: %w", err)
	}
	// The words chain is the beginning of the full chain, which lets a
	// question be tokenized once for both (see Engine.analyseBoth).
	words0 := []interface{}{en.PossessiveName, lowercase.Name}
	for name, filters := range map[string][]interface{}{
		fullAnalyzer:  append(append([]interface{}{}, words0...), stopFilter, porter.Name),
		wordsAnalyzer: words0,
	} {
		if err := m.AddCustomAnalyzer(name, map[string]interface{}{
			"type": custom.Name, "tokenizer": unicode.Name, "token_filters": filters,
		}); err != nil {
			return nil, nil, fmt.Errorf("analyzer %s: %w", name, err)
		}
	}
	return m.AnalyzerNamed(fullAnalyzer), m.AnalyzerNamed(wordsAnalyzer), nil
}

// stem returns the Porter stem of a lower-case word, as fullAnalyzer
// would.
func stem(w string) string { return porterstemmer.StemString(w) }

// span is a term of a passage's text with its byte offsets.
type span struct {
	start, end int
	key        string
}

// indexed is a passage with its analysis.
type indexed struct {
	passage
	// terms holds every term of the passage with where it occurs.
	terms    map[string]*termInfo
	spans    []span  // the terms of the text, in order
	spanBits []uint8 // keyBit of each span's key, for highlight
	// altQs[j] is alternative phrasing j of altList read as a question,
	// found on first use by Engine.bestAlt.
	altQsOnce sync.Once
	altQs     []altQuestion
	lineEnds  []int // byte offset of the end of each line of the text

	// altW holds the IDF of altQs' terms (see Engine.altWeights).
	altW atomic.Pointer[altWeights]
	// The facts it states, found on first use (see findFacts): most
	// passages are never a candidate.
	factsOnce sync.Once
	facts     []map[string]bool // the kinds of fact stated on each line
	factSpans []span            // where, the key holding the kind
	// titleFacts are the kinds of fact its title states.
	titleFacts map[string]bool
	// lineSets and titleSet are facts and titleFacts as bits (see
	// factBits).
	lineSets []uint64
	titleSet uint64
	// analyzer analyses a passage loaded from the cache, once, on first
	// use of terms, spans or lineEnds (see analysis).
	analyzer     analysis.Analyzer
	analysedOnce sync.Once
	seq          int   // the order it was added in; ties go to the earlier
	num          int32 // its number in the postings
}

// termInfo says where a term occurs in a passage.
type termInfo struct {
	inTitle bool   // in the title or heading path
	nAlts   int    // how often, in the alternative phrasings
	alts    uint64 // which of them: altBit(j) for phrasing j of altList
	pos     []int  // positions (term numbers) in the text, ascending
	tpos    []int  // positions in the title
	// num is its number among the passage's terms in the postings (see
	// postings.add).
	num int32
}

// altBit is the bit of termInfo.alts for alternative phrasing j; the
// 64th and later phrasings share the last bit.
func altBit(j int) uint64 { return 1 << min(j, 63) }

func (ip *indexed) term(k string) *termInfo {
	t := ip.terms[k]
	if t == nil {
		t = &termInfo{}
		ip.terms[k] = t
	}
	return t
}

// titleText is what a passage's title field holds: its heading path, or
// its title when it has none and the title is the source's own words.
func (p passage) titleText() string {
	t := p.title
	if p.editorial {
		t = ""
	}
	if len(p.path) > 0 {
		t = ""
		for i, h := range p.path {
			if i > 0 {
				t += "\n"
			}
			t += h
		}
	}
	return t
}

// altList returns the passage's alternative phrasings, each a question
// it answers: its alts, then its phrasings.
func (p passage) altList() []string {
	if len(p.phrasings) == 0 {
		return p.alts
	}
	return append(append(make([]string, 0, len(p.alts)+len(p.phrasings)), p.alts...), p.phrasings...)
}

// analyse analyses a passage with a, the full analyzer.
func analyse(a analysis.Analyzer, p passage) *indexed {
	ip := &indexed{passage: p}
	ip.analyseWith(a)
	ip.analysedOnce.Do(func() {})
	return ip
}

// analysis makes sure the passage's terms, spans and lines are known: a
// passage loaded from the cache (see cache.go) is analysed on first use.
func (ip *indexed) analysis() {
	ip.analysedOnce.Do(func() { ip.analyseWith(ip.analyzer) })
}

func (ip *indexed) analyseWith(a analysis.Analyzer) {
	p := ip.passage
	ip.terms, ip.lineEnds = make(map[string]*termInfo), lineEnds(p.text)
	tb := newTokens() // the terms are copied from it
	defer tb.release()
	for i, tok := range tb.analyze(a, p.titleText()) {
		t := ip.term(string(tok.Term))
		t.inTitle = true
		t.tpos = append(t.tpos, i)
	}
	for j, alt := range p.altList() {
		for _, tok := range tb.analyze(a, alt) {
			t := ip.term(string(tok.Term))
			t.nAlts++
			t.alts |= altBit(j)
		}
	}
	for i, tok := range tb.analyze(a, p.text) {
		k := string(tok.Term)
		ip.term(k).pos = append(ip.term(k).pos, i)
		ip.spans = append(ip.spans, span{tok.Start, tok.End, k})
		ip.spanBits = append(ip.spanBits, keyBit(k))
	}
}

// findFacts finds the facts ip states, once; safe for concurrent use.
func (ip *indexed) findFacts() {
	ip.analysis()
	ip.factsOnce.Do(func() {
		ip.titleFacts = factsIn(ip.titleText())
		ip.titleSet = factSet(ip.titleFacts)
		start := 0
		ip.facts = make([]map[string]bool, len(ip.lineEnds))
		ip.lineSets = make([]uint64, len(ip.lineEnds))
		for i, end := range ip.lineEnds {
			line := ip.text[start:end]
			ip.facts[i] = factsIn(line)
			ip.lineSets[i] = factSet(ip.facts[i])
			for k := range ip.facts[i] {
				for _, loc := range factKinds[k].FindAllStringIndex(line, -1) {
					ip.factSpans = append(ip.factSpans, span{start + loc[0], start + loc[1], k})
				}
			}
			start = end + 1
		}
	})
}

// lineOf returns the line of the text that term number i is on.
func (ip *indexed) lineOf(i int) int {
	if i < 0 || i >= len(ip.spans) {
		return 0
	}
	off := ip.spans[i].start
	lo, hi := 0, len(ip.lineEnds)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if ip.lineEnds[mid] < off {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// lineEnds returns the byte offset of the end of each line of text.
func lineEnds(text string) []int {
	var ends []int
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			ends = append(ends, i)
		}
	}
	return append(ends, len(text))
}

// idf is the BM25 inverse document frequency of a term found in df of n
// passages; a term found nowhere gets the largest value.
func idf(df, n int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}
