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
// short paragraphs all in bold before text.
//
// Its text is the runs' text (w:t), with tabs and breaks as spaces.
// Deleted and moved-away text and old formatting of tracked changes,
// hidden text, field codes and the table of contents (paragraphs styled
// "toc N") are left out. A footnote's or an endnote's text, and a text
// box's, follows the paragraph that holds it. A table row is one line,
// its cells joined by " | ", as in the other kinds of source.

import (
	"encoding/xml"
	"errors"
	"html"
	"regexp"
	"strconv"
	"strings"
)

// docxHTML returns the body of the Word document data as HTML.
func docxHTML(data []byte, limit int64) (string, error) {
	z, ok := openOfficeZip(data, limit, "Word document")
	if !ok && encryptedOffice(data) {
		return "", errors.New("is a Word document protected by a password: save it without one, or give its text")
	}
	if !ok {
		return "", errors.New("is not a Word document: a .docx file is a zip archive, and this one is not (a .doc from Word 97-2003? save it as .docx, or as Markdown, HTML or plain text)")
	}
	body, err := z.read("word/document.xml")
	if err != nil {
		return "", err
	}
	if body == nil {
		return "", errors.New("is a zip archive with no word/document.xml, so not a Word document: save it as .docx, or as Markdown, HTML or plain text")
	}
	styles, err := z.read("word/styles.xml")
	if err != nil {
		return "", err
	}
	levels, err := docxStyleLevels(styles)
	if err != nil {
		return "", z.damaged("word/styles.xml", err)
	}
	notes := map[string]string{} // "footnote 2", "endnote 1": its text
	for _, part := range []struct{ name, kind string }{{"word/footnotes.xml", "footnote"}, {"word/endnotes.xml", "endnote"}} {
		data, err := z.read(part.name)
		if err != nil {
			return "", err
		}
		if err := docxNotes(data, part.kind, notes); err != nil {
			return "", z.damaged(part.name, err)
		}
	}
	core, err := z.read("docProps/core.xml")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if t := docTitle(core); t != "" {
		b.WriteString("<title>" + html.EscapeString(t) + "</title>\n")
	}
	if err := docxBody(body, levels, notes, limit, &b); err != nil {
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
	var (
		id, name string    // of the paragraph style being read, or id ""
		st       docxStyle // what it says
		outline  *int      // its outline level, when it sets one
	)
	err := walkXML(data, nil, func(t xml.StartElement) {
		if t.Name.Space != wordNS {
			return
		}
		switch t.Name.Local {
		case "style":
			id, name, st, outline = "", "", docxStyle{}, nil
			if ty := attr(t, wordNS, "type"); ty == "paragraph" || ty == "" {
				id = attr(t, wordNS, "styleId")
			}
		case "name":
			name = strings.ToLower(strings.TrimSpace(attr(t, wordNS, "val")))
		case "basedOn":
			st.basedOn = attr(t, wordNS, "val")
		case "outlineLvl":
			n := outlineLevel(attr(t, wordNS, "val"))
			outline = &n
		}
	}, func(t xml.EndElement) {
		if t.Name.Space != wordNS || t.Name.Local != "style" || id == "" {
			return
		}
		switch m := headingStyleName.FindStringSubmatch(name); {
		case m != nil:
			st.level = int(m[1][0] - '0')
		case name == "title":
			st.level = titleLevel
		case tocStyleName.MatchString(name):
			st.level = -1
		case outline != nil:
			st.level = *outline
		}
		styles[id] = st
		id = ""
	}, func(xml.CharData) {})
	if err != nil {
		return nil, err
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

// docxBody writes the paragraphs and tables of word/document.xml to b
// as HTML: headings h1 to h6 (deeper levels are h6), paragraphs, list
// items and table rows.
func docxBody(data []byte, levels map[string]int, notes map[string]string, limit int64, b *strings.Builder) error {
	var (
		out     = officeText{limit: limit}
		style   string
		outline int  // the paragraph's own outline level, as a heading level; -1: body text
		list    bool // the paragraph is an item of a numbered or bulleted list
		paras   int  // depth of paragraphs: a text box's are its anchor's
		inText  bool // inside a run's text (w:t)
		inRun   bool // inside a run (w:r), where w:rPr sets its own formatting
		runBold bool // the run is bold
		hidden  bool // the run is hidden text (w:vanish): not shown, not read
	)
	on := func(t xml.StartElement) bool {
		v := attr(t, wordNS, "val")
		return v != "0" && v != "false" && v != "off"
	}
	start := func(t xml.StartElement) {
		if t.Name.Space != wordNS {
			return
		}
		switch t.Name.Local {
		case "p":
			if paras == 0 {
				style, outline, list = "", 0, false
			}
			paras++
			out.startParagraph()
		case "r":
			inRun, runBold, hidden = true, false, false
		case "b":
			if inRun {
				runBold = on(t)
			}
		case "vanish":
			if inRun {
				hidden = on(t)
			}
		case "pStyle":
			if paras == 1 {
				style = attr(t, wordNS, "val")
			}
		case "outlineLvl":
			if paras == 1 {
				if outline = outlineLevel(attr(t, wordNS, "val")); outline == 0 {
					outline = -1 // level 9: body text, whatever the style says
				}
			}
		case "numPr":
			list = list || paras == 1
		case "t":
			inText = true
		case "tab", "ptab", "br", "cr":
			out.space()
		case "noBreakHyphen":
			out.write([]byte("-"), runBold)
		case "footnoteReference", "endnoteReference":
			// The note's text follows the paragraph that refers to it.
			out.after(notes[strings.TrimSuffix(t.Name.Local, "Reference")+" "+attr(t, wordNS, "id")])
		case "tbl":
			out.startTable()
		case "tr":
			out.startRow()
		case "tc":
			out.startCell()
		case "gridSpan":
			if n, err := strconv.Atoi(attr(t, wordNS, "val")); err == nil {
				out.spanCell(n, false)
			}
		case "vMerge":
			// "restart" begins a merged cell; no value, or "continue",
			// goes on with the one above.
			out.spanCell(out.span, attr(t, wordNS, "val") != "restart")
		}
	}
	end := func(t xml.EndElement) {
		if t.Name.Space != wordNS {
			return
		}
		switch t.Name.Local {
		case "p":
			paras--
			level := levels[style]
			switch {
			case outline > 0:
				level = outline
			case outline < 0:
				level = 0
			}
			out.endParagraph(level, list)
		case "t":
			inText = false
		case "r":
			inRun = false
		case "tc":
			out.endCell()
		case "tr":
			out.endRow()
		case "tbl":
			out.endTable()
		}
	}
	text := func(t xml.CharData) {
		if inText && !hidden {
			out.write(t, runBold)
		}
	}
	if err := walkXML(data, docxSkipped, start, end, text); err != nil {
		return err
	}
	return out.writeHTML(b)
}

// docxNotes adds the text of each footnote or endnote (kind) of data
// (word/footnotes.xml, word/endnotes.xml; nil: none) to notes, by kind
// and id. The separators Word keeps among them have no text.
func docxNotes(data []byte, kind string, notes map[string]string) error {
	if data == nil {
		return nil
	}
	var (
		id     string
		text   strings.Builder
		inText bool
	)
	return walkXML(data, docxSkipped, func(t xml.StartElement) {
		if t.Name.Space != wordNS {
			return
		}
		switch t.Name.Local {
		case kind:
			id = attr(t, wordNS, "id")
			text.Reset()
		case "t":
			inText = true
		case "tab", "ptab", "br", "cr", "p":
			text.WriteByte(' ')
		}
	}, func(t xml.EndElement) {
		switch {
		case t.Name.Space != wordNS:
		case t.Name.Local == "t":
			inText = false
		case t.Name.Local == kind:
			if n := strings.Join(strings.Fields(text.String()), " "); n != "" {
				notes[kind+" "+id] = n
			}
		}
	}, func(t xml.CharData) {
		if inText {
			text.Write(t)
		}
	})
}

// docxSkipped reports whether the element name and all within it are left
// out of a document's text: deleted and moved-away text and the old
// formatting of tracked changes, a field's code ("TOC \o", "PAGE"),
// references to comments, and the fallback copy of a drawing's text that
// Word writes beside it.
func docxSkipped(name xml.Name) bool {
	if name.Local == "Fallback" {
		return true
	}
	if name.Space != wordNS {
		return false
	}
	switch name.Local {
	case "del", "delText", "moveFrom", "instrText", "commentReference",
		// A tracked change of formatting keeps the old properties: the
		// paragraph's style is its current one.
		"pPrChange", "rPrChange", "sectPrChange", "tblPrChange", "trPrChange", "tcPrChange", "numberingChange":
		return true
	}
	return false
}

// attr returns the value of start's attribute space:local, or "".
func attr(start xml.StartElement, space, local string) string {
	for _, a := range start.Attr {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
