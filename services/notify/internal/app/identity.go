package app

import (
	"context"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/notify/internal/domain"
	"github.com/parley-chat/parley/services/notify/internal/store"
)

// expired reports a link that no longer works (the SMTP server was down
// longer than it lives): its email would only disappoint, so it is dropped.
func (a *App) expired(env contracts.Envelope, at time.Time) bool {
	if at.IsZero() || time.Now().Before(at) {
		return false
	}
	a.log.Warn("link expired before it could be emailed", "event", env.ID, "type", env.Type)
	return true
}

// OnInvite emails an invitation.
func (a *App) OnInvite(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.InviteCreated
	if err := env.Decode(&ev); err != nil {
		return apperr.New(apperr.Invalid, "bad invite.created payload")
	}
	if a.expired(env, ev.ExpiresAt) {
		return nil
	}
	// The tenant's colour is a nicety: an invitation does not wait for it.
	var color string
	if s, err := natsx.Call(ctx, a.nc, contracts.TenantSettingsInternal, contracts.TenantIDRequest{TenantID: env.TenantID}); err == nil {
		color = s.Widget.Color
	}
	e, err := domain.Invite(env.TenantID, env.ID, ev, color)
	if err != nil {
		return err
	}
	return a.Deliver(ctx, e)
}

// OnPasswordReset emails a reset link.
func (a *App) OnPasswordReset(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.PasswordResetRequested
	if err := env.Decode(&ev); err != nil {
		return apperr.New(apperr.Invalid, "bad password_reset.requested payload")
	}
	if a.expired(env, ev.ExpiresAt) {
		return nil
	}
	e, err := domain.PasswordReset(env.TenantID, env.ID, ev)
	if err != nil {
		return err
	}
	return a.Deliver(ctx, e)
}

// OnEmailChange emails the confirmation link to the new address.
func (a *App) OnEmailChange(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.EmailChangeRequested
	if err := env.Decode(&ev); err != nil {
		return apperr.New(apperr.Invalid, "bad email_change.requested payload")
	}
	if a.expired(env, ev.ExpiresAt) {
		return nil
	}
	e, err := domain.EmailChange(env.TenantID, env.ID, ev)
	if err != nil {
		return err
	}
	return a.Deliver(ctx, e)
}

// OnMember keeps the members' names and addresses for digests.
func (a *App) OnMember(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.MemberChanged
	if err := env.Decode(&ev); err != nil || ev.User.ID == "" {
		return apperr.New(apperr.Invalid, "bad member.changed payload")
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		if ev.Removed {
			return tx.RemoveMember(ev.User.ID)
		}
		return tx.SaveMember(store.Member{UserID: ev.User.ID, Name: ev.User.Name, Email: domain.NormalizeEmail(ev.User.Email), Role: string(ev.User.Role), Locale: ev.User.Locale})
	})
}

// Preferences are the caller's own notification settings.
func (a *App) Preferences(ctx context.Context, r contracts.PrincipalRequest) (contracts.NotifyPreferences, error) {
	var out contracts.NotifyPreferences
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		var err error
		out.EmailNewConversations, err = tx.EmailNewConversations(r.Principal.UserID)
		return err
	})
	return out, err
}

// UpdatePreferences saves the caller's own notification settings.
func (a *App) UpdatePreferences(ctx context.Context, r contracts.NotifyPreferencesUpdateRequest) (contracts.NotifyPreferences, error) {
	if r.Principal.UserID == "" {
		return contracts.NotifyPreferences{}, apperr.New(apperr.Unauthenticated, "no caller")
	}
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		if err := tx.SetEmailNewConversations(r.Principal.UserID, r.Preferences.EmailNewConversations); err != nil {
			return err
		}
		if !r.Preferences.EmailNewConversations {
			return tx.ClearAlerts(r.Principal.UserID)
		}
		return nil
	})
	return r.Preferences, err
}
