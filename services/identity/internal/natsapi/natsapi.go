// Package natsapi is identity's NATS face: it serves identity's endpoints,
// writes its export parts into the Object Store, consumes visitor erasures
// and workspace deletions, and calls the tenant and billing services for the
// sign-up saga.
//
// A workspace deletion (tenant.deleted, any reason) deletes the tenant's
// rows first and purges its events from the IDENTITY stream after: a crash
// in between redelivers the event, and both steps are idempotent.
package natsapi

import (
	"context"
	"encoding/json"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/identity/internal/app"
)

// Register serves every identity endpoint.
func Register(b *service.Base, a *app.App) {
	service.Handle(b, contracts.IdentitySignup, a.Signup)
	service.Handle(b, contracts.IdentityLogin, a.Login)
	service.Handle(b, contracts.IdentityRefresh, a.Refresh)
	service.Handle(b, contracts.IdentityLogout, a.Logout)
	service.Handle(b, contracts.IdentityMe, a.Me)
	service.Handle(b, contracts.IdentityJWKS, a.JWKS)
	service.Handle(b, contracts.IdentityInviteCreate, a.CreateInvite)
	service.Handle(b, contracts.IdentityInviteList, a.ListInvites)
	service.Handle(b, contracts.IdentityInviteRevoke, a.RevokeInvite)
	service.Handle(b, contracts.IdentityInviteAccept, a.AcceptInvite)
	service.Handle(b, contracts.IdentityMemberList, a.ListMembers)
	service.Handle(b, contracts.IdentityMemberUpdate, a.UpdateMember)
	service.Handle(b, contracts.IdentityMemberDelete, a.RemoveMember)
	service.Handle(b, contracts.IdentityVisitorSession, a.VisitorSession)
	service.Handle(b, contracts.IdentityProfileUpdate, a.UpdateProfile)
	service.Handle(b, contracts.IdentityAvatarSet, a.SetAvatar)
	service.Handle(b, contracts.IdentityPasswordChange, a.ChangePassword)
	service.Handle(b, contracts.IdentitySeats, a.Seats)
	service.Handle(b, contracts.IdentityAPIKeyCreate, a.CreateAPIKey)
	service.Handle(b, contracts.IdentityAPIKeyList, a.ListAPIKeys)
	service.Handle(b, contracts.IdentityAPIKeyDelete, a.DeleteAPIKey)
	service.Handle(b, contracts.IdentityAPIKeyCheck, a.CheckAPIKey)
	service.Handle(b, contracts.IdentityInviteLookup, a.LookupInvite)
	service.Handle(b, contracts.IdentityPasswordForgot, a.ForgotPassword)
	service.Handle(b, contracts.IdentityPasswordReset, a.ResetPassword)
	service.Handle(b, contracts.IdentityEmailChange, a.RequestEmailChange)
	service.Handle(b, contracts.IdentityEmailConfirm, a.ConfirmEmail)
	service.Handle(b, contracts.IdentityVisitorRevoke, a.RevokeVisitor)
	service.Handle(b, contracts.IdentityVisitorRevocations, a.VisitorRevocations)
	service.Handle(b, contracts.IdentityVisitorRevokeAll, a.RevokeVisitorAll)
	parts := natsx.PartWriter{JS: b.JS}
	service.Handle(b, contracts.IdentityExportPart, func(ctx context.Context, r contracts.ExportPartRequest) (contracts.ExportPart, error) {
		return a.ExportPart(ctx, r, parts)
	})
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.ConversationStream, Durable: app.VisitorErasedConsumer,
		Filter: contracts.ConversationVisitorErased.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error { return a.VisitorErased(ctx, env) })
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.TenantStream, Durable: "identity-tenant-deleted",
		Filter: contracts.TenantTenantDeleted.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error {
		if err := a.TenantDeleted(ctx, env); err != nil {
			return err
		}
		return natsx.PurgeTenant(ctx, b.JS, contracts.IdentityStream, env.TenantID)
	})

	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.TenantStream, Durable: app.SecretRotatedConsumer,
		Filter: contracts.TenantSettingsChanged.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error { return a.SettingsChanged(ctx, env) })

	// A rotated identity secret must stop verifying at once: drop the cached
	// copy on the tenant's settings.changed event (a plain subscription: a
	// missed event only means the cache expires on its own a minute later).
	b.Go(func(ctx context.Context) error {
		sub, err := b.NC.Subscribe(contracts.TenantSettingsChanged.AllTenants(), func(m *nats.Msg) {
			var env contracts.Envelope
			if json.Unmarshal(m.Data, &env) == nil && env.CheckSubject(m.Subject) == nil {
				a.SecretRotated(env.TenantID)
			}
		})
		if err != nil {
			return err
		}
		<-ctx.Done()
		return sub.Unsubscribe()
	})
}

// Directory calls the tenant and billing services over NATS.
type Directory struct{ NC *nats.Conn }

var _ app.Directory = Directory{}

// CreateTenant creates a pending tenant.
func (d Directory) CreateTenant(ctx context.Context, tenantID, name string) (contracts.TenantInfo, error) {
	return natsx.Call(ctx, d.NC, contracts.TenantCreate, contracts.TenantCreateRequest{TenantID: tenantID, Name: name})
}

// ActivateTenant makes a pending tenant live.
func (d Directory) ActivateTenant(ctx context.Context, tenantID string) error {
	_, err := natsx.Call(ctx, d.NC, contracts.TenantActivate, contracts.TenantIDRequest{TenantID: tenantID})
	return err
}

// AbandonTenant deletes a pending tenant.
func (d Directory) AbandonTenant(ctx context.Context, tenantID string) error {
	_, err := natsx.Call(ctx, d.NC, contracts.TenantAbandon, contracts.TenantIDRequest{TenantID: tenantID})
	return err
}

// IdentitySecret fetches the key a tenant's site signs user_hash with.
func (d Directory) IdentitySecret(ctx context.Context, tenantID string) (string, error) {
	s, err := natsx.Call(ctx, d.NC, contracts.TenantSecretInternal, contracts.TenantIDRequest{TenantID: tenantID})
	return s.Secret, err
}

// TenantName reads the caller's tenant's name.
func (d Directory) TenantName(ctx context.Context, p contracts.Principal) (string, error) {
	t, err := natsx.Call(ctx, d.NC, contracts.TenantGet, contracts.PrincipalRequest{Principal: p})
	return t.Name, err
}

// CreateBillingAccount opens the tenant's billing account on the free plan.
func (d Directory) CreateBillingAccount(ctx context.Context, tenantID string) error {
	_, err := natsx.Call(ctx, d.NC, contracts.BillingAccountCreate, contracts.TenantIDRequest{TenantID: tenantID})
	return err
}
