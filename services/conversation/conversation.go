// Package conversation is the conversation service: visitors, conversations
// and messages, routing to agents and their presence. Its only face is NATS
// (see internal/natsapi); the gateway turns HTTP and WebSocket traffic into
// its requests and pushes its events to sockets.
package conversation

import (
	"context"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/entitlements"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/conversation/internal/app"
	"github.com/parley-chat/parley/services/conversation/internal/egress"
	"github.com/parley-chat/parley/services/conversation/internal/natsapi"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Deps are what the process gives the service.
type Deps struct {
	NATS   *nats.Conn
	Logger *slog.Logger
	// Clock is the time the service decides by (message timestamps, the
	// retention cut-off); nil is the wall clock. Tests move it forward.
	Clock func() time.Time
	// RetentionEvery is how often the retention sweep runs besides at start;
	// 0 is hourly.
	RetentionEvery time.Duration
}

// Service is a running conversation service.
type Service struct{ base *service.Base }

// New opens the database and registers the endpoints.
func New(ctx context.Context, cfg config.Config, deps Deps) (*Service, error) {
	base, err := service.Start(ctx, cfg, service.Spec{
		Name: contracts.ServiceConversation, Migrations: store.Migrations, GlobalTables: store.GlobalTables,
		Streams: []contracts.Stream{contracts.ConversationStream, contracts.IdentityStream, contracts.TenantStream},
	}, deps.NATS, deps.Logger)
	if err != nil {
		return nil, err
	}
	uploads, err := blob.OpenObjectStore(ctx, base.JS, contracts.UploadBucket, contracts.UploadTTL)
	if err != nil {
		return nil, err
	}
	attachments, err := blob.OpenObjectStore(ctx, base.JS, contracts.AttachmentBucket, 0)
	if err != nil {
		return nil, err
	}
	settings := &app.SettingsCache{Fetch: natsapi.FetchSettings(deps.NATS)}
	bots := &app.BotConfigs{Fetch: natsapi.FetchBot(deps.NATS)}
	a := app.New(store.New(base.DB, base.Relay), app.Deps{
		Settings: settings, Bots: bots, Egress: egress.New(cfg.BotAllowPrivateNetworks), PublicURL: cfg.PublicURL, Log: deps.Logger,
		Objects: &natsapi.Objects{JS: base.JS}, Uploads: uploads, Attachments: attachments, Clock: deps.Clock,
	})
	a.SetEntitlements(entitlements.Register(base))
	natsapi.Register(base, a, settings, bots, natsapi.Options{RetentionEvery: deps.RetentionEvery})
	return &Service{base: base}, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.base.Run(ctx) }
