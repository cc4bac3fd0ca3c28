package bot

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hiec/hiecbot/bot/store"
)

// TestBackupAndStoreCheck backs up a log with no bot running, checks the
// copy, and restores it in place of a damaged file, as the README says.
func TestBackupAndStoreCheck(t *testing.T) {
	dir := project(t, "")
	if r := hiecbot(t, dir, "How do we register interest?\n", "chat"); r.err != nil {
		t.Fatal(r.err)
	}
	if r := hiecbot(t, dir, "", "store", "check"); r.err != nil || !strings.Contains(r.stdout, "sound") {
		t.Fatalf("store check: %v\n%s", r.err, r.stdout)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if r := hiecbot(t, dir, "", "backup", backup); r.err != nil || !strings.Contains(r.stdout, "Backed up") {
		t.Fatalf("backup: %v\n%s", r.err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "backup"); !isUsage(r.err) {
		t.Errorf("backup without a file: %v", r.err)
	}

	// The log is truncated: every command says so clearly, none crashes.
	db := filepath.Join(dir, "q.db")
	if err := os.Truncate(db, 8<<10); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"questions", "list"}, {"questions", "show", "Q-0001"}, {"store", "check"}, {"chat"}, {"backup", filepath.Join(t.TempDir(), "b.db")}} {
		r := hiecbot(t, dir, "", args...)
		if !errors.Is(r.err, store.ErrDamaged) || !strings.Contains(r.err.Error(), db) || !strings.Contains(r.err.Error(), "backup") {
			t.Errorf("%v on a truncated log: %v", args, r.err)
		}
	}

	// Restore: copy the backup over the damaged file.
	data, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := hiecbot(t, dir, "", "questions", "show", "Q-0001"); r.err != nil || !strings.Contains(r.stdout, "register interest") {
		t.Errorf("after restoring: %v\n%s", r.err, r.stdout)
	}
}

// TestEmptyStoreFileIsRefused: an empty file where the log should be is
// never silently made a new log.
func TestEmptyStoreFileIsRefused(t *testing.T) {
	dir := project(t, "")
	if err := os.WriteFile(filepath.Join(dir, "q.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r := hiecbot(t, dir, "Can a charity lead a bid?\n", "chat")
	if !errors.Is(r.err, store.ErrDamaged) || !strings.Contains(r.err.Error(), "empty") {
		t.Errorf("chat on an empty file: %v", r.err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "q.db")); fi.Size() != 0 {
		t.Error("the empty file was re-created as a log")
	}
}
