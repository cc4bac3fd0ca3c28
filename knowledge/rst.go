package knowledge

// reStructuredText (Sphinx documentation, Python's PEPs, many projects'
// guides) is read by rewriting it as the Markdown markdownBlocks reads:
// the two differ in how they mark headings, tables, directives and
// inline markup, not in what a paragraph or a list is.

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// rstMarkdown rewrites reStructuredText as Markdown:
//   - a section title (a line underlined, and perhaps overlined, by one
//     punctuation character repeated) becomes an ATX heading, its level
//     the order in which its adornment style first appears, as
//     reStructuredText defines it;
//   - directives keep their text (an admonition's, a figure's caption, a
//     code block's) but for those that carry none (image, contents,
//     include...), whose lines are dropped with their options;
//     comments, hyperlink targets and substitution definitions are
//     dropped;
//   - table rules are dropped, and rows become pipe rows;
//   - inline markup (roles, hyperlink references, inline literals,
//     footnote references) keeps its text.
func rstMarkdown(text string) string {
	lines := strings.Split(text, "\n")
	var (
		out    []string
		styles []string // adornment styles in order of first use
		skip   = -1     // indentation above which lines are dropped, or -1
		table  bool     // inside a simple table
	)
	level := func(style string) int {
		for i, s := range styles {
			if s == style {
				return min(i+1, 6)
			}
		}
		styles = append(styles, style)
		return min(len(styles), 6)
	}
	// Headings and rows are finished when written; other lines are text,
	// their inline markup removed a paragraph at a time (it may run
	// over a line break), marked by a leading \x03 until then.
	heading := func(style, title string) {
		out = append(out, "", strings.Repeat("#", level(style))+" "+rstInline(strings.TrimSpace(title)), "")
	}
	say := func(t string) { out = append(out, "\x03"+t) }
	blank := func(i int) bool { return i < 0 || i >= len(lines) || strings.TrimSpace(lines[i]) == "" }
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " \t")
		ind := indentOf(l)
		if skip >= 0 {
			if l == "" || ind > skip {
				continue
			}
			skip = -1
		}
		if c, ok := adornment(l); ok {
			// Overline, title, underline.
			if i+2 < len(lines) && blank(i-1) && !blank(i+1) {
				if c2, ok := adornment(strings.TrimRight(lines[i+2], " \t")); ok && c2 == c {
					heading("over"+string(c), lines[i+1])
					i += 2
					continue
				}
			}
			if c == '=' || c == '-' {
				table = false
			}
			continue // a transition, or a rule with no title
		}
		if l != "" && ind == 0 && blank(i-1) && i+1 < len(lines) {
			if c, ok := adornment(strings.TrimRight(lines[i+1], " \t")); ok && titleFits(l, lines[i+1]) {
				heading(string(c), l)
				i++
				continue
			}
		}
		t := strings.TrimSpace(l)
		if simpleTableRule.MatchString(t) {
			// A simple table's rules: the first opens it, one followed by
			// a blank line (or the end) closes it.
			switch {
			case !table:
				table = true
			case blank(i + 1):
				table = false
			}
			continue
		}
		if gridRule.MatchString(t) {
			continue
		}
		if table {
			out = append(out, "| "+strings.Join(tableCells.Split(t, -1), " | ")+" |")
			continue
		}
		if strings.HasPrefix(t, "..") && (t == ".." || strings.HasPrefix(t, ".. ")) {
			if m := directive.FindStringSubmatch(t); m != nil {
				name := strings.ToLower(m[1])
				if silentDirectives[name] {
					skip = ind
					continue
				}
				// Keep the directive's argument (an admonition's title,
				// a figure's file name aside) and its body; drop its
				// options (":class: tip").
				for i+1 < len(lines) && rstOption.MatchString(strings.TrimSpace(lines[i+1])) && indentOf(lines[i+1]) > ind {
					i++
				}
				if arg := strings.TrimSpace(m[2]); arg != "" && name != "figure" && !strings.HasPrefix(name, "code") && name != "sourcecode" && name != "literalinclude" {
					out = append(out, "")
					say(arg)
				}
				out = append(out, "")
				continue
			}
			if m := footnote.FindStringSubmatch(t); m != nil {
				out = append(out, "")
				say(m[1])
				continue
			}
			skip = ind // a comment, a hyperlink target, a substitution
			continue
		}
		if t == "::" {
			continue
		}
		if strings.HasSuffix(t, "::") {
			// "Paragraph::" introduces a literal block and reads
			// "Paragraph:"; "Paragraph ::" reads "Paragraph".
			t = strings.TrimSuffix(strings.TrimSuffix(t, "::"), " ")
			if !strings.HasSuffix(t, " ") && !strings.HasSuffix(l, " ::") {
				t += ":"
			}
		}
		if m := rstBullet.FindStringSubmatch(t); m != nil {
			t = "- " + m[1]
		} else if strings.HasPrefix(t, "|") && strings.HasSuffix(t, "|") && len(t) > 1 {
			// A grid table's row: its cells, as a pipe row.
			cells := strings.Split(strings.Trim(t, "|"), "|")
			for j := range cells {
				cells[j] = strings.TrimSpace(cells[j])
			}
			t = "| " + strings.Join(cells, " | ") + " |"
			out = append(out, t)
			continue
		}
		if t == "" {
			out = append(out, "")
			continue
		}
		say(t)
	}
	// The inline markup of each run of text lines.
	var md []string
	for i := 0; i < len(out); {
		if !strings.HasPrefix(out[i], "\x03") {
			md = append(md, out[i])
			i++
			continue
		}
		var run []string
		for ; i < len(out) && strings.HasPrefix(out[i], "\x03"); i++ {
			run = append(run, out[i][1:])
		}
		md = append(md, rstInline(strings.Join(run, "\n")))
	}
	return strings.Join(md, "\n")
}

// adornment tells whether l is a section adornment or transition: one
// punctuation character repeated at least three times, and which.
func adornment(l string) (rune, bool) {
	if len(l) < 3 {
		return 0, false
	}
	c := rune(l[0])
	if c >= utf8.RuneSelf || !unicode.IsPunct(c) && !unicode.IsSymbol(c) {
		return 0, false
	}
	for i := 1; i < len(l); i++ {
		if rune(l[i]) != c {
			return 0, false
		}
	}
	return c, true
}

// titleFits tells whether underline is long enough to underline title:
// reStructuredText wants it at least as long, but writers fall a
// character or two short and renderers forgive that.
func titleFits(title, underline string) bool {
	n := utf8.RuneCountInString(strings.TrimSpace(title))
	return utf8.RuneCountInString(strings.TrimSpace(underline)) >= max(3, n-2) && n <= 120
}

// indentOf is the number of leading spaces of l, a tab counting as
// eight.
func indentOf(l string) int {
	n := 0
	for _, r := range l {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 8
		default:
			return n
		}
	}
	return n
}

var (
	simpleTableRule = regexp.MustCompile(`^=+(?: +=+)+$`)
	gridRule        = regexp.MustCompile(`^\+[-=+]+\+$`)
	tableCells      = regexp.MustCompile(`\s{2,}`)
	directive       = regexp.MustCompile(`^\.\.\s+([A-Za-z][\w:+.-]*)::(?:\s+(.*))?$`)
	footnote        = regexp.MustCompile(`^\.\.\s+\[(?:#?[\w-]*|\*)\]\s+(.*)$`)
	rstOption       = regexp.MustCompile(`^:[\w -]+:(?:\s.*)?$`)
	rstBullet       = regexp.MustCompile(`^(?:[-*+•‣⁃]|#\.)\s+(.*)$`)

	rstRole      = regexp.MustCompile("(?::[\\w:+.-]+:)?`([^`]+)`(?::[\\w:+.-]+:)?(?:__?)?")
	rstLiteral   = regexp.MustCompile("``([^`]+)``")
	rstFootRef   = regexp.MustCompile(`\s?\[(?:#?[\w-]*|\*)\]_`)
	rstSubst     = regexp.MustCompile(`\|([^|\s][^|]*[^|\s]|[^|\s])\|(?:__?)?`)
	rstWordRef   = regexp.MustCompile(`\b([A-Za-z0-9]+)__?(\W|$)`)
	rstLinkTitle = regexp.MustCompile(`(?s)^(.*?)\s*<[^<>]+>$`)
	rstRoleName  = regexp.MustCompile("^:([\\w:+.-]+):`")
)

// silentDirectives carry no text a reader asks about: their lines and
// options are dropped.
var silentDirectives = map[string]bool{
	"image": true, "include": true, "raw": true, "contents": true, "toctree": true,
	"index": true, "highlight": true, "meta": true, "sectnum": true, "target-notes": true,
	"default-role": true, "role": true, "header": true, "footer": true, "class": true,
	"autosummary": true, "automodule": true, "autoclass": true, "autofunction": true,
}

// rstInline removes reStructuredText's inline markup from a line and
// escapes what Markdown and HTML would read as markup: a role or
// hyperlink reference keeps its text ("PEP 12" for :pep:`12`, as the
// PEP and RFC roles render), an inline literal its content.
func rstInline(s string) string {
	if strings.Contains(s, "`") {
		s = rstLiteral.ReplaceAllStringFunc(s, func(m string) string { return "\x00" + m[2:len(m)-2] + "\x00" })
		s = rstRole.ReplaceAllStringFunc(s, func(m string) string {
			inner := m[strings.IndexByte(m, '`')+1:]
			inner = inner[:strings.IndexByte(inner, '`')]
			titled := false
			if t := rstLinkTitle.FindStringSubmatch(inner); t != nil && t[1] != "" {
				inner, titled = t[1], true
			}
			if r := rstRoleName.FindStringSubmatch(m); r != nil && !titled {
				switch strings.ToLower(r[1]) {
				case "pep", "rfc":
					inner = strings.ToUpper(r[1]) + " " + inner
				}
			}
			return inner
		})
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if strings.Contains(s, "]_") {
		s = rstFootRef.ReplaceAllString(s, "")
	}
	if strings.Contains(s, "|") {
		s = rstSubst.ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "_") {
		s = rstWordRef.ReplaceAllString(s, "$1$2")
	}
	// Markdown would read these as markup and HTML as tags; the
	// entities are decoded again with the rest of the text.
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]").Replace(s)
}
