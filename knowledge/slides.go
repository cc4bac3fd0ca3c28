package knowledge

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Slide references.
//
// Bidders point at the guide's slides: "the opening slide", "the second
// slide", "slide 7", "the last slide". Such a reference says where the
// answer is, not what it is about: "opening" and "second" name no topic
// and occur in no passage, so as words they would weigh the most and make
// a question about the guide look off-topic. So a question's slide
// references are taken out of its words and become a unit of their own,
// whose key (slideKey) only the passage of that slide has; "slide" itself
// stays a word, which the thesaurus maps onto the guide.

// slidePrefix starts the key of a slide reference. Neither the tokenizer
// nor the thesaurus produces it.
const slidePrefix = "@slide:"

// lastSlide is the number of a reference to the last slide, resolved to
// the highest slide number of the passages (see Engine.resolveSlides).
const lastSlide = -1

// slideKey returns the key of slide n.
func slideKey(n int) string { return slidePrefix + strconv.Itoa(n) }

// slideOrdinals are the words before "slide" that say which one it is.
var slideOrdinals = map[string]int{
	"first": 1, "opening": 1, "cover": 1, "title": 1, "front": 1, "introductory": 1, "1st": 1,
	"second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
	"sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8, "ninth": 9, "9th": 9,
	"tenth": 10, "10th": 10, "eleventh": 11, "11th": 11, "twelfth": 12, "12th": 12,
	"thirteenth": 13, "13th": 13, "fourteenth": 14, "14th": 14, "fifteenth": 15, "15th": 15,
	"sixteenth": 16, "16th": 16, "seventeenth": 17, "17th": 17, "eighteenth": 18, "18th": 18,
	"last": lastSlide, "final": lastSlide, "closing": lastSlide, "concluding": lastSlide,
}

// slideNumbers are the numbers in words after "slide".
var slideNumbers = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
	"fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
}

// passageSlide matches the ref of a slide's passage.
var passageSlide = regexp.MustCompile(`(?i)^slide\s+(\d+)$`)

// slideWord is a run of letters or digits of a question, lower case.
type slideWord struct {
	start, end int
	w          string
}

// slideWords returns the runs of letters or digits of q.
func slideWords(q string) []slideWord {
	var out []slideWord
	start := -1
	for i, r := range q + " " {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, slideWord{start, i, strings.ToLower(q[start:i])})
			start = -1
		}
	}
	return out
}

// slideRefs returns the slides that q refers to, in order, and the byte
// ranges of the words that say which (the ordinal or the number, not
// "slide").
func slideRefs(q string) (slides []int, words clauses) {
	if !strings.Contains(strings.ToLower(q), "slide") {
		return nil, nil
	}
	note := func(n int, w slideWord) {
		if !containsInt(slides, n) {
			slides = append(slides, n)
		}
		words = append(words, [2]int{w.start, w.end})
	}
	ws := slideWords(q)
	for i, w := range ws {
		if w.w != "slide" {
			continue
		}
		if i > 0 {
			if n, ok := slideOrdinals[ws[i-1].w]; ok {
				note(n, ws[i-1])
				continue
			}
		}
		j := i + 1
		if j < len(ws) && (ws[j].w == "no" || ws[j].w == "number") {
			j++
		}
		if j == len(ws) {
			continue
		}
		n, ok := slideNumbers[ws[j].w]
		if !ok {
			if d, err := strconv.Atoi(ws[j].w); err == nil && d > 0 && d < 100 {
				n, ok = d, true
			}
		}
		if ok {
			note(n, ws[j])
		}
	}
	return slides, words
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// slideOf returns the number of the slide whose passage has ref, or 0.
func slideOf(ref string) int {
	m := passageSlide.FindStringSubmatch(strings.TrimSpace(ref))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// resolveSlides turns references to the last slide among units into
// references to the slide of the highest number.
func (e *Engine) resolveSlides(units []unit) {
	for i, u := range units {
		if u.keys[0] == slideKey(lastSlide) {
			units[i].keys = []string{slideKey(e.lastSlide)}
		}
	}
}
