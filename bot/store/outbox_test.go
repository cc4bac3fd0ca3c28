package store

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestOutboxQueuedWithTheChange: a question's messages are committed in
// the same transaction as the question, a repeat delivery queues nothing,
// and every change a composer answers for queues its messages.
func TestOutboxQueuedWithTheChange(t *testing.T) {
	s := openTest(t, testPath(t), newClock())
	var handed []Message
	s.OnQueued(func(m []Message) { handed = append(handed, m...) })
	s.SetComposer(func(op string, q Question) []Message {
		switch op {
		case "log":
			if q.Status == StatusAwaiting {
				return []Message{{Kind: "nsg_notice", Channel: "CNSG", Key: "nsg|" + q.ID, Text: q.ID + " awaits"}}
			}
		case "answer":
			return []Message{{Kind: "delivery", User: q.UserID, Text: q.NSGAnswer}}
		}
		return nil
	})
	reply := func(q Question) []Message {
		return []Message{{Kind: "answer", Channel: q.ChannelID, Text: "answer to " + q.ID}}
	}
	q := sampleQuestion(1) // not confident: awaiting
	first, err := s.LogOnce(WithMessages(context.Background(), reply), "event:Ev1", q)
	if err != nil || !first {
		t.Fatal(first, err)
	}
	again := sampleQuestion(1)
	if first, err := s.LogOnce(WithMessages(context.Background(), reply), "event:Ev1", again); err != nil || first {
		t.Fatalf("repeat: %v %v", first, err)
	}
	pending, err := s.Pending()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].Kind != "answer" || pending[0].Text != "answer to "+q.ID || pending[1].Kind != "nsg_notice" {
		t.Fatalf("pending after one question and its repeat: %+v", pending)
	}
	for _, m := range pending {
		if m.QuestionID != q.ID || m.Status != OutboxPending || !strings.HasPrefix(m.ID, "M-") {
			t.Errorf("message %+v", m)
		}
	}
	if len(handed) != 2 {
		t.Errorf("%d messages handed to the sender, want 2", len(handed))
	}
	if _, err := s.RecordAnswer(q.ID, "Yes.", "nsg"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Outbox(OutboxFilter{QuestionID: q.ID}); len(got) != 3 || got[2].Kind != "delivery" || got[2].User != q.UserID {
		t.Fatalf("outbox for %s: %+v", q.ID, got)
	}
	// A key already queued is not queued again.
	if out, err := s.Enqueue(context.Background(), Message{Kind: "nsg_notice", Channel: "CNSG", Key: "nsg|" + q.ID}); err != nil || len(out) != 0 {
		t.Errorf("re-queued a key: %+v %v", out, err)
	}
	if _, err := s.Enqueue(context.Background(), Message{Kind: "x"}); err == nil {
		t.Error("a message with no channel or user was queued")
	}
}

// TestOutboxStatuses: sent, retried and failed messages, with the staff
// notices a failure queues in its own transaction.
func TestOutboxStatuses(t *testing.T) {
	c := newClock()
	s := openTest(t, testPath(t), c)
	msgs, err := s.Enqueue(context.Background(),
		Message{Kind: "reminder", Channel: "CBID", Text: "a"},
		Message{Kind: "reminder", Channel: "CBID", Text: "b", NotifyStaff: true},
		Message{Kind: "export", User: "UNSG", File: &OutFile{Name: "q.csv", Data: []byte("x,y")}})
	if err != nil || len(msgs) != 3 {
		t.Fatal(msgs, err)
	}
	if err := s.MarkSent(msgs[0].ID, "1.000100"); err != nil {
		t.Fatal(err)
	}
	next := c.Now().Add(time.Minute)
	if err := s.Retry(msgs[1].ID, next, errors.New("503")); err != nil {
		t.Fatal(err)
	}
	if m := find(t, s, msgs[1].ID); m.Attempts != 1 || !m.Tried || !m.NextAt.Equal(next) || m.Error != "503" {
		t.Fatalf("after Retry: %+v", m)
	}
	err = s.MarkFailed(msgs[1].ID, errors.New("channel_not_found"), func(f Message) []Message {
		return []Message{{Kind: "staff_notice", User: "UNSG", Text: f.ID + ": " + f.Error}}
	})
	if m := find(t, s, msgs[1].ID); err != nil || m.Status != OutboxFailed || m.Attempts != 2 || m.Text != "b" {
		t.Fatalf("MarkFailed = %+v, %v", m, err)
	}
	if m := find(t, s, msgs[0].ID); m.Status != OutboxSent || m.TS != "1.000100" || m.SentAt == nil {
		t.Fatalf("after MarkSent: %+v", m)
	}
	failed, _ := s.Outbox(OutboxFilter{Status: OutboxFailed})
	if len(failed) != 1 || failed[0].Error != "channel_not_found" {
		t.Errorf("failed: %+v", failed)
	}
	pending, _ := s.Pending()
	if len(pending) != 2 || pending[0].File == nil || string(pending[0].File.Data) != "x,y" || pending[1].Text != msgs[1].ID+": channel_not_found" {
		t.Fatalf("pending: %+v", pending)
	}
	listed, _ := s.Outbox(OutboxFilter{Status: OutboxPending})
	if listed[0].File == nil || listed[0].File.Data != nil {
		t.Error("the outbox listing carries file data")
	}
	if err := s.MarkSent(msgs[2].ID, "F0"); err != nil {
		t.Fatal(err)
	}
	s.flushMarks() // as the next commit, or the timer, would
	var raw []byte
	_ = s.db.View(func(tx *bolt.Tx) error {
		raw = bytes.Clone(tx.Bucket(bucketOutbox).Get(seqKey(3)))
		return nil
	})
	if bytes.Contains(raw, []byte(`"data"`)) {
		t.Errorf("a sent upload keeps its data: %s", raw)
	}
	if err := s.MarkSent("bogus", "x"); !errors.Is(err, ErrNoMessage) {
		t.Errorf("malformed id: %v", err)
	}
	// The outbox survives a reopen.
	path := s.path
	s.Close()
	s2 := openTest(t, path, c)
	if p, _ := s2.Pending(); len(p) != 1 {
		t.Errorf("pending after reopen: %d", len(p))
	}
}

func find(t *testing.T, s *Store, id string) Message {
	t.Helper()
	all, err := s.Outbox(OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no message %s", id)
	return Message{}
}

// TestPostOnce: a reminder is queued and marked sent in one step, once.
func TestPostOnce(t *testing.T) {
	s := openTest(t, testPath(t), newClock())
	for range 3 {
		if err := s.PostOnce(context.Background(), "deadline|bids|7d", "CBID", "7 days left"); err != nil {
			t.Fatal(err)
		}
	}
	if sent, _ := s.Ledger().Sent("deadline|bids|7d"); !sent {
		t.Error("the reminder is not marked sent")
	}
	if p, _ := s.Pending(); len(p) != 1 || p[0].Kind != "reminder" || p[0].Text != "7 days left" {
		t.Errorf("pending: %+v", p)
	}
}

// TestMarkSentRidesOnTheNextCommit: a message's record of being sent costs
// no commit of its own when questions are being logged, is seen at once by
// the store's reads, and survives a close.
func TestMarkSentRidesOnTheNextCommit(t *testing.T) {
	c := newClock()
	path := testPath(t)
	s := openTest(t, path, c)
	msgs, err := s.Enqueue(context.Background(), Message{Kind: "answer", Channel: "D1", Text: "a"}, Message{Kind: "answer", Channel: "D2", Text: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(msgs[0].ID, "1.0001"); err != nil {
		t.Fatal(err)
	}
	if m := find(t, s, msgs[0].ID); m.Status != OutboxSent || m.TS != "1.0001" {
		t.Errorf("a mark not yet committed is not seen: %+v", m)
	}
	if p, _ := s.Pending(); len(p) != 1 || p[0].ID != msgs[1].ID {
		t.Errorf("pending = %+v", p)
	}
	mustLog(t, s, sampleQuestion(1)) // the mark rides on this commit
	s.marks.mu.Lock()
	left := len(s.marks.m)
	s.marks.mu.Unlock()
	if left != 0 {
		t.Errorf("%d marks still waiting after a commit", left)
	}
	if err := s.MarkSent(msgs[1].ID, "1.0002"); err != nil {
		t.Fatal(err)
	}
	s.Close() // flushes
	s2 := openTest(t, path, c)
	for _, id := range []string{msgs[0].ID, msgs[1].ID} {
		if m := find(t, s2, id); m.Status != OutboxSent {
			t.Errorf("%s after reopen: %s", id, m.Status)
		}
	}
	// Without a commit to ride on, the timer commits marks by themselves.
	more, _ := s2.Enqueue(context.Background(), Message{Kind: "answer", Channel: "D3", Text: "c"})
	s2.MarkSent(more[0].ID, "1.0003")
	deadline := time.Now().Add(5 * time.Second)
	for {
		s2.marks.mu.Lock()
		left := len(s2.marks.m)
		s2.marks.mu.Unlock()
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the timer never committed the mark")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
