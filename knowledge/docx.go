package knowledge

// Word documents (.docx, Office Open XML): the text of the document's
// body, with its headings, lists and tables, as HTML for htmlBlocks.
//
// A .docx file is a zip archive. Its body is word/document.xml: a list
// of paragraphs (w:p) and tables (w:tbl). A paragraph is a heading when
// its style is one (word/styles.xml names it "heading 1" ... "heading 9",
// whatever the style's id in a translated Word, or gives it an outline
// level, itself or through the style it is based on), or when the
// paragraph sets an outline level of its own. A paragraph styled "Title"
// heads the document, its headings a level below it; without one, or a
// heading of the top level, the document's title (docProps/core.xml)
// does, as an HTML file's title does. A document typed with no heading
// styles at all has its headings found where they stand (boldHeadings):
// short paragraphs all in bold before text. Its text is the runs' text (w:t), with tabs and breaks as spaces;
// deleted text of tracked changes, field codes and the table of contents
// (paragraphs styled "toc N") are left out. A table row is one line, its
// cells joined by " | ", as in the other kinds of source.

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

// officeZip reads the parts of an office document's zip archive, within
// its unpacking budget.
type officeZip struct {
	zr     *zip.Reader
	kind   string // "Word document", "OpenDocument text"
	budget int64
}

func openOfficeZip(data []byte, limit int64, kind string) (*officeZip, bool) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, false
	}
	return &officeZip{zr: zr, kind: kind, budget: limit * unpackFactor}, true
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
			return nil, fmt.Errorf("is a %s whose %s unpacks to more than %d bytes: split it into several files", z.kind, name, z.budget)
		}
		z.budget -= int64(len(b))
		return b, nil
	}
	return nil, nil
}

func (z *officeZip) damaged(name string, err error) error {
	return fmt.Errorf("is a damaged %s: %s: %v", z.kind, name, err)
}

// docxHTML returns the body of the Word document data as HTML.
func docxHTML(data []byte, limit int64) (string, error) {
	z, ok := openOfficeZip(data, limit, "Word document")
	if !ok {
		return "", errors.New("is not a Word document: a .docx file is a zip archive, and this one is not (a .doc from Word 97-2003? save it as .docx, or as Markdown, HTML or plain text)")
	}
	read := z.read
	body, err := read("word/document.xml")
	if err != nil {
		return "", err
	}
	if body == nil {
		return "", errors.New("is a zip archive with no word/document.xml, so not a Word document: save it as .docx, or as Markdown, HTML or plain text")
	}
	styles, err := read("word/styles.xml")
	if err != nil {
		return "", err
	}
	levels, err := docxStyleLevels(styles)
	if err != nil {
		return "", z.damaged("word/styles.xml", err)
	}
	core, err := read("docProps/core.xml")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if t := docTitle(core); t != "" {
		b.WriteString("<title>" + html.EscapeString(t) + "</title>\n")
	}
	if err := docxBody(body, levels, &b); err != nil {
		return "", z.damaged("word/document.xml", err)
	}
	return b.String(), nil
}

// The namespace of WordprocessingML's elements and attributes.
const wordNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

// docxStyle is what a paragraph style says of headings.
type docxStyle struct {
	level   int    // 1 to 9 for a heading, titleLevel for the title, -1 for the table of contents, else 0
	basedOn string // the style it inherits from, or ""
}

var (
	headingStyleName = regexp.MustCompile(`^heading\s*([1-9])$`)
	tocStyleName     = regexp.MustCompile(`^toc\s*[1-9]$|^toc heading$`)
)

// titleLevel is the level docxStyleLevels gives the Title style: the
// document's title, above its headings of level 1.
const titleLevel = 100

// docxStyleLevels reads word/styles.xml (nil: none) into each paragraph
// style's heading level: 1 to 9, titleLevel, -1 for a style of the table
// of contents, 0 for any other. A style based on a heading style is a
// heading of that level, unless it says otherwise.
func docxStyleLevels(data []byte) (map[string]int, error) {
	styles := map[string]docxStyle{}
	if data != nil {
		var doc struct {
			Styles []struct {
				Type    string `xml:"type,attr"`
				ID      string `xml:"styleId,attr"`
				Name    val    `xml:"name"`
				BasedOn val    `xml:"basedOn"`
				PPr     struct {
					Outline *val `xml:"outlineLvl"`
				} `xml:"pPr"`
			} `xml:"style"`
		}
		if err := xml.Unmarshal(data, &doc); err != nil {
			return nil, err
		}
		for _, s := range doc.Styles {
			if s.Type != "paragraph" && s.Type != "" {
				continue
			}
			st := docxStyle{basedOn: s.BasedOn.Val}
			name := strings.ToLower(strings.TrimSpace(s.Name.Val))
			switch m := headingStyleName.FindStringSubmatch(name); {
			case m != nil:
				st.level = int(m[1][0] - '0')
			case name == "title":
				st.level = titleLevel
			case tocStyleName.MatchString(name):
				st.level = -1
			case s.PPr.Outline != nil:
				st.level = outlineLevel(s.PPr.Outline.Val)
			}
			styles[s.ID] = st
		}
	}
	levels := make(map[string]int, len(styles))
	for id := range styles {
		// Follow basedOn to the first style that says; a loop, or a
		// chain longer than any real one, says nothing.
		s, level := id, 0
		for range 16 {
			st, ok := styles[s]
			if !ok {
				break
			}
			if st.level != 0 {
				level = st.level
				break
			}
			s = st.basedOn
		}
		levels[id] = level
	}
	return levels, nil
}

// outlineLevel turns a w:outlineLvl value (0 for the top level, 9 for
// body text) into a heading level, or 0.
func outlineLevel(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 8 {
		return 0
	}
	return n + 1
}

type val struct {
	Val string `xml:"val,attr"`
}

// docTitle returns the Dublin Core title of an office document's
// properties (docProps/core.xml, meta.xml), or "".
func docTitle(data []byte) string {
	if data == nil {
		return ""
	}
	var core struct {
		Title string `xml:"title"`
	}
	if xml.Unmarshal(data, &core) != nil {
		return ""
	}
	return strings.Join(strings.Fields(core.Title), " ")
}

// docxBody writes the paragraphs and tables of word/document.xml to b
// as HTML: headings h1 to h6 (deeper levels are h6), paragraphs, list
// items and table rows.
func docxBody(data []byte, levels map[string]int, b *strings.Builder) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	var (
		text    strings.Builder // the current paragraph's text
		style   string
		outline int  // the paragraph's own outline level, as a heading level
		list    bool // the paragraph is an item of a numbered or bulleted list
		paras   int  // depth of paragraphs: a text box's are its anchor's
		inText  bool // inside a run's text (w:t)
		inRun   bool // inside a run (w:r), where w:rPr sets its own formatting
		runBold bool // the run is bold
		// bold and plain count the letters of the paragraph's bold runs
		// and of its others: a short paragraph all in bold stands where a
		// heading stands, in a document typed without heading styles.
		bold, plain int
		skip        int // depth inside what is not read (see docxSkipped)
		tables      int // depth of tables: a nested table's cells are its cell's text
		cells       []string
		inCell      bool
		cell        strings.Builder
	)
	// The document's blocks, written once its end shows whether it has a
	// title (see writeBlocks).
	var items []docBlock
	endParagraph := func() {
		t := strings.Join(strings.Fields(text.String()), " ")
		level := levels[style]
		if outline > 0 {
			level = outline
		}
		isList, allBold := list, bold > 0 && plain == 0
		text.Reset()
		style, outline, list, bold, plain = "", 0, false, 0, 0
		switch {
		case t == "" || level < 0:
		case inCell:
			if cell.Len() > 0 {
				cell.WriteByte(' ')
			}
			cell.WriteString(t)
		default:
			items = append(items, docBlock{level: level, list: isList, text: t, bold: allBold})
		}
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 || docxSkipped(t.Name) {
				skip++
				continue
			}
			if t.Name.Space != wordNS {
				continue
			}
			switch t.Name.Local {
			case "p":
				if paras == 0 {
					text.Reset()
					style, outline, list, bold, plain = "", 0, false, 0, 0
				}
				paras++
			case "r":
				inRun, runBold = true, false
			case "b":
				if inRun {
					v := attr(t, "val")
					runBold = v != "0" && v != "false" && v != "off"
				}
			case "pStyle":
				if paras == 1 {
					style = attr(t, "val")
				}
			case "outlineLvl":
				if paras == 1 {
					outline = outlineLevel(attr(t, "val"))
				}
			case "numPr":
				list = list || paras == 1
			case "t":
				inText = true
			case "tab", "br", "cr":
				text.WriteByte(' ')
			case "noBreakHyphen":
				text.WriteByte('-')
			case "tbl":
				tables++
			case "tr":
				if tables == 1 {
					cells = cells[:0]
				}
			case "tc":
				if tables == 1 {
					inCell = true
					cell.Reset()
				}
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			if t.Name.Space != wordNS {
				continue
			}
			switch t.Name.Local {
			case "p":
				if paras--; paras == 0 {
					endParagraph()
				}
			case "t":
				inText = false
			case "r":
				inRun = false
			case "tc":
				if tables == 1 {
					inCell = false
					cells = append(cells, cell.String())
				}
			case "tr":
				if tables == 1 {
					row := strings.Join(strings.Fields(strings.Join(cells, " | ")), " ")
					if strings.Trim(row, "| ") != "" {
						items = append(items, docBlock{text: row})
					}
				}
			case "tbl":
				tables = max(0, tables-1)
			}
		case xml.CharData:
			if inText && skip == 0 {
				text.Write(t)
				n := 0
				for _, r := range string(t) {
					if unicode.IsLetter(r) {
						n++
					}
				}
				if runBold {
					bold += n
				} else {
					plain += n
				}
			}
		}
	}
	writeBlocks(boldHeadings(items), b)
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
		for j < len(blocks) && j-i <= maxHeadingRun {
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

// docxSkipped reports whether the element name and all within it are left
// out of a document's text: deleted text of tracked changes, a field's
// code ("TOC \o", "PAGE"), references to notes and comments, and the
// fallback copy of a drawing's text that Word writes beside it.
func docxSkipped(name xml.Name) bool {
	if name.Local == "Fallback" {
		return true
	}
	if name.Space != wordNS {
		return false
	}
	switch name.Local {
	case "del", "delText", "instrText", "footnoteReference", "endnoteReference", "commentReference":
		return true
	}
	return false
}

// attr returns the value of start's attribute local (in any namespace).
func attr(start xml.StartElement, local string) string {
	for _, a := range start.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
