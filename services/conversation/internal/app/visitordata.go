package app

import (
	"context"
	"encoding/json"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// A visitor's rights: their data, and its erasure. Erasure deletes the
// visitor's conversations entirely — agents' replies and notes too — with no
// tombstone; the audit log keeps ids and counts only.

// visitorRights lets an admin member act on any visitor of the tenant, and
// a visitor on themself; anything else is Forbidden, and a malformed id is
// NotFound.
func visitorRights(r contracts.VisitorDataRequest) error {
	switch {
	case r.Actor.Type == contracts.AuthorVisitor && r.Actor.ID == r.VisitorID:
	case r.Actor.Type == contracts.AuthorAgent && r.Actor.Role.CanAdminister():
	default:
		return apperr.New(apperr.Forbidden, "only an owner or admin, or the visitor themself, can do this")
	}
	if !ids.Valid(r.VisitorID) || !ids.Valid(r.Actor.TenantID) {
		return apperr.NotFoundf("visitor not found")
	}
	return nil
}

// auditActor is the actor as the audit log records it: a visitor by id only.
func auditActor(a contracts.Actor) contracts.AuditActor {
	out := a.AuditActor()
	if a.Type == contracts.AuthorVisitor {
		out.Name = ""
	}
	return out
}

func audit(tx *store.Tx, actor contracts.AuditActor, action, targetType, targetID string, after any) error {
	body, err := json.Marshal(after)
	if err != nil {
		return err
	}
	return tx.Emit(contracts.ConversationAuditRecorded, contracts.AuditRecorded{
		Actor: actor, Action: action, TargetType: targetType, TargetID: targetID, After: body,
	})
}

// EraseVisitor deletes a visitor, their conversations (every message, note
// and file), their unsent uploads, bookings and timers in one transaction
// (the files' objects right after), and emits visitor.erased
// (ids only), conversations.deleted and audit.recorded (counts only) in it.
// An unknown or already erased visitor is NotFound.
func (a *App) EraseVisitor(ctx context.Context, r contracts.VisitorDataRequest) (contracts.VisitorErasure, error) {
	out := contracts.VisitorErasure{VisitorID: r.VisitorID}
	if err := visitorRights(r); err != nil {
		return out, err
	}
	var gone []store.File
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		convs, err := tx.VisitorConversationIDs(r.VisitorID)
		if err != nil {
			return err
		}
		messages, files, err := tx.DeleteConversations(convs)
		if err != nil {
			return err
		}
		unsent, err := tx.DeleteUploaderFiles(contracts.AuthorVisitor, r.VisitorID)
		if err != nil {
			return err
		}
		gone = append(files, unsent...)
		existed, err := tx.DeleteVisitor(r.VisitorID)
		if err != nil {
			return err
		}
		if !existed && len(convs) == 0 {
			return apperr.NotFoundf("visitor not found")
		}
		out.Conversations, out.Messages = len(convs), int(messages)
		if err := tx.Emit(contracts.ConversationVisitorErased, contracts.VisitorErased{
			VisitorID: r.VisitorID, ConversationIDs: convs, ErasedAt: a.now(),
		}); err != nil {
			return err
		}
		if len(convs) > 0 {
			if err := tx.Emit(contracts.ConversationConversationsDeleted, contracts.ConversationsDeleted{ConversationIDs: convs, Reason: "erasure"}); err != nil {
				return err
			}
		}
		return audit(tx, auditActor(r.Actor), contracts.AuditVisitorErased, "visitor", r.VisitorID,
			map[string]int{"conversations": out.Conversations, "messages": out.Messages})
	})
	if err != nil {
		return contracts.VisitorErasure{}, err
	}
	a.deleteBlobs(ctx, r.Actor.TenantID, gone)
	return out, nil
}

// ExportVisitor returns everything the service holds about a visitor; the
// visitor themself gets no private notes. A member's request is audited.
func (a *App) ExportVisitor(ctx context.Context, r contracts.VisitorDataRequest) (contracts.VisitorData, error) {
	out := contracts.VisitorData{Conversations: []contracts.VisitorDataConversation{}, Bookings: []contracts.Booking{}}
	if err := visitorRights(r); err != nil {
		return out, err
	}
	member := r.Actor.Type == contracts.AuthorAgent
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		v, found, err := tx.Visitor(r.VisitorID)
		if err != nil {
			return err
		}
		convIDs, err := tx.VisitorConversationIDs(r.VisitorID)
		if err != nil {
			return err
		}
		if !found && len(convIDs) == 0 {
			return apperr.NotFoundf("visitor not found")
		}
		out.Visitor = v.Contract()
		for _, id := range convIDs {
			c, err := tx.Conversation(id)
			if err != nil {
				return err
			}
			conv, err := view(tx, c)
			if err != nil {
				return err
			}
			item := contracts.VisitorDataConversation{Conversation: conv, Messages: []contracts.Message{}, Ratings: []contracts.Rating{}}
			acts, err := tx.Activities(id)
			if err != nil {
				return err
			}
			for _, act := range acts {
				if act.Kind == contracts.ActivityRated && act.Rating != nil {
					item.Ratings = append(item.Ratings, *act.Rating)
				}
			}
			for seq := int64(0); ; {
				page, more, err := tx.Messages(id, seq, exportPage, member)
				if err != nil {
					return err
				}
				msgs, err := a.messagesOut(tx, page, true)
				if err != nil {
					return err
				}
				item.Messages = append(item.Messages, msgs...)
				if !more {
					break
				}
				seq = page[len(page)-1].Seq
			}
			out.Conversations = append(out.Conversations, item)
		}
		bookings, err := tx.VisitorBookings(r.VisitorID)
		if err != nil {
			return err
		}
		for _, b := range bookings {
			out.Bookings = append(out.Bookings, b.Contract())
		}
		if !member {
			return nil
		}
		return audit(tx, auditActor(r.Actor), contracts.AuditVisitorExported, "visitor", r.VisitorID,
			map[string]int{"conversations": len(out.Conversations)})
	})
	return out, err
}
