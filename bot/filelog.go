package bot

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/hiec/hiecbot/bot/store"
)

// fileLog is the question log for `hiecbot chat`: it opens the file for
// each call and closes it after, read-only for reads, so the file is
// locked only while chat reads or writes it and the `questions` commands
// work beside a chat left open. It implements dialogue.Log,
// reminders.Ledger and dialogue.Auditor.
type fileLog struct {
	path string
	opts store.Options
	mu   sync.Mutex // one open at a time from this process
}

func newFileLog(path string, loc *time.Location) *fileLog {
	return &fileLog{path: path, opts: store.Options{Timeout: 5 * time.Second, Location: loc}}
}

// with opens the log (for writing when write is set), runs fn and closes it.
func (l *fileLog) with(write bool, fn func(*store.Store) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	opts := l.opts
	opts.ReadOnly = !write
	s, err := store.Open(l.path, opts)
	if err != nil {
		return err
	}
	err = fn(s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

func (l *fileLog) question(write bool, fn func(*store.Store) (store.Question, error)) (store.Question, error) {
	var q store.Question
	err := l.with(write, func(s *store.Store) error {
		var err error
		q, err = fn(s)
		return err
	})
	return q, err
}

func (l *fileLog) Log(ctx context.Context, q *store.Question) error {
	return l.with(true, func(s *store.Store) error { return s.Log(ctx, q) })
}

func (l *fileLog) LogOnce(ctx context.Context, key string, q *store.Question) (bool, error) {
	var first bool
	err := l.with(true, func(s *store.Store) error {
		var err error
		first, err = s.LogOnce(ctx, key, q)
		return err
	})
	return first, err
}

func (l *fileLog) FirstSeen(key string) (bool, error) {
	var first bool
	err := l.with(true, func(s *store.Store) error {
		var err error
		first, err = s.FirstSeen(key)
		return err
	})
	return first, err
}

func (l *fileLog) Get(id string) (store.Question, error) {
	return l.question(false, func(s *store.Store) (store.Question, error) { return s.Get(id) })
}

func (l *fileLog) List(f store.Filter) ([]store.Question, error) {
	var qs []store.Question
	err := l.with(false, func(s *store.Store) error {
		var err error
		qs, err = s.List(f)
		return err
	})
	return qs, err
}

func (l *fileLog) Count(f store.Filter) (int, error) {
	var n int
	err := l.with(false, func(s *store.Store) error {
		var err error
		n, err = s.Count(f)
		return err
	})
	return n, err
}

func (l *fileLog) RecordAnswer(id, text, by string) (store.Question, error) {
	return l.question(true, func(s *store.Store) (store.Question, error) { return s.RecordAnswer(id, text, by) })
}

func (l *fileLog) Cite(id, citation, text, by string) (store.Question, error) {
	return l.question(true, func(s *store.Store) (store.Question, error) { return s.Cite(id, citation, text, by) })
}

func (l *fileLog) Publish(id string, w store.Wording, by string) (store.Question, error) {
	return l.question(true, func(s *store.Store) (store.Question, error) { return s.Publish(id, w, by) })
}

func (l *fileLog) LogFollower(ctx context.Context, key string, q *store.Question, target string) (followed, first bool, err error) {
	err = l.with(true, func(s *store.Store) error {
		var err error
		followed, first, err = s.LogFollower(ctx, key, q, target)
		return err
	})
	return followed, first, err
}

func (l *fileLog) History(id string) ([]store.AuditEntry, error) {
	var h []store.AuditEntry
	err := l.with(false, func(s *store.Store) error {
		var err error
		h, err = s.History(id)
		return err
	})
	return h, err
}

func (l *fileLog) RecordExport(by string, format store.Format, f store.Filter, rows int) error {
	return l.with(true, func(s *store.Store) error { return s.RecordExport(by, format, f, rows) })
}

func (l *fileLog) RecordView(by, what, id string, rows int) error {
	return l.with(true, func(s *store.Store) error { return s.RecordView(by, what, id, rows) })
}

func (l *fileLog) RecordAuditExport(by string, format store.Format, entries int) error {
	return l.with(true, func(s *store.Store) error { return s.RecordAuditExport(by, format, entries) })
}

func (l *fileLog) VerifyAudit() (int, error) {
	var n int
	err := l.with(false, func(s *store.Store) error {
		var err error
		n, err = s.VerifyAudit()
		return err
	})
	return n, err
}

func (l *fileLog) ExportAudit(w io.Writer, format store.Format) (int, error) {
	var n int
	err := l.with(false, func(s *store.Store) error {
		var err error
		n, err = s.ExportAudit(w, format)
		return err
	})
	return n, err
}

func (l *fileLog) Escalate(id, by string) (store.Question, error) {
	return l.question(true, func(s *store.Store) (store.Question, error) { return s.Escalate(id, by) })
}

func (l *fileLog) SetFeedback(id, feedback string) (store.Question, error) {
	return l.question(true, func(s *store.Store) (store.Question, error) { return s.SetFeedback(id, feedback) })
}

func (l *fileLog) Export(w io.Writer, format store.Format, f store.Filter) (int, error) {
	var n int
	err := l.with(false, func(s *store.Store) error {
		var err error
		n, err = s.Export(w, format, f)
		return err
	})
	return n, err
}

func (l *fileLog) Sent(key string) (bool, error) {
	var sent bool
	err := l.with(false, func(s *store.Store) error {
		var err error
		sent, err = s.Ledger().Sent(key)
		return err
	})
	return sent, err
}

func (l *fileLog) MarkSent(key string, at time.Time) error {
	return l.with(true, func(s *store.Store) error { return s.Ledger().MarkSent(key, at) })
}
