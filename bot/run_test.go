package bot

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/fakes"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/reminders"
	bolt "go.etcd.io/bbolt"
)

type result struct {
	stdout, stderr string
	err            error
}

// hiecbot runs the command line with the config in dir (none when dir
// is ""), as the operator fakes.User.
func hiecbot(t *testing.T, dir string, stdin string, args ...string) result {
	t.Helper()
	r := fakes.Run(t, func(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
		cli := &CLI{Getenv: getenv, Stdin: stdin, Stdout: stdout, Stderr: stderr, Username: func() string { return fakes.User }}
		return cli.Run(ctx, args)
	}, dir, stdin, args...)
	return result{r.Stdout, r.Stderr, r.Err}
}

func isUsage(err error) bool {
	var ue UsageError
	return errors.As(err, &ue)
}

// project makes a folder with a config whose store lives inside it, and
// a bidders' channel to publish in.
func project(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	body := "storage:\n  path: q.db\nnsg:\n  staff: [UNSG]\n" + extra + "reminders:\n  channel: C0BIDDERS\n"
	if err := os.WriteFile(filepath.Join(dir, "hiecbot.yaml"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestAskOnEmbeddedDefaults(t *testing.T) {
	r := hiecbot(t, "", "", "ask", "When are detailed bids due?")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.stdout, "Guide, slide 17: Application process") || !strings.Contains(r.stdout, "19 Oct") {
		t.Errorf("ask output:\n%s", r.stdout)
	}
}

func TestAskJSON(t *testing.T) {
	r := hiecbot(t, "", "", "ask", "--json", "When are detailed bids due?")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var got struct {
		Question  string `json:"question"`
		Confident bool   `json:"confident"`
		Answers   []struct {
			Source, Ref, Title, Text string
			Score                    float64
		} `json:"answers"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if dec.More() {
		t.Errorf("more than one JSON object:\n%s", r.stdout)
	}
	if got.Question != "When are detailed bids due?" || !got.Confident || len(got.Answers) == 0 || got.Answers[0].Ref != "slide 17" || got.Answers[0].Score <= 0 {
		t.Errorf("answer = %+v", got)
	}
}

func TestAskFromStdin(t *testing.T) {
	r := hiecbot(t, "", "When are detailed bids due?\n\nWhat's the weather in Leeds?\n", "ask", "--json")
	if !errors.Is(r.err, ErrNotCovered) || ExitCode(r.err) != ExitNotCovered {
		t.Fatalf("err = %v, want ErrNotCovered (exit 3) for the uncovered line", r.err)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got %d:\n%s", len(lines), r.stdout)
	}
	var second struct{ Confident bool }
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil || second.Confident {
		t.Errorf("off-topic line: %s (%v)", lines[1], err)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ask", "   "}, "empty"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{nil, "no command"},
		{[]string{"questions", "export", "--format", "pdf"}, "pdf"},
		{[]string{"questions", "export", "--format", "xlsx"}, "--out"},
		{[]string{"questions", "list", "--status", "lost"}, "lost"},
		{[]string{"questions", "list", "--since", "yesterday"}, "yesterday"},
		{[]string{"questions", "answer", "Q-0001"}, "takes 2 argument"},
		{[]string{"reminders", "--at", "someday"}, "someday"},
		{[]string{"config", "check", "--config", "/nonexistent/hiecbot.yaml"}, "/nonexistent/hiecbot.yaml"},
	}
	for _, tc := range tests {
		r := hiecbot(t, "", "", tc.args...)
		if !isUsage(r.err) || !strings.Contains(r.err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want a usage error mentioning %q", tc.args, r.err, tc.want)
		}
	}
}

func TestServeWithoutCredentials(t *testing.T) {
	dir := project(t, "")
	r := hiecbot(t, dir, "", "serve")
	if !isUsage(r.err) {
		t.Fatalf("err = %v, want a usage error (exit 2)", r.err)
	}
	for _, want := range []string{"slack.bot_token", "SLACK_BOT_TOKEN", "README"} {
		if !strings.Contains(r.err.Error(), want) {
			t.Errorf("error %q does not mention %q", r.err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "q.db")); !os.IsNotExist(err) {
		t.Error("serve created the store before checking its settings")
	}
}

func TestConfigCheckMasksSecrets(t *testing.T) {
	dir := project(t, "slack:\n  bot_token: xoxb-1234-very-secret\n")
	r := hiecbot(t, dir, "", "config", "check")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if strings.Contains(r.stdout, "very-secret") || !strings.Contains(r.stdout, "********") || !strings.Contains(r.stdout, "valid") {
		t.Errorf("config check:\n%s", r.stdout)
	}
}

// TestNSGWorkflow asks in the console, then works the log as the NSG from
// the command line: list, show, answer, publish, export, and the answer
// becoming knowledge for the next asker.
func TestNSGWorkflow(t *testing.T) {
	dir := project(t, "")
	r := hiecbot(t, dir, "hello\nCan our consortium recover VAT on equipment?\nWhen are detailed bids due?\n", "chat")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.stdout, "clearly answers") || !strings.Contains(r.stdout, "Q-0001") || !strings.Contains(r.stdout, "slide 17") {
		t.Fatalf("chat output:\n%s", r.stdout)
	}

	r = hiecbot(t, dir, "", "questions", "list", "--status", "awaiting")
	if r.err != nil || !strings.Contains(r.stdout, "Q-0001") || strings.Contains(r.stdout, "Q-0002") {
		t.Fatalf("list awaiting: %v\n%s", r.err, r.stdout)
	}
	r = hiecbot(t, dir, "", "questions", "list", "--json")
	var qs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &qs); err != nil || len(qs) != 2 {
		t.Fatalf("list --json: %v\n%s", err, r.stdout)
	}

	// Bad input: exit 2, nothing changed.
	for _, args := range [][]string{
		{"questions", "answer", "Q-0042", "text"},
		{"questions", "answer", "Q-0001", "   "},
		{"questions", "publish", "Q-0001"},
		{"questions", "show", "Q-0099"},
	} {
		if r := hiecbot(t, dir, "", args...); !isUsage(r.err) {
			t.Errorf("%v: err = %v, want a usage error", args, r.err)
		}
	}
	r = hiecbot(t, dir, "", "questions", "show", "Q-0001")
	if r.err != nil || !strings.Contains(r.stdout, "awaiting") {
		t.Fatalf("show after bad input: %v\n%s", r.err, r.stdout)
	}

	answer := "VAT recovery depends on your organisations; the guide does not set a rule."
	if r := hiecbot(t, dir, "", "questions", "answer", "Q-0001", answer); r.err != nil || !strings.Contains(r.stdout, "Answered Q-0001") {
		t.Fatalf("answer: %v %s", r.err, r.stdout)
	}
	// Until it is published, the answer is the asker's alone.
	if r := hiecbot(t, dir, "", "ask", "--json", "Can a consortium recover VAT on equipment?"); strings.Contains(r.stdout, "VAT recovery depends") {
		t.Errorf("an unpublished NSG answer reached another asker:\n%s", r.stdout)
	}
	// Without --question, publish shows exactly what would be posted and
	// asks; anything but y publishes nothing.
	r = hiecbot(t, dir, "n\n", "questions", "publish", "Q-0001")
	if !isUsage(r.err) || !strings.Contains(r.stdout, "Can our consortium recover VAT on equipment?") || !strings.Contains(r.stdout, answer) || !strings.Contains(r.stdout, "Publish it? [y/N]") {
		t.Fatalf("publish without confirmation: %v\n%s", r.err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "questions", "show", "Q-0001"); !strings.Contains(r.stdout, "nsg_answered") {
		t.Fatalf("a refused confirmation published: %s", r.stdout)
	}
	// Given --question it publishes at once, in the NSG's wording.
	r = hiecbot(t, dir, "", "questions", "publish", "Q-0001", "--question", "Can a consortium recover VAT?", "--by", "J Smith")
	if r.err != nil || !strings.Contains(r.stdout, "as clarification C-001") || !strings.Contains(r.stdout, "Q: Can a consortium recover VAT?") || strings.Contains(r.stdout, "console") {
		t.Fatalf("publish: %v %s", r.err, r.stdout)
	}
	r = hiecbot(t, dir, "", "ask", "--json", "Can a consortium recover VAT on equipment?")
	if r.err != nil || !strings.Contains(r.stdout, `"ref":"C-001"`) || !strings.Contains(r.stdout, `"confident":true`) || strings.Contains(r.stdout, "Q-0001") {
		t.Errorf("the published clarification did not become knowledge, cited by its own number: %v\n%s", r.err, r.stdout)
	}
	r = hiecbot(t, dir, "", "questions", "history", "Q-0001")
	if r.err != nil || !strings.Contains(r.stdout, "answer by nsg-officer") || !strings.Contains(r.stdout, "publish by J Smith (entered by nsg-officer on the command line) as C-001") ||
		!strings.Contains(r.stdout, "published_question: Can our consortium recover VAT on equipment? → Can a consortium recover VAT?") {
		t.Errorf("history: %v\n%s", r.err, r.stdout)
	}

	r = hiecbot(t, dir, "", "audit", "verify")
	if r.err != nil || !strings.Contains(r.stdout, "verifies: 2 entries") {
		t.Errorf("audit verify: %v\n%s", r.err, r.stdout)
	}

	out := filepath.Join(dir, "export.csv")
	if r := hiecbot(t, dir, "", "questions", "export", "--format", "csv", "--out", out); r.err != nil {
		t.Fatal(r.err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv: %d rows, %v", len(rows), err)
	}
	if rows[0][1] != "Asked (Europe/London)" || !strings.HasPrefix(rows[1][1], "20") || len(rows[1][1]) != len("2009-06-03 14:05") {
		t.Errorf("csv times are not local and labelled: %q / %q", rows[0][1], rows[1][1])
	}
	if xl := filepath.Join(dir, "q.xlsx"); hiecbot(t, dir, "", "questions", "export", "--format", "xlsx", "--out", xl).err != nil {
		t.Error("xlsx export failed")
	} else if fi, err := os.Stat(xl); err != nil || fi.Size() == 0 {
		t.Errorf("xlsx file: %v", err)
	}
}

func TestRemindersPreview(t *testing.T) {
	r := hiecbot(t, "", "", "reminders", "--at", "2009-10-01", "--json")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var entries []struct {
		Name, Kind string
		FiresAt    string `json:"fires_at"`
		Sent       bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	found := false
	for _, e := range entries {
		if e.Kind == "before" && e.FiresAt == "2009-10-12T17:00:00+01:00" {
			found = true
		}
	}
	if !found {
		t.Errorf("no reminder 7 days before 19 Oct 2009 17:00 BST in:\n%s", r.stdout)
	}
}

// TestAuditTamperDetectedFromTheCommandLine: an audit entry changed in
// the file after it was written makes `audit verify` fail, naming it.
func TestAuditTamperDetectedFromTheCommandLine(t *testing.T) {
	dir := project(t, "")
	if r := hiecbot(t, dir, "Can our consortium recover VAT on equipment?\n", "chat"); r.err != nil {
		t.Fatal(r.err)
	}
	for _, args := range [][]string{
		{"questions", "answer", "Q-0001", "No.", "--by", "A Jones"},
		{"questions", "answer", "Q-0001", "It depends on each partner.", "--by", "B Khan"},
		{"questions", "publish", "Q-0001", "--yes", "--by", "A Jones"},
		{"questions", "export", "--format", "json", "--out", filepath.Join(dir, "q.json")},
	} {
		if r := hiecbot(t, dir, "", args...); r.err != nil {
			t.Fatalf("%v: %v", args, r.err)
		}
	}
	r := hiecbot(t, dir, "", "audit", "export", "--format", "json")
	var entries []store.AuditEntry
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || len(entries) != 4 || entries[3].Action != store.ActionExport {
		t.Fatalf("audit export: %v %v\n%s", r.err, err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "audit", "verify"); r.err != nil {
		t.Fatalf("audit verify before tampering: %v", r.err)
	}

	// Someone with the file rewrites who gave the first answer.
	db, err := bolt.Open(filepath.Join(dir, "q.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		k := []byte{0, 0, 0, 0, 0, 0, 0, 2}
		return b.Put(k, bytes.Replace(b.Get(k), []byte("B Khan"), []byte("A Jones"), 1))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	r = hiecbot(t, dir, "", "audit", "verify")
	if r.err == nil || ExitCode(r.err) == 0 || !strings.Contains(r.err.Error(), "audit entry 2:") {
		t.Errorf("audit verify after tampering = %v (exit %d); want a failure naming entry 2", r.err, ExitCode(r.err))
	}
}

// TestCiteTeachesTheBot: staff answer a passed-on question by citing the
// passage that answers it; the next bidder who asks it that way is
// answered from that passage (here by the next process, which loads the
// phrasing at start; the running bot indexes it at once, see the Desk's
// TestCiteQuestion).
func TestCiteTeachesTheBot(t *testing.T) {
	dir := project(t, "")
	question := "When must our submission reach you?"
	r := hiecbot(t, dir, question+"\n", "chat")
	if r.err != nil || !strings.Contains(r.stdout, "clearly answers") {
		t.Fatalf("chat: %v\n%s", r.err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "questions", "answer", "Q-0001", "--cite", "Guide, slide 99"); !isUsage(r.err) || !strings.Contains(r.err.Error(), "matches no passage") {
		t.Errorf("citing no passage: %v", r.err)
	}
	r = hiecbot(t, dir, "", "questions", "answer", "Q-0001", "--cite", "guide, slide 17", "--by", "J Smith")
	if r.err != nil || !strings.Contains(r.stdout, "with Guide, slide 17: Application process") {
		t.Fatalf("answer --cite: %v\n%s", r.err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "questions", "show", "Q-0001"); !strings.Contains(r.stdout, "citing Guide, slide 17: Application process") || !strings.Contains(r.stdout, "Detailed bids by 19 Oct") {
		t.Errorf("show after a citation:\n%s", r.stdout)
	}
	r = hiecbot(t, dir, "", "ask", "--json", question)
	if r.err != nil || !strings.Contains(r.stdout, `"confident":true`) || !strings.Contains(r.stdout, `"citation":"Guide, slide 17: Application process"`) {
		t.Errorf("the next bidder asking that way was not answered from the cited passage: %v\n%s", r.err, r.stdout)
	}
	if r := hiecbot(t, dir, "", "questions", "history", "Q-0001"); !strings.Contains(r.stdout, "cite by J Smith") {
		t.Errorf("history:\n%s", r.stdout)
	}
}

// TestFollowersFromTheCommandLine: the NSG sees a question's group (the
// bidders following it) in the list, in show and in its history.
func TestFollowersFromTheCommandLine(t *testing.T) {
	dir := project(t, "")
	r := hiecbot(t, dir, "Can a hospice join a cluster as a partner?\nCould hospices join clusters as partners?\n", "chat")
	if r.err != nil || !strings.Contains(r.stdout, "Q-0002 asks what Q-0001 asks, and follows it") {
		t.Fatalf("chat: %v\n%s", r.err, r.stdout)
	}
	// A second bidder, as Slack would log them.
	st, err := store.Open(filepath.Join(dir, "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if followed, _, err := st.LogFollower(context.Background(), "", &store.Question{UserID: "U0BIDDER2", UserName: "Sam", Via: "dm", Question: "May a hospice partner a cluster?"}, "Q-0001"); err != nil || !followed {
		t.Fatalf("LogFollower: %v %v", followed, err)
	}
	st.Close()
	r = hiecbot(t, dir, "", "questions", "list")
	if !strings.Contains(r.stdout, "awaiting (asked by 2 bidders)") || !strings.Contains(r.stdout, "following Q-0001") {
		t.Errorf("list:\n%s", r.stdout)
	}
	if r := hiecbot(t, dir, "", "questions", "show", "Q-0001"); !strings.Contains(r.stdout, "Asked by 2 bidders") || !strings.Contains(r.stdout, "Q-0003") || !strings.Contains(r.stdout, "Sam (U0BIDDER2)") {
		t.Errorf("show:\n%s", r.stdout)
	}
	if r := hiecbot(t, dir, "", "questions", "history", "Q-0001"); !strings.Contains(r.stdout, "follow by hiecbot") || !strings.Contains(r.stdout, "follower: Q-0002") {
		t.Errorf("history:\n%s", r.stdout)
	}
	// Answering it privately reaches its asker only; staff are told the
	// followers wait for publication.
	if r := hiecbot(t, dir, "", "questions", "answer", "Q-0001", "Yes, as a partner."); r.err != nil || !strings.Contains(r.stdout, "\n1 other bidder follows Q-0001 and gets the answer only when it is published.") {
		t.Errorf("answer: %v\n%s", r.err, r.stdout)
	}
}

// TestPublishRefusedWithoutBiddersChannel: with no reminders.channel the
// command line publishes nothing (a clarification must reach every
// bidder), says to set it, and the question stays unpublished.
func TestPublishRefusedWithoutBiddersChannel(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hiecbot.yaml"), []byte("storage:\n  path: q.db\nnsg:\n  staff: [UNSG]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := hiecbot(t, dir, "Can our consortium recover VAT on equipment?\n", "chat"); r.err != nil {
		t.Fatal(r.err)
	}
	if r := hiecbot(t, dir, "", "questions", "answer", "Q-0001", "It depends on each partner."); r.err != nil {
		t.Fatal(r.err)
	}
	for _, args := range [][]string{
		{"questions", "publish", "Q-0001", "--yes"},
		{"questions", "publish", "Q-0001", "--question", "May a consortium recover VAT?"},
	} {
		r := hiecbot(t, dir, "y\n", args...)
		if r.err == nil || !strings.Contains(r.err.Error(), "reminders.channel") || !strings.Contains(r.err.Error(), "every bidder") {
			t.Errorf("%v: err = %v; want a refusal saying to set reminders.channel", args, r.err)
		}
	}
	r := hiecbot(t, dir, "", "questions", "show", "Q-0001")
	if r.err != nil || !strings.Contains(r.stdout, "nsg_answered") || strings.Contains(r.stdout, "C-001") {
		t.Errorf("after the refusals:\n%s%v", r.stdout, r.err)
	}
}

// TestRemindersShowDelivery: a reminder queued once but failed for good
// in the outbox shows as failed, with why, not as sent; one still queued
// shows as queued.
func TestRemindersShowDelivery(t *testing.T) {
	dir := project(t, "")
	if r := hiecbot(t, dir, "Is VAT recoverable?\n", "chat"); r.err != nil {
		t.Fatal(r.err)
	}
	at := time.Date(2009, 8, 1, 9, 0, 0, 0, time.UTC)
	entries, err := reminders.Entries(config.Default().Reminders, nil, at)
	if err != nil || len(entries) < 2 {
		t.Fatalf("entries: %v, %v", entries, err)
	}
	st, err := store.Open(filepath.Join(dir, "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries[:2] {
		if err := st.PostOnce(context.Background(), e.Key, "C0BIDDERS", e.Name); err != nil {
			t.Fatal(err)
		}
	}
	pending, _ := st.Pending()
	if err := st.MarkFailed(pending[0].ID, errors.New("is_archived"), nil); err != nil {
		t.Fatal(err)
	}
	st.Close()
	r := hiecbot(t, dir, "", "reminders", "--at", "2009-08-01")
	if r.err != nil || !strings.Contains(r.stdout, "FAILED: is_archived") || !strings.Contains(r.stdout, "queued, not yet sent") {
		t.Errorf("reminders:\n%s (%v)", r.stdout, r.err)
	}
	r = hiecbot(t, dir, "", "reminders", "--at", "2009-08-01", "--json")
	if !strings.Contains(r.stdout, `"delivery": "failed: is_archived"`) {
		t.Errorf("reminders --json:\n%s", r.stdout)
	}
}
