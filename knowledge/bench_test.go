package knowledge

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// benchQuestions is the fixed question mix of the benchmarks: in-scope
// questions in bidders' words and off-topic ones.
var benchQuestions = []string{
	"By what date must detailed bids be submitted?",
	"What's the cut-off for getting our full bid in?",
	"How much cash is DH putting in?",
	"Who gets to pick the winning bids?",
	"Does our HIEC have to be a company or can it be a charity?",
	"Who quality assures education?",
	"We're a consortium of two acute trusts and a university. When do we have to get the PQQ in?",
	"How do HIECs fit with CLAHRCs and academic health science centres?",
	"What's the weather in Manchester?",
	"Which train goes to Brighton?",
	"hello",
	"Is there a phone number for press enquiries?",
}

// percentile returns the p-th percentile (0 < p <= 1) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// ratioRounds is the number of rounds of the question mix over which
// BenchmarkAnswer compares Answer with a plain match query.
const ratioRounds = 200

// compare times answer and plain on each question of the mix, rounds
// times, interleaved question by question so that both see the same
// machine conditions (frequency, cache, the garbage collector): in even
// rounds answer goes first, in odd ones plain. It returns the ratio of
// answer's total time to plain's, and the median of the rounds' ratios.
func compare(b *testing.B, rounds int, answer, plain func(q string) error) (total, median float64) {
	b.Helper()
	timed := func(f func(string) error, q string) time.Duration {
		start := time.Now()
		if err := f(q); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	runtime.GC() // start from a clean heap, not the garbage of what ran before
	var sumA, sumP time.Duration
	ratios := make([]float64, rounds)
	for r := range rounds {
		var a, p time.Duration
		for _, q := range benchQuestions {
			if r%2 == 0 {
				a += timed(answer, q)
				p += timed(plain, q)
			} else {
				p += timed(plain, q)
				a += timed(answer, q)
			}
		}
		sumA, sumP = sumA+a, sumP+p
		ratios[r] = float64(a) / float64(p)
	}
	slices.Sort(ratios)
	return float64(sumA) / float64(sumP), ratios[rounds/2]
}

func answerOnce(e *Engine) func(string) error {
	return func(q string) error { _, err := e.Answer(q); return err }
}

func plainOnce(p *plainIndex) func(string) error {
	return func(q string) error { _, err := p.plainMatch(q); return err }
}

// BenchmarkAnswer measures Answer on the embedded guide over the question
// mix. Besides ns/op it reports the p99 of single answers and the cost of
// an answer relative to a plain bleve match query on the same index and
// questions (see compare): answer/plain is the ratio of total times,
// answer/plain-med the median of the ratios of ratioRounds rounds.
func BenchmarkAnswer(b *testing.B) {
	e := newTestEngine(b, Options{})
	loopP99(b, answerOnce(e))
	total, median := compare(b, ratioRounds, answerOnce(e), plainOnce(newPlainIndex(b, e)))
	b.ReportMetric(total, "answer/plain")
	b.ReportMetric(median, "answer/plain-med")
}

// BenchmarkPlainMatch measures one plain bleve match query on the body
// field of the same index, over the same questions: the cost of a search
// without the thesaurus expansion, re-ranking and highlighting.
func BenchmarkPlainMatch(b *testing.B) {
	loopP99(b, plainOnce(newPlainIndex(b, newTestEngine(b, Options{}))))
}

// loopP99 runs f over the question mix for the benchmark's loop and
// reports the p99 of single calls.
func loopP99(b *testing.B, f func(q string) error) {
	b.ReportAllocs()
	var ds []time.Duration
	for i := 0; b.Loop(); i++ {
		q := benchQuestions[i%len(benchQuestions)]
		start := time.Now()
		if err := f(q); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	b.ReportMetric(float64(percentile(ds, 0.99).Microseconds()), "p99-µs")
}

// BenchmarkStartup measures New with no extra sources: loading the
// embedded corpus and building the index.
func BenchmarkStartup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		e, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// bigSource writes a Markdown file of n sections made from the evaluation
// corpora's text, each under its own heading, and returns its path.
func bigSource(b *testing.B, n int) string { return bigSourceT(b, n) }

func bigSourceT(b testing.TB, n int) string {
	b.Helper()
	var paras []string
	for _, c := range corpora {
		if c.doc == "" || c.of != "" { // a document's PDF text repeats it
			continue
		}
		data, err := os.ReadFile(c.doc)
		if err != nil {
			b.Fatal(err)
		}
		text, _ := decodeText(data)
		for _, p := range sourcePassages(c.doc, text) {
			paras = append(paras, p.text)
		}
	}
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "## Section %d\n\n%s\n\n", i+1, paras[i%len(paras)])
	}
	path := filepath.Join(b.TempDir(), "big.md")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkStartup5000 measures what every `ask` pays with 5,000 passages
// added: New, then five answers.
func BenchmarkStartup5000(b *testing.B) {
	path := bigSource(b, 5000)
	b.ReportAllocs()
	for b.Loop() {
		e, err := New(Options{Sources: []string{path}})
		if err != nil {
			b.Fatal(err)
		}
		for _, q := range benchQuestions[:5] {
			if _, err := e.Answer(q); err != nil {
				b.Fatal(err)
			}
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartup5000Cached is BenchmarkStartup5000 with Options.CacheDir
// holding the analysed source from an earlier start, as at every start
// but the first after the source changes.
func BenchmarkStartup5000Cached(b *testing.B) {
	path := bigSource(b, 5000)
	opts := Options{Sources: []string{path}, CacheDir: b.TempDir()}
	warm, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := warm.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		e, err := New(opts)
		if err != nil {
			b.Fatal(err)
		}
		if st := e.Cache(); st.Loaded != 1 {
			b.Fatalf("Cache() = %+v, want the source loaded from the cache", st)
		}
		for _, q := range benchQuestions[:5] {
			if _, err := e.Answer(q); err != nil {
				b.Fatal(err)
			}
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadAdversarial reads sources shaped to make a reader do
// quadratic work (a review found seven such shapes), each about 250 KB:
// the time a source takes must grow with its size, not its square, so
// that a large file within the size limit cannot stall start-up.
//
//	go test ./knowledge/ -run XXX -bench ReadAdversarial
func BenchmarkReadAdversarial(b *testing.B) {
	inputs := []struct{ name, text string }{
		{"parts.txt", "1 Intro\n\n" + strings.Repeat("PART\n1 Foo\n\n", 20000)},
		{"headings.txt", strings.Repeat("HEADING\nSome text here.\n\n", 10000)},
		{"escapes.rst", strings.Repeat(`\* `, 80000)},
		{"literals.rst", strings.Repeat("``a`` ", 40000)},
		{"colons.rst", strings.Repeat("a::\n", 60000)},
		{"table.rst", "=  =\na  b\n" + strings.Repeat("   x\n", 50000)},
		{"grid.rst", "+--+\n" + strings.Repeat("| x |\n", 40000)},
		{"note.rst", ".. note:: a\n" + strings.Repeat("   b\n", 50000)},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.text)))
			for b.Loop() {
				if len(sourcePassages(in.name, in.text)) == 0 {
					b.Fatal("no passages")
				}
			}
		})
	}
}
