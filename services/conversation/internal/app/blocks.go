package app

import (
	"context"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Blocks keep an abusive visitor out of the inbox: the visitor, and every
// network they started a conversation from in the last month (the
// starts admit records), get no widget session (the gateway asks
// BlockCheck) and can start no more conversations (admit answers 403).
// The gateway revokes the visitor's tokens as it blocks them, so they
// cannot write in the conversations they have either. Any member may
// block and unblock; the audit log records who.

// maxBlockedListed bounds the list of blocked visitors.
const maxBlockedListed = 500

func teamOnly(a contracts.Actor) error {
	if a.Type != contracts.AuthorAgent {
		return apperr.New(apperr.Forbidden, "only the team can block visitors")
	}
	return nil
}

func memberRequest(a contracts.Actor, visitorID string) error {
	if err := teamOnly(a); err != nil {
		return err
	}
	if !ids.Valid(visitorID) {
		return apperr.NotFoundf("visitor not found")
	}
	return nil
}

// BlockVisitor blocks a visitor and their networks; blocking again adds the
// networks seen since. An unknown visitor is NotFound.
func (a *App) BlockVisitor(ctx context.Context, r contracts.VisitorDataRequest) (contracts.BlockedVisitor, error) {
	var out contracts.BlockedVisitor
	if err := memberRequest(r.Actor, r.VisitorID); err != nil {
		return out, err
	}
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		v, found, err := tx.Visitor(r.VisitorID)
		if err != nil {
			return err
		}
		if !found {
			return apperr.NotFoundf("visitor not found")
		}
		nets, err := tx.VisitorIPHashes(r.VisitorID)
		if err != nil {
			return err
		}
		now := a.now()
		if err := tx.Block(r.VisitorID, nets, r.Actor.ID, now); err != nil {
			return err
		}
		out = contracts.BlockedVisitor{VisitorID: v.ID, Name: v.Name, Email: v.Email, Networks: len(nets), BlockedBy: r.Actor.ID, BlockedAt: now.UTC()}
		return audit(tx, r.Actor.AuditActor(), contracts.AuditVisitorBlocked, "visitor", r.VisitorID, map[string]int{"networks": len(nets)})
	})
	return out, err
}

// UnblockVisitor lifts a block; a visitor not blocked is NotFound.
func (a *App) UnblockVisitor(ctx context.Context, r contracts.VisitorDataRequest) (contracts.Empty, error) {
	if err := memberRequest(r.Actor, r.VisitorID); err != nil {
		return contracts.Empty{}, err
	}
	return contracts.Empty{}, a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		lifted, err := tx.Unblock(r.VisitorID)
		if err != nil {
			return err
		}
		if !lifted {
			return apperr.NotFoundf("this visitor is not blocked")
		}
		return audit(tx, r.Actor.AuditActor(), contracts.AuditVisitorUnblocked, "visitor", r.VisitorID, struct{}{})
	})
}

// BlockedVisitors lists the tenant's blocked visitors, newest first.
func (a *App) BlockedVisitors(ctx context.Context, r contracts.ConversationRequest) (contracts.BlockedVisitors, error) {
	out := contracts.BlockedVisitors{Visitors: []contracts.BlockedVisitor{}}
	if err := teamOnly(r.Actor); err != nil {
		return out, err
	}
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		rows, err := tx.BlockedVisitors(maxBlockedListed)
		if err != nil {
			return err
		}
		for _, b := range rows {
			bv := contracts.BlockedVisitor{VisitorID: b.VisitorID, Networks: b.Networks, BlockedBy: b.BlockedBy, BlockedAt: b.BlockedAt.UTC()}
			if v, found, err := tx.Visitor(b.VisitorID); err != nil {
				return err
			} else if found {
				bv.Name, bv.Email = v.Name, v.Email
			}
			out.Visitors = append(out.Visitors, bv)
		}
		return nil
	})
	return out, err
}

// BlockCheck says whether a visitor, or the network they come from, is
// blocked. A malformed id is simply not blocked (the token was verified).
func (a *App) BlockCheck(ctx context.Context, r contracts.BlockCheckRequest) (contracts.BlockCheck, error) {
	var out contracts.BlockCheck
	if !ids.Valid(r.TenantID) {
		return out, apperr.NotFoundf("tenant not found")
	}
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) (err error) {
		ip := ""
		if r.IP != "" {
			ip = ipHash(r.TenantID, r.IP)
		}
		out.Blocked, err = tx.Blocked(r.VisitorID, ip)
		return err
	})
	return out, err
}
