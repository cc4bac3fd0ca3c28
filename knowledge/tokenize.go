package knowledge

import (
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
	"github.com/blevesearch/segment"
)

// A question's tokens, made in memory reused from one question to the
// next: bleve's unicode tokenizer makes a few slices a question and the
// segmenter two a segment, which was a third of an answer's allocations.

// tokens is the working memory of a question's analysis (see
// Engine.analyseBoth). What it holds is valid until it is released.
type tokens struct {
	input  []byte // the question, which the filters change in place
	vals   [][]byte
	types  []int
	toks   []analysis.Token
	stream analysis.TokenStream
	words  []word
	runes  []rune // stemStream's
	stems  []byte // stemStream's
	// analyseQuestion's
	cues    []cueSpan
	fillers [][2]int
	terms   []qterm
	starts  []bool
}

// qterm is a term of a question, with its byte offset.
type qterm struct {
	stem  string
	start int
}

var tokenBufs sync.Pool // of *tokens

func newTokens() *tokens {
	tb, _ := tokenBufs.Get().(*tokens)
	if tb == nil {
		tb = &tokens{}
	}
	return tb
}

// release gives tb's memory back; nothing it holds is used after.
func (tb *tokens) release() {
	clear(tb.vals)
	clear(tb.toks)
	clear(tb.stream)
	clear(tb.words)
	clear(tb.cues)
	clear(tb.terms)
	tokenBufs.Put(tb)
}

// tokenize splits q as bleve's unicode tokenizer does: the same word
// segmentation (the segmenter's scanner restarts at each segment's end
// either way), run over the whole question at once. It returns nil when
// the segmentation stops short of the end (at invalid UTF-8), where the
// caller runs bleve's tokenizer instead.
func (tb *tokens) tokenize(q string) analysis.TokenStream {
	tb.input = append(tb.input[:0], q...)
	if isASCII(q) {
		return tb.tokenizeASCII()
	}
	vals, types, n, err := segment.SegmentWordsDirect(tb.input, tb.vals[:0], tb.types[:0])
	tb.vals, tb.types = vals, types
	if err != nil || n != len(tb.input) {
		return nil
	}
	count := 0
	for _, t := range types {
		if t != segment.None {
			count++
		}
	}
	tb.toks, tb.stream = resize(tb.toks, count), resize(tb.stream, count)
	start, k := 0, 0
	for i, v := range vals {
		end := start + len(v)
		if types[i] != segment.None {
			tb.toks[k] = analysis.Token{Term: v, Start: start, End: end, Position: k + 1, Type: tokenType(types[i])}
			tb.stream[k] = &tb.toks[k]
			k++
		}
		start = end
	}
	return tb.stream
}

// ASCII classes of Unicode word segmentation (UAX #29), for
// tokenizeASCII.
const (
	wbOther     = iota
	wbALetter   // A-Z, a-z
	wbNumeric   // 0-9
	wbExtendNum // _
	wbMidLetter // :
	wbMidNum    // , ;
	wbMidNumLet // . and '
)

var wbClass = func() (c [128]uint8) {
	for b := 'a'; b <= 'z'; b++ {
		c[b], c[b-'a'+'A'] = wbALetter, wbALetter
	}
	for b := '0'; b <= '9'; b++ {
		c[b] = wbNumeric
	}
	c['_'], c[':'], c[','], c[';'], c['.'], c['\''] = wbExtendNum, wbMidLetter, wbMidNum, wbMidNum, wbMidNumLet, wbMidNumLet
	return c
}()

// tokenizeASCII is tokenize for an ASCII question, without the general
// segmenter: the word boundaries of UAX #29 among ASCII characters, as
// the segmenter finds them. Letters, digits and underscores run
// together; a colon joins letters, a comma or semicolon digits, a full
// stop or apostrophe either; a word with a letter is a letter word, else
// one with a digit a number, else (underscores) a letter word. What lies
// between words is no token, however it is split.
func (tb *tokens) tokenizeASCII() analysis.TokenStream {
	in := tb.input
	tb.toks = tb.toks[:0]
	for i := 0; i < len(in); {
		c := wbClass[in[i]]
		if c != wbALetter && c != wbNumeric && c != wbExtendNum {
			i++
			continue
		}
		start, letter, digit := i, false, false
		for i < len(in) {
			switch c = wbClass[in[i]]; c {
			case wbALetter:
				letter = true
			case wbNumeric:
				digit = true
			case wbExtendNum:
			case wbMidLetter, wbMidNum, wbMidNumLet:
				// Joins a letter to a letter, or a digit to a digit.
				if i+1 < len(in) {
					prev, next := wbClass[in[i-1]], wbClass[in[i+1]]
					if prev == next && (prev == wbALetter && c != wbMidNum || prev == wbNumeric && c != wbMidLetter) {
						i += 2
						continue
					}
				}
				goto end
			default:
				goto end
			}
			i++
		}
	end:
		typ := analysis.AlphaNumeric
		if !letter && digit {
			typ = analysis.Numeric
		}
		tb.toks = append(tb.toks, analysis.Token{Term: in[start:i], Start: start, End: i, Position: len(tb.toks) + 1, Type: typ})
	}
	tb.stream = resize(tb.stream, len(tb.toks))
	for k := range tb.toks {
		tb.stream[k] = &tb.toks[k]
	}
	return tb.stream
}

// analyze returns a.Analyze([]byte(text)), in tb's memory (valid until
// tb is released or analyses again) when a is a chain as newAnalyzers
// builds them: the tokens of tokenize, the chain's filters, and its
// Porter stems made as stemStream makes them.
func (tb *tokens) analyze(a analysis.Analyzer, text string) analysis.TokenStream {
	da, ok := a.(*analysis.DefaultAnalyzer)
	if !ok || len(da.CharFilters) > 0 {
		return a.Analyze([]byte(text))
	}
	var stream analysis.TokenStream
	if _, ok := da.Tokenizer.(*unicode.UnicodeTokenizer); ok {
		stream = tb.tokenize(text)
	}
	if stream == nil {
		stream = da.Tokenizer.Tokenize([]byte(text))
	}
	for _, f := range da.TokenFilters {
		if _, ok := f.(*porter.PorterStemmer); ok {
			tb.stemStream(stream)
			continue
		}
		stream = f.Filter(stream)
	}
	return stream
}

// wordCount counts the words of s as the tokenizer finds them: "won't",
// "U.K." and "3.5" are one word each, "on-going" and "set up" two.
func wordCount(s string) int {
	tb := newTokens()
	defer tb.release()
	if ts := tb.tokenize(s); ts != nil {
		return len(ts)
	}
	return len(unicode.NewUnicodeTokenizer().Tokenize([]byte(s)))
}

// tokenType is the bleve token type of a segment type, as the unicode
// tokenizer converts it.
func tokenType(t int) analysis.TokenType {
	switch t {
	case segment.Ideo, segment.Kana:
		return analysis.Ideographic
	case segment.Number:
		return analysis.Numeric
	}
	return analysis.AlphaNumeric
}

// wordsOf returns the words of the stream s of question q, in buf.
func wordsOf(q string, s analysis.TokenStream, buf []word) []word {
	ws := resize(buf, len(s))
	for i, t := range s {
		ws[i] = word{t.Start, t.End, textAt(q, t.Start, t.Term)}
	}
	return ws
}

// textAt returns b as a string: q's own bytes from offset at when they
// are b (a word already in lower case, a stem that is a word's
// beginning), else a copy.
func textAt(q string, at int, b []byte) string {
	if at >= 0 && at+len(b) <= len(q) && q[at:at+len(b)] == string(b) {
		return q[at : at+len(b)]
	}
	return string(b)
}

// stemStream stems the terms of s in place, as porter.PorterStemmer's
// Filter does, in tb's two buffers for all of them instead of two new
// slices a term.
func (tb *tokens) stemStream(s analysis.TokenStream) {
	runes, buf := tb.runes, tb.stems[:0]
	for _, t := range s {
		if t.KeyWord {
			continue
		}
		runes = runes[:0]
		for _, r := range string(t.Term) { // as bytes.Runes decodes
			runes = append(runes, r)
		}
		from := len(buf)
		for _, r := range porterstemmer.StemWithoutLowerCasing(runes) {
			buf = utf8.AppendRune(buf, r)
		}
		t.Term = buf[from:len(buf):len(buf)]
	}
	tb.runes, tb.stems = runes, buf
}
