// Package allinone runs every Parley service in one process: an embedded NATS
// server with JetStream (stored under the data directory), SQLite files under
// the data directory, and the services side by side. It is the same code
// as the distributed deployment; only the wiring differs.
package allinone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/billing"
	"github.com/parley-chat/parley/services/conversation"
	"github.com/parley-chat/parley/services/gateway"
	"github.com/parley-chat/parley/services/identity"
	"github.com/parley-chat/parley/services/notify"
	"github.com/parley-chat/parley/services/tenant"
)

// App is the whole of Parley in one process.
type App struct {
	nats     *server.Server // nil when PARLEY_NATS_URL points elsewhere
	conns    []*nats.Conn
	services []service.Runner
	gateway  *gateway.Gateway
	log      *slog.Logger
	control  *http.Server // serves the control socket (control.go); nil unless standalone
	controlL net.Listener
}

// Option changes how New wires the services (tests use them).
type Option func(*options)

type options struct{ billingClock, identityClock, conversationClock func() time.Time }

// WithBillingClock gives billing a clock of the caller's (tests move it past
// a grace period instead of waiting days).
func WithBillingClock(now func() time.Time) Option { return func(o *options) { o.billingClock = now } }

// WithIdentityClock gives identity a clock of the caller's for the links it
// emails (tests move it past a reset link's 30 minutes).
func WithIdentityClock(now func() time.Time) Option {
	return func(o *options) { o.identityClock = now }
}

// WithConversationClock gives the conversation service a clock of the
// caller's (tests move it past a signed file URL's 15 minutes).
func WithConversationClock(now func() time.Time) Option {
	return func(o *options) { o.conversationClock = now }
}

// New starts NATS (unless cfg.NATSURL is set) and every service.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (a *App, err error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	started := &App{log: log}
	a = started
	defer func() {
		if err != nil { // a is nil by then: `return nil, err`
			started.close()
		}
	}()
	if standalone(cfg) {
		if a.controlL, err = listenControl(cfg.DataDir, log); err != nil {
			return nil, err
		}
		if a.controlL != nil {
			a.control = &http.Server{Handler: a.controlHandler(cfg), ReadHeaderTimeout: 10 * time.Second}
		}
	}
	if cfg.NATSURL == "" {
		a.nats, err = natsx.RunEmbedded(natsx.EmbeddedOptions{StoreDir: filepath.Join(cfg.DataDir, "nats")})
		if err != nil {
			return nil, err
		}
	}
	connect := func(name string) (*nats.Conn, error) {
		var nc *nats.Conn
		var err error
		if a.nats != nil {
			nc, err = natsx.ConnectInProcess(a.nats, name, log)
		} else {
			nc, err = natsx.Connect(cfg.NATSURL, name, log)
		}
		if err == nil {
			a.conns = append(a.conns, nc)
		}
		return nc, err
	}
	starters := []struct {
		name  string
		start func(*nats.Conn, *slog.Logger) (service.Runner, error)
	}{
		{"identity", func(nc *nats.Conn, l *slog.Logger) (service.Runner, error) {
			return identity.New(ctx, cfg, identity.Deps{NATS: nc, Logger: l, Clock: o.identityClock})
		}},
		{"tenant", func(nc *nats.Conn, l *slog.Logger) (service.Runner, error) {
			return tenant.New(ctx, cfg, tenant.Deps{NATS: nc, Logger: l})
		}},
		{"billing", func(nc *nats.Conn, l *slog.Logger) (service.Runner, error) {
			return billing.New(ctx, cfg, billing.Deps{NATS: nc, Logger: l, Clock: o.billingClock})
		}},
		{"conversation", func(nc *nats.Conn, l *slog.Logger) (service.Runner, error) {
			return conversation.New(ctx, cfg, conversation.Deps{NATS: nc, Logger: l, Clock: o.conversationClock})
		}},
		{"notify", func(nc *nats.Conn, l *slog.Logger) (service.Runner, error) {
			return notify.New(ctx, cfg, notify.Deps{NATS: nc, Logger: l})
		}},
	}
	for _, s := range starters {
		nc, err := connect(s.name)
		if err != nil {
			return nil, err
		}
		r, err := s.start(nc, log.With("service", s.name))
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", s.name, err)
		}
		a.services = append(a.services, r)
	}
	nc, err := connect("gateway")
	if err != nil {
		return nil, err
	}
	if a.gateway, err = gateway.New(ctx, cfg, gateway.Deps{NATS: nc, Logger: log.With("service", "gateway")}); err != nil {
		return nil, fmt.Errorf("start gateway: %w", err)
	}
	a.services = append(a.services, a.gateway)
	return a, nil
}

// Addr is the gateway's bound address.
func (a *App) Addr() net.Addr { return a.gateway.Addr() }

// Run runs everything until ctx ends or a service fails, then stops it all.
func (a *App) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	if a.control != nil {
		go func() { _ = a.control.Serve(a.controlL) }() // until close
	}
	errs := make([]error, len(a.services))
	for i, s := range a.services {
		wg.Go(func() {
			if errs[i] = s.Run(ctx); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	a.close()
	return errors.Join(errs...)
}

func (a *App) close() {
	if a.control != nil {
		_ = a.control.Close()
		_ = a.controlL.Close() // when Serve never ran
	}
	for _, nc := range a.conns {
		nc.Close()
	}
	if a.nats != nil {
		a.nats.Shutdown()
		a.nats.WaitForShutdown()
	}
}
