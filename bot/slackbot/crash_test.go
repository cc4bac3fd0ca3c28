package slackbot

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/fakes"
	"github.com/hiec/hiecbot/bot/outbox"
	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/reminders"
)

// The child process of TestCrashWithRepliesOwed reads its store, Slack
// double and listen address from these.
const (
	crashDBEnv   = "HIECBOT_OUTBOX_CRASH_DB"
	crashAPIEnv  = "HIECBOT_OUTBOX_CRASH_API"
	crashAddrEnv = "HIECBOT_OUTBOX_CRASH_ADDR"
)

// TestCrashHelperBot is the child half of TestCrashWithRepliesOwed: the
// bot as serve wires it (HTTP events, the outbox and its sender) until it
// is killed. It prints "listening" once it takes events.
func TestCrashHelperBot(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		t.Skip("child process of TestCrashWithRepliesOwed")
	}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	st, err := store.Open(path, store.Options{Timeout: 10 * time.Second})
	if err != nil {
		fail(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	desk := dialogue.New(deadlineEngine(), st, dialogue.Options{Timeline: reminders.TimelineOf(config.Default().Reminders), Location: config.Default().Reminders.Location(), Logger: log})
	b, err := New(Options{
		Slack:      config.Slack{BotToken: testBotToken, SigningSecret: testSigningSecret, APIURL: os.Getenv(crashAPIEnv), Listen: os.Getenv(crashAddrEnv)},
		Desk:       desk,
		Seen:       st,
		Logger:     log,
		Retry:      []time.Duration{},
		HTTPClient: &http.Client{Timeout: 20 * time.Second},
		Outbox:     st,
	})
	if err != nil {
		fail(err)
	}
	desk.SetNotifier(b)
	st.SetComposer(b.Compose)
	sender := outbox.New(st, b.OutboxPoster(), outbox.Options{Backoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Logger: log})
	st.OnQueued(sender.Queued)
	b.onListen = func(net.Addr) { fmt.Println("listening") }
	go func() { _ = sender.Run(context.Background()) }()
	if err := b.Run(context.Background()); err != nil {
		fail(err)
	}
	os.Exit(3)
}

// startCrashChild starts the bot in a child process and waits until it
// takes events.
func startCrashChild(t *testing.T, db, api, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperBot$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+db, crashAPIEnv+"="+api, crashAddrEnv+"="+addr)
	var stderr fakes.SyncBuffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("child stderr:\n%s", stderr.String())
		}
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "listening" {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("the child bot exited: %s", stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the child bot did not start: %s", stderr.String())
	}
	return cmd
}

// TestCrashWithRepliesOwed acknowledges 300 questions while Slack refuses
// every post (503) or takes it and never answers, kills the bot with
// SIGKILL, and restarts it against a Slack that works: every asker gets
// the answer exactly once, including those whose post Slack had taken
// when the bot died.
func TestCrashWithRepliesOwed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	const n, stalled = 300, 25
	d := slacktest.New(t)
	d.GrantScopes(leastScopes...) // the look before a resend reads DMs' history: im:history
	var (
		mu      sync.Mutex
		healthy bool
		stalls  = map[string]bool{}
	)
	d.KeepMessages()
	d.FailPosts(func(channel string, attempt int) slacktest.Fault {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case healthy:
			return slacktest.Fault{}
		case attempt == 1 && len(stalls) < stalled:
			stalls[channel] = true
			return slacktest.Fault{Stall: time.Hour} // taken, never answered: the bot dies waiting
		}
		return slacktest.Fault{Status: http.StatusServiceUnavailable}
	})
	db := filepath.Join(t.TempDir(), "questions.db")
	addr := slacktest.FreeAddr(t)
	child := startCrashChild(t, db, d.APIURL(), addr)

	client := &http.Client{Timeout: 10 * time.Second}
	for i := range n {
		body := dmEvent(fmt.Sprintf("Ev%04d", i), fmt.Sprintf("U%04d", i), "When are detailed bids due?")
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/events", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		slacktest.Sign(req, body, testSigningSecret, time.Now())
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("event %d: %d", i, resp.StatusCode)
		}
	}
	// Posts are failing and the stalled ones hang when the bot dies.
	waitFor(t, "the stalled posts", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(stalls) == stalled
	})
	time.Sleep(200 * time.Millisecond)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	before := 0
	for i := range n {
		before += len(d.Messages(fmt.Sprintf("D0U%04d", i)))
	}

	mu.Lock()
	healthy = true
	mu.Unlock()
	startCrashChild(t, db, d.APIURL(), slacktest.FreeAddr(t))
	waitFor(t, "every answer after the restart", func() bool {
		for i := range n {
			if len(d.Messages(fmt.Sprintf("D0U%04d", i))) == 0 {
				return false
			}
		}
		return true
	})
	time.Sleep(500 * time.Millisecond) // any double would show by now
	lost, doubled := 0, 0
	for i := range n {
		switch c := len(d.Messages(fmt.Sprintf("D0U%04d", i))); {
		case c == 0:
			lost++
		case c > 1:
			doubled++
		}
	}
	t.Logf("%d questions acknowledged; %d answers in Slack at the kill (%d taken but unanswered); after the restart: %d lost, %d doubled", n, before, stalled, lost, doubled)
	if lost != 0 || doubled != 0 {
		t.Errorf("%d answers lost and %d doubled, want none", lost, doubled)
	}
	if before != stalled {
		t.Errorf("%d answers were in Slack at the kill, want the %d stalled ones", before, stalled)
	}
}
