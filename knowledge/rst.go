package knowledge

// reStructuredText (Sphinx documentation, Python's PEPs, many projects'
// guides) is read by rewriting it as the Markdown markdownBlocks reads:
// the two differ in how they mark headings, tables, directives and
// inline markup, not in what a paragraph or a list is. The text itself
// reaches markdownBlocks protected (rstProtect), so that nothing in it is
// read as Markdown: a comment in a code example is no heading, a rule of
// "=" in one no setext underline.

import (
	"encoding/csv"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// rstBlocks parses reStructuredText into blocks.
func rstBlocks(text string) []block {
	blocks := markdownBlocks(rstMarkdown(text))
	for i := range blocks {
		blocks[i].text = rstRestore(blocks[i].text)
	}
	return blocks
}

// rstMarkdown rewrites reStructuredText as Markdown whose text is
// protected (see rstProtect):
//   - a section title (a line underlined, and perhaps overlined, by one
//     punctuation character repeated) becomes an ATX heading, its level
//     the order in which its adornment style first appears, as
//     reStructuredText defines it;
//   - a literal block (after "::", or a code directive's body) is text,
//     a block a line, read as nothing else;
//   - directives keep their text (an admonition's, a version note's, a
//     described object's signature, an image's alt text), but for those
//     that carry none (contents, include, module...), whose lines are
//     dropped with their options; comments, hyperlink targets and
//     substitution definitions are dropped;
//   - tables (simple, grid, list-table, csv-table) become pipe rows;
//   - field lists, option lists, definition lists and enumerated lists
//     keep one entry a block;
//   - inline markup (roles, hyperlink references, substitutions,
//     footnote references, emphasis) keeps its text, and an inline
//     literal its content as written.
func rstMarkdown(text string) string {
	text = strings.Map(func(r rune) rune {
		if r >= rstPrivate && r < rstPrivate+rune(len(rstMarkup)) || r <= '\x05' {
			return ' ' // the reader's own marks cannot be text
		}
		return r
	}, text)
	r := &rstReader{lines: strings.Split(text, "\n")}
	r.subst = substitutions(r.lines)
	r.read()
	return strings.Join(r.out, "\n")
}

type rstReader struct {
	lines  []string
	subst  map[string]string // substitution definitions: name to text
	out    []string
	styles []string // adornment styles in order of first use
	para   []string // the text lines of the paragraph being read
	// lastIndent is the indentation of the paragraph whose "::" opens a
	// literal block: the block is what is indented more.
	lastIndent int
	paraStart  int // the line the paragraph being read began on
}

func (r *rstReader) line(i int) string {
	if i < 0 || i >= len(r.lines) {
		return ""
	}
	return strings.TrimRight(r.lines[i], " \t\r")
}

func (r *rstReader) blank(i int) bool { return strings.TrimSpace(r.line(i)) == "" }

// flush ends the paragraph being read: its inline markup is removed as
// a whole, for it may run over a line break.
func (r *rstReader) flush() {
	if len(r.para) > 0 {
		r.out = append(r.out, "", r.inline(strings.Join(r.para, "\n")), "")
		r.para = nil
	}
}

// begin ends the paragraph being read and begins one at line i.
func (r *rstReader) begin(i int, text string) {
	r.flush()
	r.para, r.paraStart = []string{text}, i
}

// say writes text as a paragraph of its own.
func (r *rstReader) say(text string) {
	r.flush()
	r.para = []string{text}
	r.flush()
}

// emit writes a finished line of Markdown, a block of its own.
func (r *rstReader) emit(line string) {
	r.flush()
	r.out = append(r.out, line, "")
}

func (r *rstReader) level(style string) int {
	for i, s := range r.styles {
		if s == style {
			return min(i+1, 6)
		}
	}
	r.styles = append(r.styles, style)
	return min(len(r.styles), 6)
}

func (r *rstReader) heading(style, title string) {
	r.emit(strings.Repeat("#", r.level(style)) + " " + r.inline(strings.TrimSpace(title)))
}

// skipIndented returns the index of the first line after i that is not
// blank and is indented at most ind: the end of the block a construct at
// line i indented ind owns.
func (r *rstReader) skipIndented(i, ind int) int {
	j := i + 1
	for ; j < len(r.lines); j++ {
		if !r.blank(j) && indentOf(r.line(j)) <= ind {
			break
		}
	}
	// Blank lines at the end belong to what follows.
	for j > i+1 && r.blank(j-1) {
		j--
	}
	return j
}

// literal writes lines from..to (exclusive) as text, a block a line.
func (r *rstReader) literal(from, to int) {
	r.flush()
	for j := from; j < to; j++ {
		if t := strings.TrimSpace(r.line(j)); t != "" {
			r.out = append(r.out, rstProtect(t), "")
		}
	}
}

func (r *rstReader) read() {
	literalNext := false // the paragraph before ended with "::"
	for i := 0; i < len(r.lines); i++ {
		l := r.line(i)
		t := strings.TrimSpace(l)
		ind := indentOf(l)
		if t == "" {
			r.flush()
			continue
		}
		if literalNext {
			literalNext = false
			if ind > r.lastIndent {
				end := r.skipIndented(i-1, r.lastIndent)
				r.literal(i, end)
				i = end - 1
				continue
			}
		}
		// An RFC 2822 header at the top (a PEP's): a field a block.
		if i == 0 && r.rfcHeader() {
			j := i
			for ; j < len(r.lines) && !r.blank(j); j++ {
				if f := strings.TrimSpace(r.line(j)); indentOf(r.line(j)) > 0 && len(r.para) > 0 {
					r.para = append(r.para, f) // a field's continuation
				} else {
					r.begin(j, f)
				}
			}
			r.flush()
			i = j - 1
			continue
		}
		// Explicit markup (directives, comments, targets, footnotes),
		// anonymous targets and "::", whose marks would read as
		// adornments.
		if t == ".." || strings.HasPrefix(t, ".. ") {
			i = r.explicit(i) - 1
			continue
		}
		if strings.HasPrefix(t, "__ ") || t == "__" {
			i = r.skipIndented(i, ind) - 1 // an anonymous target
			continue
		}
		if t == "::" {
			r.flush()
			literalNext, r.lastIndent = true, ind
			continue
		}
		// Section titles: overline, title, underline; or title,
		// underline.
		if c, n, ok := adornment(l); ok {
			if r.blank(i-1) && !r.blank(i+1) && ind == 0 {
				if c2, n2, ok := adornment(r.line(i + 2)); ok && c2 == c && n2 == n && n >= utf8.RuneCountInString(strings.TrimSpace(r.line(i+1))) && !r.oneColumnTable(i) {
					r.heading("over"+string(c), r.line(i+1))
					i += 2
					continue
				}
			}
			r.flush()
			if c == '=' && !r.blank(i+1) {
				i = r.simpleTable(i) - 1 // a table of one column
			}
			continue // a transition, or a rule with no title
		}
		if ind == 0 && r.blank(i-1) && i+1 < len(r.lines) {
			if c, n, ok := adornment(r.line(i + 1)); ok && titleFits(t, n) {
				r.heading(string(c), l)
				i++
				continue
			}
		}
		// Tables.
		if simpleTableRule.MatchString(t) {
			i = r.simpleTable(i) - 1
			continue
		}
		if gridRule.MatchString(t) {
			i = r.gridTable(i) - 1
			continue
		}
		// Lists: one entry a block.
		if len(r.para) == 0 {
			r.paraStart = i
		}
		// A list begins a paragraph, goes on from an item, or is a body
		// of its own at another indentation than the paragraph's first
		// line (a field's list of values under it, the next item of an
		// outer list); in a paragraph's run, "- 1 when true" is its text.
		listable := len(r.para) == 0 || strings.HasPrefix(r.para[0], "\x04") || ind != indentOf(r.line(r.paraStart))
		if m := rstBullet.FindStringSubmatch(t); m != nil && listable {
			r.begin(i, "\x04"+m[1])
		} else if m := rstEnumerated.FindStringSubmatch(t); m != nil && listable && r.itemEnds(i, ind) {
			r.begin(i, "\x04"+m[1])
		} else if m := rstField.FindStringSubmatch(t); m != nil {
			r.begin(i, m[1]+":"+m[2])
		} else if rstOptionEntry.MatchString(t) {
			r.begin(i, t)
		} else if len(r.para) == 0 && !r.blank(i+1) && indentOf(r.line(i+1)) > ind && !strings.HasSuffix(t, "::") {
			// A definition list's term: its definition, indented, on
			// the next line.
			r.begin(i, strings.TrimSuffix(t, ":")+":")
		} else {
			r.para = append(r.para, t)
		}
		if strings.HasSuffix(t, "::") {
			// "Paragraph::" introduces a literal block and reads
			// "Paragraph:"; "Paragraph ::" reads "Paragraph".
			last := &r.para[len(r.para)-1]
			*last = strings.TrimSuffix(*last, "::")
			if !strings.HasSuffix(*last, " ") {
				*last += ":"
			}
			*last = strings.TrimSpace(*last)
			literalNext, r.lastIndent = true, r.paraIndent()
		}
	}
	r.flush()
}

// rfcHeader reports whether the document opens with an RFC 2822 header,
// as a PEP does: every line of its first block a field ("Title: ...") or
// a field's continuation, indented.
func (r *rstReader) rfcHeader() bool {
	if !rfcField.MatchString(r.line(0)) {
		return false
	}
	for j := 1; j < len(r.lines) && !r.blank(j); j++ {
		if l := r.line(j); indentOf(l) == 0 && !rfcField.MatchString(l) {
			return false
		}
	}
	return true
}

// paraIndent is the indentation of the paragraph being read: that of its
// first line's text (after a list item's marker).
func (r *rstReader) paraIndent() int {
	l := r.line(r.paraStart)
	t := strings.TrimSpace(l)
	for _, re := range []*regexp.Regexp{rstBullet, rstEnumerated} {
		if m := re.FindStringSubmatchIndex(t); m != nil {
			return indentOf(l) + utf8.RuneCountInString(t[:m[2]])
		}
	}
	return indentOf(l)
}

// itemEnds reports whether the line after an enumerated item's first
// line i lets it be one: blank, indented under it or another item ("A.
// Einstein was a really / smart dude." is a paragraph).
func (r *rstReader) itemEnds(i, ind int) bool {
	n := r.line(i + 1)
	return r.blank(i+1) || indentOf(n) > ind || rstEnumerated.MatchString(strings.TrimSpace(n))
}

// oneColumnTable reports whether the rule of "=" at line i, a title's
// overline by its look, opens a simple table of one column instead: a
// third rule follows before a blank line.
func (r *rstReader) oneColumnTable(i int) bool {
	for k := i + 3; k < len(r.lines) && !r.blank(k); k++ {
		if c, _, ok := adornment(r.line(k)); ok && c == '=' {
			return true
		}
	}
	return false
}

// explicit reads the explicit markup block at line i (".. "), returning
// the line after it.
func (r *rstReader) explicit(i int) int {
	l := r.line(i)
	t, ind := strings.TrimSpace(l), indentOf(l)
	end := r.skipIndented(i, ind)
	r.flush()
	if t == ".." {
		if r.blank(i + 1) {
			return i + 1 // an empty comment: what follows is no part of it
		}
		return end
	}
	if m := rstFootnote.FindStringSubmatch(t); m != nil {
		if m[1] == "" || strings.HasPrefix(m[1], "#") || m[1] == "*" || isDigits(m[1]) {
			r.para = nil // a footnote: its text, the label aside
		} else {
			r.para = []string{"[" + m[1] + "]"} // a citation keeps its label
		}
		if m[2] != "" {
			r.para = append(r.para, m[2])
		}
		return i + 1 // its body, indented, is read as text, run on
	}
	m := directive.FindStringSubmatch(t)
	if m == nil {
		return end // a comment, a hyperlink target, a substitution
	}
	name, arg := strings.ToLower(m[1]), strings.TrimSpace(m[2])
	if j := strings.LastIndexByte(name, ':'); j >= 0 && !strings.HasPrefix(name, "http:") {
		name = name[j+1:] // a domain's directive: "py:function" is a function
	}
	if silentDirectives[name] {
		return end
	}
	// The directive's argument may go on, indented, on the next lines
	// (not a code block's: its body may follow at once); its options
	// (":class: tip") follow.
	j := i + 1
	pieces := []string{arg}
	for ; j < end && !literalDirectives[name] && versionDirectives[name] == "" && !r.blank(j) && !rstOption.MatchString(strings.TrimSpace(r.line(j))); j++ {
		pieces = append(pieces, strings.TrimSpace(r.line(j)))
	}
	arg = strings.TrimSpace(strings.Join(pieces, " "))
	opts := map[string]string{}
	for ; j < end && rstOption.MatchString(strings.TrimSpace(r.line(j))); j++ {
		om := rstOption.FindStringSubmatch(strings.TrimSpace(r.line(j)))
		opts[strings.ToLower(om[1])] = strings.TrimSpace(om[2])
	}
	switch {
	case name == "image":
		if alt := opts["alt"]; alt != "" {
			r.say(alt)
		}
		return end
	case literalDirectives[name]:
		if c := opts["caption"]; c != "" {
			r.say(c)
		}
		r.literal(j, end)
		return end
	case name == "list-table":
		r.listTable(arg, j, end)
		return end
	case name == "csv-table":
		r.csvTable(arg, opts["header"], j, end)
		return end
	case strings.HasPrefix(name, "http:"):
		arg = strings.ToUpper(strings.TrimPrefix(name, "http:")) + " " + arg
	case versionDirectives[name] != "":
		// "Changed in version 7.3: Add --builder", its body's first
		// paragraph run on.
		version, note, _ := strings.Cut(arg, " ")
		arg = versionDirectives[name] + " " + version
		if note = strings.TrimSpace(note); note != "" || j < end {
			arg += ":"
		}
		r.para = []string{arg}
		if note != "" {
			r.para = append(r.para, note)
		}
		return j
	case name == "figure" || name == "only":
		arg = "" // a file name, an expression: the body is the text
	}
	if arg != "" {
		r.say(arg)
	}
	return j // the body is read as text
}

// simpleTable reads the simple table whose first rule is at line i and
// returns the line after it: each row a pipe row, its cells cut at the
// rule's columns, a row whose first cell is empty going on the row
// before.
func (r *rstReader) simpleTable(i int) int {
	r.flush()
	cols := ruleColumns(r.line(i))
	var rows []tableRow
	rules := 1
	j := i + 1
	for ; j < len(r.lines); j++ {
		l := r.line(j)
		t := strings.TrimSpace(l)
		if rstTableRule(t) {
			if strings.HasPrefix(t, "=") {
				rules++
			}
			if r.blank(j+1) && rules >= 2 {
				j++
				break
			}
			continue
		}
		if t == "" {
			if !r.ruleAhead(j) {
				break // a table left open ends at a blank line
			}
			continue
		}
		cells := cutColumns(l, cols)
		if len(rows) == 0 || cells[0] != "" {
			rows = append(rows, make(tableRow, len(cols)))
		}
		rows[len(rows)-1].add(cells) // a row whose first cell is empty goes on the one before
	}
	r.rows(rows)
	return j
}

// ruleAhead reports whether the lines after blank line j, up to the next
// blank line, hold a table rule: the blank line is inside a table.
func (r *rstReader) ruleAhead(j int) bool {
	for k := j + 1; k < len(r.lines) && !r.blank(k); k++ {
		if rstTableRule(strings.TrimSpace(r.line(k))) {
			return true
		}
	}
	return false
}

// rstTableRule reports whether t is a rule of a simple table: runs of "="
// (or, inside the table, of "-") separated by spaces.
func rstTableRule(t string) bool {
	return t != "" && (strings.Trim(t, "= ") == "" && t[0] == '=' || dashRule.MatchString(t))
}

// gridTable reads the grid table whose top border is at line i and
// returns the line after it: the lines between two borders make one row,
// each cell's lines joined.
func (r *rstReader) gridTable(i int) int {
	r.flush()
	border := []rune(strings.TrimSpace(r.line(i)))
	var cols []int // where each cell begins: after a "+" of the border
	for k, c := range border[:len(border)-1] {
		if c == '+' {
			cols = append(cols, k+1)
		}
	}
	var rows []tableRow
	open := false // the row between this border and the next has begun
	j := i + 1
	for ; j < len(r.lines); j++ {
		t := strings.TrimSpace(r.line(j))
		if gridRule.MatchString(t) {
			open = false
			continue
		}
		if !strings.HasPrefix(t, "|") {
			break
		}
		if !open {
			rows, open = append(rows, make(tableRow, len(cols))), true
		}
		cells := cutColumns(t, cols)
		for k := range cells {
			cells[k] = strings.Trim(cells[k], "| ")
		}
		rows[len(rows)-1].add(cells)
	}
	r.rows(rows)
	return j
}

// listTable reads a list-table's body (lines from..to): a bullet list of
// rows, each a bullet list of cells.
func (r *rstReader) listTable(title string, from, to int) {
	if title != "" {
		r.say(title)
	}
	var rows []tableRow
	for j := from; j < to; j++ {
		t := strings.TrimSpace(r.line(j))
		switch {
		case strings.HasPrefix(t, "* - ") || t == "* -":
			rows = append(rows, tableRow{{strings.TrimSpace(strings.TrimPrefix(t, "* -"))}})
		case (strings.HasPrefix(t, "- ") || t == "-") && len(rows) > 0:
			rows[len(rows)-1] = append(rows[len(rows)-1], []string{strings.TrimSpace(strings.TrimPrefix(t, "-"))})
		case t != "" && len(rows) > 0:
			row := rows[len(rows)-1]
			row[len(row)-1] = append(row[len(row)-1], t)
		}
	}
	r.rows(rows)
}

// csvTable reads a csv-table's header option and body (lines from..to).
func (r *rstReader) csvTable(title, header string, from, to int) {
	if title != "" {
		r.say(title)
	}
	var body []string
	if header != "" {
		body = append(body, header)
	}
	for j := from; j < to; j++ {
		if t := strings.TrimSpace(r.line(j)); t != "" {
			body = append(body, t)
		}
	}
	cr := csv.NewReader(strings.NewReader(strings.Join(body, "\n")))
	cr.LazyQuotes, cr.TrimLeadingSpace, cr.FieldsPerRecord = true, true, -1
	records, err := cr.ReadAll()
	if err != nil {
		for _, b := range body { // not CSV after all: its lines as text
			r.say(b)
		}
		return
	}
	rows := make([]tableRow, len(records))
	for k, rec := range records {
		rows[k] = make(tableRow, len(rec))
		rows[k].add(rec)
	}
	r.rows(rows)
}

// A tableRow is a table row's cells, each the pieces of its text (a
// cell over several lines has one a line), joined when it is written.
type tableRow [][]string

// add adds a line's cells to the row, cell by cell.
func (row tableRow) add(cells []string) {
	for k, c := range cells {
		if c = strings.TrimSpace(c); c != "" && k < len(row) {
			row[k] = append(row[k], c)
		}
	}
}

// rows writes table rows as pipe rows, each cell's inline markup
// removed.
func (r *rstReader) rows(rows []tableRow) {
	for _, row := range rows {
		cells := make([]string, 0, len(row))
		for _, pieces := range row {
			if c := strings.Join(pieces, " "); c != "" {
				cells = append(cells, r.inline(c))
			}
		}
		if len(cells) > 0 {
			r.emit("| " + strings.Join(cells, " | ") + " |")
		}
	}
}

// ruleColumns returns the columns of a simple table's rule: the start of
// each run of "=", in characters.
func ruleColumns(rule string) []int {
	var cols []int
	prev := ' '
	for i, c := range []rune(rule) {
		if c != ' ' && prev == ' ' {
			cols = append(cols, i)
		}
		prev = c
	}
	return cols
}

// cutColumns cuts a table's row at the columns (counted in characters),
// the last taking the rest of the line.
func cutColumns(l string, cols []int) []string {
	line := []rune(l)
	cells := make([]string, len(cols))
	for k, c := range cols {
		if c >= len(line) {
			break
		}
		e := len(line)
		if k+1 < len(cols) && cols[k+1] < len(line) {
			e = cols[k+1]
		}
		cells[k] = strings.TrimSpace(string(line[c:e]))
	}
	return cells
}

// adornment tells whether l is a section adornment or transition: one
// punctuation character repeated at least twice, and which, and how
// many times.
func adornment(l string) (rune, int, bool) {
	l = strings.TrimRight(l, " \t")
	if len(l) < 2 {
		return 0, 0, false
	}
	c := rune(l[0])
	if c >= utf8.RuneSelf || !unicode.IsPunct(c) && !unicode.IsSymbol(c) {
		return 0, 0, false
	}
	for i := 1; i < len(l); i++ {
		if rune(l[i]) != c {
			return 0, 0, false
		}
	}
	return c, len(l), true
}

// titleFits tells whether an underline of n characters underlines title:
// reStructuredText wants it at least as long, but docutils takes a
// shorter one of four or more (with a warning).
func titleFits(title string, n int) bool {
	t := utf8.RuneCountInString(strings.TrimSpace(title))
	return t <= 120 && (n >= t || n >= 4)
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

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

var (
	simpleTableRule = regexp.MustCompile(`^=+(?: +=+)+$`)
	dashRule        = regexp.MustCompile(`^-+(?: +-+)+$`)
	gridRule        = regexp.MustCompile(`^\+[-=+]+\+$`)
	directive       = regexp.MustCompile(`^\.\.\s+([A-Za-z][\w:+.-]*)::(?:\s+(.*))?$`)
	rstFootnote     = regexp.MustCompile(`^\.\.\s+\[(#?[\w.-]*|\*)\](?:\s+(.*))?$`)
	rstOption       = regexp.MustCompile(`^:([\w -]+):(?:\s+(.*))?$`)
	rstField        = regexp.MustCompile(`^:([^:\s][^:]*):(\s.*|)$`)
	rfcField        = regexp.MustCompile(`^[A-Z][\w-]*: \S`)
	rstOptionEntry  = regexp.MustCompile(`^-{1,2}\w[\w-]*(?:[ =]<?[\w-]+>?)?(?:, -{1,2}\w[\w-]*(?:[ =]<?[\w-]+>?)?)*(?:  +\S|$)`)
	rstBullet       = regexp.MustCompile(`^(?:[-*+•‣⁃])\s+(.*)$`)
	rstEnumerated   = regexp.MustCompile(`^(?:\(?(?:\d+|#|[a-zA-Z]|[ivxlcdm]+|[IVXLCDM]+)\)|(?:\d+|#|[a-zA-Z]|[ivxlcdm]+|[IVXLCDM]+)\.)\s+(\S.*)$`)
)

// silentDirectives carry no text a reader asks about: their lines and
// options are dropped.
var silentDirectives = map[string]bool{
	"include": true, "raw": true, "contents": true, "toctree": true, "index": true,
	"highlight": true, "meta": true, "sectnum": true, "target-notes": true, "default-role": true,
	"role": true, "header": true, "footer": true, "title": true, "module": true, "currentmodule": true,
	"program": true, "sectionauthor": true, "codeauthor": true, "moduleauthor": true,
	"tabularcolumns": true, "default-domain": true, "namespace": true, "autosummary": true,
	"literalinclude": true, "graphviz": true, "math": true,
}

// literalDirectives' bodies are literal text.
var literalDirectives = map[string]bool{
	"code-block": true, "code": true, "sourcecode": true, "parsed-literal": true, "doctest": true, "prompt": true,
}

// versionDirectives say what their version number means.
var versionDirectives = map[string]string{
	"versionadded": "Added in version", "versionchanged": "Changed in version",
	"deprecated": "Deprecated since version", "versionremoved": "Removed in version",
}

// substitutions returns the text of the document's substitution
// definitions (".. |name| replace:: text"; an image's name stands for
// itself).
func substitutions(lines []string) map[string]string {
	out := map[string]string{}
	for _, l := range lines {
		if m := substDef.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			switch strings.ToLower(m[2]) {
			case "replace", "unicode":
				out[m[1]] = strings.TrimSpace(m[3])
			default:
				out[m[1]] = m[1]
			}
		}
	}
	return out
}

var substDef = regexp.MustCompile(`^\.\.\s+\|([^|]+)\|\s+([\w-]+)::\s*(.*)$`)

// rstSlot is a place inline keeps for an inline literal (\x00 n \x00)
// or an escaped character (\x01 n \x01) while it reads the rest.
var rstSlot = regexp.MustCompile("\x00[0-9]+\x00|\x01[0-9]+\x01")

var (
	rstLiteral  = regexp.MustCompile("(?s)``(\\S(?:.*?\\S)??)``($|[\\s.,;:!?)\\]}'\"/-])")
	rstRole     = regexp.MustCompile("(?::([\\w:+.-]+):)?`([^`]+)`(?::[\\w:+.-]+:)?(__?)?")
	rstFootRef  = regexp.MustCompile(`\s?\[(#[\w.-]*|\*|\d+)\]_`)
	rstCiteRef  = regexp.MustCompile(`\[([\w.-]+)\]_`)
	rstSubst    = regexp.MustCompile(`\|([^|\s](?:[^|]*[^|\s])?)\|(?:__?)?`)
	rstWordRef  = regexp.MustCompile(`\b([A-Za-z0-9]+)__?(\W|$)`)
	rstTitled   = regexp.MustCompile(`(?s)^(.*?)\s*<[^<>]+>$`)
	rstStrong   = regexp.MustCompile(`(^|[\s(\[{<'"/\x05-])\*\*([^\s\x05](?:.*?[^\s\x05])?)\*\*($|[\s)\]}>'".,;:!?/\x05-])`)
	rstEmph     = regexp.MustCompile(`(^|[\s(\[{<'"/\x05-])\*([^\s\x05](?:[^*]*?[^\s\x05])?)\*($|[\s)\]}>'".,;:!?/\x05-])`)
	rstEscape   = regexp.MustCompile(`\\(.)`)
	rstEscSpace = regexp.MustCompile(`\\[ \n]`)
)

// inline removes a line's (or paragraph's) inline markup and protects
// what is left: a role or hyperlink reference keeps its text ("PEP 12"
// for :pep:`12`, as the PEP and RFC roles render; "ManyToManyField" for
// :class:`~a.b.ManyToManyField`), an inline literal its content as it
// is, a substitution its definition.
func (r *rstReader) inline(s string) string {
	item := strings.HasPrefix(s, "\x04")
	s = strings.TrimPrefix(s, "\x04")
	// Inline literals first, protected at once: nothing in them is
	// markup.
	var lits []string
	s = rstLiteral.ReplaceAllStringFunc(s, func(m string) string {
		sm := rstLiteral.FindStringSubmatch(m)
		lits = append(lits, sm[1])
		return "\x00" + strconv.Itoa(len(lits)-1) + "\x00" + sm[2]
	})
	s = rstEscSpace.ReplaceAllString(s, "\x05") // nothing, but a boundary to inline markup
	var escs []string
	s = rstEscape.ReplaceAllStringFunc(s, func(m string) string {
		escs = append(escs, m[1:])
		return "\x01" + strconv.Itoa(len(escs)-1) + "\x01"
	})
	if strings.Contains(s, "`") {
		s = rstRole.ReplaceAllStringFunc(s, func(m string) string {
			sm := rstRole.FindStringSubmatch(m)
			role, inner := strings.ToLower(sm[1]), sm[2]
			if t := rstTitled.FindStringSubmatch(inner); t != nil && t[1] != "" {
				return t[1]
			}
			switch {
			case role == "pep" || role == "rfc":
				return strings.ToUpper(role) + " " + inner
			case strings.HasPrefix(inner, "~"):
				inner = inner[1:]
				if k := strings.LastIndexByte(inner, '.'); k >= 0 {
					inner = inner[k+1:]
				}
			case strings.HasPrefix(inner, "!"):
				inner = inner[1:]
			}
			return inner
		})
	}
	if strings.Contains(s, "]_") {
		s = rstFootRef.ReplaceAllString(s, "")
		s = rstCiteRef.ReplaceAllString(s, "[$1]")
	}
	if strings.Contains(s, "|") {
		s = rstSubst.ReplaceAllStringFunc(s, func(m string) string {
			name := rstSubst.FindStringSubmatch(m)[1]
			if v, ok := r.subst[name]; ok {
				return v
			}
			return name
		})
	}
	if strings.Contains(s, "_") {
		s = rstWordRef.ReplaceAllString(s, "$1$2")
	}
	if strings.Contains(s, "*") {
		for range 2 {
			s = rstStrong.ReplaceAllString(s, "$1$2$3")
			s = rstEmph.ReplaceAllString(s, "$1$2$3")
		}
	}
	s = rstProtect(strings.ReplaceAll(s, "\x05", ""))
	if len(lits)+len(escs) > 0 {
		s = rstSlot.ReplaceAllStringFunc(s, func(m string) string {
			k, _ := strconv.Atoi(m[1 : len(m)-1])
			if m[0] == '\x00' {
				return rstProtect(lits[k])
			}
			return rstProtect(escs[k])
		})
	}
	if item {
		return "- " + s
	}
	return s
}

// The text of a reStructuredText document reaches markdownBlocks with
// every character Markdown or HTML might read as markup replaced by a
// rune of Unicode's private use area, and rstBlocks puts them back.
const (
	rstMarkup  = "\\`*_[]#+-.!|>~=<&{}()"
	rstPrivate = '\uE000'
)

func rstProtect(s string) string {
	return strings.Map(func(r rune) rune {
		if i := strings.IndexRune(rstMarkup, r); i >= 0 {
			return rstPrivate + rune(i)
		}
		return r
	}, s)
}

func rstRestore(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= rstPrivate && r < rstPrivate+rune(len(rstMarkup)) {
			return rune(rstMarkup[r-rstPrivate])
		}
		return r
	}, s)
}
