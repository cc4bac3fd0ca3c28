package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// clock is a settable fake clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2009, 10, 5, 9, 30, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "data", "questions.db")
}

func openTest(t testing.TB, path string, c *clock) *Store {
	t.Helper()
	opts := Options{Timeout: time.Second}
	if c != nil {
		opts.Now = c.Now
	}
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sampleQuestion(i int) *Question {
	return &Question{
		UserID:    fmt.Sprintf("U%04d", i),
		UserName:  fmt.Sprintf("Bidder %d", i),
		TeamID:    "T0001",
		ChannelID: fmt.Sprintf("D%04d", i),
		Via:       "dm",
		ThreadTS:  fmt.Sprintf("1254000000.%06d", i),
		Question:  fmt.Sprintf("Question %d: can we bid as a consortium for £2m?", i),
		Refs: []Ref{
			{Source: "Guide", Ref: "slide 17", Title: "Application process", Citation: "Guide, slide 17", Score: 1.234},
			{Source: "FAQ", Ref: "Q3", Title: "Consortia", Score: 0.5},
		},
		Confident: i%2 == 0,
	}
}

func mustLog(t testing.TB, s *Store, q *Question) Question {
	t.Helper()
	if err := s.Log(context.Background(), q); err != nil {
		t.Fatalf("Log: %v", err)
	}
	return *q
}

// raw returns the stored bytes of question n, to prove a failed change wrote
// nothing.
func raw(t *testing.T, s *Store, n uint64) []byte {
	t.Helper()
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		out = bytes.Clone(tx.Bucket(bucketQuestions).Get(seqKey(n)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLogAssignsIDTimeAndStatus(t *testing.T) {
	c := newClock()
	s := openTest(t, testPath(t), c)

	confident := sampleQuestion(2)
	unsure := sampleQuestion(1)
	given := sampleQuestion(3)
	given.ID = "Q-9999" // ignored: Log assigns ids
	given.AskedAt = time.Date(2009, 10, 1, 12, 0, 0, 0, time.FixedZone("BST", 3600))
	given.Status = StatusPublished

	mustLog(t, s, confident)
	mustLog(t, s, unsure)
	mustLog(t, s, given)

	tests := []struct {
		q      *Question
		id     string
		at     time.Time
		status Status
	}{
		{confident, "Q-0001", c.Now(), StatusAnswered},
		{unsure, "Q-0002", c.Now(), StatusAwaiting},
		{given, "Q-0003", time.Date(2009, 10, 1, 11, 0, 0, 0, time.UTC), StatusPublished},
	}
	for _, tt := range tests {
		if tt.q.ID != tt.id || !tt.q.AskedAt.Equal(tt.at) || tt.q.AskedAt.Location() != time.UTC || tt.q.Status != tt.status {
			t.Errorf("logged %s at %v status %s; want %s at %v (UTC) status %s",
				tt.q.ID, tt.q.AskedAt, tt.q.Status, tt.id, tt.at, tt.status)
		}
		got, err := s.Get(tt.id)
		if err != nil {
			t.Fatalf("Get(%s): %v", tt.id, err)
		}
		if !reflect.DeepEqual(got, *tt.q) {
			t.Errorf("Get(%s) = %+v\nwant %+v", tt.id, got, *tt.q)
		}
	}
}

func TestLogRejectsBadInput(t *testing.T) {
	s := openTest(t, testPath(t), nil)
	tests := []struct {
		name string
		q    *Question
		want string
	}{
		{"nil", nil, "nil question"},
		{"status", &Question{Question: "x", Status: "closed"}, `unknown status "closed": valid statuses are answered, awaiting, following, nsg_answered, published`},
		{"feedback", &Question{Question: "x", Feedback: "meh"}, `unknown feedback "meh"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Log(context.Background(), tt.q)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Log = %v; want error containing %q", err, tt.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Log(ctx, sampleQuestion(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Log with cancelled context = %v; want context.Canceled", err)
	}
	if n, _ := s.Count(Filter{}); n != 0 {
		t.Errorf("after rejected logs, Count = %d; want 0", n)
	}
}

func TestIDFormat(t *testing.T) {
	for n, want := range map[uint64]string{1: "Q-0001", 42: "Q-0042", 9999: "Q-9999", 10000: "Q-10000", 123456: "Q-123456"} {
		if got := formatID(n); got != want {
			t.Errorf("formatID(%d) = %q; want %q", n, got, want)
		}
		if back, ok := parseID(want); !ok || back != n {
			t.Errorf("parseID(%q) = %d, %v; want %d", want, back, ok, n)
		}
	}
}

func TestIDsNeverReusedAcrossReopen(t *testing.T) {
	path := testPath(t)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		mustLog(t, s, sampleQuestion(i))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path, nil)
	q := mustLog(t, s, sampleQuestion(4))
	if q.ID != "Q-0004" {
		t.Errorf("first id after reopen = %s; want Q-0004", q.ID)
	}
}

func TestLogConcurrent(t *testing.T) {
	s := openTest(t, testPath(t), nil)
	const workers, each = 64, 20
	ids := make(chan string, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				q := sampleQuestion(w*each + i)
				if err := s.Log(context.Background(), q); err != nil {
					t.Error(err)
					return
				}
				ids <- q.ID
			}
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Fatalf("id %s assigned twice", id)
		}
		seen[id] = true
	}
	for n := 1; n <= workers*each; n++ {
		if !seen[formatID(uint64(n))] {
			t.Errorf("id %s missing: the sequence has a gap", formatID(uint64(n)))
		}
	}
}

func TestGetIDForms(t *testing.T) {
	s := openTest(t, testPath(t), nil)
	mustLog(t, s, sampleQuestion(1))
	mustLog(t, s, sampleQuestion(2))

	for _, id := range []string{"Q-0002", "q-0002", "Q-2", "Q2", "q 2", "#2", "2", "0002", "  Q-0002\n"} {
		q, err := s.Get(id)
		if err != nil || q.ID != "Q-0002" {
			t.Errorf("Get(%q) = %s, %v; want Q-0002", id, q.ID, err)
		}
	}
	bad := []struct{ id, msg string }{
		{"Q-0099", "get Q-0099: question not found"},
		{"99", "get Q-0099: question not found"},
		{"", `get "": question not found (question ids look like Q-0042)`},
		{"Q-", `get "Q-": question not found`},
		{"Q-abc", `get "Q-abc": question not found`},
		{"0", `get "0": question not found`},
		{"-2", `get "-2": question not found`},
		{"Q--2", `get "Q--2": question not found`},
		{"Q-2x", `get "Q-2x": question not found`},
		{"99999999999999999999999", `question not found`},
	}
	for _, tt := range bad {
		_, err := s.Get(tt.id)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Get(%q) = %v; want ErrNotFound containing %q", tt.id, err, tt.msg)
		}
	}
}

func TestStatusChanges(t *testing.T) {
	type op func(s *Store, id string) (Question, error)
	answer := func(text, by string) op {
		return func(s *Store, id string) (Question, error) { return s.RecordAnswer(id, text, by) }
	}
	publish := func(s *Store, id string) (Question, error) { return s.Publish(id, Wording{}, "nsg") }
	escalate := func(s *Store, id string) (Question, error) { return s.Escalate(id, "U1") }
	feedback := func(fb string) op {
		return func(s *Store, id string) (Question, error) { return s.SetFeedback(id, fb) }
	}

	tests := []struct {
		name    string
		from    Status // starting status; "" means the question does not exist
		op      op
		want    Status
		check   func(t *testing.T, q Question, at time.Time)
		wantErr error
		msg     string
	}{
		{name: "answer answered", from: StatusAnswered, op: answer("  Yes, as a consortium.  ", "NSG Chair"), want: StatusNSGAnswered,
			check: func(t *testing.T, q Question, at time.Time) {
				if q.NSGAnswer != "Yes, as a consortium." || q.AnsweredBy != "NSG Chair" || q.AnsweredAt == nil || !q.AnsweredAt.Equal(at) {
					t.Errorf("answer fields = %q by %q at %v", q.NSGAnswer, q.AnsweredBy, q.AnsweredAt)
				}
			}},
		{name: "answer awaiting", from: StatusAwaiting, op: answer("Yes.", "NSG"), want: StatusNSGAnswered},
		{name: "re-answer", from: StatusNSGAnswered, op: answer("Revised: yes.", "NSG"), want: StatusNSGAnswered,
			check: func(t *testing.T, q Question, _ time.Time) {
				if q.NSGAnswer != "Revised: yes." {
					t.Errorf("re-answer kept %q", q.NSGAnswer)
				}
			}},
		{name: "answer published", from: StatusPublished, op: answer("Changed.", "NSG"), wantErr: ErrConflict,
			msg: "answer Q-0001: status change not allowed: already published; a published answer cannot be changed"},
		{name: "answer blank", from: StatusAwaiting, op: answer(" \t\n", "NSG"), wantErr: ErrEmpty,
			msg: "answer Q-0001: empty text: the answer is blank"},
		{name: "answer unknown", op: answer("Yes.", "NSG"), wantErr: ErrNotFound, msg: "answer Q-0001: question not found"},
		{name: "publish nsg_answered", from: StatusNSGAnswered, op: publish, want: StatusPublished,
			check: func(t *testing.T, q Question, at time.Time) {
				if q.PublishedAt == nil || !q.PublishedAt.Equal(at) {
					t.Errorf("PublishedAt = %v; want %v", q.PublishedAt, at)
				}
			}},
		{name: "publish awaiting", from: StatusAwaiting, op: publish, wantErr: ErrConflict,
			msg: "publish Q-0001: status change not allowed: it is awaiting and needs an NSG answer first"},
		{name: "publish answered", from: StatusAnswered, op: publish, wantErr: ErrConflict,
			msg: "publish Q-0001: status change not allowed: it is answered and needs an NSG answer first"},
		{name: "publish published", from: StatusPublished, op: publish, wantErr: ErrConflict,
			msg: "publish Q-0001: status change not allowed: already published on 2009-10-05T09:30:00Z"},
		{name: "publish unknown", op: publish, wantErr: ErrNotFound, msg: "publish Q-0001: question not found"},
		{name: "escalate answered", from: StatusAnswered, op: escalate, want: StatusAwaiting},
		{name: "escalate awaiting", from: StatusAwaiting, op: escalate, want: StatusAwaiting},
		{name: "escalate nsg_answered", from: StatusNSGAnswered, op: escalate, wantErr: ErrConflict,
			msg: "escalate Q-0001: status change not allowed: the NSG has already answered it (nsg_answered)"},
		{name: "escalate published", from: StatusPublished, op: escalate, wantErr: ErrConflict,
			msg: "escalate Q-0001: status change not allowed: the NSG has already answered it (published)"},
		{name: "escalate unknown", op: escalate, wantErr: ErrNotFound, msg: "escalate Q-0001: question not found"},
		{name: "feedback helpful", from: StatusAnswered, op: feedback("helpful"), want: StatusAnswered,
			check: func(t *testing.T, q Question, _ time.Time) {
				if q.Feedback != FeedbackHelpful {
					t.Errorf("Feedback = %q", q.Feedback)
				}
			}},
		{name: "feedback not helpful", from: StatusPublished, op: feedback("Not-Helpful"), want: StatusPublished,
			check: func(t *testing.T, q Question, _ time.Time) {
				if q.Feedback != FeedbackNotHelpful {
					t.Errorf("Feedback = %q", q.Feedback)
				}
			}},
		{name: "feedback bad", from: StatusAnswered, op: feedback("great"),
			msg: `feedback Q-0001: unknown feedback "great": valid feedback is helpful or not_helpful`},
		{name: "feedback empty", from: StatusAnswered, op: feedback(""), msg: `unknown feedback ""`},
		{name: "feedback unknown id", op: feedback("helpful"), wantErr: ErrNotFound, msg: "feedback Q-0001: question not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			s := openTest(t, testPath(t), c)
			if tt.from != "" {
				q := sampleQuestion(1)
				q.Status = tt.from
				if tt.from == StatusNSGAnswered || tt.from == StatusPublished {
					at := c.Now()
					q.NSGAnswer, q.AnsweredBy, q.AnsweredAt = "Original answer.", "NSG", &at
				}
				if tt.from == StatusPublished {
					at := c.Now()
					q.PublishedAt = &at
				}
				mustLog(t, s, q)
			}
			c.Advance(time.Hour)
			before := raw(t, s, 1)

			got, err := tt.op(s, "q-1")

			if tt.msg != "" || tt.wantErr != nil {
				if err == nil {
					t.Fatalf("got %+v, nil error; want error %q", got, tt.msg)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("error %v is not %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("error %q does not contain %q", err, tt.msg)
				}
				if after := raw(t, s, 1); !bytes.Equal(before, after) {
					t.Errorf("failed change altered the record:\nbefore %s\nafter  %s", before, after)
				}
				if tt.from == "" {
					if n, _ := s.Count(Filter{}); n != 0 {
						t.Errorf("failed change on unknown id created %d questions", n)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got.Status != tt.want || got.ID != "Q-0001" {
				t.Errorf("got %s status %s; want Q-0001 status %s", got.ID, got.Status, tt.want)
			}
			stored, err := s.Get("Q-0001")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(stored, got) {
				t.Errorf("returned %+v\nstored   %+v", got, stored)
			}
			if tt.check != nil {
				tt.check(t, got, c.Now())
			}
		})
	}
}

func TestEscalateAwaitingWritesNothing(t *testing.T) {
	s := openTest(t, testPath(t), nil)
	mustLog(t, s, sampleQuestion(1)) // not confident: awaiting
	before := raw(t, s, 1)
	var txBefore int
	s.db.View(func(tx *bolt.Tx) error { txBefore = tx.ID(); return nil })
	if _, err := s.Escalate("Q-0001", "U1"); err != nil {
		t.Fatal(err)
	}
	var txAfter int
	s.db.View(func(tx *bolt.Tx) error { txAfter = tx.ID(); return nil })
	if !bytes.Equal(before, raw(t, s, 1)) || txAfter != txBefore {
		t.Errorf("escalating an awaiting question changed the file (tx %d → %d)", txBefore, txAfter)
	}
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		in   string
		want Status
		err  string
	}{
		{"answered", StatusAnswered, ""},
		{" Awaiting ", StatusAwaiting, ""},
		{"NSG-answered", StatusNSGAnswered, ""},
		{"nsg_answered", StatusNSGAnswered, ""},
		{"PUBLISHED", StatusPublished, ""},
		{"closed", "", `unknown status "closed": valid statuses are answered, awaiting, following, nsg_answered, published`},
		{"", "", `unknown status "": valid statuses are`},
	}
	for _, tt := range tests {
		got, err := ParseStatus(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseStatus(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestFilter(t *testing.T) {
	c := newClock()
	s := openTest(t, testPath(t), c)
	start := c.Now()
	statuses := []Status{StatusAnswered, StatusAwaiting, StatusNSGAnswered, StatusPublished, StatusAwaiting}
	for i, st := range statuses {
		q := sampleQuestion(i)
		q.Status = st
		q.AskedAt = start.Add(time.Duration(i) * time.Hour)
		mustLog(t, s, q)
	}
	ids := func(qs []Question) string {
		var out []string
		for _, q := range qs {
			out = append(out, q.ID)
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		name string
		f    Filter
		want string
	}{
		{"all", Filter{}, "Q-0001 Q-0002 Q-0003 Q-0004 Q-0005"},
		{"awaiting", Filter{Status: []Status{StatusAwaiting}}, "Q-0002 Q-0005"},
		{"nsg", Filter{Status: []Status{StatusPublished, StatusNSGAnswered}}, "Q-0003 Q-0004"},
		{"since inclusive", Filter{Since: start.Add(3 * time.Hour)}, "Q-0004 Q-0005"},
		{"until exclusive", Filter{Until: start.Add(2 * time.Hour)}, "Q-0001 Q-0002"},
		{"window", Filter{Since: start.Add(time.Hour), Until: start.Add(4 * time.Hour)}, "Q-0002 Q-0003 Q-0004"},
		{"window and status", Filter{Status: []Status{StatusAwaiting}, Since: start.Add(time.Hour), Until: start.Add(4 * time.Hour)}, "Q-0002"},
		{"since in another zone", Filter{Since: start.Add(4 * time.Hour).In(time.FixedZone("BST", 3600))}, "Q-0005"},
		{"empty", Filter{Since: start.Add(24 * time.Hour)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs, err := s.List(tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(qs); got != tt.want {
				t.Errorf("List = %q; want %q", got, tt.want)
			}
			n, err := s.Count(tt.f)
			if err != nil || n != len(qs) {
				t.Errorf("Count = %d, %v; want %d", n, err, len(qs))
			}
		})
	}

	var nsg []string
	if err := s.NSGAnswers(func(q Question) error { nsg = append(nsg, q.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(nsg, " "); got != "Q-0003 Q-0004" {
		t.Errorf("NSGAnswers = %q; want Q-0003 Q-0004", got)
	}

	stop := errors.New("stop")
	calls := 0
	err := s.Each(Filter{}, func(Question) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("Each with failing fn = %v after %d calls; want the fn's error after 1", err, calls)
	}
}

func TestEachSeesSnapshotWhileWriting(t *testing.T) {
	s := openTest(t, testPath(t), nil)
	for i := range 10 {
		mustLog(t, s, sampleQuestion(i))
	}
	n := 0
	err := s.Each(Filter{}, func(q Question) error {
		n++
		if n == 1 {
			// Writers proceed while a reader streams, and the reader keeps
			// its snapshot.
			for i := range 5 {
				mustLog(t, s, sampleQuestion(100+i))
			}
			if _, err := s.RecordAnswer("Q-0010", "Later answer.", "NSG"); err != nil {
				t.Error(err)
			}
		}
		if q.ID == "Q-0010" && q.Status == StatusNSGAnswered {
			t.Error("Each saw a change made after it started")
		}
		return nil
	})
	if err != nil || n != 10 {
		t.Errorf("Each visited %d, %v; want the 10 questions of its snapshot", n, err)
	}
	if total, _ := s.Count(Filter{}); total != 15 {
		t.Errorf("Count = %d; want 15", total)
	}
}

func TestClarificationHasNoAskerIdentity(t *testing.T) {
	at := time.Date(2009, 11, 2, 10, 0, 0, 0, time.UTC)
	q := Question{
		ID: "Q-0042", AskedAt: at, UserID: "U0SECRETID", UserName: "Jane Bidder",
		TeamID: "T0SECRETTEAM", ChannelID: "C0SECRETCHAN", Via: "mention", ThreadTS: "1257156000.000100",
		Question: "May a consortium bid?", Refs: []Ref{{Source: "Guide", Ref: "slide 3"}},
		Status: StatusPublished, NSGAnswer: "Yes.", AnsweredBy: "NSG Chair Smith", AnsweredAt: &at, PublishedAt: &at,
		Feedback: "helpful", Clarification: "C-007", PublishedQuestion: "May a consortium bid?",
	}
	c := q.Clarified()
	want := Clarification{ID: "C-007", Question: "May a consortium bid?", Answer: "Yes.", PublishedAt: at}
	if c != want {
		t.Errorf("Clarification = %+v; want %+v", c, want)
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{q.UserID, q.UserName, q.TeamID, q.ChannelID, q.ThreadTS, q.AnsweredBy, q.Via, "user", "team", "channel", "thread"} {
		if bytes.Contains(bytes.ToLower(data), bytes.ToLower([]byte(secret))) {
			t.Errorf("clarification JSON %s contains %q", data, secret)
		}
	}
	var keys map[string]any
	if err := json.Unmarshal(data, &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 4 || keys["id"] == nil || keys["question"] == nil || keys["answer"] == nil || keys["published_at"] == nil {
		t.Errorf("clarification JSON keys = %v; want exactly id, question, answer, published_at", keys)
	}
	allowed := map[string]bool{"ID": true, "Question": true, "Answer": true, "PublishedAt": true}
	typ := reflect.TypeFor[Clarification]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !allowed[f.Name] {
			t.Errorf("Clarification has field %s; only %v are allowed", f.Name, allowed)
		}
		for _, bad := range []string{"user", "team", "channel", "thread", "by", "via", "asker", "org"} {
			if strings.Contains(strings.ToLower(f.Name+" "+f.Tag.Get("json")), bad) {
				t.Errorf("Clarification field %s (%s) looks like asker identity (%q)", f.Name, f.Tag, bad)
			}
		}
	}
}

func TestOpenCreatesPrivateFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "var", "hiecbot")
	path := filepath.Join(dir, "questions.db")
	s := openTest(t, path, nil)
	_ = s
	for p, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s mode = %v; want %v", p, fi.Mode(), want)
		}
	}
}

func TestOpenLocked(t *testing.T) {
	path := testPath(t)
	openTest(t, path, nil)
	start := time.Now()
	s2, err := Open(path, Options{Timeout: 100 * time.Millisecond})
	if err == nil {
		s2.Close()
		t.Fatal("second Open of a held file succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("error %v is not ErrLocked", err)
	}
	for _, want := range []string{path, "in use", "hiecbot serve", "100ms"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Open gave up after %v; want about 100ms", d)
	}
	// Read-only opens wait for the writer too.
	if _, err := Open(path, Options{Timeout: 100 * time.Millisecond, ReadOnly: true}); !errors.Is(err, ErrLocked) {
		t.Errorf("read-only Open of a held file = %v; want ErrLocked", err)
	}
}

func TestOpenReadOnly(t *testing.T) {
	path := testPath(t)
	if _, err := Open(path, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("read-only Open of a missing file = %v; want an error naming %s", err, path)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustLog(t, s, sampleQuestion(1))
	s.Close()

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if n, err := ro.Count(Filter{}); err != nil || n != 1 {
		t.Errorf("read-only Count = %d, %v; want 1", n, err)
	}
	if err := ro.Log(context.Background(), sampleQuestion(2)); err == nil {
		t.Error("Log on a read-only store succeeded")
	}
	if _, err := ro.RecordAnswer("Q-0001", "x", "y"); err == nil || !strings.Contains(err.Error(), "answer Q-0001 in "+path) ||
		!strings.Contains(err.Error(), "read-only") {
		t.Errorf("Answer on a read-only store = %v; want a read-only error naming the question and file", err)
	}
}

func TestFirstSeen(t *testing.T) {
	c := newClock()
	path := testPath(t)
	s, err := Open(path, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	check := func(s *Store, key string, want bool) {
		t.Helper()
		got, err := s.FirstSeen(key)
		if err != nil || got != want {
			t.Errorf("FirstSeen(%q) = %v, %v; want %v", key, got, err, want)
		}
	}
	check(s, "Ev001", true)
	check(s, "Ev001", false)
	check(s, "Ev002", true)
	if _, err := s.FirstSeen(""); !errors.Is(err, ErrEmpty) {
		t.Errorf("FirstSeen(\"\") = %v; want ErrEmpty", err)
	}
	s.Close()

	s = openTest(t, path, c)
	check(s, "Ev001", false) // survives reopen
	c.Advance(90 * time.Minute)
	check(s, "Ev002", false) // still remembered after an hour and a half
	check(s, "Ev003", true)
	c.Advance(time.Hour) // Ev001 and Ev002 are now 2.5h old, Ev003 1h
	check(s, "Ev004", true)
	var pruned []string
	s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSeen).ForEach(func(k, _ []byte) error {
			pruned = append(pruned, string(k))
			return nil
		})
	})
	if got := strings.Join(pruned, " "); got != "Ev003 Ev004" {
		t.Errorf("after pruning, remembered keys = %q; want Ev003 Ev004", got)
	}
	check(s, "Ev003", false)
}

// TestFirstSeenSweep: the dedupe ledger is pruned a few entries per call,
// round the whole ledger, whatever its size: no key is forgotten before
// two hours, every stale one is gone within a round, and recording a key
// writes no second index.
func TestFirstSeenSweep(t *testing.T) {
	c := newClock()
	s := openTest(t, testPath(t), c)
	keys := func() (n int) {
		s.db.View(func(tx *bolt.Tx) error {
			n = tx.Bucket(bucketSeen).Stats().KeyN
			if m := tx.Bucket(bucketSeenByTime).Stats().KeyN; m != 0 {
				t.Errorf("the time index holds %d entries; want none", m)
			}
			return nil
		})
		return n
	}
	const old = 10 * sweepBatch
	for i := range old {
		if first, err := s.FirstSeen(fmt.Sprintf("old%04d", i)); err != nil || !first {
			t.Fatalf("FirstSeen = %v, %v", first, err)
		}
	}
	c.Advance(dedupeTTL - time.Minute)
	for i := range old { // new keys while the old are still remembered
		if first, _ := s.FirstSeen(fmt.Sprintf("new%04d", i)); !first {
			t.Fatalf("new%04d not new", i)
		}
	}
	if first, _ := s.FirstSeen("old0000"); first {
		t.Error("a key seen 1h59m ago was forgotten")
	}
	if n := keys(); n != 2*old {
		t.Errorf("%d keys remembered; want %d", n, 2*old)
	}
	c.Advance(2 * time.Minute) // the old keys are stale, the new ones are not
	for i := range 2*old/sweepBatch + 1 {
		if first, _ := s.FirstSeen(fmt.Sprintf("more%04d", i)); !first {
			t.Fatalf("more%04d not new", i)
		}
	}
	if n := keys(); n != old+2*old/sweepBatch+1 {
		t.Errorf("%d keys remembered after a round; want the %d recent ones", n, old+2*old/sweepBatch+1)
	}
	if first, _ := s.FirstSeen("new0001"); first {
		t.Error("a key seen 1h1m ago was forgotten")
	}
}

// TestFirstSeenLegacyIndex: entries of a ledger written with a time index
// (before the sweep) are still remembered and pruned through it.
func TestFirstSeenLegacyIndex(t *testing.T) {
	c := newClock()
	s := openTest(t, testPath(t), c)
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i, at := range []time.Time{c.Now().Add(-3 * time.Hour), c.Now().Add(-time.Hour)} {
			k := fmt.Sprintf("legacy%d", i)
			ts := make([]byte, 8)
			binary.BigEndian.PutUint64(ts, uint64(at.UnixNano()))
			if err := tx.Bucket(bucketSeen).Put([]byte(k), ts); err != nil {
				return err
			}
			if err := tx.Bucket(bucketSeenByTime).Put(append(ts, k...), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.sweepFrom = []byte("z") // the sweep is elsewhere: the index prunes
	if first, _ := s.FirstSeen("legacy1"); first {
		t.Error("a legacy key seen an hour ago was forgotten")
	}
	var seen, byTime []string
	s.db.View(func(tx *bolt.Tx) error {
		tx.Bucket(bucketSeen).ForEach(func(k, _ []byte) error { seen = append(seen, string(k)); return nil })
		tx.Bucket(bucketSeenByTime).ForEach(func(k, _ []byte) error { byTime = append(byTime, string(k[8:])); return nil })
		return nil
	})
	if got, want := strings.Join(seen, " ")+" | "+strings.Join(byTime, " "), "legacy1 | legacy1"; got != want {
		t.Errorf("ledger | time index = %q; want %q (legacy0 pruned from both)", got, want)
	}
}

func TestFirstSeenConcurrent(t *testing.T) {
	s := openTest(t, testPath(t), nil)
	var (
		mu     sync.Mutex
		firsts int
		wg     sync.WaitGroup
	)
	for range 32 {
		wg.Go(func() {
			ok, err := s.FirstSeen("Ev-retry")
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firsts != 1 {
		t.Errorf("32 concurrent FirstSeen of one key reported first %d times; want 1", firsts)
	}
}

func TestReminderLedger(t *testing.T) {
	path := testPath(t)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := "deadline-2009-11-30/24h"
	if sent, err := s.Ledger().Sent(key); err != nil || sent {
		t.Errorf("Sent before marking = %v, %v; want false", sent, err)
	}
	if err := s.Ledger().MarkSent(key, time.Date(2009, 11, 29, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := s.Ledger().MarkSent("", time.Now()); !errors.Is(err, ErrEmpty) {
		t.Errorf("MarkSent(\"\") = %v; want ErrEmpty", err)
	}
	if _, err := s.Ledger().Sent(""); !errors.Is(err, ErrEmpty) {
		t.Errorf("Sent(\"\") = %v; want ErrEmpty", err)
	}
	s.Close()

	s = openTest(t, path, nil)
	if sent, err := s.Ledger().Sent(key); err != nil || !sent {
		t.Errorf("Sent after reopen = %v, %v; want true", sent, err)
	}
	if sent, _ := s.Ledger().Sent("deadline-2009-11-30/1h"); sent {
		t.Error("an unmarked reminder reads as sent")
	}
}

func TestLogOnce(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := 0
	for i := 0; i < 8; i++ { // Slack retries racing each other
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := &Question{Question: "When are bids due?", UserID: "U1"}
			first, err := s.LogOnce(ctx, "event:Ev1", q)
			if err != nil {
				t.Error(err)
				return
			}
			if first != (q.ID != "") {
				t.Errorf("first = %v but id = %q", first, q.ID)
			}
			if first {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if n, _ := s.Count(Filter{}); firsts != 1 || n != 1 {
		t.Fatalf("8 deliveries of one event: %d first, %d logged; want 1 and 1", firsts, n)
	}
	if first, _ := s.FirstSeen("event:Ev1"); first {
		t.Error("LogOnce did not record its key")
	}
	if _, err := s.LogOnce(ctx, "", &Question{Question: "x"}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty key: %v", err)
	}
	// A bad question records neither the question nor the key.
	if _, err := s.LogOnce(ctx, "event:Ev2", &Question{Question: "x", Status: "lost"}); err == nil {
		t.Fatal("bad status accepted")
	}
	if first, _ := s.FirstSeen("event:Ev2"); !first {
		t.Error("a failed LogOnce recorded its key, so Slack's retry would be dropped")
	}
}
