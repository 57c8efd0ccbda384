// Package billing is the billing service: plans, Stripe customers and
// subscriptions, processed Stripe events, the usage ledger and the
// entitlements every other service enforces. Without a Stripe secret key
// billing is off: every tenant has one unlimited plan.
package billing

import (
	"context"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/billing/internal/app"
	"github.com/parley-chat/parley/services/billing/internal/natsapi"
	"github.com/parley-chat/parley/services/billing/internal/store"
	"github.com/parley-chat/parley/services/billing/internal/stripeapi"
)

// Deps are what the process gives the service.
type Deps struct {
	NATS   *nats.Conn
	Logger *slog.Logger
	// Clock is the time billing decides by (grace periods); nil is time.Now.
	// Tests move it forward instead of waiting days.
	Clock func() time.Time
}

// GlobalTables are billing's tables without row-level security (read before
// the tenant is known); anything else that opens billing's database, such as
// a test, must name them too.
var GlobalTables = store.GlobalTables

// Service is a running billing service.
type Service struct{ base *service.Base }

// New opens the database and registers the endpoints.
func New(ctx context.Context, cfg config.Config, deps Deps) (*Service, error) {
	base, err := service.Start(ctx, cfg, service.Spec{
		Name: contracts.ServiceBilling, Migrations: store.Migrations, GlobalTables: store.GlobalTables,
		Streams: []contracts.Stream{contracts.BillingStream, contracts.TenantStream, contracts.ConversationStream},
	}, deps.NATS, deps.Logger)
	if err != nil {
		return nil, err
	}
	var pay app.Payments
	if b := cfg.Billing; b.Enabled() {
		pay = stripeapi.New(b.StripeSecretKey, b.StripeWebhookSecret, b.StripeAPIBase, deps.Logger)
	}
	a := app.New(app.Config{Billing: cfg.Billing, PublicURL: cfg.PublicURL}, store.New(base.DB, base.Relay),
		pay, natsapi.Directory{NC: deps.NATS}, deps.Clock, deps.Logger)
	natsapi.Register(base, a)
	return &Service{base: base}, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.base.Run(ctx) }
