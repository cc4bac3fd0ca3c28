package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// Records are stored in a compact binary form rather than JSON: decoding
// JSON dominated the cost of listing and exporting, and this form decodes
// several times faster with one allocation per record. AskedAt and Status
// come first so filters read them without decoding the rest.
//
// Version 1 layout (strings are a uvarint length then UTF-8 bytes; times are
// a varint of Unix seconds then a uvarint of nanoseconds; an optional time is
// a byte 0 for nil or 1 followed by the time):
//
//	byte    version (1)
//	time    AskedAt
//	string  Status
//	string  ID, UserID, UserName, TeamID, ChannelID, Via, ThreadTS, Question
//	uvarint number of refs, then each: string Source, Ref, Title, Citation;
//	        8 bytes little-endian IEEE 754 Score
//	byte    Confident (0 or 1)
//	string  NSGAnswer, AnsweredBy
//	opttime AnsweredAt, PublishedAt
//	string  Feedback
//
// Version 2 appends:
//
//	byte    Late (0 or 1)
//	string  Cited, Clarification, PublishedQuestion, PublishedAnswer, Follows
//	uvarint number of followers, then each: string ID; time AskedAt;
//	        string UserID, UserName, TeamID, ChannelID, Via
//
// Version 3 (written now) is version 2 without the followers: they are
// kept in a bucket of their own (see followers.go), one small record per
// follower, so that a follower is added without rewriting the question it
// follows. A version 2 record's followers are read with those in the
// bucket, and moved there when the record is next written.
//
// Version 1 records read as version 2 with those fields empty.
const recordVersion = 3

var errTruncated = errors.New("record truncated")

// encodeRecord returns the stored form of q, without its followers (they
// are stored apart: putRecord).
func encodeRecord(q *Question) []byte {
	n := 64 + len(q.ID) + len(q.UserID) + len(q.UserName) + len(q.TeamID) + len(q.ChannelID) +
		len(q.Via) + len(q.ThreadTS) + len(q.Question) + len(q.Status) + len(q.NSGAnswer) +
		len(q.AnsweredBy) + len(q.Feedback) + len(q.Cited) + len(q.Clarification) +
		len(q.PublishedQuestion) + len(q.PublishedAnswer) + len(q.Follows)
	for _, r := range q.Refs {
		n += 16 + len(r.Source) + len(r.Ref) + len(r.Title) + len(r.Citation)
	}
	b := make([]byte, 0, n)
	b = append(b, recordVersion)
	b = appendTime(b, q.AskedAt)
	b = appendString(b, string(q.Status))
	for _, s := range [...]string{q.ID, q.UserID, q.UserName, q.TeamID, q.ChannelID, q.Via, q.ThreadTS, q.Question} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(q.Refs)))
	for _, r := range q.Refs {
		b = appendString(b, r.Source)
		b = appendString(b, r.Ref)
		b = appendString(b, r.Title)
		b = appendString(b, r.Citation)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Score))
	}
	if q.Confident {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendString(b, q.NSGAnswer)
	b = appendString(b, q.AnsweredBy)
	b = appendOptTime(b, q.AnsweredAt)
	b = appendOptTime(b, q.PublishedAt)
	b = appendString(b, q.Feedback)
	if q.Late {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	for _, s := range [...]string{q.Cited, q.Clarification, q.PublishedQuestion, q.PublishedAnswer, q.Follows} {
		b = appendString(b, s)
	}
	return b
}

// followerVersion is the first byte of a follower's record.
const followerVersion = 1

// encodeFollower returns the stored form of f, a follower's record in the
// followers bucket (its id is in the key):
//
//	byte    version (1)
//	time    AskedAt
//	string  UserID, UserName, TeamID, ChannelID, Via
func encodeFollower(f *Follower) []byte {
	b := make([]byte, 0, 24+len(f.UserID)+len(f.UserName)+len(f.TeamID)+len(f.ChannelID)+len(f.Via))
	b = append(b, followerVersion)
	b = appendTime(b, f.AskedAt)
	for _, s := range [...]string{f.UserID, f.UserName, f.TeamID, f.ChannelID, f.Via} {
		b = appendString(b, s)
	}
	return b
}

// decodeFollower decodes a follower's record into f, whose ID the caller
// sets from the key.
func decodeFollower(v []byte, f *Follower) error {
	d := decoder{b: v}
	if c := d.byte(); d.err == nil && c != followerVersion {
		d.fail(fmt.Errorf("unsupported follower record version %d", c))
	}
	f.AskedAt = d.time()
	f.UserID, f.UserName, f.TeamID, f.ChannelID, f.Via = d.string(), d.string(), d.string(), d.string(), d.string()
	if d.err == nil && d.off != len(v) {
		d.fail(fmt.Errorf("%d unexpected trailing bytes", len(v)-d.off))
	}
	if d.err != nil {
		*f = Follower{}
		return d.err
	}
	return nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

func appendOptTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, 0)
	}
	return appendTime(append(b, 1), *t)
}

// decoder reads a record. Strings are sliced from str, one copy of the
// whole record, so decoding allocates once (plus the refs slice). The first
// error sticks; later reads return zero values.
type decoder struct {
	b   []byte
	str string
	off int
	err error
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *decoder) byte() byte {
	if d.err != nil || d.off >= len(d.b) {
		d.fail(errTruncated)
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail(errTruncated)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail(errTruncated)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)-d.off) {
		d.fail(errTruncated)
		return ""
	}
	if d.str == "" {
		d.str = string(d.b) // first string: copy the record out of the mmap once
	}
	s := d.str[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *decoder) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	if d.err != nil {
		return time.Time{}
	}
	if nsec >= 1e9 {
		d.fail(fmt.Errorf("bad nanoseconds %d", nsec))
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *decoder) optTime() *time.Time {
	switch d.byte() {
	case 0:
		return nil
	case 1:
		t := d.time()
		if d.err != nil {
			return nil
		}
		return &t
	default:
		d.fail(errors.New("bad optional time flag"))
		return nil
	}
}

// version reads the record's version: 1, 2 or 3.
func (d *decoder) version() byte {
	v := d.byte()
	switch {
	case d.err != nil:
	case v > recordVersion:
		d.fail(fmt.Errorf("unsupported record version %d: a newer hiecbot (one that writes version %d records; this one reads 1 to %d) wrote it; run that version, or restore a backup this one wrote", v, v, recordVersion))
	case v < 1:
		d.fail(fmt.Errorf("unsupported record version %d", v))
	}
	return v
}

// decodeRecord decodes a stored record into q.
func decodeRecord(v []byte, q *Question) error {
	d := decoder{b: v}
	version := d.version()
	q.AskedAt = d.time()
	q.Status = Status(d.string())
	q.ID = d.string()
	q.UserID = d.string()
	q.UserName = d.string()
	q.TeamID = d.string()
	q.ChannelID = d.string()
	q.Via = d.string()
	q.ThreadTS = d.string()
	q.Question = d.string()
	nrefs := d.uvarint()
	q.Refs = nil
	if nrefs > 0 && d.err == nil {
		// Each ref takes at least 12 bytes; a larger count is corrupt.
		if nrefs > uint64(len(v)-d.off)/12 {
			d.fail(errTruncated)
		} else {
			q.Refs = make([]Ref, nrefs)
			for i := range q.Refs {
				r := &q.Refs[i]
				r.Source, r.Ref, r.Title, r.Citation = d.string(), d.string(), d.string(), d.string()
				if d.err == nil && len(v)-d.off < 8 {
					d.fail(errTruncated)
				}
				if d.err != nil {
					break
				}
				r.Score = math.Float64frombits(binary.LittleEndian.Uint64(v[d.off:]))
				d.off += 8
			}
		}
	}
	switch d.byte() {
	case 0:
		q.Confident = false
	case 1:
		q.Confident = true
	default:
		d.fail(errors.New("bad confident flag"))
	}
	q.NSGAnswer = d.string()
	q.AnsweredBy = d.string()
	q.AnsweredAt = d.optTime()
	q.PublishedAt = d.optTime()
	q.Feedback = d.string()
	q.Late, q.Cited, q.Clarification, q.PublishedQuestion, q.PublishedAnswer, q.Follows = false, "", "", "", "", ""
	q.Followers = nil
	if version >= 2 {
		switch d.byte() {
		case 0:
		case 1:
			q.Late = true
		default:
			d.fail(errors.New("bad late flag"))
		}
		q.Cited, q.Clarification, q.PublishedQuestion, q.PublishedAnswer, q.Follows = d.string(), d.string(), d.string(), d.string(), d.string()
	}
	if version == 2 { // followers inside the record; version 3 keeps them apart
		nf := d.uvarint()
		if nf > 0 && d.err == nil {
			// Each follower takes at least 8 bytes; a larger count is corrupt.
			if nf > uint64(len(v)-d.off)/8 {
				d.fail(errTruncated)
			} else {
				q.Followers = make([]Follower, nf)
				for i := range q.Followers {
					f := &q.Followers[i]
					f.ID = d.string()
					f.AskedAt = d.time()
					f.UserID, f.UserName, f.TeamID, f.ChannelID, f.Via = d.string(), d.string(), d.string(), d.string(), d.string()
					if d.err != nil {
						break
					}
				}
			}
		}
	}
	if d.err == nil && d.off != len(v) {
		d.fail(fmt.Errorf("%d unexpected trailing bytes", len(v)-d.off))
	}
	if d.err != nil {
		*q = Question{}
		return d.err
	}
	return nil
}

// decodeFilterFields decodes only what a Filter looks at.
func decodeFilterFields(v []byte) (Status, time.Time, error) {
	d := decoder{b: v}
	d.version()
	at := d.time()
	n := d.uvarint()
	if d.err == nil && n > uint64(len(v)-d.off) {
		d.fail(errTruncated)
	}
	if d.err != nil {
		return "", time.Time{}, d.err
	}
	st := v[d.off : d.off+int(n)]
	for _, s := range Statuses { // no allocation for the known statuses
		if string(st) == string(s) {
			return s, at, nil
		}
	}
	return Status(st), at, nil
}
