package store

import (
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Invite is a row of invites.
type Invite struct {
	ID          string
	TenantID    string
	Email       string
	Role        contracts.Role
	TokenHash   string
	InvitedBy   string
	InviterName string
	TenantName  string
	Locale      string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	AcceptedAt  *time.Time
	RevokedAt   *time.Time
}

// Lookup is what the accept page shows of the invite.
func (i Invite) Lookup() contracts.InviteLookup {
	return contracts.InviteLookup{TenantName: i.TenantName, InviterName: i.InviterName, Email: i.Email, Role: i.Role, ExpiresAt: i.ExpiresAt}
}

// Contract is the invite as clients see it (without its token).
func (i Invite) Contract() contracts.Invite {
	return contracts.Invite{ID: i.ID, Email: i.Email, Role: i.Role, ExpiresAt: i.ExpiresAt, CreatedAt: i.CreatedAt}
}

// CreateInvite stores an invite, replacing any open one for the same email.
func (tx *Tx) CreateInvite(i *Invite) error {
	i.TenantID, i.CreatedAt = tx.TenantID, now()
	if err := tx.DB.Exec(`UPDATE invites SET revoked_at = ? WHERE tenant_id = ? AND email = ?
		AND accepted_at IS NULL AND revoked_at IS NULL`, now(), tx.TenantID, i.Email).Error; err != nil {
		return err
	}
	return tx.DB.Table("invites").Create(i).Error
}

// OpenInvites lists invites that can still be accepted.
func (tx *Tx) OpenInvites() ([]Invite, error) {
	var out []Invite
	err := tx.DB.Table("invites").Where("tenant_id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", tx.TenantID, now()).
		Order("created_at DESC, id").Find(&out).Error
	return out, err
}

// TakeOpenInvite loads and locks an invite that can still be accepted.
func (tx *Tx) TakeOpenInvite(tokenHash string) (Invite, error) {
	var i Invite
	err := tx.Locked().Table("invites").Where("tenant_id = ? AND token_hash = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
		tx.TenantID, tokenHash, now()).Take(&i).Error
	return i, notFound(err, "invite (it may have expired or been used)")
}

// OpenInvite reads an invite that can still be accepted, without locking it.
func (tx *Tx) OpenInvite(tokenHash string) (Invite, error) {
	var i Invite
	err := tx.DB.Table("invites").Where("tenant_id = ? AND token_hash = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
		tx.TenantID, tokenHash, now()).Take(&i).Error
	return i, notFound(err, "invite (it may have expired or been used)")
}

// MarkInviteAccepted closes an invite.
func (tx *Tx) MarkInviteAccepted(id string) error {
	return tx.DB.Exec(`UPDATE invites SET accepted_at = ? WHERE tenant_id = ? AND id = ?`, now(), tx.TenantID, id).Error
}

// RevokeInvite closes an open invite; a missing or closed one is NotFound.
func (tx *Tx) RevokeInvite(id string) error {
	res := tx.DB.Exec(`UPDATE invites SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND accepted_at IS NULL AND revoked_at IS NULL`, now(), tx.TenantID, id)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.NotFoundf("invite not found")
	}
	return res.Error
}

// Invite loads an invite of the tenant, open or not.
func (tx *Tx) Invite(id string) (Invite, error) {
	var i Invite
	err := tx.DB.Table("invites").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Take(&i).Error
	return i, notFound(err, "invite")
}
