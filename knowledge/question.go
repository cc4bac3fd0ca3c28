package knowledge

import (
	"strings"

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
}

// analyzeQuestion splits a question into units, in order, without
// repeats. Stop words and filler ("please tell me") yield no unit.
func analyzeQuestion(a analysis.Analyzer, q string) []unit {
	clauses := askedClauses(q)
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
			units = units[:len(units)-1]
			return
		}
		index[sig] = len(units) - 1
	}
	for _, tok := range a.Analyze([]byte(q)) {
		if tok.Type == analysis.Shingle {
			continue
		}
		if tok.Position != pos {
			flush()
			pos = tok.Position
			units = append(units, unit{asked: clauses.asked(tok.Start)})
		}
		last := &units[len(units)-1]
		last.keys = append(last.keys, string(tok.Term))
	}
	flush()
	return units
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
// returns those that end with a question mark. If none does, the whole
// question asks. In "We're a consortium of trusts. When is the PQQ due?"
// only the second sentence asks; the first is context.
func askedClauses(q string) clauses {
	var (
		out   clauses
		start = 0
	)
	for i := 0; i < len(q); i++ {
		end := 0 // length of the boundary at i, if any
		switch c := q[i]; {
		case c == '.' || c == '!' || c == '?' || c == ';' || c == ':':
			if i+1 == len(q) || q[i+1] == ' ' || q[i+1] == '\n' {
				end = 1
			}
		case c == '\n':
			end = 1
		case strings.HasPrefix(q[i:], " - "):
			end = 3
		case strings.HasPrefix(q[i:], "–"), strings.HasPrefix(q[i:], "—"):
			end = len("–")
		}
		if end == 0 {
			continue
		}
		if q[i] == '?' {
			out = append(out, [2]int{start, i + 1})
		}
		start = i + end
		i += end - 1
	}
	if len(out) == 0 {
		return clauses{{0, len(q)}}
	}
	return out
}
