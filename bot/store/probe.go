package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Writable reports whether the log takes writes now, for a readiness
// check: it commits an empty transaction, which bbolt still writes and
// syncs (the meta page), so a full disk or a failing device shows here
// before a bidder's question is refused.
func (s *Store) Writable() error {
	if err := s.db.Update(func(*bolt.Tx) error { return nil }); err != nil {
		return fmt.Errorf("question log %s is not writable: %w", s.path, err)
	}
	return nil
}
