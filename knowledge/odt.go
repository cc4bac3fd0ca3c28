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
// as an HTML file's title does. Spaces (text:s), tabs and
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
)

// The namespaces of OpenDocument's elements and attributes.
const (
	odfText   = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	odfTable  = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	odfStyle  = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
	odfOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
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
	parents := map[string]string{} // a style's name to its parent's
	for _, part := range [][]byte{styles, content} {
		if part != nil {
			if err := odtStyleParents(part, parents); err != nil {
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
	if err := odtBody(content, parents, &b); err != nil {
		return "", z.damaged("content.xml", err)
	}
	return b.String(), nil
}

// odtStyleParents adds each paragraph style of data (styles.xml, or
// content.xml's automatic styles) with the style it derives from ("" for
// none) to parents.
func odtStyleParents(data []byte, parents map[string]string) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if s, ok := tok.(xml.StartElement); ok && s.Name.Space == odfStyle && s.Name.Local == "style" && odfAttr(s, odfStyle, "family") == "paragraph" {
			parents[odfAttr(s, odfStyle, "name")] = odfAttr(s, odfStyle, "parent-style-name")
		}
	}
}

// odtIsTitle reports whether the paragraph style name is the Title
// style, or derives from it.
func odtIsTitle(name string, parents map[string]string) bool {
	for range 16 { // a loop of styles, or a chain longer than any real one, is no title
		if name == "" {
			return false
		}
		if name == "Title" {
			return true
		}
		name = parents[name]
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
func odtBody(data []byte, parents map[string]string, b *strings.Builder) error {
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
	)
	end := func(isList bool) {
		t := strings.Join(strings.Fields(text.String()), " ")
		text.Reset()
		lv := level
		level = 0
		switch {
		case t == "":
		case inCell:
			if cell.Len() > 0 {
				cell.WriteByte(' ')
			}
			cell.WriteString(t)
		default:
			blocks = append(blocks, docBlock{level: lv, list: isList && lv == 0, text: t})
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
						level = 1
						if n, err := strconv.Atoi(odfAttr(t, odfText, "outline-level")); err == nil && n >= 1 {
							level = min(n, 9)
						}
					}
					paras++
				case "p":
					if paras == 0 {
						text.Reset()
						level = 0
						if odtIsTitle(odfAttr(t, odfText, "style-name"), parents) {
							level = titleLevel
						}
					}
					paras++
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
			}
		}
	}
	writeBlocks(blocks, b)
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
