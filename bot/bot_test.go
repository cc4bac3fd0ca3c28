package bot

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/hiec/hiecbot/reminders"
)

func newDesk(t *testing.T, out *bytes.Buffer) (*dialogue.Desk, *Console, *store.Store) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e, err := knowledge.New(knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	c := NewConsole(out)
	d := dialogue.New(e, st, dialogue.Options{
		Staff:    func(id string) bool { return id == ConsoleUser },
		Timeline: reminders.TimelineOf(config.Default().Reminders),
		Location: config.Default().Reminders.Location(),
		Notifier: c,
	})
	return d, c, st
}

// TestChatWholeFlow runs the console as a person would: small talk, a
// covered and an uncovered question, then the NSG commands.
func TestChatWholeFlow(t *testing.T) {
	var out bytes.Buffer
	d, c, st := newDesk(t, &out)
	dir := t.TempDir()
	in := strings.Join([]string{
		"hello",
		"When are detailed bids due?",
		"What's the weather in Leeds?",
		"/questions",
		"/answer Q-0002 The guide does not cover the weather.",
		"/publish Q-0002",
		"/publish Q-0002 question: Does the guide say anything about the weather? answer: No.",
		"/export csv",
		"/hiec deadlines",
		"",
	}, "\n")
	if err := Chat(context.Background(), d, c, strings.NewReader(in), dir); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"I answer questions about the HIEC guide",      // hello
		"Guide, slide 17: Application process",         // covered
		"clearly answers this",                         // uncovered
		"[to the NSG channel] Q-0002 awaits an answer", // notice
		"Q-0002",                               // listed
		"[to console] The NSG answered Q-0002", // delivered
		"Publishing Q-0002 would post this",    // draft
		"[to the bidders' channel] Clarification C-001\nQ: Does the guide say anything about the weather?\nA: No.", // published
		"Exported 2 questions", // export
		"19 October 2009",      // deadlines
	} {
		if !strings.Contains(got, want) {
			t.Errorf("chat output lacks %q:\n%s", want, got)
		}
	}
	if n, _ := st.Count(store.Filter{}); n != 2 {
		t.Errorf("logged %d questions, want 2 (hello is not a question)", n)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "hiec-questions-*.csv"))
	if len(files) != 1 {
		t.Fatalf("export files: %v", files)
	}
	if data, _ := os.ReadFile(files[0]); !bytes.Contains(data, []byte("weather in Leeds")) {
		t.Errorf("export lacks the question:\n%s", data)
	}
}

func TestPrintAnswerNotCovered(t *testing.T) {
	var out bytes.Buffer
	PrintAnswer(&out, knowledge.Result{Question: "Sing me a song", Answers: []knowledge.Answer{{Citation: "Guide, slide 3: x", Text: "y"}}})
	if !strings.Contains(out.String(), "clearly answers") || strings.Contains(out.String(), "slide 3") {
		t.Errorf("an unconfident answer must not be shown as one:\n%s", out.String())
	}
}

func TestPrintReminders(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	entries := []reminders.Entry{{Name: "Detailed bids due (7d before)", Kind: "before", FiresAt: time.Date(2009, 10, 12, 16, 0, 0, 0, time.UTC)}}
	var out bytes.Buffer
	if err := PrintReminders(&out, entries, loc, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Mon 12 Oct 2009 17:00 +01:00") {
		t.Errorf("fire time not shown in London time:\n%s", out.String())
	}
	out.Reset()
	if err := PrintReminders(&out, nil, loc, true); err != nil || strings.TrimSpace(out.String()) != "[]" {
		t.Errorf("empty JSON = %q, %v", out.String(), err)
	}
}
