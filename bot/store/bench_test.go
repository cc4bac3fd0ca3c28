package store

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// BenchmarkLogParallel logs questions from 64 goroutines, each Log durable
// when it returns, and reports the throughput group commit achieves.
func BenchmarkLogParallel(b *testing.B) {
	const writers = 64
	s := openTest(b, testPath(b), nil)
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((writers + procs - 1) / procs)
	b.ReportAllocs()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if err := s.Log(context.Background(), sampleQuestion(i)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "questions/s")
}

// BenchmarkLogSerial logs questions one at a time: each pays for its own
// fsync, plus the group-commit wait.
func BenchmarkLogSerial(b *testing.B) {
	s := openTest(b, testPath(b), nil)
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		if err := s.Log(context.Background(), sampleQuestion(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "questions/s")
}
