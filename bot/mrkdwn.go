package bot

import (
	"regexp"
	"strings"
)

// Terminal styles, used only when the output is a terminal.
const (
	ansiBold    = "\x1b[1m"
	ansiItalic  = "\x1b[3m"
	ansiFaint   = "\x1b[2m"
	ansiReset   = "\x1b[0m"
	quoteIndent = "    "
)

var (
	mrkBold   = regexp.MustCompile(`(^|[\s(\[“"'])\*([^*\n]*[^*\s\n])\*($|[\s.,;:!?)\]”"'])`)
	mrkItalic = regexp.MustCompile(`(^|[\s(\[“"'])_([^_\n]*[^_\s\n])_($|[\s.,;:!?)\]”"'])`)
	mrkCode   = regexp.MustCompile("`([^`\n]+)`")
	mrkLink   = regexp.MustCompile(`<([^<>|\s]+)(?:\|([^<>]*))?>`)
	entities  = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")
)

// renderMrkdwn turns Slack mrkdwn into terminal text: *bold* is bold and
// _italic_ italic when styled (a terminal) and plain otherwise, quoted
// lines ("> ") are indented, links show their text and address, and the
// &amp; &lt; &gt; entities are decoded.
func renderMrkdwn(s string, styled bool) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		indent := ""
		if rest, ok := strings.CutPrefix(line, "&gt; "); ok {
			indent, line = quoteIndent, rest
		} else if rest, ok := strings.CutPrefix(line, "> "); ok {
			indent, line = quoteIndent, rest
		} else if line == ">" || line == "&gt;" {
			indent, line = quoteIndent, ""
		}
		lines[i] = indent + renderInline(line, styled)
	}
	return strings.Join(lines, "\n")
}

func renderInline(s string, styled bool) string {
	s = mrkLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := mrkLink.FindStringSubmatch(m)
		target, label := sub[1], sub[2]
		switch {
		case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "#"):
			if label != "" {
				return target[:1] + label
			}
			return target
		case strings.HasPrefix(target, "!"):
			if label != "" {
				return label
			}
			return "@" + strings.TrimPrefix(target, "!")
		case label != "" && label != target:
			return label + " (" + target + ")"
		}
		return target
	})
	style := func(re *regexp.Regexp, on string) {
		for {
			next := re.ReplaceAllString(s, "${1}"+on+"${2}"+off(on)+"${3}")
			if next == s {
				return
			}
			s = next
		}
	}
	if styled {
		style(mrkBold, ansiBold)
		style(mrkItalic, ansiItalic)
	} else {
		style(mrkBold, "")
		style(mrkItalic, "")
	}
	s = mrkCode.ReplaceAllString(s, "$1")
	return entities.Replace(s)
}

func off(on string) string {
	if on == "" {
		return ""
	}
	return ansiReset
}

// wrapWidth breaks each line of s at spaces so none is wider than width
// columns on screen (terminal escape codes take no room); a continued
// line keeps the line's leading indent. A word longer than width stays
// whole. width <= 0 leaves s as it is.
func wrapWidth(s string, width int) string {
	if width <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if visibleLen(line) <= width {
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		var b strings.Builder
		col := 0
		for j, word := range strings.Split(strings.TrimLeft(line, " "), " ") {
			w := visibleLen(word)
			switch {
			case j == 0:
				b.WriteString(indent + word)
				col = len(indent) + w
			case col+1+w > width:
				b.WriteString("\n" + indent + word)
				col = len(indent) + w
			default:
				b.WriteString(" " + word)
				col += 1 + w
			}
		}
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}

// visibleLen is how many columns s takes on a terminal: its runes, less
// the escape sequences.
func visibleLen(s string) int {
	n, esc := 0, false
	for _, r := range s {
		switch {
		case esc:
			if r >= '@' && r <= '~' && r != '[' {
				esc = false
			}
		case r == 0x1b:
			esc = true
		default:
			n++
		}
	}
	return n
}
