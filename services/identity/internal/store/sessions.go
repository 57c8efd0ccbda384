package store

import (
	"time"

	"github.com/parley-chat/parley/pkg/ids"
)

// Session is one refresh-token family.
type Session struct {
	ID        string
	TenantID  string
	UserID    string
	CreatedAt time.Time
	RevokedAt *time.Time
	RevokedBy string
}

// RefreshToken is a stored (hashed) refresh token.
type RefreshToken struct {
	TokenHash string
	TenantID  string
	SessionID string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// CreateSession starts a session for a user, locking the user (LockedUser)
// so that no session outlives its workspace's erasure.
func (tx *Tx) CreateSession(userID string) (Session, error) {
	if _, err := tx.LockedUser(userID); err != nil {
		return Session{}, err
	}
	s := Session{ID: ids.New(), TenantID: tx.TenantID, UserID: userID, CreatedAt: now()}
	return s, tx.DB.Table("sessions").Create(&s).Error
}

// Session loads a session of the tenant.
func (tx *Tx) Session(id string) (Session, error) {
	var s Session
	err := tx.DB.Table("sessions").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Take(&s).Error
	return s, notFound(err, "session")
}

// RevokeSession ends a session and with it every refresh token of its family.
func (tx *Tx) RevokeSession(id, reason string) error {
	return tx.DB.Exec(`UPDATE sessions SET revoked_at = ?, revoked_by = ?
		WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL`, now(), reason, tx.TenantID, id).Error
}

// AddRefreshToken stores the hash of a new refresh token of a session.
func (tx *Tx) AddRefreshToken(sessionID, hash string, ttl time.Duration) error {
	t := RefreshToken{TokenHash: hash, TenantID: tx.TenantID, SessionID: sessionID, CreatedAt: now(), ExpiresAt: now().Add(ttl)}
	return tx.DB.Table("refresh_tokens").Create(&t).Error
}

// TakeRefreshToken loads and locks a refresh token by hash.
func (tx *Tx) TakeRefreshToken(hash string) (RefreshToken, error) {
	var t RefreshToken
	err := tx.Locked().Table("refresh_tokens").Where("tenant_id = ? AND token_hash = ?", tx.TenantID, hash).Take(&t).Error
	return t, notFound(err, "refresh token")
}

// MarkRefreshTokenUsed records that a token was rotated.
func (tx *Tx) MarkRefreshTokenUsed(hash string) error {
	return tx.DB.Exec(`UPDATE refresh_tokens SET used_at = ? WHERE tenant_id = ? AND token_hash = ?`, now(), tx.TenantID, hash).Error
}

// RevokeOtherSessions ends every live session of a user but keep (none when
// keep is ""), and returns the ids it ended.
func (tx *Tx) RevokeOtherSessions(userID, keep, reason string) ([]string, error) {
	var ids []string
	q := tx.DB.Table("sessions").Where("tenant_id = ? AND user_id = ? AND revoked_at IS NULL", tx.TenantID, userID)
	if keep != "" {
		q = q.Where("id <> ?", keep) // ids are uuids on PostgreSQL: "" is no id to compare with
	}
	err := q.Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return ids, tx.DB.Exec(`UPDATE sessions SET revoked_at = ?, revoked_by = ? WHERE tenant_id = ? AND id IN ?`, now(), reason, tx.TenantID, ids).Error
}
