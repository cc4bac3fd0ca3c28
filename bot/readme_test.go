package bot

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/knowledge"
)

var yamlBlock = regexp.MustCompile("(?ms)^( *)```yaml\n(.*?)^ *```")

// TestREADMEYAMLExamples loads every YAML example in the README, so the
// README cannot drift from what hiecbot accepts: a list of cites is a
// questions file, another list an FAQ file, anything else a config file
// (with the files it names present).
func TestREADMEYAMLExamples(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := yamlBlock.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 3 {
		t.Fatalf("found %d YAML examples in the README; want the Slack, config and FAQ ones", len(blocks))
	}
	getenv := func(k string) string { return map[string]string{"SLACK_BOT_TOKEN": "xoxb-readme"}[k] }
	for i, b := range blocks {
		indent, body := b[1], b[2]
		var lines []string
		for _, l := range strings.Split(body, "\n") {
			lines = append(lines, strings.TrimPrefix(l, indent))
		}
		body = strings.Join(lines, "\n")
		dir := t.TempDir()
		if strings.Contains(body, "- cite:") {
			// A questions file, for a source with the headings it cites.
			src := filepath.Join(dir, "eligibility.md")
			write(t, src, "# Partners\n\n## Lead partners\n\nAny NHS organisation may lead.\n\n# Funding\n\nThe DH gives 10 million.\n")
			p := filepath.Join(dir, "questions.yaml")
			write(t, p, body)
			e, err := knowledge.New(knowledge.Options{Sources: []string{src}, Questions: []string{p}})
			if err != nil {
				t.Errorf("README questions example %d does not load: %v\n%s", i+1, err, body)
				continue
			}
			e.Close()
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(body), "- ") {
			p := filepath.Join(dir, "faq.yaml")
			write(t, p, body)
			e, err := knowledge.New(knowledge.Options{FAQ: p})
			if err != nil {
				t.Errorf("README FAQ example %d does not load: %v\n%s", i+1, err, body)
				continue
			}
			e.Close()
			continue
		}
		for _, f := range []string{"docs/eligibility.md", "docs/terms.html", "docs/process.rst", "docs/notes.txt"} {
			write(t, filepath.Join(dir, f), "# Eligibility\n\nAny NHS organisation may lead.\n")
		}
		// A Word document and a PDF, real ones: the knowledge package's.
		for f, from := range map[string]string{
			"docs/guidance.docx": "../knowledge/testdata/corpora/gcloud/document.docx",
			"docs/call.pdf":      "../knowledge/testdata/corpora/beipa/document.pdf",
		} {
			data, err := os.ReadFile(from)
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, f), string(data))
		}
		write(t, filepath.Join(dir, "docs/our-words.txt"), synonymsExample(t, string(readme)))
		write(t, filepath.Join(dir, "docs/faq.yaml"), "- question: Can a foundation trust lead a bid?\n  answer: Yes.\n")
		write(t, filepath.Join(dir, "docs/questions.yaml"), "- cite: \"eligibility.md: Eligibility\"\n  questions: [\"Who may lead?\"]\n")
		p := filepath.Join(dir, "hiecbot.yaml")
		write(t, p, body)
		if _, err := config.Load(p, getenv); err != nil {
			t.Errorf("README config example %d does not load: %v\n%s", i+1, err, body)
		}
	}
}

var synonymsBlock = regexp.MustCompile("(?s)```text\n(# our-words.txt\n.*?)```")

// synonymsExample returns the README's example synonyms file, checking
// that the knowledge engine takes it.
func synonymsExample(t *testing.T, readme string) string {
	t.Helper()
	m := synonymsBlock.FindStringSubmatch(readme)
	if m == nil {
		t.Fatal("the README has no our-words.txt example")
	}
	p := filepath.Join(t.TempDir(), "our-words.txt")
	write(t, p, m[1])
	e, err := knowledge.New(knowledge.Options{Synonyms: []string{p}})
	if err != nil {
		t.Fatalf("README synonyms example does not load: %v\n%s", err, m[1])
	}
	e.Close()
	return m[1]
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestFAQErrorsSpeakOfFAQKeys: a misspelt FAQ key is reported with the
// config line that names the FAQ file and the FAQ's own terms.
func TestFAQErrorsSpeakOfFAQKeys(t *testing.T) {
	dir := project(t, "knowledge:\n  faq: faq.yaml\n")
	write(t, filepath.Join(dir, "faq.yaml"), "- question: Can a foundation trust lead a bid?\n  answr: Yes.\n")
	r := hiecbot(t, dir, "", "config", "check")
	if !isUsage(r.err) {
		t.Fatalf("err = %v, want a usage error", r.err)
	}
	msg := r.err.Error()
	for _, want := range []string{filepath.Join(dir, "hiecbot.yaml") + ":6: knowledge.faq", `faq.yaml:2: unknown FAQ key "answr"`, "question, answer and alternatives"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "knowledge.faqEntry") || strings.Contains(msg, "type ") {
		t.Errorf("error leaks Go types: %q", msg)
	}
}
