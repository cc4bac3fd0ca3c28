package bot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hiec/hiecbot/bot/admin"
	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
)

// OpenRecords gives the NSG's command-line tools the question log at
// path: through the running bot's admin socket when `hiecbot serve` holds
// the file, otherwise straight from the file, read-only unless write is
// set (so several readers can share it). The returned func releases it.
// A log that does not exist yet is an error, not created. Exports show
// times in loc (nil: UTC).
func OpenRecords(path string, write bool, loc *time.Location) (dialogue.Records, func() error, error) {
	c, err := admin.Dial(admin.SocketPath(path))
	if err == nil {
		return c, func() error { return nil }, nil
	}
	if !errors.Is(err, admin.ErrNotRunning) {
		return nil, nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("no question log at %s yet: questions are logged by `hiecbot serve` and `hiecbot chat` (set storage.path to use another file)", path)
	}
	s, err := openFile(path, store.Options{ReadOnly: !write, Location: loc})
	if err != nil {
		return nil, nil, err
	}
	return dialogue.Offline{Store: s}, s.Close, nil
}

// openFile opens the log file when no bot serves it.
func openFile(path string, opts store.Options) (*store.Store, error) {
	opts.Timeout = time.Second
	s, err := store.Open(path, opts)
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w; its admin socket %s does not answer either: wait for it to finish starting, or stop it", err, admin.SocketPath(path))
	}
	return s, err
}

// Backup writes a consistent copy of the log at storePath to dst: through
// the running bot when one serves it (a hot copy while it works), else
// straight from the file. The copy is checked before it replaces dst.
// It returns the copy's size and where it came from.
//
// A finished backup is recorded, by by, in the audit trail.
func Backup(storePath, dst, by string) (int64, string, error) {
	if err := store.NotStoreFile(storePath, dst); err != nil {
		return 0, "", fmt.Errorf("back up to %w", err)
	}
	to := dst
	if abs, err := filepath.Abs(dst); err == nil {
		to = abs
	}
	c, err := admin.Dial(admin.SocketPath(storePath))
	if err == nil {
		n, err := store.WriteBackup(dst, c.Backup)
		if err == nil {
			err = recordedBackup(c.RecordBackup(by, to, n), dst)
		}
		return n, "the running bot", err
	}
	if !errors.Is(err, admin.ErrNotRunning) {
		return 0, "", err
	}
	if _, err := os.Stat(storePath); err != nil {
		return 0, "", fmt.Errorf("back up %s: %w", storePath, err)
	}
	s, err := openFile(storePath, store.Options{}) // for writing: the backup is recorded in the trail
	if err != nil {
		return 0, "", err
	}
	defer s.Close()
	n, err := store.WriteBackup(dst, s.Backup)
	if err == nil {
		err = recordedBackup(s.RecordBackup(by, to, n), dst)
	}
	return n, storePath, err
}

// recordedBackup is the error of a backup that was written but could not
// be recorded in the audit trail.
func recordedBackup(err error, dst string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("the backup %s was written and checked, but could not be recorded in the audit trail: %w", dst, err)
}

// CheckStore runs the consistency check on the log at storePath, through
// the running bot when one serves it.
func CheckStore(storePath string) error {
	c, err := admin.Dial(admin.SocketPath(storePath))
	if err == nil {
		return c.Check()
	}
	if !errors.Is(err, admin.ErrNotRunning) {
		return err
	}
	if _, err := os.Stat(storePath); err != nil {
		return fmt.Errorf("check %s: %w", storePath, err)
	}
	s, err := openFile(storePath, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Check()
}

// Learner takes what the NSG has made public into the knowledge index;
// *knowledge.Engine is one.
type Learner interface {
	AddClarification(number, question, answer string) error
	AddPhrasing(citation, question string) error
}

// LoadPublished adds to the index every published clarification in the
// log, and every question the NSG answered by citing a passage (as
// another phrasing of that passage), so the next bidder who asks the
// same thing is answered from them. Answers the NSG wrote and has not
// published stay private to their askers and are not loaded. It returns
// how many it loaded.
func LoadPublished(e Learner, r dialogue.Records) (int, error) {
	qs, err := r.List(store.Filter{Status: []store.Status{store.StatusNSGAnswered, store.StatusPublished}})
	if err != nil {
		return 0, fmt.Errorf("load published clarifications: %w", err)
	}
	n := 0
	for _, q := range qs {
		if q.Cited != "" {
			if err := e.AddPhrasing(q.Cited, q.Question); err != nil {
				// A source changed since: the citation no longer resolves. The
				// asker has their answer; the index just lacks the phrasing.
				if !errors.Is(err, knowledge.ErrNoPassage) {
					return n, fmt.Errorf("index %s as a phrasing of %s: %w", q.ID, q.Cited, err)
				}
			} else {
				n++
			}
		}
		if q.Status == store.StatusPublished {
			c := q.Clarified()
			if c.ID == "" {
				c.ID = q.ID // published before clarifications were numbered
			}
			if err := e.AddClarification(c.ID, c.Question, c.Answer); err != nil {
				return n, fmt.Errorf("index clarification %s: %w", c.ID, err)
			}
			n++
		}
	}
	return n, nil
}
