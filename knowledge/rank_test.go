package knowledge

import (
	"strings"
	"testing"
)

// TestConfidentTopicPath checks the second path to confidence (see
// confident): half the question covered suffices when the passage names
// several of its topics and leads the runner-up.
func TestConfidentTopicPath(t *testing.T) {
	top := scored{coverage: 0.54, specific: true, topics: minTopics, score: 1.0}
	runnerUp := scored{coverage: 0.3, specific: true, score: 1.0 - minDominance - 0.01}
	cases := []struct {
		name   string
		ranked []scored
		want   bool
	}{
		{"several topics, dominant", []scored{top, runnerUp}, true},
		{"alone", []scored{top}, true},
		{"two rare topics", []scored{{coverage: 0.54, specific: true, topics: 2, rareTopics: 2, score: 1}, runnerUp}, true},
		{"two common topics", []scored{{coverage: 0.54, specific: true, topics: 2, rareTopics: 1, score: 1}, runnerUp}, false},
		{"not dominant", []scored{top, {coverage: 0.5, specific: true, score: 0.95}}, false},
		{"under the floor", []scored{{coverage: minTopicCoverage - 0.01, specific: true, topics: 5, score: 1}, runnerUp}, false},
		{"misses what is wanted", []scored{{coverage: 0.54, specific: true, topics: 4, missesWanted: true, score: 1}, runnerUp}, false},
		{"hubs only", []scored{{coverage: 0.54, topics: 4, score: 1}, runnerUp}, false},
		{"first path", []scored{{coverage: minCoverage, specific: true, score: 1}, {score: 1}}, true},
		{"nothing", nil, false},
	}
	for _, c := range cases {
		if got := confident(c.ranked); got != c.want {
			t.Errorf("%s: confident = %v, want %v", c.name, got, c.want)
		}
	}

	e := newTestEngine(t, Options{})
	q := "What part do the SHAs play in the shortlisting and ranking? Do they just countersign or veto the steering group's choices?"
	if cov := e.topCoverage(q); cov >= minCoverage {
		t.Fatalf("%q: coverage %.2f, want under minCoverage to test the second path", q, cov)
	}
	res, err := e.Answer(q)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Confident || len(res.Answers) == 0 || !strings.Contains(res.Answers[0].Text, "SHAs confirm and challenge") {
		t.Errorf("%q: confident=%v, want the application process confidently%s", q, res.Confident, e.explain(q))
	}
	// Near misses that name as many topics but ask for what the guide lacks.
	for _, q := range []string{
		"Will the standstill period under the procurement rules apply after the National Award Panel announces its selection of successful cluster bids?",
		"What route of appeal is open to a consortium whose bid the National Steering Group declines to shortlist at PQQ stage?",
		"Will the selection panel publish the scores awarded to each bid, and can unsuccessful bidders request a formal debrief from the NSG?",
	} {
		res, err := e.Answer(q)
		if err != nil {
			t.Fatal(err)
		}
		if res.Confident {
			t.Errorf("%q: confident, want abstention%s", q, e.explain(q))
		}
	}
}
