// Package natsapi is the notify service's NATS face: its endpoints (export
// parts, visitor exports and survey links included), the consumers of identity's,
// conversation's and tenant's events (erasures, workspace deletions,
// finished exports), the consumer that sends queued email, and the workers
// that send visitor answers, survey emails and agent digests when they fall
// due.
package natsapi

import (
	"context"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/notify/internal/app"
)

// sendRetries bounds the redeliveries of an email while the SMTP server is
// down: with natsx's backoff (capped at 30s) that is about an hour.
const sendRetries = 130

// Register serves the endpoints and, when email is on, starts the consumers
// and workers that send it.
func Register(b *service.Base, a *app.App, visitorDelay, digestInterval time.Duration) {
	service.Handle(b, contracts.NotifyStatusGet, a.Status)
	service.Handle(b, contracts.NotifyPreferencesGet, a.Preferences)
	service.Handle(b, contracts.NotifyPreferencesUpdate, a.UpdatePreferences)
	service.Handle(b, contracts.NotifyTranscriptEmail, a.TranscriptEmail)
	service.Handle(b, contracts.NotifyUnsubscribe, a.Unsubscribe)
	service.Handle(b, contracts.NotifyVisitorExport, a.VisitorExport)
	// Survey links answer whether or not email is on now: they were sent.
	service.Handle(b, contracts.NotifySurveyGet, a.SurveyGet)
	service.Handle(b, contracts.NotifySurveyAnswer, a.SurveyAnswer)
	parts := natsx.PartWriter{JS: b.JS}
	service.Handle(b, contracts.NotifyExportPart, func(ctx context.Context, r contracts.ExportPartRequest) (contracts.ExportPart, error) {
		return a.ExportPart(ctx, r, parts)
	})

	// Erasure and deletion reach what notify holds whether or not email is
	// on: rows first, then the stream; a crash in between redelivers the
	// event, and both steps are idempotent.
	scrub := func(forget func(context.Context, contracts.Envelope) ([]string, error)) natsx.EventHandler {
		return func(ctx context.Context, _ string, env contracts.Envelope) error {
			needles, err := forget(ctx, env)
			if err != nil {
				return err
			}
			_, err = natsx.ScrubStream(ctx, b.JS, contracts.NotifyStream, env.TenantID, needles)
			return err
		}
	}
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.ConversationStream, Durable: "notify-visitor-erased", Filter: contracts.ConversationVisitorErased.AllTenants(),
	}, scrub(a.VisitorErased))
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.ConversationStream, Durable: "notify-conversations-deleted", Filter: contracts.ConversationConversationsDeleted.AllTenants(),
	}, scrub(a.ConversationsDeleted))
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.TenantStream, Durable: "notify-tenant-deleted", Filter: contracts.TenantTenantDeleted.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error {
		if err := a.TenantDeleted(ctx, env); err != nil {
			return err
		}
		return natsx.PurgeTenant(ctx, b.JS, contracts.NotifyStream, env.TenantID)
	})

	// Members and preferences are kept whether or not email is on, so that
	// turning it on later finds them.
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.IdentityStream, Durable: "notify-members", Filter: contracts.IdentityMemberChanged.AllTenants(),
	}, drop(a.OnMember))
	if !a.Enabled() {
		return
	}
	byTenant := func(env contracts.Envelope) string { return env.TenantID }
	for _, c := range []struct {
		durable string
		t       contracts.EventType
		h       func(context.Context, contracts.Envelope) error
	}{
		{"notify-invites", contracts.IdentityInviteCreated, a.OnInvite},
		{"notify-password-resets", contracts.IdentityPasswordResetRequested, a.OnPasswordReset},
		{"notify-email-changes", contracts.IdentityEmailChangeRequested, a.OnEmailChange},
	} {
		b.Consume(natsx.ConsumerConfig{
			Stream: contracts.IdentityStream, Durable: c.durable, Filter: c.t.AllTenants(),
			MaxDeliver: sendRetries, Parallel: 4, Key: func(env contracts.Envelope) string { return env.ID },
		}, drop(c.h))
	}
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.TenantStream, Durable: "notify-export-completed", Filter: contracts.TenantExportCompleted.AllTenants(),
		MaxDeliver: sendRetries,
	}, drop(a.OnExportCompleted))
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.NotifyStream, Durable: "notify-send", Filter: contracts.NotifyEmailQueued.AllTenants(),
		MaxDeliver: sendRetries, Parallel: 4, Key: func(env contracts.Envelope) string { return env.ID },
	}, drop(a.OnQueued))
	for _, c := range []struct {
		durable string
		t       contracts.EventType
		h       func(context.Context, contracts.Envelope) error
	}{
		{"notify-messages", contracts.ConversationMessageCreated, a.OnMessage},
		{"notify-conversations", contracts.ConversationUpdatedEvent, a.OnConversation},
		{"notify-reads", contracts.ConversationReadDone, a.OnRead},
		{"notify-presence", contracts.ConversationAgentPresence, a.OnPresence},
		{"notify-activity", contracts.ConversationActivityEvent, a.OnActivity},
	} {
		b.Consume(natsx.ConsumerConfig{
			Stream: contracts.ConversationStream, Durable: c.durable, Filter: c.t.AllTenants(), Parallel: 4, Key: byTenant,
		}, drop(c.h))
	}
	b.Go(every(tick(visitorDelay), a.SendDueVisitorEmails, b))
	b.Go(every(tick(visitorDelay), a.SendDueSurveys, b))
	b.Go(every(tick(digestInterval), a.SendDigests, b))
}

// drop adapts a handler that needs no subject.
func drop(h func(context.Context, contracts.Envelope) error) natsx.EventHandler {
	return func(ctx context.Context, _ string, env contracts.Envelope) error { return h(ctx, env) }
}

// tick is how often a worker looks for due work: often enough that an email
// is at most a quarter of its delay late, and at most every 15 seconds.
func tick(d time.Duration) time.Duration { return min(max(d/4, 100*time.Millisecond), 15*time.Second) }

func every(d time.Duration, f func(context.Context, time.Time) error, b *service.Base) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case now := <-t.C:
				if err := f(ctx, now); err != nil {
					b.Log.Warn("notify worker", "err", err)
				}
			}
		}
	}
}
