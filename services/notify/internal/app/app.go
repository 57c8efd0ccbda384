// Package app is what notify does: turn events into email, decide who hears
// of what and when, and send each email once.
//
// Two paths lead to the SMTP server, both from JetStream consumers that ack
// only once the server accepted the email (or refused it for good):
// identity's events are rendered and sent by their own consumers; email
// that notify decides on later (a visitor's unread answer, an agent's
// digest, a transcript) is first emitted as a NotifyEmailQueued event, in
// the same transaction that consumed its cause, and sent by the queue's
// consumer. Deliver records every email by its stable id, so a redelivered
// event sends nothing twice.
package app

import (
	"context"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/notify/internal/domain"
	"github.com/parley-chat/parley/services/notify/internal/store"
	"github.com/parley-chat/parley/services/notify/internal/surveytoken"
)

// Sender hands an email to the SMTP server.
type Sender interface {
	Send(ctx context.Context, e domain.Email) error
	MessageID(e domain.Email) string
}

// Permanent reports whether a send error will never succeed.
type Permanent func(error) bool

// Options are the service's settings.
type Options struct {
	PublicURL      string
	VisitorDelay   time.Duration
	DigestInterval time.Duration
	// Sender is nil when email is off: nothing is sent or recorded as sent.
	Sender    Sender
	Permanent Permanent
	// ReplyAddress makes the signed reply address of a visitor's
	// conversation; nil when Parley receives no email.
	ReplyAddress func(tenantID, conversationID, visitorID string) (string, error)
	// SurveyKeys sign survey links (the first) and verify them (any).
	SurveyKeys []surveytoken.Key
}

// App holds the use cases.
type App struct {
	store *store.Store
	nc    *nats.Conn
	opt   Options
	log   *slog.Logger
	// synced holds the tenants whose member list is known to be read
	// (member_syncs only grows), so events skip asking the database again.
	synced sync.Map
}

// New builds the use cases.
func New(s *store.Store, nc *nats.Conn, opt Options, log *slog.Logger) *App {
	if opt.Permanent == nil {
		opt.Permanent = func(error) bool { return false }
	}
	return &App{store: s, nc: nc, opt: opt, log: log}
}

// Enabled reports whether outbound email is configured.
func (a *App) Enabled() bool { return a.opt.Sender != nil }

// Status says whether email is on.
func (a *App) Status(context.Context, contracts.Empty) (contracts.NotifyStatus, error) {
	return contracts.NotifyStatus{EmailEnabled: a.Enabled()}, nil
}

// Deliver sends one email unless it was handled before. It returns an error
// only when a retry may succeed (the SMTP server is down or said "later").
func (a *App) Deliver(ctx context.Context, e domain.Email) error {
	if !a.Enabled() {
		return nil
	}
	var done bool
	err := a.store.Tenant(ctx, e.TenantID, func(tx *store.Tx) error {
		var err error
		if done, err = tx.Delivered(e.ID); err != nil || done {
			return err
		}
		if !e.Kind.Suppressible() {
			return nil
		}
		if done, err = tx.Suppressed(e.To); err != nil || !done {
			return err
		}
		return tx.RecordDelivery(a.delivery(e, store.Suppressed, ""))
	})
	if err != nil || done {
		return err
	}
	sendErr := a.opt.Sender.Send(ctx, e)
	status, detail := store.Sent, ""
	if sendErr != nil {
		if !a.opt.Permanent(sendErr) {
			return sendErr
		}
		a.log.Warn("email refused for good", "email", e.ID, "kind", e.Kind, "err", sendErr)
		status, detail = store.Rejected, sendErr.Error()
	}
	// The server has it: a failure to record it now would send it again, so
	// keep trying for a while rather than Nak.
	for attempt := 0; ; attempt++ {
		err = a.store.Tenant(ctx, e.TenantID, func(tx *store.Tx) error { return tx.RecordDelivery(a.delivery(e, status, detail)) })
		if err == nil || attempt == 5 || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
}

func (a *App) delivery(e domain.Email, status, detail string) store.Delivery {
	return store.Delivery{
		ID: e.ID, Kind: string(e.Kind), Recipient: e.To, Subject: e.Subject, VisitorID: e.VisitorID, ConversationID: e.ConversationID,
		MessageID: a.opt.Sender.MessageID(e), Status: status, Detail: detail,
	}
}

// OnQueued sends an email that notify queued for itself.
func (a *App) OnQueued(ctx context.Context, env contracts.Envelope) error {
	var e domain.Email
	if err := env.Decode(&e); err != nil || e.ID == "" || e.To == "" {
		return apperr.New(apperr.Invalid, "bad email.queued payload")
	}
	e.TenantID = env.TenantID // never another tenant's
	if e.VisitorID != "" {
		// An erasure since it was queued deleted its row: it must not go.
		var queued bool
		if err := a.store.Tenant(ctx, e.TenantID, func(tx *store.Tx) (err error) { queued, err = tx.IsQueued(e.ID); return err }); err != nil || !queued {
			return err
		}
	}
	return a.Deliver(ctx, e)
}

// queue records an email as queued and emits it for the queue's consumer,
// in tx; an email with the same id queued before is not queued again.
func (a *App) queue(tx *store.Tx, e domain.Email) error {
	if first, err := tx.QueueDelivery(a.delivery(e, store.Queued, "")); err != nil || !first {
		return err
	}
	return tx.Emit(contracts.NotifyEmailQueued, e)
}

// brands holds the tenants' brands that one pass of a worker already asked
// for, so a pass asks once per tenant, not once per email; nil keeps none.
type brands map[string]domain.Brand

// brand is the tenant's name and widget colour.
func (a *App) brand(ctx context.Context, known brands, tenantID string) (domain.Brand, error) {
	if b, ok := known[tenantID]; ok {
		return b, nil
	}
	t, err := natsx.Call(ctx, a.nc, contracts.TenantGet, contracts.PrincipalRequest{Principal: contracts.Principal{TenantID: tenantID}})
	if err != nil {
		return domain.Brand{}, err
	}
	s, err := natsx.Call(ctx, a.nc, contracts.TenantSettingsInternal, contracts.TenantIDRequest{TenantID: tenantID})
	if err != nil {
		return domain.Brand{}, err
	}
	b := domain.Brand{Name: t.Name, Color: s.Widget.Color}
	if known != nil {
		known[tenantID] = b
	}
	return b, nil
}

// validEmail checks an address a client gave.
func validEmail(field, s string) (string, error) {
	s = domain.NormalizeEmail(s)
	if len(s) > 254 || strings.ContainsAny(s, "\r\n<>,") {
		return "", apperr.InvalidField(field, "%s must be an email address", field)
	}
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return "", apperr.InvalidField(field, "%s must be an email address", field)
	}
	return s, nil
}
