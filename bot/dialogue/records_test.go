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
