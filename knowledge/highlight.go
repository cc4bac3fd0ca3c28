package knowledge

import (
	"strings"
	"unicode/utf8"
)

// maxHighlight is the length, in bytes, beyond which a highlighted line is
// cut to the part around its first match.
const maxHighlight = 200

// highlight returns the line of ip's text whose matching terms weigh the
// most, with those terms in Slack bold (*term*). weights maps the
// question's keys to their weights. It returns "" if no term of the text
// matches.
func highlight(ip *indexed, weights map[string]float64) string {
	type mark struct{ start, end int }
	var (
		bestLine  = -1
		bestScore = 0.0
		marks     []mark
	)
	lineStart := 0
	lines := strings.Split(ip.text, "\n")
	si := 0
	for li, line := range lines {
		lineEnd := lineStart + len(line)
		var (
			lineMarks []mark
			score     float64
			counted   = make(map[string]bool)
		)
		for ; si < len(ip.spans) && ip.spans[si].start < lineEnd; si++ {
			sp := ip.spans[si]
			w, ok := weights[sp.key]
			if !ok || sp.start < lineStart || sp.end > lineEnd {
				continue // not a question term, or a phrase across lines
			}
			if !counted[sp.key] {
				counted[sp.key] = true
				score += w
			}
			lineMarks = append(lineMarks, mark{sp.start - lineStart, sp.end - lineStart})
		}
		if score > bestScore {
			bestLine, bestScore, marks = li, score, lineMarks
		}
		lineStart = lineEnd + 1
	}
	if bestLine < 0 {
		return ""
	}
	line := lines[bestLine]
	// Merge marks that overlap or are separated only by spaces.
	var merged []mark
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
	if from > 0 {
		b.WriteString("…")
	}
	at := from
	for _, m := range merged {
		if m.start < from || m.end > to {
			continue
		}
		b.WriteString(line[at:m.start])
		b.WriteString("*" + line[m.start:m.end] + "*")
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
