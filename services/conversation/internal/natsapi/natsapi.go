// Package natsapi is the conversation service's NATS face: its endpoints,
// the consumer that keeps the local copy of each team current, the
// subscription that drops cached tenant settings when they change, the
// timer loop (snooze wake-ups, lapsed presences, unsent uploads past
// contracts.UploadTTL), the attachment endpoints (see app/files.go), and the data-ownership
// work (data.go: exports, imports, erasure, retention, workspace deletion).
package natsapi

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/conversation/internal/app"
)

// Register serves the endpoints and starts the workers.
func Register(b *service.Base, a *app.App, settings *app.SettingsCache, bots *app.BotConfigs, o Options) {
	service.Handle(b, contracts.ConversationStart, a.Start)
	service.Handle(b, contracts.ConversationSend, a.Send)
	service.Handle(b, contracts.ConversationList, a.List)
	service.Handle(b, contracts.ConversationListOwn, a.ListOwn)
	service.Handle(b, contracts.ConversationGet, a.Get)
	service.Handle(b, contracts.ConversationUpdate, a.Update)
	service.Handle(b, contracts.ConversationMessages, a.Messages)
	service.Handle(b, contracts.ConversationRead, a.Read)
	service.Handle(b, contracts.ConversationTranscript, a.Transcript)
	service.Handle(b, contracts.ConversationVisitorUpdate, a.UpdateVisitor)
	service.Handle(b, contracts.ConversationVisitorGet, a.GetVisitor)
	service.Handle(b, contracts.ConversationPresence, a.Presence)
	service.Handle(b, contracts.ConversationOnlineAgents, a.OnlineAgents)
	service.Handle(b, contracts.ConversationQuotaGet, a.Quota)
	service.Handle(b, contracts.ConversationHandoff, a.Handoff)
	service.Handle(b, contracts.ConversationSendRich, a.SendRich)
	service.Handle(b, contracts.ConversationFAQTry, a.TryFAQ)
	service.Handle(b, contracts.ConversationBookings, a.Bookings)
	service.Handle(b, contracts.ConversationBookingCancel, a.CancelBooking)
	service.Handle(b, contracts.ConversationBookingICS, a.BookingICS)
	service.Handle(b, contracts.ConversationRate, a.Rate)
	service.Handle(b, contracts.ConversationUploadPolicy, a.UploadPolicy)
	service.Handle(b, contracts.ConversationUploadAccept, a.UploadAccept)
	service.Handle(b, contracts.ConversationFileGet, a.FileGet)
	service.Handle(b, contracts.ConversationFileOpen, a.FileOpen)
	service.Handle(b, contracts.ConversationMsgDelete, a.MsgDelete)
	service.Handle(b, contracts.ConversationStorage, a.Storage)
	b.Go(a.Run)
	registerData(b, a, settings, bots, o)
	registerReports(b, a)

	// The bot answers visitors from bot.asked events (only visitors' messages
	// to conversations it answers): a durable consumer, so an answer survives
	// a crash; parallel across conversations (a skill may wait seconds on a
	// tenant's server), in order within one.
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.ConversationStream, Durable: "conversation-bot",
		Filter: contracts.ConversationBotAsked.AllTenants(), Parallel: 32,
		Key: func(env contracts.Envelope) string {
			var e struct {
				Message struct {
					ConversationID string `json:"conversation_id"`
				} `json:"message"`
			}
			_ = env.Decode(&e)
			return e.Message.ConversationID
		},
	}, func(ctx context.Context, _ string, env contracts.Envelope) error { return a.OnAsked(ctx, env) })

	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.IdentityStream, Durable: "conversation-members",
		Filter: contracts.IdentityMemberChanged.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error { return a.MemberChanged(ctx, env) })

	forget(b, contracts.TenantSettingsChanged, settings.Forget)
	forget(b, contracts.TenantBotChanged, bots.Forget)

	b.Go(func(ctx context.Context) error {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				if err := a.RunTimers(ctx); err != nil && ctx.Err() == nil {
					b.Log.Warn("timers", "err", err)
				}
			}
		}
	})
}

// FetchSettings asks the tenant service for a tenant's settings.
func FetchSettings(nc *nats.Conn) func(ctx context.Context, tenantID string) (contracts.Settings, error) {
	return func(ctx context.Context, tenantID string) (contracts.Settings, error) {
		return natsx.Call(ctx, nc, contracts.TenantSettingsInternal, contracts.TenantIDRequest{TenantID: tenantID})
	}
}

// forget drops a tenant's cached copy when the tenant service announces a
// change (a plain subscription: a missed event only means the copy expires
// on its own a minute later).
func forget(b *service.Base, t contracts.EventType, drop func(tenantID string)) {
	b.Go(func(ctx context.Context) error {
		sub, err := b.NC.Subscribe(t.AllTenants(), func(m *nats.Msg) {
			var env contracts.Envelope
			if json.Unmarshal(m.Data, &env) == nil && env.CheckSubject(m.Subject) == nil {
				drop(env.TenantID)
			}
		})
		if err != nil {
			return err
		}
		<-ctx.Done()
		return sub.Unsubscribe()
	})
}

// FetchBot asks the tenant service for a tenant's bot, secrets included.
func FetchBot(nc *nats.Conn) func(ctx context.Context, tenantID string) (contracts.BotConfig, error) {
	return func(ctx context.Context, tenantID string) (contracts.BotConfig, error) {
		return natsx.Call(ctx, nc, contracts.TenantBotInternal, contracts.TenantIDRequest{TenantID: tenantID})
	}
}
