package knowledge

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// A questions file (Options.Questions) lists, for passages of the sources
// or of the embedded corpus, questions each answers: what an operator
// knows bidders will ask of a document, in their words. They are the
// passage's alternative phrasings, as an FAQ entry's alternatives are,
// each matched as a whole question (see Engine.bestAlt); they are never
// shown or cited.

// questionsEntry is one entry of a questions file.
type questionsEntry struct {
	line      int
	cite      string
	questions []string
}

// questionsKeys names the keys of an entry of a questions file.
const questionsKeys = "cite and questions"

// decodeQuestions decodes a questions file: a YAML list of mappings with
// the keys cite (non-empty text) and questions (a non-empty list of
// non-empty text). Errors are lineErrors where a line is known.
func decodeQuestions(data []byte) ([]questionsEntry, error) {
	doc, err := parseYAML(data)
	if err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || len(doc.Content[0].Content) == 0 {
		return nil, errors.New("no entries: the file should be a list of entries with cite and questions")
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, errAt(list.Line, "want a list of entries (each starting \"- cite: ...\")")
	}
	out := make([]questionsEntry, 0, len(list.Content))
	for i, n := range list.Content {
		if n.Kind != yaml.MappingNode {
			return nil, errAt(n.Line, "entry %d is not a mapping: an entry has the keys %s", i+1, questionsKeys)
		}
		e := questionsEntry{line: n.Line}
		for j := 0; j+1 < len(n.Content); j += 2 {
			k, v := n.Content[j], n.Content[j+1]
			switch k.Value {
			case "cite":
				if v.Kind != yaml.ScalarNode {
					return nil, errAt(k.Line, "the cite of entry %d must be text: a passage's citation, as `hiecbot ask` prints it", i+1)
				}
				e.cite = strings.TrimSpace(v.Value)
			case "questions":
				if v.Kind != yaml.SequenceNode {
					return nil, errAt(k.Line, "the questions of entry %d must be a list, e.g. [\"Where is the interview held?\"]", i+1)
				}
				qs, err := textList(v, func(m int) string { return fmt.Sprintf("question %d of entry %d must be a question", m+1, i+1) })
				if err != nil {
					return nil, err
				}
				e.questions = qs
			default:
				return nil, errAt(k.Line, "unknown key %q in entry %d: an entry has the keys %s", k.Value, i+1, questionsKeys)
			}
		}
		switch {
		case e.cite == "":
			return nil, errAt(n.Line, "entry %d: cite is missing or empty", i+1)
		case len(e.questions) == 0:
			return nil, errAt(n.Line, "entry %d: questions is missing or empty", i+1)
		}
		out = append(out, e)
	}
	return out, nil
}

// addQuestions adds the questions of the file at path to the passages
// they cite. The caller owns e; the passages are all added.
func (e *Engine) addQuestions(path string, limit int64) error {
	text, err := readText(path, limit)
	if err != nil {
		return fmt.Errorf("questions file %s: %w", path, err)
	}
	entries, err := decodeQuestions([]byte(text))
	if err != nil {
		return fileError("questions file", path, err)
	}
	for i, en := range entries {
		ip := e.lookup(en.cite)
		if ip == nil {
			return fmt.Errorf("questions file %s:%d: entry %d cites %q, which %s; "+
				"a cite is a passage's citation as `hiecbot ask` prints it above the passage, or the start of only one",
				path, en.line, i+1, en.cite, e.citesWhat(en.cite))
		}
		p := ip.passage
		p.alts = append(append(make([]string, 0, len(p.alts)+len(en.questions)), p.alts...), en.questions...)
		e.put(analyse(e.full, p))
	}
	return nil
}

// citesWhat says why cite names no one passage: none begins so, or which
// several do. The caller owns e.
func (e *Engine) citesWhat(cite string) string {
	c := strings.ToLower(strings.Join(strings.Fields(cite), " "))
	var some []string
	for _, ip := range e.passages {
		if strings.HasPrefix(strings.ToLower(ip.citation), c) {
			some = append(some, ip.citation)
		}
	}
	if len(some) == 0 {
		return "names no passage"
	}
	sort.Strings(some)
	n := len(some)
	if n > 3 {
		some = append(some[:3], "...")
	}
	return fmt.Sprintf("is the start of %d passages' citations (%s)", n, strings.Join(some, "; "))
}
