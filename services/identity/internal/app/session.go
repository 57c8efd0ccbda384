package app

import (
	"context"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/validate"
	"github.com/parley-chat/parley/services/identity/internal/domain"
	"github.com/parley-chat/parley/services/identity/internal/password"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

var badLogin = apperr.New(apperr.Unauthenticated, "invalid email or password")

// Login checks a password and starts a session. Unknown emails and wrong
// passwords get the same answer in the same time. After LoginMaxFailures
// failures in LoginWindow for one email, or IPFailureFactor times as many
// for one client IP (offices share an IP), every attempt for it is refused
// with 429 until the window ends.
func (a *App) Login(ctx context.Context, r contracts.LoginRequest) (contracts.AuthResult, error) {
	var res contracts.AuthResult
	if r.Email == "" {
		return res, apperr.InvalidField("email", "email is required")
	}
	if r.Password == "" {
		return res, apperr.InvalidField("password", "password is required")
	}
	if len(r.Password) > domain.MaxPasswordBytes {
		return res, badLogin
	}
	// A malformed email cannot match an account, but still counts against the IP.
	email, emailErr := validate.Email("email", r.Email)
	var keys []string
	if emailErr == nil {
		keys = append(keys, "email:"+email)
	}
	if r.ClientIP != "" {
		keys = append(keys, "ip:"+r.ClientIP)
	}
	// One read of the global tables: the limits, then the account's tenant.
	var owner store.EmailOwner
	var found, failedBefore bool
	err := a.store.Global(ctx, func(tx *store.Tx) (err error) {
		if failedBefore, err = a.checkLimit(tx, keys); err != nil || emailErr != nil {
			return err
		}
		owner, found, err = tx.FindEmail(email)
		return err
	})
	if err != nil {
		return res, err
	}
	var u store.User
	if found {
		err = a.store.Tenant(ctx, owner.TenantID, func(tx *store.Tx) (err error) { u, err = tx.User(owner.UserID); return err })
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return res, err
		}
		found = err == nil
	}
	if !found || !password.Verify(u.PasswordHash, r.Password) {
		if !found {
			password.VerifyNobody(r.Password)
		}
		if err := a.recordFailure(ctx, keys); err != nil {
			return res, err
		}
		return res, badLogin
	}
	err = a.store.Tenant(ctx, u.TenantID, func(tx *store.Tx) error {
		tokens, err := a.startSession(tx, u)
		res = contracts.AuthResult{User: u.Contract(), Tokens: tokens}
		return err
	})
	if err != nil {
		return res, err
	}
	if failedBefore {
		_ = a.store.Global(ctx, func(tx *store.Tx) error { return tx.ClearLoginFailures("email:" + email) })
	}
	return res, nil
}

// IPFailureFactor is how many more failures a client IP may have than one email.
const IPFailureFactor = 10

// checkLimit refuses (429) a login whose email or client IP failed too
// often in the window, and reports whether the email has failures to clear.
func (a *App) checkLimit(tx *store.Tx, keys []string) (emailFailed bool, err error) {
	for _, k := range keys {
		n, start, err := tx.LoginFailures(k, a.cfg.LoginWindow)
		if err != nil {
			return false, err
		}
		limit := a.cfg.LoginMaxFailures
		if strings.HasPrefix(k, "ip:") {
			limit *= IPFailureFactor
		} else {
			emailFailed = n > 0
		}
		if n >= limit {
			return false, apperr.RateLimitedFor(time.Until(start.Add(a.cfg.LoginWindow)))
		}
	}
	return emailFailed, nil
}

func (a *App) recordFailure(ctx context.Context, keys []string) error {
	return a.store.Global(ctx, func(tx *store.Tx) error {
		for _, k := range keys {
			if err := tx.RecordLoginFailure(k, a.cfg.LoginWindow); err != nil {
				return err
			}
		}
		return nil
	})
}

var badRefresh = apperr.New(apperr.Unauthenticated, "the refresh token is invalid, expired or already used")

// Refresh rotates a refresh token: the presented one is spent and a new pair
// is issued in the same session. Presenting a spent token again means it was
// stolen (or replayed): the whole session is revoked, and its access tokens
// stop working at every gateway.
func (a *App) Refresh(ctx context.Context, r contracts.RefreshRequest) (contracts.AuthResult, error) {
	var res contracts.AuthResult
	tenantID, secret, ok := splitToken(r.RefreshToken)
	if !ok {
		return res, badRefresh
	}
	reused := false
	err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		t, err := tx.TakeRefreshToken(ids.Hash(secret))
		if err != nil {
			return err
		}
		s, err := tx.Session(t.SessionID)
		if err != nil || s.RevokedAt != nil {
			return badRefresh
		}
		if t.UsedAt != nil {
			reused = true
			if err := tx.RevokeSession(s.ID, "refresh token reused"); err != nil {
				return err
			}
			return tx.Emit(contracts.IdentityAccessRevoked, contracts.AccessRevoked{UserID: s.UserID, SessionID: s.ID})
		}
		if time.Now().After(t.ExpiresAt) {
			return badRefresh
		}
		u, err := tx.User(s.UserID)
		if err != nil {
			return badRefresh
		}
		if err := tx.MarkRefreshTokenUsed(t.TokenHash); err != nil {
			return err
		}
		tokens, err := a.issue(tx, u, s.ID)
		res = contracts.AuthResult{User: u.Contract(), Tokens: tokens}
		return err
	})
	if apperr.Is(err, apperr.NotFound) || reused {
		return contracts.AuthResult{}, badRefresh
	}
	return res, err
}

// Logout ends the caller's session: its refresh tokens and access tokens.
func (a *App) Logout(ctx context.Context, r contracts.PrincipalRequest) (contracts.Empty, error) {
	p := r.Principal
	return contracts.Empty{}, a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if err := tx.RevokeSession(p.SessionID, "logout"); err != nil {
			return err
		}
		return tx.Emit(contracts.IdentityAccessRevoked, contracts.AccessRevoked{UserID: p.UserID, SessionID: p.SessionID})
	})
}

// Me returns the caller.
func (a *App) Me(ctx context.Context, r contracts.PrincipalRequest) (contracts.User, error) {
	var u store.User
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) (err error) { u, err = actor(tx, r.Principal); return err })
	return u.Contract(), err
}
