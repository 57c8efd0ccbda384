// Package identity is the identity service: members, credentials, sessions,
// invites and the keys that sign every access token. Its only face is NATS
// (see internal/natsapi); the gateway turns HTTP into its requests.
package identity

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
	"github.com/parley-chat/parley/services/identity/internal/app"
	"github.com/parley-chat/parley/services/identity/internal/natsapi"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// Deps are what the process gives the service.
type Deps struct {
	NATS   *nats.Conn
	Logger *slog.Logger
	// Clock, when set, is the time email links expire by (tests move it).
	Clock func() time.Time
}

// Service is a running identity service.
type Service struct{ base *service.Base }

// New opens identity's database, loads its signing keys and registers its endpoints.
func New(ctx context.Context, cfg config.Config, deps Deps) (*Service, error) {
	base, err := service.Start(ctx, cfg, service.Spec{
		Name: contracts.ServiceIdentity, Migrations: store.Migrations, GlobalTables: store.GlobalTables,
		Streams: []contracts.Stream{contracts.IdentityStream, contracts.TenantStream, contracts.ConversationStream},
	}, deps.NATS, deps.Logger)
	if err != nil {
		return nil, err
	}
	st := store.New(base.DB, base.Relay)
	keys, err := app.LoadKeys(ctx, st)
	if err != nil {
		return nil, err
	}
	a := app.New(app.Config{
		PublicURL:        cfg.PublicURL,
		LoginMaxFailures: cfg.LoginMaxFailures,
		LoginWindow:      cfg.LoginWindow,
		RefreshTTL:       refreshTTL,
		InviteTTL:        inviteTTL,
		Clock:            deps.Clock,
	}, st, natsapi.Directory{NC: deps.NATS}, keys, deps.Logger)
	a.SetEntitlements(entitlements.Register(base))
	uploads, err := blob.OpenObjectStore(ctx, base.JS, contracts.UploadBucket, contracts.UploadTTL)
	if err != nil {
		return nil, err
	}
	avatars, err := blob.OpenObjectStore(ctx, base.JS, contracts.AvatarBucket, 0)
	if err != nil {
		return nil, err
	}
	a.SetPhotos(app.Photos{Uploads: uploads, Avatars: avatars})
	natsapi.Register(base, a)
	return &Service{base: base}, nil
}

// Lifetimes of credentials that are not access tokens (those are auth.AccessTTL).
const (
	refreshTTL = 30 * 24 * time.Hour // a session idle for a month ends
	inviteTTL  = 7 * 24 * time.Hour
)

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.base.Run(ctx) }
