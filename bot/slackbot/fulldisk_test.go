package slackbot

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/outbox"
	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/hiec/hiecbot/bot/store"
)

// smallDisk mounts a tmpfs of size bytes and returns its folder; it is
// unmounted when the test ends. It needs root (CI runs as root) and
// skips, saying so, otherwise.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("the full-disk test mounts a small tmpfs and needs root (CI runs as root); skipped")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s); skipped", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file in dir until the disk is full.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
}

// TestFullDiskIsNotAcknowledged fills the store's disk while bidders ask:
// every event answered 200 has its question in the log, every other one
// gets 503 so Slack delivers it again, the bot stays up, and once space
// returns Slack's redeliveries are all logged, each once.
func TestFullDiskIsNotAcknowledged(t *testing.T) {
	t.Run("posting directly", func(t *testing.T) { fullDisk(t, false) })
	t.Run("through the outbox", func(t *testing.T) { fullDisk(t, true) })
}

func fullDisk(t *testing.T, withOutboxOn bool) {
	dir := smallDisk(t, "3m")
	f := newFixtureAt(t, filepath.Join(dir, "questions.db"), deadlineEngine())
	if withOutboxOn {
		withOutbox(t, f, outbox.Options{})
	}
	f.event(t, dmEvent("Ev0", "UBID0", "When are detailed bids due?"))
	filler := fill(t, dir)

	const n = 400
	var refused []int
	for i := 1; i <= n; i++ {
		w := f.do(t, "/slack/events", "application/json", dmEvent(fmt.Sprintf("Ev%d", i), fmt.Sprintf("UBID%d", i), fmt.Sprintf("Question %d: when are detailed bids due?", i)))
		switch w.Code {
		case http.StatusOK:
		case http.StatusServiceUnavailable:
			refused = append(refused, i)
		default:
			t.Fatalf("event %d: status %d %q", i, w.Code, w.Body.String())
		}
	}
	if len(refused) == 0 {
		t.Fatal("the disk never filled: no event was refused")
	}
	f.settle()
	logged := map[string]int{}
	for _, q := range f.questions(t) {
		logged[q.Question]++
	}
	isRefused := map[int]bool{}
	for _, i := range refused {
		isRefused[i] = true
	}
	for i := 1; i <= n; i++ {
		q := fmt.Sprintf("Question %d: when are detailed bids due?", i)
		if !isRefused[i] && logged[q] != 1 {
			t.Errorf("event %d was acknowledged but its question is logged %d times", i, logged[q])
		}
		if isRefused[i] && logged[q] != 0 {
			t.Errorf("event %d was refused but its question is logged", i)
		}
	}
	if w := f.do(t, "/slack/events", "application/json", `{"type":"url_verification","challenge":"up"}`); w.Code != http.StatusOK {
		t.Errorf("the bot is not up while the disk is full: %d", w.Code)
	}
	// Each refused asker was told once.
	sorry := 0
	for _, c := range f.api.Calls("chat.postMessage") {
		if strings.Contains(c.Form.Get("text"), "could not record") {
			sorry++
		}
	}
	if sorry != len(refused) {
		t.Errorf("%d askers told their question was not recorded, want %d", sorry, len(refused))
	}

	// Space returns; Slack redelivers what was refused.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for _, i := range refused {
		w := f.do(t, "/slack/events", "application/json", dmEvent(fmt.Sprintf("Ev%d", i), fmt.Sprintf("UBID%d", i), fmt.Sprintf("Question %d: when are detailed bids due?", i)))
		if w.Code != http.StatusOK {
			t.Fatalf("redelivered event %d after space returned: %d %q", i, w.Code, w.Body.String())
		}
	}
	f.settle()
	logged = map[string]int{}
	for _, q := range f.questions(t) {
		logged[q.Question]++
	}
	for i := 1; i <= n; i++ {
		if q := fmt.Sprintf("Question %d: when are detailed bids due?", i); logged[q] != 1 {
			t.Errorf("question %d logged %d times after recovery, want 1", i, logged[q])
		}
	}
	if err := f.store.Check(); err != nil {
		t.Errorf("the log is not sound after the full disk: %v", err)
	}
	if withOutboxOn {
		// Every acknowledged question's answer reaches its asker once.
		waitFor(t, "every answer", func() bool {
			p, _ := f.store.Pending()
			return len(p) == 0
		})
		answers := map[string]int{}
		for _, c := range f.api.Calls("chat.postMessage") {
			if !strings.Contains(c.Form.Get("text"), "could not record") {
				answers[c.Form.Get("channel")]++
			}
		}
		for i := 0; i <= n; i++ {
			if c := answers[fmt.Sprintf("D0UBID%d", i)]; c != 1 {
				t.Errorf("asker %d got %d answers, want 1", i, c)
			}
		}
	}
	t.Logf("%d of %d events refused while the disk was full, all logged once after", len(refused), n)
}

// TestSocketModeFullDiskIsNotAcknowledged: in Socket Mode an event whose
// question cannot be logged is not acknowledged, so Slack redelivers it;
// the redelivery after space returns is acknowledged and logged once.
func TestSocketModeFullDiskIsNotAcknowledged(t *testing.T) {
	dir := smallDisk(t, "3m")
	f := newFixtureAt(t, filepath.Join(dir, "questions.db"), deadlineEngine(), socketMode)
	p, stop := f.runSocket(t)
	p.Send(map[string]any{"type": "hello", "num_connections": 1})
	filler := fill(t, dir)

	refused := 0
	for i := range 50 { // until one does not fit
		env := fmt.Sprintf("env-full-%d", i)
		p.Send(slacktest.EventsEnvelope(env, 0, dmEvent(fmt.Sprintf("Ev0FILL%d", i), bidderUser, "When are detailed bids due?")))
		deadline := time.Now().Add(5 * time.Second)
		for len(f.questions(t)) < i+1 && !strings.Contains(f.logs.String(), "cannot record a question") && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
		if strings.Contains(f.logs.String(), "cannot record a question") {
			refused = i
			break
		}
		p.Ack(env)
	}
	if !strings.Contains(f.logs.String(), "cannot record a question") {
		t.Fatal("the disk never filled")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	// The next message from the bot must be the acknowledgement of the
	// redelivery, not of the refused envelope.
	p.Send(slacktest.EventsEnvelope("env-redelivered", 1, dmEvent(fmt.Sprintf("Ev0FILL%d", refused), bidderUser, "When are detailed bids due?")))
	p.Ack("env-redelivered")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range f.questions(t) {
		if q.Question == "When are detailed bids due?" {
			n++
		}
	}
	if n != refused+1 {
		t.Errorf("%d questions logged, want %d (each acknowledged one once)", n, refused+1)
	}
}

// TestAckWaitsForTheCommit: events that arrive while the commit carrying
// their questions is held are not acknowledged until it is done; then
// each is answered 200 with its question in the log and its answer in
// the outbox, which delivers it.
func TestAckWaitsForTheCommit(t *testing.T) {
	f := newFixture(t)
	withOutbox(t, f, outbox.Options{})
	release := make(chan struct{})
	var holding sync.Once
	held := make(chan struct{})
	f.store.SetComposer(func(op string, q store.Question) []store.Message {
		if op == "log" {
			holding.Do(func() { close(held) })
			<-release // the transaction logging q waits here, uncommitted
		}
		return f.bot.Compose(op, q)
	})
	srv := httptest.NewServer(f.h) // a real server: a status sent early would reach the client
	t.Cleanup(srv.Close)
	let := sync.OnceFunc(func() { close(release) })
	t.Cleanup(let) // before the server closes, whatever fails
	const n = 8
	codes := make(chan int, n)
	for i := range n {
		go func() {
			body := dmEvent(fmt.Sprintf("EvHeld%d", i), fmt.Sprintf("UHELD%d", i), "When are detailed bids due?")
			resp, err := srv.Client().Do(slacktest.SignedRequest(srv.URL+"/slack/events", "application/json", body, testSigningSecret))
			if err != nil {
				t.Error(err)
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	<-held
	select {
	case code := <-codes:
		t.Fatalf("an event was answered %d while its commit was held", code)
	case <-time.After(100 * time.Millisecond):
	}
	if qs := f.questions(t); len(qs) != 0 {
		t.Fatalf("%d questions readable before their commit", len(qs))
	}
	let()
	for range n {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("event answered %d once committed, want 200", code)
		}
	}
	if qs := f.questions(t); len(qs) != n {
		t.Errorf("%d questions logged, want %d", len(qs), n)
	}
	for i := range n {
		waitFor(t, "the answer to the held event", func() bool { return len(f.api.Posts(fmt.Sprintf("D0UHELD%d", i))) == 1 })
	}
}
