package knowledge

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// faqKeys are the keys of an FAQ entry.
var faqKeys = []string{"question", "answer", "alternatives"}

// faqEntry is one entry of an FAQ file; see Options.FAQ.
type faqEntry struct {
	question, answer string
	alternatives     []string
	line             int
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
		return nil, fmt.Errorf("FAQ file %s: %w", path, err)
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

// decodeFAQ decodes an FAQ file: a YAML list of mappings with the keys of
// faqKeys, question and answer non-empty text, alternatives a list of
// non-empty text.
func decodeFAQ(data []byte) ([]faqEntry, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("no FAQ entries: the file should be a list of entries with question and answer")
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("line %d: want a list of FAQ entries (each starting \"- question: ...\")", list.Line)
	}
	if len(list.Content) == 0 {
		return nil, errors.New("no FAQ entries: the list is empty")
	}
	out := make([]faqEntry, 0, len(list.Content))
	for i, n := range list.Content {
		where := fmt.Sprintf("line %d: entry %d", n.Line, i+1)
		if n.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s: want the keys %s", where, strings.Join(faqKeys, ", "))
		}
		e := faqEntry{line: n.Line}
		for j := 0; j+1 < len(n.Content); j += 2 {
			k, v := n.Content[j], n.Content[j+1]
			at := fmt.Sprintf("line %d: entry %d", k.Line, i+1)
			switch k.Value {
			case "question", "answer":
				if v.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("%s: %s must be text", at, k.Value)
				}
				if k.Value == "question" {
					e.question = strings.TrimSpace(v.Value)
				} else {
					e.answer = strings.TrimSpace(v.Value)
				}
			case "alternatives":
				if v.Kind != yaml.SequenceNode {
					return nil, fmt.Errorf("%s: alternatives must be a list of questions, e.g. [\"Can an FT lead?\"]", at)
				}
				for m, a := range v.Content {
					if a.Kind != yaml.ScalarNode || strings.TrimSpace(a.Value) == "" {
						return nil, fmt.Errorf("line %d: entry %d: alternative %d must be a question", a.Line, i+1, m+1)
					}
					e.alternatives = append(e.alternatives, strings.TrimSpace(a.Value))
				}
			default:
				return nil, fmt.Errorf("%s: unknown key %q: an FAQ entry has the keys %s", at, k.Value, strings.Join(faqKeys, ", "))
			}
		}
		switch {
		case e.question == "":
			return nil, fmt.Errorf("%s: question is missing or empty", where)
		case e.answer == "":
			return nil, fmt.Errorf("%s: answer is missing or empty", where)
		}
		out = append(out, e)
	}
	return out, nil
}
