package knowledge

import (
	"slices"
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

// timeMix runs f once per question of the mix, rounds times, and returns
// the duration of each call.
func timeMix(b *testing.B, rounds int, f func(q string) error) []time.Duration {
	b.Helper()
	ds := make([]time.Duration, 0, rounds*len(benchQuestions))
	for range rounds {
		for _, q := range benchQuestions {
			start := time.Now()
			if err := f(q); err != nil {
				b.Fatal(err)
			}
			ds = append(ds, time.Since(start))
		}
	}
	return ds
}

func answerOnce(e *Engine) func(string) error {
	return func(q string) error { _, err := e.Answer(q); return err }
}

func plainOnce(e *Engine) func(string) error {
	return func(q string) error { _, err := e.plainMatch(q); return err }
}

// BenchmarkAnswer measures Answer on the embedded guide over the question
// mix. Besides ns/op it reports the p99 of single answers and the ratio of
// Answer's mean time to a plain bleve match query's on the same questions.
func BenchmarkAnswer(b *testing.B) {
	e := newTestEngine(b, Options{})
	b.ReportAllocs()
	var ds []time.Duration
	for i := 0; b.Loop(); i++ {
		q := benchQuestions[i%len(benchQuestions)]
		start := time.Now()
		if _, err := e.Answer(q); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	b.ReportMetric(float64(percentile(ds, 0.99).Microseconds()), "p99-µs")
	answer := timeMix(b, 100, answerOnce(e))
	plain := timeMix(b, 100, plainOnce(e))
	b.ReportMetric(float64(sum(answer))/float64(sum(plain)), "answer/plain")
}

// BenchmarkPlainMatch measures one plain bleve match query on the body
// field of the same index, over the same questions: the cost of a search
// without the thesaurus expansion, re-ranking and highlighting.
func BenchmarkPlainMatch(b *testing.B) {
	e := newTestEngine(b, Options{})
	b.ReportAllocs()
	var ds []time.Duration
	for i := 0; b.Loop(); i++ {
		q := benchQuestions[i%len(benchQuestions)]
		start := time.Now()
		if _, err := e.plainMatch(q); err != nil {
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

func sum(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}
