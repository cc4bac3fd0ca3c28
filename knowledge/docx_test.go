package knowledge

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checkPassages compares got with want: each passage's citation and
// text, and its title where want gives one; shown is what to print with
// a wrong count (the HTML a reader made, say).
func checkPassages(t *testing.T, got, want []passage, shown string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d passages, want %d: %+v\n%s", len(got), len(want), got, shown)
	}
	for i, w := range want {
		if g := got[i]; g.citation != w.citation || g.text != w.text || w.title != "" && g.title != w.title {
			t.Errorf("passage %d = {%q %q %q}, want {%q %q %q}", i, g.citation, g.title, g.text, w.citation, w.title, w.text)
		}
	}
}

// readSource reads the source file at path as New does (readFile,
// then sourceText): the text sourcePassages parses.
func readSource(path string, limit int64) (string, error) {
	data, err := readFile(path, limit)
	if err != nil {
		return "", err
	}
	return sourceText(path, data, limit)
}

// writeTemp writes data to the file name in dir, and returns its path.
func writeTemp(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// docxFile returns a .docx archive holding files (name to content); a
// body given without its document element is wrapped in one.
func docxFile(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		if name == "word/document.xml" && !strings.Contains(content, "<w:document") {
			content = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="` + wordNS + `" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>` + content + `</w:body></w:document>`
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// docxBodyHTML returns what docxHTML makes of a document of body with
// testStyles.
func docxBodyHTML(t *testing.T, body string) string {
	t.Helper()
	text, err := docxHTML(docxFile(t, map[string]string{"word/document.xml": body, "word/styles.xml": testStyles}), DefaultMaxSourceBytes)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// testStyles names heading styles as Word does in English, and as it
// does in a German Word: the style's id is translated, its name is not.
const testStyles = `<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="` + wordNS + `">
<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="berschrift2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="ClauseHeading"><w:name w:val="Clause Heading"/><w:basedOn w:val="berschrift2"/></w:style>
<w:style w:type="paragraph" w:styleId="Loop1"><w:name w:val="Loop one"/><w:basedOn w:val="Loop2"/></w:style>
<w:style w:type="paragraph" w:styleId="Loop2"><w:name w:val="Loop two"/><w:basedOn w:val="Loop1"/></w:style>
<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>
<w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/></w:style>
</w:styles>`

func para(style, text string) string {
	ppr := ""
	if style != "" {
		ppr = `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
	}
	return `<w:p>` + ppr + `<w:r><w:t>` + text + `</w:t></w:r></w:p>`
}

func TestDocxPassages(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []passage // citation and text only
	}{
		{"heading styles, by name whatever their id, and a style based on one",
			para("Title", "Call for bids") + para("Heading1", "1 Eligibility") + para("", "NHS trusts may bid.") +
				para("berschrift2", "1.1 Partners") + para("", "Universities and industry.") +
				para("ClauseHeading", "1.2 Charities") + para("", "Charities may join."),
			[]passage{
				{citation: "call.docx: Call for bids › 1 Eligibility", text: "NHS trusts may bid."},
				{citation: "call.docx: Call for bids › 1 Eligibility › 1.1 Partners", text: "Universities and industry."},
				{citation: "call.docx: Call for bids › 1 Eligibility › 1.2 Charities", text: "Charities may join."},
			}},
		{"a paragraph's own outline level; a loop of styles is no heading",
			`<w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>Fees</w:t></w:r></w:p>` + para("Loop1", "No fee is charged."),
			[]passage{{citation: "call.docx: Fees", text: "No fee is charged."}}},
		{"runs joined, tabs and breaks as spaces, entities decoded",
			para("Heading1", "Dates") + `<w:p><w:r><w:t xml:space="preserve">Bids are due </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>19 October</w:t></w:r><w:r><w:tab/><w:t>at noon</w:t><w:br/><w:t>R&amp;D welcome</w:t></w:r></w:p>`,
			[]passage{{citation: "call.docx: Dates", text: "Bids are due 19 October at noon R&D welcome"}}},
		{"tracked deletions, field codes and the table of contents are left out",
			para("TOC1", "1 Dates 3") + para("Heading1", "Dates") +
				`<w:p><w:r><w:t>Due </w:t></w:r><w:del><w:r><w:delText>1 September</w:delText></w:r></w:del><w:ins><w:r><w:t>19 October</w:t></w:r></w:ins>` +
				`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>.</w:t></w:r></w:p>`,
			[]passage{{citation: "call.docx: Dates", text: "Due 19 October."}}},
		{"a table row is a line, its cells joined; a nested table stays in its cell",
			para("Heading1", "Deliverables") + `<w:tbl><w:tr><w:tc>` + para("", "Item") + `</w:tc><w:tc>` + para("", "Due") + `</w:tc></w:tr>` +
				`<w:tr><w:tc>` + para("", "Plan") + para("", "(draft)") + `</w:tc><w:tc><w:tbl><w:tr><w:tc>` + para("", "Day 5") + `</w:tc></w:tr></w:tbl></w:tc></w:tr>` +
				`<w:tr><w:tc>` + para("", "") + `</w:tc></w:tr></w:tbl>` + para("", "After the table."),
			[]passage{{citation: "call.docx: Deliverables", text: "Item | Due\nPlan (draft) | Day 5\nAfter the table."}}},
		{"a cell merged down the column has the text of the cell it continues; spans keep the columns",
			para("Heading1", "Support") + `<w:tbl>` +
				`<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>` + para("", "Service") + `</w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>` + para("", "Hours") + `</w:tc></w:tr>` +
				`<w:tr><w:tc>` + para("", "Phone") + `</w:tc><w:tc>` + para("", "line") + `</w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>` +
				`</w:tbl>`,
			[]passage{{citation: "call.docx: Support", text: "Service | Hours\nPhone | line | Hours"}}},
		{"list items, and a text box's words once, after its paragraph",
			para("Heading1", "Partners") + `<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>NHS trusts</w:t></w:r></w:p>` +
				`<w:p><w:r><w:t>See </w:t></w:r><w:r><mc:AlternateContent><mc:Choice><w:drawing><w:txbxContent>` + para("", "the box") + `</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>` + para("", "the box") + `</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t> here.</w:t></w:r></w:p>`,
			[]passage{{citation: "call.docx: Partners", text: "NHS trusts\nSee here.\nthe box"}}},
		{"a text box in a heading is no part of the heading",
			`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Payment</w:t></w:r><w:r><w:drawing><w:txbxContent>` + para("", "Note: invoices go to finance.") + `</w:txbxContent></w:drawing></w:r></w:p>` + para("", "Paid monthly."),
			[]passage{{citation: "call.docx: Payment", text: "Note: invoices go to finance.\nPaid monthly."}}},
		{"tracked changes: the current style, not the old one; moved-away text once",
			para("Heading1", "Dates") + `<w:p><w:pPr><w:pStyle w:val="Normal"/><w:pPrChange><w:pPr><w:pStyle w:val="Heading1"/></w:pPr></w:pPrChange></w:pPr><w:r><w:t>Late bids are refused.</w:t></w:r></w:p>` +
				`<w:moveFrom><w:r><w:t>Bids close 1 May.</w:t></w:r></w:moveFrom>` + para("", "Other text.") + `<w:p><w:moveTo><w:r><w:t>Bids close 1 May.</w:t></w:r></w:moveTo></w:p>`,
			[]passage{{citation: "call.docx: Dates", text: "Late bids are refused.\nOther text.\nBids close 1 May."}}},
		{"hidden text is not read; a positional tab is a space; outline level 9 is body text",
			para("Heading1", "Fees") + `<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>INTERNAL: budget is 2m.</w:t></w:r><w:r><w:t>Total</w:t><w:ptab/><w:t>100</w:t></w:r></w:p>` +
				`<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:outlineLvl w:val="9"/></w:pPr><w:r><w:t>Paid quarterly.</w:t></w:r></w:p>`,
			[]passage{{citation: "call.docx: Fees", text: "Total 100\nPaid quarterly."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := docxBodyHTML(t, tt.body)
			checkPassages(t, sourcePassages("call.docx", text), tt.want, "HTML: "+text)
		})
	}
}

func boldPara(text string) string {
	return `<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>` + text + `</w:t></w:r></w:p>`
}

// TestDocxBoldHeadings: a document typed without heading styles has its
// headings found where they stand: short paragraphs all in bold before
// text, numbered ones under the others by their number's depth.
func TestDocxBoldHeadings(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // citations
	}{
		{"bold headings, numbered under unnumbered, a run of them before text",
			boldPara("Terms for suppliers") + boldPara("3. Payment.") + boldPara("3.1 Schedule") + para("", "Invoices are paid monthly.") +
				boldPara("3.2 Disputes") + para("", "Raise them within 30 days.") + boldPara("Who may bid?") + para("", "Any NHS body."),
			[]string{"call.docx: Terms for suppliers › 3. Payment. › 3.1 Schedule", "call.docx: Terms for suppliers › 3. Payment. › 3.2 Disputes", "call.docx: Who may bid?"}},
		{"a bold sentence, a bold line of a run in plain, a long bold list: text",
			boldPara("Bids must arrive by noon on 19 October.") + para("", "Late bids are not read.") +
				`<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Note:</w:t></w:r><w:r><w:t> read this.</w:t></w:r></w:p>` +
				boldPara("Trusts") + boldPara("Universities") + boldPara("Companies") + boldPara("Charities") + boldPara("Councils") + boldPara("Hospices") + para("", "may all join."),
			[]string{"call.docx: opening text"}},
		{"bold with w:val false is not bold",
			`<w:p><w:r><w:rPr><w:b w:val="false"/></w:rPr><w:t>Fees</w:t></w:r></w:p>` + para("", "None."),
			[]string{"call.docx: opening text"}},
		{"a document with heading styles keeps its bold paragraphs as text",
			para("Heading1", "Fees") + boldPara("Important") + para("", "None are charged."),
			[]string{"call.docx: Fees"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := docxBodyHTML(t, tt.body)
			var got []string
			for _, p := range sourcePassages("call.docx", text) {
				got = append(got, p.citation)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("citations %q, want %q\nHTML: %s", got, tt.want, text)
			}
		})
	}
}

// TestDocxNotes: a footnote's and an endnote's text follow the
// paragraph that refers to them; Word's separators among the notes are
// not text.
func TestDocxNotes(t *testing.T) {
	notes := `<w:footnotes xmlns:w="` + wordNS + `"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>` +
		`<w:footnote w:id="2"><w:p><w:r><w:t>See the 2009 operating framework.</w:t></w:r></w:p></w:footnote></w:footnotes>`
	ends := `<w:endnotes xmlns:w="` + wordNS + `"><w:endnote w:id="1"><w:p><w:r><w:t>Figures at 2008 prices.</w:t></w:r></w:p></w:endnote></w:endnotes>`
	body := para("Heading1", "Funding") + `<w:p><w:r><w:t>Each HIEC gets up to 1m.</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r><w:r><w:endnoteReference w:id="1"/></w:r></w:p>` + para("", "Paid yearly.")
	text, err := docxHTML(docxFile(t, map[string]string{"word/document.xml": body, "word/styles.xml": testStyles, "word/footnotes.xml": notes, "word/endnotes.xml": ends}), DefaultMaxSourceBytes)
	if err != nil {
		t.Fatal(err)
	}
	got := sourcePassages("call.docx", text)
	if len(got) != 1 || got[0].text != "Each HIEC gets up to 1m.\nSee the 2009 operating framework.\nFigures at 2008 prices.\nPaid yearly." {
		t.Errorf("passages = %+v", got)
	}
}

// TestDocxTitle: the document's title (docProps/core.xml) heads it when
// it has no heading of its own, as an HTML file's title does; a Title
// paragraph heads it instead.
func TestDocxTitle(t *testing.T) {
	data := docxFile(t, map[string]string{
		"word/document.xml": para("Heading1", "Fees") + para("", "None."),
		"docProps/core.xml": `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>HIEC  guide</dc:title></cp:coreProperties>`,
	})
	text, err := docxHTML(data, DefaultMaxSourceBytes)
	if err != nil {
		t.Fatal(err)
	}
	// Without styles.xml, "Heading1" is no known style: the paragraph
	// is text under the title.
	got := sourcePassages("g.docx", text)
	if len(got) != 1 || got[0].citation != "g.docx: HIEC guide" || got[0].text != "Fees\nNone." {
		t.Errorf("passages = %+v", got)
	}
	// A Title paragraph of its own heads it instead.
	data = docxFile(t, map[string]string{
		"word/document.xml": para("Title", "Breakthrough") + para("Heading1", "Fees") + para("", "None."),
		"word/styles.xml":   testStyles,
		"docProps/core.xml": `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>draft3.doc</dc:title></cp:coreProperties>`,
	})
	if text, err = docxHTML(data, DefaultMaxSourceBytes); err != nil {
		t.Fatal(err)
	}
	if got := sourcePassages("g.docx", text); len(got) != 1 || got[0].citation != "g.docx: Breakthrough › Fees" {
		t.Errorf("with a Title: passages = %+v", got)
	}
}

// TestReadSourceKinds: what cannot be read says what to give instead,
// and names the file; nothing panics on a damaged or hostile archive.
func TestReadSourceKinds(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string { return writeTemp(t, dir, name, data) }
	good := docxFile(t, map[string]string{"word/document.xml": para("Heading1", "Fees") + para("", "None."), "word/styles.xml": testStyles})
	tests := []struct {
		name    string
		data    []byte
		limit   int64
		wantErr string
	}{
		{"good.docx", good, 1 << 20, ""},
		{"notzip.docx", []byte("# Just Markdown\n"), 1 << 20, "is not a Word document"},
		{"nobody.docx", docxFile(t, map[string]string{"word/other.xml": "x"}), 1 << 20, "no word/document.xml"},
		{"damaged.docx", docxFile(t, map[string]string{"word/document.xml": `<w:document xmlns:w="` + wordNS + `"><w:body><w:p>`}), 1 << 20, "damaged Word document: word/document.xml"},
		{"badstyles.docx", docxFile(t, map[string]string{"word/document.xml": para("", "x"), "word/styles.xml": "<w:styles"}), 1 << 20, "damaged Word document: word/styles.xml"},
		{"bomb.docx", docxFile(t, map[string]string{"word/document.xml": para("", strings.Repeat("a", 200_000))}), 10_000, "unpack to more than 160000 bytes in all"},
		{"deep.docx", docxFile(t, map[string]string{"word/document.xml": strings.Repeat("<w:p>", 5000)}), 1 << 20, "nest more than 1000 deep"},
		{"deepstyles.docx", docxFile(t, map[string]string{"word/document.xml": para("", "x"), "word/styles.xml": strings.Repeat("<a>", 5000)}), 1 << 20, "nest more than 1000 deep"},
		{"text.docx", docxFile(t, map[string]string{"word/document.xml": strings.Repeat(para("", strings.Repeat("word ", 400)), 20)}), 30_000, "holds more than 30000 bytes of text, over the limit for one source"},
		{"notes.docx", docxFile(t, map[string]string{
			"word/document.xml":  strings.Repeat(`<w:p><w:r><w:footnoteReference w:id="1"/></w:r></w:p>`, 500),
			"word/footnotes.xml": `<w:footnotes xmlns:w="` + wordNS + `"><w:footnote w:id="1"><w:p><w:r><w:t>` + strings.Repeat("note ", 200) + `</w:t></w:r></w:p></w:footnote></w:footnotes>`,
		}), 30_000, "holds more than 30000 bytes of text, over the limit for one source"},
		{"merged.docx", docxFile(t, map[string]string{"word/document.xml": `<w:tbl><w:tr><w:tc>` + para("", strings.Repeat("cell ", 200)) + `</w:tc></w:tr>` +
			strings.Repeat(`<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>`, 500) + `</w:tbl>`}), 30_000, "holds more than 30000 bytes of text, over the limit for one source"},
		{"locked.docx", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + strings.Repeat("\x00", 100) + "E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e\x00"), 1 << 20, "is a Word document protected by a password"},
		{"report.pdf", []byte("%PDF-1.7\n%\xE2\xE3\n1 0 obj"), 1 << 20, "is a damaged PDF"},
		{"old.doc", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), 1 << 20, "Word 97-2003"},
		{"archive.md", good, 1 << 20, "is a zip archive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(tt.name, tt.data)
			_, err := readSource(path, tt.limit)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(tt.wantErr, "over the limit") && strings.Contains(err.Error(), "damaged") {
				t.Errorf("err = %v: too big is not damaged", err)
			}
			_, err = New(Options{Sources: []string{path}, NoEmbedded: true, MaxSourceBytes: tt.limit})
			if err == nil || !strings.Contains(err.Error(), tt.name) {
				t.Errorf("New: %v, want an error naming %s", err, tt.name)
			}
		})
	}
}

// TestDocxAnswers: a Word document is a source like any other: a
// bidder's question is answered from it, cited by its headings.
func TestDocxAnswers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "terms.docx")
	body := para("Title", "Grant terms") + para("Heading1", "3 Payment") +
		para("", "The grant is paid quarterly in arrears, within 30 days of an approved claim.") +
		para("Heading1", "4 Reporting") + para("", "Recipients report progress to the programme board every six months.")
	if err := os.WriteFile(path, docxFile(t, map[string]string{"word/document.xml": body, "word/styles.xml": testStyles}), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{Sources: []string{path}, NoEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	res, err := e.Answer("How often is the grant paid?")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Answers) == 0 || res.Answers[0].Citation != "terms.docx: Grant terms › 3 Payment" {
		t.Fatalf("answers = %+v", res.Answers)
	}
}

func FuzzDocx(f *testing.F) {
	f.Add([]byte(para("Heading1", "A")+para("", "b")), []byte(testStyles))
	f.Add([]byte(`<w:tbl><w:tr><w:tc><w:tbl></w:tbl></w:tc></w:tr></w:tbl>`), []byte(""))
	f.Add([]byte(`</w:p></w:tbl><w:p><w:p>`), []byte(`<w:styles xmlns:w="`+wordNS+`"><w:style w:styleId="a"><w:basedOn w:val="a"/></w:style></w:styles>`))
	f.Fuzz(func(t *testing.T, body, styles []byte) {
		files := map[string]string{"word/document.xml": string(body)}
		if len(styles) > 0 {
			files["word/styles.xml"] = string(styles)
		}
		text, err := docxHTML(docxFile(t, files), 1<<20)
		if err != nil {
			return
		}
		for _, p := range sourcePassages("f.docx", text) {
			if p.citation == "" || strings.TrimSpace(p.text) == "" {
				t.Errorf("passage %+v incomplete", p)
			}
		}
	})
}
