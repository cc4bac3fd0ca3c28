package knowledge

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// FuzzSources feeds arbitrary bytes to every reader of outside files: the
// decoder, the Markdown, HTML and plain-text parsers and the FAQ decoder.
// None may panic; every passage must have a citation and text without
// markup left over from a heading, and no heading path may hold an empty
// heading.
func FuzzSources(f *testing.F) {
	for _, s := range []string{
		"# A\nbody\n## B ##\nmore", "pre\n```\n# x\n```", "a\n\nb\r\n\r\nc", "#\n#\n", "   #### \t",
		"~~~\n# open fence", "# é\n\xff\xfe", "<table><tr><td>a</td><td>b</td></tr></table>",
		"---\ntitle: T\n---\nx", "<h2>H</h2><p>p &amp; q</p>", "\xff\xfeh\x00i\x00", "A\n===\nb\n",
		"| a | b |\n|---|---|\n| 1 | 2 |", "- question: q\n  answer: a\n",
		strings.Repeat("A line of prose wrapped to the width of a page, as a PDF's text gives it\n", 25) +
			"Payment\n•\n<p>\n" + strings.Repeat("Invoices are paid monthly by the agency to the supplier, by transfer.\n\n\fand so on\n", 25),
		"Terms\n\n1. Ownership. The Company owns it.\n2.1 Term. It runs a year.\n3 Trained staff not responsive to needs of\nservice\n",
		strings.Repeat("Acme RFQ 24-117\nBody text of the page.\nPage 1 of 9\n\f", 5), "申请须知\n本办法适用。\n",
		"=====\nTitle\n=====\n\n.. note:: x\n   :class: y\n\n``a`` :pep:`1 <b>` `c\nd <e>`_ [#]_\n\n===  ===\na    b\n===  ===\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		text, err := decodeText([]byte(raw))
		if err != nil {
			return
		}
		for _, name := range []string{"f.md", "f.html", "f.txt", "f.rst"} {
			for _, p := range sourcePassages(name, text) {
				if p.citation == "" || strings.TrimSpace(p.text) == "" {
					t.Errorf("%s: passage %+v incomplete", name, p)
				}
				for _, h := range p.path {
					if strings.TrimSpace(h) == "" || strings.Contains(h, "\n") {
						t.Errorf("%s: heading %q empty or spans lines", name, h)
					}
				}
			}
		}
		_, _ = decodeFAQ([]byte(text))
	})
}

var (
	fuzzEngineOnce sync.Once
	fuzzEngine     *Engine
	fuzzEngineErr  error
)

func FuzzAnswer(f *testing.F) {
	fuzzEngineOnce.Do(func() { fuzzEngine, fuzzEngineErr = New(Options{}) })
	if fuzzEngineErr != nil {
		f.Fatal(fuzzEngineErr)
	}
	for _, q := range append(benchQuestions, "", "  ", "?", "- - -", "a. b? c: d; e – f?", "http://x.y/z?", "’s", "\x00\xff") {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		res, err := fuzzEngine.Answer(q)
		if strings.TrimSpace(q) == "" {
			if !errors.Is(err, ErrEmptyQuestion) {
				t.Fatalf("Answer(%q) error = %v, want ErrEmptyQuestion", q, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Answer(%q): %v", q, err)
		}
		if len(res.Answers) > maxAnswers {
			t.Fatalf("Answer(%q): %d answers", q, len(res.Answers))
		}
		if res.Confident && len(res.Answers) == 0 {
			t.Fatalf("Answer(%q): confident without answers", q)
		}
		for _, a := range res.Answers {
			if utf8.ValidString(a.Text) && !utf8.ValidString(a.Highlight) {
				t.Fatalf("Answer(%q): invalid UTF-8 highlight %q", q, a.Highlight)
			}
		}
	})
}
