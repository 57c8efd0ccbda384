package app

import (
	"context"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/validate"
	"github.com/parley-chat/parley/services/identity/internal/domain"
	"github.com/parley-chat/parley/services/identity/internal/password"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// Lifetimes and limits of the links identity sends by email.
const (
	ResetTTL       = 30 * time.Minute
	EmailChangeTTL = 24 * time.Hour
	// ForgotWindow, ForgotPerEmail and ForgotPerIP bound "Forgot password?":
	// a mailbox gets at most ForgotPerEmail links an hour, and one client IP
	// may ask ForgotPerIP times, whatever the addresses.
	ForgotWindow   = time.Hour
	ForgotPerEmail = 3
	ForgotPerIP    = 30
	// EmailChangesPerHour bounds the confirmation emails (and password
	// guesses) one member can cause.
	EmailChangesPerHour = 5
)

// ForgotPassword sends a reset link to the member with that email, if there
// is one. Whoever asks learns nothing: the answer is the same either way.
func (a *App) ForgotPassword(ctx context.Context, r contracts.PasswordForgotRequest) (contracts.Empty, error) {
	email, err := validate.Email("email", r.Email)
	if err != nil {
		return contracts.Empty{}, err
	}
	limits := map[string]int{"forgot:email:" + email: ForgotPerEmail}
	if r.ClientIP != "" {
		limits["forgot:ip:"+r.ClientIP] = ForgotPerIP
	}
	var owner store.EmailOwner
	var found bool
	err = a.store.Global(ctx, func(tx *store.Tx) error {
		if err := tx.LimitedAttempt(ForgotWindow, limits); err != nil {
			return err
		}
		owner, found, err = tx.FindEmail(email)
		return err
	})
	if err != nil || !found {
		return contracts.Empty{}, err
	}
	// The link is issued after the answer, so that a member's address takes
	// no longer to answer than an unknown one. Should this process die
	// before, no link goes out and the member asks again.
	go a.issueResetLink(ctx, owner)
	return contracts.Empty{}, nil
}

// issueResetLink stores a reset token for the member and publishes the event
// that emails them the link.
func (a *App) issueResetLink(ctx context.Context, owner store.EmailOwner) {
	ctx, cancel := detached(ctx)
	defer cancel()
	secret, now := ids.Secret(32), a.now()
	err := a.store.Tenant(ctx, owner.TenantID, func(tx *store.Tx) error {
		u, err := tx.User(owner.UserID)
		if err != nil {
			return err
		}
		t := store.AccountToken{TokenHash: ids.Hash(secret), UserID: u.ID, Purpose: store.PurposePasswordReset, CreatedAt: now, ExpiresAt: now.Add(ResetTTL)}
		if err := tx.IssueAccountToken(&t); err != nil {
			return err
		}
		return tx.Emit(contracts.IdentityPasswordResetRequested, contracts.PasswordResetRequested{
			UserID: u.ID, Email: u.Email, Name: u.Name, URL: a.link("/reset-password", owner.TenantID, secret),
			Locale: u.Locale, ExpiresAt: t.ExpiresAt,
		})
	})
	// A member removed meanwhile is like any unknown address.
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		a.log.Error("issue a password reset link", "tenant_id", owner.TenantID, "err", err)
	}
}

// ResetPassword sets a new password with a reset link, spends the link and
// ends every session of the member: whoever held one must sign in again.
func (a *App) ResetPassword(ctx context.Context, r contracts.PasswordResetRequest) (contracts.Empty, error) {
	tenantID, secret, ok := splitToken(r.Token)
	if !ok {
		return contracts.Empty{}, badLink("reset")
	}
	if err := domain.CheckPassword("password", r.Password); err != nil {
		return contracts.Empty{}, err
	}
	hash := ids.Hash(secret)
	// A wrong token must cost no password hash: check it first. The write
	// below takes it again, locked, so a link used meanwhile still fails.
	check := func(tx *store.Tx) (store.AccountToken, error) {
		t, err := tx.TakeAccountToken(store.PurposePasswordReset, hash)
		if err == nil {
			err = a.usable(t, "reset")
		}
		if apperr.Is(err, apperr.NotFound) {
			err = badLink("reset")
		}
		return t, err
	}
	if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error { _, err := check(tx); return err }); err != nil {
		return contracts.Empty{}, err
	}
	newHash := password.Hash(r.Password)
	var email string
	err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		t, err := check(tx)
		if err != nil {
			return err
		}
		u, err := tx.User(t.UserID)
		if apperr.Is(err, apperr.NotFound) {
			return badLink("reset")
		} else if err != nil {
			return err
		}
		email = u.Email
		if err := tx.SetPasswordHash(u.ID, newHash); err != nil {
			return err
		}
		if err := tx.SpendAccountToken(t.TokenHash, a.now()); err != nil {
			return err
		}
		return endSessions(tx, u.ID, "", "password reset")
	})
	if err != nil {
		return contracts.Empty{}, err
	}
	// The owner of the mailbox proved who they are: forgive earlier typos.
	if err := a.store.Global(ctx, func(tx *store.Tx) error { return tx.ClearLoginFailures("email:" + email) }); err != nil {
		a.log.Warn("clear login failures after a password reset", "err", err)
	}
	return contracts.Empty{}, nil
}

// RequestEmailChange sends a confirmation link to the caller's new address;
// the address changes only when that link is opened. An address that has
// an account already gets its link too, and the same answer: only its
// owner learns, on opening the link, that it is taken (409), so a member
// cannot probe who has an account.
func (a *App) RequestEmailChange(ctx context.Context, r contracts.EmailChangeRequest) (contracts.Empty, error) {
	email, err := validate.Email("email", r.Email)
	if err != nil {
		return contracts.Empty{}, err
	}
	if r.Password == "" {
		return contracts.Empty{}, apperr.InvalidField("password", "password is required")
	}
	p := r.Principal
	var me store.User
	if err := a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) (err error) { me, err = actor(tx, p); return err }); err != nil {
		return contracts.Empty{}, err
	}
	if me.Email == email {
		return contracts.Empty{}, apperr.InvalidField("email", "this is already your email address")
	}
	limit := map[string]int{"email_change:user:" + me.ID: EmailChangesPerHour}
	if err := a.store.Global(ctx, func(tx *store.Tx) error { return tx.LimitedAttempt(time.Hour, limit) }); err != nil {
		return contracts.Empty{}, err
	}
	if !password.Verify(me.PasswordHash, r.Password) {
		return contracts.Empty{}, apperr.InvalidField("password", "the password is not right")
	}
	secret, now := ids.Secret(32), a.now()
	return contracts.Empty{}, a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
		t := store.AccountToken{TokenHash: ids.Hash(secret), UserID: me.ID, Purpose: store.PurposeEmailChange, NewEmail: email,
			CreatedAt: now, ExpiresAt: now.Add(EmailChangeTTL)}
		if err := tx.IssueAccountToken(&t); err != nil {
			return err
		}
		return tx.Emit(contracts.IdentityEmailChangeRequested, contracts.EmailChangeRequested{
			UserID: me.ID, Name: me.Name, NewEmail: email, URL: a.link("/confirm-email", p.TenantID, secret),
			Locale: me.Locale, ExpiresAt: t.ExpiresAt,
		})
	})
}

// ConfirmEmail moves the member to the address their link was sent to.
func (a *App) ConfirmEmail(ctx context.Context, r contracts.EmailConfirmRequest) (contracts.User, error) {
	var out contracts.User
	tenantID, secret, ok := splitToken(r.Token)
	if !ok {
		return out, badLink("confirmation")
	}
	err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		t, err := tx.TakeAccountToken(store.PurposeEmailChange, ids.Hash(secret))
		if err == nil {
			err = a.usable(t, "confirmation")
		}
		if err != nil {
			return err
		}
		u, err := tx.User(t.UserID)
		if err != nil {
			return err
		}
		if err := tx.SetEmail(u, t.NewEmail); err != nil {
			return err
		}
		if err := tx.SpendAccountToken(t.TokenHash, a.now()); err != nil {
			return err
		}
		u.Email = t.NewEmail
		out = u.Contract()
		return tx.Emit(contracts.IdentityMemberChanged, contracts.MemberChanged{User: out})
	})
	if apperr.Is(err, apperr.NotFound) {
		return contracts.User{}, badLink("confirmation")
	}
	return out, err
}

// link is a dashboard page whose fragment carries a token: browsers never
// send a fragment to a server nor put it in a Referer.
func (a *App) link(page, tenantID, secret string) string {
	return a.cfg.PublicURL + page + "#" + tenantID + "." + secret
}

// usable says why a link's token can no longer be used, if it cannot.
func (a *App) usable(t store.AccountToken, kind string) error {
	switch {
	case t.UsedAt != nil:
		return apperr.InvalidField("token", "this %s link was already used or replaced by a newer one; ask for a new one", kind)
	case !a.now().Before(t.ExpiresAt):
		return apperr.InvalidField("token", "this %s link has expired; ask for a new one", kind)
	}
	return nil
}

func badLink(kind string) error {
	return apperr.InvalidField("token", "this %s link is not valid; ask for a new one", kind)
}
