package knowledge

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestLookupAddPhrasingAddClarification(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	a, ok := e.Lookup("guide, slide 17")
	if !ok || a.Citation != "Guide, slide 17: Application process" {
		t.Fatalf("Lookup(guide, slide 17) = %+v, %v", a, ok)
	}
	if _, ok := e.Lookup("Guide, slide 1"); ok {
		t.Errorf("Lookup of a prefix shared by slides 1, 10-18 resolved")
	}
	if _, ok := e.Lookup("nowhere"); ok {
		t.Errorf("Lookup(nowhere) resolved")
	}
	const q = "Is there a template for the cover letter of our submission?"
	if err := e.AddPhrasing("Guide, slide 17", q); err != nil {
		t.Fatal(err)
	}
	r, err := e.Answer(q)
	if err != nil || len(r.Answers) == 0 || r.Answers[0].Citation != a.Citation {
		t.Fatalf("after AddPhrasing, Answer = %+v, %v", r, err)
	}
	if err := e.AddPhrasing("nowhere", q); !errors.Is(err, ErrNoPassage) {
		t.Errorf("AddPhrasing(nowhere) = %v, want ErrNoPassage", err)
	}
	if err := e.AddClarification("C-001", "Can a social enterprise be the lead partner of a cluster bid?", "Yes, provided it is a legal entity."); err != nil {
		t.Fatal(err)
	}
	r, err = e.Answer("Can a social enterprise be the lead partner?")
	if err != nil || len(r.Answers) == 0 || r.Answers[0].Citation != "NSG clarification C-001" {
		t.Fatalf("clarification not found: %+v, %v", r, err)
	}
}

// TestAddPhrasingIndexesNoPrivateWords: staff answer a bidder's question
// by citing a passage; a rival probing with the words only that bidder
// wrote (their company, partner, place) learns nothing, while the next
// bidder asking it in the sources' words is answered.
func TestAddPhrasingIndexesNoPrivateWords(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	const asked = "We are Zyxcorp with Quorbly Trust in Gateshead: may our bid be reviewed by the National Award Panel twice?"
	const probe = "Zyxcorp Quorbly Gateshead?"
	before, _ := e.Answer(probe)
	if err := e.AddPhrasing("Guide, slide 17", asked); err != nil {
		t.Fatal(err)
	}
	after, _ := e.Answer(probe)
	if after.Confident || after.Probability > before.Probability {
		t.Errorf("the probe %q: p=%.2f before the citation, %.2f (confident %v) after", probe, before.Probability, after.Probability, after.Confident)
	}
	for _, a := range after.Answers {
		if strings.Contains(strings.ToLower(a.Text+a.Title+a.Highlight), "zyxcorp") {
			t.Errorf("a bidder's word reached an answer: %+v", a)
		}
	}
	e.mu.RLock()
	ip := e.lookup("Guide, slide 17")
	e.mu.RUnlock()
	for _, p := range ip.phrasings {
		for _, w := range []string{"zyxcorp", "quorbly", "gateshead"} {
			if strings.Contains(p, w) {
				t.Errorf("indexed phrasing %q holds %q", p, w)
			}
		}
	}
	if len(ip.phrasings) != 1 || !strings.Contains(ip.phrasings[0], "award panel") {
		t.Errorf("phrasings %q: want the question in the sources' words", ip.phrasings)
	}
	// A question of unknown words only teaches nothing.
	if err := e.AddPhrasing("Guide, slide 17", "Zyxcorp Quorbly?"); err != nil || len(e.lookup("Guide, slide 17").phrasings) != 1 {
		t.Errorf("a phrasing of unknown words was indexed (err %v)", err)
	}
}

// TestAddPhrasingConcurrent checks that two citations of one passage at
// once are both kept.
func TestAddPhrasingConcurrent(t *testing.T) {
	faq := writeFile(t, "faq.yaml", "- question: Where is the interview held?\n  answer: In Leeds, near the station.\n")
	const cite = "faq.yaml: Where is the interview held?"
	for round := 0; round < 30; round++ {
		e := newTestEngine(t, Options{NoEmbedded: true, FAQ: faq})
		var wg sync.WaitGroup
		for _, q := range []string{"interview station", "Leeds station"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := e.AddPhrasing(cite, q); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		e.mu.RLock()
		n := len(e.lookup(cite).phrasings)
		e.mu.RUnlock()
		if n != 2 {
			t.Fatalf("round %d: %d phrasings kept of 2", round, n)
		}
	}
}

// TestSeeAlso checks which further answers are offered beside the
// first: those scoring at least half its score, or all of them when it
// has none to compare with.
func TestSeeAlso(t *testing.T) {
	ans := func(scores ...float64) Result {
		var r Result
		for i, s := range scores {
			r.Answers = append(r.Answers, Answer{Citation: string(rune('a' + i)), Score: s})
		}
		return r
	}
	tests := []struct {
		name string
		r    Result
		want string
	}{
		{"close ones kept, a far one dropped", ans(2.0, 1.2, 0.4), "b"},
		{"exactly half is kept", ans(2.0, 1.0), "b"},
		{"one answer has none beside it", ans(2.0), ""},
		{"no score to compare with: all kept", ans(0, 0, 0), "bc"},
	}
	for _, tt := range tests {
		got := ""
		for _, a := range tt.r.SeeAlso() {
			got += a.Citation
		}
		if got != tt.want {
			t.Errorf("%s: SeeAlso = %q, want %q", tt.name, got, tt.want)
		}
	}
}
