package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// TestOutboxCommand: hiecbot outbox lists what the bot owes and what
// failed; questions show lists a question's messages.
func TestOutboxCommand(t *testing.T) {
	dir := project(t, "")
	if r := hiecbot(t, dir, "Can a hospice lead a bid?\n", "chat"); r.err != nil {
		t.Fatal(r.err)
	}
	st, err := store.Open(filepath.Join(dir, "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := st.Enqueue(context.Background(),
		store.Message{Kind: "delivery", User: "U0BID", QuestionID: "Q-0001", Text: "answer"},
		store.Message{Kind: "clarification", Channel: "C0GONE", QuestionID: "Q-0001", Text: "\x1b[2Jclarified"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MarkFailed(msgs[1].ID, errors.New("chat.postMessage: channel_not_found"), nil); err != nil {
		t.Fatal(err)
	}
	st.Close()

	r := hiecbot(t, dir, "", "outbox")
	if r.err != nil || !strings.Contains(r.stdout, msgs[0].ID) || !strings.Contains(r.stdout, msgs[1].ID) {
		t.Fatalf("outbox: %v\n%s", r.err, r.stdout)
	}
	r = hiecbot(t, dir, "", "outbox", "--failed")
	if r.err != nil || strings.Contains(r.stdout, msgs[0].ID) || !strings.Contains(r.stdout, "channel_not_found") {
		t.Fatalf("outbox --failed: %v\n%s", r.err, r.stdout)
	}
	r = hiecbot(t, dir, "", "outbox", "--failed", "--json")
	var got []store.Message
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 1 || got[0].Status != store.OutboxFailed {
		t.Fatalf("outbox --json: %v %v\n%s", err, got, r.stdout)
	}
	r = hiecbot(t, dir, "", "questions", "show", "Q-0001")
	if r.err != nil || !strings.Contains(r.stdout, "Messages:") || !strings.Contains(r.stdout, msgs[1].ID+" clarification to C0GONE: failed: chat.postMessage: channel_not_found") ||
		!strings.Contains(r.stdout, msgs[0].ID+" delivery to DM U0BID: pending (queued)") {
		t.Errorf("questions show:\n%s", r.stdout)
	}
}

// TestConfirmationsSayQueued: staff are told a message is queued, not
// that it arrived.
func TestConfirmationsSayQueued(t *testing.T) {
	dir := project(t, "")
	if r := hiecbot(t, dir, "Can a hospice lead a bid?\n", "chat"); r.err != nil {
		t.Fatal(r.err)
	}
	r := hiecbot(t, dir, "", "questions", "answer", "Q-0001", "Yes, a hospice may lead.")
	if r.err != nil || !strings.Contains(r.stdout, "queued for the asker") {
		t.Errorf("answer: %v\n%s", r.err, r.stdout)
	}
}

// TestBackupAndAuditExportAreAudited: a backup and an export of the audit
// trail are recorded in it, with who, where to and how much.
func TestBackupAndAuditExportAreAudited(t *testing.T) {
	dir := project(t, "")
	if r := hiecbot(t, dir, "How do we register interest?\n", "chat"); r.err != nil {
		t.Fatal(r.err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if r := hiecbot(t, dir, "", "backup", backup); r.err != nil {
		t.Fatalf("backup: %v", r.err)
	}
	out := filepath.Join(t.TempDir(), "audit.json")
	if r := hiecbot(t, dir, "", "audit", "export", "--format", "json", "--out", out); r.err != nil {
		t.Fatalf("audit export: %v", r.err)
	}
	r := hiecbot(t, dir, "", "audit", "export", "--format", "json")
	var entries []store.AuditEntry
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || len(entries) != 2 {
		t.Fatalf("audit export: %v %v\n%s", r.err, err, r.stdout)
	}
	b, x := entries[0], entries[1]
	if b.Action != store.ActionBackup || b.By != "nsg-officer" || !strings.Contains(fmt.Sprint(b.Changes), backup) {
		t.Errorf("backup entry = %+v; want a backup to %s by nsg-officer", b, backup)
	}
	if x.Action != store.ActionAuditExport || x.By != "nsg-officer" || !strings.Contains(fmt.Sprint(x.Changes), "json") {
		t.Errorf("audit export entry = %+v; want a json export by nsg-officer", x)
	}
	if r := hiecbot(t, dir, "", "audit", "verify"); r.err != nil {
		t.Errorf("audit verify: %v", r.err)
	}
}

// TestOutputNeverOverTheStore: a backup or an export named onto the
// question log's own files (the store, however written, its audit head
// file, its admin folder) is refused, saying so, and the log is intact.
func TestOutputNeverOverTheStore(t *testing.T) {
	dir := project(t, "")
	if r := hiecbot(t, dir, "Can our consortium recover VAT on equipment?\n", "chat"); r.err != nil {
		t.Fatal(r.err)
	}
	if err := os.Symlink(filepath.Join(dir, "q.db"), filepath.Join(dir, "link.db")); err != nil {
		t.Fatal(err)
	}
	in := func(name string) string { return filepath.Join(dir, name) }
	// else_/link is a link to a folder beside the store (not Join, which
	// would clean the ".." away).
	else_ := t.TempDir()
	if err := os.Mkdir(in("sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(in("sub"), filepath.Join(else_, "link")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"backup", in("q.db")},
		{"backup", dir + "/./q.db"},
		{"backup", in("link.db")},
		{"backup", in("q.db.audit-head")},
		{"questions", "export", "--format", "csv", "--out", in("q.db")},
		{"questions", "export", "--format", "csv", "--out", in("link.db")},
		{"questions", "export", "--format", "csv", "--out", in("q.db.admin/x.csv")},
		// ".." after a link is taken from the link's target, as the
		// system takes it.
		{"questions", "export", "--format", "csv", "--out", else_ + "/link/../q.db.admin/x.csv"},
		{"backup", else_ + "/link/../q.db.audit-head"},
	} {
		r := hiecbot(t, dir, "", args...)
		if r.err == nil || !strings.Contains(r.err.Error(), "one of the question log's own files") {
			t.Errorf("%v: %v, want a refusal naming the store's files", args, r.err)
		}
	}
	if r := hiecbot(t, dir, "", "questions", "list"); r.err != nil || !strings.Contains(r.stdout, "VAT on equipment") {
		t.Errorf("the log after the refusals: %v\n%s", r.err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "backup", in("copy.db")); r.err != nil {
		t.Errorf("a backup to another file: %v", r.err)
	}
}
