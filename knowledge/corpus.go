package knowledge

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"gopkg.in/yaml.v3"
)

// corpusFS holds the curated guide and press release, one YAML file each.
//
//go:embed corpus/*.yaml corpus/*.synonyms
var corpusFS embed.FS

// corpusFile is the layout of a file in corpus/: a document's source, date,
// citation template and prior, and its passages. The template's {source},
// {date}, {ref} and {title} are replaced by the passage's values. The prior
// is added to the score of the document's passages (see passage.prior).
// The context is a note for people reading the file; it is not indexed.
type corpusFile struct {
	Source   string          `yaml:"source"`
	Date     string          `yaml:"date"`
	Citation string          `yaml:"citation"`
	Prior    float64         `yaml:"prior"`
	Context  string          `yaml:"context"`
	Passages []corpusPassage `yaml:"passages"`
}

// corpusPassage is a passage of a corpus file. An editorial title is a
// label added for display, not the source's words; it is shown and cited
// but not searched. Questions are questions the passage answers, in other
// words than its own; each is matched as a whole (see Engine.bestAlt).
type corpusPassage struct {
	Ref       string   `yaml:"ref"`
	Title     string   `yaml:"title"`
	Editorial bool     `yaml:"editorial"`
	Lines     []string `yaml:"lines"`
	Questions []string `yaml:"questions"`
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
	// path is the heading path of a passage of a source file, outermost
	// first; the title field indexes it (or the title when it is empty).
	path []string
	// alts are other phrasings of the question the passage answers: an
	// FAQ entry's question and alternatives, and questions staff answered
	// by citing the passage (see Engine.AddPhrasing).
	alts []string
	// phrasings are questions staff answered by citing the passage, cut
	// to the words the sources already hold (see Engine.AddPhrasing);
	// indexed with alts.
	phrasings []string
	// prior is added to the passage's score, so that when passages answer a
	// question equally well the more authoritative one comes first: answers
	// written for bidders (FAQ, NSG), then the guide, then the rest.
	prior float64
	// editorial says the title is a label added for display, not the
	// source's words: it is not searched (see titleText).
	editorial bool
}

// doc names the document a passage belongs to, the scope of a
// document's own vocabulary (see expansion): its source file, "embedded" for the embedded corpus
// (one body of knowledge), or "" for answers written for bidders (FAQ
// entries, NSG answers), which belong to no one document.
func (p passage) doc() string {
	switch {
	case p.prior >= answerPrior:
		return ""
	case strings.HasPrefix(p.id, "corpus:"):
		return embeddedDoc
	}
	file, _, _ := strings.Cut(p.id, "#")
	return file
}

// embeddedDoc is the document of the embedded corpus's passages.
const embeddedDoc = "embedded"

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
		out = append(out, passage{
			id:        "corpus:" + f.Source + ":" + p.Ref,
			source:    f.Source,
			date:      f.Date,
			ref:       p.Ref,
			title:     p.Title,
			text:      strings.Join(p.Lines, "\n"),
			citation:  cite,
			prior:     f.Prior,
			editorial: p.Editorial,
			alts:      p.Questions,
		})
	}
	return out, nil
}

// embeddedSynonyms reads the vocabulary files of the embedded corpus.
func embeddedSynonyms(l *lexicon, full analysis.Analyzer) error {
	names, err := fs.Glob(corpusFS, "corpus/*.synonyms")
	if err != nil {
		return err
	}
	for _, name := range names {
		data, err := corpusFS.ReadFile(name)
		if err != nil {
			return err
		}
		if err := l.addSynonyms("embedded "+name, string(data), full, embeddedDoc); err != nil {
			return err
		}
	}
	return nil
}
