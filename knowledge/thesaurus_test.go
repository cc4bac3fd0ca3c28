package knowledge

import (
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
)

func TestParseThesaurusErrors(t *testing.T) {
	tests := []struct{ rules, want string }{
		{"a, b\nc, b\n", "line 2: phrase \"b\" is already a phrase of \"a\""},
		{"a => z\n", "line 1: \"z\" is not a phrase of any concept"},
		{"ignore: a => b\nb\n", "line 1: an ignore rule cannot imply"},
		{"a =>\n", "line 1: nothing after =>"},
		{" , \n", "line 1: no phrases"},
		{"a, ???\n", "phrase \"???\" has no words"},
	}
	for _, tt := range tests {
		_, err := parseThesaurus(tt.rules)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseThesaurus(%q) = %v, want error containing %q", tt.rules, err, tt.want)
		}
	}
}

// terms analyses text with the engine's analyzer.
func terms(e *Engine, text string) []string {
	var out []string
	for _, tok := range e.analyzer.Analyze([]byte(text)) {
		if tok.Type != analysis.Shingle {
			out = append(out, string(tok.Term))
		}
	}
	return out
}

func TestThesaurusAnalysis(t *testing.T) {
	e := newTestEngine(t, Options{})
	tests := []struct {
		a, b string // analysed alike
	}{
		{"SHA", "strategic health authorities"},
		{"NSG", "National Steering Group"},
		{"PQQ", "pre-qualification questionnaire"},
		{"OJEU", "Official Journal of the European Union"},
		{"DH", "Department of Health"},
		{"AHSCs", "academic health science centre"},
		{"CLAHRC", "Collaborations for Leadership in Applied Health Research and Care"},
		{"GMC", "General Medical Council"},
		{"NMC", "Nursing and Midwifery Council"},
		{"deadline", "cut-off"},
		{"deadlines", "closing date"},
		{"funding", "£10m"},
		{"cash", "budget"},
		{"bid", "tender"},
		{"applications", "proposals"},
		{"Sept", "September"},
		{"Oct", "October"},
		{"won’t", "will not"},
		{"HIEC's", "clusters"},
		{"universities", "higher education"},
		{"firms", "companies"},
		{"curriculum", "syllabus"},
		{"teaching", "education"},
	}
	for _, tt := range tests {
		a, b := terms(e, tt.a), terms(e, tt.b)
		if strings.Join(a, " ") != strings.Join(b, " ") || len(a) == 0 {
			t.Errorf("%q -> %v, %q -> %v: want the same concept", tt.a, a, tt.b, b)
		}
	}
	for _, s := range []string{"please tell me", "what is the", "hello"} {
		if got := terms(e, s); len(got) != 0 {
			t.Errorf("%q -> %v, want nothing", s, got)
		}
	}
	// A month implies a date; a phrase keeps its words for passages.
	if got := terms(e, "October"); strings.Join(got, " ") != "~oct ~date" {
		t.Errorf("October -> %v", got)
	}
	var shingles []string
	for _, tok := range e.analyzer.Analyze([]byte("informal dialogue")) {
		if tok.Type == analysis.Shingle {
			shingles = append(shingles, string(tok.Term))
		}
	}
	if strings.Join(shingles, " ") != "inform dialogu" {
		t.Errorf("shingles of a phrase: %v", shingles)
	}
}
