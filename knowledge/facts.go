package knowledge

import (
	"regexp"
	"sort"
	"strings"
)

// Kinds of fact a question can ask for, and how each is recognised in any
// English text. A question that asks for one (see the cues in
// lexicon/cues.txt) is answered by a passage that states one near the
// words of the question.
var factKinds = map[string]*regexp.Regexp{
	"date": regexp.MustCompile(`(?i)\b(?:` +
		`(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b` +
		`|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b` +
		`|(?:january|february|march|april|june|july|august|september|october|november|december)\b` +
		`|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b` +
		`|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}` +
		`|\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}\s*(?:utc|gmt|bst|et|edt|est|pt|pdt|pst)?\b` +
		`|(?:19|20)\d{2}` +
		`|(?:spring|summer|autumn|fall|winter|midnight|noon|tomorrow|today|weekly|monthly|annually|daily)\b` +
		`|(?:business|working|calendar)\s+days?\b)`),
	"duration": regexp.MustCompile(`(?i)\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|sixty|ninety|a|an)(?:\s*(?:-|to|or)\s*\d+)?[\s-]+(?:business\s+|working\s+|calendar\s+)?(?:second|minute|hour|day|week|month|year|semester|term)s?\b`),
	"amount":   regexp.MustCompile(`(?i)(?:[£$€¥]\s?\d|\b\d[\d,.]*\s?(?:k|m|bn|million|billion|thousand|pounds?|dollars?|euros?|usd|gbp|eur)\b|\b(?:usd|gbp|eur)\s?\d|\bfree\b|\bno (?:cost|charge|fee)\b)`),
	"count":    regexp.MustCompile(`(?i)\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|dozen|single|both|several|multiple)\b`),
	"email":    regexp.MustCompile(`(?i)[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}`),
	"phone":    regexp.MustCompile(`(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}[\s.-]\d{3,4}[\s.-]?\d{3,4}\b`),
	"url":      regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:gov|org|com|net|io|uk|edu)(?:/\S*)?\b`),
}

// AKind is a kind of fact with its article, for explanations: "a date",
// "an amount", "an email".
func AKind(kind string) string {
	if kind != "" && strings.ContainsRune("aeio", rune(kind[0])) { // not u: "a url"
		return "an " + kind
	}
	return "a " + kind
}

// factBits gives each kind of fact of factKinds a bit, for sets of kinds
// held in a uint64 (see factSet).
var factBits = func() map[string]uint64 {
	if len(factKinds) > 64 {
		panic("knowledge: more than 64 kinds of fact")
	}
	kinds := make([]string, 0, len(factKinds))
	for k := range factKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	bits := make(map[string]uint64, len(kinds))
	for i, k := range kinds {
		bits[k] = 1 << i
	}
	return bits
}()

// factSet returns the kinds of facts as bits (see factBits).
func factSet(facts map[string]bool) uint64 {
	var set uint64
	for k := range facts {
		set |= factBits[k]
	}
	return set
}

// factsIn returns the kinds of fact stated in text.
func factsIn(text string) map[string]bool {
	out := map[string]bool{}
	for k, re := range factKinds {
		if re.MatchString(text) {
			out[k] = true
		}
	}
	// A duration or an amount is also a count; a date is not.
	if out["duration"] || out["amount"] {
		out["count"] = true
	}
	return out
}

// askedFacts returns the kinds of fact a question asks for, from the cues
// of lex found in its lower-case words (ws, with the byte offset of each
// in the question; texts holds their text, and starts whether each begins
// some phrase of lex, see lexicon.starts). A clause cue counts only as
// the first word of a clause: at the start, or after punctuation or a
// conjunction.
//
// It also returns the byte ranges of the cues with their kinds, appended
// to spans: a word of a cue ("deadline", "cost", "email") is answered by
// a fact of its kind, not by the word.
func askedFacts(q string, ws []word, texts []string, starts []bool, lex *lexicon, spans []cueSpan) ([]string, []cueSpan) {
	var out []string
	add := func(k string) {
		for _, h := range out {
			if h == k {
				return
			}
		}
		out = append(out, k)
	}
	for i := range ws {
		if !starts[i] {
			continue // no phrase of the lexicon begins with the word
		}
		n := lex.longest(texts[i:], lex.maxCue, cuePhrases, func() bool { return clauseStart(q, ws, i) })
		if n > 0 {
			p := strings.Join(texts[i:i+n], " ")
			kind, ok := lex.cues[p]
			if !ok {
				kind = lex.clauseCues[p]
			}
			add(kind)
			spans = append(spans, cueSpan{ws[i].start, ws[i+n-1].end, kind, lex.asking[p]})
		}
	}
	return out, spans
}

// cueSpan is where a question names the kind of fact it asks for.
// asking says its words only ask ("what day", "how much"), where other
// cues also name what is asked about ("deadline", "fee", "email
// address").
type cueSpan struct {
	start, end int
	kind       string
	asking     bool
}

// clauseStart reports whether word i of q begins a clause.
func clauseStart(q string, ws []word, i int) bool {
	if i == 0 {
		return true
	}
	between := strings.TrimSpace(q[ws[i-1].end:ws[i].start])
	if between != "" && strings.ContainsAny(between, ".,;:?!-–—(") {
		return true
	}
	switch ws[i-1].text {
	case "and", "but", "so", "or", "then", "exactly", "roughly", "approximately":
		return true
	}
	return false
}

func joinWords(ws []word) string {
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.text)
	}
	return b.String()
}
