package store

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// FuzzCSVNeutralise checks that any string, as an exported CSV cell, never
// starts with a formula trigger and reads back exactly as neutralised: the
// original with line ends as LF, behind a quote if it began with a trigger.
func FuzzCSVNeutralise(f *testing.F) {
	for _, s := range []string{
		"", "plain", "=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx", "\r\n=x", "'already quoted",
		"a\r\nb\rc\nd", `"quoted", with comma`, "£250k café", " =lead space", "\x00nul", "\xff\xfe bad utf-8",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cell := neutralise(s)
		if cell != "" && strings.IndexByte(formulaTriggers, cell[0]) >= 0 {
			t.Fatalf("neutralise(%q) = %q starts with a formula trigger", s, cell)
		}
		want := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		if want != "" && strings.ContainsRune(formulaTriggers, rune(want[0])) {
			want = "'" + want
		}
		if cell != want {
			t.Fatalf("neutralise(%q) = %q; want %q", s, cell, want)
		}

		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.UseCRLF = true
		if err := w.Write([]string{cell, "next"}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		rec, err := csv.NewReader(&buf).Read()
		if err != nil {
			t.Fatalf("cell %q does not read back: %v (CSV %q)", cell, err, buf.Bytes())
		}
		if len(rec) != 2 || rec[0] != cell || rec[1] != "next" {
			t.Fatalf("cell %q reads back as %q", cell, rec)
		}
	})
}

// FuzzGet checks id parsing: any input either names a question, is
// ErrNotFound naming the input or its canonical id, and never panics.
func FuzzGet(f *testing.F) {
	for _, s := range []string{
		"Q-0042", "q-0042", "Q42", "q 2", "#3", "42", "0001", " Q-0001 ", "", "Q-", "0", "-1", "Q--1",
		"Q-99999999999999999999", "18446744073709551615", "18446744073709551616", "Q-1x", "٤٢", "Q-+1",
	} {
		f.Add(s)
	}
	s := openTest(f, testPath(f), nil)
	for i := range 3 {
		mustLog(f, s, sampleQuestion(i))
	}
	f.Fuzz(func(t *testing.T, id string) {
		n, ok := parseID(id)
		if ok {
			if n == 0 {
				t.Fatalf("parseID(%q) = 0", id)
			}
			if back, ok := parseID(formatID(n)); !ok || back != n {
				t.Fatalf("parseID(formatID(%d)) = %d, %v", n, back, ok)
			}
		}
		q, err := s.Get(id)
		switch {
		case ok && n <= 3:
			if err != nil || q.ID != formatID(n) {
				t.Fatalf("Get(%q) = %s, %v; want %s", id, q.ID, err, formatID(n))
			}
		case ok:
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), formatID(n)) {
				t.Fatalf("Get(%q) = %v; want ErrNotFound naming %s", id, err, formatID(n))
			}
		default:
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), fmt.Sprintf("%q", id)) {
				t.Fatalf("Get(%q) = %v; want ErrNotFound naming the input", id, err)
			}
		}
	})
}
