package knowledge

// OpenDocument text (.odt, LibreOffice's and the UK government's
// standard format for documents): the text of content.xml, with its
// headings, lists and tables, as HTML for htmlBlocks, as a Word document
// is read (docx.go).
//
// Headings are text:h elements with their outline level. A paragraph
// whose style is "Title", itself or through the styles it derives from
// (content.xml's automatic styles, styles.xml's), heads the document;
// without one, or a heading of the top level, the title in meta.xml does,
// as an HTML file's title does. Without any heading, short paragraphs
// all in bold before text are headings, as in a Word document.
//
// Spaces (text:s), tabs and line breaks are spaces. Tracked changes'
// deleted text, the table of contents and other indexes, annotations,
// hidden text, drawings' alternative text, embedded images' data and the
// hidden sequence declarations are left out. A note's text, and a text
// box's, follows the paragraph that holds it. A table row is one line,
// its cells joined by " | ".

import (
	"bytes"
	"encoding/xml"
	"errors"
	"html"
	"strconv"
	"strings"
)

// The namespaces of OpenDocument's elements and attributes.
const (
	odfText   = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	odfTable  = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	odfStyle  = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
	odfOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
	odfFO     = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
	odfSVG    = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
)

// odtHTML returns the body of the OpenDocument text data as HTML.
func odtHTML(data []byte, limit int64) (string, error) {
	z, ok := openOfficeZip(data, limit, "OpenDocument text")
	if !ok {
		return "", errors.New("is not an OpenDocument text: an .odt file is a zip archive, and this one is not (save it as .odt or .docx, or as Markdown, HTML or plain text)")
	}
	content, err := z.read("content.xml")
	if err != nil {
		return "", err
	}
	if content == nil {
		return "", errors.New("is a zip archive with no content.xml, so not an OpenDocument text: save it as .odt or .docx, or as Markdown, HTML or plain text")
	}
	styles, err := z.read("styles.xml")
	if err != nil {
		return "", err
	}
	manifest, err := z.read("META-INF/manifest.xml")
	if err != nil {
		return "", err
	}
	if bytes.Contains(manifest, []byte("encryption-data")) {
		return "", errors.New("is an OpenDocument text protected by a password: save it without one, or give its text")
	}
	st := odtStyles{parent: map[string]string{}, weight: map[string]int{}}
	for _, part := range []struct {
		name string
		data []byte
	}{{"styles.xml", styles}, {"content.xml", content}} {
		if part.data != nil {
			if err := st.read(part.data); err != nil {
				return "", z.damaged(part.name, err)
			}
		}
	}
	meta, err := z.read("meta.xml")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if t := docTitle(meta); t != "" {
		b.WriteString("<title>" + html.EscapeString(t) + "</title>\n")
	}
	if err := odtBody(content, &st, limit, &b); err != nil {
		return "", z.damaged("content.xml", err)
	}
	return b.String(), nil
}

// odtStyles is what the reader needs of a document's styles (styles.xml
// and content.xml's automatic styles): each paragraph or text style's
// parent, and whether it sets its text bold (1), not bold (-1) or says
// nothing of it (0).
type odtStyles struct {
	parent map[string]string
	weight map[string]int
}

// read adds the paragraph and text styles of data.
func (st *odtStyles) read(data []byte) error {
	current := "" // the style whose properties are being read
	return walkXML(data, nil, func(s xml.StartElement) {
		if s.Name.Space != odfStyle {
			return
		}
		switch s.Name.Local {
		case "style":
			current = ""
			if f := attr(s, odfStyle, "family"); f == "paragraph" || f == "text" {
				current = attr(s, odfStyle, "name")
				st.parent[current] = attr(s, odfStyle, "parent-style-name")
			}
		case "text-properties":
			if current == "" {
				return
			}
			w := attr(s, odfFO, "font-weight")
			n, err := strconv.Atoi(w)
			switch {
			case w == "bold" || err == nil && n >= 600:
				st.weight[current] = 1
			case w != "":
				st.weight[current] = -1 // normal, or a weight under 600
			}
		}
	}, func(xml.EndElement) {}, func(xml.CharData) {})
}

// bold reports whether text in style name is bold, through its parents;
// inherited when the style says nothing of it.
func (st *odtStyles) bold(name string, inherited bool) bool {
	for range 16 { // a loop of styles, or a chain longer than any real one, says nothing
		if name == "" {
			break
		}
		if w := st.weight[name]; w != 0 {
			return w > 0
		}
		name = st.parent[name]
	}
	return inherited
}

// isTitle reports whether the paragraph style name is the Title style,
// or derives from it.
func (st *odtStyles) isTitle(name string) bool {
	for range 16 {
		if name == "" {
			return false
		}
		if name == "Title" {
			return true
		}
		name = st.parent[name]
	}
	return false
}

// odtSkipped reports whether the element name and all within it are left
// out of a document's text.
func odtSkipped(name xml.Name) bool {
	switch name.Space {
	case odfText:
		switch name.Local {
		case "tracked-changes", "deletion", "table-of-content", "alphabetical-index", "illustration-index",
			"table-index", "object-index", "user-index", "bibliography", "note-citation", "sequence-decls",
			"variable-decls", "user-field-decls", "hidden-text", "hidden-paragraph":
			return true
		}
	case odfOffice:
		return name.Local == "annotation" || name.Local == "forms" || name.Local == "binary-data"
	case odfSVG:
		return name.Local == "title" || name.Local == "desc" // a drawing's alternative text
	}
	return false
}

// odtBody writes the headings, paragraphs and tables of content.xml's
// office:text to b as HTML.
func odtBody(data []byte, st *odtStyles, limit int64, b *strings.Builder) error {
	var (
		out    = officeText{limit: limit}
		level  int  // of the paragraph being read: a heading's, titleLevel, or 0
		list   int  // depth of lists
		paras  int  // depth of paragraphs and headings: a text box's are its anchor's
		inBody bool // inside office:text
		// spans holds whether each open span (the paragraph's style
		// first) sets its text bold.
		spans []bool
	)
	begin := func(style string, lv int) {
		if paras == 0 {
			spans, level = append(spans[:0], st.bold(style, false)), lv
		}
		paras++
		out.startParagraph()
	}
	start := func(t xml.StartElement) {
		if t.Name.Space == odfOffice && t.Name.Local == "text" {
			inBody = true
		}
		if !inBody {
			return
		}
		switch t.Name {
		case xml.Name{Space: odfText, Local: "h"}:
			lv := 1
			if n, err := strconv.Atoi(attr(t, odfText, "outline-level")); err == nil && n >= 1 {
				lv = min(n, 9)
			}
			begin(attr(t, odfText, "style-name"), lv)
		case xml.Name{Space: odfText, Local: "p"}:
			name, lv := attr(t, odfText, "style-name"), 0
			if st.isTitle(name) {
				lv = titleLevel
			}
			begin(name, lv)
		case xml.Name{Space: odfText, Local: "span"}:
			if paras > 0 {
				spans = append(spans, st.bold(attr(t, odfText, "style-name"), len(spans) > 0 && spans[len(spans)-1]))
			}
		case xml.Name{Space: odfText, Local: "list"}:
			list++
		case xml.Name{Space: odfText, Local: "s"}:
			n, err := strconv.Atoi(attr(t, odfText, "c"))
			if err != nil || n < 1 {
				n = 1
			}
			for range min(n, 8) {
				out.space()
			}
		case xml.Name{Space: odfText, Local: "tab"}, xml.Name{Space: odfText, Local: "line-break"}:
			out.space()
		case xml.Name{Space: odfTable, Local: "table"}:
			out.startTable()
		case xml.Name{Space: odfTable, Local: "table-row"}:
			out.startRow()
		case xml.Name{Space: odfTable, Local: "table-cell"}:
			out.startCell()
		}
	}
	end := func(t xml.EndElement) {
		if !inBody {
			return
		}
		switch t.Name {
		case xml.Name{Space: odfOffice, Local: "text"}:
			inBody = false
		case xml.Name{Space: odfText, Local: "h"}, xml.Name{Space: odfText, Local: "p"}:
			out.endParagraph(level, list > 0)
			if paras--; paras == 0 {
				level, spans = 0, spans[:0]
			}
		case xml.Name{Space: odfText, Local: "span"}:
			if len(spans) > 1 {
				spans = spans[:len(spans)-1]
			}
		case xml.Name{Space: odfText, Local: "list"}:
			list = max(0, list-1)
		case xml.Name{Space: odfTable, Local: "table-cell"}:
			out.endCell()
		case xml.Name{Space: odfTable, Local: "table-row"}:
			out.endRow()
		case xml.Name{Space: odfTable, Local: "table"}:
			out.endTable()
		}
	}
	text := func(t xml.CharData) {
		if inBody && paras > 0 {
			out.write(t, len(spans) > 0 && spans[len(spans)-1])
		}
	}
	if err := walkXML(data, odtSkipped, start, end, text); err != nil {
		return err
	}
	return out.writeHTML(b)
}
