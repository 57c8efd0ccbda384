// Package tenant is the tenant service: the tenant registry, widget keys and
// (as later features land) every tenant setting, published as events that
// other services cache.
package tenant

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/entitlements"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/tenant/internal/app"
	"github.com/parley-chat/parley/services/tenant/internal/natsapi"
	"github.com/parley-chat/parley/services/tenant/internal/store"
)

// Deps are what the process gives the service.
type Deps struct {
	NATS   *nats.Conn
	Logger *slog.Logger
}

// Service is a running tenant service.
type Service struct{ base *service.Base }

// New opens the database and registers the endpoints.
func New(ctx context.Context, cfg config.Config, deps Deps) (*Service, error) {
	base, err := service.Start(ctx, cfg, service.Spec{
		Name: contracts.ServiceTenant, Migrations: store.Migrations,
		Streams: []contracts.Stream{contracts.TenantStream, contracts.IdentityStream},
	}, deps.NATS, deps.Logger)
	if err != nil {
		return nil, err
	}
	plans := entitlements.Register(base)
	natsapi.Register(base, app.New(store.New(base.DB, base.Relay), plans.Get, cfg.BotAllowPrivateNetworks, deps.Logger))
	return &Service{base: base}, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.base.Run(ctx) }
