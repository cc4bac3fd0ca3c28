package knowledge

import (
	"strings"
	"testing"
)

func TestEditDistance1(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"charitible", "charitable", true}, // replaced
		{"entitiy", "entity", true},        // inserted
		{"shortlst", "shortlist", true},    // deleted
		{"shortlsit", "shortlist", true},   // swapped
		{"entity", "entity", false},
		{"pension", "person", false},
		{"weather", "whether", false},
	}
	for _, tt := range tests {
		if got := editDistance1(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance1(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCorrect(t *testing.T) {
	e := newTestEngine(t, Options{})
	tests := []struct{ q, want string }{
		{"charitible corporation allowed?", "charitable corporation allowed?"},
		{"What legal entitiy?", "What legal entity?"},
		{"Who does the shortlisitng?", "Who does the shortlisting?"},
		{"how do I share my screen?", "how do I share my screen?"}, // short words stay
		{"what's the weather in Leeds?", "what's the weather in Leeds?"},
	}
	for _, tt := range tests {
		if got := e.known.correct(tt.q); got != tt.want {
			t.Errorf("correct(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestCorrectLeavesWords checks that a word of English is not taken for
// a misspelling of another one edit away ("appeal" of "appear"), but is
// put in the sources' spelling when it is the same word spelt the other
// side of the Atlantic.
func TestCorrectLeavesWords(t *testing.T) {
	v := newVocabulary()
	v.addText("appear submit printed change licenses color center traveled organize practice charitable contract")
	tests := []struct{ q, want string }{
		{"Can we appeal a rejection?", "Can we appeal a rejection?"},
		{"the mentor summit", "the mentor summit"},
		{"order printer paper", "order printer paper"},
		{"a chance to fix it", "a chance to fix it"},
		{"software licences", "software licenses"},
		{"what colour", "what color"},
		{"the centre", "the center"},
		{"travelled abroad", "traveled abroad"},
		{"organise it", "organize it"},
		{"practise law", "practise law"}, // -ice and -ise are also device and devise
		{"in contrast to", "in contrast to"},
		{"charitible status", "charitable status"}, // a misspelling is still corrected
	}
	for _, tt := range tests {
		if got := v.correct(tt.q); got != tt.want {
			t.Errorf("correct(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestSpellingVariant(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"colour", "color", true},
		{"behavior", "behaviour", true},
		{"organise", "organize", true},
		{"licence", "license", true},
		{"centre", "center", true},
		{"travelled", "traveled", true},
		{"enrol", "enroll", true},
		{"appeal", "appear", false},
		{"summit", "submit", false},
		{"chance", "change", false},
		{"clause", "cause", false},
		{"patent", "patient", false},
		{"printer", "printed", false},
		{"guidance", "gidance", false}, // a u, but not between o and r
		{"organisation", "organization", true},
		{"analyse", "analyze", true},
		{"defence", "defense", true},
		{"licences", "licenses", true},
		{"coloured", "colored", true},
		{"theatres", "theaters", true},
		{"cancelling", "canceling", true},
		{"contract", "contrast", false},
		{"recent", "resent", false},
		{"protect", "protest", false},
		{"detect", "detest", false},
		{"infected", "infested", false},
		{"marches", "marshes", false},
		{"mourning", "morning", false},
		{"filling", "filing", false},
	}
	for _, tt := range tests {
		if got := spellingVariant(tt.a, tt.b); got != tt.want {
			t.Errorf("spellingVariant(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestWanted checks that a question asking "when" or "how much" is not
// answered confidently by a passage without a date or an amount.
func TestWanted(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, q := range []string{
		"how much money does each individual HIEC get?",
		"how much is a prescription charge?",
	} {
		res, err := e.Answer(q)
		if err != nil {
			t.Fatal(err)
		}
		if res.Confident {
			t.Errorf("%q: confident, top %s", q, res.Answers[0].Citation)
		}
	}
	res, err := e.Answer("When are detailed bids due?")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Confident {
		t.Errorf("When are detailed bids due?: not confident")
	}
}

// TestCorrectLongWords checks that a word too long to be a misspelt one
// (a run of keys, a code) is left alone without the quadratic work of
// its deletions, in a question or in a source.
func TestCorrectLongWords(t *testing.T) {
	v := newVocabulary()
	v.addText("the guidance for applicants " + strings.Repeat("abcdefghij", 400))
	if len(v.deletes) > 100 {
		t.Errorf("a 4,000-letter word in a source made %d deletions", len(v.deletes))
	}
	long := strings.Repeat("klmnopqrst", 400)
	q := "why is " + long + " guidence?"
	var got string
	allocs := testing.AllocsPerRun(1, func() { got = v.correct(q) })
	if got != "why is "+long+" guidance?" {
		t.Errorf("correct: the short misspelt word is not corrected, or the long one changed")
	}
	if allocs > 20 {
		t.Errorf("correct made %.0f allocations for one long word, want a handful", allocs)
	}
}

// TestEnglishWordsLength: lexicon/english.txt lists words as long as
// spelling correction looks at (gen/english.go's minLetters is
// minTypoLen): a shorter one would never be looked up, and a longer
// minimum would leave words to be "corrected" into others.
func TestEnglishWordsLength(t *testing.T) {
	shortest := 1 << 10
	for w := range englishWords() {
		shortest = min(shortest, len([]rune(w)))
	}
	if shortest != minTypoLen {
		t.Errorf("the shortest word of lexicon/english.txt has %d letters; spelling correction starts at %d: regenerate it with minLetters = minTypoLen", shortest, minTypoLen)
	}
	if n := len(englishWords()); n < 10000 {
		t.Errorf("lexicon/english.txt has %d words", n)
	}
}
