package dialogue

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/store"
)

// TestAdminSocket drives the NSG's command-line path through a running
// bot: the same Records, over the Unix socket.
func TestAdminSocket(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	dir, err := os.MkdirTemp("", "hb") // short: Unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := SocketPath(filepath.Join(dir, "q.db"))
	done := make(chan error, 1)
	go func() { done <- ServeAdmin(ctx, path, f.desk.Records()) }()
	var c *AdminClient
	for i := 0; i < 100; i++ {
		var ok bool
		if c, ok = DialAdmin(path); ok {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if c == nil {
		t.Fatal("admin socket never answered")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if err := ServeAdmin(ctx, path, f.desk.Records()); err == nil || !strings.Contains(err.Error(), "another hiecbot") {
		t.Errorf("second server on the same socket: %v", err)
	}

	r, _ := f.desk.Ask(ctx, bidder, "Can a charity lead?")
	id := r.Question.ID
	qs, err := c.List(store.Filter{Status: []store.Status{store.StatusAwaiting}})
	if err != nil || len(qs) != 1 || qs[0].ID != id {
		t.Fatalf("List = %+v, %v", qs, err)
	}
	if _, err := c.Get("Q-9999"); !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "Q-9999") {
		t.Errorf("Get unknown: %v", err)
	}
	if _, err := c.Answer(ctx, id, "   ", "nsg"); !errors.Is(err, store.ErrEmpty) {
		t.Errorf("empty answer: %v", err)
	}
	q, err := c.Answer(ctx, id, "Yes: a charity is one of the forms listed.", "nsg")
	if err != nil || q.Status != store.StatusNSGAnswered {
		t.Fatalf("Answer = %+v, %v", q, err)
	}
	f.desk.Wait()
	if len(f.engine.nsg) != 0 || len(f.note.delivered) != 1 {
		t.Errorf("an answer through the socket was indexed before publication, or not delivered: %v %v", f.engine.nsg, f.note.delivered)
	}
	if _, err := c.Publish(ctx, id); err != nil {
		t.Fatal(err)
	}
	if len(f.engine.nsg) != 1 {
		t.Errorf("a clarification published through the socket was not indexed: %v", f.engine.nsg)
	}
	if _, err := c.Answer(ctx, id, "changed", "nsg"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("answering a published question: %v", err)
	}
	var buf bytes.Buffer
	n, err := c.Export(&buf, "json", store.Filter{})
	if err != nil || n != 1 || !strings.Contains(buf.String(), `"status":"published"`) && !strings.Contains(buf.String(), `"status": "published"`) {
		t.Errorf("Export = %d, %v: %s", n, err, buf.String())
	}
	if _, err := c.List(store.Filter{Status: []store.Status{"bogus"}}); err == nil {
		t.Error("bad status accepted")
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
	if _, ok := DialAdmin(path); ok {
		t.Error("dialled a stopped bot")
	}
}
