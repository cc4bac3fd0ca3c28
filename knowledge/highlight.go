package knowledge

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// maxHighlight is the length, in bytes, beyond which a highlighted line is
// cut to the part around its first match.
const maxHighlight = 200

// termWeights are the question's stems with their weights, for
// highlight: a small hash table, chained, on keyBit. Most terms of a
// passage are not the question's, and an empty bucket says so at once.
type termWeights struct {
	keys []string
	w    []float64
	next []int32    // next[i]: 1 + the next entry in keys[i]'s bucket, or 0
	head [256]int32 // head[b]: 1 + the first entry of bucket b, or 0
}

func keyBit(k string) uint8 {
	if k == "" {
		return 0
	}
	return uint8(len(k)*37 + int(k[0])*13 + int(k[len(k)/2])*5 + int(k[len(k)-1]))
}

// reset empties tw, with room for n stems.
func (tw *termWeights) reset(n int) {
	tw.keys, tw.w, tw.next = slices.Grow(tw.keys[:0], n), slices.Grow(tw.w[:0], n), slices.Grow(tw.next[:0], n)
	clear(tw.keys[:cap(tw.keys)])
	tw.head = [256]int32{}
}

// find returns the entry of stem k, or -1.
func (tw *termWeights) find(k string) int { return tw.findBit(k, keyBit(k)) }

// findBit is find for a stem k whose keyBit is b.
func (tw *termWeights) findBit(k string, b uint8) int {
	for i := tw.head[b]; i != 0; i = tw.next[i-1] {
		if tw.keys[i-1] == k {
			return int(i - 1)
		}
	}
	return -1
}

// add gives stem k weight w, unless it has a larger one.
func (tw *termWeights) add(k string, w float64) {
	if i := tw.find(k); i >= 0 {
		tw.w[i] = max(tw.w[i], w)
		return
	}
	b := keyBit(k)
	tw.keys, tw.w, tw.next = append(tw.keys, k), append(tw.w, max(0, w)), append(tw.next, tw.head[b])
	tw.head[b] = int32(len(tw.keys))
}

// get returns the weight of stem k, whose keyBit is b, and whether it
// has one.
func (tw *termWeights) get(k string, b uint8) (float64, bool) {
	if i := tw.findBit(k, b); i >= 0 {
		return tw.w[i], true
	}
	return 0, false
}

// highlight returns the line of ip's text whose matching terms weigh the
// most, with those terms in Slack bold (*term*). weights maps the
// question's keys to their weights. It returns "" if no term of the text
// matches.
//
// On that line, the facts of the kinds in facts (what the question asks
// for: a date, an amount) are in bold too.
func highlight(ip *indexed, weights *termWeights, facts []string) string {
	type mark struct{ start, end int }
	// Room on the stack for the usual line.
	var (
		countedBuf [16]string
		marksBuf   [16]mark
		mergedBuf  [16]mark
	)
	var (
		bestLine  = -1
		bestScore = 0.0
		bestSpans []span           // the spans of the best line
		bestFirst int              // the number of the first of them
		bestStart int              // the offset of the best line in the text
		counted   = countedBuf[:0] // the keys counted on a line
		marks     = marksBuf[:0]   // what is bold on the best line
		merged    = mergedBuf[:0]  // marks, merged
	)
	lineStart := 0
	si := 0
	ip.analysis()
	for li, lineEnd := range ip.lineEnds {
		score := 0.0
		counted = counted[:0]
		first := si
		for ; si < len(ip.spans) && ip.spans[si].start < lineEnd; si++ {
			sp := ip.spans[si]
			w, ok := weights.get(sp.key, ip.spanBits[si])
			if !ok || sp.start < lineStart || sp.end > lineEnd {
				continue // not a question term, or a phrase across lines
			}
			if !slices.Contains(counted, sp.key) {
				counted = append(counted, sp.key)
				score += w
			}
		}
		if score > bestScore {
			bestLine, bestScore = li, score
			bestFirst, bestSpans, bestStart = first, ip.spans[first:si], lineStart
		}
		lineStart = lineEnd + 1
	}
	if bestLine < 0 {
		return ""
	}
	lineEnd := ip.lineEnds[bestLine]
	line := ip.text[bestStart:lineEnd]
	for i, sp := range bestSpans {
		if _, ok := weights.get(sp.key, ip.spanBits[bestFirst+i]); ok && sp.start >= bestStart && sp.end <= lineEnd {
			marks = append(marks, mark{sp.start - bestStart, sp.end - bestStart})
		}
	}
	ip.findFacts()
	for _, f := range ip.factSpans {
		if f.start >= bestStart && f.end <= lineEnd && slices.Contains(facts, f.key) {
			marks = append(marks, mark{f.start - bestStart, f.end - bestStart})
		}
	}
	slices.SortFunc(marks, func(a, b mark) int { return a.start - b.start })
	// Merge marks that overlap or are separated only by spaces.
	for _, m := range marks {
		if n := len(merged); n > 0 && (m.start <= merged[n-1].end ||
			strings.TrimSpace(line[merged[n-1].end:m.start]) == "") {
			merged[n-1].end = max(merged[n-1].end, m.end)
			continue
		}
		merged = append(merged, m)
	}
	from, to := window(line, merged[0].start)
	var b strings.Builder
	b.Grow(to - from + 2*len(merged) + 2*len("…"))
	if from > 0 {
		b.WriteString("…")
	}
	at := from
	for _, m := range merged {
		if m.start < from || m.end > to {
			continue
		}
		b.WriteString(line[at:m.start])
		b.WriteByte('*')
		b.WriteString(line[m.start:m.end])
		b.WriteByte('*')
		at = m.end
	}
	b.WriteString(line[at:to])
	if to < len(line) {
		b.WriteString("…")
	}
	return b.String()
}

// window returns the byte range of line to show around the match at
// offset at: the whole line if it is short, else about maxHighlight bytes
// starting a little before the match, cut at spaces.
func window(line string, at int) (from, to int) {
	if len(line) <= maxHighlight {
		return 0, len(line)
	}
	from = max(0, at-maxHighlight/4)
	if from > 0 {
		if i := strings.IndexByte(line[from:at], ' '); i >= 0 {
			from += i + 1
		}
	}
	for from < at && !utf8.RuneStart(line[from]) {
		from++
	}
	to = min(len(line), from+maxHighlight)
	if to < len(line) {
		if i := strings.LastIndexByte(line[from:to], ' '); i > at-from {
			to = from + i
		}
	}
	for to < len(line) && !utf8.RuneStart(line[to]) {
		to++
	}
	return from, to
}
