package store

import (
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
)

// Import is a row of imports.
type Import struct {
	ID          string
	TenantID    string
	Status      string
	Progress    float64
	SizeBytes   int64
	Object      string
	Counts      string
	Error       string
	RequestedBy string
	Attempts    int
	CreatedAt   time.Time
	CompletedAt *time.Time
}

// Contract is the import as the API shows it.
func (i Import) Contract() contracts.Import {
	out := contracts.Import{
		ID: i.ID, Status: i.Status, Progress: i.Progress, SizeBytes: i.SizeBytes, Error: i.Error,
		RequestedBy: i.RequestedBy, CreatedAt: i.CreatedAt, CompletedAt: i.CompletedAt,
	}
	_ = json.Unmarshal([]byte(i.Counts), &out.Counts)
	return out
}

// CreateImport queues an import; Conflict when one is queued or running,
// or when the id was used before.
func (tx *Tx) CreateImport(i *Import) error {
	i.TenantID, i.Status, i.Counts = tx.TenantID, contracts.JobQueued, "{}"
	err := tx.DB.Transaction(func(sp *gorm.DB) error { return sp.Table(ImportJobs).Create(i).Error })
	if db.IsDuplicate(err) {
		return apperr.New(apperr.Conflict, "an import is already running")
	}
	return err
}

// Import loads one import of the tenant, or NotFound.
func (tx *Tx) Import(id string) (Import, error) {
	var i Import
	err := tx.DB.Table(ImportJobs).Where("tenant_id = ? AND id = ?", tx.TenantID, id).Take(&i).Error
	if db.IsNotFound(err) {
		return i, apperr.NotFoundf("import not found")
	}
	return i, err
}

// Imports lists the tenant's imports, newest first.
func (tx *Tx) Imports(limit int) ([]Import, error) {
	var out []Import
	err := tx.DB.Table(ImportJobs).Where("tenant_id = ?", tx.TenantID).Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// HasImported reports whether an import into the tenant succeeded.
func (tx *Tx) HasImported() (bool, error) {
	var n int64
	err := tx.DB.Table(ImportJobs).Where("tenant_id = ? AND status = ?", tx.TenantID, contracts.JobDone).Count(&n).Error
	return n > 0, err
}
