package knowledge

import (
	"strings"
	"testing"
)

// TestQuestionsFile checks that an operator's questions file teaches the
// engine the questions a source's passages answer: asked in those words,
// a question is answered from the passage cited, which without the file
// is not the answer.
func TestQuestionsFile(t *testing.T) {
	doc := writeFile(t, "venue.md", `# Oral interview

## Location

Interviews take place at 1800 F Street NW, Washington DC.

## Length

Each interview lasts an hour, with a half-hour break.

# Pricing

Quote a firm fixed price for each deliverable.
`)
	const q = "do we have to travel for the interview?"
	before := newTestEngine(t, Options{NoEmbedded: true, Sources: []string{doc}})
	if res := answer(t, before, q); res.Confident && res.Answers[0].Citation == "venue.md: Oral interview › Location" {
		t.Fatalf("%q is answered from the location without the questions file: the test proves nothing", q)
	}
	file := writeFile(t, "questions.yaml", `- cite: "venue.md: Oral interview › Location"
  questions:
    - Do vendors need to travel to the interview?
    - Where is the oral interview held?
- cite: "venue.md: Pricing"
  questions: ["What kind of price should the quote give?"]
`)
	e := newTestEngine(t, Options{NoEmbedded: true, Sources: []string{doc}, Questions: []string{file}})
	for q, want := range map[string]string{
		"do we have to travel for the interview?":   "venue.md: Oral interview › Location",
		"what kind of price should our quote give?": "venue.md: Pricing",
	} {
		res := answer(t, e, q)
		if !res.Confident || res.Answers[0].Citation != want {
			t.Errorf("%q: confident=%v %+v, want %s", q, res.Confident, res.Answers, want)
		}
	}
}

func TestQuestionsFileErrors(t *testing.T) {
	doc := writeFile(t, "venue.md", "# Location\n\nInterviews take place in Washington DC.\n\n# Pricing\n\nQuote a firm fixed price.\n")
	tests := []struct {
		name, file string
		want       []string
	}{
		{"unknown cite", "- cite: \"venue.md: Parking\"\n  questions: [\"Where do we park?\"]\n",
			[]string{"questions.yaml:1: ", `"venue.md: Parking"`, "names no passage", "hiecbot ask"}},
		{"cite of several", "- cite: \"venue.md\"\n  questions: [\"Where?\"]\n",
			[]string{"questions.yaml:1: ", "is the start of 2 passages' citations (venue.md: Location; venue.md: Pricing)"}},
		{"not a list", "cite: \"venue.md: Location\"\n", []string{"questions.yaml:1: ", "list of entries"}},
		{"unknown key", "- cite: \"venue.md: Location\"\n  question: [Where]\n", []string{"questions.yaml:2: ", `unknown key "question"`, "cite and questions"}},
		{"no questions", "- cite: \"venue.md: Location\"\n", []string{"questions.yaml:1: ", "questions is missing"}},
		{"empty question", "- cite: \"venue.md: Location\"\n  questions:\n    - \"\"\n", []string{"questions.yaml:3: ", "question 1 of entry 1"}},
		{"questions not a list", "- cite: \"venue.md: Location\"\n  questions: Where?\n", []string{"questions.yaml:2: ", "must be a list"}},
		{"empty file", "# nothing yet\n", []string{"questions.yaml", "no entries"}},
		{"bad YAML", "- cite: [unclosed\n", []string{"questions.yaml", "not valid YAML"}},
		// YAML reads "?]" in a [...] list as the start of a key.
		{"question not quoted in a list", "- cite: \"venue.md: Location\"\n  questions: [Where?]\n", []string{"questions.yaml", "not valid YAML", "quotes"}},
		// A citation holds ": ", which YAML reads as a key unless quoted.
		{"cite not quoted", "- cite: venue.md: Location\n  questions: [Where]\n", []string{"questions.yaml", "not valid YAML", `in quotes, as in cite: "venue.md: Pricing"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{NoEmbedded: true, Sources: []string{doc}, Questions: []string{writeFile(t, "questions.yaml", tt.file)}})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func FuzzDecodeQuestions(f *testing.F) {
	f.Add("- cite: \"a.md: B\"\n  questions: [\"C?\"]\n")
	f.Add("- cite: x\n  questions:\n    - y\n    - [z]\n")
	f.Add("{}")
	f.Fuzz(func(t *testing.T, s string) {
		entries, err := decodeQuestions([]byte(s))
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.cite == "" || len(e.questions) == 0 {
				t.Fatalf("decoded an entry without cite or questions: %+v", e)
			}
		}
	})
}
