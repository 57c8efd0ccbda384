package app

import (
	"context"
	"strings"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/identity/internal/domain"
	"github.com/parley-chat/parley/services/identity/internal/password"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// UpdateProfile changes the caller's display name and the language of their emails.
func (a *App) UpdateProfile(ctx context.Context, r contracts.ProfileUpdateRequest) (contracts.User, error) {
	var out contracts.User
	var name, locale string
	if r.Name != nil {
		var err error
		if name, err = domain.CleanName("name", *r.Name); err != nil {
			return out, err
		}
	}
	if r.Locale != nil {
		if locale = domain.PickLocale(*r.Locale); locale == "" || locale != *r.Locale {
			return out, apperr.InvalidField("locale", "locale must be one of %s", strings.Join(domain.Locales, ", "))
		}
	}
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		me, err := actor(tx, r.Principal)
		if err != nil {
			return err
		}
		changed := false
		if r.Name != nil && name != me.Name {
			if err := tx.SetName(me.ID, name); err != nil {
				return err
			}
			me.Name, changed = name, true
		}
		if r.Locale != nil && locale != me.Locale {
			if err := tx.SetLocale(me.ID, locale); err != nil {
				return err
			}
			me.Locale, changed = locale, true
		}
		out = me.Contract()
		if !changed {
			return nil
		}
		return tx.Emit(contracts.IdentityMemberChanged, contracts.MemberChanged{User: out})
	})
	return out, err
}

// ChangePassword checks the current password, sets the new one and ends every
// other session of the caller: whoever else held one must sign in again.
func (a *App) ChangePassword(ctx context.Context, r contracts.PasswordChangeRequest) (contracts.Empty, error) {
	if r.CurrentPassword == "" {
		return contracts.Empty{}, apperr.InvalidField("current_password", "current_password is required")
	}
	if err := domain.CheckPassword("new_password", r.NewPassword); err != nil {
		return contracts.Empty{}, err
	}
	p := r.Principal
	var hash string
	err := a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
		me, err := actor(tx, p)
		hash = me.PasswordHash
		return err
	})
	if err != nil {
		return contracts.Empty{}, err
	}
	if !password.Verify(hash, r.CurrentPassword) {
		return contracts.Empty{}, apperr.InvalidField("current_password", "the current password is not right")
	}
	newHash := password.Hash(r.NewPassword)
	return contracts.Empty{}, a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if err := tx.SetPasswordHash(p.UserID, newHash); err != nil {
			return err
		}
		return endSessions(tx, p.UserID, p.SessionID, "password changed")
	})
}

// endSessions ends every live session of a user but keep (none when keep is
// ""), and tells the gateways to refuse their access tokens at once.
func endSessions(tx *store.Tx, userID, keep, reason string) error {
	ended, err := tx.RevokeOtherSessions(userID, keep, reason)
	if err != nil {
		return err
	}
	for _, sid := range ended {
		if err := tx.Emit(contracts.IdentityAccessRevoked, contracts.AccessRevoked{UserID: userID, SessionID: sid}); err != nil {
			return err
		}
	}
	return nil
}
