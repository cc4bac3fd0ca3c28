package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestFollowerIsOneSmallRecord: adding a follower leaves the followed
// question's record as it is and writes one record of its own; every
// read (Get, List, the exports) shows the followers in the order they
// asked, and the trail counts the askers.
func TestFollowerIsOneSmallRecord(t *testing.T) {
	s := openTest(t, testPath(t), newClock())
	ctx := context.Background()
	target := mustLog(t, s, &Question{UserID: "U1", UserName: "Ann", Question: "May a hospice join a cluster?", Status: StatusAwaiting})
	before := raw(t, s, 1)
	users := []string{"U2", "U1", "U2", "U3", ""} // the asker again, a follower again, no user
	for i, u := range users {
		q := &Question{UserID: u, UserName: "B" + u, ChannelID: "D" + u, Via: "dm", Question: "Can a hospice join a cluster?"}
		if followed, _, err := s.LogFollower(ctx, fmt.Sprintf("ev%d", i), q, target.ID); err != nil || !followed {
			t.Fatalf("LogFollower %d = %v, %v", i, followed, err)
		}
	}
	if after := raw(t, s, 1); !bytes.Equal(before, after) {
		t.Errorf("the followed question's record was rewritten")
	}
	var kept int
	if err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFollowers).ForEach(func(k, v []byte) error {
			if len(k) != 16 || !bytes.HasPrefix(k, seqKey(1)) || len(v) > 64 {
				t.Errorf("follower record %x = %d bytes", k, len(v))
			}
			kept++
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if kept != len(users) {
		t.Errorf("%d follower records; want %d", kept, len(users))
	}
	want := "Q-0002,Q-0003,Q-0004,Q-0005,Q-0006"
	ids := func(q Question) string {
		var out []string
		for _, f := range q.Followers {
			out = append(out, f.ID)
		}
		return strings.Join(out, ",")
	}
	got, err := s.Get("Q-0001")
	if err != nil || ids(got) != want || got.AskedBy() != 3 || got.Followers[0].UserName != "BU2" || got.Followers[0].ChannelID != "DU2" {
		t.Errorf("Get = %s, asked by %d, %+v, %v; want %s, asked by 3", ids(got), got.AskedBy(), got.Followers, err, want)
	}
	list, err := s.List(Filter{Status: []Status{StatusAwaiting}})
	if err != nil || len(list) != 1 || ids(list[0]) != want {
		t.Errorf("List = %+v, %v", list, err)
	}
	var buf bytes.Buffer
	if _, err := s.Export(&buf, FormatJSON, Filter{}); err != nil {
		t.Fatal(err)
	}
	var exported []Question
	if err := json.Unmarshal(buf.Bytes(), &exported); err != nil || len(exported) != 6 || ids(exported[0]) != want || len(exported[1].Followers) != 0 {
		t.Errorf("JSON export = %v, %+v", err, exported)
	}
	h, err := s.History("Q-0001")
	if err != nil || len(h) != len(users) {
		t.Fatalf("history %+v, %v", h, err)
	}
	counts := []string{"1→2", "2→2", "2→2", "2→3", "3→3"}
	for i, e := range h {
		c := changeOf(e, "asked_by")
		if got := c.From + "→" + c.To; got != counts[i] {
			t.Errorf("merge %d recorded asked_by %s; want %s", i+1, got, counts[i])
		}
	}
	if _, err := s.VerifyAudit(); err != nil {
		t.Error(err)
	}
	// Answering and publishing keep the followers; publication reaches
	// every asker.
	if _, err := s.RecordAnswer("Q-0001", "Yes.", "nsg"); err != nil {
		t.Fatal(err)
	}
	pub, err := s.Publish("Q-0001", Wording{}, "nsg")
	if err != nil || ids(pub) != want || strings.Join(pub.Askers(), ",") != "U1,U2,U3" {
		t.Errorf("Publish = %s, askers %v, %v", ids(pub), pub.Askers(), err)
	}
	if _, err := s.VerifyAudit(); err != nil {
		t.Error(err)
	}
}

// oldShape rewrites question n as hiecbot wrote it before followers were
// kept apart: a version 2 record holding its followers, none in the
// followers buckets, or (drop) no such buckets at all.
func oldShape(t *testing.T, s *Store, n uint64, drop bool) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		var q Question
		if err := getQuestion(tx, n, "old shape", &q); err != nil {
			return err
		}
		if err := tx.Bucket(bucketQuestions).Put(seqKey(n), encodeRecordV2(&q)); err != nil {
			return err
		}
		if drop {
			for _, b := range [][]byte{bucketFollowers, bucketFollowerAskers} {
				if err := tx.DeleteBucket(b); err != nil {
					return err
				}
			}
			return nil
		}
		for _, b := range [][]byte{bucketFollowers, bucketFollowerAskers} {
			bk := tx.Bucket(b)
			var keys [][]byte
			_ = bk.ForEach(func(k, _ []byte) error {
				if bytes.HasPrefix(k, seqKey(n)) {
					keys = append(keys, bytes.Clone(k))
				}
				return nil
			})
			for _, k := range keys {
				if err := bk.Delete(k); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOldStoreFollowers: a store written before followers were kept
// apart (version 2 records holding their followers, no followers
// buckets) opens read-only and for writing, reads and verifies as it
// did; the next follower moves the old ones to the bucket, counted right,
// and so does any other change to the record.
func TestOldStoreFollowers(t *testing.T) {
	path := testPath(t)
	ctx := context.Background()
	s, err := Open(path, Options{Timeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"Q-0001", "Q-0002"} {
		target := mustLog(t, s, &Question{UserID: "U1", Question: "May a hospice join a cluster? " + id, Status: StatusAwaiting})
		if target.ID != id {
			t.Fatalf("logged %s, want %s", target.ID, id)
		}
	}
	for i, target := range []string{"Q-0001", "Q-0002", "Q-0001", "Q-0002"} {
		q := &Question{UserID: fmt.Sprintf("U%d", 2+i%2), Question: "Can a hospice join?"}
		if followed, _, err := s.LogFollower(ctx, "", q, target); err != nil || !followed {
			t.Fatalf("LogFollower = %v, %v", followed, err)
		}
	}
	oldShape(t, s, 1, false)
	oldShape(t, s, 2, true)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ids := func(q Question) string {
		var out []string
		for _, f := range q.Followers {
			out = append(out, f.ID+"/"+f.UserID)
		}
		return strings.Join(out, ",")
	}
	want := map[string]string{"Q-0001": "Q-0003/U2,Q-0005/U2", "Q-0002": "Q-0004/U3,Q-0006/U3"}
	check := func(s *Store, when string) {
		t.Helper()
		for id, w := range want {
			if q, err := s.Get(id); err != nil || ids(q) != w {
				t.Errorf("%s: Get(%s) = %s, %v; want %s", when, id, ids(q), err, w)
			}
		}
		qs, err := s.List(Filter{})
		if err != nil || len(qs) < 2 || ids(qs[0]) != want["Q-0001"] || ids(qs[1]) != want["Q-0002"] {
			t.Errorf("%s: List = %v", when, err)
		}
		if _, err := s.VerifyAudit(); err != nil {
			t.Errorf("%s: %v", when, err)
		}
	}
	ro, err := Open(path, Options{ReadOnly: true, Timeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	check(ro, "read-only")
	ro.Close()

	s = openTest(t, path, nil)
	check(s, "opened for writing")
	// A new follower of Q-0001: an asker already counted, then a new one.
	for _, u := range []string{"U2", "U4"} {
		if followed, _, err := s.LogFollower(ctx, "", &Question{UserID: u, Question: "Can a hospice join?"}, "Q-0001"); err != nil || !followed {
			t.Fatalf("LogFollower = %v, %v", followed, err)
		}
	}
	want["Q-0001"] += ",Q-0007/U2,Q-0008/U4"
	// An answer to Q-0002 moves its followers too.
	if _, err := s.RecordAnswer("Q-0002", "Yes.", "nsg"); err != nil {
		t.Fatal(err)
	}
	check(s, "after the changes")
	for _, n := range []uint64{1, 2} {
		if v := raw(t, s, n); len(v) == 0 || v[0] != recordVersion {
			t.Errorf("Q-%04d is still a version %d record", n, v[0])
		}
	}
	h, err := s.History("Q-0001")
	if err != nil || len(h) != 4 {
		t.Fatalf("history %+v, %v", h, err)
	}
	if c := changeOf(h[2], "asked_by"); c.From != "2" || c.To != "2" {
		t.Errorf("asked_by recorded %s → %s; want 2 → 2", c.From, c.To)
	}
	if c := changeOf(h[3], "asked_by"); c.From != "2" || c.To != "3" {
		t.Errorf("asked_by recorded %s → %s; want 2 → 3", c.From, c.To)
	}
}

func TestFollowerRecordRoundTrip(t *testing.T) {
	f := Follower{AskedAt: newClock().Now(), UserID: "U1", UserName: "Zoë", TeamID: "T", ChannelID: "D1", Via: "dm"}
	var got Follower
	if err := decodeFollower(encodeFollower(&f), &got); err != nil || got != f {
		t.Errorf("round trip = %+v, %v; want %+v", got, err, f)
	}
	data := encodeFollower(&f)
	for _, bad := range [][]byte{nil, data[:len(data)-1], append(bytes.Clone(data), 0), append([]byte{9}, data[1:]...)} {
		if err := decodeFollower(bad, &got); err == nil || got != (Follower{}) {
			t.Errorf("decode %x = %+v, %v; want an error", bad, got, err)
		}
	}
}
