package knowledge

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// keyList names the keys of an FAQ entry.
const keyList = "question, answer and alternatives"

// faqEntry is one entry of an FAQ file; see Options.FAQ.
type faqEntry struct {
	question, answer string
	alternatives     []string
}

// loadFAQ reads an FAQ file into passages. Errors name the file and the
// line, and speak of the FAQ's keys.
func loadFAQ(path string, limit int64) ([]passage, error) {
	text, err := readText(path, limit)
	if err != nil {
		return nil, fmt.Errorf("FAQ file %s: %w", path, err)
	}
	entries, err := decodeFAQ([]byte(text))
	if err != nil {
		return nil, fileError("FAQ file", path, err)
	}
	base := filepath.Base(path)
	out := make([]passage, 0, len(entries))
	for i, e := range entries {
		out = append(out, passage{
			id:     "faq:" + path + "#" + strconv.Itoa(i+1),
			source: "FAQ", ref: e.question, title: e.question,
			text:     e.answer,
			citation: base + ": " + e.question,
			alts:     append([]string{e.question}, e.alternatives...),
			prior:    answerPrior,
		})
	}
	return out, nil
}

// lineError is an error at a line of a YAML file of entries (an FAQ, a
// questions file).
type lineError struct {
	line int
	msg  string
}

func (e lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func errAt(line int, format string, args ...any) error {
	return lineError{line, fmt.Sprintf(format, args...)}
}

// fileError names the file (what, at path) in err, and its line when err
// is a lineError: "FAQ file faq.yaml:4: ...".
func fileError(what, path string, err error) error {
	var le lineError
	if errors.As(err, &le) {
		return fmt.Errorf("%s %s:%d: %s", what, path, le.line, le.msg)
	}
	return fmt.Errorf("%s %s: %w", what, path, err)
}

// parseYAML parses a file of entries, saying how to mend the two
// mistakes people make in them: text holding ": " (a citation, "Re:
// bids") unquoted, which YAML reads as a key, and "?]" in a [...] list,
// which yaml.v3 reads as the start of one.
func parseYAML(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		switch msg := err.Error(); {
		case strings.Contains(msg, "mapping values are not allowed"):
			return nil, fmt.Errorf("not valid YAML (%w): put text that holds \": \" in quotes, as in cite: \"venue.md: Pricing\"", err)
		case strings.Contains(msg, "did not find expected ',' or ']'"):
			return nil, fmt.Errorf("not valid YAML (%w): put each question of a [...] list in quotes, or write one \"- question\" a line", err)
		}
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	return &doc, nil
}

// textList reads a YAML list of non-empty text (an FAQ entry's
// alternatives, a questions file's questions); item m that is not says
// bad(m).
func textList(v *yaml.Node, bad func(m int) string) ([]string, error) {
	var out []string
	for m, a := range v.Content {
		if a.Kind != yaml.ScalarNode || strings.TrimSpace(a.Value) == "" {
			return nil, errAt(a.Line, "%s", bad(m))
		}
		out = append(out, strings.TrimSpace(a.Value))
	}
	return out, nil
}

// decodeFAQ decodes an FAQ file: a YAML list of mappings with the keys of
// faqKeys, question and answer non-empty text, alternatives a list of
// non-empty text.
func decodeFAQ(data []byte) ([]faqEntry, error) {
	doc, err := parseYAML(data)
	if err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("no FAQ entries: the file should be a list of entries with question and answer")
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, errAt(list.Line, "want a list of FAQ entries (each starting \"- question: ...\")")
	}
	if len(list.Content) == 0 {
		return nil, errors.New("no FAQ entries: the list is empty")
	}
	out := make([]faqEntry, 0, len(list.Content))
	for i, n := range list.Content {
		if n.Kind != yaml.MappingNode {
			return nil, errAt(n.Line, "FAQ entry %d is not a mapping: an FAQ entry has the keys %s", i+1, keyList)
		}
		var e faqEntry
		for j := 0; j+1 < len(n.Content); j += 2 {
			k, v := n.Content[j], n.Content[j+1]
			switch k.Value {
			case "question", "answer":
				if v.Kind != yaml.ScalarNode {
					return nil, errAt(k.Line, "the %s of FAQ entry %d must be text", k.Value, i+1)
				}
				if k.Value == "question" {
					e.question = strings.TrimSpace(v.Value)
				} else {
					e.answer = strings.TrimSpace(v.Value)
				}
			case "alternatives":
				if v.Kind != yaml.SequenceNode {
					return nil, errAt(k.Line, "the alternatives of FAQ entry %d must be a list of questions, e.g. [\"Can an FT lead?\"]", i+1)
				}
				alts, err := textList(v, func(m int) string { return fmt.Sprintf("alternative %d of FAQ entry %d must be a question", m+1, i+1) })
				if err != nil {
					return nil, err
				}
				e.alternatives = alts
			default:
				return nil, errAt(k.Line, "unknown FAQ key %q in entry %d: an FAQ entry has the keys %s", k.Value, i+1, keyList)
			}
		}
		switch {
		case e.question == "":
			return nil, errAt(n.Line, "FAQ entry %d: question is missing or empty", i+1)
		case e.answer == "":
			return nil, errAt(n.Line, "FAQ entry %d: answer is missing or empty", i+1)
		}
		out = append(out, e)
	}
	return out, nil
}
