package knowledge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// writeFile writes a test file in a temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func answer(t *testing.T, e *Engine, q string) Result {
	t.Helper()
	res, err := e.Answer(q)
	if err != nil {
		t.Fatalf("Answer(%q): %v", q, err)
	}
	return res
}

func TestAnswerEmptyQuestion(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, q := range []string{"", " ", "\n\t  "} {
		_, err := e.Answer(q)
		if !errors.Is(err, ErrEmptyQuestion) {
			t.Fatalf("Answer(%q) error = %v, want ErrEmptyQuestion", q, err)
		}
		want := `question is empty: ask a question about the sources, e.g. "When are detailed bids due?"`
		if err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
	}
}

func TestAnswerShape(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, q := range []string{"When are detailed bids due?", "funding", "hello", "?!", "the and of"} {
		res := answer(t, e, q)
		if res.Question != q {
			t.Errorf("Question = %q, want %q", res.Question, q)
		}
		if len(res.Answers) > maxAnswers {
			t.Errorf("%q: %d answers", q, len(res.Answers))
		}
		for i, a := range res.Answers {
			if a.Citation == "" || a.Text == "" || a.Source == "" || a.Ref == "" {
				t.Errorf("%q: answer %d incomplete: %+v", q, i, a)
			}
			if i > 0 && a.Score > res.Answers[i-1].Score {
				t.Errorf("%q: answers not best first", q)
			}
		}
	}
}

func TestAnswerDeadline(t *testing.T) {
	e := newTestEngine(t, Options{})
	res := answer(t, e, "When are detailed bids due?")
	if !res.Confident || len(res.Answers) == 0 {
		t.Fatalf("not answered: %+v", res)
	}
	a := res.Answers[0]
	if a.Citation != "Guide, slide 17: Application process" {
		t.Errorf("citation %q", a.Citation)
	}
	if !strings.Contains(a.Text, "Detailed bids by 19 Oct") {
		t.Errorf("text %q", a.Text)
	}
	if a.Highlight != "*Detailed bids* by *19 Oct*" {
		t.Errorf("highlight %q", a.Highlight)
	}
}

func TestAnswerOffTopic(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, q := range []string{"hello", "What's the weather in Leeds?", "Which train goes to Brighton?", "What is the speed of light?"} {
		if res := answer(t, e, q); res.Confident {
			t.Errorf("%q: confident, top %s", q, res.Answers[0].Citation)
		}
	}
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.md")
	tests := []struct {
		name string
		opts Options
		want []string // substrings of the error
	}{
		{"missing source", Options{Sources: []string{missing}}, []string{"knowledge source " + missing, "no such file"}},
		{"empty source", Options{Sources: []string{writeFile(t, "empty.txt", " \n\n")}}, []string{"empty.txt", "no text"}},
		{"missing FAQ", Options{FAQ: filepath.Join(dir, "faq.yaml")}, []string{"FAQ file " + filepath.Join(dir, "faq.yaml"), "no such file"}},
		{"malformed FAQ", Options{FAQ: writeFile(t, "faq.yaml", "- question: When?\n  answer: Soon.\n- question: Why?\n  answer: x: y\n")}, []string{"faq.yaml", "line 4"}},
		{"unknown FAQ key", Options{FAQ: writeFile(t, "faq.yaml", "- question: When?\n  answer: Soon.\n  anwser: typo\n")}, []string{"faq.yaml:3: ", `unknown FAQ key "anwser"`, "question, answer and alternatives"}},
		{"FAQ not a list", Options{FAQ: writeFile(t, "faq.yaml", "question: When?\n")}, []string{"faq.yaml:1: ", "list"}},
		{"FAQ without answer", Options{FAQ: writeFile(t, "faq.yaml", "- question: A?\n  answer: B.\n- question: When?\n")}, []string{"faq.yaml:3: ", "entry 2", "answer is missing"}},
		{"FAQ text holding \": \" unquoted", Options{FAQ: writeFile(t, "faq.yaml", "- question: Re: bids?\n  answer: Soon.\n")}, []string{"faq.yaml", "not valid YAML", "in quotes"}},
		{"empty FAQ", Options{FAQ: writeFile(t, "faq.yaml", "# nothing\n")}, []string{"faq.yaml", "no FAQ entries"}},
		// Neither is opened: a device has no end, and a named pipe waits
		// for a writer.
		{"a device as a source", Options{Sources: []string{"/dev/zero"}}, []string{"/dev/zero", "not a regular file"}},
		{"a named pipe as a source", Options{Sources: []string{fifo(t)}}, []string{"pipe.md", "not a regular file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(tt.opts)
			if err == nil {
				_ = e.Close()
				t.Fatal("New succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// fifo makes a named pipe, pipe.md, that nothing writes to.
func fifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pipe.md")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	return path
}

func TestMarkdownSource(t *testing.T) {
	path := writeFile(t, "notes.md", `Notes from the NSG surgery, June 2009.

# Eligibility
## Scottish boards
Boards in Scotland cannot lead a bid; the HIEC competition covers England.

## Dental schools
Dental schools may join a consortium as full partners.

# Empty heading
`)
	e := newTestEngine(t, Options{Sources: []string{path}})
	if got, want := e.Passages(), 28+3; got != want {
		t.Errorf("Passages() = %d, want %d", got, want)
	}
	res := answer(t, e, "Can dental schools be full partners in a consortium?")
	if !res.Confident || len(res.Answers) == 0 {
		t.Fatalf("not answered: %+v", res)
	}
	a := res.Answers[0]
	want := Answer{Source: "notes.md", Ref: "Eligibility › Dental schools", Title: "Dental schools",
		Text: "Dental schools may join a consortium as full partners.", Citation: "notes.md: Eligibility › Dental schools"}
	if a.Source != want.Source || a.Ref != want.Ref || a.Title != want.Title || a.Text != want.Text || a.Citation != want.Citation {
		t.Errorf("answer %+v, want %+v", a, want)
	}
	res = answer(t, e, "When was the NSG surgery?")
	if len(res.Answers) == 0 || res.Answers[0].Citation != "notes.md: opening text" {
		t.Errorf("preamble not cited as the file's opening text: %+v", res.Answers)
	}
}

func TestPlainTextSource(t *testing.T) {
	path := writeFile(t, "notes.txt", "Bids are submitted through the DH portal.\n\nThe portal help desk is open on weekdays.\n")
	e := newTestEngine(t, Options{Sources: []string{path}})
	res := answer(t, e, "Is the portal help desk open on weekdays?")
	if len(res.Answers) == 0 || res.Answers[0].Citation != "notes.txt: paragraph 2" {
		t.Fatalf("answers %+v", res.Answers)
	}
	if got := res.Answers[0].Text; got != "The portal help desk is open on weekdays." {
		t.Errorf("text %q", got)
	}
}

func TestFAQ(t *testing.T) {
	path := writeFile(t, "faq.yaml", `- question: Can a bid cover two SHA regions?
  answer: Yes, if both SHAs support it.
  alternatives:
    - May our cluster straddle the boundary between strategic health authorities?
- question: Is there a page limit for the PQQ?
  answer: Ten pages.
`)
	e := newTestEngine(t, Options{FAQ: path})
	tests := []struct{ q, citation string }{
		{"Can a bid cover two SHA regions?", "faq.yaml: Can a bid cover two SHA regions?"},
		{"Could our cluster straddle the boundary between two strategic health authorities?", "faq.yaml: Can a bid cover two SHA regions?"},
		{"What's the page limit on the pre-qualification questionnaire?", "faq.yaml: Is there a page limit for the PQQ?"},
	}
	for _, tt := range tests {
		res := answer(t, e, tt.q)
		if !res.Confident || len(res.Answers) == 0 || res.Answers[0].Citation != tt.citation {
			t.Errorf("%q: confident=%v answers %+v, want %s", tt.q, res.Confident, res.Answers, tt.citation)
			continue
		}
		if a := res.Answers[0]; a.Source != "FAQ" || a.Title != a.Ref {
			t.Errorf("%q: answer %+v", tt.q, a)
		}
	}
}

func TestAddClarification(t *testing.T) {
	e := newTestEngine(t, Options{})
	const q = "Can a bidder submit supporting letters from patient groups?"
	if res := answer(t, e, q); res.Confident {
		t.Fatalf("answered before the NSG did: %+v", res.Answers[0])
	}
	n := e.Passages()
	if err := e.AddClarification("C-007", q, "Yes, up to three letters, attached to the detailed bid."); err != nil {
		t.Fatal(err)
	}
	if got := e.Passages(); got != n+1 {
		t.Errorf("Passages() = %d, want %d", got, n+1)
	}
	res := answer(t, e, "May we attach letters of support from patient groups?")
	if !res.Confident || len(res.Answers) == 0 {
		t.Fatalf("not answered: %+v", res)
	}
	a := res.Answers[0]
	if a.Citation != "NSG clarification C-007" || a.Source != "NSG" || a.Ref != "C-007" || a.Title != q {
		t.Errorf("answer %+v", a)
	}

	const replaced = "No: the NSG withdrew this; include patient views in the bid itself."
	if err := e.AddClarification("C-007", q, replaced); err != nil {
		t.Fatal(err)
	}
	if got := e.Passages(); got != n+1 {
		t.Errorf("after re-answering, Passages() = %d, want %d", got, n+1)
	}
	res = answer(t, e, q)
	nsg := 0
	for _, a := range res.Answers {
		if a.Source == "NSG" {
			nsg++
			if a.Text != replaced {
				t.Errorf("old answer still served: %q", a.Text)
			}
		}
	}
	if nsg != 1 {
		t.Errorf("%d NSG answers in %+v, want 1", nsg, res.Answers)
	}
}

func TestAddClarificationInvalid(t *testing.T) {
	e := newTestEngine(t, Options{})
	tests := []struct{ id, q, a, want string }{
		{"", "Q?", "A.", "number is empty"},
		{"C-001", " ", "A.", "C-001: question is empty"},
		{"C-001", "Q?", "", "C-001: answer is empty"},
	}
	for _, tt := range tests {
		err := e.AddClarification(tt.id, tt.q, tt.a)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("AddClarification(%q, %q, %q) = %v, want %q", tt.id, tt.q, tt.a, err, tt.want)
		}
	}
}

func TestClose(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := e.Answer("When are bids due?"); !errors.Is(err, ErrClosed) {
		t.Errorf("Answer after Close: %v", err)
	}
	if err := e.AddClarification("C-001", "Q?", "A."); !errors.Is(err, ErrClosed) {
		t.Errorf("AddClarification after Close: %v", err)
	}
}

// TestConcurrent answers and adds NSG answers from many goroutines; run it
// with -race.
func TestConcurrent(t *testing.T) {
	e := newTestEngine(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil && i < 50; i++ {
				q := benchQuestions[(w+i)%len(benchQuestions)]
				if res, err := e.Answer(q); err != nil || len(res.Answers) > maxAnswers {
					errs <- fmt.Errorf("Answer(%q) = %d answers, %v", q, len(res.Answers), err)
					return
				}
			}
		}()
	}
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				id := fmt.Sprintf("Q-%d", i%5)
				if err := e.AddClarification(id, "Question "+id+" from writer", fmt.Sprintf("Answer %d by %d", i, w)); err != nil {
					errs <- err
					return
				}
				_ = e.Passages()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got, want := e.Passages(), 28+5; got != want {
		t.Errorf("Passages() = %d, want %d", got, want)
	}
}

// TestAnswersAreRepeatable builds the index twice (bleve's batch indexes
// passages in map order, which differs every time) and expects the same
// answers, scores and verdicts for every calibration question.
func TestAnswersAreRepeatable(t *testing.T) {
	a, b := newTestEngine(t, Options{}), newTestEngine(t, Options{})
	qs := loadQuestions(t, corpora[0])
	var all []string
	for _, q := range qs.InScope {
		all = append(all, q.Q)
	}
	for _, q := range qs.OffTopic {
		all = append(all, q.Q)
	}
	for _, q := range all {
		ra, err := a.Answer(q)
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := b.Answer(q)
		if !reflect.DeepEqual(ra, rb) {
			t.Fatalf("%q answered differently by two builds of the same index:\n%+v\n%+v", q, ra, rb)
		}
	}
}

// TestPhraseWordsApart checks that a phrase of the lexicon is held by a
// passage only where its words stand together: a section whose heading
// path has "bid" in one heading and "details" in another does not hold
// "detailed bids", and the section that says it answers.
func TestPhraseWordsApart(t *testing.T) {
	doc := writeFile(t, "tender.md", `# How to bid

## Submit your service details

Send the forms and the pricing document through the portal.

# Timetable

Detailed bids by 19 October.

# Eligibility

Any registered supplier may take part.

# Evaluation

Quality counts for sixty per cent and price for forty.

# Contact

Write to the procurement team with any question.

# Pricing

Prices are in pounds and exclude VAT.

# Security

Suppliers hold a current certificate.
`)
	syn := writeFile(t, "tender.synonyms", "detailed bid, full proposal\n")
	e := newTestEngine(t, Options{NoEmbedded: true, Sources: []string{doc}, Synonyms: []string{syn}})
	for _, q := range []string{"What about detailed bids?", "full proposal?"} {
		res := answer(t, e, q)
		if len(res.Answers) == 0 || res.Answers[0].Citation != "tender.md: Timetable" {
			t.Errorf("%q: answers %+v, want tender.md: Timetable first", q, res.Answers)
		}
	}
}

// TestCueOnlyQuestion checks that a question asking only for a kind of
// fact, naming nothing it is the fact of, is never answered with
// confidence, however well a passage stating such a fact scores.
func TestCueOnlyQuestion(t *testing.T) {
	doc := writeFile(t, "office.md", "# Opening days\n\nThe office opens each day at 9 am, Monday to Friday.\n\n"+
		"# Fees\n\nThe fee is 20 pounds.\n\n# Parking\n\nVisitors park in the north lot.\n")
	e := newTestEngine(t, Options{NoEmbedded: true, Sources: []string{doc}})
	for _, q := range []string{"good morning, what day is it today?", "what day is it?"} {
		res := answer(t, e, q)
		if res.Confident || !strings.Contains(res.Reason, "names nothing to look for") {
			t.Errorf("%q: confident=%v, reason %q", q, res.Confident, res.Reason)
		}
	}
	if res := answer(t, e, "what day and how much?"); res.Confident || !strings.Contains(res.Reason, "a date and an amount") {
		t.Errorf("asks for two kinds only: confident=%v, reason %q", res.Confident, res.Reason)
	}
	if res := answer(t, e, "What day does the office open?"); !res.Confident {
		t.Errorf("a cue with what it asks about: not confident (%s)", res.Reason)
	}
}

func TestAKind(t *testing.T) {
	for k, want := range map[string]string{"date": "a date", "amount": "an amount", "email": "an email", "url": "a url"} {
		if got := AKind(k); got != want {
			t.Errorf("AKind(%q) = %q, want %q", k, got, want)
		}
	}
}

// TestColloquialWords checks that a question's everyday words ("get",
// "want") weigh less than the words that say what it is about: a
// passage that happens to use them is no better an answer for it. The
// same question with the cut turned off goes to the wrong passage, so
// the cut is what answers it.
func TestColloquialWords(t *testing.T) {
	doc := writeFile(t, "terms.md", "# Getting started\n\nTo get an account, register on the portal; you get a password by email.\n\n"+
		"# Payment\n\nSuppliers are paid within 30 days of an invoice.\n\n# Security\n\nSuppliers hold a current certificate.\n")
	off := DefaultParams
	off.Colloquial = 0
	for _, tt := range []struct {
		params *Params
		want   string
	}{
		{nil, "terms.md: Payment"},
		{&off, "terms.md: Getting started"},
	} {
		e := newTestEngine(t, Options{NoEmbedded: true, Sources: []string{doc}, Params: tt.params})
		res, err := e.Explain("when do we get paid?")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Answers) == 0 || res.Answers[0].Citation != tt.want {
			t.Errorf("colloquial cut %v: answers %+v, want %s first", tt.params == nil, res.Answers, tt.want)
		}
		for _, u := range res.Explain.Units {
			if want := tt.params == nil && u.Words == "get"; (u.Colloquial > 0) != want {
				t.Errorf("colloquial cut %v: %q loses %.2f of its weight", tt.params == nil, u.Words, u.Colloquial)
			}
		}
	}
}

// TestExplainSynonymsOnce checks that --explain lists a synonym once,
// though general English and the guide's own vocabulary both give it.
func TestExplainSynonymsOnce(t *testing.T) {
	e := newTestEngine(t, Options{})
	res, err := e.Explain("When do we get the money?")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Explain.Units {
		seen := map[string]bool{}
		for _, s := range u.Synonyms {
			if seen[s] {
				t.Errorf("%q lists synonym %q twice: %q", u.Words, s, u.Synonyms)
			}
			seen[s] = true
		}
	}
}

// TestPhrasalVerbs checks that a phrasal verb, whose particle the search
// drops ("down" of "turned down"), means what it means ("reject"), not
// its bare verb: without lexicon/phrasal.txt the question below keeps
// only "turn" and goes to the passage about turning.
func TestPhrasalVerbs(t *testing.T) {
	doc := writeFile(t, "rules.md", "# Taking turns\n\nSpeakers take turns in the order of the agenda; each turn lasts five minutes.\n\n"+
		"# Rejection\n\nThe panel may reject an application that is late or incomplete.\n\n# Fees\n\nThe fee is 20 pounds.\n")
	e := newTestEngine(t, Options{NoEmbedded: true, Sources: []string{doc}})
	for _, q := range []string{"Can the panel turn down my application?", "Why was my application turned down?"} {
		res := answer(t, e, q)
		if len(res.Answers) == 0 || res.Answers[0].Citation != "rules.md: Rejection" {
			t.Errorf("%q: answers %+v, want rules.md: Rejection first", q, res.Answers)
		}
	}
	if res := answer(t, e, "When is my turn to speak?"); len(res.Answers) == 0 || res.Answers[0].Citation != "rules.md: Taking turns" {
		t.Errorf("a turn without its particle: %+v", res.Answers)
	}
}

// TestLongQuestion checks that a question pasted whole from somewhere (a
// megabyte of words) is answered from its first part, at once, and kept
// whole in the result for the log.
func TestLongQuestion(t *testing.T) {
	e := newTestEngine(t, Options{})
	var b strings.Builder
	b.WriteString("When are detailed bids due? ")
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "w%dx ", i)
	}
	q := b.String()
	res := answer(t, e, q)
	if res.Question != strings.TrimSpace(q) || len(res.Answers) == 0 || res.Answers[0].Citation != "Guide, slide 17: Application process" {
		t.Errorf("a 1 MB question: %d bytes kept, answers %+v", len(res.Question), res.Answers)
	}
	for _, tt := range []struct{ in, want string }{
		{"short", "short"},
		{strings.Repeat("ab ", 1000), strings.TrimSuffix(strings.Repeat("ab ", 666), " ")},
		{strings.Repeat("é", 1500), strings.Repeat("é", 1000)},
	} {
		if got := analysedPart(tt.in); got != tt.want {
			t.Errorf("analysedPart(%d bytes) = %d bytes, want %d", len(tt.in), len(got), len(tt.want))
		}
	}
}
