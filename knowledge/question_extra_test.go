package knowledge

import (
	"slices"
	"testing"
)

func TestChitChat(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"Morning!", true},
		{"How are you today?", true},
		{"Thanks, that's all I needed.", true},
		{"Hello there, can you tell me the time?", true},
		{"Thanks so much, have a lovely weekend!", true},
		{"What day is it today?", false},
		{"Thanks - when is the PQQ due?", false},
		{"When is the deadline?", false},
	} {
		if got := isChitChat(c.text); got != c.want {
			t.Errorf("isChitChat(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestSubordinateWhens(t *testing.T) {
	for _, c := range []struct {
		q    string
		want int // number of joining "when"s
	}{
		{"What post did she hold when she fronted this presentation?", 1},
		{"When is the PQQ due?", 0},
		{"What is due, and when?", 0},
		{"Do you know when bids are due?", 0},
	} {
		if got := len(subordinateWhens(c.q, splitClauses(c.q))); got != c.want {
			t.Errorf("subordinateWhens(%q) has %d, want %d", c.q, got, c.want)
		}
	}
}

func TestSlideRefs(t *testing.T) {
	for _, c := range []struct {
		q    string
		want []int
	}{
		{"Who is named on the opening slide?", []int{1}},
		{"The second slide poses a question.", []int{2}},
		{"What does slide 7 say?", []int{7}},
		{"What is on slide seven?", []int{7}},
		{"What does the last slide announce?", []int{lastSlide}},
		{"According to the slides, when are bids due?", nil},
		{"Is this the first wave?", nil},
	} {
		if got, _ := slideRefs(c.q); !slices.Equal(got, c.want) {
			t.Errorf("slideRefs(%q) = %v, want %v", c.q, got, c.want)
		}
	}
}

func TestGenericWordsWeighLittle(t *testing.T) {
	e := newTestEngine(t, Options{})
	res, err := e.Answer("What operating model is envisaged for a cluster: a formal partnership, a network, or something else?")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Confident || res.Answers[0].Ref != "slide 11" {
		t.Errorf("got confident=%v %v, want slide 11 confidently", res.Confident, res.Answers[0].Ref)
	}
	// In a short question every word counts.
	res, err = e.Answer("how do I share my screen on a call?")
	if err != nil {
		t.Fatal(err)
	}
	if res.Confident {
		t.Errorf("%q answered confidently", res.Question)
	}
}

func TestSlideCue(t *testing.T) {
	e := newTestEngine(t, Options{})
	res, err := e.Answer("Who is the presenter named on the opening slide of the DH deck?")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Confident || res.Answers[0].Ref != "slide 1" {
		t.Errorf("got confident=%v %v, want slide 1 confidently", res.Confident, res.Answers[0].Ref)
	}
}
