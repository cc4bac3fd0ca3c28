package dialogue

import (
	"strings"
	"unicode"
)

// Duplicate questions: when the sources cannot answer a question, the
// Desk looks among the questions already awaiting the NSG for one that
// asks the same thing, so that the NSG answers it once and every asker
// gets the published answer.
//
// The test is deliberately simple and general, with nothing fitted to
// the guide: the Jaccard similarity of the two questions' sets of content
// words (letters and digits, lower-cased, a plural or possessive "s"
// dropped, function words left out). It is conservative: a merge tells a
// bidder to wait for someone else's answer, so a false merge costs more
// than a missed one (which only means the NSG sees the question twice).

// DuplicateThreshold is the similarity at or above which a question is
// taken to ask what another asks: at least three in every five of their
// distinct content words shared.
const DuplicateThreshold = 0.6

// minContentWords is how many content words each question needs before
// it can be a duplicate: two one-word questions sharing their word say
// too little.
const minContentWords = 2

// Similarity is the Jaccard similarity (0 to 1) of the content words of
// two questions; 0 when either has fewer than two.
func Similarity(a, b string) float64 {
	wa, wb := contentWords(a), contentWords(b)
	if len(wa) < minContentWords || len(wb) < minContentWords {
		return 0
	}
	shared := 0
	for w := range wa {
		if wb[w] {
			shared++
		}
	}
	return float64(shared) / float64(len(wa)+len(wb)-shared)
}

// contentWords returns the distinct content words of s.
func contentWords(s string) map[string]bool {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	out := make(map[string]bool, len(words))
	for _, w := range words {
		w = strings.Trim(w, "'")
		w = strings.TrimSuffix(w, "'s")
		if functionWords[w] || w == "" {
			continue
		}
		out[singular(w)] = true
	}
	return out
}

// singular drops a plural "s" from a word long enough to have one
// ("clusters" → "cluster", "bodies" → "body"), leaving "ss" alone.
func singular(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		return w[:len(w)-1]
	}
	return w
}

// functionWords are English words that carry no topic: articles,
// pronouns, auxiliaries, prepositions, conjunctions and question words.
var functionWords = setOf(`a an the this that these those there here
i me my we us our ours you your yours he him his she her it its they them their
am is are was were be been being do does did done have has had having
can could may might must shall should will would
of in on at to for from by with about as into onto over under than then
and or but if so not no nor also too very just only
what which who whom whose when where why how
any some all each every either neither other such same own
please hi hello thanks thank`)

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
