package knowledge

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// seedFiles maps each source of the embedded corpus to the damaged text
// extraction it was curated from (copied into testdata/seeds).
var seedFiles = map[string]string{
	"Guide":            "guide.txt",
	"DH press release": "press_release.txt",
}

// TestCorpusFromSeeds checks that curation invented nothing: every line of
// every passage, and every guide slide title, normalised (letters and
// digits only, lower case) occurs in the normalised seed text.
//
// The repairs listed at the top of each corpus file only change spacing and
// punctuation, or drop extraction junk, so normalisation absorbs them and
// no line needs an exception. A line may therefore differ from the seed in
// punctuation only; a changed, added or reordered word fails the test.
func TestCorpusFromSeeds(t *testing.T) {
	ps, err := embeddedPassages()
	if err != nil {
		t.Fatal(err)
	}
	seeds := make(map[string]string)
	for source, name := range seedFiles {
		data, err := os.ReadFile(filepath.Join("testdata", "seeds", name))
		if err != nil {
			t.Fatal(err)
		}
		seeds[source] = plain(string(data))
	}
	for _, p := range ps {
		seed, ok := seeds[p.source]
		if !ok {
			t.Errorf("%s: unknown source %q", p.citation, p.source)
			continue
		}
		for _, line := range strings.Split(p.text, "\n") {
			if !strings.Contains(seed, plain(line)) {
				t.Errorf("%s: line not in the seed: %q", p.citation, line)
			}
		}
		if p.source == "Guide" && !strings.Contains(seed, plain(p.title)) {
			t.Errorf("%s: title not in the seed: %q", p.citation, p.title)
		}
	}
}

// TestCorpusShape checks the passages and citations of the embedded corpus.
func TestCorpusShape(t *testing.T) {
	ps, err := embeddedPassages()
	if err != nil {
		t.Fatal(err)
	}
	slide := regexp.MustCompile(`^slide (\d+)$`)
	var slides, press int
	ids := make(map[string]bool)
	for _, p := range ps {
		if ids[p.id] {
			t.Errorf("duplicate passage %s", p.id)
		}
		ids[p.id] = true
		switch p.source {
		case "Guide":
			m := slide.FindStringSubmatch(p.ref)
			if m == nil {
				t.Errorf("guide passage ref %q is not \"slide N\"", p.ref)
				continue
			}
			slides++
			if n, _ := strconv.Atoi(m[1]); n != slides {
				t.Errorf("slide %d out of order (want %d)", n, slides)
			}
			if want := "Guide, " + p.ref + ": " + p.title; p.citation != want {
				t.Errorf("citation %q, want %q", p.citation, want)
			}
			if p.date != "May 2009" {
				t.Errorf("%s: date %q", p.citation, p.date)
			}
		case "DH press release":
			press++
			if want := "DH press release, 11 May 2009: " + p.ref; p.citation != want {
				t.Errorf("citation %q, want %q", p.citation, want)
			}
		default:
			t.Errorf("unexpected source %q", p.source)
		}
	}
	if slides != 18 {
		t.Errorf("%d slides, want 18", slides)
	}
	if press != 10 {
		t.Errorf("%d press release passages, want 10", press)
	}
	for _, ref := range []string{"Notes to editors 1", "Notes to editors 2", "Notes to editors 3", "Notes to editors 4"} {
		if !ids["corpus:DH press release:"+ref] {
			t.Errorf("no passage %q", ref)
		}
	}
}

// TestCorpusFacts spot-checks facts that curation must keep exactly.
func TestCorpusFacts(t *testing.T) {
	e := newTestEngine(t, Options{})
	tests := []struct {
		id   string
		want []string
	}{
		{"corpus:Guide:slide 16", []string{"10 million from DH to create HIECs across England", "May to 1 Sept"}},
		{"corpus:Guide:slide 17", []string{"Detailed bids by 19 Oct", "OJEU advert July", "Public Contract Regulations 2006"}},
		{"corpus:Guide:slide 18", []string{"First wave of HIECs announced"}},
		{"corpus:DH press release:Opening paragraphs", []string{"£10 million cash injection"}},
		{"corpus:DH press release:Notes to editors 1", []string{"020 7210 5221"}},
		{"corpus:DH press release:Notes to editors 4", []string{"some healthcare professions"}},
	}
	for _, tt := range tests {
		p, ok := e.passages[tt.id]
		if !ok {
			t.Errorf("no passage %s", tt.id)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(p.text, w) {
				t.Errorf("%s: text lacks %q:\n%s", tt.id, w, p.text)
			}
		}
		if strings.Contains(p.text, "<h2>") || strings.Contains(p.text, "Ends") {
			t.Errorf("%s: extraction junk left in:\n%s", tt.id, p.text)
		}
	}
	if got := e.passages["corpus:Guide:slide 18"].title; got != "December" {
		t.Errorf("slide 18 title %q, want December", got)
	}
}
