package knowledge

import (
	"fmt"
	"strings"
	"testing"
)

// TestPostingsBM25F checks the retrieval score against what BM25F means:
// rarer words weigh more, a word in a short passage more than in a long
// one, a boosted field more than the body, and a replaced passage is
// never found.
func TestPostingsBM25F(t *testing.T) {
	full, _, err := newAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	filler := strings.Repeat("lorem ipsum dolor sit amet ", 20)
	type doc struct{ id, title, text string }
	tests := []struct {
		name  string
		docs  []doc
		query []queryTerm
		want  string // the id found first
	}{
		{"rare word beats common word",
			[]doc{{"a#1", "", "budget review"}, {"a#2", "", "budget plan"}, {"a#3", "", "budget audit"}, {"a#4", "", "deadline plan"}},
			[]queryTerm{{term: "budget", weight: 1, scope: ""}, {term: "deadlin", weight: 1, scope: ""}}, "a#4"},
		{"short passage beats long one",
			[]doc{{"a#1", "", "deadline " + filler}, {"a#2", "", "deadline stated"}},
			[]queryTerm{{term: "deadlin", weight: 1, scope: ""}}, "a#2"},
		{"title boost beats body",
			[]doc{{"a#1", "", "deadline stated here"}, {"a#2", "Deadline", "stated here"}},
			[]queryTerm{{term: "deadlin", weight: 1, scope: ""}}, "a#2"},
		{"query weight counts",
			[]doc{{"a#1", "", "quote"}, {"a#2", "", "tender"}},
			[]queryTerm{{term: "quot", weight: 0.5, scope: ""}, {term: "tender", weight: 1, scope: ""}}, "a#2"},
		{"a document's own synonym is searched in that document only",
			[]doc{{"tender.md#1", "", "team team team"}, {"guide.md#1", "", "team and steering group " + filler}},
			[]queryTerm{{term: "team", weight: 0.5, scope: "guide.md"}}, "guide.md#1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, df := newPostings(), map[string]int{}
			for i, d := range tt.docs {
				ip := analyse(full, passage{id: d.id, title: d.title, path: []string{d.title}, text: d.text})
				ip.seq = i
				ip.num = addTo(x, ip, -1)
				for k := range ip.terms {
					df[k]++
				}
			}
			hits := x.search(tt.query, [numFields]float64{1, 2, 1}, df, 10, nil)
			if len(hits) == 0 || x.docs[hits[0].doc].id != tt.want {
				t.Fatalf("first hit %v, want %s", ids(x, hits), tt.want)
			}
		})
	}
	t.Run("replaced passage is retired", func(t *testing.T) {
		x, df := newPostings(), map[string]int{"deadlin": 1}
		old := analyse(full, passage{id: "a#1", text: "deadline"})
		old.num = addTo(x, old, -1)
		repl := analyse(full, passage{id: "a#1", text: "budget"})
		repl.num = addTo(x, repl, old.num)
		if hits := x.search([]queryTerm{{term: "deadlin", weight: 1, scope: ""}}, [numFields]float64{1, 1, 1}, df, 10, nil); len(hits) != 0 {
			t.Errorf("the replaced text is still found: %v", ids(x, hits))
		}
		if x.live != 1 {
			t.Errorf("live = %d, want 1", x.live)
		}
	})
	t.Run("every document keeps its best passages", func(t *testing.T) {
		x, df := newPostings(), map[string]int{}
		for i := range 10 {
			ip := analyse(full, passage{id: fmt.Sprintf("big#%d", i), text: "bid bid bid"})
			ip.seq, ip.num = i, addTo(x, ip, -1)
		}
		small := analyse(full, passage{id: "small#1", text: "bid " + filler})
		small.seq, small.num = 10, addTo(x, small, -1)
		df["bid"] = 11
		hits := x.search([]queryTerm{{term: "bid", weight: 1, scope: ""}}, [numFields]float64{1, 1, 1}, df, 5, nil)
		if got := ids(x, hits); len(got) != 6 || got[5] != "small#1" {
			t.Errorf("hits %v, want the 5 best and small#1", got)
		}
	})
}

func ids(x *postings, hits []hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, x.docs[h.doc].id)
	}
	return out
}

func addTo(x *postings, ip *indexed, old int32) int32 {
	var keys []string
	var infos []*termInfo
	for k, t := range ip.terms {
		keys, infos = append(keys, k), append(infos, t)
	}
	return x.add(ip, old, keys, infos)
}
