package store

import (
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/db"
)

// TokenPurpose says what an account token may be used for.
type TokenPurpose string

// The purposes of account tokens.
const (
	PurposePasswordReset TokenPurpose = "password_reset"
	PurposeEmailChange   TokenPurpose = "email_change"
)

// AccountToken is a row of account_tokens: a single-use link sent by email.
type AccountToken struct {
	TokenHash string
	TenantID  string
	UserID    string
	Purpose   TokenPurpose
	NewEmail  string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// IssueAccountToken stores t and spends every earlier unused token of the
// same user and purpose: only the newest link works.
func (tx *Tx) IssueAccountToken(t *AccountToken) error {
	t.TenantID = tx.TenantID
	if err := tx.DB.Exec(`UPDATE account_tokens SET used_at = ? WHERE tenant_id = ? AND user_id = ? AND purpose = ? AND used_at IS NULL`,
		t.CreatedAt, tx.TenantID, t.UserID, t.Purpose).Error; err != nil {
		return err
	}
	return tx.DB.Table("account_tokens").Create(t).Error
}

// TakeAccountToken loads and locks a token of purpose by its hash, used or
// not (the caller tells the member which).
func (tx *Tx) TakeAccountToken(purpose TokenPurpose, hash string) (AccountToken, error) {
	var t AccountToken
	err := tx.Locked().Table("account_tokens").Where("tenant_id = ? AND token_hash = ? AND purpose = ?", tx.TenantID, hash, purpose).Take(&t).Error
	return t, notFound(err, "link")
}

// SpendAccountToken marks a token used.
func (tx *Tx) SpendAccountToken(hash string, at time.Time) error {
	return tx.DB.Exec(`UPDATE account_tokens SET used_at = ? WHERE tenant_id = ? AND token_hash = ?`, at, tx.TenantID, hash).Error
}

// SetEmail moves a user to a new email address, claiming it across Parley
// and freeing the old one. A taken address is a Conflict.
func (tx *Tx) SetEmail(u User, email string) error {
	err := tx.DB.Table("user_emails").Create(&userEmail{Email: email, TenantID: u.TenantID, UserID: u.ID}).Error
	if db.IsDuplicate(err) {
		return apperr.New(apperr.Conflict, "an account with this email already exists")
	}
	if err != nil {
		return err
	}
	if err := tx.DB.Table("user_emails").Where("email = ? AND user_id = ?", u.Email, u.ID).Delete(nil).Error; err != nil {
		return err
	}
	return tx.DB.Table("users").Where("tenant_id = ? AND id = ?", tx.TenantID, u.ID).
		Updates(map[string]any{"email": email, "updated_at": now()}).Error
}

// SetLocale changes the language of a user's emails.
func (tx *Tx) SetLocale(id, locale string) error {
	return tx.DB.Table("users").Where("tenant_id = ? AND id = ?", tx.TenantID, id).
		Updates(map[string]any{"locale": locale, "updated_at": now()}).Error
}

// LimitedAttempt counts one attempt for every key in the window and refuses
// (RateLimited) once a key reached its limit. It shares login_failures with
// the login limiter, under its own key prefixes.
func (tx *Tx) LimitedAttempt(window time.Duration, limits map[string]int) error {
	for key, limit := range limits {
		n, start, err := tx.LoginFailures(key, window)
		if err != nil {
			return err
		}
		if n >= limit {
			return apperr.RateLimitedFor(time.Until(start.Add(window)))
		}
	}
	for key := range limits {
		if err := tx.RecordLoginFailure(key, window); err != nil {
			return err
		}
	}
	return nil
}
