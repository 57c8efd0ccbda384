package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

// Exports and imports are jobs. A runner claims one with a conditional
// UPDATE (only one replica's UPDATE matches), then holds a lease that it
// extends while it works. A job whose lease lapsed — its runner crashed —
// is claimable again.

// Job tables.
const (
	ExportJobs = "exports"
	ImportJobs = "imports"
)

// ErrLeaseLost means the runner no longer holds the job: its lease lapsed
// and another runner took it, or the job was ended under it (an erasure
// failed a running export).
var ErrLeaseLost = errors.New("job lease lost")

// Claimed is a job a runner now holds.
type Claimed struct {
	ID       string
	TenantID string
	Attempts int // including this one
}

const claimable = "status = 'queued' OR (status = 'running' AND lease_until < ?)"

// Claim takes the oldest claimable job of table for owner, if any.
func (s *Store) Claim(ctx context.Context, table, owner string, now time.Time, lease time.Duration) (Claimed, bool, error) {
	var cands []Claimed
	err := s.Global(ctx, func(tx *Tx) error {
		return tx.DB.Table(table).Select("id, tenant_id").Where(claimable, now).Order("created_at").Limit(5).Scan(&cands).Error
	})
	if err != nil {
		return Claimed{}, false, err
	}
	for _, c := range cands {
		var n int64
		err := s.Global(ctx, func(tx *Tx) error {
			res := tx.DB.Exec(`UPDATE `+table+` SET status = 'running', lease_owner = ?, lease_until = ?, attempts = attempts + 1
				WHERE id = ? AND (`+claimable+`)`, owner, now.Add(lease), c.ID, now)
			n = res.RowsAffected
			if res.Error != nil || n == 0 {
				return res.Error
			}
			return tx.DB.Table(table).Select("attempts").Where("id = ?", c.ID).Scan(&c.Attempts).Error
		})
		if err != nil {
			return Claimed{}, false, err
		}
		if n == 1 {
			return c, true, nil
		}
	}
	return Claimed{}, false, nil
}

// Heartbeat extends owner's lease on a running job and records its
// progress; ErrLeaseLost when owner no longer holds it.
func (s *Store) Heartbeat(ctx context.Context, table, id, owner string, until time.Time, progress float64) error {
	return s.Global(ctx, func(tx *Tx) error {
		res := tx.DB.Exec(`UPDATE `+table+` SET lease_until = ?, progress = ? WHERE id = ? AND lease_owner = ? AND status = 'running'`,
			until, progress, id, owner)
		if res.Error == nil && res.RowsAffected == 0 {
			return ErrLeaseLost
		}
		return res.Error
	})
}

// JobEnd is how a job ended.
type JobEnd struct {
	Status      string
	SizeBytes   int64
	Counts      map[string]int64
	Error       string
	CompletedAt time.Time
	ExpiresAt   *time.Time // exports that are done
}

// FinishJob ends owner's running job in this transaction; ErrLeaseLost
// when owner no longer holds it.
func (tx *Tx) FinishJob(table, id, owner string, e JobEnd) error {
	counts, err := json.Marshal(e.Counts)
	if err != nil {
		return err
	}
	progress := 0.0
	if e.Status == contracts.JobDone {
		progress = 1
	}
	fields := map[string]any{
		"status": e.Status, "progress": progress, "size_bytes": e.SizeBytes, "counts": string(counts),
		"error": e.Error, "completed_at": e.CompletedAt, "lease_owner": "", "lease_until": nil,
	}
	if table == ExportJobs {
		fields["expires_at"] = e.ExpiresAt
	}
	res := tx.DB.Table(table).Where("tenant_id = ? AND id = ? AND lease_owner = ? AND status = ?", tx.TenantID, id, owner, contracts.JobRunning).Updates(fields)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrLeaseLost
	}
	return res.Error
}
