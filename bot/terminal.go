package bot

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TerminalSafe makes text that came from outside (a bidder's question, a
// Slack display name, an answer) safe to print on a terminal: control
// characters that could clear the screen, set the window title, ring the
// bell or move the cursor are shown escaped instead (ESC as \x1b, others
// as \u0007…), as are the invisible characters that reorder or hide text
// (bidirectional overrides, zero-width marks) and bytes that are not
// UTF-8 (\xff). Newlines and tabs are kept.
func TerminalSafe(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == 0x1b:
			b.WriteString(`\x1b`)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == 0x1b || unsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// unsafeRune reports whether r must not reach a terminal raw: C0 and C1
// controls (but newline and tab), DEL, and format characters (Cf: the
// bidirectional overrides and isolates, zero-width joiners and marks,
// the byte-order mark) and the line and paragraph separators.
func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}
