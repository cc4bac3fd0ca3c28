package knowledge

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"gopkg.in/yaml.v3"
)

// corpusFS holds the curated guide and press release, one YAML file each.
//
//go:embed corpus/*.yaml
var corpusFS embed.FS

// thesaurusText is the search thesaurus; its syntax is described at its top.
//
//go:embed thesaurus.txt
var thesaurusText string

// corpusFile is the layout of a file in corpus/: a document's source, date,
// citation template and prior, and its passages. The template's {source},
// {date}, {ref} and {title} are replaced by the passage's values. The prior
// is added to the score of the document's passages (see passage.prior).
// The context says what every passage is part of (see contextText).
type corpusFile struct {
	Source   string          `yaml:"source"`
	Date     string          `yaml:"date"`
	Citation string          `yaml:"citation"`
	Prior    float64         `yaml:"prior"`
	Context  string          `yaml:"context"`
	Passages []corpusPassage `yaml:"passages"`
}

// corpusPassage is a passage of a corpus file. An editorial title is a
// label added for display, not the source's words; it is searched as part
// of the body, without the title's boost.
type corpusPassage struct {
	Ref       string   `yaml:"ref"`
	Title     string   `yaml:"title"`
	Editorial bool     `yaml:"editorial"`
	Lines     []string `yaml:"lines"`
}

// passage is one indexed unit of text with what is needed to cite it.
type passage struct {
	id       string
	source   string
	date     string // for the embedded corpus only
	ref      string
	title    string
	text     string
	citation string
	// searchTitle is what the title field indexes: the title and, for FAQ
	// entries, the alternative phrasings of the question.
	searchTitle string
	// label is an editorial title, indexed with the body but not boosted.
	label string
	// context says what the passage is part of ("the guide").
	context string
	// prior is added to the passage's score, so that when passages answer a
	// question equally well the more authoritative one comes first: answers
	// written for bidders (FAQ, NSG), then the guide, then the rest.
	prior float64
}

// embeddedPassages returns the curated corpus, in file order.
func embeddedPassages() ([]passage, error) {
	names, err := fs.Glob(corpusFS, "corpus/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []passage
	for _, name := range names {
		ps, err := readCorpusFile(name)
		if err != nil {
			return nil, fmt.Errorf("embedded %s: %w", name, err)
		}
		out = append(out, ps...)
	}
	return out, nil
}

func readCorpusFile(name string) ([]passage, error) {
	data, err := corpusFS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var f corpusFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if f.Source == "" || f.Date == "" || f.Citation == "" {
		return nil, fmt.Errorf("source, date and citation are required")
	}
	out := make([]passage, 0, len(f.Passages))
	for i, p := range f.Passages {
		if p.Ref == "" || p.Title == "" || len(p.Lines) == 0 {
			return nil, fmt.Errorf("passage %d: ref, title and lines are required", i+1)
		}
		cite := strings.NewReplacer("{source}", f.Source, "{date}", f.Date,
			"{ref}", p.Ref, "{title}", p.Title).Replace(f.Citation)
		searchTitle, label := p.Title, ""
		if p.Editorial {
			searchTitle, label = "", p.Title
		}
		out = append(out, passage{
			id:          "corpus:" + f.Source + ":" + p.Ref,
			source:      f.Source,
			date:        f.Date,
			ref:         p.Ref,
			title:       p.Title,
			text:        strings.Join(p.Lines, "\n"),
			citation:    cite,
			searchTitle: searchTitle,
			label:       label,
			prior:       f.Prior,
			context:     f.Context,
		})
	}
	return out, nil
}
