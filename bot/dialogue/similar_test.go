package dialogue

import (
	"math"
	"testing"
)

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		dup  bool
	}{
		{"Can a hospice join a cluster?", "Can a hospice join the cluster?", true},
		{"Can a hospice join a cluster as a partner?", "Could hospices join clusters as partners?", true},
		{"Is VAT recoverable on cluster costs?", "Can we recover VAT on the cluster's costs?", true},
		{"Is VAT recoverable on cluster costs?", "Are cluster costs capped?", false},
		{"Can a hospice join a cluster?", "Can a charity lead a cluster?", false},
		{"When are bids due?", "When are bids due for the second wave?", false},
		{"VAT?", "VAT?", false}, // one content word says too little
		{"", "", false},
		{"What about it?", "What about it?", false}, // function words only
	}
	for _, tt := range tests {
		s := Similarity(tt.a, tt.b)
		if got := s >= DuplicateThreshold; got != tt.dup {
			t.Errorf("Similarity(%q, %q) = %.2f; duplicate %v, want %v", tt.a, tt.b, s, got, tt.dup)
		}
	}
}

func FuzzSimilarity(f *testing.F) {
	f.Add("Can a hospice join a cluster?", "Can a hospice join the cluster?")
	f.Add("", "x")
	f.Add("It's the SHA's bodies'", "ies ss us s")
	f.Fuzz(func(t *testing.T, a, b string) {
		s, r := Similarity(a, b), Similarity(b, a)
		if s != r || s < 0 || s > 1 || math.IsNaN(s) {
			t.Fatalf("Similarity(%q, %q) = %v, reversed %v", a, b, s, r)
		}
		if a != "" && len(contentWords(a)) >= minContentWords && Similarity(a, a) != 1 {
			t.Fatalf("Similarity(%q, itself) = %v", a, Similarity(a, a))
		}
	})
}
