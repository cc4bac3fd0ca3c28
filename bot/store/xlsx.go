package store

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The sheets of the XLSX export.
const (
	xlsxSheet          = "Questions"
	xlsxPublishedSheet = "Published clarifications"
	xlsxSummarySheet   = "Summary"
)

// xlsxDateFormat is the number format of date-time cells.
const xlsxDateFormat = "yyyy-mm-dd hh:mm"

// xlsxLineHeight is the height of one line of 11-point text, in points.
const xlsxLineHeight = 15

// xlsxMaxLines caps a row's height: longer text stays in the cell, and
// the row can be opened up by hand.
const xlsxMaxLines = 12

// xlsxStyles are the workbook's cell styles.
type xlsxStyles struct {
	header, text, wrap, date int
}

func newXLSXStyles(x *excelize.File) (xlsxStyles, error) {
	var st xlsxStyles
	var err error
	border := []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}}
	if st.header, err = x.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Family: "Calibri", Size: 11},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border:    border,
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	}); err != nil {
		return st, err
	}
	if st.text, err = x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}); err != nil {
		return st, err
	}
	if st.wrap, err = x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return st, err
	}
	dateFmt := xlsxDateFormat
	st.date, err = x.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "left"}})
	return st, err
}

// exportXLSX writes a workbook for people: a "Questions" sheet with the
// export's columns (human headings, wrapped text, sensible widths, real
// dates in the store's zone, a frozen header row and an autofilter,
// printing landscape at one page wide with the header row repeated and the
// machine ids left off the page), a "Published clarifications" sheet with
// exactly what bidders were sent, and a "Summary" sheet of counts by status
// and by week with a chart of questions per week. The Questions sheet is
// streamed; the others hold only counts and published questions.
func (s *Store) exportXLSX(w io.Writer, f Filter) (n int, err error) {
	x := excelize.NewFile()
	defer func() {
		if cerr := x.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if err := x.SetSheetName("Sheet1", xlsxSheet); err != nil {
		return 0, err
	}
	st, err := newXLSXStyles(x)
	if err != nil {
		return 0, err
	}
	// The stream writer writes the sheet properties when it starts and
	// the filter and page setup when it is flushed.
	fit := true
	if err := x.SetSheetProps(xlsxSheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return 0, err
	}
	sw, err := x.NewStreamWriter(xlsxSheet)
	if err != nil {
		return 0, err
	}
	// The stream writer lists columns in the reverse order they are set,
	// and spreadsheets want them in order.
	for i := len(columns) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, columns[i].width); err != nil {
			return 0, err
		}
	}
	err = sw.SetPanes(&excelize.Panes{
		Freeze:      true,
		YSplit:      1,
		TopLeftCell: "A2",
		ActivePane:  "bottomLeft",
		Selection:   []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	})
	if err != nil {
		return 0, err
	}
	hs := headings(s.loc)
	header := make([]any, len(hs))
	for i, h := range hs {
		header[i] = h
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{StyleID: st.header, Height: 2 * xlsxLineHeight}); err != nil {
		return 0, err
	}
	sum := newSummary(s.loc)
	var published []Question
	row := make([]any, len(columns))
	err = s.Each(f, func(q Question) error {
		lines := 1
		for i, c := range columns {
			row[i], lines = xlsxCell(c, c.value(&q), s.loc, st, lines)
		}
		cell, err := excelize.CoordinatesToCellName(1, n+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row, excelize.RowOpts{Height: float64(lines * xlsxLineHeight)}); err != nil {
			return fmt.Errorf("row for %s: %w", q.ID, err)
		}
		sum.add(&q)
		if q.Status == StatusPublished {
			published = append(published, q)
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	last, err := excelize.CoordinatesToCellName(len(columns), n+1)
	if err != nil {
		return n, err
	}
	if err := x.AutoFilter(xlsxSheet, "A1:"+last, nil); err != nil {
		return n, err
	}
	lastHuman, _ := excelize.ColumnNumberToName(printedColumns)
	if err := printSetup(x, xlsxSheet, fmt.Sprintf("$A:$%s", lastHuman)); err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	if err := writePublished(x, published, s.loc, st); err != nil {
		return n, err
	}
	if err := sum.write(x, st); err != nil {
		return n, err
	}
	if _, err := x.WriteTo(w); err != nil {
		return n, err
	}
	return n, nil
}

// xlsxCell turns a column value into a cell, and returns the number of
// lines the row needs for it (at least lines).
func xlsxCell(c column, v any, loc *time.Location, st xlsxStyles, lines int) (any, int) {
	switch v := v.(type) {
	case *time.Time:
		if t, ok := localTime(v, loc); ok {
			return excelize.Cell{StyleID: st.date, Value: t}, lines
		}
		return nil, lines
	case *bool:
		if v == nil {
			return nil, lines
		}
		return excelize.Cell{StyleID: st.text, Value: yesNo(v)}, lines
	case string:
		if v == "" {
			return nil, lines
		}
		v = lf(v)
		style := st.text
		if c.wrap {
			style = st.wrap
			lines = max(lines, min(wrappedLines(v, c.width), xlsxMaxLines))
		}
		return excelize.Cell{StyleID: style, Value: v}, lines
	}
	return nil, lines
}

// lf makes every line break LF, as spreadsheets show them.
func lf(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// wrappedLines estimates how many lines s takes wrapped in a column width
// characters wide.
func wrappedLines(s string, width float64) int {
	perLine := max(int(width*1.1)-1, 1) // an average character is narrower than the width unit
	n := 0
	for _, para := range strings.Split(s, "\n") {
		n += max(1, (utf8.RuneCountInString(para)+perLine-1)/perLine)
	}
	return n
}

// printSetup prints sheet landscape, one page wide, with its header row
// on every page; printCols, when set, limits the print area to them.
func printSetup(x *excelize.File, sheet, printCols string) error {
	landscape, one, zero, fit := "landscape", 1, 0, true
	a4 := 9
	if err := x.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return err
	}
	side, edge, header := 0.4, 0.5, 0.3 // inches: narrow, to print the text larger
	if err := x.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &edge, Bottom: &edge, Header: &header, Footer: &header}); err != nil {
		return err
	}
	if err := x.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	quoted := "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
	if err := x.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: quoted + "!$1:$1", Scope: sheet}); err != nil {
		return err
	}
	if printCols != "" {
		return x.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: quoted + "!" + printCols, Scope: sheet})
	}
	return nil
}

// publishedColumns are the "Published clarifications" sheet's columns:
// what bidders were sent, and nothing that names the asker.
var publishedColumns = []struct {
	heading string
	width   float64
}{
	{"Clarification", 14},
	{"Published (%s)", 17},
	{"Question", 70},
	{"Answer", 80},
}

func writePublished(x *excelize.File, qs []Question, loc *time.Location, st xlsxStyles) error {
	const sheet = xlsxPublishedSheet
	if _, err := x.NewSheet(sheet); err != nil {
		return err
	}
	for i, c := range publishedColumns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := x.SetColWidth(sheet, col, col, c.width); err != nil {
			return err
		}
		if err := x.SetCellValue(sheet, col+"1", heading(c.heading, loc)); err != nil {
			return err
		}
	}
	if err := x.SetCellStyle(sheet, "A1", "D1", st.header); err != nil {
		return err
	}
	if err := x.SetRowHeight(sheet, 1, 2*xlsxLineHeight); err != nil {
		return err
	}
	for i, q := range qs {
		r := i + 2
		cl := q.Clarified()
		if cl.ID == "" {
			cl.ID = q.ID // published before clarifications had numbers of their own
		}
		at, _ := localTime(&cl.PublishedAt, loc)
		cells := []struct {
			col   string
			v     any
			style int
		}{{"A", cl.ID, st.text}, {"B", at, st.date}, {"C", lf(cl.Question), st.wrap}, {"D", lf(cl.Answer), st.wrap}}
		for _, c := range cells {
			ref := fmt.Sprintf("%s%d", c.col, r)
			if err := x.SetCellValue(sheet, ref, c.v); err != nil {
				return err
			}
			if err := x.SetCellStyle(sheet, ref, ref, c.style); err != nil {
				return err
			}
		}
		lines := min(max(wrappedLines(cl.Question, 70), wrappedLines(cl.Answer, 80)), xlsxMaxLines)
		if err := x.SetRowHeight(sheet, r, float64(lines*xlsxLineHeight)); err != nil {
			return err
		}
	}
	if err := x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := x.AutoFilter(sheet, fmt.Sprintf("A1:D%d", len(qs)+1), nil); err != nil {
		return err
	}
	return printSetup(x, sheet, "")
}

// summary counts questions by status and by week (weeks start on Monday
// in the export's zone).
type summary struct {
	loc      *time.Location
	byStatus map[Status]int
	byWeek   map[time.Time]int
	total    int
}

func newSummary(loc *time.Location) *summary {
	return &summary{loc: loc, byStatus: map[Status]int{}, byWeek: map[time.Time]int{}}
}

func (s *summary) add(q *Question) {
	s.total++
	s.byStatus[q.Status]++
	if t, ok := localTime(&q.AskedAt, s.loc); ok {
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		s.byWeek[day.AddDate(0, 0, -((int(day.Weekday())+6)%7))]++
	}
}

func (s *summary) write(x *excelize.File, st xlsxStyles) error {
	const sheet = xlsxSummarySheet
	if _, err := x.NewSheet(sheet); err != nil {
		return err
	}
	set := func(ref string, v any, style int) error {
		if err := x.SetCellValue(sheet, ref, v); err != nil {
			return err
		}
		return x.SetCellStyle(sheet, ref, ref, style)
	}
	for col, w := range map[string]float64{"A": 18, "B": 11, "C": 4, "D": 22, "E": 11} {
		if err := x.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	if err := set("A1", "Status", st.header); err != nil {
		return err
	}
	if err := set("B1", "Questions", st.header); err != nil {
		return err
	}
	r := 2
	for _, status := range Statuses {
		if err := set(fmt.Sprintf("A%d", r), status.Label(), st.text); err != nil {
			return err
		}
		if err := set(fmt.Sprintf("B%d", r), s.byStatus[status], st.text); err != nil {
			return err
		}
		r++
	}
	if err := set(fmt.Sprintf("A%d", r), "Total", st.header); err != nil {
		return err
	}
	if err := set(fmt.Sprintf("B%d", r), s.total, st.header); err != nil {
		return err
	}

	if err := x.SetRowHeight(sheet, 1, 2*xlsxLineHeight); err != nil {
		return err
	}
	if err := set("D1", heading("Week beginning (%s)", s.loc), st.header); err != nil {
		return err
	}
	if err := set("E1", "Questions", st.header); err != nil {
		return err
	}
	weeks := make([]time.Time, 0, len(s.byWeek))
	for w := range s.byWeek {
		weeks = append(weeks, w)
	}
	sort.Slice(weeks, func(i, j int) bool { return weeks[i].Before(weeks[j]) })
	// Every week from the first to the last, quiet ones as 0, so the
	// chart's time axis is even.
	if len(weeks) > 0 {
		var all []time.Time
		for w := weeks[0]; !w.After(weeks[len(weeks)-1]); w = w.AddDate(0, 0, 7) {
			all = append(all, w)
		}
		weeks = all
	}
	for i, w := range weeks {
		// Text, not a date, so the chart has one bar a week rather than a
		// day axis.
		if err := set(fmt.Sprintf("D%d", i+2), w.Format("2 Jan 2006"), st.text); err != nil {
			return err
		}
		if err := set(fmt.Sprintf("E%d", i+2), s.byWeek[w], st.text); err != nil {
			return err
		}
	}
	if len(weeks) > 0 {
		last := len(weeks) + 1
		noVary := false
		most := 0
		for _, w := range weeks {
			most = max(most, s.byWeek[w])
		}
		axisFont := excelize.Font{Color: "404040", Size: 9} // the default grey is too faint to read printed
		yAxis := excelize.ChartAxis{MajorGridLines: true, Font: axisFont}
		if most <= 10 {
			yAxis.MajorUnit = 1 // whole questions, not 0.5
		}
		err := x.AddChart(sheet, "G2", &excelize.Chart{
			Type: excelize.Col,
			Series: []excelize.ChartSeries{{
				Name:       "'Summary'!$E$1",
				Categories: fmt.Sprintf("'Summary'!$D$2:$D$%d", last),
				Values:     fmt.Sprintf("'Summary'!$E$2:$E$%d", last),
			}},
			Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Questions per week"}}},
			Legend:     excelize.ChartLegend{Position: "none"},
			VaryColors: &noVary,
			PlotArea:   excelize.ChartPlotArea{ShowVal: true},
			XAxis:      excelize.ChartAxis{Font: axisFont},
			YAxis:      yAxis,
			Dimension:  excelize.ChartDimension{Width: 560, Height: 300},
		})
		if err != nil {
			return err
		}
	}
	return printSetup(x, sheet, "")
}
