package knowledge

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// cacheQuestions are asked of engines built with and without the cache.
var cacheQuestions = []string{
	"When are quotes due?",
	"Where will the oral interview be held?",
	"How many pages can the technical volume be?",
	"What is the period of performance?",
	"What's the weather in Manchester?",
}

func answersJSON(t *testing.T, e *Engine) string {
	t.Helper()
	var out []Result
	for _, q := range cacheQuestions {
		r, err := e.Explain(q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// copyCorpus copies the rfq18f document into a temporary folder.
func copyCorpus(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/corpora/rfq18f/document.md")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rfq.md")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSourceCache checks that an engine whose sources come from the cache
// answers exactly as one that read them, and that the cache is rebuilt
// whenever it cannot be trusted.
func TestSourceCache(t *testing.T) {
	src := copyCorpus(t)
	want := answersJSON(t, newTestEngine(t, Options{Sources: []string{src}}))

	dir := filepath.Join(t.TempDir(), "cache")
	build := func(t *testing.T, wantLoaded int) *Engine {
		t.Helper()
		e := newTestEngine(t, Options{Sources: []string{src}, CacheDir: dir})
		if st := e.Cache(); st.Loaded != wantLoaded || st.Loaded+st.Built != 1 || st.Err != nil {
			t.Fatalf("Cache() = %+v, want %d loaded of 1 and no error", st, wantLoaded)
		}
		if got := answersJSON(t, e); got != want {
			t.Errorf("answers differ from an engine without the cache:\n got %s\nwant %s", got, want)
		}
		return e
	}
	cacheFiles := func(t *testing.T) []string {
		t.Helper()
		m, err := filepath.Glob(filepath.Join(dir, "source-*.gob"))
		if err != nil || len(m) != 1 {
			t.Fatalf("cache files %v (%v), want one", m, err)
		}
		return m
	}

	t.Run("first start builds and saves", func(t *testing.T) { build(t, 0); cacheFiles(t) })
	t.Run("second start reads the cache", func(t *testing.T) { build(t, 1) })
	t.Run("a staff phrasing on a cached passage", func(t *testing.T) {
		e := build(t, 1)
		if err := e.AddPhrasing("rfq.md: Instructions For Oral Presentations › Schedule and Agenda › Location", "where is the oral interview"); err != nil {
			t.Fatal(err)
		}
		r, err := e.Answer("where is the oral interview")
		if err != nil || len(r.Answers) == 0 || r.Answers[0].Citation != "rfq.md: Instructions For Oral Presentations › Schedule and Agenda › Location" {
			t.Fatalf("Answer after AddPhrasing = %+v, %v", r.Answers, err)
		}
	})
	for _, damage := range []struct {
		name string
		data []byte
	}{
		{"empty file", nil},
		{"garbage", []byte("not a gob at all")},
		{"truncated", nil}, // filled below
	} {
		t.Run("damaged cache: "+damage.name, func(t *testing.T) {
			f := cacheFiles(t)[0]
			data := damage.data
			if damage.name == "truncated" {
				whole, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				data = whole[:len(whole)/2]
			}
			if err := os.WriteFile(f, data, 0o600); err != nil {
				t.Fatal(err)
			}
			build(t, 0) // rebuilt from the source and saved again
			build(t, 1)
		})
	}
	t.Run("a changed source is read again", func(t *testing.T) {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(src, append(data, []byte("\n\n## Zebra crossings\n\nZebra crossings are painted white.\n")...), 0o600); err != nil {
			t.Fatal(err)
		}
		e := newTestEngine(t, Options{Sources: []string{src}, CacheDir: dir})
		if st := e.Cache(); st.Built != 1 {
			t.Fatalf("Cache() = %+v, want the changed source built", st)
		}
		r, err := e.Answer("What colour are zebra crossings painted?")
		if err != nil || len(r.Answers) == 0 || r.Answers[0].Title != "Zebra crossings" {
			t.Fatalf("the new section is not found: %+v, %v", r.Answers, err)
		}
	})
	t.Run("a cache that cannot be written costs only time", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "not-a-folder")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		e := newTestEngine(t, Options{Sources: []string{copyCorpus(t)}, CacheDir: file})
		if st := e.Cache(); st.Built != 1 || st.Err == nil {
			t.Fatalf("Cache() = %+v, want built with an error", st)
		}
		if got := answersJSON(t, e); got != want {
			t.Errorf("answers differ without a writable cache")
		}
	})
}

// FuzzCacheFile feeds arbitrary bytes, and damaged copies of a real cache
// file, to the cache decoder: none may panic, and what it accepts must be
// safe to index.
func FuzzCacheFile(f *testing.F) {
	dir := f.TempDir()
	full, _, err := newAnalyzers()
	if err != nil {
		f.Fatal(err)
	}
	ip := analyse(full, passage{id: "source:a.md#1", title: "Fees", path: []string{"Fees"}, text: "No fee is charged.", citation: "a.md: Fees"})
	if err := writeCached(dir, "k0123456789012345678901234567890123456789", []*indexed{ip}); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(cacheFile(dir, "k0123456789012345678901234567890123456789"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs := decodeCached(bytes.NewReader(data), "k0123456789012345678901234567890123456789")
		if cs == nil {
			return
		}
		e := newTestEngine(t, Options{NoEmbedded: true})
		e.putCached(cs)
		if _, err := e.Answer("is a fee charged?"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCacheVersionFollowsReading fails when the passages read from the
// evaluation corpora and the seeds change while cacheVersion does not:
// a cache of the old reading would be served for unchanged files.
func TestCacheVersionFollowsReading(t *testing.T) {
	// readings holds, for each cacheVersion since the test began, the
	// fingerprint of the passages it reads. When the reading changes on
	// purpose, bump cacheVersion and add its line; never edit an old one
	// (its caches hold the passages it names).
	readings := map[int]string{
		5:  "7f68bdff7df9dc9a",
		6:  "864bdc6046a338a5",
		7:  "864bdc6046a338a5", // page furniture: no corpus has any
		8:  "864bdc6046a338a5", // scripts without capitals: no corpus has any
		9:  "ed82f873fc584696", // run-in titles (fingerprinted again when beipa joined the corpora: the same reading of more files)
		10: "e0504fc7c85d643e", // the review's mends: lists, contents, page numbers of any width, abbreviations, dates
		11: "af2e9aa745b2f947", // HTML tags and character references inside a text file's lines
		12: "bd34a82be23c263b", // words glued in a title set apart
		13: "bd34a82be23c263b", // step labels kept at page tops (backed out)
		14: "260428ae881a768a", // the second review's mends
		15: "260428ae881a768a", // a heading after a list of sentences: no corpus has one
		16: "260428ae881a768a", // "1.0 Introduction" in any case; contents with unnumbered entries: no corpus has either
		17: "260428ae881a768a", // named divisions ("Chapter 1: Introduction"): no corpus has one
		18: "510090e63d64b4f8", // reStructuredText read as such; the corpora pep1, ghsponsors and osslegal
		19: "7167e0c66173fcbb", // reStructuredText: literal blocks, tables, lists and inline literals read as such
		20: "562fc98b6c5b6f10", // parts numbered from 1 again, lettered sections, clause titles with a full stop: ghsponsors-pdf (gcloud-pdf changed too)
		21: "70b01f9cc19b0ce8", // a review: no lettered sections, a part numbered anew only before its "1.1", clause titles ending with a full stop only once numbering has begun
		22: "8a940e532b761017", // the corpus cncfcharter (reading unchanged)
		23: "8a940e532b761017", // contractions without their apostrophe are stop words (reading unchanged)
		24: "802dc0c29976ec0c", // Word documents; the corpora pep1-docx, ghsponsors-docx, gcloud-docx, cncfcharter-docx
		25: "982a25e436ef7904", // PDF files read by PDFium, the cache keyed by a source's bytes; the corpora beipa-docx and four PDFs
		26: "982a25e436ef7904", // "own" is searched, "my own" a filler (reading unchanged)
		27: "73ba57b3e7756f93", // OpenDocument texts; the corpora gcloud-odt and beipa-odt
		28: "a5b50ba54c657d2e", // bold paragraphs as headings in office documents without heading styles; the corpora pep1-bold and ghsponsors-bold
		29: "be5d434a6533614f", // a review: text boxes after their paragraph, hidden text, tracked formatting and moves, alternative text left out; PDF hyphens joined by the document's words
		30: "be5d434a6533614f", // footnotes and endnotes of office documents follow their paragraph
		31: "be5d434a6533614f", // a Word table's vertically merged cells keep their text down the column
		32: "be5d434a6533614f", // contractions without their apostrophe are fillers, not stop words: "IM", "HES" in a document are searched (reading unchanged)
	}
	files := []string{"testdata/seeds/guide.txt", "testdata/seeds/press_release.txt"}
	for _, c := range corpora {
		if c.doc != "" {
			files = append(files, c.doc)
		}
	}
	h := sha256.New()
	for _, f := range files {
		text, err := readSource(f, DefaultMaxSourceBytes)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range sourcePassages(f, text) {
			fmt.Fprintf(h, "%s\x00%s\x00%s\x00%q\x00", p.citation, p.title, p.text, p.path)
		}
	}
	got := hex.EncodeToString(h.Sum(nil))[:16]
	want, ok := readings[cacheVersion]
	switch {
	case !ok:
		t.Errorf("cacheVersion %d has no line in readings: add %d: %q", cacheVersion, cacheVersion, got)
	case got != want:
		t.Errorf("the passages read from the corpora changed (fingerprint %s, cacheVersion %d read %s): bump cacheVersion and add its line to readings", got, cacheVersion, want)
	}
}
