package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole log to w, as of one
// moment, while other goroutines go on reading and writing (bbolt
// Tx.WriteTo in a read transaction). The copy is a log file Open accepts.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("back up %s: %w", s.path, err)
	}
	return n, nil
}

// Check runs bbolt's consistency check over the whole file (every page
// reachable once, freed or used, every key in order) and returns nil
// when it is sound, or an error wrapping ErrDamaged that lists up to ten
// of the problems found.
func (s *Store) Check() error {
	var problems []string
	total := 0
	check := func(tx *bolt.Tx) error {
		// tx.Check walks the pages in a goroutine of its own, where a
		// page pointing outside the file would fault past the guard and
		// crash the process: walk the tree from the file first (the log
		// is held still here), every key and value checked to lie in its
		// page, every page in the file.
		if err := walkFile(s.path); err != nil {
			return err
		}
		for err := range tx.Check() {
			total++
			if len(problems) < 10 {
				problems = append(problems, err.Error())
			}
		}
		return errUnchanged
	}
	// The freelist the check reads is the latest, not a read
	// transaction's snapshot, so on a log open for writing the check
	// holds the write lock (writers wait for it) and writes nothing.
	var err error
	if s.db.IsReadOnly() {
		err = s.db.View(check)
	} else {
		err = s.db.Update(check)
	}
	if err != nil && err != errUnchanged {
		return fmt.Errorf("check %s: %w", s.path, err)
	}
	if total > 0 {
		more := ""
		if total > len(problems) {
			more = fmt.Sprintf("\n  … and %d more", total-len(problems))
		}
		return fmt.Errorf("%s: %w: the consistency check found %d %s:\n  %s%s\n%s", s.path, ErrDamaged, total,
			plural(total, "problem", "problems"), strings.Join(problems, "\n  "), more, damagedAdvice)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteBackup writes a backup to the file dst: write sends the copy (from
// Store.Backup, here or in a running bot). The copy goes to a temporary
// file beside dst, is fsynced, opened and checked, and only then renamed
// into place, so dst is either the previous file or a whole, checked
// backup. It returns the backup's size.
func WriteBackup(dst string, write func(io.Writer) (int64, error)) (int64, error) {
	if dst == "" {
		return 0, errors.New("back up: no file given")
	}
	dir := filepath.Dir(dst)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".partial-*")
	if err != nil {
		return 0, fmt.Errorf("back up to %s: %w", dst, err)
	}
	name := tmp.Name()
	defer os.Remove(name)
	n, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("back up to %s: %w", dst, err)
	}
	bk, err := Open(name, Options{ReadOnly: true})
	if err != nil {
		return 0, fmt.Errorf("back up to %s: the copy does not open: %w", dst, err)
	}
	err = bk.Check()
	bk.Close()
	if err != nil {
		return 0, fmt.Errorf("back up to %s: the copy fails its check: %w", dst, err)
	}
	if err := os.Rename(name, dst); err != nil {
		return 0, fmt.Errorf("back up to %s: %w", dst, err)
	}
	if err := syncDir(dir); err != nil {
		return 0, fmt.Errorf("back up to %s: %w", dst, err)
	}
	return n, nil
}
