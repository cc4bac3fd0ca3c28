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
