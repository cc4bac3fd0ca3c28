package knowledge

// What the readers of office documents (docx.go, odt.go) share: the zip
// archive with its unpacking budget, the builder of a body's paragraphs
// and tables, the headings of a document typed without heading styles,
// and the HTML that htmlBlocks reads.

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// unpackFactor bounds what an office document (.docx, .odt) may unpack
// to: its XML may be this many times the source limit. XML is verbose,
// but a small archive unpacking to gigabytes is an attack, not a
// document.
const unpackFactor = 16

// encryptedOffice reports whether data is an Office document protected
// by a password: not a zip, but a compound file holding the zip
// encrypted, in a stream named EncryptedPackage.
func encryptedOffice(data []byte) bool {
	return bytes.HasPrefix(data, oleMagic) && bytes.Contains(data, []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e\x00"))
}

// oleMagic begins a compound file: Office 97-2003's, and an Office
// document's protected by a password.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// officeZip reads the parts of an office document's zip archive, within
// its unpacking budget.
type officeZip struct {
	zr     *zip.Reader
	kind   string // "Word document", "OpenDocument text"
	budget int64  // left of total, what all the parts read may unpack to
	total  int64
}

func openOfficeZip(data []byte, limit int64, kind string) (*officeZip, bool) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, false
	}
	return &officeZip{zr: zr, kind: kind, budget: limit * unpackFactor, total: limit * unpackFactor}, true
}

// read returns the part name, or nil when the archive has none.
func (z *officeZip) read(name string) ([]byte, error) {
	for _, f := range z.zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, z.damaged(name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, z.budget+1))
		if err != nil {
			return nil, z.damaged(name, err)
		}
		if int64(len(b)) > z.budget {
			return nil, fmt.Errorf("is a %s whose parts unpack to more than %d bytes in all (%d times the limit for one source): split it into several files", z.kind, z.total, unpackFactor)
		}
		z.budget -= int64(len(b))
		return b, nil
	}
	return nil, nil
}

func (z *officeZip) damaged(name string, err error) error {
	var big tooMuchText
	if errors.As(err, &big) {
		return big
	}
	return fmt.Errorf("is a damaged %s: %s: %v", z.kind, name, err)
}

// docTitle returns the Dublin Core title of an office document's
// properties (docProps/core.xml, meta.xml), or "".
func docTitle(data []byte) string {
	var b strings.Builder
	in := false
	err := walkXML(data, nil,
		func(t xml.StartElement) { in = in || t.Name.Space == dublinCore && t.Name.Local == "title" },
		func(t xml.EndElement) { in = in && !(t.Name.Space == dublinCore && t.Name.Local == "title") },
		func(t xml.CharData) {
			if in {
				b.Write(t)
			}
		})
	if err != nil {
		return ""
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// dublinCore is the namespace of the title in an office document's
// properties.
const dublinCore = "http://purl.org/dc/elements/1.1/"

// walkXML calls start, end and text with the elements and character
// data of data in document order, leaving out each element skipped
// reports and all within it.
func walkXML(data []byte, skipped func(xml.Name) bool, start func(xml.StartElement), end func(xml.EndElement), text func(xml.CharData)) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	skip := 0  // depth inside a skipped element
	depth := 0 // of elements: the decoder keeps a stack of them
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxXMLDepth {
				return fmt.Errorf("its elements nest more than %d deep, as no document's do", maxXMLDepth)
			}
			if skip > 0 || skipped != nil && skipped(t.Name) {
				skip++
				continue
			}
			start(t)
		case xml.EndElement:
			depth--
			if skip > 0 {
				skip--
				continue
			}
			end(t)
		case xml.CharData:
			if skip == 0 {
				text(t)
			}
		}
	}
}

// tooMuchText is the error of a document whose text is over the limit:
// not damaged, too big (see officeZip.damaged).
type tooMuchText struct{ limit int64 }

func (e tooMuchText) Error() string {
	return fmt.Sprintf("holds more than %d bytes of text, over the limit for one source: split it into several files", e.limit)
}

// maxXMLDepth is the deepest nesting of elements read: a real document's
// is a few dozen; a hostile one's, millions, would take gigabytes.
const maxXMLDepth = 1000

// officeText builds a document's blocks as its reader meets them: the
// text of the paragraph being read, with how much of it is bold, and the
// rows of the table it stands in (a nested table's cells are its cell's
// text).
type officeText struct {
	blocks []docBlock
	text   strings.Builder // the paragraph's
	// depth is that of paragraphs: a text box's paragraphs stand inside
	// their anchor's, and are blocks of their own after it (nested, as
	// they end, then pending), not a part of its text (a heading's).
	depth   int
	nested  strings.Builder
	pending []string
	// limit bounds the text kept, over is set when there was more.
	limit int64
	kept  int64
	over  bool
	// bold and plain count the letters of the paragraph in bold and not:
	// a short paragraph all in bold stands where a heading stands, in a
	// document typed without heading styles (boldHeadings).
	bold, plain int
	tables      int // depth of tables
	cells       []string
	inCell      bool
	cell        strings.Builder
	// A cell merged with the one above (a continuation of a vertical
	// merge) has that one's text: col is the grid column of the cell
	// being read, span how many it spans; above holds the row before's
	// texts by column, row this one's.
	col, span  int
	merged     bool
	above, row map[int]string
}

// startParagraph begins a paragraph, or one inside it.
func (o *officeText) startParagraph() {
	if o.depth++; o.depth > 1 {
		o.nested.Reset()
		return
	}
	o.text.Reset()
	o.bold, o.plain = 0, 0
}

// keep counts n bytes of text against the limit, and reports whether
// they are within it.
func (o *officeText) keep(n int) bool {
	if o.kept += int64(n); o.limit > 0 && o.kept > o.limit {
		o.over = true
	}
	return !o.over
}

// write adds text to the paragraph, in bold or not.
func (o *officeText) write(text []byte, bold bool) {
	if !o.keep(len(text)) {
		return
	}
	if o.depth > 1 {
		o.nested.Write(text)
		return
	}
	o.text.Write(text)
	n := 0
	for _, r := range string(text) {
		if unicode.IsLetter(r) {
			n++
		}
	}
	if bold {
		o.bold += n
	} else {
		o.plain += n
	}
}

// space adds a space (for a tab or a break) to the paragraph.
func (o *officeText) space() { o.write([]byte(" "), false) }

// endParagraph ends the paragraph, a heading of level (see docBlock; -1
// leaves it out) or a list item: into its table cell, or the blocks, with
// the paragraphs that stood inside it after it.
func (o *officeText) endParagraph(level int, list bool) {
	if o.depth--; o.depth > 0 {
		if t := strings.Join(strings.Fields(o.nested.String()), " "); t != "" {
			o.pending = append(o.pending, t)
		}
		return
	}
	o.depth = 0
	t := strings.Join(strings.Fields(o.text.String()), " ")
	allBold := o.bold > 0 && o.plain == 0
	o.text.Reset()
	o.bold, o.plain = 0, 0
	o.add(t, level, list, allBold)
	for _, p := range o.pending {
		o.add(p, 0, false, false)
	}
	o.pending = o.pending[:0]
}

// after makes text (a note's) a paragraph after the one being read.
func (o *officeText) after(text string) {
	if text != "" && o.keep(len(text)) {
		o.pending = append(o.pending, text)
	}
}

// add adds a paragraph's text to its table cell, or the blocks.
func (o *officeText) add(t string, level int, list, allBold bool) {
	switch {
	case t == "" || level < 0:
	case o.inCell:
		if o.cell.Len() > 0 {
			o.cell.WriteByte(' ')
		}
		o.cell.WriteString(t)
	default:
		o.blocks = append(o.blocks, docBlock{level: level, list: list && level == 0, text: t, bold: allBold})
	}
}

func (o *officeText) startTable() { o.tables++ }
func (o *officeText) endTable()   { o.tables = max(0, o.tables-1) }

func (o *officeText) startRow() {
	if o.tables == 1 {
		o.cells, o.col, o.row = o.cells[:0], 0, map[int]string{}
	}
}

// endRow makes the row a block of one line, its cells joined by " | ".
func (o *officeText) endRow() {
	if o.tables != 1 {
		return
	}
	o.above = o.row
	if row := strings.Join(strings.Fields(strings.Join(o.cells, " | ")), " "); strings.Trim(row, "| ") != "" {
		o.blocks = append(o.blocks, docBlock{text: row})
	}
}

func (o *officeText) startCell() {
	if o.tables == 1 {
		o.inCell, o.span, o.merged = true, 1, false
		o.cell.Reset()
	}
}

// spanCell says the cell being read spans n grid columns, and whether it
// continues the merged cell above it.
func (o *officeText) spanCell(n int, merged bool) {
	if o.tables == 1 && o.inCell {
		o.span, o.merged = max(n, 1), o.merged || merged
	}
}

func (o *officeText) endCell() {
	if o.tables != 1 {
		return
	}
	text := o.cell.String()
	if o.merged && strings.TrimSpace(text) == "" && o.keep(len(o.above[o.col])) {
		text = o.above[o.col]
	}
	o.inCell = false
	o.cells = append(o.cells, text)
	if o.row == nil {
		o.row = map[int]string{}
	}
	o.row[o.col] = text
	o.col += o.span
}

// writeHTML writes the document's blocks to b (see writeBlocks), its
// headings found first when it has none (boldHeadings), or says its text
// is over the limit.
func (o *officeText) writeHTML(b *strings.Builder) error {
	if o.over {
		return tooMuchText{o.limit}
	}
	writeBlocks(boldHeadings(o.blocks), b)
	return nil
}

// A docBlock is a heading or a paragraph of an office document.
type docBlock struct {
	level int // 1 to 9 for a heading, titleLevel for the title, else 0
	list  bool
	text  string
	bold  bool // every letter of it is in bold
}

// boldHeadings finds the headings of a document typed without heading
// styles: when no block is a heading, a short paragraph all in bold
// ("Eligibility", "3. Payment", "Who may bid?") followed by one that is
// not is a heading. A document with headings keeps them alone: its bold
// paragraphs are emphasis.
func boldHeadings(blocks []docBlock) []docBlock {
	if slices.ContainsFunc(blocks, func(x docBlock) bool { return x.level > 0 && x.level != titleLevel }) {
		return blocks
	}
	candidate := func(x docBlock) (int, bool) {
		if !x.bold || x.list || x.level != 0 {
			return 0, false
		}
		return shortTitle(x.text)
	}
	for i := 0; i < len(blocks); {
		// A run of such paragraphs ("3. Financial Terms.", "3.1.
		// Payment.") before one of text: each a heading. A longer run,
		// or one the document ends with, is a list in bold.
		j := i
		for j < len(blocks) {
			if _, ok := candidate(blocks[j]); !ok {
				break
			}
			j++
		}
		if j == i {
			i++
			continue
		}
		if j < len(blocks) && j-i <= maxHeadingRun && !blocks[j].bold {
			for k := i; k < j; k++ {
				n, _ := candidate(blocks[k])
				// Numbered, it sits under the unnumbered headings by its
				// number's depth: "1." under a title, "1.2." under "1.".
				blocks[k].level = 1 + n
			}
		}
		i = j
	}
	return blocks
}

// maxHeadingRun is the most bold paragraphs in a row taken for headings.
const maxHeadingRun = 4

// boldNumber matches a heading's number: "3", "3.", "3.7.", "3.7.1".
var boldNumber = regexp.MustCompile(`^(\d{1,3}(?:\.\d{1,3})*)\.?\s`)

// shortTitle reports whether text is short enough to be a heading and
// does not end as a sentence or a clause does (a numbered clause's title
// may end with a full stop: "3.7. Requested Payment Information."), with
// how many parts its number has (0 for none).
func shortTitle(text string) (int, bool) {
	if len(strings.Fields(text)) > 12 || utf8.RuneCountInString(text) > 100 {
		return 0, false
	}
	n := 0
	if m := boldNumber.FindStringSubmatch(text); m != nil {
		n = strings.Count(m[1], ".") + 1
	}
	last := text[len(text)-1]
	return n, last != ',' && last != ';' && (last != '.' || n > 0)
}

// writeBlocks writes blocks to b as HTML for htmlBlocks: headings h1 to
// h6 (deeper levels are h6), list items and paragraphs. A document with
// a title has its headings a level below it.
func writeBlocks(blocks []docBlock, b *strings.Builder) {
	hasTitle := slices.ContainsFunc(blocks, func(x docBlock) bool { return x.level == titleLevel })
	for _, it := range blocks {
		t := html.EscapeString(it.text)
		level := it.level
		switch {
		case level == titleLevel:
			level = 1
		case level > 0 && hasTitle:
			level++
		}
		switch {
		case level > 0:
			h := strconv.Itoa(min(level, 6))
			b.WriteString("<h" + h + ">" + t + "</h" + h + ">\n")
		case it.list:
			b.WriteString("<li>" + t + "</li>\n")
		default:
			b.WriteString("<p>" + t + "</p>\n")
		}
	}
}
