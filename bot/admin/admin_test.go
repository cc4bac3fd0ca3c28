package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/fakes"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
)

// newEngine is never confident and can cite slide 17 of the guide.
func newEngine() *fakes.Engine {
	return &fakes.Engine{Passages: []knowledge.Answer{{Citation: "Guide, slide 17: Application process", Text: "Detailed bids by 19 Oct"}}}
}

// notes is a Notifier counting deliveries.
type notes struct {
	mu        sync.Mutex
	delivered []string
}

func (n *notes) NotifyNSG(context.Context, store.Question) error { return nil }
func (n *notes) DeliverAnswer(_ context.Context, q store.Question) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.delivered = append(n.delivered, q.ID)
	return nil
}
func (n *notes) Publish(context.Context, store.Clarification) error { return nil }
func (n *notes) DeliverClarification(context.Context, string, store.Clarification) error {
	return nil
}

type fixture struct {
	store  *store.Store
	engine *fakes.Engine
	notes  *notes
	desk   *dialogue.Desk
	path   string // the socket
}

// shortDir is a temporary folder with a short path: Unix socket paths
// are limited to 107 bytes.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := shortDir(t)
	st, err := store.Open(filepath.Join(dir, "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{store: st, engine: newEngine(), notes: &notes{}, path: SocketPath(filepath.Join(dir, "q.db"))}
	f.desk = dialogue.New(f.engine, st, dialogue.Options{Notifier: f.notes, Ledger: st.Ledger()})
	return f
}

// serve starts the admin server and stops it at the end of the test.
func (f *fixture) serve(t *testing.T) *Server {
	t.Helper()
	srv, err := Listen(f.path, Handler(f.desk.Records(), f.store), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv
}

// TestAdminSocket drives the NSG's command-line path through a running
// bot: the same Records, over the Unix socket.
func TestAdminSocket(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Listen(f.path, Handler(f.desk.Records(), f.store), nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	c, err := Dial(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(f.path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if fi, err := os.Stat(filepath.Dir(f.path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("socket folder mode = %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	if _, err := Listen(f.path, http.NotFoundHandler(), nil); err == nil || !strings.Contains(err.Error(), "another hiecbot") {
		t.Errorf("second server on the same socket: %v", err)
	}

	r, _ := f.desk.Ask(ctx, dialogue.Asker{UserID: "UBID", ChannelID: "D1", Via: dialogue.ViaDM}, "Can a charity lead?")
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
	if len(f.notes.delivered) != 1 {
		t.Errorf("an answer through the socket was not delivered: %v", f.notes.delivered)
	}
	if _, err := c.Cite(ctx, id, "Guide, slide 99", "nsg"); !errors.Is(err, dialogue.ErrNoPassage) {
		t.Errorf("citing no passage: %v", err)
	}
	pub, err := c.Publish(ctx, id, store.Wording{Question: "May a charity lead a cluster?"}, "nsg")
	if err != nil {
		t.Fatal(err)
	}
	f.desk.Wait()
	if pub.Clarification != "C-001" || pub.PublishedQuestion != "May a charity lead a cluster?" || f.engine.Clarifications()["C-001"] == "" {
		t.Errorf("a clarification published through the socket was not indexed: %v", f.engine.Clarifications())
	}
	if _, err := c.Answer(ctx, id, "changed", "nsg"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("answering a published question: %v", err)
	}
	var buf bytes.Buffer
	n, err := c.Export(&buf, "json", store.Filter{}, "nsg")
	if err != nil || n != 1 || !strings.Contains(buf.String(), `"status":"published"`) && !strings.Contains(buf.String(), `"status": "published"`) {
		t.Errorf("Export = %d, %v: %s", n, err, buf.String())
	}
	if h, err := c.History(id); err != nil || len(h) != 2 || h[1].Clarification != "C-001" {
		t.Errorf("History = %+v, %v", h, err)
	}
	if n, err := c.VerifyAudit(); err != nil || n != 3 {
		t.Errorf("VerifyAudit = %d, %v; want 3 entries (answer, publish, export)", n, err)
	}
	buf.Reset()
	if n, err := c.ExportAudit(&buf, store.FormatCSV, "nsg"); err != nil || n != 3 || !strings.Contains(buf.String(), "publish") {
		t.Errorf("ExportAudit = %d, %v: %s", n, err, buf.String())
	}
	if _, err := c.List(store.Filter{Status: []store.Status{"bogus"}}); err == nil {
		t.Error("bad status accepted")
	}
	if err := c.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	queued, err := f.store.Enqueue(ctx, store.Message{Kind: "reminder", Channel: "CBID", Text: "7 days left"})
	if err != nil {
		t.Fatal(err)
	}
	if msgs, err := c.Outbox(store.OutboxFilter{Status: store.OutboxPending}); err != nil || len(msgs) != 1 || msgs[0].ID != queued[0].ID {
		t.Errorf("Outbox through the socket = %+v, %v", msgs, err)
	}
	if msgs, err := c.Outbox(store.OutboxFilter{Status: store.OutboxFailed}); err != nil || len(msgs) != 0 {
		t.Errorf("failed Outbox through the socket = %+v, %v", msgs, err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := store.WriteBackup(backup, c.Backup); err != nil {
		t.Fatalf("backup through the socket: %v", err)
	}
	b, err := store.Open(backup, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Get(id); err != nil || got.Status != store.StatusPublished {
		t.Errorf("backup holds %+v, %v", got, err)
	}
	b.Close()
	// The audit export and the backup are on the record, by who asked.
	if err := c.RecordBackup("nsg", backup, 4096); err != nil {
		t.Fatalf("RecordBackup through the socket: %v", err)
	}
	var staffActions []string
	if err := f.store.AuditEach(func(e store.AuditEntry) error {
		if e.Action == store.ActionAuditExport || e.Action == store.ActionBackup {
			staffActions = append(staffActions, e.Action+" by "+e.By)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(staffActions) != "[audit-export by nsg backup by nsg]" {
		t.Errorf("audit trail records %v; want the audit export and the backup, by nsg", staffActions)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.path); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
	if _, err := Dial(f.path); !errors.Is(err, ErrNotRunning) {
		t.Errorf("dialled a stopped bot: %v", err)
	}
}

// TestListenRefuses: serve must not start when it cannot serve the socket
// safely, and must say why.
func TestListenRefuses(t *testing.T) {
	long := filepath.Join(shortDir(t), strings.Repeat("d", 100), "q.db")
	if _, err := Listen(SocketPath(long), http.NotFoundHandler(), nil); err == nil || !strings.Contains(err.Error(), "longer than the 107") {
		t.Errorf("long path: %v", err)
	}

	// A folder open to others.
	dir := shortDir(t)
	path := SocketPath(filepath.Join(dir, "q.db"))
	if err := os.Mkdir(filepath.Dir(path), 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(path), 0o777)
	if _, err := Listen(path, http.NotFoundHandler(), nil); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "0700") {
		t.Errorf("open folder: %v", err)
	}

	// Something that is not a socket where the socket goes.
	dir = shortDir(t)
	path = SocketPath(filepath.Join(dir, "q.db"))
	os.Mkdir(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte("x"), 0o600)
	if _, err := Listen(path, http.NotFoundHandler(), nil); !errors.Is(err, ErrUntrusted) {
		t.Errorf("file in the socket's place: %v", err)
	}

	// A socket already bound by another program.
	dir = shortDir(t)
	path = SocketPath(filepath.Join(dir, "q.db"))
	os.Mkdir(filepath.Dir(path), 0o700)
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := Listen(path, http.NotFoundHandler(), nil); err == nil || !strings.Contains(err.Error(), "already serving") {
		t.Errorf("bound socket: %v", err)
	}
}

// TestListenReplacesStaleSocket: a socket left by a bot that was killed
// is replaced.
func TestListenReplacesStaleSocket(t *testing.T) {
	f := newFixture(t)
	os.Mkdir(filepath.Dir(f.path), 0o700)
	ln, err := net.Listen("unix", f.path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // the file stays, nobody listens
	f.serve(t)
	c, err := Dial(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.List(store.Filter{}); err != nil {
		t.Fatal(err)
	}
}

// TestClientRefusesUntrusted: the CLI does not talk to a socket in a
// folder others can write, nor to a program that is not the bot.
func TestClientRefusesUntrusted(t *testing.T) {
	f := newFixture(t)
	f.serve(t)
	dir := filepath.Dir(f.path)
	os.Chmod(dir, 0o755)
	if _, err := Dial(f.path); !errors.Is(err, ErrUntrusted) {
		t.Errorf("socket folder open to others: %v", err)
	}
	os.Chmod(dir, 0o700)

	// Another program answering HTTP on a socket of the right shape.
	d2 := shortDir(t)
	path := SocketPath(filepath.Join(d2, "q.db"))
	os.Mkdir(filepath.Dir(path), 0o700)
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	impostor := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"ID":"Q-0001","Status":"nsg_answered"}`))
	})}
	go impostor.Serve(ln)
	defer impostor.Close()
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Answer(context.Background(), "Q-0001", "text", "nsg"); !errors.Is(err, ErrUntrusted) {
		t.Errorf("an impostor's answer was taken: %v", err)
	}
}

// TestServerTimesOutSilentClient: a client that connects and sends
// nothing does not hold a connection for ever.
func TestServerTimesOutSilentClient(t *testing.T) {
	f := newFixture(t)
	srv, err := Listen(f.path, Handler(f.desk.Records(), f.store), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.srv.ReadHeaderTimeout = 100 * time.Millisecond
	go srv.Serve(context.Background())
	defer srv.Close()
	conn, err := net.Dial("unix", f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = conn.Read(make([]byte, 1))
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("silent connection kept open: %v after %v", err, time.Since(start))
	}
}

// TestServerRefusesOtherUsers: a connection whose peer (SO_PEERCRED) is
// another user is closed unanswered, and the client refuses a server run
// by another user.
func TestServerRefusesOtherUsers(t *testing.T) {
	if uid, err := peerUIDOfPipe(t); err != nil || uid != os.Getuid() {
		t.Fatalf("SO_PEERCRED on our own connection: uid %d, %v; want %d", uid, err, os.Getuid())
	}
	f := newFixture(t)
	f.serve(t)
	c, err := Dial(f.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peerUIDHook.Store(nil) })
	other := func(net.Conn) (int, error) { return os.Getuid() + 1, nil }
	peerUIDHook.Store(&other)
	_, err = c.List(store.Filter{})
	if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "not this user") {
		t.Errorf("client took a server of another uid: %v", err)
	}
	// The server's side: the client's own check passes, the server's
	// fails. The server's end of a connection is the one whose local
	// address is the socket (an earlier connection's late check cannot
	// shift which side sees what, as counting calls did).
	serverSees := func(c net.Conn) (int, error) {
		if c.LocalAddr().String() == f.path {
			return os.Getuid() + 1, nil
		}
		return os.Getuid(), nil
	}
	peerUIDHook.Store(&serverSees)
	c2, err := Dial(f.path)
	if err == nil {
		_, err = c2.List(store.Filter{})
	}
	if err == nil {
		t.Error("the server answered a client of another uid")
	}
}

func peerUIDOfPipe(t *testing.T) (int, error) {
	dir := shortDir(t)
	ln, err := net.Listen("unix", filepath.Join(dir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := net.Dial("unix", filepath.Join(dir, "s"))
		if err == nil {
			time.Sleep(100 * time.Millisecond)
			c.Close()
		}
	}()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return peerUID(c)
}

// noBidders is a notifier with nowhere to post for every bidder.
type noBidders struct{ notes }

func (*noBidders) CanPublish() error {
	return fmt.Errorf("%w: %s", dialogue.ErrNoBidderChannel, dialogue.NoBidderChannelAdvice)
}

// TestAdminPublishRefusedWithoutBiddersChannel: the socket refuses to
// publish, as Slack does, while the running bot has no bidders' channel;
// the error says to set reminders.channel and nothing is published.
func TestAdminPublishRefusedWithoutBiddersChannel(t *testing.T) {
	f := newFixture(t)
	f.desk = dialogue.New(f.engine, f.store, dialogue.Options{Notifier: &noBidders{}, Ledger: f.store.Ledger()})
	f.serve(t)
	c, err := Dial(f.path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, _ := f.desk.Ask(ctx, dialogue.Asker{UserID: "UBID", ChannelID: "D1", Via: dialogue.ViaDM}, "Can a charity lead?")
	if _, err := c.Answer(ctx, r.Question.ID, "Yes.", "nsg"); err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(ctx, r.Question.ID, store.Wording{}, "nsg")
	if !errors.Is(err, dialogue.ErrNoBidderChannel) || !strings.Contains(err.Error(), "set reminders.channel") {
		t.Errorf("Publish = %v; want ErrNoBidderChannel saying to set reminders.channel", err)
	}
	if q, _ := f.store.Get(r.Question.ID); q.Status != store.StatusNSGAnswered || q.Clarification != "" {
		t.Errorf("refused publication changed the question: %+v", q)
	}
}
