package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
)

// Export is a row of exports.
type Export struct {
	ID          string
	TenantID    string
	Status      string
	Progress    float64
	SizeBytes   int64
	Counts      string
	Error       string
	RequestedBy string
	Attempts    int
	CreatedAt   time.Time
	CompletedAt *time.Time
	ExpiresAt   *time.Time
}

// Contract is the export as the API shows it (without a download link).
func (e Export) Contract() contracts.Export {
	out := contracts.Export{
		ID: e.ID, Status: e.Status, Progress: e.Progress, SizeBytes: e.SizeBytes, Error: e.Error,
		RequestedBy: e.RequestedBy, CreatedAt: e.CreatedAt, CompletedAt: e.CompletedAt, ExpiresAt: e.ExpiresAt,
	}
	_ = json.Unmarshal([]byte(e.Counts), &out.Counts)
	return out
}

// CreateExport queues an export; Conflict when one is queued or running.
func (tx *Tx) CreateExport(e *Export) error {
	e.TenantID, e.Status, e.Counts = tx.TenantID, contracts.JobQueued, "{}"
	err := tx.DB.Transaction(func(sp *gorm.DB) error { return sp.Table(ExportJobs).Create(e).Error })
	if db.IsDuplicate(err) {
		return apperr.New(apperr.Conflict, "an export is already queued or running")
	}
	return err
}

// Export loads one export of the tenant, or NotFound.
func (tx *Tx) Export(id string) (Export, error) {
	var e Export
	err := tx.DB.Table(ExportJobs).Where("tenant_id = ? AND id = ?", tx.TenantID, id).Take(&e).Error
	if db.IsNotFound(err) {
		return e, apperr.NotFoundf("export not found")
	}
	return e, err
}

// Exports lists the tenant's exports, newest first.
func (tx *Tx) Exports(limit int) ([]Export, error) {
	var out []Export
	err := tx.DB.Table(ExportJobs).Where("tenant_id = ?", tx.TenantID).Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// ExpireExports marks these done exports of the tenant expired, with why
// (the caller deletes their archives).
func (tx *Tx) ExpireExports(ids []string, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	return tx.DB.Table(ExportJobs).Where("tenant_id = ? AND id IN ? AND status = ?", tx.TenantID, ids, contracts.JobDone).
		Updates(map[string]any{"status": contracts.JobExpired, "error": reason}).Error
}

// FailRunningExports ends the tenant's running exports with reason; their
// runners find the lease lost and delete what they wrote.
func (tx *Tx) FailRunningExports(reason string, now time.Time) error {
	return tx.DB.Table(ExportJobs).Where("tenant_id = ? AND status = ?", tx.TenantID, contracts.JobRunning).
		Updates(map[string]any{"status": contracts.JobFailed, "error": reason, "completed_at": now, "lease_owner": "", "lease_until": nil}).Error
}

// DueExport is a done export whose archive is past its expiry.
type DueExport struct {
	ID       string
	TenantID string
}

// DueExports lists done exports that expired before now, across tenants.
func (s *Store) DueExports(ctx context.Context, now time.Time) ([]DueExport, error) {
	var out []DueExport
	err := s.Global(ctx, func(tx *Tx) error {
		return tx.DB.Table(ExportJobs).Select("id, tenant_id").Where("status = ? AND expires_at < ?", contracts.JobDone, now).Limit(100).Scan(&out).Error
	})
	return out, err
}

// SaveDownloadToken stores the hash of a download token of an export.
func (tx *Tx) SaveDownloadToken(hash, exportID, mintedBy, mintedName string, expires time.Time) error {
	return tx.DB.Exec(`INSERT INTO export_tokens (token_hash, tenant_id, export_id, minted_by, minted_name, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		hash, tx.TenantID, exportID, mintedBy, mintedName, expires).Error
}

// Redeemed is what a redeemed download token was bound to.
type Redeemed struct {
	TenantID   string
	MintedBy   string
	MintedName string
}

// RedeemDownloadToken deletes the token of exportID with this hash if it has
// not expired, and says whose it was; NotFound otherwise. The DELETE is the
// redemption, so a token is used once even when two requests race.
func (s *Store) RedeemDownloadToken(ctx context.Context, hash, exportID string, now time.Time) (Redeemed, error) {
	var r Redeemed
	err := s.Global(ctx, func(tx *Tx) error {
		err := tx.DB.Table("export_tokens").Select("tenant_id, minted_by, minted_name").
			Where("token_hash = ? AND export_id = ? AND expires_at > ?", hash, exportID, now).Take(&r).Error
		if db.IsNotFound(err) {
			return apperr.NotFoundf("this download link is not valid (any more); open the export again for a new one")
		}
		if err != nil {
			return err
		}
		res := tx.DB.Exec(`DELETE FROM export_tokens WHERE token_hash = ?`, hash)
		if res.Error == nil && res.RowsAffected == 0 {
			return apperr.NotFoundf("this download link was already used")
		}
		return res.Error
	})
	return r, err
}

// DeleteExpiredTokens removes tokens nobody redeemed in time.
func (s *Store) DeleteExpiredTokens(ctx context.Context, now time.Time) error {
	return s.Global(ctx, func(tx *Tx) error {
		return tx.DB.Exec(`DELETE FROM export_tokens WHERE expires_at < ?`, now).Error
	})
}
