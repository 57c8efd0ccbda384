package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/tenant/internal/domain"
	"github.com/parley-chat/parley/services/tenant/internal/store"
)

// PendingTimeout is how long a sign-up may take before its tenant is abandoned.
const PendingTimeout = 10 * time.Minute

// Plans tells what a tenant's plan allows (billing's entitlements).
type Plans func(ctx context.Context, tenantID string) (contracts.Entitlements, error)

// App is the tenant service's application layer.
type App struct {
	store *store.Store
	plans Plans
	// allowHTTP accepts http:// bot webhooks (PARLEY_BOT_ALLOW_PRIVATE_NETWORKS).
	allowHTTP bool
	log       *slog.Logger
	data      Data
	logos     Logos         // see logo.go
	wake      chan struct{} // a job was queued
}

// Data is what exports and imports need.
type Data struct {
	NC      *nats.Conn            // to call the other services' parts
	JS      jetstream.JetStream   // to purge deleted objects' markers
	Objects jetstream.ObjectStore // contracts.DataBucket
	Now     func() time.Time      // the clock (tests move it)
	Runner  string                // this replica's name in job leases
	Lease   time.Duration         // how long a claimed job is held without a heartbeat
	Poll    time.Duration         // how often runners look for jobs nobody announced
	Sweep   time.Duration         // how often expired archives are swept
	TempDir string                // where an import's upload is downloaded to
}

// New returns the application.
func New(s *store.Store, plans Plans, allowHTTP bool, log *slog.Logger, data Data) *App {
	return &App{store: s, plans: plans, allowHTTP: allowHTTP, log: log, data: data, wake: make(chan struct{}, 1)}
}

func (a *App) now() time.Time { return a.data.Now().UTC() }

// SweepEvery is how often expired archives are swept.
func (a *App) SweepEvery() time.Duration { return a.data.Sweep }

// Now is the service's clock.
func (a *App) Now() time.Time { return a.now() }

// Create makes a pending tenant. It is idempotent on the tenant id.
func (a *App) Create(ctx context.Context, r contracts.TenantCreateRequest) (contracts.TenantInfo, error) {
	name, err := domain.CleanName("business_name", r.Name)
	if err != nil {
		return contracts.TenantInfo{}, err
	}
	if !ids.Valid(r.TenantID) {
		return contracts.TenantInfo{}, apperr.InvalidField("tenant_id", "tenant_id must be a UUID")
	}
	var out contracts.TenantInfo
	err = a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		if t, err := tx.GetAny(); err == nil {
			if t.Status == domain.Deleted {
				return apperr.New(apperr.Conflict, "this tenant id belonged to a deleted workspace")
			}
			out = t.Contract()
			return nil
		}
		t := store.Tenant{Name: name, WidgetKey: domain.NewWidgetKey(), Status: domain.Pending}
		if err := tx.Create(&t); err != nil {
			return err
		}
		out = t.Contract()
		return tx.CreateSettings(domain.DefaultSettings(), domain.NewIdentitySecret())
	})
	return out, err
}

// Activate makes a tenant live once its owner exists. It is idempotent.
func (a *App) Activate(ctx context.Context, r contracts.TenantIDRequest) (contracts.TenantInfo, error) {
	if !ids.Valid(r.TenantID) {
		return contracts.TenantInfo{}, apperr.NotFoundf("tenant not found")
	}
	var out contracts.TenantInfo
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		t, err := tx.Get()
		if err != nil {
			return err
		}
		out = t.Contract()
		if t.Status == domain.Active {
			return nil
		}
		t.Status = domain.Active
		if err := tx.Update(&t); err != nil {
			return err
		}
		return tx.Emit(contracts.TenantTenantChanged, contracts.TenantChanged{Tenant: out})
	})
	return out, err
}

// Abandon deletes a tenant whose sign-up failed. An active tenant is never
// abandoned; a missing one is already gone.
func (a *App) Abandon(ctx context.Context, r contracts.TenantIDRequest) (contracts.Empty, error) {
	if !ids.Valid(r.TenantID) {
		return contracts.Empty{}, nil
	}
	return contracts.Empty{}, a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		t, err := tx.Get()
		if apperr.Is(err, apperr.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if t.Status != domain.Pending {
			return apperr.New(apperr.Conflict, "an active tenant cannot be abandoned")
		}
		if err := tx.DeleteSettings(); err != nil {
			return err
		}
		if err := tx.Delete(); err != nil {
			return err
		}
		return tx.Emit(contracts.TenantTenantDeleted, contracts.TenantDeleted{Reason: contracts.TenantAbandoned})
	})
}

// Get returns the caller's tenant.
func (a *App) Get(ctx context.Context, r contracts.PrincipalRequest) (contracts.TenantInfo, error) {
	var out contracts.TenantInfo
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		t, err := tx.Get()
		out = t.Contract()
		return err
	})
	return out, err
}

// Update changes the caller's tenant (owners and admins).
func (a *App) Update(ctx context.Context, r contracts.TenantUpdateRequest) (contracts.TenantInfo, error) {
	var out contracts.TenantInfo
	if !r.Principal.Role.CanAdminister() {
		return out, apperr.New(apperr.Forbidden, "only owners and admins can change the tenant")
	}
	var name string
	if r.Name != nil {
		var err error
		if name, err = domain.CleanName("name", *r.Name); err != nil {
			return out, err
		}
	}
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		t, err := tx.Get()
		if err != nil {
			return err
		}
		before := t.Contract()
		if r.Name != nil {
			t.Name = name
		}
		if err := tx.Update(&t); err != nil {
			return err
		}
		out = t.Contract()
		if err := tx.Emit(contracts.TenantTenantChanged, contracts.TenantChanged{Tenant: out}); err != nil {
			return err
		}
		b, af, err := changed(before, out)
		if err != nil || len(af) == 0 {
			return err
		}
		return audit(tx, r.Principal.AuditActor(), contracts.AuditTenantUpdated, "tenant", t.ID, b, af)
	})
	return out, err
}

// Delete closes the workspace (the owner only, typing its name): the tenant
// becomes a tombstone at once — NotFound everywhere, its widget key too —
// and TenantTenantDeleted asks every service to erase its data, this one
// included (EraseTenant).
func (a *App) Delete(ctx context.Context, r contracts.TenantDeleteRequest) (contracts.Empty, error) {
	if r.Principal.Role != contracts.RoleOwner {
		return contracts.Empty{}, apperr.New(apperr.Forbidden, "only the owner can delete the workspace")
	}
	return contracts.Empty{}, a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		t, err := tx.Get()
		if err != nil {
			return err
		}
		if r.ConfirmName != t.Name {
			return apperr.InvalidField("confirm_name", "type the workspace's name exactly to confirm")
		}
		t.Status = domain.Deleted
		if err := tx.Update(&t); err != nil {
			return err
		}
		if err := tx.Emit(contracts.TenantTenantDeleted, contracts.TenantDeleted{Reason: contracts.TenantClosed}); err != nil {
			return err
		}
		return audit(tx, r.Principal.AuditActor(), contracts.AuditWorkspaceDeleted, "tenant", t.ID, map[string]string{"name": t.Name}, nil)
	})
}

// EraseTenant erases what this service holds of a deleted tenant — settings
// and the logo, canned responses, bot, exports and their archives, imports,
// the audit log — and keeps the tenant row as a tombstone. An abandoned sign-up's row is
// gone already. Objects go first, so a crash half-way finishes on redelivery.
func (a *App) EraseTenant(ctx context.Context, tenantID string) error {
	var exports []store.Export
	var imports []store.Import
	var logo string
	err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if exports, err = tx.Exports(-1); err != nil {
			return err
		}
		if imports, err = tx.Imports(-1); err != nil {
			return err
		}
		s, _, err := tx.Settings()
		if apperr.Is(err, apperr.NotFound) {
			return nil
		}
		logo = LogoID(s.Widget.LogoURL)
		return err
	})
	if err != nil {
		return err
	}
	if logo != "" {
		if err := a.logos.Logos.Delete(ctx, logo); err != nil {
			return err
		}
	}
	for _, e := range exports {
		if err := a.deleteObject(ctx, contracts.ExportArchiveObject(tenantID, e.ID)); err != nil {
			return err
		}
	}
	for _, i := range imports {
		if err := a.deleteObject(ctx, i.Object); err != nil {
			return err
		}
	}
	return a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		t, err := tx.GetAny()
		if apperr.Is(err, apperr.NotFound) {
			return tx.EraseData()
		}
		if err != nil || t.Status != domain.Deleted {
			return err
		}
		if err := tx.EraseData(); err != nil {
			return err
		}
		return tx.Tombstone()
	})
}

// AbandonStale abandons tenants whose sign-up never completed (the sign-up
// process died between creating the tenant and committing the owner).
func (a *App) AbandonStale(ctx context.Context, now time.Time) error {
	stale, err := a.store.StalePending(ctx, now.Add(-PendingTimeout))
	if err != nil {
		return err
	}
	for _, id := range stale {
		if _, err := a.Abandon(ctx, contracts.TenantIDRequest{TenantID: id}); err != nil {
			a.log.Warn("abandon stale tenant", "tenant_id", id, "err", err)
		}
	}
	return nil
}
