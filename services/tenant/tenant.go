// Package tenant is the tenant service: the tenant registry, widget keys and
// (as later features land) every tenant setting, published as events that
// other services cache.
package tenant

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/entitlements"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/tenant/internal/app"
	"github.com/parley-chat/parley/services/tenant/internal/natsapi"
	"github.com/parley-chat/parley/services/tenant/internal/store"
)

// Deps are what the process gives the service.
type Deps struct {
	NATS   *nats.Conn
	Logger *slog.Logger
	// Jobs tunes the export and import runners; zero values take the defaults.
	Jobs Jobs
}

// Jobs tunes the export and import runners (tests shorten them).
type Jobs struct {
	Now   func() time.Time // default time.Now
	Lease time.Duration    // a claimed job's lease without heartbeat (default 30s)
	Poll  time.Duration    // how often runners look for jobs (default 5s)
	Sweep time.Duration    // how often expired archives are swept (default 1m)
}

// Defaults of Jobs.
const (
	DefaultJobLease = 30 * time.Second
	DefaultJobPoll  = 5 * time.Second
	DefaultSweep    = time.Minute
)

// Service is a running tenant service.
type Service struct{ base *service.Base }

// New opens the database and registers the endpoints.
func New(ctx context.Context, cfg config.Config, deps Deps) (*Service, error) {
	base, err := service.Start(ctx, cfg, service.Spec{
		Name: contracts.ServiceTenant, Migrations: store.Migrations,
		GlobalTables: store.GlobalTables,
		// Tenant keeps every stream's audit events (and acts on erasures).
		Streams: contracts.Streams,
	}, deps.NATS, deps.Logger)
	if err != nil {
		return nil, err
	}
	objects, err := natsx.DataBucket(ctx, base.JS)
	if err != nil {
		_ = base.DB.Close()
		return nil, err
	}
	jobs := deps.Jobs
	if jobs.Now == nil {
		jobs.Now = time.Now
	}
	if jobs.Lease <= 0 {
		jobs.Lease = DefaultJobLease
	}
	if jobs.Poll <= 0 {
		jobs.Poll = DefaultJobPoll
	}
	if jobs.Sweep <= 0 {
		jobs.Sweep = DefaultSweep
	}
	uploads, err := blob.OpenObjectStore(ctx, base.JS, contracts.UploadBucket, contracts.UploadTTL)
	if err != nil {
		_ = base.DB.Close()
		return nil, err
	}
	logos, err := blob.OpenObjectStore(ctx, base.JS, contracts.LogoBucket, 0)
	if err != nil {
		_ = base.DB.Close()
		return nil, err
	}
	host, _ := os.Hostname()
	plans := entitlements.Register(base)
	a := app.New(store.New(base.DB, base.Relay), plans.Get, cfg.BotAllowPrivateNetworks, deps.Logger, app.Data{
		NC: deps.NATS, JS: base.JS, Objects: objects, Now: jobs.Now, Runner: host + "/" + ids.New(),
		Lease: jobs.Lease, Poll: jobs.Poll, Sweep: jobs.Sweep, TempDir: os.TempDir(),
	})
	a.SetLogos(app.Logos{Uploads: uploads, Logos: logos})
	natsapi.Register(base, a)
	return &Service{base: base}, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.base.Run(ctx) }
