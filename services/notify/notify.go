package notify

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/notify/internal/app"
	"github.com/parley-chat/parley/services/notify/internal/mailer"
	"github.com/parley-chat/parley/services/notify/internal/natsapi"
	"github.com/parley-chat/parley/services/notify/internal/store"
)

// Deps are what the process gives the service.
type Deps struct {
	NATS   *nats.Conn
	Logger *slog.Logger
}

// Service is a running notify service.
type Service struct{ base *service.Base }

// New opens the database, connects the mailer (when PARLEY_SMTP_URL is set)
// and registers the endpoints, consumers and workers.
func New(ctx context.Context, cfg config.Config, deps Deps) (*Service, error) {
	opt := app.Options{PublicURL: cfg.PublicURL, VisitorDelay: cfg.Email.VisitorDelay, DigestInterval: cfg.Email.DigestInterval}
	if cfg.Email.Enabled() {
		m, err := mailer.New(cfg.Email.SMTPURL, cfg.Email.From)
		if err != nil {
			return nil, err
		}
		opt.Sender, opt.Permanent = m, mailer.IsRejection
	}
	base, err := service.Start(ctx, cfg, service.Spec{
		Name: contracts.ServiceNotify, Migrations: store.Migrations, GlobalTables: store.GlobalTables,
		Streams: []contracts.Stream{contracts.NotifyStream, contracts.IdentityStream, contracts.ConversationStream},
	}, deps.NATS, deps.Logger)
	if err != nil {
		return nil, err
	}
	a := app.New(store.New(base.DB, base.Relay), deps.NATS, opt, deps.Logger)
	natsapi.Register(base, a, cfg.Email.VisitorDelay, cfg.Email.DigestInterval)
	return &Service{base: base}, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.base.Run(ctx) }
