package bot

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/fakes"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/hiec/hiecbot/reminders"
)

// fileDesk is a Desk over a fileLog, as `hiecbot chat` builds it.
func fileDesk(t *testing.T, path string, notifier dialogue.Notifier) *dialogue.Desk {
	t.Helper()
	e, err := knowledge.New(knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	log := newFileLog(path, time.UTC)
	return dialogue.New(e, log, dialogue.Options{
		Staff:    func(id string) bool { return id == ConsoleUser },
		Timeline: reminders.TimelineOf(config.Default().Reminders),
		Location: config.Default().Reminders.Location(),
		Ledger:   log,
		Notifier: notifier,
	})
}

// TestChatTerminal types at the console as a person would: a question,
// the up arrow to ask it again from history, then Ctrl-C, which ends the
// chat cleanly. The prompt shows and mrkdwn is rendered bold.
func TestChatTerminal(t *testing.T) {
	var out fakes.SyncBuffer
	keys := "When are detailed bids due?\r" + "\x1b[A\r" + "Can our consortium recover VAT?\r" + "\x03"
	rw := struct {
		io.Reader
		io.Writer
	}{strings.NewReader(keys), &out}
	tm := newPromptTerminal(rw)
	c := newStyledConsole(tm)
	c.width = func() int { return 60 }
	desk := fileDesk(t, filepath.Join(t.TempDir(), "q.db"), c)
	if err := chatTerminal(context.Background(), desk, tm, c, t.TempDir()); err != nil {
		t.Fatalf("Ctrl-C ended chat with %v, want a clean end", err)
	}
	got := out.String()
	if !strings.Contains(got, "you>") {
		t.Errorf("no prompt:\n%q", got)
	}
	if n := strings.Count(got, "\x1b[1mGuide, slide 17: Application process"); n != 2 {
		t.Errorf("want the bold citation twice (typed, then from history), got %d:\n%q", n, got)
	}
	if strings.Contains(got, "*Guide") || strings.Contains(got, "\n> ") || strings.Contains(got, "\r\n> ") {
		t.Errorf("raw mrkdwn shown:\n%q", got)
	}
	for _, line := range strings.Split(strings.ReplaceAll(got, "\r\n", "\n"), "\n") {
		if !strings.Contains(line, "you>") && visibleLen(line) > 60 {
			t.Errorf("line wider than the 60-column terminal: %q", line)
		}
	}
	if strings.Contains(got, `\x1b`) {
		t.Errorf("the console's own styling was escaped:\n%q", got)
	}
}

// TestChatScriptedIsPlain: piped output has no terminal codes and no
// mrkdwn marks, and quotes are indented.
func TestChatScriptedIsPlain(t *testing.T) {
	var out fakes.SyncBuffer
	c := NewConsole(&out)
	desk := fileDesk(t, filepath.Join(t.TempDir(), "q.db"), c)
	if err := Chat(context.Background(), desk, c, strings.NewReader("When are detailed bids due?\n"), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.Contains(got, "\x1b") || strings.Contains(got, "*Guide") || strings.Contains(got, "\n> ") {
		t.Errorf("piped chat output is not plain:\n%s", got)
	}
	if !strings.Contains(got, "Guide, slide 17: Application process") || !strings.Contains(got, "\n"+quoteIndent) {
		t.Errorf("answer missing or quote not indented:\n%s", got)
	}
}

// TestChatEndsCleanlyOnInterrupt: Ctrl-C (the context cancelled) while
// chat waits for a line ends it at once with no error, not at the next
// Enter with "context canceled".
func TestChatEndsCleanlyOnInterrupt(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	var out fakes.SyncBuffer
	c := NewConsole(&out)
	desk := fileDesk(t, filepath.Join(t.TempDir(), "q.db"), c)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Chat(ctx, desk, c, pr, t.TempDir()) }()
	out.WaitFor(t, "End with Ctrl-D")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("err = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("chat did not end on Ctrl-C")
	}
}

// TestQuestionsBesideChat: while a chat is open, the questions commands
// read and write the same log.
func TestQuestionsBesideChat(t *testing.T) {
	dir := project(t, "")
	pr, pw := io.Pipe()
	var out fakes.SyncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		cli := &CLI{Stdin: pr, Stdout: &out, Stderr: io.Discard, Username: func() string { return "nsg" }}
		done <- cli.Run(ctx, []string{"--config", filepath.Join(dir, "hiecbot.yaml"), "chat"})
	}()
	out.WaitFor(t, "End with Ctrl-D")
	io.WriteString(pw, "Can our consortium recover VAT on equipment?\n")
	out.WaitFor(t, "[to the NSG channel] Q-0001")

	if r := hiecbot(t, dir, "", "questions", "list"); r.err != nil || !strings.Contains(r.stdout, "Q-0001") {
		t.Fatalf("list beside an open chat: %v\n%s", r.err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "questions", "answer", "Q-0001", "It depends on each partner."); r.err != nil {
		t.Fatalf("answer beside an open chat: %v", r.err)
	}
	io.WriteString(pw, "/show Q-0001\n")
	out.WaitFor(t, "It depends on each partner.")
	pw.Close() // Ctrl-D
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("chat: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("chat did not end at the end of input")
	}
}
