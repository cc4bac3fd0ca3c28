package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// A section is a titled piece of a source file.
type section struct {
	heading string // empty for text before a Markdown file's first heading
	body    string
}

var (
	// atxHeading matches a Markdown ATX heading: up to three spaces, one to
	// six #, then the heading text, with any closing #s dropped.
	atxHeading = regexp.MustCompile(`^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	// codeFence matches the opening or closing line of a fenced code block.
	codeFence = regexp.MustCompile("^ {0,3}(```|~~~)")
	// blankLines separates the paragraphs of plain text.
	blankLines = regexp.MustCompile(`\n[ \t]*\n`)
)

// splitMarkdown splits Markdown text into sections at ATX headings (# to
// ######). Lines inside fenced code blocks are never headings. Text before
// the first heading forms a section without a heading. Sections whose body
// is blank are dropped.
func splitMarkdown(text string) []section {
	var (
		out     []section
		cur     section
		body    []string
		fence   string
		started bool
	)
	flush := func() {
		cur.body = strings.TrimSpace(strings.Join(body, "\n"))
		if cur.body != "" {
			out = append(out, cur)
		}
		body = body[:0]
	}
	for _, line := range strings.Split(normaliseNewlines(text), "\n") {
		if m := codeFence.FindStringSubmatch(line); m != nil {
			switch fence {
			case "":
				fence = m[1]
			case m[1]:
				fence = ""
			}
		} else if fence == "" {
			if m := atxHeading.FindStringSubmatch(line); m != nil {
				if started || len(body) > 0 {
					flush()
				}
				started = true
				cur = section{heading: strings.TrimSpace(m[1])}
				continue
			}
		}
		body = append(body, line)
	}
	flush()
	return out
}

// splitPlain splits plain text into paragraphs: blocks of lines separated by
// blank lines.
func splitPlain(text string) []section {
	var out []section
	for _, block := range blankLines.Split(normaliseNewlines(text), -1) {
		if block = strings.TrimSpace(block); block != "" {
			out = append(out, section{body: block})
		}
	}
	return out
}

func normaliseNewlines(s string) string {
	return strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
}

// isMarkdown reports whether a source file is Markdown, by its extension.
func isMarkdown(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown", ".mdown", ".mkd":
		return true
	}
	return false
}

// loadSource reads a Markdown or plain-text file into passages.
//
// Markdown files are split at headings; each section is cited
// "<file>: <heading>", and text before the first heading "<file>".
// Plain-text files are split into paragraphs cited "<file>: paragraph N".
func loadSource(path string) ([]passage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("knowledge source %s: %w", path, err)
	}
	ps := sourcePassages(path, string(data))
	if len(ps) == 0 {
		return nil, fmt.Errorf("knowledge source %s: no text to index", path)
	}
	return ps, nil
}

// sourcePassages turns the text of the file at path into passages.
func sourcePassages(path, text string) []passage {
	base := filepath.Base(path)
	var out []passage
	if isMarkdown(path) {
		for i, s := range splitMarkdown(text) {
			ref := s.heading
			if ref == "" {
				ref = base
			}
			cite := base
			if s.heading != "" {
				cite = base + ": " + s.heading
			}
			out = append(out, passage{
				id:     "source:" + path + "#" + strconv.Itoa(i+1),
				source: base, ref: ref, title: ref, text: s.body,
				citation: cite, searchTitle: ref,
			})
		}
		return out
	}
	for i, s := range splitPlain(text) {
		ref := "paragraph " + strconv.Itoa(i+1)
		out = append(out, passage{
			id:     "source:" + path + "#" + strconv.Itoa(i+1),
			source: base, ref: ref, title: base, text: s.body,
			citation: base + ": " + ref, searchTitle: base,
		})
	}
	return out
}

// faqEntry is one entry of an FAQ file. An FAQ file is a YAML list of
// entries with these keys (any other key is an error):
//
//   - question: When are detailed bids due?       # required
//     answer: By 19 October 2009.                  # required
//     alternatives:                                # optional
//   - What is the deadline for full bids?
//
// The question and its alternatives are searched as the entry's title; the
// answer is its text. An entry is cited "<file>: <question>".
type faqEntry struct {
	Question     string   `yaml:"question"`
	Answer       string   `yaml:"answer"`
	Alternatives []string `yaml:"alternatives"`
}

// loadFAQ reads an FAQ file into passages. Errors name the file and, where
// YAML gives one, the line.
func loadFAQ(path string) ([]passage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("knowledge source %s: %w", path, err)
	}
	entries, lines, err := decodeFAQ(data)
	if err != nil {
		return nil, fmt.Errorf("knowledge source %s: %w", path, err)
	}
	base := filepath.Base(path)
	out := make([]passage, 0, len(entries))
	for i, e := range entries {
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("knowledge source %s: line %d: entry %d: %w", path, lines[i], i+1, err)
		}
		q := strings.TrimSpace(e.Question)
		out = append(out, passage{
			id:     "faq:" + path + "#" + strconv.Itoa(i+1),
			source: "FAQ", ref: q, title: q,
			text:        strings.TrimSpace(e.Answer),
			citation:    base + ": " + q,
			searchTitle: strings.Join(append([]string{q}, e.Alternatives...), "\n"),
			prior:       answerPrior,
		})
	}
	return out, nil
}

// decodeFAQ decodes FAQ YAML strictly and returns the entries with the line
// each starts on.
func decodeFAQ(data []byte) ([]faqEntry, []int, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil, errors.New("no FAQ entries")
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, nil, fmt.Errorf("line %d: want a list of FAQ entries", list.Line)
	}
	var entries []faqEntry
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&entries); err != nil {
		return nil, nil, err
	}
	if len(entries) == 0 {
		return nil, nil, errors.New("no FAQ entries")
	}
	lines := make([]int, len(entries))
	for i := range entries {
		lines[i] = list.Content[i].Line
	}
	return entries, lines, nil
}

func (e faqEntry) validate() error {
	if strings.TrimSpace(e.Question) == "" {
		return errors.New("question is empty")
	}
	if strings.TrimSpace(e.Answer) == "" {
		return errors.New("answer is empty")
	}
	for i, a := range e.Alternatives {
		if strings.TrimSpace(a) == "" {
			return fmt.Errorf("alternative %d is empty", i+1)
		}
	}
	return nil
}
