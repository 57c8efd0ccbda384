package store

import (
	"context"
	"time"
)

// ReplyKey is a row of reply_keys.
type ReplyKey struct {
	ID        int
	Secret    []byte
	CreatedAt time.Time
}

// ReplyKeys returns the reply-address keys, newest first. With none yet it
// stores first; replicas starting together all read back the one that won.
func (s *Store) ReplyKeys(ctx context.Context, first ReplyKey) ([]ReplyKey, error) {
	var keys []ReplyKey
	err := s.Global(ctx, func(tx *Tx) error {
		if err := tx.DB.Exec(`INSERT INTO reply_keys (id, secret, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			first.ID, first.Secret, now()).Error; err != nil {
			return err
		}
		return tx.DB.Table("reply_keys").Order("id DESC").Find(&keys).Error
	})
	return keys, err
}
