// Package gateway is Parley's edge: the REST API, the WebSockets, the
// widget and the dashboard, the JWKS, health and metrics. It authenticates
// every request, verifies tokens locally with identity's public keys, and
// turns each call into a NATS request to the service that owns the data. It
// stores nothing, so any number of replicas can run side by side.
package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/gateway/internal/httpapi"
	"github.com/parley-chat/parley/services/gateway/internal/keys"
	"github.com/parley-chat/parley/services/gateway/internal/ratelimit"
	"github.com/parley-chat/parley/services/gateway/internal/realtime"
	"github.com/parley-chat/parley/services/gateway/internal/revocation"
	"github.com/parley-chat/parley/services/gateway/internal/widgetconf"
)

// Deps are what the process gives the gateway.
type Deps struct {
	NATS   *nats.Conn
	Logger *slog.Logger
}

// Gateway is a gateway with its listener bound.
type Gateway struct {
	ln      net.Listener
	srv     *http.Server
	js      jetstream.JetStream
	revoked *revocation.List
	widgets *widgetconf.Resolver
	hub     *realtime.Hub
	log     *slog.Logger
}

// New binds cfg.HTTPAddr and prepares the handlers.
func New(ctx context.Context, cfg config.Config, deps Deps) (*Gateway, error) {
	js, err := natsx.NewJetStream(deps.NATS, cfg.NATSReplicas)
	if err != nil {
		return nil, err
	}
	for _, s := range []contracts.Stream{contracts.IdentityStream, contracts.TenantStream, contracts.ConversationStream} {
		if err := natsx.EnsureStream(ctx, js, s); err != nil {
			return nil, err
		}
	}
	objects, err := natsx.DataBucket(ctx, js)
	if err != nil {
		return nil, err
	}
	uploads, files, err := openBuckets(ctx, js)
	if err != nil {
		return nil, err
	}
	revoked := revocation.New()
	revoked.Snapshot = func(ctx context.Context) (contracts.VisitorRevocations, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return natsx.Call(ctx, deps.NATS, contracts.IdentityVisitorRevocations, contracts.Empty{})
	}
	hub := realtime.New(deps.NATS, js, revoked.Check, deps.Logger)
	revoked.OnAccessChanged = hub.Recheck
	hub.VisitorRevoked = revoked.VisitorRevoked
	visitors := ratelimit.NewVisitors(cfg.Limits)
	hub.Visitors = visitors
	hub.SocketsPerVisitor, hub.SocketsPerIP = cfg.Limits.SocketsPerVisitor, cfg.Limits.SocketsPerIP
	widgets := widgetconf.New(deps.NATS)
	// A deleted workspace: its tokens are refused (revoked checks the tenant),
	// its sockets closed and its widget key unknown, at once.
	widgets.Deleted = revoked.TenantDeleted
	revoked.OnTenantDeleted = func(tenantID string) {
		hub.CloseTenant(tenantID)
		widgets.ForgetTenant(tenantID)
	}
	h, err := httpapi.New(httpapi.Deps{
		Config: cfg, NATS: deps.NATS, Keys: keys.New(deps.NATS, deps.Logger), Revocations: revoked,
		Widgets: widgets, Hub: hub, Visitors: visitors, Objects: objects, JS: js, Log: deps.Logger,
		Uploads: uploads, Files: files,
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, err
	}
	return &Gateway{
		ln: ln, js: js, revoked: revoked, widgets: widgets, hub: hub, log: deps.Logger,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10},
	}, nil
}

// openBuckets opens the Object Store buckets of uploads and of the files
// the gateway serves (each created if missing, as its owner would).
func openBuckets(ctx context.Context, js jetstream.JetStream) (blob.Store, map[string]blob.Store, error) {
	uploads, err := blob.OpenObjectStore(ctx, js, contracts.UploadBucket, contracts.UploadTTL)
	if err != nil {
		return nil, nil, err
	}
	files := map[string]blob.Store{}
	for _, name := range []string{contracts.AttachmentBucket, contracts.AvatarBucket, contracts.LogoBucket} {
		if files[name], err = blob.OpenObjectStore(ctx, js, name, 0); err != nil {
			return nil, nil, err
		}
	}
	return uploads, files, nil
}

// Addr is the bound address (useful with ":0").
func (g *Gateway) Addr() net.Addr { return g.ln.Addr() }

// Run serves until ctx ends, then drains: it stops accepting connections,
// lets the HTTP requests in flight finish (sockets still get their events
// meanwhile), then tells every socket to reconnect elsewhere and closes it.
func (g *Gateway) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go g.keep(ctx, "revocations", func(ctx context.Context) error { return g.revoked.Follow(ctx, g.js) })
	go g.keep(ctx, "widget settings", g.widgets.Follow)
	hubCtx, stopHub := context.WithCancel(context.Background())
	hubDone := make(chan struct{})
	go func() { g.keep(hubCtx, "sockets", g.hub.Run); close(hubDone) }()
	go func() {
		if err := g.srv.Serve(g.ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	g.log.Info("gateway listening", "addr", g.ln.Addr().String())
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	cancel()
	shutdownCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	err = errors.Join(err, g.srv.Shutdown(shutdownCtx))
	stopHub()
	<-hubDone
	return err
}

// keep runs a follower of the event streams until ctx ends, starting it
// again after a failure: a NATS cluster electing a stream leader, or a
// service restarting, must not take the gateway down.
func (g *Gateway) keep(ctx context.Context, what string, follow func(context.Context) error) {
	wait := 100 * time.Millisecond
	for {
		err := follow(ctx)
		if ctx.Err() != nil {
			return
		}
		g.log.Warn("follower failed, restarting it", "follower", what, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}
