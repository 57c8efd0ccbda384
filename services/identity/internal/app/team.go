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

// CreateInvite invites an email address to the caller's tenant. The token is
// returned once; only its hash is stored. The URL carries the token in its
// fragment, which browsers never send to a server or put in a Referer.
func (a *App) CreateInvite(ctx context.Context, r contracts.InviteCreateRequest) (contracts.Invite, error) {
	var out contracts.Invite
	// The role the token carries is checked first (and again, against the
	// stored member, in the transaction), so an agent gets 403, not 402 or 409.
	if err := domain.CanAdminister(r.Principal.Role); err != nil {
		return out, err
	}
	email, err := validate.Email("email", r.Email)
	if err != nil {
		return out, err
	}
	if err := domain.CheckInviteRole(r.Role); err != nil {
		return out, err
	}
	p := r.Principal
	secret := ids.Secret(32)
	limits, err := a.entitlementsOf(ctx, p.TenantID)
	if err != nil {
		return out, err
	}
	tenantName, err := a.dir.TenantName(ctx, p)
	if err != nil {
		return out, err
	}
	token := p.TenantID + "." + secret
	url := a.cfg.PublicURL + "/accept-invite#" + token
	err = a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
		me, err := admin(tx, p)
		if err != nil {
			return err
		}
		// Only this workspace's own members are told apart: an address with
		// an account elsewhere is invited like any other (accepting then
		// answers 409), so that one tenant cannot probe another's members.
		if owner, taken, err := tx.FindEmail(email); err != nil {
			return err
		} else if taken && owner.TenantID == p.TenantID {
			return apperr.New(apperr.Conflict, "%s is already a member of this workspace", email)
		}
		if err := checkSeats(tx, limits, email, true); err != nil {
			return err
		}
		// The invitee's language is unknown: the inviter's is the best guess.
		inv := store.Invite{ID: ids.New(), Email: email, Role: r.Role, TokenHash: ids.Hash(secret), InvitedBy: me.ID,
			InviterName: me.Name, TenantName: tenantName, Locale: domain.LocaleOr(me.Locale, ""),
			ExpiresAt: time.Now().UTC().Add(a.cfg.InviteTTL)}
		if err := tx.CreateInvite(&inv); err != nil {
			return err
		}
		out = inv.Contract()
		if err := audit(tx, p.AuditActor(), contracts.AuditInviteCreated, "invite", inv.ID, nil,
			inviteFields{Email: inv.Email, Role: inv.Role, ExpiresAt: &inv.ExpiresAt}); err != nil {
			return err
		}
		return tx.Emit(contracts.IdentityInviteCreated, contracts.InviteCreated{
			InviteID: inv.ID, Email: inv.Email, Role: inv.Role, InviterName: inv.InviterName, TenantName: inv.TenantName,
			URL: url, Locale: inv.Locale, ExpiresAt: inv.ExpiresAt,
		})
	})
	if err != nil {
		return out, err
	}
	out.Token, out.URL = token, url
	return out, nil
}

// LookupInvite shows the accept page what an open invite is for. Unknown,
// expired, revoked and accepted invites are all "not found".
func (a *App) LookupInvite(ctx context.Context, r contracts.InviteLookupRequest) (contracts.InviteLookup, error) {
	var out contracts.InviteLookup
	tenantID, secret, ok := splitToken(r.Token)
	if !ok {
		return out, apperr.NotFoundf("invite not found (it may have expired or been used)")
	}
	err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		inv, err := tx.OpenInvite(ids.Hash(secret))
		out = inv.Lookup()
		return err
	})
	return out, err
}

// ListInvites returns the invites that can still be accepted.
func (a *App) ListInvites(ctx context.Context, r contracts.PrincipalRequest) (contracts.InviteList, error) {
	out := contracts.InviteList{Invites: []contracts.Invite{}}
	err := a.asAdmin(ctx, r.Principal, func(tx *store.Tx) error {
		invites, err := tx.OpenInvites()
		for _, i := range invites {
			out.Invites = append(out.Invites, i.Contract())
		}
		return err
	})
	return out, err
}

// RevokeInvite withdraws an open invite.
func (a *App) RevokeInvite(ctx context.Context, r contracts.IDRequest) (contracts.Empty, error) {
	if !ids.Valid(r.ID) {
		return contracts.Empty{}, apperr.NotFoundf("invite not found")
	}
	return contracts.Empty{}, a.asAdmin(ctx, r.Principal, func(tx *store.Tx) error {
		inv, err := tx.Invite(r.ID)
		if err != nil {
			return err
		}
		if err := tx.RevokeInvite(r.ID); err != nil {
			return err
		}
		return audit(tx, r.Principal.AuditActor(), contracts.AuditInviteRevoked, "invite", inv.ID,
			inviteFields{Email: inv.Email, Role: inv.Role}, nil)
	})
}

// AcceptInvite makes the invitee a member and signs them in.
func (a *App) AcceptInvite(ctx context.Context, r contracts.InviteAcceptRequest) (contracts.AuthResult, error) {
	var res contracts.AuthResult
	tenantID, secret, ok := splitToken(r.Token)
	if !ok {
		return res, apperr.NotFoundf("invite not found (it may have expired or been used)")
	}
	name, err := domain.CleanName("name", r.Name)
	if err != nil {
		return res, err
	}
	if err := domain.CheckPassword("password", r.Password); err != nil {
		return res, err
	}
	// A wrong token must cost no password hash: look the invite up first.
	// The write below takes it again, so an invite used meanwhile still fails.
	tokenHash := ids.Hash(secret)
	if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error { _, err := tx.TakeOpenInvite(tokenHash); return err }); err != nil {
		return res, err
	}
	hash := password.Hash(r.Password)
	limits, err := a.entitlementsOf(ctx, tenantID)
	if err != nil {
		return res, err
	}
	err = a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		inv, err := tx.TakeOpenInvite(tokenHash)
		if err != nil {
			return err
		}
		if err := checkSeats(tx, limits, "", false); err != nil {
			return err
		}
		u := store.User{ID: ids.New(), Email: inv.Email, Name: name, Role: inv.Role, PasswordHash: hash, Locale: domain.LocaleOr(r.Locale, inv.Locale)}
		if err := tx.CreateUser(&u); err != nil {
			return err
		}
		if err := tx.MarkInviteAccepted(inv.ID); err != nil {
			return err
		}
		tokens, err := a.startSession(tx, u)
		if err != nil {
			return err
		}
		res = contracts.AuthResult{User: u.Contract(), Tokens: tokens}
		joined := contracts.AuditActor{Type: "member", ID: u.ID, Name: u.Name, IP: r.ClientIP}
		if err := audit(tx, joined, contracts.AuditMemberJoined, "member", u.ID, nil,
			memberFields{Email: u.Email, Name: u.Name, Role: u.Role, InviteID: inv.ID}); err != nil {
			return err
		}
		return tx.Emit(contracts.IdentityMemberChanged, contracts.MemberChanged{User: u.Contract()})
	})
	return res, err
}

// ListMembers returns the caller's team.
func (a *App) ListMembers(ctx context.Context, r contracts.PrincipalRequest) (contracts.MemberList, error) {
	out := contracts.MemberList{Members: []contracts.User{}}
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		users, err := tx.Users()
		for _, u := range users {
			out.Members = append(out.Members, u.Contract())
		}
		return err
	})
	return out, err
}

// UpdateMember changes a member's role.
func (a *App) UpdateMember(ctx context.Context, r contracts.MemberUpdateRequest) (contracts.User, error) {
	var out contracts.User
	if !ids.Valid(r.ID) {
		return out, apperr.NotFoundf("member not found")
	}
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		me, target, owners, err := a.loadTeamChange(tx, r.Principal, r.ID)
		if err != nil {
			return err
		}
		if err := domain.CanChangeRole(me.Role, target.Role, r.Role, owners); err != nil {
			return err
		}
		if target.Role == r.Role {
			out = target.Contract()
			return nil
		}
		if err := tx.SetRole(target.ID, r.Role); err != nil {
			return err
		}
		if err := audit(tx, r.Principal.AuditActor(), contracts.AuditMemberUpdated, "member", target.ID,
			memberFields{Role: target.Role}, memberFields{Role: r.Role}); err != nil {
			return err
		}
		target.Role = r.Role
		out = target.Contract()
		return tx.Emit(contracts.IdentityMemberChanged, contracts.MemberChanged{User: out})
	})
	return out, err
}

// RemoveMember deletes a member; their sessions end at once.
func (a *App) RemoveMember(ctx context.Context, r contracts.IDRequest) (contracts.Empty, error) {
	if !ids.Valid(r.ID) {
		return contracts.Empty{}, apperr.NotFoundf("member not found")
	}
	var avatar string
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		me, target, owners, err := a.loadTeamChange(tx, r.Principal, r.ID)
		if err != nil {
			return err
		}
		avatar = target.AvatarID
		if err := domain.CanRemove(me.Role, target.Role, owners); err != nil {
			return err
		}
		if err := tx.DeleteUser(target); err != nil {
			return err
		}
		if err := audit(tx, r.Principal.AuditActor(), contracts.AuditMemberRemoved, "member", target.ID,
			memberFields{Email: target.Email, Name: target.Name, Role: target.Role}, nil); err != nil {
			return err
		}
		if err := tx.Emit(contracts.IdentityAccessRevoked, contracts.AccessRevoked{UserID: target.ID}); err != nil {
			return err
		}
		gone := target.Contract()
		gone.AvatarURL = "" // deleted below
		return tx.Emit(contracts.IdentityMemberChanged, contracts.MemberChanged{User: gone, Removed: true})
	})
	if err == nil && avatar != "" {
		a.deleteObject(ctx, a.photos.Avatars, avatar)
	}
	return contracts.Empty{}, err
}

func (a *App) loadTeamChange(tx *store.Tx, p contracts.Principal, targetID string) (me, target store.User, owners int, err error) {
	if me, err = admin(tx, p); err != nil {
		return
	}
	if owners, err = tx.LockOwners(); err != nil {
		return
	}
	target, err = tx.User(targetID)
	return
}

// memberFields and inviteFields are what the audit log records of a member
// or an invite: the changed fields only.
type (
	memberFields struct {
		Email    string         `json:"email,omitempty"`
		Name     string         `json:"name,omitempty"`
		Role     contracts.Role `json:"role,omitempty"`
		InviteID string         `json:"invite_id,omitempty"`
	}
	inviteFields struct {
		Email     string         `json:"email"`
		Role      contracts.Role `json:"role"`
		ExpiresAt *time.Time     `json:"expires_at,omitempty"`
	}
)
