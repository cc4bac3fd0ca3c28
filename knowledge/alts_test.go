package knowledge

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestBestAlt checks that a question is matched against each of a
// passage's alternative phrasings as a whole: a paraphrase of one is
// answered from its passage, with the phrasing shown in the explanation,
// while a question sharing a word or two with some phrasing is not.
func TestBestAlt(t *testing.T) {
	faq := writeFile(t, "faq.yaml", `- question: How many books can I borrow at once?
  answer: Members may borrow up to twelve items at a time.
  alternatives:
    - Is there a maximum number of loans?
    - What is the loan limit for members?
- question: Can I renew a loan online?
  answer: Yes, through the catalogue, unless another member has reserved the item.
  alternatives:
    - Can I extend my loan from home using the website?
- question: When does the library open on Sundays?
  answer: From noon to four in the afternoon.
- question: When are library fines due?
  answer: Fines are due by the first of each month.
  alternatives:
    - What day are fines due?
`)
	e := newTestEngine(t, Options{NoEmbedded: true, FAQ: faq})
	const (
		books  = "faq.yaml: How many books can I borrow at once?"
		renew  = "faq.yaml: Can I renew a loan online?"
		sunday = "faq.yaml: When does the library open on Sundays?"
	)
	tests := []struct {
		q                string
		cite, phrasing   string // "" for any
		minLike, maxLike float64
		confident        bool
	}{
		{"Is there a maximum number of loans?", books, "Is there a maximum number of loans?", 1, 1, true},
		{"what's the maximum number of loans a member can have?", books, "Is there a maximum number of loans?", 0.7, 1, true},
		{"could I extend a loan on the website?", renew, "Can I extend my loan from home using the website?", 0.6, 1, true},
		// "What time" and "when" both ask for a date or time.
		{"What time does the library open on Sundays?", sunday, "When does the library open on Sundays?", 0.9, 1, true},
		{"Does the website have a page about parking?", "", "", 0, 0.5, false},
		{"Good morning, how are you today?", "", "", 0, 0.5, false},
		// Only asks for a kind of fact: like no phrasing, and never
		// confident, though "What day are fines due?" has "day".
		{"What day is it?", "", "", 0, 0, false},
	}
	for _, tt := range tests {
		res, err := e.Explain(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if res.Confident != tt.confident {
			t.Errorf("%q: confident = %v (%s), want %v", tt.q, res.Confident, res.Reason, tt.confident)
		}
		if len(res.Explain.Candidates) == 0 {
			if tt.cite != "" || tt.minLike > 0 {
				t.Errorf("%q: no candidates", tt.q)
			}
			continue
		}
		top := res.Explain.Candidates[0]
		if tt.cite != "" && top.Citation != tt.cite {
			t.Errorf("%q: top passage %s, want %s", tt.q, top.Citation, tt.cite)
		}
		if tt.phrasing != "" && top.Phrasing != tt.phrasing {
			t.Errorf("%q: most like phrasing %q, want %q", tt.q, top.Phrasing, tt.phrasing)
		}
		if top.Likeness < tt.minLike || top.Likeness > tt.maxLike {
			t.Errorf("%q: likeness %.2f to %q, want %.2f to %.2f", tt.q, top.Likeness, top.Phrasing, tt.minLike, tt.maxLike)
		}
	}
}

// TestCorpusQuestionsAreWholePhrasings checks that the questions of the
// embedded corpus are matched one at a time: asked as it is written, each
// is wholly like one phrasing of its passage (itself, or another of the
// same words).
func TestCorpusQuestionsAreWholePhrasings(t *testing.T) {
	ps, err := embeddedPassages()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range ps {
		n += len(p.alts)
	}
	if n < 100 {
		t.Fatalf("the embedded corpus has %d questions; its files say each content passage has some", n)
	}
	e := newTestEngine(t, Options{})
	for _, p := range ps {
		for _, q := range p.alts {
			res, err := e.Explain(q)
			if err != nil {
				t.Fatal(err)
			}
			var got *ExplainedAnswer
			for i, c := range res.Explain.Candidates {
				if c.Citation == p.citation {
					got = &res.Explain.Candidates[i]
				}
			}
			// Another of its questions, as like (the same words), may
			// be the one shown.
			if got == nil || !slices.Contains(p.alts, got.Phrasing) || got.Likeness < 0.99 {
				t.Errorf("%s: its own question %q is not its most like phrasing: %+v", p.citation, q, got)
			}
		}
	}
}

// TestCueNamingWhatIsAsked checks that a cue that names what is asked
// about ("deadline", "email address") is not taken for one that only
// asks ("what day"): an FAQ question asked word for word is answered,
// and is most like itself.
func TestCueNamingWhatIsAsked(t *testing.T) {
	faq := writeFile(t, "faq.yaml", `- question: What is the deadline?
  answer: Bids are due by 5 pm on 19 October 2009.
- question: What is the email address?
  answer: Write to bids@example.org.
- question: What is the phone number?
  answer: Call 020 7946 0000.
- question: Where is the interview held?
  answer: In Leeds.
`)
	e := newTestEngine(t, Options{NoEmbedded: true, FAQ: faq})
	for _, q := range []string{"What is the deadline?", "What is the email address?", "What is the phone number?", "When is the deadline?"} {
		res, err := e.Explain(q)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Confident || res.Explain.Candidates[0].Likeness < 0.9 {
			t.Errorf("%q: confident=%v (%s), likeness %.2f", q, res.Confident, res.Reason, res.Explain.Candidates[0].Likeness)
		}
	}
}

// likenessAfter returns how like q a passage's best phrasing is, with pad
// other phrasings ahead of the two that matter.
func likenessAfter(t *testing.T, pad int, q string) float64 {
	t.Helper()
	doc := writeFile(t, "venue.md", "# Location\n\nInterviews take place in Washington DC.\n\n# Pricing\n\nQuote a firm fixed price.\n")
	var b strings.Builder
	b.WriteString("- cite: \"venue.md: Location\"\n  questions:\n")
	for i := 0; i < pad; i++ {
		fmt.Fprintf(&b, "    - \"Is zebra %d striped?\"\n", i)
	}
	b.WriteString("    - \"Where is the oral interview held?\"\n    - \"Is lunch provided for bidders?\"\n")
	e := newTestEngine(t, Options{NoEmbedded: true, Sources: []string{doc}, Questions: []string{writeFile(t, "questions.yaml", b.String())}})
	res, err := e.Explain(q)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Explain.Candidates {
		if c.Citation == "venue.md: Location" {
			return c.Likeness
		}
	}
	t.Fatal("no candidate")
	return 0
}

// TestPhrasingsPastSixtyThree checks that the 64th and later phrasings,
// which share one bit of termInfo.alts, are still matched one at a time,
// not as one bag of their words.
func TestPhrasingsPastSixtyThree(t *testing.T) {
	const q = "Is lunch provided at the oral interview?"
	if l0, l63 := likenessAfter(t, 0, q), likenessAfter(t, 63, q); l0 != l63 {
		t.Errorf("likeness %.2f as phrasings 1-2, %.2f as phrasings 64-65", l0, l63)
	}
}

// TestPhrasingHoldsNoTextCredit checks that a phrase held in one of a
// passage's phrasings counts through the phrasing alone: the passage's
// text, which has the phrase's words apart, earns only their partial
// credit.
func TestPhrasingHoldsNoTextCredit(t *testing.T) {
	doc := writeFile(t, "venue.md", "# Schedule\n\nThe oral part of the written exam starts at noon, and after lunch each team has an interview.\n\n# Pricing\n\nQuote a firm fixed price.\n")
	syn := writeFile(t, "my.synonyms", "oral interview, panel meeting\n")
	qs := writeFile(t, "questions.yaml", "- cite: \"venue.md: Schedule\"\n  questions: [\"Is a vegetarian lunch served in the canteen on the day of the oral interview?\"]\n")
	var cov [2]float64
	for i, with := range []bool{false, true} {
		o := Options{NoEmbedded: true, Sources: []string{doc}, Synonyms: []string{syn}}
		if with {
			o.Questions = []string{qs}
		}
		res, err := newTestEngine(t, o).Explain("Is there an oral interview?")
		if err != nil {
			t.Fatal(err)
		}
		c := res.Explain.Candidates[0]
		cov[i] = c.Features.Coverage
		if with && c.Features.Coverage > max(cov[0], c.Likeness)+0.01 {
			t.Errorf("coverage %.2f with the phrasing, above the text's %.2f and the phrasing's likeness %.2f", c.Features.Coverage, cov[0], c.Likeness)
		}
	}
}
