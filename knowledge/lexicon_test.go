package knowledge

import (
	"slices"
	"strings"
	"testing"
)

// TestStemPhrases checks how a synonym rule's phrases become stem
// phrases: stop words are not searched, so a phrase of them alone is left
// out, and so is a phrase of several words they reduce to one, which
// would match every use of that one word.
func TestStemPhrases(t *testing.T) {
	full, _, err := newAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want []string
	}{
		{"quote, quotation", []string{"quot", "quotat"}},
		{"detailed bid, full proposal", []string{"detail bid", "full propos"}},
		{"of the, at", nil},
		{"set up, establish", []string{"establish"}},
		{"in train, under way, on-going, underway", []string{"underwai"}},
		{"make it happen, bring about", []string{"make happen"}},
		// One word to the tokenizer, though not all letters.
		{"won't, can't, gov't", []string{"won't", "can't", "gov't"}},
		{"U.K., United Kingdom", []string{"u.k", "unit kingdom"}},
	}
	for _, tt := range tests {
		got, err := stemPhrases(tt.in, full)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("stemPhrases(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// A rule left with one searchable phrase is an error that says why.
	l := newLexicon()
	err = l.addSynonyms("test", "set up, establish\n", full, "")
	if err == nil || !strings.Contains(err.Error(), `such as "set up"`) {
		t.Errorf("rule with one searchable phrase: %v", err)
	}
}

// TestParseColloquial checks the reading of a table of colloquial stems,
// and that a damaged one is an error naming the line.
func TestParseColloquial(t *testing.T) {
	m, err := parseColloquial("t", "# comment\nwant 0.76\nget 0.74 # said more than written\n")
	if err != nil || len(m) != 2 || m["want"] != 0.76 || m["get"] != 0.74 {
		t.Fatalf("parseColloquial = %v, %v", m, err)
	}
	for _, bad := range []string{"want", "want 0.7 0.8", "want high", "want -0.1", "want NaN", "want +Inf"} {
		if _, err := parseColloquial("t", "get 0.74\n"+bad+"\n"); err == nil || !strings.Contains(err.Error(), "t: line 2") {
			t.Errorf("parseColloquial(%q) = %v, want an error at line 2", bad, err)
		}
	}
}

// TestColloquialTable checks the embedded table (made by
// gen/colloquial.go) on words whose register is not in doubt: words of
// conversation are in it, the words documents are written in are not.
func TestColloquialTable(t *testing.T) {
	tab := colloquialness()
	if len(tab) < 1000 {
		t.Fatalf("the table has %d stems, want the generator's 1000 or more", len(tab))
	}
	for _, w := range []string{"get", "want", "happen", "lot", "thing", "realli"} {
		if tab[w] < 0.4 {
			t.Errorf("%q: %.2f, want 0.4 or more (said at least 2.5 times as often as written)", w, tab[w])
		}
	}
	for _, w := range []string{"deadlin", "propos", "payment", "applic", "contract", "submit", "univers", "first", "number"} {
		if r, ok := tab[w]; ok {
			t.Errorf("%q is in the table (%.2f): it is written at least as often as it is said", w, r)
		}
	}
}

// TestAddPhrasal checks the reading of phrasal verbs: the verb is keyed
// by its stem and its particle as written; a line that is not "verb
// particle => phrases" is an error naming it.
func TestAddPhrasal(t *testing.T) {
	full, _, err := newAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	l := newLexicon()
	if err := l.addPhrasal("t", "# comment\nturn down => reject, refuse\n", full); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range l.phrasal["turn down"] {
		got = append(got, x.phrase)
	}
	if !slices.Equal(got, []string{"reject", "refus"}) {
		t.Errorf("turn down means %q", got)
	}
	for _, bad := range []string{"turn => reject", "turn down reject", "turn right down => reject", "turn down => of the"} {
		if err := l.addPhrasal("t", "sign up => join\n"+bad+"\n", full); err == nil || !strings.Contains(err.Error(), "t: line 2") {
			t.Errorf("addPhrasal(%q) = %v, want an error at line 2", bad, err)
		}
	}
}
