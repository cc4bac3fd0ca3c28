package knowledge

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// thesaurusFilterType is the bleve token filter type that applies a
// thesaurus. Its configuration takes the rules as text under "rules"; the
// syntax is described at the top of thesaurus.txt.
const thesaurusFilterType = "hiecbot_thesaurus"

// conceptPrefix starts every concept key. Tokenizers never produce it, so a
// concept key cannot collide with a word.
const conceptPrefix = "~"

func init() {
	if err := registry.RegisterTokenFilter(thesaurusFilterType, newThesaurusFilter); err != nil {
		panic(err)
	}
}

// compiledThesauri caches parsed thesauri by their rules text, so that
// every Engine built from the embedded thesaurus shares one copy.
var compiledThesauri sync.Map // string -> *thesaurus

func newThesaurusFilter(config map[string]interface{}, _ *registry.Cache) (analysis.TokenFilter, error) {
	rules, ok := config["rules"].(string)
	if !ok {
		return nil, fmt.Errorf("%s token filter: rules must be a string", thesaurusFilterType)
	}
	return compileThesaurus(rules)
}

// compileThesaurus returns the thesaurus of rules, parsing it only once.
func compileThesaurus(rules string) (*thesaurus, error) {
	if t, ok := compiledThesauri.Load(rules); ok {
		return t.(*thesaurus), nil
	}
	t, err := parseThesaurus(rules)
	if err != nil {
		return nil, err
	}
	compiledThesauri.Store(rules, t)
	return t, nil
}

// A concept is what a thesaurus phrase means: the keys emitted in place of
// the phrase. keys[0] is the concept's own key, the rest are implied
// concepts. An ignore rule is a concept without keys.
type concept struct {
	name string
	keys [][]byte
	// generic reports that the phrase is a generic word (see
	// thesaurus.generic): it is kept as it is.
	generic bool
}

// thesaurus is a bleve token filter that replaces thesaurus phrases with
// concept keys. It runs on lower-cased words before stop-word removal and
// stemming, so phrases may contain stop words ("cut off", "when").
//
// A phrase of one word is replaced by its concept's keys. A longer phrase
// also keeps its words, typed analysis.Shingle, so that a passage still
// matches a question that uses one of them on its own; questions drop
// shingles (see analyzeQuestion) so a phrase counts once.
type thesaurus struct {
	surface  map[string]*concept // phrase words joined by " "
	stems    map[string]*concept // phrase stems joined by " "; nil if ambiguous
	firstLen map[string]int      // longest phrase starting with a word or stem
	aspects  map[string]bool     // keys of aspect concepts
	hubs     map[string]bool     // keys of hub concepts
	// generic holds the stems of generic words: verbs, adjectives and
	// abstract nouns that say how a question is put, not what it is about
	// ("characterise", "envisaged", "wider", "circumstances"). They stay
	// words, but weigh little (see Engine.unitWeights).
	generic map[string]bool
}

// vocabulary returns a new vocabulary of the thesaurus's words and the
// English stop words: words a question may use that are not misspelt.
func (t *thesaurus) vocabulary() *vocabulary {
	v := newVocabulary()
	for phrase := range t.surface {
		v.addText(phrase)
	}
	for _, line := range strings.Split(string(en.EnglishStopWords), "\n") {
		if i := strings.IndexByte(line, '|'); i >= 0 {
			line = line[:i]
		}
		v.addText(line)
	}
	return v
}

// parseThesaurus compiles thesaurus rules. Errors name the line.
func parseThesaurus(rules string) (*thesaurus, error) {
	t := &thesaurus{
		surface:  make(map[string]*concept),
		stems:    make(map[string]*concept),
		firstLen: make(map[string]int),
		aspects:  make(map[string]bool),
		hubs:     make(map[string]bool),
		generic:  make(map[string]bool),
	}
	type implication struct {
		c       *concept
		phrases []string
		line    int
	}
	var pending []implication
	ignored := &concept{name: "ignore"} // all ignore rules: no keys
	sc := bufio.NewScanner(strings.NewReader(rules))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ignore, aspect, hub := false, false, false
		if rest, ok := strings.CutPrefix(line, "generic:"); ok {
			if err := t.addGeneric(rest); err != nil {
				return nil, fmt.Errorf("thesaurus line %d: %w", n, err)
			}
			continue
		}
		if rest, ok := strings.CutPrefix(line, "ignore:"); ok {
			ignore, line = true, rest
		} else if rest, ok := strings.CutPrefix(line, "aspect:"); ok {
			aspect, line = true, rest
		} else if rest, ok := strings.CutPrefix(line, "hub:"); ok {
			hub, line = true, rest
		}
		lhs, rhs, implies := strings.Cut(line, "=>")
		if ignore && implies {
			return nil, fmt.Errorf("thesaurus line %d: an ignore rule cannot imply concepts", n)
		}
		phrases := splitPhrases(lhs)
		if len(phrases) == 0 {
			return nil, fmt.Errorf("thesaurus line %d: no phrases", n)
		}
		c := ignored
		if !ignore {
			c = &concept{name: phrases[0]}
		}
		if !ignore {
			c.keys = [][]byte{conceptKey(phraseWords(phrases[0]))}
		}
		if aspect {
			t.aspects[string(c.keys[0])] = true
		}
		if hub {
			t.hubs[string(c.keys[0])] = true
		}
		for _, p := range phrases {
			if err := t.add(p, c); err != nil {
				return nil, fmt.Errorf("thesaurus line %d: %w", n, err)
			}
		}
		if implies {
			targets := splitPhrases(rhs)
			if len(targets) == 0 {
				return nil, fmt.Errorf("thesaurus line %d: nothing after =>", n)
			}
			pending = append(pending, implication{c, targets, n})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, im := range pending {
		for _, p := range im.phrases {
			target := t.surface[strings.Join(phraseWords(p), " ")]
			if target == nil || len(target.keys) == 0 {
				return nil, fmt.Errorf("thesaurus line %d: %q is not a phrase of any concept", im.line, p)
			}
			im.c.keys = appendKey(im.c.keys, target.keys[0])
		}
	}
	return t, nil
}

// addGeneric registers the generic words of a generic rule.
func (t *thesaurus) addGeneric(rule string) error {
	words := splitPhrases(rule)
	if len(words) == 0 {
		return fmt.Errorf("no words")
	}
	for _, w := range words {
		if ws := phraseWords(w); len(ws) != 1 {
			return fmt.Errorf("generic %q is not one word", w)
		}
		c := &concept{name: w, generic: true}
		if err := t.add(w, c); err != nil {
			return err
		}
		t.generic[stem(phraseWords(w)[0])] = true
	}
	return nil
}

func splitPhrases(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// add registers phrase p for concept c.
func (t *thesaurus) add(p string, c *concept) error {
	words := phraseWords(p)
	if len(words) == 0 {
		return fmt.Errorf("phrase %q has no words", p)
	}
	key := strings.Join(words, " ")
	if prev, ok := t.surface[key]; ok {
		if prev == c {
			return nil // a spelling variant of a phrase already on the line
		}
		return fmt.Errorf("phrase %q is already a phrase of %q", p, prev.name)
	}
	t.surface[key] = c
	if c.generic {
		t.noteFirst(words[0], 1)
		return nil // a generic word matches as itself only
	}
	stems := make([]string, len(words))
	for i, w := range words {
		stems[i] = stem(w)
	}
	skey := strings.Join(stems, " ")
	if prev, ok := t.stems[skey]; ok && prev != c {
		t.stems[skey] = nil // two concepts share the stems: match words only
	} else if !ok {
		t.stems[skey] = c
	}
	t.noteFirst(words[0], len(words))
	t.noteFirst(stems[0], len(words))
	return nil
}

func (t *thesaurus) noteFirst(w string, n int) {
	if n > t.firstLen[w] {
		t.firstLen[w] = n
	}
}

func appendKey(keys [][]byte, k []byte) [][]byte {
	for _, have := range keys {
		if bytes.Equal(have, k) {
			return keys
		}
	}
	return append(keys, k)
}

func conceptKey(words []string) []byte {
	return []byte(conceptPrefix + strings.Join(words, "_"))
}

// phraseAnalyzer splits thesaurus phrases into words exactly as documents
// are split before the thesaurus filter runs.
var phraseAnalyzer = &analysis.DefaultAnalyzer{
	Tokenizer: unicode.NewUnicodeTokenizer(),
	TokenFilters: []analysis.TokenFilter{
		en.NewPossessiveFilter(),
		lowercase.NewLowerCaseFilter(),
	},
}

func phraseWords(p string) []string {
	tokens := phraseAnalyzer.Analyze([]byte(p))
	words := make([]string, len(tokens))
	for i, tok := range tokens {
		words[i] = string(normaliseApostrophes(tok.Term))
	}
	return words
}

var porterStemmer = porter.NewPorterStemmer()

// stemMemo memoises stem: questions and passages use a few thousand words
// over and over. It holds at most maxStemMemo words.
var stemMemo = struct {
	sync.RWMutex
	m map[string]string
}{m: make(map[string]string)}

const maxStemMemo = 1 << 15

// stem returns the Porter stem of a lower-cased word.
func stem(w string) string {
	stemMemo.RLock()
	s, ok := stemMemo.m[w]
	stemMemo.RUnlock()
	if ok {
		return s
	}
	tok := &analysis.Token{Term: []byte(w)}
	porterStemmer.Filter(analysis.TokenStream{tok})
	s = string(tok.Term)
	stemMemo.Lock()
	if len(stemMemo.m) < maxStemMemo {
		stemMemo.m[strings.Clone(w)] = s
	}
	stemMemo.Unlock()
	return s
}

// normaliseApostrophes turns typographic apostrophes into ASCII ones, so
// that "won’t" meets the stop list's "won't".
func normaliseApostrophes(term []byte) []byte {
	if !bytes.ContainsAny(term, "’‘＇") {
		return term
	}
	s := strings.NewReplacer("’", "'", "‘", "'", "＇", "'").Replace(string(term))
	return []byte(s)
}

// Filter implements analysis.TokenFilter.
func (t *thesaurus) Filter(input analysis.TokenStream) analysis.TokenStream {
	words := make([]string, len(input))
	for i, tok := range input {
		tok.Term = normaliseApostrophes(tok.Term)
		words[i] = string(tok.Term)
	}
	stems := make([]string, len(input)) // computed on demand
	out := make(analysis.TokenStream, 0, len(input))
	var buf [64]byte
	for i := 0; i < len(input); {
		c, n := t.match(words, stems, i, buf[:0])
		if c == nil || c.generic {
			out = append(out, input[i])
			i++
			continue
		}
		first, last := input[i], input[i+n-1]
		for _, k := range c.keys {
			out = append(out, &analysis.Token{
				Term:     append([]byte(nil), k...),
				Start:    first.Start,
				End:      last.End,
				Position: first.Position,
				Type:     analysis.AlphaNumeric,
				KeyWord:  true,
			})
		}
		if n > 1 && len(c.keys) > 0 {
			for _, tok := range input[i : i+n] {
				tok.Type = analysis.Shingle
				out = append(out, tok)
			}
		}
		i += n
	}
	return out
}

// match finds the longest phrase starting at word i, trying the words
// themselves before their stems for each length. It returns the phrase's
// concept and its length in words, or nil. buf is scratch space.
func (t *thesaurus) match(words, stems []string, i int, buf []byte) (*concept, int) {
	maxN := max(t.firstLen[words[i]], t.firstLen[t.stemAt(words, stems, i)])
	maxN = min(maxN, len(words)-i)
	for n := maxN; n >= 1; n-- {
		buf = appendJoined(buf[:0], words[i:i+n])
		if c, ok := t.surface[string(buf)]; ok {
			return c, n
		}
		for j := i; j < i+n; j++ {
			t.stemAt(words, stems, j)
		}
		buf = appendJoined(buf[:0], stems[i:i+n])
		if c := t.stems[string(buf)]; c != nil {
			return c, n
		}
	}
	return nil, 0
}

// appendJoined appends ws joined by single spaces to b.
func appendJoined(b []byte, ws []string) []byte {
	for i, w := range ws {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, w...)
	}
	return b
}

func (t *thesaurus) stemAt(words, stems []string, i int) string {
	if stems[i] == "" {
		stems[i] = stem(words[i])
	}
	return stems[i]
}
