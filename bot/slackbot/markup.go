package slackbot

import (
	"strings"
	"unicode/utf8"
)

// StripMarkup turns the text of a Slack message into the plain words of a
// question. User, group and special mentions (<@U…>, <@U…|name>, <!here>,
// <!subteam^S…|@team>) are removed; a channel reference <#C…|name>
// becomes "#name"; a link <http://…|label> becomes its label and
// <http://…> its address; a date <!date^…|fallback> its fallback. The
// entities &amp;, &lt; and &gt; are decoded, runs of spaces and tabs
// become one space, lines are trimmed and blank lines dropped.
//
// A "<" with no closing ">" cannot come from Slack, which sends a typed
// "<" as "&lt;", and is dropped.
func StripMarkup(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '<' {
			b.WriteByte(c)
			i++
			continue
		}
		j := strings.IndexAny(s[i+1:], "<>")
		if j < 0 || s[i+1+j] == '<' {
			i++ // an unmatched "<": drop it
			continue
		}
		b.WriteString(markupText(s[i+1 : i+1+j]))
		i += j + 2
	}
	return tidy(entities.Replace(b.String()))
}

// entities decodes the three entities Slack escapes in message text, in
// one pass so that "&amp;lt;" becomes "&lt;" and not "<".
var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// markupText renders the inside of one <…> span as plain text.
func markupText(inner string) string {
	target, label, hasLabel := strings.Cut(inner, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		return ""
	case strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return "#" + label
		}
		return ""
	case strings.HasPrefix(target, "!date^"):
		return label
	case strings.HasPrefix(target, "!"):
		return ""
	case hasLabel && label != "":
		return label
	}
	return target
}

// tidy collapses runs of spaces and tabs, trims every line and drops
// blank lines.
func tidy(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for line := range strings.SplitSeq(s, "\n") {
		words := strings.FieldsFunc(line, func(r rune) bool {
			return r == ' ' || r == '\t' || r == '\r' || r == '\v' || r == '\f' || r == '\u00a0'
		})
		if len(words) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		for k, w := range words {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
	}
	return b.String()
}

// escape makes text safe to show in mrkdwn: Slack reads "<" as the start of
// a mention or link, so a question typed as "<!channel>" must not become
// one when the bot echoes it.
func escape(s string) string { return escaper.Replace(s) }

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapedLen is the length in bytes of r once escaped.
func escapedLen(r rune) int {
	switch r {
	case '&':
		return len("&amp;")
	case '<', '>':
		return len("&lt;")
	case utf8.RuneError:
		return len(string(utf8.RuneError))
	}
	return utf8.RuneLen(r)
}

// splitEscaped escapes s and cuts it into pieces of at most limit bytes
// each, on rune boundaries and never inside an entity, preferring to cut
// after a space. It returns no pieces for an empty s.
func splitEscaped(s string, limit int) []string {
	if limit < len("&amp;") {
		limit = len("&amp;")
	}
	var pieces []string
	for s != "" {
		n, end, lastSpace := 0, len(s), -1
		for i, r := range s {
			l := escapedLen(r)
			if n+l > limit {
				end = i
				break
			}
			n += l
			if r == ' ' {
				lastSpace = i + 1
			}
		}
		if end < len(s) && lastSpace > 0 {
			end = lastSpace
		}
		pieces = append(pieces, escape(s[:end]))
		s = s[end:]
	}
	return pieces
}

// truncateEscaped escapes s, cut to at most limit bytes with "…" at the
// end when it had to be cut.
func truncateEscaped(s string, limit int) string {
	if p := splitEscaped(s, limit); len(p) > 1 {
		return strings.TrimRight(splitEscaped(s, limit-len("…"))[0], " ") + "…"
	} else if len(p) == 1 {
		return p[0]
	}
	return ""
}

// truncate cuts s to at most limit bytes on a rune boundary, ending it
// with "…" when it had to be cut. It does not escape.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
