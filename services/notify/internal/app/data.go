package app

import (
	"context"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/notify/internal/domain"
	"github.com/parley-chat/parley/services/notify/internal/store"
)

// PartWriter stores the files of an export part (the Object Store in
// production).
type PartWriter interface {
	// WriteJSONL stores object as JSON Lines, one line per value that rows
	// yields, streamed, and returns how many lines it wrote.
	WriteJSONL(ctx context.Context, object string, rows func(yield func(v any) error) error) (int64, error)
}

// Notify's export files. No line holds an email's body, its reply address
// or an unsubscribe link (those carry signed tokens).
//
// email_deliveries.jsonl: {"id","kind","to","subject","status","visitor_id","conversation_id","created_at","sent_at"}
// notification_preferences.jsonl: {"user_id","email_new_conversations","updated_at"}
// suppressions.jsonl: {"email","created_at"}
type (
	deliveryLine struct {
		ID             string     `json:"id"`
		Kind           string     `json:"kind"`
		To             string     `json:"to"`
		Subject        string     `json:"subject,omitempty"`
		Status         string     `json:"status"`
		VisitorID      string     `json:"visitor_id,omitempty"`
		ConversationID string     `json:"conversation_id,omitempty"`
		CreatedAt      time.Time  `json:"created_at"`
		SentAt         *time.Time `json:"sent_at,omitempty"`
	}
	preferenceLine struct {
		UserID                string    `json:"user_id"`
		EmailNewConversations bool      `json:"email_new_conversations"`
		UpdatedAt             time.Time `json:"updated_at"`
	}
	suppressionLine struct {
		Email     string    `json:"email"`
		CreatedAt time.Time `json:"created_at"`
	}
)

// deliveryPage is how many deliveries one read of the export takes.
const deliveryPage = 500

// ExportPart writes notify's part of an export. Deliveries are read page
// by page, so the file is never whole in memory.
func (a *App) ExportPart(ctx context.Context, r contracts.ExportPartRequest, w PartWriter) (contracts.ExportPart, error) {
	var out contracts.ExportPart
	if err := r.Check(contracts.ServiceNotify); err != nil {
		return out, err
	}
	files := []struct {
		name string
		rows func(yield func(any) error) error
	}{
		{"email_deliveries.jsonl", func(yield func(any) error) error { return a.eachDelivery(ctx, r.TenantID, yield) }},
		{"notification_preferences.jsonl", func(yield func(any) error) error {
			var ps []store.Preference
			if err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) (err error) { ps, err = tx.Preferences(); return err }); err != nil {
				return err
			}
			for _, p := range ps {
				if err := yield(preferenceLine{p.UserID, p.EmailNewConversations, p.UpdatedAt.UTC()}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"suppressions.jsonl", func(yield func(any) error) error {
			var ss []store.Suppression
			if err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) (err error) { ss, err = tx.Suppressions(); return err }); err != nil {
				return err
			}
			for _, s := range ss {
				if err := yield(suppressionLine{s.Email, s.CreatedAt.UTC()}); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, f := range files {
		object := r.Prefix + f.name
		n, err := w.WriteJSONL(ctx, object, f.rows)
		if err != nil {
			return contracts.ExportPart{}, err
		}
		out.Files = append(out.Files, contracts.ExportFile{Name: f.name, Object: object, Count: n})
	}
	return out, nil
}

func (a *App) eachDelivery(ctx context.Context, tenantID string, yield func(any) error) error {
	var afterAt *time.Time
	afterID := ""
	for {
		var page []store.Delivery
		if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) {
			page, err = tx.DeliveriesAfter(afterAt, afterID, deliveryPage)
			return err
		}); err != nil {
			return err
		}
		for _, d := range page {
			if err := yield(deliveryLineOf(d)); err != nil {
				return err
			}
		}
		if len(page) < deliveryPage {
			return nil
		}
		last := page[len(page)-1]
		afterAt, afterID = &last.CreatedAt, last.ID
	}
}

func deliveryLineOf(d store.Delivery) deliveryLine {
	return deliveryLine{ID: d.ID, Kind: d.Kind, To: d.Recipient, Subject: d.Subject, Status: d.Status,
		VisitorID: d.VisitorID, ConversationID: d.ConversationID, CreatedAt: d.CreatedAt.UTC(), SentAt: d.SentAt}
}

// VisitorExport is what notify holds about one visitor: the email sent or
// queued to them and whether an address of theirs unsubscribed. An owner or
// admin may ask, or the visitor themself.
func (a *App) VisitorExport(ctx context.Context, r contracts.VisitorDataRequest) (contracts.VisitorEmails, error) {
	out := contracts.VisitorEmails{Emails: []contracts.EmailRecord{}}
	act := r.Actor
	switch {
	case !ids.Valid(act.TenantID):
		return out, apperr.New(apperr.Unauthenticated, "no caller")
	case act.Type == contracts.AuthorVisitor && act.ID == r.VisitorID:
	case act.Type == contracts.AuthorAgent && (act.Role == contracts.RoleOwner || act.Role == contracts.RoleAdmin):
	default:
		return out, apperr.New(apperr.Forbidden, "only an owner, an admin or the visitor themself can export a visitor's data")
	}
	if !ids.Valid(r.VisitorID) {
		return out, apperr.NotFoundf("visitor not found")
	}
	err := a.store.Tenant(ctx, act.TenantID, func(tx *store.Tx) error {
		ds, err := tx.VisitorDeliveries(r.VisitorID)
		if err != nil {
			return err
		}
		var addresses []string
		for _, d := range ds {
			out.Emails = append(out.Emails, contracts.EmailRecord{Kind: d.Kind, To: d.Recipient, Subject: d.Subject, Status: d.Status, CreatedAt: d.CreatedAt.UTC(), SentAt: d.SentAt})
			addresses = append(addresses, d.Recipient)
		}
		out.Suppressed, err = tx.AnySuppressed(addresses)
		return err
	})
	return out, err
}

// VisitorErased forgets an erased visitor and their conversations (see
// store.Forget) and returns the needles to scrub notify's stream with.
func (a *App) VisitorErased(ctx context.Context, env contracts.Envelope) ([]string, error) {
	var ev contracts.VisitorErased
	if err := env.Decode(&ev); err != nil || !ids.Valid(ev.VisitorID) {
		return nil, apperr.InvalidField("visitor_id", "visitor.erased without a visitor id")
	}
	return a.forget(ctx, env.TenantID, ev.VisitorID, ev.ConversationIDs)
}

// ConversationsDeleted forgets conversations that are gone (retention,
// erasure) and returns the needles to scrub notify's stream with.
func (a *App) ConversationsDeleted(ctx context.Context, env contracts.Envelope) ([]string, error) {
	var ev contracts.ConversationsDeleted
	if err := env.Decode(&ev); err != nil {
		return nil, apperr.InvalidField("conversation_ids", "bad conversations.deleted payload")
	}
	if len(ev.ConversationIDs) == 0 {
		return nil, nil
	}
	return a.forget(ctx, env.TenantID, "", ev.ConversationIDs)
}

func (a *App) forget(ctx context.Context, tenantID, visitorID string, conversationIDs []string) ([]string, error) {
	var needles []string
	err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		needles, err = tx.Forget(visitorID, conversationIDs)
		return err
	})
	return needles, err
}

// tenantSettle is how long after a workspace's deletion notify erases it
// once more: events of the workspace already being handled when it was
// deleted (an export's "ready" email, say) may still write a row.
const tenantSettle = 20 * time.Second

// TenantDeleted deletes everything notify holds of a deleted tenant, now and
// again once its in-flight events have settled.
func (a *App) TenantDeleted(ctx context.Context, env contracts.Envelope) error {
	erase := func(ctx context.Context) error {
		return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error { return tx.DeleteTenant() })
	}
	if err := erase(ctx); err != nil {
		return err
	}
	a.synced.Delete(env.TenantID)
	time.AfterFunc(tenantSettle, func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := erase(ctx); err != nil {
			a.log.Warn("second erasure of a deleted workspace", "tenant_id", env.TenantID, "err", err)
		}
	})
	return nil
}

// OnExportCompleted emails the member who asked for an export that it is
// ready (or failed), in their language, through the queue: retried while
// the SMTP server is down, sent once however often the event arrives.
func (a *App) OnExportCompleted(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.ExportCompleted
	if err := env.Decode(&ev); err != nil || !ids.Valid(ev.ExportID) || ev.RequestedBy == "" {
		return apperr.New(apperr.Invalid, "bad export.completed payload")
	}
	if stale(env) {
		return nil
	}
	if err := a.syncMembers(ctx, env.TenantID); err != nil {
		return err
	}
	// The workspace's name and colour are a nicety: the email does not wait for them.
	b, err := a.brand(ctx, nil, env.TenantID)
	if err != nil {
		b = domain.Brand{}
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		m, found, err := tx.Member(ev.RequestedBy)
		if err != nil || !found {
			if err == nil {
				a.log.Info("export email: the member who asked left", "tenant", env.TenantID, "export", ev.ExportID)
			}
			return err
		}
		e, err := domain.Export(env.TenantID, a.opt.PublicURL, b, m.Email, m.Name, m.Locale, ev)
		if err != nil {
			return err
		}
		return a.queue(tx, e)
	})
}
