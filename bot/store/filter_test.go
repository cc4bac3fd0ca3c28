package store

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseFilter(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	f, err := ParseFilter(" awaiting, NSG-answered", "2009-06-01", "2009-09-02 12:00", london)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Status) != 2 || f.Status[0] != StatusAwaiting || f.Status[1] != StatusNSGAnswered {
		t.Errorf("status = %v", f.Status)
	}
	if want := time.Date(2009, 5, 31, 23, 0, 0, 0, time.UTC); !f.Since.Equal(want) {
		t.Errorf("since = %v, want midnight in London (%v)", f.Since, want)
	}
	if want := time.Date(2009, 9, 2, 11, 0, 0, 0, time.UTC); !f.Until.Equal(want) {
		t.Errorf("until = %v, want %v", f.Until, want)
	}
	if f, err := ParseFilter("", "", "", london); err != nil || !f.all() {
		t.Errorf("empty filter = %+v, %v", f, err)
	}
	for _, tc := range []struct{ status, since, until, field string }{
		{"lost", "", "", "status"},
		{"", "yesterday", "", "since"},
		{"", "", "2009-02-30", "until"},
	} {
		_, err := ParseFilter(tc.status, tc.since, tc.until, london)
		var fe *FilterError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("ParseFilter(%q, %q, %q) = %v, want an error about %s", tc.status, tc.since, tc.until, err, tc.field)
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(path, 0o600, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want boom naming the file", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("a failed write changed the file to %q", b)
	}
	if err := WriteFile(path, 0o640, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("file = %q", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v", fi.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestWritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Writable(); err != nil {
		t.Errorf("a fresh log: %v", err)
	}
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Writable(); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("a read-only log: %v, want an error naming it", err)
	}
}
