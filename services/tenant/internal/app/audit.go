package app

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/tenant/internal/domain"
	"github.com/parley-chat/parley/services/tenant/internal/store"
)

// Audit log bounds.
const (
	auditDefaultLimit = 50
	auditMaxLimit     = 200
	// AuditMinRetentionDays is the least an audit entry is kept when the
	// tenant's retention is on: max(retention_days, a year).
	AuditMinRetentionDays = 365
)

// audit records one of tenant's own administrative actions through the
// outbox; the audit consumer stores it like every other service's.
func audit(tx *store.Tx, actor contracts.AuditActor, action, targetType, targetID string, before, after any) error {
	rec := contracts.AuditRecorded{Actor: actor, Action: action, TargetType: targetType, TargetID: targetID}
	var err error
	if rec.Before, err = rawOrNil(before); err != nil {
		return err
	}
	if rec.After, err = rawOrNil(after); err != nil {
		return err
	}
	return tx.Emit(contracts.TenantAuditRecorded, rec)
}

func rawOrNil(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

// changed compares two documents field by field (their JSON names) and
// returns the fields that differ, before and after. Empty maps mean no change.
func changed(before, after any) (map[string]json.RawMessage, map[string]json.RawMessage, error) {
	b, err := fields(before)
	if err != nil {
		return nil, nil, err
	}
	a, err := fields(after)
	if err != nil {
		return nil, nil, err
	}
	ob, oa := map[string]json.RawMessage{}, map[string]json.RawMessage{}
	for k, v := range a {
		if !bytes.Equal(b[k], v) {
			ob[k], oa[k] = b[k], v
		}
	}
	return ob, oa, nil
}

func fields(v any) (map[string]json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	return m, json.Unmarshal(raw, &m)
}

// RecordAudit keeps an audit.recorded event of any service. Redelivery is
// harmless (the event id is the entry's). Entries of a tenant that is gone
// (deleted, or a sign-up abandoned) are dropped, so nothing comes back
// after a workspace's erasure.
func (a *App) RecordAudit(ctx context.Context, env contracts.Envelope) error {
	var rec contracts.AuditRecorded
	if err := env.Decode(&rec); err != nil {
		return apperr.New(apperr.Invalid, "bad audit event: %v", err)
	}
	service, _, _ := strings.Cut(env.Type, ".")
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		t, err := tx.GetAny()
		if apperr.Is(err, apperr.NotFound) || err == nil && t.Status == domain.Deleted {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.AppendAudit(contracts.AuditEntry{
			ID: env.ID, OccurredAt: env.OccurredAt, Service: service, Actor: rec.Actor, Action: rec.Action,
			TargetType: rec.TargetType, TargetID: rec.TargetID, Before: rec.Before, After: rec.After,
		})
	})
}

// AuditList reads the audit log, newest first (owners and admins).
func (a *App) AuditList(ctx context.Context, r contracts.AuditListRequest) (contracts.AuditPage, error) {
	if !r.Principal.Role.CanAdminister() {
		return contracts.AuditPage{}, apperr.New(apperr.Forbidden, "only owners and admins can read the audit log")
	}
	f := store.AuditFilter{ActorID: r.ActorID, Action: r.Action, Since: r.Since, Until: r.Until, Cursor: r.Cursor, Limit: r.Limit}
	if f.Limit == 0 {
		f.Limit = auditDefaultLimit
	}
	if f.Limit < 1 || f.Limit > auditMaxLimit {
		return contracts.AuditPage{}, apperr.InvalidField("limit", "limit must be between 1 and %d", auditMaxLimit)
	}
	if f.Since != nil && f.Until != nil && !f.Since.Before(*f.Until) {
		return contracts.AuditPage{}, apperr.InvalidField("until", "until must be after since")
	}
	var page contracts.AuditPage
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) (err error) {
		if _, err := tx.Get(); err != nil {
			return err
		}
		page, err = tx.AuditPage(f)
		return err
	})
	return page, err
}

// SweepAudit deletes, for each tenant with retention on, the audit entries
// older than max(retention_days, AuditMinRetentionDays) days.
func (a *App) SweepAudit(ctx context.Context, now time.Time) error {
	policies, err := a.store.RetentionPolicies(ctx)
	if err != nil {
		return err
	}
	for _, p := range policies {
		days := max(p.Days, AuditMinRetentionDays)
		err := a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
			_, err := tx.SweepAudit(now.AddDate(0, 0, -days))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// RetentionPolicies lists the active tenants with retention on, for the
// conversation service's sweep.
func (a *App) RetentionPolicies(ctx context.Context, _ contracts.Empty) (contracts.RetentionPolicies, error) {
	p, err := a.store.RetentionPolicies(ctx)
	if p == nil {
		p = []contracts.RetentionPolicy{}
	}
	return contracts.RetentionPolicies{Policies: p}, err
}
