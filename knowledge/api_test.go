package knowledge

import (
	"errors"
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
