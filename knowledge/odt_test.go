package knowledge

import (
	"strings"
	"testing"
)

// odtContent wraps body (the elements of office:text) and automatic
// styles in a content.xml.
func odtContent(autoStyles, body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="` + odfOffice + `" xmlns:style="` + odfStyle + `" xmlns:text="` + odfText + `" xmlns:table="` + odfTable + `" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="` + odfSVG + `">` +
		`<office:automatic-styles>` + autoStyles + `</office:automatic-styles><office:body><office:text>` + body + `</office:text></office:body></office:document-content>`
}

const testOdtStyles = `<office:document-styles xmlns:office="` + odfOffice + `" xmlns:style="` + odfStyle + `"><office:styles>
<style:style style:name="Title" style:family="paragraph"/>
<style:style style:name="Subtitle" style:family="paragraph" style:parent-style-name="Title"/>
<style:style style:name="Loop_A" style:family="paragraph" style:parent-style-name="Loop_B"/>
<style:style style:name="Loop_B" style:family="paragraph" style:parent-style-name="Loop_A"/>
</office:styles></office:document-styles>`

func TestOdtPassages(t *testing.T) {
	tests := []struct {
		name, auto, body string
		want             []passage // citation and text only
	}{
		{"headings by outline level under a title, through an automatic style",
			`<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/>`,
			`<text:p text:style-name="P1">Call for bids</text:p><text:h text:outline-level="1">1 Eligibility</text:h><text:p>NHS trusts may bid.</text:p>` +
				`<text:h text:outline-level="2">1.1 Partners</text:h><text:p text:style-name="Loop_A">Universities and industry.</text:p>`,
			[]passage{
				{citation: "call.odt: Call for bids › 1 Eligibility", text: "NHS trusts may bid."},
				{citation: "call.odt: Call for bids › 1 Eligibility › 1.1 Partners", text: "Universities and industry."},
			}},
		{"spans, spaces, tabs and breaks; entities decoded",
			``,
			`<text:h>Dates</text:h><text:p>Bids are due<text:s/><text:span>19 October</text:span><text:tab/>at noon<text:line-break/>R&amp;D welcome</text:p>`,
			[]passage{{citation: "call.odt: Dates", text: "Bids are due 19 October at noon R&D welcome"}}},
		{"tracked deletions, the table of contents and annotations are left out; a note follows its paragraph",
			``,
			`<text:tracked-changes><text:changed-region><text:deletion><text:p>1 September</text:p></text:deletion></text:changed-region></text:tracked-changes>` +
				`<text:table-of-content><text:index-body><text:p>Dates 3</text:p></text:index-body></text:table-of-content>` +
				`<text:h text:outline-level="1">Dates</text:h><text:p>Due 19 October<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>At noon.</text:p></text:note-body></text:note><office:annotation><text:p>check</text:p></office:annotation>.</text:p>`,
			[]passage{{citation: "call.odt: Dates", text: "Due 19 October.\nAt noon."}}},
		{"a table row is a line; list items; a text box's words after its paragraph",
			``,
			`<text:h>Deliverables</text:h><table:table><table:table-row><table:table-cell><text:p>Item</text:p></table:table-cell><table:table-cell><text:p>Due</text:p></table:table-cell></table:table-row>` +
				`<table:table-row><table:table-cell><text:p>Plan</text:p><text:p>(draft)</text:p></table:table-cell><table:table-cell><table:table><table:table-row><table:table-cell><text:p>Day 5</text:p></table:table-cell></table:table-row></table:table></table:table-cell></table:table-row></table:table>` +
				`<text:list><text:list-item><text:p>NHS trusts</text:p></text:list-item></text:list>` +
				`<text:p>See <draw:frame><draw:text-box><text:p>the box</text:p></draw:text-box></draw:frame> here.</text:p>`,
			[]passage{{citation: "call.odt: Deliverables", text: "Item | Due\nPlan (draft) | Day 5\nNHS trusts\nSee here.\nthe box"}}},
		{"a drawing's alternative text, an image's data and hidden text are not read",
			``,
			`<text:h>Call</text:h><text:p><draw:frame><svg:title>Company logo</svg:title><svg:desc>ACME logo</svg:desc><draw:image><office:binary-data>iVBORw0KGgo=</office:binary-data></draw:image></draw:frame>Bids welcome.<text:hidden-text text:string-value="secret">INTERNAL</text:hidden-text></text:p>`,
			[]passage{{citation: "call.odt: Call", text: "Bids welcome."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := docxFile(t, map[string]string{"content.xml": odtContent(tt.auto, tt.body), "styles.xml": testOdtStyles})
			text, err := odtHTML(data, DefaultMaxSourceBytes)
			if err != nil {
				t.Fatal(err)
			}
			checkPassages(t, sourcePassages("call.odt", text), tt.want, "HTML: "+text)
		})
	}
}

// TestOdtBoldHeadings: an OpenDocument text typed without headings has
// them found as a Word document's are (see TestDocxBoldHeadings): bold
// by a text style of its spans or by its paragraph's style.
func TestOdtBoldHeadings(t *testing.T) {
	auto := `<style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>` +
		`<style:style style:name="T2" style:family="text"><style:text-properties fo:font-weight="normal"/></style:style>` +
		`<style:style style:name="P9" style:family="paragraph"><style:text-properties fo:font-weight="700"/></style:style>`
	body := `<text:p><text:span text:style-name="T1">3. Payment.</text:span></text:p><text:p text:style-name="P9">3.1 Schedule</text:p><text:p>Invoices are paid monthly.</text:p>` +
		`<text:p text:style-name="P9">Note: <text:span text:style-name="T2">read this</text:span></text:p><text:p>More text.</text:p>`
	content := strings.Replace(odtContent(auto, body), `<office:document-content `, `<office:document-content xmlns:fo="`+odfFO+`" `, 1)
	text, err := odtHTML(docxFile(t, map[string]string{"content.xml": content}), DefaultMaxSourceBytes)
	if err != nil {
		t.Fatal(err)
	}
	got := sourcePassages("call.odt", text)
	if len(got) != 1 || got[0].citation != "call.odt: 3. Payment. › 3.1 Schedule" || got[0].text != "Invoices are paid monthly.\nNote: read this\nMore text." {
		t.Errorf("passages = %+v\nHTML: %s", got, text)
	}
}

// TestOdtMetaTitle: without a Title paragraph or a heading of the top
// level, meta.xml's title heads the document.
func TestOdtMetaTitle(t *testing.T) {
	data := docxFile(t, map[string]string{
		"content.xml": odtContent("", `<text:p>Fees</text:p><text:p>None.</text:p>`),
		"meta.xml":    `<office:document-meta xmlns:office="` + odfOffice + `" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><dc:title>HIEC  guide</dc:title></office:meta></office:document-meta>`,
	})
	text, err := odtHTML(data, DefaultMaxSourceBytes)
	if err != nil {
		t.Fatal(err)
	}
	got := sourcePassages("g.odt", text)
	if len(got) != 1 || got[0].citation != "g.odt: HIEC guide" || got[0].text != "Fees\nNone." {
		t.Errorf("passages = %+v", got)
	}
}

func TestOdtErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name    string
		data    []byte
		limit   int64
		wantErr string
	}{
		{"notzip.odt", []byte("plain text"), 1 << 20, "is not an OpenDocument text"},
		{"nocontent.odt", docxFile(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text"}), 1 << 20, "no content.xml"},
		{"damaged.odt", docxFile(t, map[string]string{"content.xml": "<office:document-content"}), 1 << 20, "damaged OpenDocument text"},
		{"locked.odt", docxFile(t, map[string]string{"content.xml": "\x8f\x01binary", "META-INF/manifest.xml": `<manifest:manifest><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry></manifest:manifest>`}), 1 << 20, "protected by a password"},
		{"badcontent.odt", docxFile(t, map[string]string{"content.xml": "<office:document-content>", "styles.xml": "<ok/>"}), 1 << 20, "damaged OpenDocument text: content.xml"},
		{"bomb.odt", docxFile(t, map[string]string{"content.xml": odtContent("", "<text:p>"+strings.Repeat("a", 200_000)+"</text:p>")}), 10_000, "unpack to more than 160000 bytes in all"},
	} {
		path := writeTemp(t, dir, tt.name, tt.data)
		_, err := New(Options{Sources: []string{path}, NoEmbedded: true, MaxSourceBytes: tt.limit})
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("%s: err = %v, want %q naming the file", tt.name, err, tt.wantErr)
		}
	}
}

func FuzzOdt(f *testing.F) {
	f.Add([]byte(odtContent("", `<text:h>A</text:h><text:p>b<text:s text:c="3"/>c</text:p>`)), []byte(testOdtStyles))
	f.Add([]byte(odtContent("", `<table:table><table:table-row><table:table-cell><table:table></table:table></table:table-cell></table:table-row></table:table>`)), []byte(""))
	f.Add([]byte(`</text:p><office:text><text:p><text:p>`), []byte(`<style:style style:name="a" style:parent-style-name="a"/>`))
	f.Fuzz(func(t *testing.T, content, styles []byte) {
		files := map[string]string{"content.xml": string(content)}
		if len(styles) > 0 {
			files["styles.xml"] = string(styles)
		}
		text, err := odtHTML(docxFile(t, files), 1<<20)
		if err != nil {
			return
		}
		for _, p := range sourcePassages("f.odt", text) {
			if p.citation == "" || strings.TrimSpace(p.text) == "" {
				t.Errorf("passage %+v incomplete", p)
			}
		}
	})
}
