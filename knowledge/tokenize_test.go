package knowledge

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// TestTokenizeAsBleve checks that a question's tokens are bleve's unicode
// tokenizer's, term for term, offset for offset, type for type: on every
// string of up to four characters of the classes word segmentation tells
// apart among ASCII characters, and on random ASCII and non-ASCII text.
func TestTokenizeAsBleve(t *testing.T) {
	ut := unicode.NewUnicodeTokenizer()
	tb := newTokens()
	defer tb.release()
	check := func(s string) {
		t.Helper()
		want := ut.Tokenize([]byte(s))
		got := tb.tokenize(s)
		if got == nil { // the caller tokenizes with bleve
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d tokens, want %d", s, len(got), len(want))
		}
		for i := range got {
			if g, w := *got[i], *want[i]; string(g.Term) != string(w.Term) || g.Start != w.Start || g.End != w.End ||
				g.Position != w.Position || g.Type != w.Type || g.KeyWord != w.KeyWord {
				t.Fatalf("%q: token %d = %+v, want %+v", s, i, g, w)
			}
		}
	}
	classes := []string{"a", "Z", "0", "_", ".", ",", ";", ":", "'", "\"", "-", " ", "\r", "\n", "@"}
	var all func(prefix string, n int)
	all = func(prefix string, n int) {
		check(prefix)
		if n > 0 {
			for _, c := range classes {
				all(prefix+c, n-1)
			}
		}
	}
	all("", 4)
	r := rand.New(rand.NewSource(1))
	other := []string{"é", "’", "日本", "\u00a0", "😀", "\xff", "İ", "ß"}
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := r.Intn(30); n >= 0; n-- {
			switch r.Intn(4) {
			case 0:
				b.WriteString(classes[r.Intn(len(classes))])
			case 1:
				b.WriteByte(byte(r.Intn(128)))
			case 2:
				b.WriteString(string(rune('a' + r.Intn(26))))
			default:
				if i%2 == 0 {
					b.WriteString(other[r.Intn(len(other))])
				} else {
					b.WriteString(string(rune('0' + r.Intn(10))))
				}
			}
		}
		check(b.String())
	}
}
