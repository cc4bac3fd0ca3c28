package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// nsgSession logs two questions and works them as the NSG would: answer,
// re-answer, cite, publish with edits, export.
func nsgSession(t *testing.T, s *Store) {
	t.Helper()
	mustLog(t, s, &Question{UserID: "U1", Question: "We are Leeds and Acme: may a hospice join?", Status: StatusAwaiting})
	mustLog(t, s, &Question{UserID: "U2", Question: "When are bids due?", Status: StatusAwaiting})
	steps := []func() error{
		func() error { _, err := s.RecordAnswer("Q-0001", "Yes.", "U0STAFF1"); return err },
		func() error { _, err := s.RecordAnswer("Q-0001", "Yes, as a partner.", "U0STAFF2"); return err },
		func() error {
			_, err := s.Cite("Q-0002", "Guide, slide 17: Application process", "Detailed bids by 19 October.", "J Smith")
			return err
		},
		func() error {
			_, err := s.Publish("Q-0001", Wording{Question: "May a hospice join a cluster?"}, "U0STAFF1")
			return err
		},
		func() error {
			return s.RecordExport("U0STAFF2", FormatCSV, Filter{Status: []Status{StatusPublished}}, 1)
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
}

func TestAuditRecordsEveryNSGAction(t *testing.T) {
	s := openTest(t, testPath(t), newClock())
	nsgSession(t, s)
	n, err := s.VerifyAudit()
	if err != nil || n != 5 {
		t.Fatalf("VerifyAudit = %d, %v; want 5 entries and no error", n, err)
	}
	var got []string
	prev := ""
	err = s.AuditEach(func(e AuditEntry) error {
		got = append(got, e.Action+" "+e.Question+" by "+e.By)
		if e.Prev != prev || len(e.Hash) != 64 || e.At.IsZero() {
			t.Errorf("entry %d: prev %q (want %q), hash %q, at %v", e.Seq, e.Prev, prev, e.Hash, e.At)
		}
		prev = e.Hash
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"answer Q-0001 by U0STAFF1", "re-answer Q-0001 by U0STAFF2", "cite Q-0002 by J Smith", "publish Q-0001 by U0STAFF1", "export  by U0STAFF2"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("trail = %q; want %q", got, want)
	}

	// The history keeps the answer a re-answer replaced, oldest first.
	h, err := s.History("q1")
	if err != nil || len(h) != 3 {
		t.Fatalf("History = %+v, %v; want 3 entries", h, err)
	}
	if c := changeOf(h[1], "answer"); c.From != "Yes." || c.To != "Yes, as a partner." {
		t.Errorf("re-answer change = %+v; want Yes. → Yes, as a partner.", c)
	}
	if c := changeOf(h[2], "published_question"); c.From != "We are Leeds and Acme: may a hospice join?" || c.To != "May a hospice join a cluster?" || h[2].Clarification != "C-001" {
		t.Errorf("publish entry = %+v", h[2])
	}
	if _, err := s.History("Q-0099"); !errors.Is(err, ErrNotFound) {
		t.Errorf("History of an unknown question: %v", err)
	}
}

func changeOf(e AuditEntry, field string) Change {
	for _, c := range e.Changes {
		if c.Field == field {
			return c
		}
	}
	return Change{}
}

func TestPublishNumbersClarificationsInTheirOwnSequence(t *testing.T) {
	s := openTest(t, testPath(t), newClock())
	for i := 0; i < 5; i++ {
		mustLog(t, s, &Question{UserID: "U1", Question: "q", Status: StatusAwaiting})
	}
	for _, id := range []string{"Q-0005", "Q-0002"} {
		if _, err := s.RecordAnswer(id, "a", "nsg"); err != nil {
			t.Fatal(err)
		}
	}
	q5, err := s.Publish("Q-0005", Wording{Answer: "  Edited answer.  "}, "nsg")
	if err != nil {
		t.Fatal(err)
	}
	q2, err := s.Publish("Q-0002", Wording{}, "nsg")
	if err != nil {
		t.Fatal(err)
	}
	if q5.Clarification != "C-001" || q2.Clarification != "C-002" {
		t.Errorf("numbers %s, %s; want C-001 then C-002 in publication order", q5.Clarification, q2.Clarification)
	}
	c := q5.Clarified()
	if c.ID != "C-001" || c.Question != "q" || c.Answer != "Edited answer." || q5.NSGAnswer != "a" {
		t.Errorf("clarification %+v (NSG answer %q); want the edited answer published and the answer kept", c, q5.NSGAnswer)
	}
	if got, _ := s.Get("Q-0005"); got.Clarification != "C-001" || got.PublishedAnswer != "Edited answer." {
		t.Errorf("stored %+v", got)
	}
}

// TestAuditTamperDetected: whatever is done to a stored entry, verify
// names the first entry that no longer matches.
func TestAuditTamperDetected(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func(t *testing.T, b *bolt.Bucket, head *bolt.Bucket)
		wantSeq uint64
		reason  string
	}{
		{"an answer rewritten", func(t *testing.T, b, _ *bolt.Bucket) {
			rewrite(t, b, 2, func(e *AuditEntry) { e.Changes[1].From = "No." }, false)
		}, 2, "does not match its hash"},
		{"who answered rewritten, hash recomputed", func(t *testing.T, b, _ *bolt.Bucket) {
			rewrite(t, b, 2, func(e *AuditEntry) { e.By = "U0SOMEONEELSE" }, true)
		}, 3, "does not follow entry 2"},
		{"an entry removed", func(t *testing.T, b, _ *bolt.Bucket) {
			if err := b.Delete(seqKey(3)); err != nil {
				t.Fatal(err)
			}
		}, 3, "missing"},
		{"the last entry removed", func(t *testing.T, b, _ *bolt.Bucket) {
			if err := b.Delete(seqKey(5)); err != nil {
				t.Fatal(err)
			}
		}, 5, "head records entry 5"},
		{"the last entry rewritten", func(t *testing.T, b, _ *bolt.Bucket) {
			rewrite(t, b, 5, func(e *AuditEntry) { e.Changes[1].To = "0" }, false)
		}, 5, "does not match its hash"},
		{"the last entry removed, the head rewritten to match", func(t *testing.T, b, hb *bolt.Bucket) {
			var e AuditEntry
			if err := json.Unmarshal(b.Get(seqKey(4)), &e); err != nil {
				t.Fatal(err)
			}
			if err := b.Delete(seqKey(5)); err != nil {
				t.Fatal(err)
			}
			hv, _ := json.Marshal(auditHead{Seq: 4, Hash: e.Hash})
			if err := hb.Put(auditHeadKey, hv); err != nil {
				t.Fatal(err)
			}
			if err := b.SetSequence(4); err != nil {
				t.Fatal(err)
			}
		}, 5, "records entry 5: entries were removed from the end"},
		{"an entry rewritten, the chain and head recomputed", func(t *testing.T, b, hb *bolt.Bucket) {
			prev := ""
			for n := uint64(1); n <= 5; n++ {
				rewrite(t, b, n, func(e *AuditEntry) {
					if n == 2 {
						e.By = "U0SOMEONEELSE"
					}
					e.Prev = prev
				}, true)
				var e AuditEntry
				_ = json.Unmarshal(b.Get(seqKey(n)), &e)
				prev = e.Hash
			}
			hv, _ := json.Marshal(auditHead{Seq: 5, Hash: prev})
			if err := hb.Put(auditHeadKey, hv); err != nil {
				t.Fatal(err)
			}
		}, 2, "the trail was rewritten from here on"},
		{"garbage", func(t *testing.T, b, _ *bolt.Bucket) {
			if err := b.Put(seqKey(1), []byte("{not json")); err != nil {
				t.Fatal(err)
			}
		}, 1, "not a valid entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, testPath(t), newClock())
			nsgSession(t, s)
			err := s.db.Update(func(tx *bolt.Tx) error {
				tt.tamper(t, tx.Bucket(bucketAudit), tx.Bucket(bucketAuditHead))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.VerifyAudit()
			var ae *AuditError
			if !errors.As(err, &ae) || !errors.Is(err, ErrAuditBroken) {
				t.Fatalf("VerifyAudit = %v; want an *AuditError", err)
			}
			if ae.Seq != tt.wantSeq || !strings.Contains(ae.Reason, tt.reason) {
				t.Errorf("VerifyAudit = %v; want entry %d, reason containing %q", err, tt.wantSeq, tt.reason)
			}
		})
	}
}

// rewrite changes entry n in place; rehash recomputes its own hash (as a
// forger would), which the next entry's link still catches.
func rewrite(t *testing.T, b *bolt.Bucket, n uint64, change func(*AuditEntry), rehash bool) {
	t.Helper()
	var e AuditEntry
	if err := json.Unmarshal(b.Get(seqKey(n)), &e); err != nil {
		t.Fatal(err)
	}
	change(&e)
	if rehash {
		h, err := e.digest()
		if err != nil {
			t.Fatal(err)
		}
		e.Hash = h
	}
	data, _ := json.Marshal(e)
	if err := b.Put(seqKey(n), data); err != nil {
		t.Fatal(err)
	}
}

func TestExportAudit(t *testing.T) {
	s := openTest(t, testPath(t), newClock())
	nsgSession(t, s)
	var buf bytes.Buffer
	n, err := s.ExportAudit(&buf, FormatCSV)
	if err != nil || n != 5 {
		t.Fatalf("ExportAudit csv = %d, %v", n, err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 6 || strings.Join(rows[0], ",") != strings.Join(auditColumns, ",") {
		t.Fatalf("csv rows %q, %v", rows, err)
	}
	if rows[2][3] != "re-answer" || !strings.Contains(rows[2][6], "answer: Yes. → Yes, as a partner.") {
		t.Errorf("re-answer row %q", rows[2])
	}
	buf.Reset()
	if n, err = s.ExportAudit(&buf, FormatJSON); err != nil || n != 5 {
		t.Fatalf("ExportAudit json = %d, %v", n, err)
	}
	var entries []AuditEntry
	if err := json.Unmarshal(buf.Bytes(), &entries); err != nil || len(entries) != 5 || entries[3].Clarification != "C-001" {
		t.Errorf("json = %v, %+v", err, entries)
	}
	if _, err := s.ExportAudit(&buf, FormatXLSX); err == nil {
		t.Error("an xlsx audit export was accepted")
	}
}

func TestLogFollower(t *testing.T) {
	s := openTest(t, testPath(t), newClock())
	ctx := context.Background()
	first := mustLog(t, s, &Question{UserID: "U1", UserName: "Ann", Question: "May a hospice join?", Status: StatusAwaiting})
	q := &Question{UserID: "U2", UserName: "Bob", ChannelID: "D2", Via: "dm", Question: "Can a hospice be a partner?"}
	followed, isFirst, err := s.LogFollower(ctx, "event:Ev1", q, first.ID)
	if err != nil || !followed || !isFirst {
		t.Fatalf("LogFollower = %v, %v, %v", followed, isFirst, err)
	}
	if q.ID != "Q-0002" || q.Status != StatusFollowing || q.Follows != "Q-0001" {
		t.Errorf("follower logged as %+v", q)
	}
	got, _ := s.Get("Q-0001")
	if len(got.Followers) != 1 || got.Followers[0].ID != "Q-0002" || got.Followers[0].UserID != "U2" || got.AskedBy() != 2 {
		t.Errorf("target %+v", got)
	}
	// A retry of the same delivery logs nothing and merges nothing.
	if followed, isFirst, err = s.LogFollower(ctx, "event:Ev1", &Question{UserID: "U2", Question: "again"}, first.ID); err != nil || followed || isFirst {
		t.Errorf("retry: %v %v %v", followed, isFirst, err)
	}
	if got, _ := s.Get("Q-0001"); len(got.Followers) != 1 {
		t.Errorf("a retry added a follower: %+v", got.Followers)
	}
	h, err := s.History("Q-0001")
	if err != nil || len(h) != 1 || h[0].Action != ActionFollow || h[0].By != ActorBot || changeOf(h[0], "follower").To != "Q-0002" {
		t.Errorf("history %+v, %v", h, err)
	}
	// A target answered meanwhile is not followed: the question waits on
	// its own.
	if _, err := s.RecordAnswer("Q-0001", "Yes.", "nsg"); err != nil {
		t.Fatal(err)
	}
	q3 := &Question{UserID: "U3", Question: "Hospice partner?"}
	if followed, _, err = s.LogFollower(ctx, "", q3, first.ID); err != nil || followed || q3.Status != StatusAwaiting || q3.Follows != "" {
		t.Errorf("following an answered question: %v %v %+v", followed, err, q3)
	}
	if _, err := s.VerifyAudit(); err != nil {
		t.Error(err)
	}
}

func TestCodecReadsVersion1Records(t *testing.T) {
	q := *sampleQuestion(7)
	q.ID = "Q-0007"
	v2 := encodeRecordV2(&q)
	// A version 1 record is the same without the version 2 tail: the late
	// flag, five empty strings and no followers.
	v1 := append([]byte{1}, v2[1:len(v2)-7]...)
	var got Question
	if err := decodeRecord(v1, &got); err != nil {
		t.Fatal(err)
	}
	if got.Question != q.Question || got.ID != q.ID || got.UserName != q.UserName {
		t.Errorf("decoded %+v; want %+v", got, q)
	}
	full := q
	full.Late, full.Cited, full.Clarification, full.PublishedQuestion, full.PublishedAnswer, full.Follows = true, "Guide, slide 3", "C-004", "pq", "pa", "Q-0001"
	full.Followers = []Follower{{ID: "Q-0009", AskedAt: q.AskedAt, UserID: "U9", UserName: "Nine", TeamID: "T", ChannelID: "D9", Via: "dm"}}
	// A version 2 record carries its followers; version 3 (written now)
	// leaves them to the followers bucket.
	for _, tt := range []struct {
		name      string
		data      []byte
		followers []Follower
	}{
		{"version 2", encodeRecordV2(&full), full.Followers},
		{"version 3", encodeRecord(&full), nil},
	} {
		if err := decodeRecord(tt.data, &got); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		want := full
		want.Followers = tt.followers
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(got)
		if !bytes.Equal(a, b) {
			t.Errorf("%s round trip:\n got %s\nwant %s", tt.name, b, a)
		}
	}
}

// TestAuditVerifiesTheRecords: the trail vouches for the records it
// describes. A question's NSG-controlled fields or the clarification map
// rewritten in the file (the trail itself untouched) fail verification,
// naming the record and the field.
func TestAuditVerifiesTheRecords(t *testing.T) {
	question := func(id string, change func(q *Question)) func(t *testing.T, tx *bolt.Tx) {
		return func(t *testing.T, tx *bolt.Tx) {
			n, _ := parseID(id)
			b := tx.Bucket(bucketQuestions)
			var q Question
			if err := getRecord(b, n, "tamper", &q); err != nil {
				t.Fatal(err)
			}
			change(&q)
			if err := b.Put(seqKey(n), encodeRecordV2(&q)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// follower rewrites (or, given nil, deletes) the record of follower f
	// of question n in the followers bucket.
	follower := func(n, f uint64, change func(f *Follower)) func(t *testing.T, tx *bolt.Tx) {
		return func(t *testing.T, tx *bolt.Tx) {
			fb := tx.Bucket(bucketFollowers)
			k := followerKey(n, f)
			if change == nil {
				if err := fb.Delete(k); err != nil {
					t.Fatal(err)
				}
				return
			}
			var fl Follower
			if v := fb.Get(k); v != nil {
				if err := decodeFollower(v, &fl); err != nil {
					t.Fatal(err)
				}
			}
			change(&fl)
			if err := fb.Put(k, encodeFollower(&fl)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// removed deletes the record of question n outright.
	removed := func(n uint64) func(t *testing.T, tx *bolt.Tx) {
		return func(t *testing.T, tx *bolt.Tx) {
			if err := tx.Bucket(bucketQuestions).Delete(seqKey(n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	later := time.Date(2009, 7, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		tamper        func(t *testing.T, tx *bolt.Tx)
		record, field string
	}{
		{"the NSG answer", question("Q-0001", func(q *Question) { q.NSGAnswer = "No." }), "Q-0001", "NSG answer"},
		{"who answered", question("Q-0001", func(q *Question) { q.AnsweredBy = "U0SOMEONEELSE" }), "Q-0001", "answered-by"},
		{"when it was answered", question("Q-0002", func(q *Question) { q.AnsweredAt = &later }), "Q-0002", "answered-at"},
		{"the cited passage", question("Q-0002", func(q *Question) { q.Cited = "Guide, slide 3" }), "Q-0002", "cited passage"},
		{"the published answer", question("Q-0001", func(q *Question) { q.PublishedAnswer = "No: a hospice may never join." }), "Q-0001", "published answer"},
		{"the published question", question("Q-0001", func(q *Question) { q.PublishedQuestion = "We are Leeds and Acme: may a hospice join?" }), "Q-0001", "published question"},
		{"the clarification number", question("Q-0001", func(q *Question) { q.Clarification = "C-007" }), "Q-0001", "clarification number"},
		{"an answer planted on an unanswered question", question("Q-0003", func(q *Question) {
			q.Status, q.NSGAnswer, q.AnsweredBy = StatusNSGAnswered, "Yes.", "U0STAFF1"
		}), "Q-0003", "status"},
		{"a follower removed", follower(3, 4, nil), "Q-0003", "followers"},
		{"a follower redirected to another bidder", follower(3, 4, func(f *Follower) { f.UserID = "U0RIVAL" }), "Q-0003", "followers"},
		{"a follower added", follower(3, 2, func(f *Follower) { f.UserID = "U2" }), "Q-0003", "followers"},
		{"a follower planted in a record", question("Q-0001", func(q *Question) {
			// A version 2 record, whose followers are inside it.
			q.Followers = []Follower{{ID: "Q-0004", UserID: "U4"}}
		}), "Q-0001", "followers"},
		{"a follower kept for no question", follower(9, 4, func(f *Follower) { f.UserID = "U4" }), "Q-0009", "followers"},
		{"a clarification mapped to another question", func(t *testing.T, tx *bolt.Tx) {
			if err := tx.Bucket(bucketClarifications).Put(seqKey(1), []byte("Q-0002")); err != nil {
				t.Fatal(err)
			}
		}, "C-001", "question"},
		{"a clarification number removed", func(t *testing.T, tx *bolt.Tx) {
			if err := tx.Bucket(bucketClarifications).Delete(seqKey(1)); err != nil {
				t.Fatal(err)
			}
		}, "C-001", "question"},
		{"a published question's record removed", removed(1), "Q-0001", "record"},
		{"an answered question's record removed", removed(2), "Q-0002", "record"},
		{"an escalation undone", question("Q-0005", func(q *Question) { q.Status = StatusAnswered }), "Q-0005", "status"},
		{"a clarification number added", func(t *testing.T, tx *bolt.Tx) {
			if err := tx.Bucket(bucketClarifications).Put(seqKey(2), []byte("Q-0002")); err != nil {
				t.Fatal(err)
			}
		}, "C-002", "question"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, testPath(t), newClock())
			nsgSession(t, s)
			mustLog(t, s, &Question{UserID: "U3", Question: "May a university lead?", Status: StatusAwaiting})
			if followed, _, err := s.LogFollower(context.Background(), "", &Question{UserID: "U4", Question: "Can a university lead?"}, "Q-0003"); err != nil || !followed {
				t.Fatalf("LogFollower = %v, %v", followed, err)
			}
			// Q-0005, answered from the sources, escalated by its asker.
			mustLog(t, s, &Question{UserID: "U5", Question: "When are bids due?", Status: StatusAnswered, Confident: true})
			if _, err := s.Escalate("Q-0005", "U5"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.VerifyAudit(); err != nil {
				t.Fatalf("before tampering: %v", err)
			}
			if err := s.db.Update(func(tx *bolt.Tx) error { tt.tamper(t, tx); return nil }); err != nil {
				t.Fatal(err)
			}
			_, err := s.VerifyAudit()
			var re *RecordError
			if !errors.As(err, &re) || !errors.Is(err, ErrAuditBroken) {
				t.Fatalf("VerifyAudit = %v; want a *RecordError", err)
			}
			if re.Question != tt.record || re.Field != tt.field || !strings.Contains(err.Error(), "changed outside hiecbot") {
				t.Errorf("VerifyAudit = %v; want %s's %s named", err, tt.record, tt.field)
			}
		})
	}
}

// TestAuditHeadFile: every entry's head is appended to the file beside
// the store; a store opened for writing brings a missing or lagging head
// file up to date, and verification needs it once the trail has entries.
func TestAuditHeadFile(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path, newClock())
	nsgSession(t, s)
	lines, err := readHeads(path)
	if err != nil || len(lines) != 5 || lines[4].head.Seq != 5 {
		t.Fatalf("head file: %+v, %v; want a line per entry", lines, err)
	}
	if err := os.Remove(HeadFile(path)); err != nil {
		t.Fatal(err)
	}
	_, err = s.VerifyAudit()
	var ae *AuditError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "is missing") {
		t.Errorf("VerifyAudit without the head file = %v; want it named as missing", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path, newClock()) // a store from before head files
	if n, err := s.VerifyAudit(); err != nil || n != 5 {
		t.Errorf("after reopening: %d, %v", n, err)
	}
	// A line cut short by a crash is not an error.
	f, err := os.OpenFile(HeadFile(path), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("6 ab")
	f.Close()
	if _, err := s.VerifyAudit(); err != nil {
		t.Errorf("a torn last line: %v", err)
	}
	// A new, empty log started on purpose at the same path, in the same
	// process, with the old head file moved aside, records its heads anew.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, HeadFile(path)} {
		if err := os.Rename(p, p+".old"); err != nil {
			t.Fatal(err)
		}
	}
	s = openTest(t, path, newClock())
	if err := s.RecordBackup("nsg", "/b.db", 1); err != nil {
		t.Fatal(err)
	}
	if n, err := s.VerifyAudit(); err != nil || n != 1 {
		t.Errorf("a new log: %d, %v", n, err)
	}
}

// TestStaffActionsAreAudited: escalations (by whoever pressed), backups
// and audit exports are recorded with who, when and what, and the trail
// still verifies.
func TestStaffActionsAreAudited(t *testing.T) {
	c := newClock()
	s := openTest(t, testPath(t), c)
	mustLog(t, s, &Question{UserID: "U1", Question: "When are bids due?", Status: StatusAnswered})
	if _, err := s.Escalate("Q-0001", "U0STAFF1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Escalate("Q-0001", "U1"); err != nil { // already awaiting: nothing to record
		t.Fatal(err)
	}
	if err := s.RecordBackup("nsg-officer", "/srv/backups/hiecbot.db", 32768); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAuditExport("nsg-officer", FormatJSON, 2); err != nil {
		t.Fatal(err)
	}
	var got []AuditEntry
	if err := s.AuditEach(func(e AuditEntry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action, by, question, field, to string
	}{
		{ActionEscalate, "U0STAFF1", "Q-0001", "status", string(StatusAwaiting)},
		{ActionBackup, "nsg-officer", "", "to", "/srv/backups/hiecbot.db"},
		{ActionAuditExport, "nsg-officer", "", "entries", "2"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		e := got[i]
		if e.Action != w.action || e.By != w.by || e.Question != w.question || changeOf(e, w.field).To != w.to || e.At.IsZero() {
			t.Errorf("entry %d = %+v; want %s by %s, %s → %s", i+1, e, w.action, w.by, w.field, w.to)
		}
	}
	if changeOf(got[1], "bytes").To != "32768" || changeOf(got[2], "format").To != "json" {
		t.Errorf("what was backed up or exported is missing: %+v %+v", got[1], got[2])
	}
	if h, _ := s.History("Q-0001"); len(h) != 1 || h[0].Action != ActionEscalate {
		t.Errorf("history of Q-0001 = %+v; want the escalation", h)
	}
	if n, err := s.VerifyAudit(); err != nil || n != 3 {
		t.Errorf("VerifyAudit = %d, %v", n, err)
	}
}

// TestHeadFileMustBeWritable: a store opened for writing whose audit head
// file cannot be written is refused, saying so, rather than taking NSG
// actions whose heads would then be dropped and later read as tampering.
func TestHeadFileMustBeWritable(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path, newClock())
	s.Close()
	// What root cannot write either: a folder where the file should be.
	if err := os.Mkdir(HeadFile(path), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "audit head file "+HeadFile(path)+" cannot be written") {
		t.Fatalf("Open = %v, want a refusal naming the head file", err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only Open = %v: reading needs no head file written", err)
	}
	ro.Close()
}
