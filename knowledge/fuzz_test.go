package knowledge

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func FuzzSplitSources(f *testing.F) {
	for _, s := range []string{
		"# A\nbody\n## B ##\nmore", "pre\n```\n# x\n```", "a\n\nb\r\n\r\nc", "#\n#\n", "   #### \t",
		"~~~\n# open fence", "# é\n\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range splitMarkdown(text) {
			if s.body == "" || s.body != strings.TrimSpace(s.body) {
				t.Errorf("markdown section body %q not trimmed or empty", s.body)
			}
			if strings.Contains(s.heading, "\n") {
				t.Errorf("heading %q spans lines", s.heading)
			}
		}
		for _, s := range splitPlain(text) {
			if s.body == "" || s.body != strings.TrimSpace(s.body) {
				t.Errorf("paragraph %q not trimmed or empty", s.body)
			}
		}
		for _, name := range []string{"f.md", "f.txt"} {
			for _, p := range sourcePassages(name, text) {
				if p.citation == "" || p.text == "" {
					t.Errorf("passage %+v incomplete", p)
				}
			}
		}
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
