package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// PartWriter stores the files of an export part (the Object Store in
// production).
type PartWriter interface {
	// WriteJSONL stores object as JSON Lines, one line per value that rows
	// yields, streamed, and returns how many lines it wrote.
	WriteJSONL(ctx context.Context, object string, rows func(yield func(v any) error) error) (int64, error)
}

// Identity's export files. No line ever holds a password hash, a token, a
// key or a hash of one: the new owner of an imported workspace invites the
// team again.
//
// members.jsonl: {"id","email","name","role","locale","created_at"}
// invites.jsonl (pending only): {"id","email","role","invited_by","created_at","expires_at"}
// api_keys.jsonl: {"id","name","created_by","created_at","last_used_at"}
type (
	memberLine struct {
		ID        string         `json:"id"`
		Email     string         `json:"email"`
		Name      string         `json:"name"`
		Role      contracts.Role `json:"role"`
		Locale    string         `json:"locale"`
		CreatedAt time.Time      `json:"created_at"`
	}
	inviteLine struct {
		ID        string         `json:"id"`
		Email     string         `json:"email"`
		Role      contracts.Role `json:"role"`
		InvitedBy string         `json:"invited_by"`
		CreatedAt time.Time      `json:"created_at"`
		ExpiresAt time.Time      `json:"expires_at"`
	}
	apiKeyLine struct {
		ID         string     `json:"id"`
		Name       string     `json:"name"`
		CreatedBy  string     `json:"created_by"`
		CreatedAt  time.Time  `json:"created_at"`
		LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	}
)

// ExportPart writes identity's part of an export. A tenant's members,
// invites and keys are few (bounded by its seats), so they are read in one
// transaction and then streamed out.
func (a *App) ExportPart(ctx context.Context, r contracts.ExportPartRequest, w PartWriter) (contracts.ExportPart, error) {
	var out contracts.ExportPart
	if err := r.Check(contracts.ServiceIdentity); err != nil {
		return out, err
	}
	var (
		users   []store.User
		invites []store.Invite
		keys    []store.APIKey
	)
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) (err error) {
		if users, err = tx.Users(); err != nil {
			return err
		}
		if invites, err = tx.OpenInvites(); err != nil {
			return err
		}
		keys, err = tx.APIKeys()
		return err
	})
	if err != nil {
		return out, err
	}
	files := []struct {
		name string
		rows func(yield func(any) error) error
	}{
		{"members.jsonl", func(yield func(any) error) error {
			for _, u := range users {
				if err := yield(memberLine{u.ID, u.Email, u.Name, u.Role, u.Locale, u.CreatedAt.UTC()}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"invites.jsonl", func(yield func(any) error) error {
			for _, i := range invites {
				if err := yield(inviteLine{i.ID, i.Email, i.Role, i.InvitedBy, i.CreatedAt.UTC(), i.ExpiresAt.UTC()}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"api_keys.jsonl", func(yield func(any) error) error {
			for _, k := range keys {
				if err := yield(apiKeyLine{k.ID, k.Name, k.CreatedBy, k.CreatedAt.UTC(), k.LastUsedAt}); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, f := range files {
		object := r.Prefix + f.name
		n, err := w.WriteJSONL(ctx, object, f.rows)
		if err != nil {
			return contracts.ExportPart{}, err
		}
		out.Files = append(out.Files, contracts.ExportFile{Name: f.name, Object: object, Count: n})
	}
	return out, nil
}

// RevokeVisitorAll refuses every token of a visitor issued until now (an
// erasure), on every gateway through IdentityVisitorRevoked.
func (a *App) RevokeVisitorAll(ctx context.Context, r contracts.VisitorRevokeAllRequest) (contracts.Empty, error) {
	if !ids.Valid(r.TenantID) {
		return contracts.Empty{}, apperr.InvalidField("tenant_id", "tenant_id must be a UUID")
	}
	if !ids.Valid(r.VisitorID) {
		return contracts.Empty{}, apperr.InvalidField("visitor_id", "visitor_id must be a UUID")
	}
	return contracts.Empty{}, a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		return revokeVisitor(tx, r.VisitorID, time.Now().UTC())
	})
}

// revokeVisitor records a revocation of every token of visitorID issued up
// to at and emits it.
func revokeVisitor(tx *store.Tx, visitorID string, at time.Time) error {
	ev := contracts.VisitorRevoked{VisitorID: visitorID, RevokedAt: at, ExpiresAt: at.Add(auth.VisitorRenewTTL)}
	if err := tx.RevokeVisitor(store.VisitorRevocation{VisitorID: ev.VisitorID, RevokedAt: ev.RevokedAt, ExpiresAt: ev.ExpiresAt}); err != nil {
		return err
	}
	return tx.Emit(contracts.IdentityVisitorRevoked, ev)
}

// VisitorErasedConsumer names the durable consumer of conversation.visitor.erased.
const VisitorErasedConsumer = "identity-visitor-erased"

// VisitorErased revokes an erased visitor's tokens, once per event: the
// gateway already asked RevokeVisitorAll before the erasure; this covers
// an erasure made any other way. A redelivery changes nothing (a second
// revocation would also refuse the tokens a verified visitor got since).
// Identity holds nothing else of a visitor: the revocation (ids only, in
// visitor_revocations and the IDENTITY stream) must outlive the erasure so
// that the tokens stay refused, so there is nothing to scrub.
func (a *App) VisitorErased(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.VisitorErased
	if err := env.Decode(&ev); err != nil || !ids.Valid(ev.VisitorID) {
		return apperr.InvalidField("visitor_id", "visitor.erased without a visitor id")
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		first, err := tx.FirstDelivery(VisitorErasedConsumer, env.ID)
		if err != nil || !first {
			return err
		}
		// Now, not ErasedAt: a revocation only ever moves forward.
		return revokeVisitor(tx, ev.VisitorID, time.Now().UTC())
	})
}

// TenantDeleted erases everything identity holds of a deleted tenant, for
// any reason: its members can no longer log in or refresh, its invites,
// API keys and email links stop working, their photos are deleted. Photos
// go first, while the rows still name them: a crash in between redelivers
// the event and finds the rest. Running it again finds nothing to delete,
// so a redelivery is harmless.
func (a *App) TenantDeleted(ctx context.Context, env contracts.Envelope) error {
	var avatars []string
	if err := a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) (err error) { avatars, err = tx.AvatarIDs(); return err }); err != nil {
		return err
	}
	if err := a.deleteAvatars(ctx, avatars); err != nil {
		return err
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error { return tx.DeleteTenant() })
}

// audit records an administrative action in the audit log, in tx (the
// outbox): before and after hold the changed fields only, never a secret.
func audit(tx *store.Tx, actor contracts.AuditActor, action, targetType, targetID string, before, after any) error {
	ev := contracts.AuditRecorded{Actor: actor, Action: action, TargetType: targetType, TargetID: targetID}
	var err error
	if ev.Before, err = rawJSON(before); err != nil {
		return err
	}
	if ev.After, err = rawJSON(after); err != nil {
		return err
	}
	return tx.Emit(contracts.IdentityAuditRecorded, ev)
}

func rawJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}
