package knowledge

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Spelling correction of questions.
//
// Bidders type fast: "charitible", "entitiy", "shortlisitng". A misspelt
// word occurs in no passage, so it would weigh the most in a question and
// make an in-scope question look off-topic. Before a question is analysed,
// each word of at least minTypoLen letters that is not in the vocabulary
// (the words of the passages and of the lexicon's synonyms) is replaced by the one
// vocabulary word within one edit of it (a letter inserted, deleted,
// replaced, or two neighbours swapped) that starts with the same letter,
// if there is exactly one such word up to inflection. Short words are left
// alone: at up to five letters many words are one edit from another
// ("train", "rain"; "share", "shape"), and so are short words inflected
// ("raining", "raising"; see base). Words of other
// topics ("weather", "cricket") are rarely one edit from a word of the
// sources, and stay unknown. Nor is a word of English (lexicon/english.txt)
// that is one edit from another: "appeal" is not "appear", nor "summit"
// "submit", though a source has only the second; it may only become the
// same word in the other spelling ("licences", "licenses"). Text-speak ("r", "u", "teh") belongs in a
// synonyms file instead.

// minTypoLen is the length, in letters, from which an unknown word is
// corrected.
const minTypoLen = 6

// vocabulary holds known words and, for correction, every known word of
// at least minTypoLen-1 letters under each of its one-letter deletions.
type vocabulary struct {
	words   map[string]struct{}
	deletes map[string][]string // a word less one letter -> known words
}

// maxTypoLen is the length, in runes, of the longest word spelling
// correction looks at, as a known word or as a question's: a longer one
// is a code, a link or a run of keys, not a misspelt word, and its
// deletions would cost the square of its length (a bidder's 40,000-letter
// "word" took 2 GB).
const maxTypoLen = 30

func newVocabulary() *vocabulary {
	return &vocabulary{words: make(map[string]struct{}), deletes: make(map[string][]string)}
}

// addText adds the words of text.
func (v *vocabulary) addText(text string) {
	forEachWord(text, func(_, _ int, w string) {
		v.add(w)
	})
}

// has reports whether w is a known word.
func (v *vocabulary) has(w string) bool {
	_, ok := v.words[w]
	return ok
}

// add adds a lower-case word.
func (v *vocabulary) add(w string) {
	if _, ok := v.words[w]; ok {
		return
	}
	v.words[w] = struct{}{}
	n := utf8.RuneCountInString(w)
	if n < minTypoLen-1 || n > maxTypoLen {
		return
	}
	for _, d := range deletions(w) {
		if !contains(v.deletes[d], w) {
			v.deletes[d] = append(v.deletes[d], w)
		}
	}
}

func contains(ws []string, w string) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

// deletions returns w with each of its letters deleted in turn.
func deletions(w string) []string {
	rs := []rune(w)
	out := make([]string, 0, len(rs))
	for i := range rs {
		out = append(out, string(rs[:i])+string(rs[i+1:]))
	}
	return out
}

// correct returns q with misspelt words replaced (see above); q itself if
// none is.
func (v *vocabulary) correct(q string) string {
	var b strings.Builder
	last := 0
	forEachWord(q, func(start, end int, w string) {
		if n := utf8.RuneCountInString(w); n < minTypoLen || n > maxTypoLen+1 || utf8.RuneCountInString(base(w)) < minTypoLen-1 {
			return
		}
		if _, ok := v.words[w]; ok {
			return
		}
		if _, ok := v.words[stem(w)]; ok {
			return
		}
		fix := v.suggest(w)
		if fix == "" || englishWords()[w] && stem(fix) != stem(w) && !spellingVariant(w, fix) {
			// A word of English is not a misspelling of another
			// ("appeal", "appear"): only of itself in the other
			// spelling ("licences", "licenses").
			return
		}
		b.WriteString(q[last:start])
		b.WriteString(fix)
		last = end
	})
	if last == 0 {
		return q
	}
	b.WriteString(q[last:])
	return b.String()
}

// englishWords is the set of lexicon/english.txt: words of English of
// at least minTypoLen letters.
var englishWords = sync.OnceValue(func() map[string]bool {
	data, err := lexiconFS.ReadFile("lexicon/english.txt")
	if err == nil {
		m := map[string]bool{}
		if err = lines("embedded lexicon/english.txt", string(data), func(_ int, line string) error {
			for _, w := range strings.Fields(line) {
				m[w] = true
			}
			return nil
		}); err == nil {
			return m
		}
	}
	panic(err)
})

// spellingVariant reports whether a and b, one edit apart, are one word
// in British and American spelling, by the patterns those spellings take
// at a word's end (before an inflection): "colour" and "color" (-our),
// "organise", "organisation" and "organize" (-ise, -isation, -yse),
// "licence" and "license", "defence" and "defense" (-ence), "centre" and
// "center" (-re), "travelled" and "traveled" (a vowel's l doubled before
// -ed, -ing, -er). Words one edit apart elsewhere are other words:
// "contrast" and "contract", "recent" and "resent", "filling" and
// "filing", "mourning" and "morning".
func spellingVariant(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	i := 0
	for i < len(b) && a[i] == b[i] {
		i++
	}
	// rest is what follows the spelling's pattern: nothing or an ending.
	ending := func(rest string) bool {
		switch rest {
		case "", "s", "d", "ed", "es", "ing", "er", "ers", "ful", "able", "ite", "ites", "ation", "ations", "ment", "ments":
			return true
		}
		return false
	}
	if len(a) == len(b)+1 {
		// a has one letter more, at i.
		switch a[i] {
		case 'u': // colour, colours, coloured, behaviour
			return i > 0 && a[i-1] == 'o' && i+1 < len(a) && a[i+1] == 'r' && ending(a[i+2:])
		case 'l': // travelled, traveller, enroll: the l of a vowel doubled
			if i+1 < len(a) && a[i+1] == 'l' {
				i++ // the extra l is the second of the pair
			}
			return i > 1 && a[i-1] == 'l' && (a[i-2] == 'e' || a[i-2] == 'o') && ending(a[i+1:])
		}
		return false
	}
	if len(a) != len(b) || i == len(a) {
		return false
	}
	if a[i+1:] == b[i+1:] {
		x, y := min(a[i], b[i]), max(a[i], b[i])
		switch {
		case x == 's' && y == 'z': // -ise, -ize, -isation, -yse
			return i > 0 && (a[i-1] == 'i' || a[i-1] == 'y') && i+1 < len(a) && (a[i+1] == 'e' || a[i+1] == 'a' || a[i+1] == 'i') &&
				(ending(a[i+2:]) || ending(a[i+1:]) || strings.HasPrefix(a[i+1:], "ation"))
		case x == 'c' && y == 's': // -ence, -ense
			return i > 1 && a[i-2:i] == "en" && i+1 < len(a) && a[i+1] == 'e' && ending(a[i+2:])
		}
		return false
	}
	// Neighbours swapped at the end: "re" for "er".
	swapped := a[i:i+2] == "re" && b[i:i+2] == "er" || a[i:i+2] == "er" && b[i:i+2] == "re"
	return swapped && ending(a[i+2:])
}

// inflections are endings of regular inflections.
var inflections = []string{"ing", "ed", "es", "s"}

// base returns w without a regular inflection: a short word inflected
// ("raining", "raised") is as near to other words as the short word is, so
// it is left alone like one: "raining" is not "raising".
func base(w string) string {
	for _, suf := range inflections {
		if b, ok := strings.CutSuffix(w, suf); ok {
			return b
		}
	}
	return w
}

// suggest returns the known word within one edit of w, or "" if there is
// none or there are several with different stems.
func (v *vocabulary) suggest(w string) string {
	var found []string
	note := func(c string) {
		if c[0] == w[0] && !contains(found, c) && editDistance1(w, c) {
			found = append(found, c)
		}
	}
	// w with a letter deleted may be a known word, or a known word with a
	// letter deleted (a replacement or a swap).
	for _, d := range deletions(w) {
		if _, ok := v.words[d]; ok {
			note(d)
		}
		for _, c := range v.deletes[d] {
			note(c)
		}
	}
	// A known word with a letter deleted may be w (w lacks a letter).
	for _, c := range v.deletes[w] {
		note(c)
	}
	if len(found) == 0 {
		return ""
	}
	s := stem(found[0])
	for _, c := range found[1:] {
		if stem(c) != s {
			return ""
		}
	}
	return found[0]
}

// editDistance1 reports whether a and b differ by exactly one insertion,
// deletion, replacement or swap of neighbouring letters.
func editDistance1(a, b string) bool {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	switch len(y) - len(x) {
	case 0:
		i := 0
		for i < len(x) && x[i] == y[i] {
			i++
		}
		if i == len(x) {
			return false // equal
		}
		if string(x[i+1:]) == string(y[i+1:]) {
			return true // replacement
		}
		return i+1 < len(x) && x[i] == y[i+1] && x[i+1] == y[i] && string(x[i+2:]) == string(y[i+2:])
	case 1:
		i := 0
		for i < len(x) && x[i] == y[i] {
			i++
		}
		return string(x[i:]) == string(y[i+1:])
	}
	return false
}

// forEachWord calls f with the byte range and lower-cased text of each run
// of letters in s.
func forEachWord(s string, f func(start, end int, w string)) {
	if isASCII(s) {
		// Lower-casing ASCII keeps offsets: lower-case s once.
		lower := strings.ToLower(s)
		start := -1
		for i := 0; i < len(s); i++ {
			if c := lower[i]; 'a' <= c && c <= 'z' {
				if start < 0 {
					start = i
				}
				continue
			}
			if start >= 0 {
				f(start, i, lower[start:i])
				start = -1
			}
		}
		if start >= 0 {
			f(start, len(s), lower[start:])
		}
		return
	}
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			f(start, i, strings.ToLower(s[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		f(start, len(s), strings.ToLower(s[start:]))
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
