package app

import (
	"context"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Retention: a tenant's conversations whose last activity is older than its
// retention_days are deleted with everything that hangs off them. The sweep
// deletes deleteBatch conversations per transaction (short ones, so the
// message path never waits long), emitting conversations.deleted with each,
// and records one retention.swept audit entry per tenant pass that deleted
// anything, in the transaction of its last batch.

// deleteBatch is how many conversations one deleting transaction takes.
const deleteBatch = 100

// RetentionPreview counts what a retention of r.Days would delete now.
func (a *App) RetentionPreview(ctx context.Context, r contracts.RetentionPreviewRequest) (contracts.RetentionPreview, error) {
	var out contracts.RetentionPreview
	if !r.Principal.Role.CanAdminister() || !ids.Valid(r.Principal.TenantID) {
		return out, apperr.New(apperr.Forbidden, "only an owner or admin can see this")
	}
	if r.Days < contracts.MinRetentionDays || r.Days > contracts.MaxRetentionDays {
		return out, apperr.InvalidField("days", "days must be between %d and %d", contracts.MinRetentionDays, contracts.MaxRetentionDays)
	}
	out.Days, out.Before = r.Days, retentionCutoff(a.now(), r.Days)
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) (err error) {
		out.Conversations, out.Messages, err = tx.CountInactive(out.Before)
		return err
	})
	return out, err
}

func retentionCutoff(now time.Time, days int) time.Time {
	return now.Add(-time.Duration(days) * 24 * time.Hour).UTC()
}

// retentionLease names the lease of the replica that sweeps.
const retentionLease = "retention"

// Sweep applies every tenant's retention once, if this replica holds the
// sweep's lease (another replica sweeping meanwhile is left alone).
func (a *App) Sweep(ctx context.Context, policies []contracts.RetentionPolicy) error {
	if ok, err := a.lease(ctx); err != nil || !ok {
		return err
	}
	defer func() {
		_ = a.store.Global(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.ReleaseLease(retentionLease, a.holder) })
	}()
	for _, p := range policies {
		if p.Days < contracts.MinRetentionDays || p.Days > contracts.MaxRetentionDays {
			continue // off, or a value the tenant service would never give
		}
		if err := a.sweepTenant(ctx, p); err != nil {
			a.log.Warn("retention sweep", "tenant_id", p.TenantID, "err", err)
		}
	}
	return nil
}

// leaseFor is how long a sweep holds the lease without renewing it; each
// batch renews it.
const leaseFor = 5 * time.Minute

// lease takes or renews the sweep's lease. It uses the wall clock, not the
// service's (which tests move): it coordinates processes, not data.
func (a *App) lease(ctx context.Context) (bool, error) {
	var ok bool
	err := a.store.Global(ctx, func(tx *store.Tx) (err error) {
		now := time.Now().UTC()
		ok, err = tx.TakeLease(retentionLease, a.holder, now, now.Add(leaseFor))
		return err
	})
	return ok, err
}

func (a *App) sweepTenant(ctx context.Context, p contracts.RetentionPolicy) error {
	cutoff := retentionCutoff(a.now(), p.Days)
	var conversations, messages int64
	for done := false; !done; {
		if ok, err := a.lease(ctx); err != nil || !ok {
			return err // another replica took over
		}
		var gone []store.File
		err := a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
			gone = nil
			batch, err := tx.InactiveSince(cutoff, deleteBatch)
			if err != nil {
				return err
			}
			n, files, err := tx.DeleteConversations(batch)
			gone = files
			if err != nil {
				return err
			}
			if len(batch) > 0 {
				if err := tx.Emit(contracts.ConversationConversationsDeleted, contracts.ConversationsDeleted{ConversationIDs: batch, Reason: "retention"}); err != nil {
					return err
				}
			}
			conversations, messages = conversations+int64(len(batch)), messages+n
			if done = len(batch) < deleteBatch; !done || conversations == 0 {
				return nil
			}
			return audit(tx, contracts.SystemActor("retention"), contracts.AuditRetentionSwept, "tenant", p.TenantID,
				map[string]int64{"conversations": conversations, "messages": messages})
		})
		if err != nil {
			return err
		}
		a.deleteBlobs(ctx, p.TenantID, gone)
	}
	return nil
}

// DeleteTenant erases every row of a deleted tenant, in batches, then its
// files' objects. Running it again finds nothing left to delete.
func (a *App) DeleteTenant(ctx context.Context, tenantID string) error {
	for more := true; more; {
		err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
			batch, err := tx.AnyConversations(deleteBatch)
			if err != nil {
				return err
			}
			if len(batch) > 0 {
				_, _, err = tx.DeleteConversations(batch)
				return err
			}
			more, err = tx.DeleteTenantRows(exportPage)
			return err
		})
		if err != nil {
			return err
		}
	}
	return a.deleteTenantBlobs(ctx, tenantID)
}
