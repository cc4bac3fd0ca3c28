package knowledge

import (
	"bufio"
	"embed"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
)

// The lexicon is data, not code: the files in lexicon/ (general English,
// embedded), the vocabulary files that come with the embedded corpus
// (corpus/*.synonyms) and operators' own files (Options.Synonyms).
//
//go:embed lexicon/*.txt
var lexiconFS embed.FS

// A lexicon holds what the pipeline knows of words beyond the passages:
// which phrases mean the same (synonyms), which words of a question only
// say how it is asked (fillers), and which phrases ask for a kind of fact
// (cues).
type lexicon struct {
	// expand maps a phrase, as its stems joined by spaces, to the phrases
	// that may stand for it in a passage.
	expand map[string][]expansion
	// held has a slot for each phrase of expand, where an engine keeps
	// the expansions that some passage holds (see Engine.heldAlts).
	held map[string]*heldSlot
	// maxPhrase is the length, in stems, of the longest phrase of expand.
	maxPhrase int
	// words are the words of the phrases as written, for spelling
	// correction.
	words []string
	// fillers are phrases, as lower-case words joined by spaces, that say
	// how a question is put ("could you tell me", "please").
	fillers   map[string]bool
	maxFiller int
	// cues map a phrase of lower-case words to the kind of fact it asks
	// for (see answer types in facts.go); clauseCues only count at the
	// start of a clause ("when").
	cues, clauseCues map[string]string
	// asking holds the cues that only ask ("what day", "how much"), as
	// against those that also name what is asked about ("deadline",
	// "email address"): see unit.asking.
	asking map[string]bool
	maxCue int
	// phrasal maps a phrasal verb, as its verb's stem and its particle
	// joined by a space ("turn down"), to the phrases it means, as stem
	// phrases (see lexicon/phrasal.txt).
	phrasal map[string][]expansion
	// particles are the particles of phrasal: a word not followed by one
	// begins no phrasal verb, and is not stemmed to find out.
	particles map[string]bool
	// prefixes holds every proper beginning, in whole words, of a phrase
	// of expand, fillers and cues: a run of a question's words that is
	// none of them is not extended further (see longest).
	prefixes map[string]bool
	// starts holds every phrase of expand, fillers and cues, and every
	// proper beginning of one: a run of a question's words whose first
	// is not here is none of them (see longest).
	starts map[string]bool
}

// addPrefixes records the proper beginnings of phrase p, and p and
// them in starts.
func (l *lexicon) addPrefixes(p string) {
	l.starts[p] = true
	for i := 0; i < len(p); i++ {
		if p[i] == ' ' {
			l.prefixes[p[:i]] = true
			l.starts[p[:i]] = true
		}
	}
}

// A phraseSet names the phrases of a lexicon that longest looks for.
type phraseSet uint8

const (
	fillerPhrases phraseSet = iota // fillers
	expandPhrases                  // the phrases of expand
	cuePhrases                     // cues, and clause cues where clause says so
)

// longest returns the length of the longest run parts[:n], n ≤ limit,
// that joined by spaces is a phrase of set; 0 when there is none. For
// cuePhrases a clause cue counts when clause (called only then) reports
// true. The runs are joined in a buffer on the stack and looked up
// without making a string of each.
func (l *lexicon) longest(parts []string, limit int, set phraseSet, clause func() bool) int {
	if len(parts) == 0 || !l.starts[parts[0]] {
		return 0 // one look-up for most words of a question, not two or three
	}
	var buf [64]byte
	best, key := 0, buf[:0]
	for n := 1; n <= min(limit, len(parts)); n++ {
		if n > 1 {
			key = append(key, ' ')
		}
		key = append(key, parts[n-1]...)
		var has bool
		switch set {
		case fillerPhrases:
			has = l.fillers[string(key)]
		case expandPhrases:
			has = l.expand[string(key)] != nil
		case cuePhrases:
			_, has = l.cues[string(key)]
			if _, ok := l.clauseCues[string(key)]; !has && ok {
				has = clause()
			}
		}
		if has {
			best = n
		}
		if !l.prefixes[string(key)] {
			break
		}
	}
	return best
}

// An expansion is a phrase that may stand for another, in the passages
// of one document (scope, see passage.doc) or, when scope is "", in all.
// A document's own vocabulary is scoped to it: that "team" means the
// National Steering Group holds in the guide, not in a tender.
type expansion struct {
	phrase, scope string
	stems         []string // the phrase's stems, split once (read only)
}

func newLexicon() *lexicon {
	return &lexicon{expand: map[string][]expansion{}, held: map[string]*heldSlot{}, fillers: map[string]bool{}, cues: map[string]string{}, clauseCues: map[string]string{}, asking: map[string]bool{}, prefixes: map[string]bool{}, starts: map[string]bool{}}
}

// loadEmbeddedLexicon reads the general English files of lexicon/.
func loadEmbeddedLexicon(l *lexicon, full, words analysis.Analyzer) error {
	for _, f := range []struct {
		name string
		load func(name, text string) error
	}{
		{"lexicon/fillers.txt", func(n, t string) error { return l.addFillers(n, t, words) }},
		{"lexicon/cues.txt", func(n, t string) error { return l.addCues(n, t, words) }},
		{"lexicon/synonyms.txt", func(n, t string) error { return l.addSynonyms(n, t, full, "") }},
		{"lexicon/phrasal.txt", func(n, t string) error { return l.addPhrasal(n, t, full) }},
	} {
		data, err := lexiconFS.ReadFile(f.name)
		if err != nil {
			return err
		}
		if err := f.load("embedded "+f.name, string(data)); err != nil {
			return err
		}
	}
	return nil
}

// loadSynonymsFile reads an operator's synonyms file.
func (l *lexicon) loadSynonymsFile(path string, limit int64, full analysis.Analyzer) error {
	text, err := readText(path, limit)
	if err != nil {
		return fmt.Errorf("synonyms file %s: %w", path, err)
	}
	return l.addSynonyms("synonyms file "+path, text, full, "")
}

// wordList returns the words of an embedded file of lexicon/ that lists
// words, separated by commas.
func wordList(name string) ([]string, error) {
	data, err := lexiconFS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var out []string
	err = lines("embedded "+name, string(data), func(_ int, line string) error {
		for _, w := range strings.Split(line, ",") {
			if w = strings.TrimSpace(w); w != "" {
				out = append(out, w)
			}
		}
		return nil
	})
	return out, err
}

// embeddedWordSet is the set of the words of an embedded word list (see
// wordList). A build without the file is broken, and every test says so.
func embeddedWordSet(name string) map[string]bool {
	words, err := wordList(name)
	if err != nil {
		panic(err)
	}
	set := make(map[string]bool, len(words))
	for _, w := range words {
		set[w] = true
	}
	return set
}

// colloquialness is the table of lexicon/colloquial.txt: for a stem
// said more often than it is written, log10 of how much more often
// (see gen/colloquial.go). A build whose table does not parse is broken,
// and every test says so.
var colloquialness = sync.OnceValue(func() map[string]float64 {
	data, err := lexiconFS.ReadFile("lexicon/colloquial.txt")
	if err == nil {
		var m map[string]float64
		if m, err = parseColloquial("embedded lexicon/colloquial.txt", string(data)); err == nil {
			return m
		}
	}
	panic(err)
})

// parseColloquial reads lines of a stem and a number.
func parseColloquial(name, text string) (map[string]float64, error) {
	m := map[string]float64{}
	err := lines(name, text, func(_ int, line string) error {
		f := strings.Fields(line)
		if len(f) != 2 {
			return fmt.Errorf("%q is not a stem and a number", line)
		}
		r, err := strconv.ParseFloat(f[1], 64)
		if err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
			return fmt.Errorf("%q: %q is not a number of 0 or more", line, f[1])
		}
		m[f[0]] = r
		return nil
	})
	return m, err
}

// lines calls f with each line of text that is not blank or a comment,
// with its number, comments removed.
func lines(name, text string, f func(n int, line string) error) error {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if err := f(n, line); err != nil {
			return fmt.Errorf("%s: line %d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: line %d: %w", name, n+1, err)
	}
	return nil
}

// addSynonyms reads synonym rules, one a line:
//
//	a, b, c        the phrases a, b and c mean the same
//	a, b => c, d   a or b may stand for c or d (and for each other), not
//	               the other way round: "nurse => professional"
//
// The rules hold for the passages of the document scope, or all when
// scope is "".
func (l *lexicon) addSynonyms(name, text string, full analysis.Analyzer, scope string) error {
	return lines(name, text, func(_ int, line string) error {
		for _, w := range strings.FieldsFunc(strings.ToLower(line), func(r rune) bool { return !unicode.IsLetter(r) }) {
			l.words = append(l.words, w)
		}
		left, right, oneWay := strings.Cut(line, "=>")
		from, err := stemPhrases(left, full)
		if err != nil {
			return err
		}
		var to []string
		if oneWay {
			if to, err = stemPhrases(right, full); err != nil {
				return err
			}
		}
		if len(from)+len(to) < 2 {
			return fmt.Errorf("%q names fewer than two searchable phrases: a rule is a list of at least two phrases separated by commas, or \"a => b\" (words such as \"the\", \"of\" or \"at\" are not searched, nor a phrase they leave one word of, such as \"set up\")", line)
		}
		for _, p := range from {
			for _, q := range append(append([]string{}, from...), to...) {
				if q != p {
					l.addExpansion(p, expansion{phrase: q, scope: scope})
				}
			}
		}
		return nil
	})
}

// addPhrasal reads phrasal verbs, one a line: "verb particle => a, b".
func (l *lexicon) addPhrasal(name, text string, full analysis.Analyzer) error {
	if l.phrasal == nil {
		l.phrasal, l.particles = map[string][]expansion{}, map[string]bool{}
	}
	return lines(name, text, func(_ int, line string) error {
		left, right, ok := strings.Cut(line, "=>")
		verb := strings.Fields(strings.ToLower(left))
		if !ok || len(verb) != 2 {
			return fmt.Errorf("%q is not \"verb particle => phrases\"", line)
		}
		to, err := stemPhrases(right, full)
		if err != nil {
			return err
		}
		if len(to) == 0 {
			return fmt.Errorf("%q names no searchable phrase after =>", line)
		}
		key := stem(verb[0]) + " " + verb[1]
		l.particles[verb[1]] = true
		for _, p := range to {
			l.phrasal[key] = append(l.phrasal[key], expansion{phrase: p, stems: strings.Fields(p)})
		}
		return nil
	})
}

func (l *lexicon) addExpansion(p string, q expansion) {
	for _, have := range l.expand[p] {
		if have.phrase == q.phrase && have.scope == q.scope {
			return
		}
	}
	q.stems = strings.Fields(q.phrase)
	l.expand[p] = append(l.expand[p], q)
	if l.held[p] == nil {
		l.held[p] = &heldSlot{}
	}
	l.addPrefixes(p)
	l.maxPhrase = max(l.maxPhrase, strings.Count(p, " ")+1)
}

// stemPhrases analyses the comma-separated phrases of s into stem
// phrases. A phrase made only of stop words ("of the", "at") is left
// out: nothing of it is searched. So is a phrase of several words that
// stop words reduce to one ("in train", "under way", "set up",
// "on-going"): what is left ("train", "wai", "set", "go") would match
// every use of that word, which is not what the phrase means.
func stemPhrases(s string, full analysis.Analyzer) ([]string, error) {
	var out []string
	for _, raw := range strings.Split(s, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			return nil, fmt.Errorf("empty phrase in %q", strings.TrimSpace(s))
		}
		var stems []string
		for _, t := range full.Analyze([]byte(raw)) {
			stems = append(stems, string(t.Term))
		}
		if len(stems) > 1 || len(stems) == 1 && wordCount(raw) == 1 {
			out = append(out, strings.Join(stems, " "))
		}
	}
	return out, nil
}

// wordPhrases splits the comma-separated phrases of s into lower-case
// words as the tokenizer finds them.
func wordPhrases(s string, words analysis.Analyzer) []string {
	var out []string
	for _, raw := range strings.Split(s, ",") {
		var ws []string
		for _, t := range words.Analyze([]byte(raw)) {
			ws = append(ws, string(t.Term))
		}
		if len(ws) > 0 {
			out = append(out, strings.Join(ws, " "))
		}
	}
	return out
}

// addFillers reads filler phrases, comma-separated, any number a line.
func (l *lexicon) addFillers(name, text string, words analysis.Analyzer) error {
	return lines(name, text, func(_ int, line string) error {
		for _, p := range wordPhrases(line, words) {
			l.fillers[p] = true
			l.addPrefixes(p)
			l.maxFiller = max(l.maxFiller, strings.Count(p, " ")+1)
		}
		return nil
	})
}

var cueLine = regexp.MustCompile(`^([a-z]+)(\s+clause|\s+asks)?\s*:\s*(.+)$`)

// addCues reads cue rules, one a line: "date: deadline, due date" (the
// phrases that ask for a date, naming what it is the date of), "date
// asks: what date, what day" (phrases that only ask) or "date clause:
// when" (phrases that only ask, and only at the start of a clause).
func (l *lexicon) addCues(name, text string, words analysis.Analyzer) error {
	return lines(name, text, func(_ int, line string) error {
		m := cueLine.FindStringSubmatch(line)
		if m == nil {
			return fmt.Errorf("%q: want \"KIND: phrase, phrase\"", line)
		}
		kind := m[1]
		if _, ok := factKinds[kind]; !ok {
			kinds := make([]string, 0, len(factKinds))
			for k := range factKinds {
				kinds = append(kinds, k)
			}
			sort.Strings(kinds)
			return fmt.Errorf("unknown kind of fact %q: want one of %s", kind, strings.Join(kinds, ", "))
		}
		set, asks := l.cues, m[2] != ""
		if strings.TrimSpace(m[2]) == "clause" {
			set = l.clauseCues
		}
		for _, p := range wordPhrases(m[3], words) {
			set[p] = kind
			if asks {
				l.asking[p] = true
			}
			l.addPrefixes(p)
			l.maxCue = max(l.maxCue, strings.Count(p, " ")+1)
		}
		return nil
	})
}
