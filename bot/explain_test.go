package bot

import (
	"encoding/json"
	"errors"
	"github.com/hiec/hiecbot/knowledge"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAskExplain(t *testing.T) {
	r := hiecbot(t, "", "", "ask", "--explain", "When are detailed bids due?")
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, want := range []string{"Guide, slide 17: Application process", "How it was answered:", "asks for   a date", "detail bid", "verdict    confident: p="} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("ask --explain output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = hiecbot(t, "", "", "ask", "--explain", "What is the speed of light?")
	if !strings.Contains(r.stdout, "verdict    not confident: p=") {
		t.Errorf("an off-topic question's explanation:\n%s", r.stdout)
	}
	// An everyday word of conversation says what of its weight it lost.
	r = hiecbot(t, "", "", "ask", "--explain", "When do we get the money?")
	if !strings.Contains(r.stdout, "(-80%, colloquial)") {
		t.Errorf("the explanation does not show the colloquial cut:\n%s", r.stdout)
	}
}

func TestAskExplainJSON(t *testing.T) {
	r := hiecbot(t, "", "", "ask", "--json", "--explain", "When are detailed bids due?")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var got struct {
		Confident bool `json:"confident"`
		Explain   *struct {
			Units      []struct{ Words string }    `json:"units"`
			Candidates []struct{ Citation string } `json:"candidates"`
		} `json:"explain"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if !got.Confident || got.Explain == nil || len(got.Explain.Units) == 0 || len(got.Explain.Candidates) == 0 ||
		got.Explain.Candidates[0].Citation != "Guide, slide 17: Application process" {
		t.Errorf("explained JSON = %s", r.stdout)
	}
	r = hiecbot(t, "", "", "ask", "--json", "When are detailed bids due?")
	if strings.Contains(r.stdout, `"explain"`) {
		t.Errorf("explain shown without --explain: %s", r.stdout)
	}
}

// TestSynonymsFile: an operator's knowledge.synonyms file lets a question
// in the bidders' words find a passage in the document's words.
func TestSynonymsFile(t *testing.T) {
	const source = "# Site visits\n\nVisitors park in the north car lot and sign in at reception.\n"
	const q = "Where do guests park on the site visit?"
	plain := project(t, "knowledge:\n  sources: [visits.md]\n")
	write(t, filepath.Join(plain, "visits.md"), source)
	with := project(t, "knowledge:\n  sources: [visits.md]\n  synonyms: [words.txt]\n")
	write(t, filepath.Join(with, "visits.md"), source)
	write(t, filepath.Join(with, "words.txt"), "# our bidders' words\nvisitor, visitors, guest, guests\n")

	before := hiecbot(t, plain, "", "ask", "--json", q)
	after := hiecbot(t, with, "", "ask", "--json", q)
	if after.err != nil {
		t.Fatalf("with synonyms: %v\n%s", after.err, after.stdout)
	}
	var b, a struct {
		Probability float64 `json:"probability"`
		Confident   bool    `json:"confident"`
		Answers     []struct{ Citation string }
	}
	_ = json.Unmarshal([]byte(before.stdout), &b)
	if err := json.Unmarshal([]byte(after.stdout), &a); err != nil {
		t.Fatal(err)
	}
	if !a.Confident || a.Answers[0].Citation != "visits.md: Site visits" || a.Probability <= b.Probability {
		t.Errorf("with synonyms %+v, without %+v", a, b)
	}
}

func TestSynonymsFileErrors(t *testing.T) {
	dir := project(t, "knowledge:\n  synonyms: [gone.txt]\n")
	r := hiecbot(t, dir, "", "ask", "hello")
	if !isUsage(r.err) || !strings.Contains(r.err.Error(), "knowledge.synonyms[0]") || !strings.Contains(r.err.Error(), "gone.txt") {
		t.Errorf("missing synonyms file: %v", r.err)
	}
	dir = project(t, "knowledge:\n  synonyms: [words.txt]\n")
	write(t, filepath.Join(dir, "words.txt"), "visitor, guest\nlonely\n")
	r = hiecbot(t, dir, "", "ask", "hello")
	if !isUsage(r.err) || !strings.Contains(r.err.Error(), "words.txt: line 2") || !strings.Contains(r.err.Error(), "knowledge.synonyms[0]") {
		t.Errorf("bad synonyms rule: %v", r.err)
	}
	if _, err := os.Stat(filepath.Join(dir, "q.db")); err == nil {
		t.Errorf("a failed ask created the store")
	}
}

// TestQuestionsFileConfig: an operator's knowledge.questions file lets a
// question asked in the words it lists find the passage it cites; a cite
// that names no passage, or a missing file, is an error naming the config
// line and the file.
func TestQuestionsFileConfig(t *testing.T) {
	const source = "# Site visits\n\nVisitors park in the north car lot and sign in at reception.\n\n# Pricing\n\nQuote a firm fixed price.\n"
	const q = "what's the check-in procedure when we arrive?"
	dir := project(t, "knowledge:\n  sources: [visits.md]\n  questions: [questions.yaml]\n")
	write(t, filepath.Join(dir, "visits.md"), source)
	write(t, filepath.Join(dir, "questions.yaml"), "- cite: \"visits.md: Site visits\"\n  questions:\n    - What is the check-in procedure when we arrive for the visit?\n")
	without := project(t, "knowledge:\n  sources: [visits.md]\n")
	write(t, filepath.Join(without, "visits.md"), source)
	if r := hiecbot(t, without, "", "ask", q); !errors.Is(r.err, ErrNotCovered) {
		t.Fatalf("without the questions file: %v\n%s (want not covered, or the test proves nothing)", r.err, r.stdout)
	}
	r := hiecbot(t, dir, "", "ask", "--json", q)
	var a struct {
		Confident bool
		Answers   []struct{ Citation string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil {
		t.Fatalf("%v: %v\n%s", r.err, err, r.stdout)
	}
	if !a.Confident || a.Answers[0].Citation != "visits.md: Site visits" {
		t.Errorf("with the questions file: %+v", a)
	}

	write(t, filepath.Join(dir, "questions.yaml"), "- cite: \"visits.md: Parking\"\n  questions: [\"Where do we park?\"]\n")
	r = hiecbot(t, dir, "", "ask", "hello")
	if !isUsage(r.err) || !strings.Contains(r.err.Error(), "knowledge.questions[0]") || !strings.Contains(r.err.Error(), `"visits.md: Parking"`) {
		t.Errorf("unknown cite: %v", r.err)
	}
	dir = project(t, "knowledge:\n  questions: [gone.yaml]\n")
	r = hiecbot(t, dir, "", "ask", "hello")
	if !isUsage(r.err) || !strings.Contains(r.err.Error(), "knowledge.questions[0]") || !strings.Contains(r.err.Error(), "gone.yaml") {
		t.Errorf("missing questions file: %v", r.err)
	}
}

// TestPassagesCommand: `hiecbot passages` lists every passage by the
// citation a questions file's cite names, with how many questions each
// is known to answer.
func TestPassagesCommand(t *testing.T) {
	dir := project(t, "knowledge:\n  sources: [visits.md]\n  questions: [questions.yaml]\n")
	write(t, filepath.Join(dir, "visits.md"), "# Site visits\n\nVisitors sign in at reception.\n\n# Pricing\n\nQuote a firm fixed price.\n")
	write(t, filepath.Join(dir, "questions.yaml"), "- cite: \"visits.md: Site visits\"\n  questions: [\"Where do we sign in?\", \"Is there a reception?\"]\n")
	r := hiecbot(t, dir, "", "passages")
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stdout)
	}
	for _, want := range []string{"CITATION", "Guide, slide 17: Application process", "visits.md: Pricing"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("passages lacks %q:\n%s", want, r.stdout)
		}
	}
	r = hiecbot(t, dir, "", "passages", "--json")
	var ps []knowledge.PassageInfo
	if err := json.Unmarshal([]byte(r.stdout), &ps); err != nil {
		t.Fatalf("%v: %v\n%s", r.err, err, r.stdout)
	}
	got := map[string]knowledge.PassageInfo{}
	for _, p := range ps {
		got[p.Citation] = p
	}
	if v := got["visits.md: Site visits"]; v.Phrasings != 2 || v.Words != 5 {
		t.Errorf("visits.md: Site visits = %+v, want 2 questions and 5 words", v)
	}
	if v, ok := got["visits.md: Pricing"]; !ok || v.Phrasings != 0 {
		t.Errorf("visits.md: Pricing = %+v (listed %v)", v, ok)
	}
}
