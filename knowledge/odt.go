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
// all in bold before text are headings, as in a Word document. Spaces (text:s), tabs and
// line breaks are spaces. Tracked changes' deleted text, the table of
// contents and other indexes, notes, annotations and the hidden sequence
// declarations are left out; a text box's words stay in the paragraph
// that holds it. A table row is one line, its cells joined by " | ".

import (
	"bytes"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// The namespaces of OpenDocument's elements and attributes.
const (
	odfText   = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	odfTable  = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	odfStyle  = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
	odfOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
	odfFO     = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
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
	st := odtStyles{parent: map[string]string{}, weight: map[string]int{}}
	for _, part := range [][]byte{styles, content} {
		if part != nil {
			if err := st.read(part); err != nil {
				return "", z.damaged("styles", err)
			}
		}
	}
	meta, err := z.read("meta.xml")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if t := odtTitle(meta); t != "" {
		b.WriteString("<title>" + html.EscapeString(t) + "</title>\n")
	}
	if err := odtBody(content, &st, &b); err != nil {
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
	d := xml.NewDecoder(bytes.NewReader(data))
	current := "" // the style whose properties are being read
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		s, ok := tok.(xml.StartElement)
		if !ok || s.Name.Space != odfStyle {
			continue
		}
		switch s.Name.Local {
		case "style":
			current = ""
			if f := odfAttr(s, odfStyle, "family"); f == "paragraph" || f == "text" {
				current = odfAttr(s, odfStyle, "name")
				st.parent[current] = odfAttr(s, odfStyle, "parent-style-name")
			}
		case "text-properties":
			if current == "" {
				continue
			}
			w := odfAttr(s, odfFO, "font-weight")
			n, err := strconv.Atoi(w)
			switch {
			case w == "bold" || err == nil && n >= 600:
				st.weight[current] = 1
			case w != "":
				st.weight[current] = -1 // normal, or a weight under 600
			}
		}
	}
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

// odtTitle returns the title of meta.xml, or "".
func odtTitle(data []byte) string {
	if data == nil {
		return ""
	}
	var meta struct {
		Title string `xml:"meta>title"`
	}
	if xml.Unmarshal(data, &meta) != nil {
		return ""
	}
	return strings.Join(strings.Fields(meta.Title), " ")
}

// odtSkipped reports whether the element name and all within it are left
// out of a document's text.
func odtSkipped(name xml.Name) bool {
	switch name.Space {
	case odfText:
		switch name.Local {
		case "tracked-changes", "deletion", "table-of-content", "alphabetical-index", "illustration-index",
			"table-index", "object-index", "user-index", "bibliography", "note", "sequence-decls",
			"variable-decls", "user-field-decls":
			return true
		}
	case odfOffice:
		return name.Local == "annotation" || name.Local == "forms"
	}
	return false
}

// odtBody writes the headings, paragraphs and tables of content.xml's
// office:text to b as HTML.
func odtBody(data []byte, st *odtStyles, b *strings.Builder) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	var (
		blocks []docBlock
		text   strings.Builder
		level  int  // of the paragraph being read: a heading's, titleLevel, or 0
		list   int  // depth of lists
		paras  int  // depth of paragraphs and headings: a text box's are its anchor's
		inBody bool // inside office:text
		skip   int
		tables int
		cells  []string
		inCell bool
		cell   strings.Builder
		// spans holds whether each open span (the paragraph's style
		// first) sets its text bold; bold and plain count the letters of
		// the paragraph in bold and not (see boldHeadings).
		spans       []bool
		bold, plain int
	)
	end := func(isList bool) {
		t := strings.Join(strings.Fields(text.String()), " ")
		text.Reset()
		lv, allBold := level, bold > 0 && plain == 0
		level, bold, plain, spans = 0, 0, 0, spans[:0]
		switch {
		case t == "":
		case inCell:
			if cell.Len() > 0 {
				cell.WriteByte(' ')
			}
			cell.WriteString(t)
		default:
			blocks = append(blocks, docBlock{level: lv, list: isList && lv == 0, text: t, bold: allBold})
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
			if skip > 0 || odtSkipped(t.Name) {
				skip++
				continue
			}
			if t.Name.Space == odfOffice && t.Name.Local == "text" {
				inBody = true
				continue
			}
			if !inBody {
				continue
			}
			switch t.Name.Space {
			case odfText:
				switch t.Name.Local {
				case "h":
					if paras == 0 {
						text.Reset()
						bold, plain, spans = 0, 0, append(spans[:0], st.bold(odfAttr(t, odfText, "style-name"), false))
						level = 1
						if n, err := strconv.Atoi(odfAttr(t, odfText, "outline-level")); err == nil && n >= 1 {
							level = min(n, 9)
						}
					}
					paras++
				case "p":
					if paras == 0 {
						text.Reset()
						name := odfAttr(t, odfText, "style-name")
						bold, plain, spans = 0, 0, append(spans[:0], st.bold(name, false))
						level = 0
						if st.isTitle(name) {
							level = titleLevel
						}
					}
					paras++
				case "span":
					if paras > 0 {
						spans = append(spans, st.bold(odfAttr(t, odfText, "style-name"), len(spans) > 0 && spans[len(spans)-1]))
					}
				case "list":
					list++
				case "s":
					n, err := strconv.Atoi(odfAttr(t, odfText, "c"))
					if err != nil || n < 1 {
						n = 1
					}
					text.WriteString(strings.Repeat(" ", min(n, 8)))
				case "tab", "line-break":
					text.WriteByte(' ')
				}
			case odfTable:
				switch t.Name.Local {
				case "table":
					tables++
				case "table-row":
					if tables == 1 {
						cells = cells[:0]
					}
				case "table-cell":
					if tables == 1 {
						inCell = true
						cell.Reset()
					}
				}
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			if t.Name.Space == odfOffice && t.Name.Local == "text" {
				inBody = false
				continue
			}
			if !inBody {
				continue
			}
			switch t.Name.Space {
			case odfText:
				switch t.Name.Local {
				case "h", "p":
					if paras--; paras == 0 {
						end(list > 0)
					}
				case "list":
					list = max(0, list-1)
				case "span":
					if len(spans) > 1 {
						spans = spans[:len(spans)-1]
					}
				}
			case odfTable:
				switch t.Name.Local {
				case "table-cell":
					if tables == 1 {
						inCell = false
						cells = append(cells, cell.String())
					}
				case "table-row":
					if tables == 1 {
						row := strings.Join(strings.Fields(strings.Join(cells, " | ")), " ")
						if strings.Trim(row, "| ") != "" {
							blocks = append(blocks, docBlock{text: row})
						}
					}
				case "table":
					tables = max(0, tables-1)
				}
			}
		case xml.CharData:
			if inBody && paras > 0 && skip == 0 {
				text.Write(t)
				n := 0
				for _, r := range string(t) {
					if unicode.IsLetter(r) {
						n++
					}
				}
				if len(spans) > 0 && spans[len(spans)-1] {
					bold += n
				} else {
					plain += n
				}
			}
		}
	}
	writeBlocks(boldHeadings(blocks), b)
	return nil
}

// odfAttr returns the value of start's attribute space:local, or "".
func odfAttr(start xml.StartElement, space, local string) string {
	for _, a := range start.Attr {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
