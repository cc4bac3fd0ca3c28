package knowledge

import (
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
)

// A unit is one thing a question asks about: a word, or a thesaurus phrase,
// with the terms that stand for it (a stem, or a concept and the concepts
// it implies). A passage covers a unit if it contains any of its keys.
type unit struct {
	keys []string
	// asked reports whether the unit is in the part of the question that
	// asks (see askedClauses).
	asked bool
	// wanted reports whether the unit says what kind of answer is wanted
	// ("when", "how much"): a passage that does not cover it does not
	// answer the question, whatever else it covers (see confident).
	wanted bool
}

// wantedPhrases ask for a kind of answer: a date, a duration or an amount.
// The thesaurus maps each onto the concept that such an answer contains
// ("when" onto the date, "how much" onto the money).
var wantedPhrases = map[string]bool{
	"when": true, "whens": true, "what date": true, "which date": true,
	"what time": true, "by when": true, "what day": true, "which day": true, "how long": true, "how much": true,
}

// analyzeQuestion splits a question into units, in order, without
// repeats. Stop words and filler ("please tell me") yield no unit, nor do
// small talk (see isChitChat), a "when" that joins clauses (see
// subordinateWhens) and the words that say which slide a question refers
// to, which yield a unit of the slide instead (see slideRefs).
func analyzeQuestion(a analysis.Analyzer, q string) []unit {
	// The analysis of clauses and words ignores case: it is given q lower
	// case once, if that keeps byte offsets (q is ASCII).
	lq := q
	if isASCII(q) {
		lq = strings.ToLower(q)
	}
	split := splitClauses(lq)
	chat := chitChatClauses(lq, split)
	clauses := askingClauses(lq, split)
	subordinate := subordinateWhens(lq, split)
	slides, slideWords := slideRefs(lq)
	var (
		units []unit
		pos   = -1
		index = make(map[string]int) // unit keys -> index in units
	)
	flush := func() {
		if len(units) == 0 {
			return
		}
		last := units[len(units)-1]
		sig := strings.Join(last.keys, " ")
		if i, ok := index[sig]; ok && i != len(units)-1 {
			units[i].asked = units[i].asked || last.asked
			units[i].wanted = units[i].wanted || last.wanted
			units = units[:len(units)-1]
			return
		}
		index[sig] = len(units) - 1
	}
	for _, tok := range a.Analyze([]byte(q)) {
		if tok.Type == analysis.Shingle || chat.asked(tok.Start) || subordinate[tok.Start] ||
			slideWords.asked(tok.Start) {
			continue
		}
		if tok.Position != pos {
			flush()
			pos = tok.Position
			units = append(units, unit{asked: clauses.asked(tok.Start)})
		}
		last := &units[len(units)-1]
		w := surface(lq, tok.Start, tok.End)
		if senses[w] != "" && !roleContext(q[:tok.Start]) {
			if len(last.keys) == 0 {
				last.keys = append(last.keys, senses[w])
			}
			continue
		}
		last.keys = append(last.keys, string(tok.Term))
		if wantedPhrases[w] {
			last.wanted = true
		}
	}
	flush()
	types := askedTypes(lq, clauses)
	for _, u := range units {
		if t := typeConcepts[u.keys[0]]; t != "" && u.asked && !contains(types, t) {
			types = append(types, t)
		}
	}
	for _, k := range types {
		units = append(units, unit{keys: []string{k}, asked: true, wanted: true})
	}
	for _, n := range slides {
		units = append(units, unit{keys: []string{slideKey(n)}, asked: true})
	}
	return units
}

// subordinateWhens returns, for the clauses all of q, the offsets of the words "when" of q that join
// a clause to a question rather than ask when: in "What post did she hold
// when she fronted the presentation?" the question asks what post. A "when"
// is taken to join if its clause starts with another question word, and
// "and", "or" or a comma does not come just before it ("What is due, and
// when?").
func subordinateWhens(q string, all []clause) map[int]bool {
	var out map[int]bool
	for _, c := range all {
		text := q[c.start:c.end]
		if !startsWithQuestionWord(text) || firstWord(text) == "when" {
			continue
		}
		prev := ""
		forEachWord(text, func(start, _ int, w string) {
			if w == "when" && prev != "" && prev != "and" && prev != "or" && prev != "but" &&
				!strings.HasSuffix(strings.TrimRight(text[:start], " "), ",") {
				if out == nil {
					out = make(map[int]bool)
				}
				out[c.start+start] = true
			}
			prev = w
		})
	}
	return out
}

// senses maps words that name a role only after a possessive or a
// determiner ("the cluster's job", "what's her job title") to the plain
// term they stand for otherwise: "how do I apply for a nursing job?" asks
// about employment, which the guide does not cover, not about the role of
// a HIEC.
var senses = map[string]string{"job": "job", "jobs": "job"}

// roleWords before "job" make it a role: "its job", "what job".
var roleWords = map[string]bool{
	"its": true, "their": true, "his": true, "her": true, "the": true,
	"whose": true, "what": true, "which": true, "s": true,
}

// roleContext reports whether the text before a word makes it a role:
// it ends with a possessive or a role word.
func roleContext(before string) bool {
	before = strings.TrimRight(before, " ")
	if strings.HasSuffix(before, "s'") {
		return true
	}
	w := ""
	forEachWord(before, func(_, _ int, x string) { w = x })
	return roleWords[w]
}

// apostrophes removes apostrophes.
var apostrophes = strings.NewReplacer("'", "", "’", "")

// stripApostrophes returns s without apostrophes.
func stripApostrophes(s string) string {
	if !strings.ContainsAny(s, "'’") {
		return s
	}
	return apostrophes.Replace(s)
}

// surface returns the words of q[start:end], lower case, without
// apostrophes, joined by single spaces.
func surface(q string, start, end int) string {
	if start < 0 || end > len(q) || start >= end {
		return ""
	}
	var (
		first string // the first word
		rest  []byte // the others, each after a space
	)
	forEachWord(stripApostrophes(q[start:end]), func(_, _ int, w string) {
		if first == "" {
			first = w
			return
		}
		rest = append(append(rest, ' '), w...)
	})
	if rest == nil {
		return first
	}
	return first + string(rest)
}

// clauses holds the byte ranges of a question's clauses that ask.
type clauses [][2]int

// asked reports whether the byte at offset is in an asking clause.
func (c clauses) asked(offset int) bool {
	for _, r := range c {
		if offset >= r[0] && offset < r[1] {
			return true
		}
	}
	return false
}

// askedClauses splits q into clauses, at sentence ends (. ! ? followed by
// a space or the end), semicolons, colons and dashes between spaces, and
// at a comma followed by a question word, and returns those that ask. If
// none does, the whole question asks. In "We're a consortium of trusts.
// When is the PQQ due?" only the second sentence asks; the first is
// context, as is "We're a trust in the north east" before ", when's the
// deadline?".
//
// A clause asks if it ends with a question mark, if it starts with a
// question word ("why the rush - is there a push?"), or if it is a topic
// label: at most maxLabelWords words before a colon or dash, naming what
// the rest asks about ("Patricia Hamilton - what's her job title?").
// Statements ("we're planning our board cycle - when ...?") do not ask.
func askedClauses(q string) clauses { return askingClauses(q, splitClauses(q)) }

// askingClauses returns those of the clauses all of q that ask (see
// askedClauses).
func askingClauses(q string, all []clause) clauses {
	var out clauses
	asking := false
	for _, c := range all {
		if strings.HasSuffix(q[c.start:c.end], "?") && !isChitChat(q[c.start:c.end]) {
			asking = true
			break
		}
	}
	if !asking {
		return clauses{{0, len(q)}}
	}
	for _, c := range all {
		text := q[c.start:c.end]
		if strings.HasSuffix(text, "?") || startsWithQuestionWord(text) ||
			c.label && countWords(text) <= maxLabelWords && !startsWithSubject(text) {
			out = append(out, [2]int{c.start, c.end})
		}
	}
	return out
}

// A clause is a byte range of a question, without its boundary.
type clause struct {
	start, end int
	label      bool // ends at a colon or dash
}

// splitClauses splits q into clauses (see askedClauses).
func splitClauses(q string) []clause {
	var (
		all   []clause
		start = 0
	)
	for i := 0; i < len(q); i++ {
		end, label := 0, false // length of the boundary at i, if any
		switch c := q[i]; {
		case c == '.' || c == '!' || c == '?' || c == ';' || c == ':':
			if i+1 == len(q) || q[i+1] == ' ' || q[i+1] == '\n' {
				end, label = 1, c == ':'
			}
		case c == '\n':
			end = 1
		case c == ',' && startsWithQuestionWord(q[i+1:]):
			end = 1
		case strings.HasPrefix(q[i:], " - "):
			end, label = 3, true
		case strings.HasPrefix(q[i:], "–"), strings.HasPrefix(q[i:], "—"):
			end, label = len("–"), true
		}
		if end == 0 {
			continue
		}
		stop := i
		if q[i] == '?' {
			stop = i + 1
		}
		all = append(all, clause{start, stop, label})
		start = i + end
		i += end - 1
	}
	if start < len(q) {
		all = append(all, clause{start, len(q), false})
	}
	return all
}

// chitChatClauses returns the clauses all of q that are small talk (see
// isChitChat).
func chitChatClauses(q string, all []clause) clauses {
	var out clauses
	for _, c := range all {
		if isChitChat(q[c.start:c.end]) {
			out = append(out, [2]int{c.start, c.end})
		}
	}
	return out
}

// isChitChat reports whether a clause is small talk: a greeting, thanks,
// "how are you", a sign-off. Such a clause is made only of the words of
// small talk and has at least one that only small talk uses ("hello",
// "thanks", "you"). "Thanks, that's all I needed." and "Morning! How are
// you today?" ask nothing of the guide, whatever "needed" and "today"
// match; "Thanks - when is the PQQ due?" asks in its second clause.
func isChitChat(text string) bool {
	anchored, n := false, 0
	ok := true
	forEachWord(text, func(_, _ int, w string) {
		n++
		switch {
		case chitChatAnchors[w]:
			anchored = true
		case !chitChatWords[w]:
			ok = false
		}
	})
	return ok && anchored && n > 0
}

// chitChatAnchors are words that small talk uses and questions about the
// guide do not.
var chitChatAnchors = setOf(`hi hello hey hiya heya howdy morning afternoon evening greetings
	thanks thank thankyou thx ta cheers bye goodbye byebye cya farewell goodnight you ya u`)

// chitChatWords are the other words of small talk.
var chitChatWords = setOf(`good great nice lovely fine well ok okay alright all right very so much many
	a an the lot lots for your that thats this it its is are was were be been am how hows whats what
	doing going things today tonight there everyone folks team all i im ive we were weve me us my our
	needed need wanted want was after s m ve re ll d looking just really again see later soon have had has day
	weekend week take care meet to of and oh super useful helpful help helping info information
	answer answers appreciated appreciate appreciate perfect brilliant excellent cool bot hiecbot
	mate dear sir madam now then got it understood noted speak talk chat can could
	tell me time`)

// setOf returns the set of the space-separated words of s.
func setOf(s string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// maxLabelWords is the most words a topic label has.
const maxLabelWords = 3

// questionWords start clauses that ask, with or without a question mark.
var questionWords = map[string]bool{
	"what": true, "whats": true, "why": true, "who": true, "whos": true, "whom": true,
	"whose": true, "when": true, "whens": true, "where": true, "wheres": true,
	"which": true, "how": true, "hows": true,
}

// subjectWords start statements about the asker: "we're a trust - ...".
var subjectWords = map[string]bool{
	"i": true, "im": true, "we": true, "were": true, "weve": true, "our": true,
	"my": true, "us": true, "ive": true, "id": true, "wed": true,
}

// firstWord returns the first word of s, lower case, without apostrophes.
func firstWord(s string) string {
	start := strings.IndexFunc(s, unicode.IsLetter)
	if start < 0 {
		return ""
	}
	end := len(s)
	for i, r := range s[start:] {
		if !unicode.IsLetter(r) && r != '\'' && r != '’' {
			end = start + i
			break
		}
	}
	return strings.ToLower(stripApostrophes(s[start:end]))
}

func startsWithQuestionWord(s string) bool { return questionWords[firstWord(s)] }

func startsWithSubject(s string) bool { return subjectWords[firstWord(s)] }

// countWords returns the number of runs of letters in s.
func countWords(s string) int {
	n := 0
	forEachWord(s, func(_, _ int, _ string) { n++ })
	return n
}
