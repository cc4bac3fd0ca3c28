package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// logFile makes a closed log of n questions and returns its path and page
// size.
func logFile(t *testing.T, n int) (string, int) {
	t.Helper()
	path := testPath(t)
	s := openTest(t, path, nil)
	// One transaction: logging one by one would fsync n times.
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketQuestions)
		for i := range n {
			seq, _ := b.NextSequence()
			q := sampleQuestion(i)
			q.ID, q.AskedAt, q.Status = formatID(seq), s.clock(), StatusAwaiting
			if err := b.Put(seqKey(seq), encodeRecord(q)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ps := s.db.Info().PageSize
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, ps
}

// currentMeta is the meta page bbolt will use.
func currentMeta(t *testing.T, path string) metaPage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m0, _ := readMeta(f, 0)
	m1, ok1 := readMeta(f, int64(m0.pageSize))
	if ok1 && m1.txid > m0.txid {
		return m1
	}
	return m0
}

func overwrite(t *testing.T, path string, off int64, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(data, off); err != nil {
		t.Fatal(err)
	}
}

// wantDamaged checks err is a clear ErrDamaged error naming the file and
// saying what to do.
func wantDamaged(t *testing.T, err error, path string, detail string) {
	t.Helper()
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("error = %v, want ErrDamaged", err)
	}
	msg := err.Error()
	for _, want := range []string{path, "backup", detail} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "goroutine") {
		t.Errorf("error carries a stack trace: %q", msg)
	}
}

// TestOpenDamagedFile opens files damaged in the ways a disk, a careless
// copy or a crash can leave them, read-write and read-only, and expects a
// clear error naming the file: never a SIGBUS, a panic or a new log.
func TestOpenDamagedFile(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, path string, pageSize int)
		detail string
	}{
		{"empty file", func(t *testing.T, path string, _ int) {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		}, "empty"},
		{"truncated to 8 KiB", func(t *testing.T, path string, _ int) {
			if err := os.Truncate(path, 8<<10); err != nil {
				t.Fatal(err)
			}
		}, "truncated"},
		{"truncated by one page", func(t *testing.T, path string, ps int) {
			hw := currentMeta(t, path).hw
			if err := os.Truncate(path, int64(hw-1)*int64(ps)); err != nil {
				t.Fatal(err)
			}
		}, "truncated"},
		{"shorter than two pages", func(t *testing.T, path string, _ int) {
			if err := os.Truncate(path, 100); err != nil {
				t.Fatal(err)
			}
		}, "too short"},
		{"both meta pages zeroed", func(t *testing.T, path string, ps int) {
			overwrite(t, path, 0, make([]byte, 2*ps))
		}, "meta"},
		{"not a log at all", func(t *testing.T, path string, _ int) {
			if err := os.WriteFile(path, bytes.Repeat([]byte("questions,answers\n"), 2000), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "meta"},
		{"corrupt freelist page header", func(t *testing.T, path string, ps int) {
			fl := freelistPage(t, path)
			overwrite(t, path, int64(fl)*int64(ps)+8, []byte{0x02, 0x00}) // flags: leaf
		}, "freelist"},
		{"corrupt root page header", func(t *testing.T, path string, ps int) {
			root := rootPage(t, path)
			overwrite(t, path, int64(root)*int64(ps), []byte{0xff, 0xff, 0, 0, 0, 0, 0, 0}) // wrong id
		}, "root"},
	}
	for _, c := range cases {
		for _, ro := range []bool{false, true} {
			name := c.name
			if ro {
				name += " read-only"
			}
			t.Run(name, func(t *testing.T) {
				path, ps := logFile(t, 300)
				c.damage(t, path, ps)
				before, _ := os.ReadFile(path)
				s, err := Open(path, Options{ReadOnly: ro})
				if err == nil {
					s.Close()
					t.Fatal("Open succeeded on a damaged file")
				}
				wantDamaged(t, err, path, c.detail)
				after, _ := os.ReadFile(path)
				if !bytes.Equal(before, after) {
					t.Error("Open changed the damaged file")
				}
			})
		}
	}
}

func freelistPage(t *testing.T, path string) uint64 { return currentMeta(t, path).freelist }

func rootPage(t *testing.T, path string) uint64 { return currentMeta(t, path).root }

// TestDamagedPagesAreErrors corrupts the pages holding questions, which
// only a read reaches, and expects reads to fail with ErrDamaged (bbolt
// panics on such pages) and the consistency check to report the damage.
func TestDamagedPagesAreErrors(t *testing.T) {
	path, ps := logFile(t, 400)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pages []int
	for id := 2; id < int(currentMeta(t, path).hw); id++ {
		if fl := data[id*ps+8]; fl == pageFlagLeaf || fl == pageFlagBranch {
			pages = append(pages, id)
		}
	}
	if len(pages) < 3 {
		t.Fatalf("want a log of several pages, got %v", pages)
	}
	root := rootPage(t, path)
	for _, id := range pages {
		if uint64(id) == root {
			continue
		}
		// Garbage flags: bbolt panics on a page of no known type.
		overwrite(t, path, int64(id)*int64(ps)+8, []byte{0x40, 0x00})
	}
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open: %v (only pages below the root are damaged)", err)
	}
	defer s.Close()
	_, err = s.List(Filter{})
	wantDamaged(t, err, path, "")
	t.Logf("List: %v", err)
	_, err = s.Count(Filter{})
	wantDamaged(t, err, path, "")
	err = s.Check()
	wantDamaged(t, err, path, "consistency check")
}

// TestTruncatedUnderneathIsAnError truncates the file while it is open,
// as a full disk's repair or an operator's mistake might: reading the
// lost pages faults (SIGBUS), and the store turns that into an error.
func TestTruncatedUnderneathIsAnError(t *testing.T) {
	path, _ := logFile(t, 400)
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := os.Truncate(path, 8<<10); err != nil {
		t.Fatal(err)
	}
	_, err = s.List(Filter{})
	wantDamaged(t, err, path, "")
	t.Logf("List: %v", err)
}

// TestEmptyFileIsNotRecreated: an existing empty file is refused, never
// turned into a new log whose ids restart at Q-0001.
func TestEmptyFileIsNotRecreated(t *testing.T) {
	path := testPath(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, Options{})
	wantDamaged(t, err, path, "empty")
	if !strings.Contains(err.Error(), "delete the file") {
		t.Errorf("error %q does not say how to start afresh on purpose", err)
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Errorf("the empty file was written to: %d bytes", fi.Size())
	}
}

// TestNewLogLeavesNoTemporaryFiles: a new log is created whole under
// another name and linked into place.
func TestNewLogLeavesNoTemporaryFiles(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path, nil)
	mustLog(t, s, sampleQuestion(1))
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != filepath.Base(path) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want only %s", names, filepath.Base(path))
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestBackupWhileWriting takes a hot backup while questions are being
// logged and checks the copy opens, passes the check and holds a prefix
// of the log.
func TestBackupWhileWriting(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path, nil)
	for i := range 100 {
		mustLog(t, s, sampleQuestion(i))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 100; i < 300; i++ {
			mustLog(t, s, sampleQuestion(i))
		}
	}()
	dst := filepath.Join(t.TempDir(), "backup.db")
	n, err := WriteBackup(dst, s.Backup)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dst); fi.Size() != n {
		t.Errorf("backup is %d bytes, WriteBackup said %d", fi.Size(), n)
	}
	b, err := Open(dst, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	qs, err := b.List(Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 100 || len(qs) > 300 {
		t.Fatalf("backup holds %d questions, want 100..300", len(qs))
	}
	for i, q := range qs {
		if q.ID != formatID(uint64(i+1)) {
			t.Fatalf("backup question %d is %s: not a prefix of the log", i, q.ID)
		}
	}
}

// TestWriteBackupKeepsOldFileOnFailure: a backup that fails leaves the
// previous backup and no partial file.
func TestWriteBackupKeepsOldFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(dst, []byte("previous"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := WriteBackup(dst, func(w io.Writer) (int64, error) {
		n, _ := w.Write([]byte("half a file"))
		return int64(n), errors.New("connection lost")
	})
	if err == nil || !strings.Contains(err.Error(), "connection lost") {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "previous" {
		t.Errorf("previous backup overwritten: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("partial files left: %v", entries)
	}
	// A copy that is not a log is refused too.
	_, err = WriteBackup(dst, func(w io.Writer) (int64, error) {
		n, err := w.Write(bytes.Repeat([]byte{1}, 16<<10))
		return int64(n), err
	})
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("err = %v, want ErrDamaged", err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "previous" {
		t.Errorf("previous backup overwritten: %q", b)
	}
}

func TestCheckSoundLog(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path, nil)
	for i := range 50 {
		mustLog(t, s, sampleQuestion(i))
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckWhileWriting: the check of a log being written reports no
// false damage (it must not read a freelist newer than its snapshot).
func TestCheckWhileWriting(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 60 {
			mustLog(t, s, sampleQuestion(i))
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		if err := s.Check(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckFaultingPage: a page that points far past the end of the
// file (a torn write, a careless edit) is found as damage, by the open or
// by the consistency check, never a fault or an allocation that kills the
// process (bbolt's check walks the pages in a goroutine of its own,
// beyond the store's guard, and allocates the freelist's count first).
func TestCheckFaultingPage(t *testing.T) {
	far := make([]byte, 4)
	binary.NativeEndian.PutUint32(far, 0x3ff00000)
	// firstPage is the first page of the flags given, by its header.
	firstPage := func(t *testing.T, data []byte, ps int, flag byte) int {
		for id := 2; id < len(data)/ps; id++ {
			if data[id*ps+8] == flag && binary.NativeEndian.Uint64(data[id*ps:]) == uint64(id) {
				return id
			}
		}
		t.Fatalf("no page of flags %#x", flag)
		return 0
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, path string, data []byte, ps int)
	}{
		{"a leaf's key past the end", func(t *testing.T, path string, data []byte, ps int) {
			overwrite(t, path, int64(firstPage(t, data, ps, pageFlagLeaf)*ps+16+4), far) // leaf element 0: flags, pos
		}},
		{"a branch's key past the end", func(t *testing.T, path string, data []byte, ps int) {
			overwrite(t, path, int64(firstPage(t, data, ps, pageFlagBranch)*ps+16), far) // branch element 0: pos
		}},
		{"a freelist claiming more pages than the file", func(t *testing.T, path string, data []byte, ps int) {
			fl := int64(currentMeta(t, path).freelist) * int64(ps)
			overwrite(t, path, fl+10, []byte{0xFF, 0xFF})
			huge := make([]byte, 8)
			binary.NativeEndian.PutUint64(huge, 1<<34)
			overwrite(t, path, fl+16, huge)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, ps := logFile(t, 2000)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tt.tamper(t, path, data, ps)
			s, err := Open(path, Options{ReadOnly: true})
			if err != nil {
				wantDamaged(t, err, path, "")
				return
			}
			defer s.Close()
			wantDamaged(t, s.Check(), path, "")
		})
	}
}
