package store

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Format is an export file format.
type Format string

// The export formats.
const (
	FormatCSV  Format = "csv"
	FormatJSON Format = "json"
	FormatXLSX Format = "xlsx"
)

// Formats lists every export format.
var Formats = []Format{FormatCSV, FormatJSON, FormatXLSX}

// ParseFormat returns the format named by s, ignoring surrounding space,
// letter case and a leading dot (".CSV"). An unknown name is an error that
// names it and lists the valid ones.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "."))
	switch f {
	case FormatCSV, FormatJSON, FormatXLSX:
		return f, nil
	}
	return "", fmt.Errorf("unknown export format %q: valid formats are csv, json, xlsx", s)
}

// Ext returns the file name extension for f, with its dot.
func (f Format) Ext() string { return "." + string(f) }

// ContentType returns the MIME type of f.
func (f Format) ContentType() string {
	switch f {
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatJSON:
		return "application/json"
	case FormatXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// exportColumns are the export's columns: Question's JSON field names, in
// field order.
var exportColumns = []string{
	"id", "asked_at", "user_id", "user_name", "team_id", "channel_id", "via",
	"thread_ts", "question", "refs", "confident", "status", "nsg_answer",
	"answered_by", "answered_at", "published_at", "feedback",
}

// xlsxWidths are the XLSX column widths, in characters, by column.
var xlsxWidths = []float64{
	9, 19, 12, 18, 12, 12, 9,
	18, 60, 50, 10, 13, 60,
	18, 19, 19, 12,
}

// Export writes the questions f selects to w in the given format, in id
// order, and returns how many it wrote. It reads from one consistent
// snapshot and streams: CSV and JSON use memory independent of the number of
// questions. XLSX is assembled by excelize, which spools rows to a temporary
// file and holds the compressed workbook in memory while writing it to w.
//
// CSV follows RFC 4180 (CRLF line ends) with a header row of Question's JSON
// field names, starts with a UTF-8 byte order mark so Excel reads £ and
// accents, writes times as RFC 3339 UTC and refs as one cell
// ("Guide, slide 17: Application process (1.23); …"). A cell beginning with
// =, +, -, @, tab or carriage return is prefixed with ' so spreadsheets do
// not run it as a formula, and line ends within cells become LF.
//
// JSON is one array of Question objects.
func (s *Store) Export(w io.Writer, format Format, f Filter) (int, error) {
	var (
		n   int
		err error
	)
	switch format {
	case FormatCSV:
		n, err = s.exportCSV(w, f)
	case FormatJSON:
		n, err = s.exportJSON(w, f)
	case FormatXLSX:
		n, err = s.exportXLSX(w, f)
	default:
		_, err = ParseFormat(string(format))
		return 0, fmt.Errorf("export: %w", err)
	}
	if err != nil {
		return n, fmt.Errorf("export %s from %s: %w", format, s.path, err)
	}
	return n, nil
}

// utf8BOM makes Excel read a CSV file as UTF-8.
const utf8BOM = "\ufeff"

func (s *Store) exportCSV(w io.Writer, f Filter) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(utf8BOM); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(exportColumns); err != nil {
		return 0, err
	}
	n := 0
	rec := make([]string, len(exportColumns))
	err := s.Each(f, func(q Question) error {
		if err := cw.Write(csvRecord(&q, rec)); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// csvRecord fills rec with q's cells, in exportColumns order.
func csvRecord(q *Question, rec []string) []string {
	rec[0] = neutralise(q.ID)
	rec[1] = csvTime(&q.AskedAt)
	rec[2] = neutralise(q.UserID)
	rec[3] = neutralise(q.UserName)
	rec[4] = neutralise(q.TeamID)
	rec[5] = neutralise(q.ChannelID)
	rec[6] = neutralise(q.Via)
	rec[7] = neutralise(q.ThreadTS)
	rec[8] = neutralise(q.Question)
	rec[9] = neutralise(refsCell(q.Refs))
	rec[10] = strconv.FormatBool(q.Confident)
	rec[11] = neutralise(string(q.Status))
	rec[12] = neutralise(q.NSGAnswer)
	rec[13] = neutralise(q.AnsweredBy)
	rec[14] = csvTime(q.AnsweredAt)
	rec[15] = csvTime(q.PublishedAt)
	rec[16] = neutralise(q.Feedback)
	return rec
}

func csvTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// refsCell flattens refs into one cell, separated by "; ".
func refsCell(refs []Ref) string {
	switch len(refs) {
	case 0:
		return ""
	case 1:
		return refs[0].String()
	}
	var b strings.Builder
	for i, r := range refs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.String())
	}
	return b.String()
}

// formulaTriggers are the first characters that make a spreadsheet read a
// cell as a formula (OWASP "CSV injection").
const formulaTriggers = "=+-@\t\r"

// neutralise makes s safe as a CSV cell: CR LF and lone CR become LF (so
// the cell reads back exactly), and a cell starting with a formula trigger
// is prefixed with a single quote, which spreadsheets show as text.
func neutralise(s string) string {
	if s == "" {
		return s
	}
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if strings.IndexByte(formulaTriggers, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func (s *Store) exportJSON(w io.Writer, f Filter) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("["); err != nil {
		return 0, err
	}
	n := 0
	err := s.Each(f, func(q Question) error {
		data, err := json.Marshal(&q)
		if err != nil {
			return fmt.Errorf("encode %s: %w", q.ID, err)
		}
		sep := ",\n"
		if n == 0 {
			sep = "\n"
		}
		if _, err := bw.WriteString(sep); err != nil {
			return err
		}
		if _, err := bw.Write(data); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	end := "\n]\n"
	if n == 0 {
		end = "]\n"
	}
	if _, err := bw.WriteString(end); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// xlsxSheet is the name of the exported worksheet.
const xlsxSheet = "Questions"

// xlsxDateFormat is the number format of date-time cells.
const xlsxDateFormat = "yyyy-mm-dd hh:mm:ss"

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
	headerStyle, err := x.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "top"},
	})
	if err != nil {
		return 0, err
	}
	dateFmt := xlsxDateFormat
	dateStyle, err := x.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return 0, err
	}
	sw, err := x.NewStreamWriter(xlsxSheet)
	if err != nil {
		return 0, err
	}
	for i, width := range xlsxWidths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
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
	header := make([]any, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = c
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{StyleID: headerStyle}); err != nil {
		return 0, err
	}
	row := make([]any, len(exportColumns))
	date := func(t *time.Time) any {
		if t == nil || t.IsZero() {
			return nil
		}
		return excelize.Cell{StyleID: dateStyle, Value: t.UTC()}
	}
	err = s.Each(f, func(q Question) error {
		row[0] = q.ID
		row[1] = date(&q.AskedAt)
		row[2] = q.UserID
		row[3] = q.UserName
		row[4] = q.TeamID
		row[5] = q.ChannelID
		row[6] = q.Via
		row[7] = q.ThreadTS
		row[8] = q.Question
		row[9] = refsCell(q.Refs)
		row[10] = q.Confident
		row[11] = string(q.Status)
		row[12] = q.NSGAnswer
		row[13] = q.AnsweredBy
		row[14] = date(q.AnsweredAt)
		row[15] = date(q.PublishedAt)
		row[16] = q.Feedback
		cell, err := excelize.CoordinatesToCellName(1, n+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("row for %s: %w", q.ID, err)
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	if _, err := x.WriteTo(w); err != nil {
		return n, err
	}
	return n, nil
}
