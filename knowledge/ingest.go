package knowledge

// Ingestion: source files to passages.
//
// Every kind of source is read in two steps: the file's bytes are turned
// into text (sourceText: a Word or OpenDocument text into the HTML of its
// body, see docx.go and odt.go; a PDF into its text, see pdf.go; any other
// file decoded as readText decodes it, UTF-8 or UTF-16 with a byte-order
// mark, anything else an error naming the file), then parsed into
// blocks, each a heading (with its level) or a paragraph of clean text
// (markdownBlocks, htmlBlocks, plainBlocks). sectionize turns blocks into
// sections under their heading path, and splitLong cuts long sections at
// paragraphs, so that every kind of source is cited the same way:
// "<file>: <heading> › <subheading>".

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
)

// DefaultMaxSourceBytes is the size limit of one source file when
// Options.MaxSourceBytes is zero.
const DefaultMaxSourceBytes = 8 << 20

// pathSep joins the headings of a heading path in titles and citations.
const pathSep = " › "

// A block is a heading (level 1 to 6) or a paragraph (level 0) of clean
// text: no markup, entities decoded, lines joined by "\n".
type block struct {
	level int
	text  string
}

// A section is the text under one heading path.
type section struct {
	path []string // headings, outermost first; empty before the first heading
	body string   // paragraphs joined by "\n"
	part int      // 1-based part number when a long section was split, else 0
}

// readText reads the file at path as text, refusing a file over limit
// bytes. UTF-8 (with or without a byte-order mark) is read as it is, and
// UTF-16 with a byte-order mark is decoded; any other encoding is an error
// that says how to fix it.
func readText(path string, limit int64) (string, error) {
	data, err := readFile(path, limit)
	if err != nil {
		return "", err
	}
	return decodeText(data)
}

// sourceText turns a source file's bytes into the text sourcePassages
// parses: a Word or OpenDocument text into the HTML of its body
// (docxHTML, odtHTML), a PDF
// into its text (readPDF), any other file as readText decodes it. An
// older Word document, or another zip archive, is an error that says
// what to give instead.
func sourceText(path string, data []byte, limit int64) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".docx":
		return docxHTML(data, limit)
	case ".odt":
		return odtHTML(data, limit)
	}
	switch {
	case isPDF(data):
		return readPDF(data, limit)
	case encryptedOffice(data):
		return "", errors.New("is an Office document protected by a password: save it without one, or give its text")
	case bytes.HasPrefix(data, oleMagic):
		return "", errors.New("is a Word 97-2003 (or other Office 97-2003) file: save it as .docx, or as Markdown, HTML or plain text")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "", errors.New("is a zip archive: name a Word document .docx and an OpenDocument text .odt, or give Markdown, HTML or plain text")
	}
	return decodeText(data)
}

// isPDF reports whether data is a PDF: its header, "%PDF-", in its first
// kilobyte, after nothing but a byte-order mark, white space or binary
// junk (bytes with a NUL among them: PDF readers accept such junk
// before the header; a text file that names "%PDF-" has none).
func isPDF(data []byte) bool {
	i := bytes.Index(data[:min(len(data), 1024)], []byte("%PDF-"))
	if i < 0 {
		return false
	}
	before := bytes.TrimLeft(bytes.TrimPrefix(data[:i], []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	return len(before) == 0 || bytes.IndexByte(before, 0) >= 0
}

// readFile reads the file at path, refusing anything but a regular file
// of at most limit bytes.
func readFile(path string, limit int64) ([]byte, error) {
	// Looked at before it is opened: opening a named pipe waits for a
	// writer, and a device (/dev/zero) has no end.
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	switch {
	case st.IsDir():
		return nil, errors.New("is a folder, not a file")
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("is not a regular file (%s): name the file itself, not a device, pipe or socket", st.Mode().Type())
	case st.Size() > limit:
		return nil, fmt.Errorf("is %d bytes, over the limit of %d bytes for one source: split it into several files", st.Size(), limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The limit holds however the file grows after its size was read.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("is over the limit of %d bytes for one source: split it into several files", limit)
	}
	return data, nil
}

// decodeText decodes the bytes of a text file; see readText.
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(data)
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return "", fmt.Errorf("is not UTF-8 text (invalid byte 0x%02X at offset %d): save it as UTF-8", data[off], off)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", fmt.Errorf("holds a NUL byte at offset %d, so it is not text: give a Markdown, HTML or plain-text file", i)
	}
	return string(data), nil
}

func decodeUTF16(data []byte) (string, error) {
	be := data[0] == 0xFE
	data = data[2:]
	if len(data)%2 != 0 {
		return "", errors.New("is UTF-16 with an odd number of bytes (truncated?): save it as UTF-8")
	}
	u := make([]uint16, len(data)/2)
	for i := range u {
		if be {
			u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	s := string(utf16.Decode(u))
	if strings.ContainsRune(s, utf8.RuneError) {
		return "", errors.New("is UTF-16 with invalid surrogate pairs: save it as UTF-8")
	}
	return s, nil
}

// sourceKind tells how a file is parsed, by its extension.
func sourceKind(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown", ".mdown", ".mkd":
		return "markdown"
	case ".html", ".htm", ".xhtml", ".docx", ".odt": // an office document is read as HTML (sourceText)
		return "html"
	case ".rst", ".rest":
		return "rst"
	}
	return "text"
}

// sourcePassages turns the text of the file at path into passages.
func sourcePassages(path, text string) []passage {
	text = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text)
	var blocks []block
	switch sourceKind(path) {
	case "markdown":
		blocks = markdownBlocks(text)
	case "html":
		blocks = htmlBlocks(text)
	case "rst":
		blocks = rstBlocks(text)
	default:
		blocks = plainBlocks(text)
	}
	base := filepath.Base(path)
	var secs []section
	plain := sourceKind(path) == "text" && !slices.ContainsFunc(blocks, func(b block) bool { return b.level > 0 })
	if plain {
		// Plain text with no headings: a passage a paragraph.
		for _, b := range blocks {
			secs = append(secs, section{body: b.text})
		}
		secs = splitLong(secs, maxPassageWords)
	} else {
		secs = splitLong(sectionize(blocks), maxPassageWords)
	}
	out := make([]passage, 0, len(secs))
	para := 0
	for i, s := range secs {
		ref := strings.Join(s.path, pathSep)
		if ref == "" {
			if plain {
				if s.part <= 1 {
					para++
				}
				ref = "paragraph " + strconv.Itoa(para)
			} else {
				ref = "opening text"
			}
		}
		if s.part > 0 {
			ref += " (part " + strconv.Itoa(s.part) + ")"
		}
		title := ref
		if len(s.path) > 0 {
			title = s.path[len(s.path)-1]
		}
		out = append(out, passage{
			id:     "source:" + path + "#" + strconv.Itoa(i+1),
			source: base, ref: ref, title: title, text: s.body,
			citation: base + ": " + ref,
			path:     s.path,
		})
	}
	return out
}

// maxPassageWords is the length, in words, beyond which a section is split
// at paragraphs (see splitLong): about a page. Chosen on the fit corpora
// (250 to 1,000 tried): shorter parts of one section share its heading
// path and compete with each other, so answers in them are rarely
// confident; longer ones make a citation less precise.
const maxPassageWords = 400

// sectionize groups paragraphs under their heading path. A heading whose
// text is empty keeps its parent's path; a heading with no paragraph under
// it makes no section.
func sectionize(blocks []block) []section {
	var (
		out   []section
		stack []block // open headings
		body  []string
	)
	flush := func() {
		if len(body) == 0 {
			return
		}
		var path []string
		for _, h := range stack {
			if h.text != "" {
				path = append(path, h.text)
			}
		}
		out = append(out, section{path: path, body: strings.Join(body, "\n")})
		body = nil
	}
	for _, b := range blocks {
		if b.level == 0 {
			if t := strings.TrimSpace(b.text); t != "" {
				body = append(body, t)
			}
			continue
		}
		flush()
		for len(stack) > 0 && stack[len(stack)-1].level >= b.level {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, b)
	}
	flush()
	return out
}

// splitLong splits each section longer than max words at paragraph
// boundaries into parts of at most about max words, each keeping the
// section's heading path.
func splitLong(secs []section, max int) []section {
	var out []section
	for _, s := range secs {
		if countWords(s.body) <= max {
			out = append(out, s)
			continue
		}
		var paras []string
		for _, p := range strings.Split(s.body, "\n") {
			paras = append(paras, pieces(p, max)...)
		}
		var cur []string
		n, part := 0, 0
		emit := func() {
			part++
			out = append(out, section{path: s.path, body: strings.Join(cur, "\n"), part: part})
			cur, n = nil, 0
		}
		for _, p := range paras {
			w := countWords(p)
			if n > 0 && n+w > max {
				emit()
			}
			cur = append(cur, p)
			n += w
		}
		emit()
	}
	return out
}

func countWords(s string) int { return len(strings.Fields(s)) }

// pieces cuts a paragraph longer than max words at the ends of sentences,
// and a sentence longer than max words at max words, so that no part of
// a section is longer than a page because one paragraph is.
func pieces(p string, limit int) []string {
	words := strings.Fields(p)
	if len(words) <= limit {
		return []string{p}
	}
	var out, cur []string
	for i, w := range words {
		cur = append(cur, w)
		tw := strings.TrimRight(w, `"')]”’`)
		end := tw != "" && strings.ContainsRune(".!?", rune(tw[len(tw)-1]))
		if len(cur) >= limit || end && i+1 < len(words) && len(cur) >= limit/2 {
			out = append(out, strings.Join(cur, " "))
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, " "))
	}
	return out
}

// plainBlocks parses plain text, often text extracted from a PDF with its
// lines wrapped anywhere, into blocks. Headings are found by what holds
// in any plain text (see plainHeadings). With none, every paragraph (lines
// up to a blank line, joined) is a block. With some, a line that begins a
// list item starts a new paragraph too, so that a section keeps its
// items on lines of their own. Text with pages (broken by form feeds)
// loses what is printed on every page (see dropPageFurniture).
//
// Text wrapped to a page's width (see wrapWidth) is read as a PDF's
// extraction is: a short line that ends a sentence ends its paragraph
// (extractions leave no blank line between paragraphs), a blank line
// inside a sentence (a page break) does not, and lines of bullets alone
// (an extraction puts a list's bullets apart from its items) are dropped,
// as are lines of HTML tags alone.
func plainBlocks(text string) []block {
	lines := strings.Split(strings.ReplaceAll(dropPageFurniture(text), "\f", "\n"), "\n")
	lines = slices.DeleteFunc(lines, func(l string) bool { return bulletsOnly(l) || tagsOnly(l) })
	for i, l := range lines {
		lines[i] = inlineHTML(l)
	}
	width := wrapWidth(lines)
	heads, bodies, under := plainHeadings(lines, width)
	titled := slices.ContainsFunc(heads, func(l int) bool { return l > 0 })
	numbers := map[string]bool{} // the section numbers of the headings so far
	part := 0                    // 1 inside a part numbered anew (see plainHeadings' under)
	section := 2                 // the level of the last numbered heading
	var out []block
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, block{text: joinLines(strings.Join(para, " "))})
			para = nil
		}
	}
	for i, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case heads[i] == wrappedLine:
			// read with the heading above
		case heads[i] > 0:
			flush()
			if i+1 < len(lines) && heads[i+1] == wrappedLine {
				t += " " + strings.TrimSpace(lines[i+1])
			}
			body, runIn := bodies[i]
			if runIn {
				t = strings.TrimSuffix(strings.TrimSpace(t[:len(t)-len(body)]), ".")
			}
			h := plainHeading(t)
			level := min(6, section+1) // inside the numbered section before it
			if under[i] != inSection {
				if under[i] > part {
					clear(numbers) // a part numbered from 1 again
				}
				part = under[i]
				level = min(6, numberedLevel(h, heads[i], numbers)+part)
				if headingNumber(h) != nil {
					section = level
				}
			}
			out = append(out, block{level: level, text: h})
			if runIn {
				para = append(para, body)
			}
		case t == "":
			if len(para) > 0 && i > 0 && strings.TrimSpace(lines[i-1]) == "" {
				break // a run of blank lines kept open at its first stays open
			}
			if len(para) > 0 && strings.HasSuffix(para[len(para)-1], ":") {
				break // "X said:" belongs with what follows
			}
			if width == 0 || len(para) == 0 || endsSentence(para[len(para)-1]) || !continues(lines, i) {
				flush()
			}
		case titled && listMarker.MatchString(t):
			flush()
			para = append(para, listMarker.ReplaceAllString(t, ""))
		default:
			para = append(para, t)
			if width > 0 && endsSentence(t) && utf8.RuneCountInString(t) < width*3/4 {
				flush()
			}
			if width == 0 && endsSentence(t) && utf8.RuneCountInString(t) > unwrappedLine {
				flush() // a paragraph a line, as a word processor saves text
			}
		}
	}
	flush()
	return out
}

// dropPageFurniture removes from text whose pages are broken by form
// feeds (a PDF's extraction) what is printed on every page rather than
// said once: a running header or footer, a page number ("Page 3 of 12",
// "- 3 -"). Such a line stands among the first or last two lines of a
// page, and the same line, its numbers aside, stands there on half the
// pages or more (three at least), its numbers a page's (see
// countsPages). Text with fewer than three pages is returned as it is.
func dropPageFurniture(text string) string {
	pages := strings.Split(text, "\f")
	if len(pages) < 3 {
		return text
	}
	// edges returns the indexes of the first and last two non-blank
	// lines of a page's lines.
	edges := func(lines []string) []int {
		var nb []int
		for i, l := range lines {
			if strings.TrimSpace(l) != "" {
				nb = append(nb, i)
			}
		}
		if len(nb) <= 4 {
			return nb
		}
		return append(nb[:2:2], nb[len(nb)-2:]...)
	}
	key := func(l string) string {
		return strings.ToLower(joinLines(digitRun.ReplaceAllString(l, "#")))
	}
	split := make([][]string, len(pages))
	edge := make([][]int, len(pages))    // edges of each page
	keys := make([][]string, len(pages)) // the key of each of them
	count := map[string]int{}
	numbers := map[string][][]string{} // each key's lines' numbers, page by page
	filled := 0                        // pages with any text: pdftotext ends the last with a form feed too
	for p, page := range pages {
		if strings.TrimSpace(page) != "" {
			filled++
		}
		split[p] = strings.Split(page, "\n")
		edge[p] = edges(split[p])
		seen := map[string]bool{}
		for _, i := range edge[p] {
			k := key(split[p][i])
			keys[p] = append(keys[p], k)
			if !seen[k] {
				seen[k] = true
				count[k]++
				numbers[k] = append(numbers[k], digitRun.FindAllString(split[p][i], -1))
			}
		}
	}
	least := max(3, (filled+1)/2)
	dropped := false
	for p := range split {
		for e, i := range edge[p] {
			if k := keys[p][e]; count[k] >= least && countsPages(numbers[k]) {
				split[p][i], dropped = "", true
			}
		}
	}
	if !dropped {
		return text
	}
	for p := range split {
		pages[p] = strings.Join(split[p], "\n")
	}
	return strings.Join(pages, "\f")
}

// countsPages reports whether the numbers of a line repeated at page
// edges are a page's (seen, page by page): the same every time (a running
// header's "2023"), or with the first that differs going up from page to
// page, all but now and then ("Page 9 of 12", "Page 10 of 12"). Figures
// that go up and down ("Total £1,200", "Total £980") are the pages' text.
func countsPages(seen [][]string) bool {
	for j := 0; ; j++ {
		differs := false
		for _, ns := range seen {
			if j >= len(ns) {
				return true // no number differs
			}
			differs = differs || ns[j] != seen[0][j]
		}
		if !differs {
			continue
		}
		up, down := 0, 0
		for x := 1; x < len(seen); x++ {
			a, _ := strconv.Atoi(seen[x-1][j])
			b, _ := strconv.Atoi(seen[x][j])
			switch {
			case b > a:
				up++
			case b < a:
				down++
			}
		}
		return up > 0 && down*4 <= len(seen)-1 // numbering begun again in a part, now and then
	}
}

// digitRun is a run of digits: "Page 9 of 12" and "Page 10 of 12" are the
// same line, numbers aside.
var digitRun = regexp.MustCompile(`\d+`)

// unwrappedLine is the length, in characters, beyond which a line of
// text not wrapped to a width is a paragraph of its own when it ends a
// sentence: no one wraps lines that long, so the file has a paragraph a
// line (a word processor's "plain text").
const unwrappedLine = 120

// wrapWidth is the width, in characters, to which the lines of text were
// wrapped (the length that nine lines in ten do not pass), or 0 when they
// are too short for prose wrapped to a page's width (a slide deck's
// bullets, a list, lines never wrapped).
func wrapWidth(lines []string) int {
	var lens []int
	for _, l := range lines {
		if n := utf8.RuneCountInString(strings.TrimSpace(l)); n > 0 {
			lens = append(lens, n)
		}
	}
	if len(lens) < 20 {
		return 0
	}
	slices.Sort(lens)
	w := lens[len(lens)*9/10]
	// Wrapped prose: many lines come near the width (not most: tables,
	// lists and headings have short ones).
	near := 0
	for _, n := range lens {
		if n >= w*3/4 {
			near++
		}
	}
	if w < 50 || near < 20 || near*10 < len(lens)*3 {
		return 0
	}
	return w
}

// tagsOnly reports whether l is a line of HTML tags and nothing else,
// markup that a text file holds as it is (see htmlElement).
func tagsOnly(l string) bool {
	t := strings.TrimSpace(l)
	if t == "" || t[0] != '<' {
		return false
	}
	return strings.TrimSpace(stripTags(t)) == ""
}

// stripTags removes the tags of HTML's elements from l (see
// htmlElement).
func stripTags(l string) string {
	return inlineTag.ReplaceAllStringFunc(l, func(m string) string {
		if htmlElement(m) {
			return ""
		}
		return m
	})
}

// htmlTag is the shape of an HTML tag: a name in one case, and attributes
// with values ("<td colspan=2>", "</span>", "<br/>").
const htmlTag = `</?(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>]+))*\s*/?>`

var (
	inlineTag = regexp.MustCompile(htmlTag)
	tagName   = regexp.MustCompile(`^</?([a-zA-Z][a-zA-Z0-9]*)`)
	// entity is a character reference: "&amp;", "&#39;", "&#x2019;".
	entity = regexp.MustCompile(`&(?:[a-zA-Z][a-zA-Z0-9]{1,7}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});`)
)

// htmlElement reports whether tag, of the shape htmlTag, names an element
// of HTML: "<span>" and "</TD>" are markup; "<username>", "<ENTER>" and
// "<NAME>" are a document's placeholders and keys.
func htmlElement(tag string) bool {
	m := tagName.FindStringSubmatch(tag)
	return m != nil && htmlElements[strings.ToLower(m[1])]
}

// htmlElements are the element names of HTML (the WHATWG list, with the
// obsolete ones old pages still carry).
var htmlElements = func() map[string]bool {
	set := map[string]bool{}
	for _, n := range strings.Fields(`a abbr address area article aside audio b base bdi bdo blockquote body br
		button canvas caption cite code col colgroup data datalist dd del details dfn dialog div dl dt em
		embed fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe
		img input ins kbd label legend li link main map mark menu meta meter nav noscript object ol
		optgroup option output p param picture pre progress q rp rt ruby s samp script search section
		select slot small source span strong style sub summary sup table tbody td template textarea
		tfoot th thead time title tr track u ul var video wbr center font big strike tt nobr frame
		frameset noframes marquee acronym applet basefont dir`) {
		set[n] = true
	}
	return set
}()

// inlineHTML is a line of a text file without the HTML tags in it (a
// damaged extraction's "<h2>Hi</h2>", "<b>Deadline</b>") and with its
// character references decoded ("&amp;" is "&"). Only tags of HTML's
// elements go (see htmlElement); "AT&T", "<Insert Agency Name>" and
// "<username>" stay as they are.
func inlineHTML(l string) string {
	if strings.Contains(l, "<") {
		l = stripTags(l)
	}
	if strings.Contains(l, "&") {
		l = entity.ReplaceAllStringFunc(l, html.UnescapeString)
	}
	return l
}

// bullets are the marks that begin a list item in a PDF's text.
const bullets = "•◦▪▫●○■□‣⁃∙·"

// bulletsOnly reports whether a line holds list bullets and nothing else.
func bulletsOnly(l string) bool {
	t := strings.TrimSpace(l)
	return t != "" && strings.Trim(t, bullets+"-–* \t") == ""
}

// endsSentence reports whether a line ends as a sentence does: with a
// full stop, question or exclamation mark, or colon, perhaps followed by a
// closing quote or bracket.
func endsSentence(l string) bool {
	t := strings.TrimRight(strings.TrimSpace(l), "\"”’)]")
	return t != "" && endsWith(t, sentenceEnds)
}

// The marks that end a sentence, and a clause, in Latin and in
// full-width (Chinese, Japanese) punctuation.
const (
	sentenceEnds = ".?!:。？！：．"
	clauseMarks  = ",;:，；：、"
)

// endsWith reports whether s ends with one of the runes of marks.
func endsWith(s, marks string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(marks, r)
}

// continues reports whether the line after the blank line i begins in
// the middle of a sentence (in lower case): the text runs on over a page
// break.
func continues(lines []string, i int) bool {
	for _, l := range lines[i+1:] {
		if t := strings.TrimSpace(l); t != "" {
			r, _ := utf8.DecodeRuneInString(t)
			return unicode.IsLower(r)
		}
	}
	return false
}

var (
	// numberedLine is a line that begins with a number, glued to what
	// follows or not ("17Application process", "3. Scope").
	numberedLine = regexp.MustCompile(`^(\d{1,3})[.):]?[ \t]*(\p{Lu}.*)$`)
	// titleLine is a first line naming the document, as text extraction
	// tools write it.
	titleLine = regexp.MustCompile(`^(?i:title)[ \t]*:[ \t]*(\S.*)$`)
)

// plainHeadings returns the heading level of each line of plain text, 0
// for a line that is not a heading (and wrappedLine for the second line of
// a wrapped title, see wrappedTitle). A heading is:
//   - a line that begins with the next number of the document's one
//     sequence (1, 2, 3...: slides, or numbered sections; one or two may
//     be missing) and says no more than a heading does (see headingLike),
//     or whose title runs in with its text (see runInTitle), at level 2;
//   - a line with a subsection's number in the section open ("9.3 Oral
//     interview" after "9 Evaluation" or "9.0 EVALUATION"), or the first
//     of the next section ("7.1 Content" in section 6), at level 2 (made
//     deeper by numberedLevel);
//   - a short line in capitals (see capsHeading), at level 2 (in text
//     wrapped to width, only after a break, see afterBreak, or after a
//     section number: "7.0 INVOICING");
//   - in text wrapped to width (see wrapWidth), a short line standing
//     where a heading stands in a PDF's extraction (see layoutHeading), at
//     level 2;
//   - when there are such headings, a first line "Title: ...", at level 1.
//
// The items of a numbered list and the entries of a table of contents
// (see numberedItems) are not headings, and do not use up the section
// numbers; nor does a line that begins with a date ("3 June"). Lines
// taken for headings that follow one another with nothing between are a
// list too, but a subsection right under its section ("5.1 Project
// management" under "5.0 Operations") and a numbered section under a
// heading that is not ("1 Introduction" after a cover page's lines).
//
// It returns each line's level (0 for none, wrappedLine for a title's
// second line), the text run in after a title (by line), and under: 1
// for a numbered heading of a part numbered anew under its own title, so
// one level deeper; inSection for a heading that is not numbered between
// two subsections of one section; else 0.
func plainHeadings(lines []string, width int) (lv []int, bodies map[int]string, under []int) {
	skip := numberedItems(lines)
	lv, bodies, numbered, restart := numberHeadings(lines, width, skip)
	// Lines taken for headings that follow one another with nothing
	// between are a list, not headings, unless the second is a
	// subsection of the first ("5.1 Project management" right under "5.0
	// Operations") or a section numbered in the document's sequence after
	// a heading that is not (a cover page's lines, a part's title).
	prev := -1 // the last non-blank line, a wrapped title's line aside
	demote := make([]bool, len(lines))
	for i, l := range lines {
		if strings.TrimSpace(l) == "" || lv[i] == wrappedLine {
			continue
		}
		_, ranIn := bodies[prev] // a run-in title's line holds its text
		if prev >= 0 && lv[prev] > 0 && lv[i] > 0 && !ranIn && !restart[i] && !subsection(lines[prev], lines[i]) {
			demote[prev] = true
			demote[i] = !numbered[i] || numbered[prev]
		}
		prev = i
	}
	found := false
	for i := range lv {
		if demote[i] || lv[i] == wrappedLine && lv[i-1] == 0 {
			lv[i] = 0
		}
		if lv[i] == 0 {
			delete(bodies, i)
		}
		found = found || lv[i] > 0
	}
	if !found {
		return lv, nil, nil
	}
	for i, l := range lines {
		if t := strings.TrimSpace(l); t != "" {
			if titleLine.MatchString(t) && lv[i] == 0 {
				lv[i] = 1
			}
			break
		}
	}
	// A part numbered from 1 again under a heading that is not ("Terms
	// for Sponsors", then "1. Sponsors Program"): its numbered headings
	// are one level under that heading, up to the next heading that is
	// not numbered. A heading that is not numbered, between two numbered
	// sections of a sequence ("Full service agreement" between 3.8 and
	// 3.9), is inside the section before it (inSection).
	under = make([]int, len(lines))
	hasNumber := make([]bool, len(lines)) // a heading with a number
	next := make([]int, len(lines))       // the next heading with a number after each line, or -1
	for i, n := len(lines)-1, -1; i >= 0; i-- {
		next[i] = n
		if lv[i] > 0 && (numbered[i] || headingNumber(lines[i]) != nil) {
			hasNumber[i], n = true, i
		}
	}
	off, last := 0, -1 // last: the line of the last heading with a number
	for i := range lines {
		if lv[i] <= 0 {
			continue
		}
		switch {
		case restart[i]:
			off = 1
		case !hasNumber[i]:
			if last >= 0 && next[i] >= 0 && !restart[next[i]] && sameSection(lines[last], lines[next[i]]) {
				under[i] = inSection
				continue
			}
			off = 0
		}
		if hasNumber[i] {
			under[i], last = off, i
		}
	}
	return lv, bodies, under
}

// sameSection reports whether two numbered headings are subsections of
// one section ("3.8 Stripe Connect" and "3.9 No Liability").
func sameSection(a, b string) bool {
	pa, pb := headingNumber(a), headingNumber(b)
	return len(pa) > 1 && len(pb) > 1 && pa[0] == pb[0]
}

// inSection marks, in plainHeadings' under, a heading that is not
// numbered inside the numbered section before it.
const inSection = -1

// numberHeadings is plainHeadings' reading of each line, the lines of
// skip aside (list items, contents entries). numbered says
// which headings take their place in the document's numbering (the next
// section's number, or a subsection of the section open), and restart
// which begin it again at 1 under a part's title (see partBegins).
func numberHeadings(lines []string, width int, skip []bool) (lv []int, bodies map[int]string, numbered, restart []bool) {
	lv, numbered, restart = make([]int, len(lines)), make([]bool, len(lines)), make([]bool, len(lines))
	var decisive []int        // see decisiveLines: made when a part's "1." is first met
	bodies = map[int]string{} // the text after a run-in title, by line
	// num is where the document's numbering stands: next, the number
	// the next numbered section will have; major, the number of the
	// section open (0 before any).
	type numbering struct{ next, major int }
	num := numbering{next: 1}
	// inSequence reports whether n may be the next section's number: one
	// or two may be missed (a heading the extraction broke, or took for a
	// sentence).
	inSequence := func(n int) bool { return n >= num.next && n <= num.next+2 }
	// underPart reports whether the line before line i is a heading that
	// is not numbered: a part's title, under which numbering may begin
	// again at 1.
	underPart := func(i int) bool {
		for j := i - 1; j >= 0; j-- {
			if strings.TrimSpace(lines[j]) != "" {
				return lv[j] == 2 && !numbered[j] && headingNumber(lines[j]) == nil
			}
		}
		return false
	}
	// take makes line i a heading of the numbering, its title wrapped
	// onto the next line or run in with its text (body).
	take := func(i int, wrapped, runIn bool, body string) {
		lv[i], numbered[i] = 2, true
		if wrapped {
			lv[i+1] = wrappedLine
		}
		if runIn {
			bodies[i] = body
		}
	}
	for i, l := range lines {
		t := markless(l)
		if t == "" || skip[i] || dayMonth.MatchString(t) {
			continue
		}
		short := width == 0 || utf8.RuneCountInString(t) < width*9/10 // in wrapped text, not a full line
		if m := numberedLine.FindStringSubmatch(t); m != nil {
			body, runIn := runInTitle(m[1], m[2])
			wrapped := short && !runIn && wrappedTitle(lines, i, m[2])
			// A numbered line whose sentence goes on in lower case on the
			// next is a list item ("1. Fill in the form in black ink /
			// and sign it"), but for a slide's title glued to its number.
			glued := t[:len(t)-len(m[2])] == m[1]
			// A clause's title ending with a full stop is one once the
			// document's numbering has begun; before, the line is as
			// likely a step of a list ("1. Log In to the System.").
			titled := headingLike(m[2]) || num.major > 0 && clauseTitle(m[2])
			whole := short && titled && (glued || !goesOn(lines, i))
			n, _ := strconv.Atoi(m[1])
			if runIn || whole || wrapped {
				// Numbering begun again under a part's title.
				again := !inSequence(n) && n == 1 && num.major > 0 && underPart(i)
				if again && decisive == nil {
					decisive = decisiveLines(lines)
				}
				again = again && partBegins(lines, i, decisive)
				if inSequence(n) || again {
					take(i, wrapped, runIn, body)
					restart[i] = again
					num = numbering{next: n + 1, major: n}
					continue
				}
			}
		}
		// A named division with the next number ("Chapter 3:
		// Evaluation", "Section 1"), or numbered 1 again.
		if d, ok := divisionLine(t); ok && short && !goesOn(lines, i) {
			if n, _ := strconv.Atoi(d); inSequence(n) || n == 1 {
				take(i, false, false, "")
				num = numbering{next: n + 1, major: n}
				continue
			}
		}
		// A subsection of the section open now ("9.3 Oral interview"
		// under "9 Evaluation"), the first of the next section when its
		// own heading was missed ("7.1 Content" after section 6), or the
		// next section's "N.0" heading. Its level is set by
		// numberedLevel.
		if m := sectionNumber.FindStringSubmatch(t); m != nil {
			rest := strings.TrimSpace(t[len(m[0]):])
			body, runIn := runInTitle(m[1], rest)
			wrapped := short && !runIn && wrappedTitle(lines, i, rest)
			r, _ := utf8.DecodeRuneInString(rest)
			parts := strings.Split(m[1], ".")
			n, _ := strconv.Atoi(parts[0])
			// A section numbered "N.0" is the next section's own heading
			// ("1.0 Introduction"), in any case.
			section := len(parts) == 2 && parts[1] == "0" && inSequence(n)
			sub := num.major > 0 && (n == num.major || n == num.major+1 && (parts[1] == "1" || parts[1] == "0"))
			if (runIn || short && (headingLike(rest) || clauseTitle(rest)) || wrapped) && unicode.IsUpper(r) && (section || sub) {
				take(i, wrapped, runIn, body)
				num = numbering{next: max(num.next, n+1), major: n}
				continue
			}
		}
		// A line in capitals is a heading where a heading may stand,
		// or anywhere when it begins with a section number ("7.0
		// INVOICING"). Its number opens that section when it is the
		// next, an earlier one (a part of the document numbered from 1
		// again) or a section's number ("5.0"), not when it is far
		// ahead (a cover page's "15 MARCH 2024").
		dotted := sectionNumber.MatchString(t)
		if capsHeading(t) && (width == 0 || dotted || afterBreak(lines, i)) || width > 0 && layoutHeading(lines, i, width) {
			lv[i] = 2
			if parts := headingNumber(t); parts != nil {
				switch n, _ := strconv.Atoi(parts[0]); {
				case inSequence(n) || n == 1: // the next, or numbering begun again
					num = numbering{next: n + 1, major: n}
				case n > 0 && (n < num.next || dotted): // an earlier section's, or a section's number
					num = numbering{next: max(num.next, n+1), major: n}
				}
			}
		}
	}
	return lv, bodies, numbered, restart
}

// partBegins reports whether the "1." at line i begins a part numbered
// anew, not a list under a heading (the documents to return, the steps
// to follow, a scoring scale) after which the document's own numbering
// goes on: a subsection heading of it ("1.1 Description") comes before
// any other number's heading (decisive, see decisiveLines), and it holds
// no second number as a form's row does ("1. Name 2. Address").
func partBegins(lines []string, i int, decisive []int) bool {
	if formRow.MatchString(lines[i]) || decisive[i] < 0 {
		return false
	}
	m := sectionNumber.FindStringSubmatch(markless(lines[decisive[i]]) + " ")
	return m != nil && strings.HasPrefix(m[1], "1.")
}

// decisiveLines returns, for each line, the first line after it that
// reads as a numbered heading of a number other than "1" (a subsection
// "1.1 Description", or "2 Payment"), or -1: what tells a part numbered
// anew from a list (see partBegins). One pass from the end.
func decisiveLines(lines []string) []int {
	out := make([]int, len(lines))
	next := -1
	for i := len(lines) - 1; i >= 0; i-- {
		out[i] = next
		t := markless(lines[i])
		if m := sectionNumber.FindStringSubmatch(t + " "); m != nil {
			if rest := strings.TrimSpace(t[len(m[0])-1:]); headingLike(rest) || clauseTitle(rest) {
				next = i
			}
		} else if m := numberedLine.FindStringSubmatch(t); m != nil && m[1] != "1" && (headingLike(m[2]) || clauseTitle(m[2])) {
			next = i
		}
	}
	return out
}

// formRow is a line holding a second numbered item after its first.
var formRow = regexp.MustCompile(`\S\s+\d{1,3}\.\s+\p{Lu}`)

// clauseTitle reports whether s, what follows a section's number, reads
// as a clause's title: each word of four letters or more capitalised and
// a full stop at its end ("Sponsored Developer Payment Exclusions.",
// "Disclaimer of Warranties; Limitation of Liability.").
func clauseTitle(s string) bool {
	s = strings.TrimSpace(s)
	body, ok := strings.CutSuffix(s, ".")
	return ok && !strings.HasSuffix(body, ".") && !strings.Contains(body, ". ") && countWords(s) <= 12 &&
		titleCase(body) && !endsUnfinished(body)
}

// runIn is a title run in with its text, as a contract's clauses are:
// "What the Company owns. The Company owns any IP ...".
var runIn = regexp.MustCompile(`^(\p{Lu}[^.?!:;]*[^\s.?!:;])\.[ \t]+(["“‘(]?\p{Lu}.*)$`)

// runInTitle reports whether s, what follows section number n, begins
// with a title run in with its text ("What the Company owns. The Company
// owns ..."): a phrase of at most eight words that reads as a heading,
// ending with a full stop, then a sentence begun in capitals. It returns
// that text. A full stop after an abbreviation or an initial ("Dr.",
// "Art. 5", "J. Smith") ends no title, nor does one after a date ("1
// September. The panel met").
func runInTitle(n, s string) (body string, ok bool) {
	m := runIn.FindStringSubmatch(s)
	if m == nil || countWords(m[1]) > 8 || !headingLike(m[1]) || countWords(m[2]) < 3 {
		return "", false
	}
	if abbreviation(m[1], lastWord(m[1])) || dayMonth.MatchString(n+" "+m[1]) {
		return "", false
	}
	return m[2], true
}

// dayMonth is a line that begins with a date, day then month ("3 June",
// "1st of September"): a number that is no section's.
var dayMonth = regexp.MustCompile(`(?i)^\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b`)

// abbreviation reports whether the last word of a title before its full
// stop reads as an abbreviation or an initial: a letter alone, two letters
// capitalised ("Dr", "St", "No"), or a title of one word of three ("Mrs",
// "Art"). "Governing Law" and "Value Added Tax" are titles.
func abbreviation(title, w string) bool {
	n := utf8.RuneCountInString(w)
	r, size := utf8.DecodeRuneInString(w)
	rest := w[size:]
	capitalised := unicode.IsUpper(r) && rest != "" && strings.ToLower(rest) == rest
	return n == 1 || n == 2 && capitalised || n == 3 && capitalised && countWords(title) == 1
}

// goesOn reports whether the line after line i begins in lower case,
// going on with the sentence line i began.
func goesOn(lines []string, i int) bool {
	if i+1 >= len(lines) {
		return false
	}
	n := strings.TrimSpace(lines[i+1])
	r, _ := utf8.DecodeRuneInString(n)
	return unicode.IsLower(r) && !letteredItem.MatchString(n) // "a. FAR 52.252-1" begins an item
}

// wrappedLine is the level plainHeadings gives the line that ends the
// title of the heading above it, wrapped onto it.
const wrappedLine = -1

// wrappedTitle reports whether title, of line i, is a heading's title
// that runs on to the next line: it ends unfinished ("7 Trained
// workforce not responsive to needs of", see unfinished), the next line
// goes on in a few words ("service", "Contracting Officer") and does not
// end a sentence, and the two read as a heading.
func wrappedTitle(lines []string, i int, title string) bool {
	if i+1 >= len(lines) {
		return false
	}
	n := strings.TrimSpace(lines[i+1])
	if n == "" || countWords(n) > 4 {
		return false
	}
	if strings.HasSuffix(title, ";") && titleCase(title) {
		// A clause's title wrapped after a semicolon ("Limitation of
		// Liability; / Indemnification.").
		return clauseTitle(title + " " + n)
	}
	return endsUnfinished(title) && !endsSentence(n) && headingLike(title+" "+n)
}

// plainHeading is the text of a heading line: "Title: X" is X, a number
// glued to its title is set apart ("17Application process" is "17
// Application process"), and so are two words glued (see glued).
func plainHeading(t string) string {
	if m := titleLine.FindStringSubmatch(t); m != nil {
		return joinLines(m[1])
	}
	t = glued.ReplaceAllString(markless(t), "$1 $2")
	if m := numberedLine.FindStringSubmatch(t); m != nil {
		return m[1] + " " + joinLines(m[2])
	}
	return joinLines(t)
}

// glued is two words of a title run together where an extraction lost
// the line break between them ("ClustersWhat", "beginsHigh": a slide's
// title and the line under it), each of four letters or more. A name in
// camel case ("SharePoint") is split too: in a title only, where its
// text still has it whole.
var glued = regexp.MustCompile(`\b(\p{Lu}?\p{Ll}{3,})(\p{Lu}\p{Ll}{3,})\b`)

// sectionNumber is a heading's dotted section number: "9.3.3 Location".
var sectionNumber = regexp.MustCompile(`^(\d{1,3}(?:\.\d{1,3})+)\.?\s`)

// markless is a line of a text file without the marks of a Markdown
// heading ("##5.0 SCOPE" is "5.0 SCOPE").
func markless(l string) string { return strings.TrimLeft(strings.TrimSpace(l), "# ") }

// headingNumber returns the parts of the section number a heading line
// begins with: "9.3.3 Location" is 9, 3, 3; "5.0 Scope", "5. Scope" and
// "5Scope" are 5; a line with none, nil.
func headingNumber(line string) []string {
	t := markless(line)
	m := sectionNumber.FindStringSubmatch(t + " ")
	if m == nil {
		if m = numberedLine.FindStringSubmatch(t); m == nil {
			if n, ok := divisionLine(t); ok {
				return []string{n}
			}
			return nil
		}
	}
	parts := strings.Split(m[1], ".")
	for len(parts) > 1 && parts[len(parts)-1] == "0" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// division is a line that begins with a word and a number, as a named
// division of a document does ("Chapter 3: Evaluation", "Section 2 -
// Scope", "Annex 1").
var division = regexp.MustCompile(`^(\p{L}+)[ \t]+(\d{1,3})(?:[.:)]|[ \t]+[-–—])?(?:[ \t]+(.*))?$`)

// divisionLine reports whether t is a named division's heading (see
// lexicon/sections.txt), and its number.
func divisionLine(t string) (n string, ok bool) {
	m := division.FindStringSubmatch(strings.TrimSpace(t))
	if m == nil || !divisionWords()[strings.ToLower(m[1])] || m[3] != "" && !headingLike(m[3]) {
		return "", false
	}
	return m[2], true
}

// divisionWords returns the words of lexicon/sections.txt.
var divisionWords = sync.OnceValue(func() map[string]bool { return embeddedWordSet("lexicon/sections.txt") })

// numberedLevel is the level of a plain-text heading found at level: one
// deeper for each number it is a subsection of that has headed a section
// so far (seen, which it adds to): "9.3 Oral interview" under "9
// Evaluation", "9.3.3 Location" under that; "7.1 Content of invoice" where
// no "7" came stays at level, for it is under no heading of the
// document's. "5.0" counts as "5".
func numberedLevel(heading string, level int, seen map[string]bool) int {
	parts := headingNumber(heading)
	if level != 2 || len(parts) == 0 {
		return level
	}
	for k := 1; k < len(parts); k++ {
		if seen[strings.Join(parts[:k], ".")] {
			level++
		}
	}
	seen[strings.Join(parts, ".")] = true
	return min(6, level)
}

// headingLike reports whether s reads as a heading rather than a
// sentence: at most 12 words, not ending as a clause does (with a comma,
// colon or semicolon, or with a full stop after more than three words)
// nor as a phrase left unfinished does (see unfinished).
func headingLike(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || countWords(s) > 12 || endsWith(s, clauseMarks) {
		return false
	}
	if endsUnfinished(s) {
		return false
	}
	if endsWith(s, "。．") {
		return false // a full-width full stop ends a sentence, never a heading
	}
	return !strings.HasSuffix(s, ".") || strings.HasSuffix(s, "..") || countWords(s) <= 3
}

// endsUnfinished reports whether s ends with a word that leaves a phrase
// unfinished (see unfinished). A capital letter alone is a label
// ("Appendix A", "Part B"), not the article.
func endsUnfinished(s string) bool {
	if !strings.ContainsFunc(s, unicode.IsSpace) {
		return false
	}
	w := lastWord(s)
	if r, _ := utf8.DecodeRuneInString(w); len(w) == 1 && unicode.IsUpper(r) {
		return false
	}
	return unfinished()[strings.ToLower(w)]
}

// lastWord is the last word of s, after its last space of any kind (a
// non-breaking one too).
func lastWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// unfinished returns the words of lexicon/unfinished.txt: a phrase that
// ends with one is unfinished.
var unfinished = sync.OnceValue(func() map[string]bool { return embeddedWordSet("lexicon/unfinished.txt") })

// layoutHeading reports whether line i of text wrapped to width stands
// as a heading does in a PDF's extraction, where nothing else marks one:
// it reads as a heading (see headingLike), begins in capitals or with a
// number, has a letter (a number alone is a page's or a table's), stops
// well short of the width, comes after a break (see
// afterBreak), and is followed by a paragraph: a line that begins a
// sentence or a lettered item, and is not another short line left
// unfinished (then the two are a list).
func layoutHeading(lines []string, i, width int) bool {
	t := strings.TrimSpace(lines[i])
	r, _ := utf8.DecodeRuneInString(t)
	if t == "" || !(unicode.IsUpper(r) || unicode.IsDigit(r)) || !strings.ContainsFunc(t, unicode.IsLetter) || !headingLike(t) || countWords(t) > 10 ||
		utf8.RuneCountInString(t) > width*3/5 || strings.HasSuffix(t, ".") {
		return false
	}
	if !afterBreak(lines, i) {
		return false
	}
	for _, l := range lines[i+1:] {
		n := strings.TrimSpace(l)
		if n == "" {
			continue
		}
		r, _ := utf8.DecodeRuneInString(n)
		begins := unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"“‘(", r) || letteredItem.MatchString(n)
		return begins && (endsSentence(n) || utf8.RuneCountInString(n) > width*3/5)
	}
	return false
}

// afterBreak reports whether line i comes first, or after a blank line,
// a list item (its own line, punctuated or not) or a line that ends a
// sentence (not a quotation: the line after one names who said it):
// where a heading may stand in wrapped text, and not the end of a
// wrapped sentence.
func afterBreak(lines []string, i int) bool {
	if i == 0 {
		return true
	}
	p := strings.TrimRight(strings.TrimSpace(lines[i-1]), ")")
	return p == "" || endsWith(p, sentenceEnds) || listMarker.MatchString(p) || bulletItem(p)
}

// bulletItem reports whether a line begins with a list bullet and a space.
func bulletItem(l string) bool {
	r, n := utf8.DecodeRuneInString(l)
	next, _ := utf8.DecodeRuneInString(l[n:])
	return strings.ContainsRune(bullets, r) && unicode.IsSpace(next)
}

// numberedItems reports which lines are items of a numbered list or of
// a table of contents (see contentsLines). A list item is a line numbered
// n+1 right after one numbered n, both marked alike ("2." after "1.", "3"
// after "2"), with nothing but blank lines between: "2 How to apply"
// above "1. Fill in the form" is a heading and its list, and so is "3.
// Pricing" a blank line below "2. Send it to the office." (a heading
// after a list of sentences). They are not
// headings, and their numbers are not the document's sections. A clause
// whose title runs in with its text in capitals ("2. Type of Contract.
// The ...") is no list item; steps ("2. Unplug the modem. Wait ...")
// are.
func numberedItems(lines []string) []bool {
	items := contentsLines(lines)
	prev, prevN, prevMark := -1, 0, "" // the last non-blank line, its number (0 for none) and mark
	for i, l := range lines {
		t := markless(l)
		if t == "" {
			continue
		}
		n, mark := 0, ""
		if m := listItem.FindStringSubmatch(t); m != nil && !items[i] && !dayMonth.MatchString(t) {
			if body, runIn := runInTitle(m[1], t[len(m[0]):]); !runIn || !titleCase(strings.TrimSuffix(t[len(m[0]):len(t)-len(body)], " ")) {
				n, _ = strconv.Atoi(m[1])
				mark = m[2]
			}
		}
		// After a blank line, a line that reads as a heading does not go
		// on with a list of sentences ("2. Send it to the office." /
		// "" / "3. Pricing").
		apart := prev >= 0 && prev < i-1 && endsSentence(lines[prev]) && !endsSentence(t)
		if n > 0 && prevN > 0 && n == prevN+1 && mark == prevMark && !apart {
			items[prev], items[i] = true, true
		}
		prev, prevN, prevMark = i, n, mark
	}
	return items
}

// listItem is the start of a numbered list item: its number, the mark
// after it (".", ")" or none) and a space. A number glued to what follows
// ("3D models", a slide's "17Application") begins none.
var listItem = regexp.MustCompile(`^(\d{1,3})([.)]?)[ \t]+`)

// titleCase reports whether every word of s of four letters or more
// begins with a capital ("Type of Contract", not "What the Company owns").
func titleCase(s string) bool {
	for _, w := range strings.Fields(s) {
		if r, _ := utf8.DecodeRuneInString(w); utf8.RuneCountInString(w) >= 4 && !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// contentsLines reports which lines are entries of a table of contents: a
// line that ends with dot leaders and a page number ("1 Introduction
// ........ 3"), and each of three lines or more in a row (blank lines
// aside) that end with a page number, two of them at least beginning
// with a section number ("1.1 Purpose 3", "Background 3").
func contentsLines(lines []string) []bool {
	toc := make([]bool, len(lines))
	var run []int
	numbered := 0 // of run, the lines that begin with a section number
	end := func() {
		if len(run) >= 3 && numbered >= 2 {
			for _, j := range run {
				toc[j] = true
			}
		}
		run, numbered = run[:0], 0
	}
	for i, l := range lines {
		t := markless(l)
		if t == "" {
			continue
		}
		if leaders.MatchString(t) {
			toc[i] = true
		}
		if pageRef.MatchString(t) {
			run = append(run, i)
			if headingNumber(t) != nil {
				numbered++
			}
		} else {
			end()
		}
	}
	end()
	return toc
}

var (
	// leaders are the dots (or an ellipsis) that lead a contents entry
	// to its page number.
	leaders = regexp.MustCompile(`(?:\.[ \t]*){3,}\d{1,4}$|…[ \t]*\d{1,4}$`)
	// pageRef is a line that ends with a page number after a word.
	pageRef = regexp.MustCompile(`\p{L}[ \t]+\d{1,4}$`)
)

// subsection reports whether heading line b is numbered as a subsection
// of heading line a ("5.1" under "5.0" or "5", "9.3.3" under "9.3").
func subsection(a, b string) bool {
	na, nb := headingNumber(a), headingNumber(b)
	return len(na) > 0 && len(nb) > len(na) && slices.Equal(nb[:len(na)], na)
}

// letteredItem is a line that begins an item lettered "a." or "(a)".
var letteredItem = regexp.MustCompile(`^(?:\(?[a-z]\)|[a-z]\.)\s`)

// capsHeading reports whether t is a short line in capitals ("SCOPE OF
// WORK"): at least four capital letters, none lower case, at most ten
// words, not ending as a clause does. A script without capitals (Chinese,
// Arabic) has none: its letters must be capitals at least half of them
// ("请登录HIEC网站" is no heading). It begins with a letter or a digit.
func capsHeading(t string) bool {
	if r, _ := utf8.DecodeRuneInString(t); !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return false // "<NAME>", "(DRAFT)": a placeholder or an aside
	}
	caps, letters := 0, 0
	for _, r := range t {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			caps++
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return caps >= 4 && caps*2 >= letters && headingLike(t) && countWords(t) <= 10
}

var blankLines = regexp.MustCompile(`\n[ \t]*\n`)

// joinLines joins the lines of a wrapped paragraph with spaces.
func joinLines(p string) string { return strings.Join(strings.Fields(p), " ") }

var (
	// atxHeading matches a Markdown ATX heading. The space after the #s
	// that CommonMark requires is optional: real documents leave it out
	// ("##1.0 BACKGROUND").
	atxHeading = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]*([^#\s].*?))?(?:[ \t]+#+)?[ \t]*$`)
	setextRule = regexp.MustCompile(`^ {0,3}(=+|-+)[ \t]*$`)
	ruleLine   = regexp.MustCompile(`^ {0,3}(?:(?:=[ \t]*){3,}|(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$`)
	codeFence  = regexp.MustCompile("^ {0,3}(```|~~~)")
	listMarker = regexp.MustCompile(`^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+`)
	quoteMark  = regexp.MustCompile(`^[ \t]*(?:>[ \t]?)+`)
	tableRule  = regexp.MustCompile(`^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$`)
	refDef     = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:[ \t]*\S+`)
	htmlHead   = regexp.MustCompile(`(?is)<h([1-6])\b[^>]*>(.*?)</h[1-6]\s*>`)
)

// markdownBlocks parses Markdown, with any inline HTML, into blocks.
// Front matter is dropped; HTML headings count as headings and HTML
// tables become rows of cells joined by " | ".
func markdownBlocks(text string) []block {
	text = htmlHead.ReplaceAllStringFunc(text, func(m string) string {
		sm := htmlHead.FindStringSubmatch(m)
		n, _ := strconv.Atoi(sm[1])
		return "\n\n" + strings.Repeat("#", n) + " " + joinLines(htmlToText(sm[2])) + "\n\n"
	})
	var (
		out   []block
		para  []string
		fence string
	)
	flush := func() {
		if len(para) == 0 {
			return
		}
		raw := strings.Join(para, "\n")
		para = nil
		for _, line := range strings.Split(htmlToText(raw), "\n") {
			if line = cleanInline(line); line != "" {
				out = append(out, block{text: line})
			}
		}
	}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if fence == "" && len(para) == 0 && strings.TrimSpace(line) == "---" {
			if title, n, ok := frontMatter(lines[i+1:]); ok {
				if title != "" {
					out = append(out, block{level: 1, text: cleanInline(title)})
				}
				i += n
				continue
			}
		}
		if m := codeFence.FindStringSubmatch(line); m != nil {
			switch fence {
			case "":
				fence = m[1]
				flush()
			case m[1]:
				fence = ""
				flush()
			}
			continue
		}
		if fence != "" {
			para = append(para, line)
			continue
		}
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if m := atxHeading.FindStringSubmatch(line); m != nil {
			flush()
			out = append(out, block{level: len(m[1]), text: cleanInline(htmlToText(m[2]))})
			continue
		}
		if len(para) == 1 && setextRule.MatchString(line) && !listMarker.MatchString(para[0]) {
			level := 1
			if strings.Contains(line, "-") {
				level = 2
			}
			head := para[0]
			para = nil
			out = append(out, block{level: level, text: cleanInline(htmlToText(head))})
			continue
		}
		if ruleLine.MatchString(line) {
			// A thematic break, or a rule drawn under a heading that is
			// already one ("### Location" then "=====", as converted
			// documents have): no words.
			flush()
			continue
		}
		if tableRule.MatchString(line) && strings.Contains(line, "-") && (strings.Contains(line, "|") || len(para) > 0 && strings.Contains(para[len(para)-1], "|")) {
			continue
		}
		if refDef.MatchString(line) {
			continue
		}
		line = quoteMark.ReplaceAllString(line, "")
		if strings.HasPrefix(strings.TrimSpace(line), "|") {
			line = strings.Trim(strings.TrimSpace(line), "|")
			cells := strings.Split(line, "|")
			for j := range cells {
				cells[j] = strings.TrimSpace(cells[j])
			}
			para = append(para, "\x02row "+strings.Join(cells, " | "))
			continue
		}
		if listMarker.MatchString(line) {
			para = append(para, "\x02item "+listMarker.ReplaceAllString(line, ""))
			continue
		}
		para = append(para, line)
	}
	flush()
	return out
}

var frontKey = regexp.MustCompile(`^([A-Za-z_][\w-]*):(?:\s+(.*))?$`)

// frontMatter reads a YAML front-matter block (as static site generators
// use, at the top of a file or of each file joined into one) from the
// lines after its opening "---": "key: value" lines up to a closing
// "---". It returns the block's title, if any, and the number of lines it
// took, or ok false if the lines are not front matter.
func frontMatter(lines []string) (title string, n int, ok bool) {
	for i, l := range lines {
		if strings.TrimSpace(l) == "---" {
			return title, i + 1, i > 0
		}
		m := frontKey.FindStringSubmatch(l)
		if m == nil {
			if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") || strings.HasPrefix(strings.TrimSpace(l), "- ") {
				continue // a nested value
			}
			return "", 0, false
		}
		if m[1] == "title" {
			title = strings.Trim(strings.TrimSpace(m[2]), `"'`)
		}
		if i > 50 {
			break
		}
	}
	return "", 0, false
}

var (
	emphasis   = regexp.MustCompile(`(\*\*|__|~~)(\S(?:.*?\S)?)(\*\*|__|~~)`)
	emphasis1  = regexp.MustCompile(`(^|[\s(\[])[*_](\S(?:[^*_]*?\S)?)[*_]([\s).,;:!?\]]|$)`)
	image      = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	link       = regexp.MustCompile(`\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])`)
	autolink   = regexp.MustCompile(`<((?:https?|mailto):[^>\s]+)>`)
	codeSpan   = regexp.MustCompile("`+([^`]+)`+")
	template   = regexp.MustCompile(`(?s)\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}`)
	hardBreak  = regexp.MustCompile(`\\$|  +$`)
	escapeChar = regexp.MustCompile(`\\([\\` + "`" + `*_{}\[\]()#+\-.!|>])`)
)

// cleanInline removes Markdown inline markup from a line: emphasis, code
// spans, links and images (keeping their text), escapes and list or table
// markers, and turns the markers markdownBlocks leaves for list items and
// table rows into plain text.
func cleanInline(s string) string {
	s = strings.TrimPrefix(s, "\x02row ")
	s = strings.TrimPrefix(s, "\x02item ")
	if !strings.ContainsAny(s, "*_~`[]<\\!") && !strings.HasSuffix(s, "  ") {
		return collapseSpace(s) // no markup: the common case, fast
	}
	// Each expression is tried only on a line with the characters it
	// needs to match.
	if strings.Contains(s, "<") {
		s = autolink.ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "[") {
		s = image.ReplaceAllString(s, "$1")
		s = link.ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "`") {
		s = codeSpan.ReplaceAllString(s, "$1")
	}
	for range 2 {
		if strings.Contains(s, "**") || strings.Contains(s, "__") || strings.Contains(s, "~~") {
			s = emphasis.ReplaceAllString(s, "$2")
		}
		if strings.ContainsAny(s, "*_") {
			s = emphasis1.ReplaceAllString(s, "$1$2$3")
		}
	}
	if strings.HasSuffix(s, "\\") || strings.HasSuffix(s, "  ") {
		s = hardBreak.ReplaceAllString(s, "")
	}
	if strings.Contains(s, "\\") {
		s = escapeChar.ReplaceAllString(s, "$1")
	}
	return collapseSpace(s)
}

// collapseSpace is strings.Join(strings.Fields(s), " "), and s itself
// when that is s.
func collapseSpace(s string) string {
	if plainASCII(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// htmlToText turns a fragment of Markdown or HTML into text: tags removed
// (table rows and block elements end a line, cells are joined by " | ",
// scripts, styles and comments dropped), entities decoded and template
// code ({% … %}, {{ … }}) removed. Lines of the result are the fragment's
// paragraphs and rows; the lines of a wrapped paragraph are joined.
func htmlToText(s string) string {
	s = template.ReplaceAllString(s, "")
	if !strings.ContainsAny(s, "<&") {
		return joinParagraph(s)
	}
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	skip := 0
	cell := false
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return joinParagraph(b.String())
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "noscript", "svg", "template":
				if tt == xhtml.StartTagToken {
					skip++
				} else if tt == xhtml.EndTagToken && skip > 0 {
					skip--
				}
			case "td", "th":
				if tt == xhtml.StartTagToken {
					if cell {
						b.WriteString(" | ")
					}
					cell = true
				}
			case "tr":
				cell = false
				b.WriteString("\n\x01")
			case "br", "p", "div", "li", "ul", "ol", "table", "thead", "tbody", "dd", "dt", "dl", "blockquote", "pre", "section", "header", "footer", "article", "h1", "h2", "h3", "h4", "h5", "h6", "hr":
				b.WriteString("\n\x01")
			}
		}
	}
}

// joinParagraph joins the wrapped lines of the paragraphs of s (separated
// by \x01 marks that htmlToText leaves at block ends, or by list and row
// markers) and returns one paragraph a line.
func joinParagraph(s string) string {
	var out []string
	for _, chunk := range strings.Split(s, "\x01") {
		var cur []string
		for _, line := range strings.Split(chunk, "\n") {
			if strings.HasPrefix(line, "\x02") && len(cur) > 0 {
				out = append(out, strings.Join(cur, " "))
				cur = nil
			}
			if t := strings.TrimSpace(line); t != "" {
				cur = append(cur, t)
			}
		}
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
		}
	}
	for i := range out {
		out[i] = strings.Join(strings.Fields(html.UnescapeString(out[i])), " ")
	}
	return strings.Join(out, "\n")
}

// htmlBlocks parses an HTML document into blocks: h1 to h6 are headings;
// paragraphs, list items, table rows and other blocks are paragraphs.
// Navigation, scripts, styles, forms and the head (but for its title,
// which is a level-1 heading when the body has none) are dropped, and so
// is template code.
func htmlBlocks(text string) []block {
	text = template.ReplaceAllString(text, "")
	z := xhtml.NewTokenizer(strings.NewReader(text))
	var (
		out     []block
		buf     strings.Builder
		heading int
		skip    []string
		title   string
		inTitle bool
		cell    bool
		hasH1   bool
	)
	flush := func() {
		t := strings.Join(strings.Fields(html.UnescapeString(buf.String())), " ")
		buf.Reset()
		if t == "" && heading == 0 {
			return
		}
		out = append(out, block{level: heading, text: t})
	}
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		name, _ := z.TagName()
		tag := string(name)
		switch tt {
		case xhtml.TextToken:
			switch {
			case inTitle:
				title += string(z.Text())
			case len(skip) == 0:
				buf.Write(z.Text())
			}
		case xhtml.StartTagToken:
			switch tag {
			case "script", "style", "noscript", "svg", "template", "nav", "form", "button", "select", "head":
				skip = append(skip, tag)
			case "title":
				inTitle = true
			case "h1", "h2", "h3", "h4", "h5", "h6":
				if len(skip) == 0 {
					flush()
					heading = int(tag[1] - '0')
					hasH1 = hasH1 || heading == 1
				}
			case "td", "th":
				if cell {
					buf.WriteString(" | ")
				}
				cell = true
			case "tr":
				flush()
				cell = false
			case "br":
				if len(skip) == 0 {
					flush()
				}
			case "p", "div", "li", "ul", "ol", "table", "dd", "dt", "blockquote", "pre", "section", "article", "header", "footer", "main", "aside", "hr", "dl":
				if len(skip) == 0 && heading == 0 {
					flush()
				}
			}
		case xhtml.EndTagToken:
			switch tag {
			case "title":
				inTitle = false
			case "h1", "h2", "h3", "h4", "h5", "h6":
				if heading != 0 && len(skip) == 0 {
					flush()
					heading = 0
				}
			case "tr", "p", "div", "li", "dd", "dt", "blockquote", "pre", "table":
				if len(skip) == 0 && heading == 0 {
					flush()
				}
			default:
				if n := len(skip); n > 0 && skip[n-1] == tag {
					skip = skip[:n-1]
				}
			}
		case xhtml.SelfClosingTagToken:
			if tag == "br" && len(skip) == 0 {
				flush()
			}
		}
	}
	flush()
	if t := strings.TrimSpace(html.UnescapeString(title)); t != "" && !hasH1 {
		out = append([]block{{level: 1, text: strings.Join(strings.Fields(t), " ")}}, out...)
	}
	return out
}
