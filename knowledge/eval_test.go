package knowledge

// The evaluation of answers, on the embedded guide and on real public
// documents nobody on the project wrote (testdata/corpora/*, each with its
// SOURCE.md and blind questions written from the document alone).
//
//	go test ./knowledge/ -run TestEval -v          # the figures, per corpus
//	go test ./knowledge/ -run TestEval -update     # rewrite the golden files
//
// Roles: a corpus is for fitting (the ranking weights and the confidence
// model are fitted on it, see TestFit), for validation (the confidence
// threshold is chosen on it, never the weights), held out (never used
// to choose anything; its figures are reported only), for ingestion
// (reported only, like a held-out corpus, but the rules for reading its
// kind of file were written while reading it) or for questions (a fit
// document again, with an operator's questions file: reported only).

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/blevesearch/bleve/v2"
)

var (
	update      = flag.Bool("update", false, "rewrite the golden files of TestEval")
	evalVerbose = flag.Bool("eval.v", false, "log every evaluated question with its top answer")
)

// questionSet is the format of the question files: testdata/*.json for the
// guide and testdata/corpora/*/questions.json.
type questionSet struct {
	About   string `json:"about"`
	InScope []struct {
		Q      string   `json:"q"`
		Expect []string `json:"expect"`
	} `json:"inscope"`
	OffTopic []struct {
		Q    string `json:"q"`
		Near bool   `json:"near"`
	} `json:"offtopic"`
}

// A corpus is a document (or the embedded guide) with its question sets.
type corpus struct {
	name string
	role string // "fit", "validation" or "heldout"
	// doc is the document's file in testdata/corpora, or "" for the
	// embedded guide.
	doc string
	// sources, when set, are the corpus's files instead of doc and the
	// embedded guide.
	sources []string
	sets    []string // question files
	// questions are questions files (Options.Questions) for its passages.
	questions []string
	// of names the corpus whose document this one holds in another form
	// (its PDF's text), left out of the mixed run.
	of string
}

// corpora lists every evaluated corpus. The guide's own question sets are
// split: the development questions and paraphrases fit, the blind sets
// (written without sight of the engine) validate.
var corpora = []corpus{
	{name: "guide", role: "fit", sets: []string{"testdata/dev-questions.json", "testdata/paraphrases.json"}},
	{name: "guide-blind", role: "validation", sets: []string{"testdata/blind-heldout.json", "testdata/blind2-heldout.json"}},
	{name: "rfq18f", role: "fit", doc: "testdata/corpora/rfq18f/document.md"},
	{name: "gsoc", role: "fit", doc: "testdata/corpora/gsoc/document.md"},
	{name: "gcloud", role: "validation", doc: "testdata/corpora/gcloud/document.html"},
	{name: "pep1", role: "fit", doc: "testdata/corpora/pep1/document.rst"},
	{name: "ghsponsors", role: "fit", doc: "testdata/corpora/ghsponsors/document.md"},
	{name: "djangococ", role: "heldout", doc: "testdata/corpora/djangococ/document.md"},
	{name: "budgeting18f", role: "heldout", doc: "testdata/corpora/budgeting18f/document.md"},
	{name: "beipa", role: "heldout", doc: "testdata/corpora/beipa/document.md"},
	{name: "osslegal", role: "heldout", doc: "testdata/corpora/osslegal/document.md"},
	{name: "cncfcharter", role: "heldout", doc: "testdata/corpora/cncfcharter/document.md"},
	// The damaged text extractions the embedded guide was curated from,
	// read as an operator's plain-text sources would be, with none of the
	// guide's vocabulary (it is scoped to the embedded corpus): the guide's
	// blind questions on untuned, damaged text. Only reported; the
	// plain-text heading rules were written while reading these files.
	{name: "guide-raw", role: "ingestion", sources: []string{"testdata/seeds/guide.txt", "testdata/seeds/press_release.txt"},
		sets: []string{"testdata/blind-heldout.json", "testdata/blind2-heldout.json"}},
	// rfq18f with the questions an operator might write for its passages
	// (written from the document alone, never from its question set):
	// what a questions file gives. Only reported.
	{name: "rfq18f-questions", role: "questions", doc: "testdata/corpora/rfq18f/document.md",
		questions: []string{"testdata/corpora/rfq18f/operator-questions.yaml"}},
	// Each document again as the text of its PDF (extracted.txt, made by
	// testdata/corpora/pdftext.sh): headings are bare lines, paragraphs
	// run together, bullets stand on lines of their own. The rules for
	// reading plain text may be written while reading the fit documents'
	// extractions; the others are held out like their documents.
	{name: "rfq18f-pdf", role: "ingestion", doc: "testdata/corpora/rfq18f/extracted.txt", of: "rfq18f"},
	{name: "gsoc-pdf", role: "ingestion", doc: "testdata/corpora/gsoc/extracted.txt", of: "gsoc"},
	{name: "gcloud-pdf", role: "heldout", doc: "testdata/corpora/gcloud/extracted.txt", of: "gcloud"},
	{name: "djangococ-pdf", role: "heldout", doc: "testdata/corpora/djangococ/extracted.txt", of: "djangococ"},
	{name: "budgeting18f-pdf", role: "heldout", doc: "testdata/corpora/budgeting18f/extracted.txt", of: "budgeting18f"},
	// Added at stop 20, their text never read while writing a rule for
	// plain text (until one is, the reader is as blind to them as to a
	// held-out document): pep1's and ghsponsors' documents are fit, so
	// these are for ingestion; osslegal's is held out, and so is this.
	{name: "pep1-pdf", role: "ingestion", doc: "testdata/corpora/pep1/extracted.txt", of: "pep1"},
	{name: "ghsponsors-pdf", role: "ingestion", doc: "testdata/corpora/ghsponsors/extracted.txt", of: "ghsponsors"},
	{name: "osslegal-pdf", role: "heldout", doc: "testdata/corpora/osslegal/extracted.txt", of: "osslegal"},
	{name: "cncfcharter-pdf", role: "heldout", doc: "testdata/corpora/cncfcharter/extracted.txt", of: "cncfcharter"},
	// The publisher's own PDF, not one made by pdftext.sh: page numbers,
	// clause titles run in with their text. For ingestion: the run-in
	// rule was written while reading it (its document stays held out).
	{name: "beipa-pdf", role: "ingestion", doc: "testdata/corpora/beipa/extracted.txt", of: "beipa"},
	// Documents as Word files (<corpus>/document.docx, made by
	// testdata/corpora/docx.sh with two writers, pandoc and LibreOffice).
	// The reader of .docx was written against its format's specification
	// and these fit and validation files; cncfcharter's stays held out.
	{name: "pep1-docx", role: "ingestion", doc: "testdata/corpora/pep1/document.docx", of: "pep1"},
	{name: "ghsponsors-docx", role: "ingestion", doc: "testdata/corpora/ghsponsors/document.docx", of: "ghsponsors"},
	{name: "gcloud-docx", role: "ingestion", doc: "testdata/corpora/gcloud/document.docx", of: "gcloud"},
	{name: "cncfcharter-docx", role: "heldout", doc: "testdata/corpora/cncfcharter/document.docx", of: "cncfcharter"},
	// The same two fit documents' Word files as if typed without heading
	// styles (docx.sh): the rule for bold headings was written on them.
	{name: "pep1-bold", role: "ingestion", doc: "testdata/corpora/pep1/bold.docx", of: "pep1"},
	{name: "ghsponsors-bold", role: "ingestion", doc: "testdata/corpora/ghsponsors/bold.docx", of: "ghsponsors"},
	// The publisher's own Word file of beipa (see beipa/SOURCE.md), never
	// read while writing the reader: held out like its document.
	{name: "beipa-docx", role: "heldout", doc: "testdata/corpora/beipa/document.docx", of: "beipa"},
	// OpenDocument text: gcloud's written by LibreOffice (docx.sh), and
	// the publisher's own of beipa, held out like its document.
	{name: "gcloud-odt", role: "ingestion", doc: "testdata/corpora/gcloud/document.odt", of: "gcloud"},
	{name: "beipa-odt", role: "heldout", doc: "testdata/corpora/beipa/document.odt", of: "beipa"},
	// PDF files, read by the bot itself (pdf.go): three rendered by
	// testdata/corpora/pdf.sh, and the publisher's own PDF of beipa,
	// whose text (as pdftotext gives it) was read at stop 19.
	{name: "rfq18f-pdffile", role: "ingestion", doc: "testdata/corpora/rfq18f/document.pdf", of: "rfq18f"},
	{name: "gcloud-pdffile", role: "ingestion", doc: "testdata/corpora/gcloud/document.pdf", of: "gcloud"},
	{name: "cncfcharter-pdffile", role: "heldout", doc: "testdata/corpora/cncfcharter/document.pdf", of: "cncfcharter"},
	{name: "beipa-pdffile", role: "ingestion", doc: "testdata/corpora/beipa/document.pdf", of: "beipa"},
}

func (c corpus) questionFiles() []string {
	if c.doc != "" {
		return []string{filepath.Join(filepath.Dir(c.doc), "questions.json")}
	}
	return c.sets
}

func (c corpus) options() Options {
	if len(c.sources) > 0 {
		return Options{Sources: c.sources, NoEmbedded: true}
	}
	if c.doc == "" {
		return Options{}
	}
	return Options{Sources: []string{c.doc}, NoEmbedded: true, Questions: c.questions}
}

func loadQuestions(t testing.TB, c corpus) questionSet {
	t.Helper()
	var all questionSet
	for _, name := range c.questionFiles() {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var qs questionSet
		if err := json.Unmarshal(data, &qs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		all.InScope = append(all.InScope, qs.InScope...)
		all.OffTopic = append(all.OffTopic, qs.OffTopic...)
	}
	return all
}

// plain lower-cases s and keeps only letters and digits, as the question
// sets' scoring rule says.
func plain(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// matches is the question sets' rule: the answer's title and text contain
// one of the expected phrases.
func matches(title, text string, expect []string) bool {
	got := plain(title + " " + text)
	for _, e := range expect {
		if strings.Contains(got, plain(e)) {
			return true
		}
	}
	return false
}

// figures are the scores of one corpus.
type figures struct {
	InScope, OffTopic int
	Top1, Recall3     float64
	ConfidentRate     float64 // share of in-scope questions answered confidently
	ConfidentPrec     float64 // share of confident answers that are right
	Abstention        float64 // share of off-topic questions not answered confidently
	NearAbstention    float64 // the same, of the near misses
	BaselineTop1      float64 // bleve's default mapping, one match query
	BaselineRecall3   float64
}

func (f figures) String() string {
	return fmt.Sprintf("top-1 %.2f (bleve default %.2f), recall@3 %.2f (%.2f), confident %.2f, confident precision %.2f, off-topic abstention %.2f (near misses %.2f); %d in scope, %d off topic",
		f.Top1, f.BaselineTop1, f.Recall3, f.BaselineRecall3, f.ConfidentRate, f.ConfidentPrec, f.Abstention, f.NearAbstention, f.InScope, f.OffTopic)
}

// evaluate scores e on qs and returns the figures and one golden line a
// question.
func evaluate(t testing.TB, e *Engine, qs questionSet) (figures, []string) {
	t.Helper()
	var f figures
	var golden []string
	top1, rec3, conf, confRight := 0, 0, 0, 0
	for _, q := range qs.InScope {
		res, err := e.Answer(q.Q)
		if err != nil {
			t.Fatalf("Answer(%q): %v", q.Q, err)
		}
		verdict, cite := "miss", "-"
		for i, a := range res.Answers {
			if matches(a.Title, a.Text, q.Expect) {
				if i == 0 {
					top1++
					verdict = "right"
				} else if verdict == "miss" {
					verdict = fmt.Sprintf("top%d", i+1)
				}
				rec3++
				break
			}
		}
		if verdict == "miss" && len(res.Answers) > 0 {
			verdict = "wrong"
		}
		if len(res.Answers) > 0 {
			cite = res.Answers[0].Citation
		}
		if res.Confident {
			conf++
			if verdict == "right" {
				confRight++
			}
		}
		golden = append(golden, fmt.Sprintf("in\t%s\t%s\t%s\t%s\t%s", verdict, confWord(res.Confident), cite, res.Reason, q.Q))
		if *evalVerbose {
			t.Logf("%s %s %q -> %s (%s)", verdict, confWord(res.Confident), q.Q, cite, res.Reason)
		}
	}
	abst, near, nearAbst := 0, 0, 0
	for _, q := range qs.OffTopic {
		res, err := e.Answer(q.Q)
		if err != nil {
			t.Fatalf("Answer(%q): %v", q.Q, err)
		}
		if !res.Confident {
			abst++
		}
		if q.Near {
			near++
			if !res.Confident {
				nearAbst++
			}
		}
		cite := "-"
		if len(res.Answers) > 0 {
			cite = res.Answers[0].Citation
		}
		verdict := "abstained"
		if res.Confident {
			verdict = "ANSWERED"
		}
		golden = append(golden, fmt.Sprintf("off\t%s\t%s\t%s\t%s", verdict, cite, res.Reason, q.Q))
		if *evalVerbose {
			t.Logf("off %s %q -> %s (%s)", verdict, q.Q, cite, res.Reason)
		}
	}
	n := float64(len(qs.InScope))
	f.InScope, f.OffTopic = len(qs.InScope), len(qs.OffTopic)
	f.Top1, f.Recall3, f.ConfidentRate = float64(top1)/n, float64(rec3)/n, float64(conf)/n
	f.ConfidentPrec = 1
	if conf > 0 {
		f.ConfidentPrec = float64(confRight) / float64(conf)
	}
	f.Abstention = float64(abst) / float64(max(1, len(qs.OffTopic)))
	f.NearAbstention = float64(nearAbst) / float64(max(1, near))
	return f, golden
}

func confWord(c bool) string {
	if c {
		return "confident"
	}
	return "abstain"
}

// baseline scores bleve's default mapping over e's passages (title and
// text as two fields) with one match query a question: what the library
// gives with no work.
func baseline(t testing.TB, e *Engine, qs questionSet) (top1, recall3 float64) {
	t.Helper()
	idx, err := bleve.NewUsing("", bleve.NewIndexMapping(), "scorch", "scorch", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	b := idx.NewBatch()
	for id, ip := range e.passages {
		if err := b.Index(id, map[string]string{"title": ip.title, "text": ip.text}); err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	n1, n3 := 0, 0
	for _, q := range qs.InScope {
		sr, err := idx.Search(bleve.NewSearchRequestOptions(bleve.NewMatchQuery(q.Q), 3, 0, false))
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range sr.Hits {
			ip := e.passages[h.ID]
			if matches(ip.title, ip.text, q.Expect) {
				if i == 0 {
					n1++
				}
				n3++
				break
			}
		}
	}
	return float64(n1) / float64(len(qs.InScope)), float64(n3) / float64(len(qs.InScope))
}

// evalFloors are the figures each corpus must keep: set at the measured
// level (rounded down), so that a change that loses answers fails here
// and one that gains them raises the floor.
var evalFloors = map[string]figures{
	"guide":               {Top1: 0.92, Recall3: 0.98, ConfidentRate: 0.46, ConfidentPrec: 0.98, Abstention: 0.99},
	"guide-blind":         {Top1: 0.96, Recall3: 0.98, ConfidentRate: 0.53, ConfidentPrec: 0.98, Abstention: 0.98},
	"rfq18f":              {Top1: 0.84, Recall3: 0.90, ConfidentRate: 0.38, ConfidentPrec: 0.97, Abstention: 0.99},
	"gsoc":                {Top1: 0.69, Recall3: 0.87, ConfidentRate: 0.28, ConfidentPrec: 0.96, Abstention: 0.99},
	"gcloud":              {Top1: 0.81, Recall3: 0.93, ConfidentRate: 0.30, ConfidentPrec: 0.99, Abstention: 0.99},
	"pep1":                {Top1: 0.62, Recall3: 0.85, ConfidentRate: 0.20, ConfidentPrec: 0.92, Abstention: 0.95},
	"ghsponsors":          {Top1: 0.67, Recall3: 0.81, ConfidentRate: 0.18, ConfidentPrec: 0.95, Abstention: 0.99},
	"djangococ":           {Top1: 0.71, Recall3: 0.88, ConfidentRate: 0.36, ConfidentPrec: 0.91, Abstention: 0.99},
	"budgeting18f":        {Top1: 0.63, Recall3: 0.84, ConfidentRate: 0.17, ConfidentPrec: 0.94, Abstention: 0.99},
	"beipa":               {Top1: 0.74, Recall3: 0.87, ConfidentRate: 0.15, ConfidentPrec: 0.80, Abstention: 0.99},
	"osslegal":            {Top1: 0.76, Recall3: 0.95, ConfidentRate: 0.21, ConfidentPrec: 0.99, Abstention: 0.99},
	"cncfcharter":         {Top1: 0.78, Recall3: 0.93, ConfidentRate: 0.22, ConfidentPrec: 0.99, Abstention: 0.95},
	"guide-raw":           {Top1: 0.69, Recall3: 0.83, ConfidentRate: 0.21, ConfidentPrec: 0.99, Abstention: 0.96},
	"rfq18f-questions":    {Top1: 0.91, Recall3: 0.95, ConfidentRate: 0.64, ConfidentPrec: 0.99, Abstention: 0.99},
	"rfq18f-pdf":          {Top1: 0.83, Recall3: 0.93, ConfidentRate: 0.34, ConfidentPrec: 0.97, Abstention: 0.99},
	"gsoc-pdf":            {Top1: 0.68, Recall3: 0.82, ConfidentRate: 0.20, ConfidentPrec: 0.99, Abstention: 0.99},
	"gcloud-pdf":          {Top1: 0.79, Recall3: 0.90, ConfidentRate: 0.28, ConfidentPrec: 0.95, Abstention: 0.99},
	"djangococ-pdf":       {Top1: 0.69, Recall3: 0.84, ConfidentRate: 0.34, ConfidentPrec: 0.87, Abstention: 0.99},
	"budgeting18f-pdf":    {Top1: 0.52, Recall3: 0.75, ConfidentRate: 0.16, ConfidentPrec: 0.82, Abstention: 0.99},
	"pep1-pdf":            {Top1: 0.58, Recall3: 0.84, ConfidentRate: 0.15, ConfidentPrec: 0.90, Abstention: 0.95},
	"ghsponsors-pdf":      {Top1: 0.64, Recall3: 0.79, ConfidentRate: 0.15, ConfidentPrec: 0.94, Abstention: 0.99},
	"osslegal-pdf":        {Top1: 0.75, Recall3: 0.92, ConfidentRate: 0.21, ConfidentPrec: 0.94, Abstention: 0.99},
	"cncfcharter-pdf":     {Top1: 0.72, Recall3: 0.92, ConfidentRate: 0.23, ConfidentPrec: 0.96, Abstention: 0.95},
	"beipa-pdf":           {Top1: 0.58, Recall3: 0.74, ConfidentRate: 0.12, ConfidentPrec: 0.62, Abstention: 0.99},
	"pep1-docx":           {Top1: 0.61, Recall3: 0.84, ConfidentRate: 0.20, ConfidentPrec: 0.88, Abstention: 0.95},
	"ghsponsors-docx":     {Top1: 0.67, Recall3: 0.80, ConfidentRate: 0.18, ConfidentPrec: 0.94, Abstention: 0.99},
	"gcloud-docx":         {Top1: 0.81, Recall3: 0.93, ConfidentRate: 0.28, ConfidentPrec: 0.99, Abstention: 0.99},
	"cncfcharter-docx":    {Top1: 0.77, Recall3: 0.93, ConfidentRate: 0.22, ConfidentPrec: 0.99, Abstention: 0.95},
	"beipa-docx":          {Top1: 0.71, Recall3: 0.85, ConfidentRate: 0.15, ConfidentPrec: 0.80, Abstention: 0.99},
	"pep1-bold":           {Top1: 0.61, Recall3: 0.84, ConfidentRate: 0.21, ConfidentPrec: 0.89, Abstention: 0.95},
	"ghsponsors-bold":     {Top1: 0.64, Recall3: 0.79, ConfidentRate: 0.15, ConfidentPrec: 0.88, Abstention: 0.99},
	"gcloud-odt":          {Top1: 0.81, Recall3: 0.93, ConfidentRate: 0.28, ConfidentPrec: 0.99, Abstention: 0.99},
	"beipa-odt":           {Top1: 0.72, Recall3: 0.85, ConfidentRate: 0.15, ConfidentPrec: 0.80, Abstention: 0.99},
	"rfq18f-pdffile":      {Top1: 0.84, Recall3: 0.93, ConfidentRate: 0.35, ConfidentPrec: 0.95, Abstention: 0.99},
	"gcloud-pdffile":      {Top1: 0.80, Recall3: 0.91, ConfidentRate: 0.30, ConfidentPrec: 0.95, Abstention: 0.96},
	"cncfcharter-pdffile": {Top1: 0.72, Recall3: 0.93, ConfidentRate: 0.21, ConfidentPrec: 0.99, Abstention: 0.95},
	"beipa-pdffile":       {Top1: 0.58, Recall3: 0.74, ConfidentRate: 0.12, ConfidentPrec: 0.62, Abstention: 0.99},
}

var engineCache sync.Map // corpus name -> *Engine

func engineFor(t testing.TB, c corpus) *Engine {
	t.Helper()
	if e, ok := engineCache.Load(c.name); ok {
		return e.(*Engine)
	}
	e, err := New(c.options())
	if err != nil {
		t.Fatal(err)
	}
	engineCache.Store(c.name, e)
	return e
}

// TestEval measures every corpus alone, checks its floors and its golden
// file (testdata/golden/<corpus>.tsv: one line a question with its
// verdict, top citation and deciding reason, so that a change shows which
// questions it flips).
func TestEval(t *testing.T) {
	for _, c := range corpora {
		t.Run(c.name, func(t *testing.T) {
			e := engineFor(t, c)
			qs := loadQuestions(t, c)
			f, golden := evaluate(t, e, qs)
			f.BaselineTop1, f.BaselineRecall3 = baseline(t, e, qs)
			t.Logf("%s (%s, %d passages): %v", c.name, c.role, e.Passages(), f)
			checkGolden(t, c.name, golden)
			floor := evalFloors[c.name]
			for _, m := range []struct {
				name      string
				got, want float64
			}{
				{"top-1", f.Top1, floor.Top1},
				{"recall@3", f.Recall3, floor.Recall3},
				{"confident rate", f.ConfidentRate, floor.ConfidentRate},
				{"confident precision", f.ConfidentPrec, floor.ConfidentPrec},
				{"off-topic abstention", f.Abstention, floor.Abstention},
			} {
				if m.got < m.want {
					t.Errorf("%s %s = %.3f, below its floor %.2f", c.name, m.name, m.got, m.want)
				}
			}
		})
	}
}

// TestEvalMixed indexes the guide and every document together and
// measures how much each loses to the others' passages.
func TestEvalMixed(t *testing.T) {
	opts := Options{}
	for _, c := range corpora {
		if c.doc != "" && len(c.questions) == 0 && c.of == "" {
			opts.Sources = append(opts.Sources, c.doc)
		}
	}
	mixed, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer mixed.Close()
	for _, c := range corpora {
		if len(c.sources) > 0 || len(c.questions) > 0 || c.of != "" {
			continue // another copy of the guide, or of a document
		}
		qs := loadQuestions(t, c)
		alone, _ := evaluate(t, engineFor(t, c), qs)
		together, _ := evaluate(t, mixed, qs)
		b1, b3 := baseline(t, mixed, qs)
		t.Logf("%s: top-1 %.2f alone, %.2f mixed; confident precision %.2f alone, %.2f mixed; mixed: recall@3 %.2f, confident %.2f, off-topic abstention %.2f; bleve default mixed: top-1 %.2f, recall@3 %.2f",
			c.name, alone.Top1, together.Top1, alone.ConfidentPrec, together.ConfidentPrec, together.Recall3, together.ConfidentRate, together.Abstention, b1, b3)
		if drop := alone.Top1 - together.Top1; strings.HasPrefix(c.name, "guide") && drop > mixedMaxDrop {
			t.Errorf("%s: top-1 falls by %.3f when every corpus is indexed together (at most %.2f)", c.name, drop, mixedMaxDrop)
		}
	}
}

// mixedMaxDrop is how much the guide's top-1 may fall in the mixed run: a
// guard at the measured level (with the twelve documents of stop 21:
// 0.93 alone, 0.86 mixed; the blind sets 0.97 and 0.85), above the 0.02
// the answer-engine issue asks for, which the engine does not yet reach.
const mixedMaxDrop = 0.12

func checkGolden(t *testing.T, name string, lines []string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".tsv")
	got := strings.Join(lines, "\n") + "\n"
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./knowledge/ -run TestEval -update to create it)", err)
	}
	if string(want) == got {
		return
	}
	old := map[string]string{}
	for _, l := range strings.Split(strings.TrimRight(string(want), "\n"), "\n") {
		old[questionOf(l)] = l
	}
	var flips []string
	for _, l := range lines {
		if o, ok := old[questionOf(l)]; !ok || verdictOf(o) != verdictOf(l) {
			flips = append(flips, fmt.Sprintf("  was %s\n  now %s", o, l))
		}
	}
	sort.Strings(flips)
	t.Errorf("%s: answers changed (%d verdicts flipped); review and run with -update:\n%s", path, len(flips), strings.Join(flips, "\n"))
}

func questionOf(line string) string {
	f := strings.Split(line, "\t")
	return f[0] + "\t" + f[len(f)-1]
}

func verdictOf(line string) string {
	f := strings.Split(line, "\t")
	if f[0] == "in" && len(f) > 2 {
		return f[1] + " " + f[2]
	}
	if len(f) > 1 {
		return f[1]
	}
	return ""
}
