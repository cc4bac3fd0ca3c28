package knowledge

import (
	"fmt"
	"math"
	"regexp"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

const (
	analyzerName   = "hiecbot_en"
	thesaurusName  = "hiecbot_thesaurus_embedded"
	fieldTitle     = "title"
	fieldBody      = "body"
	titleBoost     = 2.0
	candidateCount = 10 // hits fetched from bleve and re-ranked
)

// newMapping returns the index mapping: two text fields, title and body,
// analysed in English (Unicode words, possessives stripped, lower case,
// thesaurus, English stop words, Porter stems) and scored with BM25.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	m.ScoringModel = index.BM25Scoring
	if err := m.AddCustomTokenFilter(thesaurusName, map[string]interface{}{
		"type":  thesaurusFilterType,
		"rules": thesaurusText,
	}); err != nil {
		return nil, fmt.Errorf("thesaurus: %w", err)
	}
	if err := m.AddCustomAnalyzer(analyzerName, map[string]interface{}{
		"type":      custom.Name,
		"tokenizer": unicode.Name,
		"token_filters": []interface{}{
			en.PossessiveName, lowercase.Name, thesaurusName, en.StopName, porter.Name,
		},
	}); err != nil {
		return nil, fmt.Errorf("analyzer: %w", err)
	}
	m.DefaultAnalyzer = analyzerName
	doc := bleve.NewDocumentStaticMapping()
	for _, name := range []string{fieldTitle, fieldBody} {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerName
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		doc.AddFieldMappingsAt(name, f)
	}
	m.DefaultMapping = doc
	return m, nil
}

// newIndex opens an empty in-memory index.
//
// bleve.NewMemOnly would use the upsidedown index, which cannot report
// field lengths, and bleve then silently scores with TF-IDF whatever the
// mapping's ScoringModel says. A scorch index with an empty path lives in
// memory too and supports BM25.
func newIndex(m mapping.IndexMapping) (bleve.Index, error) {
	return bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
}

// span is an analysed term of a passage's text with its byte offsets.
type span struct {
	start, end int
	key        string
}

// indexed is a passage with its analysis.
type indexed struct {
	passage
	bodyText string // text with URLs masked, and label, as indexed
	// terms holds every term of the passage (title, context, label, text,
	// answer types, slide key) with where it occurs.
	terms    map[string]*termInfo
	spans    []span // terms of the text, in order
	lineEnds []int  // byte offset of the end of each line of the text
}

// termInfo says where a term occurs in a passage.
type termInfo struct {
	inTitle  bool  // in the title, label or context
	lines    []int // the lines of the text that contain it, ascending
	mentions int   // the number of its spans in the text
}

// term returns the info of term k of ip, adding it if need be.
func (ip *indexed) term(k string) *termInfo {
	t := ip.terms[k]
	if t == nil {
		t = &termInfo{}
		ip.terms[k] = t
	}
	return t
}

// addLine records term k on line i of the text.
func (ip *indexed) addLine(k string, i int) {
	t := ip.term(k)
	if n := len(t.lines); n == 0 || t.lines[n-1] != i {
		t.lines = append(t.lines, i)
	}
}

// urlPattern matches a URL in a passage's text.
var urlPattern = regexp.MustCompile(`(?:https?://|www\.)[^\s<>"')\]]+`)

// maskURLs replaces each URL in text with the word "http" padded with
// spaces to the URL's length, so that a URL is indexed as a link (the
// thesaurus maps "http" to "website") and not as the words of its path,
// while byte offsets stay those of text. It returns the masked text and
// the URLs' byte ranges.
func maskURLs(text string) (string, [][]int) {
	locs := urlPattern.FindAllStringIndex(text, -1)
	if locs == nil {
		return text, nil
	}
	b := []byte(text)
	for _, l := range locs {
		copy(b[l[0]:], "http")
		for i := l[0] + len("http"); i < l[1]; i++ {
			b[i] = ' '
		}
	}
	return string(b), locs
}

// contextText is what every passage is about. Its terms, and those of the
// passage's own context, are added to the passage's terms for coverage
// (not to the index), so that "HIEC" in a question is taken as context and
// weighs next to nothing, and "the guide" is covered by every slide.
const contextText = "HIEC"

// analyse analyses a passage with a, the index's analyzer.
func analyse(a analysis.Analyzer, p passage) *indexed {
	body, urls := maskURLs(p.text)
	ip := &indexed{passage: p, bodyText: body, terms: make(map[string]*termInfo), lineEnds: lineEnds(p.text)}
	for _, text := range []string{contextText, p.context, p.searchTitle, p.label} {
		for _, tok := range a.Analyze([]byte(text)) {
			ip.term(string(tok.Term)).inTitle = true
		}
		for _, k := range answerTypes(text) {
			ip.term(k).inTitle = true
		}
	}
	line := 0
	for _, tok := range a.Analyze([]byte(body)) {
		k := string(tok.Term)
		sp := span{tok.Start, tok.End, k}
		for _, u := range urls {
			if sp.start == u[0] {
				sp.end = u[1] // a match on the link highlights the whole URL
			}
		}
		for line < len(ip.lineEnds)-1 && sp.start > ip.lineEnds[line] {
			line++
		}
		ip.addLine(k, line)
		ip.term(k).mentions++
		ip.spans = append(ip.spans, sp)
	}
	start := 0
	for i, end := range ip.lineEnds {
		for _, k := range answerTypes(p.text[start:end]) {
			ip.addLine(k, i)
		}
		start = end
	}
	if p.label != "" {
		ip.bodyText += "\n" + p.label
	}
	return ip
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

func (ip *indexed) document() map[string]interface{} {
	return map[string]interface{}{fieldTitle: ip.searchTitle, fieldBody: ip.bodyText}
}

// idf is the BM25 inverse document frequency of a term found in df of n
// passages; a term found nowhere gets the largest value.
func idf(df, n int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}
