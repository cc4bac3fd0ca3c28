package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Followers are kept apart from the question they follow. Each is a small
// record in the followers bucket under the key (followed question,
// follower's question), both big-endian sequence numbers, so a question's
// followers sort together in the order they asked, and adding one is one
// small put instead of a rewrite of the followed question's record (which
// grew with every follower). The follower_askers bucket holds, under the
// key (followed question, Slack user id), each distinct bidder among a
// question's followers other than its asker, so the trail's count of
// askers needs no scan of the followers.
//
// Records written before (version 2) may hold followers themselves: they
// are read together with the bucket's, and moved to the bucket when the
// record is next written (putRecord), so both shapes open.

var (
	bucketFollowers      = []byte("followers")
	bucketFollowerAskers = []byte("follower_askers")
)

// followerKey is the key of follower f (a question sequence number) of
// question n.
func followerKey(n, f uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, n)
	binary.BigEndian.PutUint64(k[8:], f)
	return k
}

// present is the value of a follower_askers key (bbolt reads a nil value
// put in the same transaction back as absent).
var present = []byte{1}

func askerKey(n uint64, user string) []byte {
	k := make([]byte, 8, 8+len(user))
	binary.BigEndian.PutUint64(k, n)
	return append(k, user...)
}

// putRecord writes question n's record, and its followers to the
// followers bucket (those already there are left alone): a record read
// with followers inside (version 2) is written without them.
func putRecord(tx *bolt.Tx, n uint64, q *Question) error {
	b := tx.Bucket(bucketQuestions)
	// Ids only grow: full pages split less and are written less.
	b.FillPercent = 0.95
	if err := b.Put(seqKey(n), encodeRecord(q)); err != nil {
		return err
	}
	if len(q.Followers) == 0 {
		return nil
	}
	fb, ab, err := followerBuckets(tx)
	if err != nil {
		return err
	}
	for i := range q.Followers {
		f := &q.Followers[i]
		fn, ok := parseID(f.ID)
		if !ok {
			return fmt.Errorf("%s: follower %q has no question id", q.ID, f.ID)
		}
		k := followerKey(n, fn)
		if fb.Get(k) != nil {
			continue
		}
		if err := fb.Put(k, encodeFollower(f)); err != nil {
			return err
		}
		if f.UserID != "" && f.UserID != q.UserID {
			if err := ab.Put(askerKey(n, f.UserID), present); err != nil {
				return err
			}
		}
	}
	return nil
}

// followerBuckets returns the followers' buckets, creating them in a
// store made before they existed.
func followerBuckets(tx *bolt.Tx) (followers, askers *bolt.Bucket, err error) {
	if followers, askers = tx.Bucket(bucketFollowers), tx.Bucket(bucketFollowerAskers); followers != nil && askers != nil {
		return followers, askers, nil
	}
	if followers, err = tx.CreateBucketIfNotExists(bucketFollowers); err != nil {
		return nil, nil, err
	}
	if askers, err = tx.CreateBucketIfNotExists(bucketFollowerAskers); err != nil {
		return nil, nil, err
	}
	return followers, askers, nil
}

// addFollower records r (question fn, just logged) as a follower of t
// (question n, whose record holds no followers) and returns how many
// bidders asked t before and after.
func addFollower(tx *bolt.Tx, n uint64, t *Question, fn uint64, r *Question) (before, after int, err error) {
	fb, ab, err := followerBuckets(tx)
	if err != nil {
		return 0, 0, err
	}
	prefix := seqKey(n)
	if t.UserID != "" {
		before = 1
	}
	c := ab.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		before++
	}
	after = before
	f := Follower{ID: r.ID, AskedAt: r.AskedAt, UserID: r.UserID, UserName: r.UserName, TeamID: r.TeamID, ChannelID: r.ChannelID, Via: r.Via}
	fb.FillPercent = 0.9 // keys mostly grow
	if err := fb.Put(followerKey(n, fn), encodeFollower(&f)); err != nil {
		return 0, 0, err
	}
	if r.UserID != "" && r.UserID != t.UserID {
		ak := askerKey(n, r.UserID)
		if ab.Get(ak) == nil {
			if err := ab.Put(ak, present); err != nil {
				return 0, 0, err
			}
			after++
		}
	}
	return before, after, nil
}

// followerCursor reads the followers bucket alongside the questions, in
// id order.
type followerCursor struct {
	c       *bolt.Cursor
	k, v    []byte
	started bool
}

func newFollowerCursor(tx *bolt.Tx) *followerCursor {
	fc := &followerCursor{}
	if fb := tx.Bucket(bucketFollowers); fb != nil {
		fc.c = fb.Cursor()
	}
	return fc
}

// add appends to q (question n) the followers the bucket holds for it, in
// the order they asked. Calls must come in increasing n.
func (fc *followerCursor) add(n uint64, q *Question) error {
	if fc.c == nil {
		return nil
	}
	var want [8]byte
	binary.BigEndian.PutUint64(want[:], n)
	if !fc.started || fc.k != nil && bytes.Compare(fc.k[:min(8, len(fc.k))], want[:]) < 0 {
		fc.k, fc.v = fc.c.Seek(want[:])
		fc.started = true
	}
	inline := len(q.Followers)
	for ; fc.k != nil && bytes.HasPrefix(fc.k, want[:]); fc.k, fc.v = fc.c.Next() {
		if len(fc.k) != 16 {
			return fmt.Errorf("a stray key %x among its followers", fc.k)
		}
		f := Follower{ID: formatID(binary.BigEndian.Uint64(fc.k[8:]))}
		if err := decodeFollower(fc.v, &f); err != nil {
			return fmt.Errorf("follower %s: %w", f.ID, err)
		}
		q.Followers = append(q.Followers, f)
	}
	if inline > 0 && len(q.Followers) > inline {
		// Followers from a version 2 record and from the bucket: each
		// once, in the order they asked.
		seq := func(f Follower) uint64 { n, _ := parseID(f.ID); return n }
		slices.SortStableFunc(q.Followers, func(a, b Follower) int {
			x, y := seq(a), seq(b)
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		})
		q.Followers = slices.CompactFunc(q.Followers, func(a, b Follower) bool { return a.ID == b.ID })
	}
	return nil
}

// withFollowers adds to q (question n) its followers from the bucket.
func withFollowers(tx *bolt.Tx, n uint64, q *Question) error {
	return newFollowerCursor(tx).add(n, q)
}
