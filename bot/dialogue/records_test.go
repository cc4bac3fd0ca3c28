package dialogue

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hiec/hiecbot/bot/store"
)

// refusingAudit is a question log whose audit trail cannot take an
// export's entry (a full disk, say).
type refusingAudit struct{ *store.Store }

func (refusingAudit) RecordExport(string, store.Format, store.Filter, int) error {
	return errors.New("record the export in the audit trail: disk full")
}

// TestExportRecordedBeforeItLeaves: an export reaches its reader only
// once it is on the audit trail; when it cannot be recorded, not a byte
// of the bidders' questions is written.
func TestExportRecordedBeforeItLeaves(t *testing.T) {
	f := newFixture(t)
	if _, err := f.desk.Ask(context.Background(), bidder, "Can a hospice from Leeds join a cluster?"); err != nil {
		t.Fatal(err)
	}
	d := New(f.engine, refusingAudit{f.store}, Options{Staff: func(id string) bool { return id == staffID }})
	var out bytes.Buffer
	n, err := d.Export(&out, store.FormatCSV, store.Filter{}, staffID)
	if err == nil || !strings.Contains(err.Error(), "nothing was exported") || out.Len() != 0 || n != 0 {
		t.Errorf("Export with the trail refusing = %d rows, %v; wrote %q", n, err, out.String())
	}
	n, err = f.desk.Export(&out, store.FormatCSV, store.Filter{}, staffID)
	if err != nil || n != 1 || !strings.Contains(out.String(), "Leeds") {
		t.Errorf("Export = %d rows, %v; wrote %q", n, err, out.String())
	}
	if entries, err := f.store.VerifyAudit(); err != nil || entries != 1 {
		t.Errorf("the trail holds %d entries (%v), want the one export", entries, err)
	}
}

// refusingViews is a question log whose audit trail cannot take a view's
// entry.
type refusingViews struct{ *store.Store }

func (refusingViews) RecordView(string, string, string, int) error {
	return errors.New("record the view in the audit trail: disk full")
}

// TestStaffReadsRecorded: staff shown bidders' questions in Slack (the
// list, a question, its history) leave an entry each on the audit trail,
// made before they see them; when it cannot be made they see nothing.
func TestStaffReadsRecorded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.desk.Ask(ctx, bidder, "May Acme Ltd partner with Newcastle University in our cluster?"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.AnswerQuestion(ctx, staffID, "Q-0001", "Yes, as a partner."); err != nil {
		t.Fatal(err)
	}
	for i, cmd := range []string{"questions all", "show Q-0001", "history Q-0001", "publish Q-0001"} {
		if r, err := f.desk.Command(ctx, Asker{UserID: staffID}, cmd); err != nil || !strings.Contains(r.Text, "Q-0001") {
			t.Fatalf("%s: %v, %q", cmd, err, r.Text)
		}
		if n, err := f.store.VerifyAudit(); err != nil || n != i+2 {
			t.Errorf("after %s the trail holds %d entries (%v), want %d", cmd, n, err, i+2)
		}
	}
	h, _ := f.store.History("Q-0001")
	if len(h) != 4 || h[1].Action != store.ActionView || h[1].By != staffID || h[2].Changes[0].To != "history" || h[3].Changes[0].To != "publication draft" {
		t.Errorf("Q-0001's history: %+v", h)
	}
	d := New(f.engine, refusingViews{f.store}, Options{Staff: func(id string) bool { return id == staffID }})
	for _, cmd := range []string{"questions all", "show Q-0001", "history Q-0001", "publish Q-0001"} {
		r, err := d.Command(ctx, Asker{UserID: staffID}, cmd)
		if err == nil || strings.Contains(r.Text, "Newcastle") {
			t.Errorf("%s with the trail refusing: %v, %q", cmd, err, r.Text)
		}
	}
}
