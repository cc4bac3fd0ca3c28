package store

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
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

// Export writes the questions f selects to w in the given format, in id
// order, and returns how many it wrote. It reads from one consistent
// snapshot and streams: CSV and JSON use memory independent of the number of
// questions. XLSX is assembled by excelize, which spools rows to a temporary
// file and holds the compressed workbook in memory while writing it to w.
//
// CSV and XLSX have the same columns, with human headings in the order
// staff read (Id, Asked, Question, Status, the bot's answer, the NSG
// answer, …, then the machine ids), times in the store's Location (named
// in the headings) and Yes/No for booleans.
//
// CSV follows RFC 4180 with CRLF ending each row, starts with a UTF-8 byte
// order mark so Excel reads £ and accents, and writes times as
// "2009-06-03 14:05", which spreadsheets read as dates. Line breaks within
// a cell are LF. A cell beginning with =, +, -, @, tab or carriage return
// is prefixed with ' so spreadsheets do not run it as a formula.
//
// XLSX is described at exportXLSX.
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
	writeCSVRow(bw, headings(s.loc))
	n := 0
	rec := make([]string, len(columns))
	err := s.Each(f, func(q Question) error {
		writeCSVRow(bw, csvRecord(&q, s.loc, rec))
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// writeCSVRow writes one RFC 4180 row ending in CRLF. Unlike encoding/csv
// with UseCRLF, it leaves the LF line breaks inside cells as they are. A
// write error sticks in bw and is returned by its Flush.
func writeCSVRow(bw *bufio.Writer, rec []string) {
	for i, cell := range rec {
		if i > 0 {
			bw.WriteByte(',')
		}
		if cell == "" || !strings.ContainsAny(cell, "\",\r\n") && cell[0] != ' ' && cell[len(cell)-1] != ' ' {
			bw.WriteString(cell)
			continue
		}
		bw.WriteByte('"')
		for {
			j := strings.IndexByte(cell, '"')
			if j < 0 {
				break
			}
			bw.WriteString(cell[:j+1])
			bw.WriteByte('"')
			cell = cell[j+1:]
		}
		bw.WriteString(cell)
		bw.WriteByte('"')
	}
	bw.WriteString("\r\n")
}

// csvRecord fills rec with q's cells, in columns order, neutralised.
func csvRecord(q *Question, loc *time.Location, rec []string) []string {
	for i, c := range columns {
		rec[i] = neutralise(text(c.value(q), loc))
	}
	return rec
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
