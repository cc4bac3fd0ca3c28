package knowledge

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// makePDF returns a PDF of pages pages, each the same content stream,
// compressed, of lines lines of text.
func makePDF(t testing.TB, pages, lines int) []byte {
	t.Helper()
	var content bytes.Buffer
	content.WriteString("BT /F1 1 Tf 12 TL 0 800 Td\n")
	for range lines {
		content.WriteString("(The quick brown fox jumps over the lazy dog 0123456789) Tj T*\n")
	}
	content.WriteString("ET\n")
	var comp bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&comp, zlib.BestCompression)
	zw.Write(content.Bytes())
	zw.Close()
	kids := make([]string, pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 5+i)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", comp.Len(), comp.String()),
	}
	for range pages {
		objs = append(objs, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>")
	}
	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return out.Bytes()
}

// TestPDFLimits: a PDF's text over the source limit is an error that
// says so; a small file that unpacks to more than PDFium's memory is an
// error too, not gigabytes of the bot's, and the next PDF reads.
func TestPDFLimits(t *testing.T) {
	many := makePDF(t, 40, 50) // 40 pages of 50 lines: 130 kB of text
	if text, err := readPDF(many, 0); err != nil || !strings.Contains(text, "quick brown fox") || strings.Count(text, "\f") != 39 {
		t.Fatalf("40 pages: %d bytes of text, %d pages, err %v", len(text), strings.Count(text, "\f")+1, err)
	}
	if _, err := readPDF(many, 50_000); err == nil || !strings.Contains(err.Error(), "more than 50000 bytes of text") {
		t.Errorf("over the limit: err = %v", err)
	}
	if testing.Short() {
		t.Skip("the memory bomb takes PDFium about ten seconds")
	}
	bomb := makePDF(t, 1, 200_000) // 37 kB: a 12.6 MB content stream
	if len(bomb) > 64<<10 {
		t.Fatalf("the bomb is %d bytes", len(bomb))
	}
	if _, err := readPDF(bomb, DefaultMaxSourceBytes); err == nil || !strings.Contains(err.Error(), "too large or complex") || strings.Contains(err.Error(), "wasm") {
		t.Errorf("memory bomb: err = %v", err)
	}
}

func TestIsPDF(t *testing.T) {
	for _, tt := range []struct {
		data string
		want bool
	}{
		{"%PDF-1.7\n...", true},
		{"\xEF\xBB\xBF%PDF-1.4", true},
		{"\x00\x01junk\xff%PDF-1.4", true},
		{"\n\n  %PDF-1.4", true},
		{"# Formats\n\nA PDF file begins with %PDF-1.7.\n", false},
		{"plain text", false},
		{"caf\xe9 \xe0 %PDF-1.4 in Latin-1", false}, // not a PDF: the encoding error says what is wrong
	} {
		if got := isPDF([]byte(tt.data)); got != tt.want {
			t.Errorf("isPDF(%q) = %v, want %v", tt.data, got, tt.want)
		}
	}
}

// TestPDFFiles reads PDFs as an operator's would be: a publisher's own
// (beipa's, page numbers at each page's foot) into text, pages split by
// form feeds, and what cannot be read into an error that says what to
// give instead.
func TestPDFFiles(t *testing.T) {
	r := &pdfReader{}
	defer r.close()
	read := func(path string) (string, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return r.text(data)
	}
	text, err := read("testdata/corpora/beipa/document.pdf")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Balanced Employee Intellectual Property Agreement", "What the Company owns", "Defend Trade Secrets Act"} {
		if !strings.Contains(text, want) {
			t.Errorf("beipa's PDF: no %q in its text", want)
		}
	}
	if pages := strings.Count(text, "\f") + 1; pages < 5 {
		t.Errorf("beipa's PDF read as %d pages", pages)
	}
	for _, tt := range []struct{ file, wantErr string }{
		{"testdata/pdf/blank.pdf", "is a PDF with no text in it"},
		{"testdata/pdf/locked.pdf", "is a PDF protected by a password"},
	} {
		if _, err := read(tt.file); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want %q", tt.file, err, tt.wantErr)
		}
	}
	// A damaged file, and the reader still reads the next one.
	data, err := os.ReadFile("testdata/corpora/beipa/document.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.text(data[:len(data)/3]); err == nil || !strings.Contains(err.Error(), "damaged PDF") {
		t.Errorf("a third of a PDF: err = %v", err)
	}
	if _, err := read("testdata/corpora/beipa/document.pdf"); err != nil {
		t.Errorf("after a damaged PDF: %v", err)
	}
}

// TestPDFTimeout: a PDF that keeps the reader past its time is an error
// that says so, not a start that never ends: the memory bomb of
// TestPDFLimits takes PDFium about ten seconds, and a reader given 1.5 s
// stops it there.
func TestPDFTimeout(t *testing.T) {
	if _, err := readPDF(makePDF(t, 1, 10), 0); err != nil { // compiled, so that the deadline is all reading
		t.Fatal(err)
	}
	r := &pdfReader{timeout: 1500 * time.Millisecond}
	defer r.close()
	start := time.Now()
	_, err := r.text(makePDF(t, 1, 200_000))
	if err == nil || !strings.Contains(err.Error(), "took the PDF reader more than 1.5s") {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("stopped after %s", d)
	}
}

// TestPDFSourceCached: a PDF named in Sources is answered from, cited by
// the headings its text has, and read once: an unchanged file comes from
// the cache, PDFium not started.
func TestPDFSourceCached(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Sources: []string{"testdata/corpora/beipa/document.pdf"}, NoEmbedded: true, CacheDir: dir}
	for i, want := range []CacheStats{{Built: 1}, {Loaded: 1}} {
		e, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Cache(); got.Built != want.Built || got.Loaded != want.Loaded {
			t.Errorf("run %d: cache %+v, want %+v", i+1, got, want)
		}
		res, err := e.Answer("Does the company own what I make on my own time?")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Answers) == 0 || !strings.HasPrefix(res.Answers[0].Citation, "document.pdf: ") {
			t.Errorf("run %d: answers %+v", i+1, res.Answers)
		}
		e.Close()
	}
}

func TestJoinHyphens(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Agree\x02ment 1.0.0", "Agreement 1.0.0"},
		{"THIS AGREE\x02MENT is", "THIS AGREEMENT is"},
		{"(“Agree\x02ment”)", "(“Agreement”)"},
		{"cloud\x02based services", "cloud-based services"},
		{"G\x02Cloud 6", "G-Cloud 6"},
		{"\x02x and y\x02", "-x and y-"},
		{"it is unen\x02forceable, and unenforceable", "it is unenforceable, and unenforceable"}, // the document has it whole
		{"employ\x029", "employ-9"},
		{"no mark", "no mark"},
	} {
		if got := joinHyphens(tt.in); got != tt.want {
			t.Errorf("joinHyphens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzPDF: whatever bytes a PDF source holds, reading it gives text or
// an error that says what is wrong in an operator's words, and the
// reader reads on.
func FuzzPDF(f *testing.F) {
	for _, path := range []string{"testdata/pdf/blank.pdf", "testdata/pdf/locked.pdf"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"))
	r := &pdfReader{}
	f.Cleanup(r.close)
	f.Fuzz(func(t *testing.T, data []byte) {
		// An error is in an operator's words ("is a damaged PDF ..."),
		// never PDFium's trace.
		if _, err := r.text(data); err != nil && (!strings.HasPrefix(err.Error(), "is a ") || strings.Contains(err.Error(), "wasm")) {
			t.Errorf("error %q", err)
		}
	})
}

// BenchmarkPDF measures reading the publisher's 7-page beipa PDF: with
// a reader started (text), and starting one for it (start: PDFium
// compiled once per process, instantiated each time).
func BenchmarkPDF(b *testing.B) {
	data, err := os.ReadFile("testdata/corpora/beipa/document.pdf")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("text", func(b *testing.B) {
		r := &pdfReader{}
		defer r.close()
		if err := r.start(); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := r.text(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("start", func(b *testing.B) {
		for b.Loop() {
			r := &pdfReader{}
			if _, err := r.text(data); err != nil {
				b.Fatal(err)
			}
			r.close()
		}
	})
}

// TestPDFiumVersion: the version the cache keys PDFs by is the one go.mod
// requires, so that an upgrade of PDFium reads cached PDFs anew.
func TestPDFiumVersion(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if want := "github.com/klippa-app/go-pdfium " + pdfiumVersion; !strings.Contains(string(mod), want) {
		t.Errorf("go.mod does not require %s: set pdfiumVersion in cache.go to the version it requires", want)
	}
}
