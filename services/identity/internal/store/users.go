package store

import (
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
)

// User is a row of users.
type User struct {
	ID           string
	TenantID     string
	Email        string
	Name         string
	Role         contracts.Role
	PasswordHash string
	Locale       string
	AvatarID     string // the photo's object in contracts.AvatarBucket; "" for none
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Contract is the user as other services see it.
func (u User) Contract() contracts.User {
	out := contracts.User{ID: u.ID, TenantID: u.TenantID, Name: u.Name, Email: u.Email, Role: u.Role, CreatedAt: u.CreatedAt, Locale: u.Locale}
	if u.AvatarID != "" {
		out.AvatarURL = contracts.AvatarPath(u.AvatarID)
	}
	return out
}

type userEmail struct {
	Email    string
	TenantID string
	UserID   string
}

// EmailOwner is where an email is registered.
type EmailOwner struct {
	TenantID string
	UserID   string
}

// FindEmail looks an email up across tenants (a global read).
func (tx *Tx) FindEmail(email string) (EmailOwner, bool, error) {
	var e userEmail
	err := tx.DB.Table("user_emails").Where("email = ?", email).Take(&e).Error
	if db.IsNotFound(err) {
		return EmailOwner{}, false, nil
	}
	return EmailOwner{TenantID: e.TenantID, UserID: e.UserID}, err == nil, err
}

// CreateUser inserts a user of the transaction's tenant and claims its email.
// A taken email is a Conflict.
func (tx *Tx) CreateUser(u *User) error {
	u.TenantID = tx.TenantID
	u.CreatedAt, u.UpdatedAt = now(), now()
	err := tx.DB.Table("user_emails").Create(&userEmail{Email: u.Email, TenantID: u.TenantID, UserID: u.ID}).Error
	if db.IsDuplicate(err) {
		return apperr.New(apperr.Conflict, "an account with this email already exists")
	}
	if err != nil {
		return err
	}
	return tx.DB.Table("users").Create(u).Error
}

// User loads a user of the tenant.
func (tx *Tx) User(id string) (User, error) {
	var u User
	err := tx.DB.Table("users").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Take(&u).Error
	return u, notFound(err, "member")
}

// LockedUser is User with the row locked until the transaction ends. Every
// transaction that hands out tokens takes it, and DeleteTenant deletes users
// before sessions and refresh tokens, so an erasure either waits for such a
// transaction and then deletes what it wrote, or comes first and leaves it
// no user to issue tokens for.
func (tx *Tx) LockedUser(id string) (User, error) {
	var u User
	err := tx.Locked().Table("users").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Take(&u).Error
	return u, notFound(err, "member")
}

// Users lists the tenant's users, oldest first.
func (tx *Tx) Users() ([]User, error) {
	var us []User
	err := tx.DB.Table("users").Where("tenant_id = ?", tx.TenantID).Order("created_at, id").Find(&us).Error
	return us, err
}

// LockOwners locks the tenant's owners (PostgreSQL) and counts them, so two
// concurrent demotions cannot both see "another owner remains".
func (tx *Tx) LockOwners() (int, error) {
	var ids []string
	err := tx.Locked().Table("users").Where("tenant_id = ? AND role = ?", tx.TenantID, contracts.RoleOwner).Pluck("id", &ids).Error
	return len(ids), err
}

// SetRole changes a user's role.
func (tx *Tx) SetRole(id string, role contracts.Role) error {
	return tx.DB.Table("users").Where("tenant_id = ? AND id = ?", tx.TenantID, id).
		Updates(map[string]any{"role": role, "updated_at": now()}).Error
}

// DeleteUser removes a user, frees their email and revokes their sessions.
func (tx *Tx) DeleteUser(u User) error {
	if err := tx.DB.Table("user_emails").Where("email = ? AND user_id = ?", u.Email, u.ID).Delete(nil).Error; err != nil {
		return err
	}
	if err := tx.DB.Exec(`UPDATE sessions SET revoked_at = ?, revoked_by = 'removed'
		WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL`, now(), tx.TenantID, u.ID).Error; err != nil {
		return err
	}
	return tx.DB.Table("users").Where("tenant_id = ? AND id = ?", tx.TenantID, u.ID).Delete(nil).Error
}

// SetName changes a user's display name.
func (tx *Tx) SetName(id, name string) error {
	return tx.DB.Table("users").Where("tenant_id = ? AND id = ?", tx.TenantID, id).
		Updates(map[string]any{"name": name, "updated_at": now()}).Error
}

// SetPasswordHash replaces a user's password hash.
func (tx *Tx) SetPasswordHash(id, hash string) error {
	return tx.DB.Table("users").Where("tenant_id = ? AND id = ?", tx.TenantID, id).
		Updates(map[string]any{"password_hash": hash, "updated_at": now()}).Error
}

// SetAvatar changes a user's photo ("" removes it).
func (tx *Tx) SetAvatar(id, avatarID string) error {
	return tx.DB.Table("users").Where("tenant_id = ? AND id = ?", tx.TenantID, id).
		Updates(map[string]any{"avatar_id": avatarID, "updated_at": now()}).Error
}

// AvatarIDs lists the photos of the tenant's users.
func (tx *Tx) AvatarIDs() ([]string, error) {
	var out []string
	err := tx.DB.Table("users").Where("tenant_id = ? AND avatar_id <> ''", tx.TenantID).Pluck("avatar_id", &out).Error
	return out, err
}
