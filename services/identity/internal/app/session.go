package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
// with 429 until the window ends — except from a device that signed in as
// that email before (its device token): such a device has its own
// LoginMaxFailures, so whoever hammers an email cannot lock its owner out.
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
	// One read of the global tables: the device, the limits, then the account's tenant.
	var keys []string
	var owner store.EmailOwner
	var found, failedBefore bool
	err := a.store.Global(ctx, func(tx *store.Tx) (err error) {
		trusted := false
		if emailErr == nil && r.DeviceToken != "" {
			if trusted, err = tx.TrustedDevice(hashDevice(r.DeviceToken), email); err != nil {
				return err
			}
		}
		keys = limitKeys(email, emailErr == nil, r.ClientIP, r.DeviceToken, trusted)
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
	// The email's (or device's) failures are forgiven, and this device is
	// remembered under a fresh token (the old one is spent).
	err = a.store.Global(ctx, func(tx *store.Tx) error {
		if failedBefore {
			if err := tx.ClearLoginFailures(keys[0]); err != nil {
				return err
			}
		}
		if r.NewDeviceToken == "" {
			return nil
		}
		return tx.RememberDevice(hashDevice(r.DeviceToken), hashDevice(r.NewDeviceToken), email, a.now().Add(DeviceLifetime))
	})
	if err != nil {
		a.log.Warn("login: remembering the device failed", "err", err)
	}
	return res, nil
}

// DeviceLifetime is how long a device that signed in stays trusted.
const DeviceLifetime = 365 * 24 * time.Hour

// IPFailureFactor is how many more failures a client IP may have than one email.
const IPFailureFactor = 10

// limitKeys are the limiter's counters of one login attempt: a trusted
// device's own, or else the email's and the client IP's. The first is the
// one a success clears.
func limitKeys(email string, emailOK bool, ip, deviceToken string, trusted bool) []string {
	if trusted {
		return []string{"device:" + hashDevice(deviceToken)}
	}
	var keys []string
	if emailOK {
		keys = append(keys, "email:"+email)
	}
	if ip != "" {
		keys = append(keys, "ip:"+ip)
	}
	return keys
}

func hashDevice(token string) string {
	if token == "" {
		return ""
	}
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// checkLimit refuses (429) a login whose counters failed too often in the
// window, and reports whether the first (email or device) has failures to clear.
func (a *App) checkLimit(tx *store.Tx, keys []string) (failed bool, err error) {
	for i, k := range keys {
		n, start, err := tx.LoginFailures(k, a.cfg.LoginWindow)
		if err != nil {
			return false, err
		}
		limit := a.cfg.LoginMaxFailures
		if strings.HasPrefix(k, "ip:") {
			limit *= IPFailureFactor
		} else if i == 0 {
			failed = n > 0
		}
		if n >= limit {
			return false, apperr.RateLimitedFor(time.Until(start.Add(a.cfg.LoginWindow)))
		}
	}
	return failed, nil
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
		u, err := tx.LockedUser(s.UserID)
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
