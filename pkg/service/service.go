// Package service is the runtime every data-owning Parley service shares:
// open and migrate its database, make sure its event streams exist, publish
// its outbox, answer its NATS endpoints (plus a health endpoint), run its
// background workers, and stop cleanly.
//
// Lifecycle: Start does everything that can fail at boot and returns an error
// naming what failed; Run blocks until its context ends, then stops taking
// requests (drains subscriptions, letting in-flight ones finish), stops
// workers and closes the database.
package service

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/outbox"
)

// Spec says what a service needs.
type Spec struct {
	Name         string
	Migrations   fs.FS
	GlobalTables []string
	// Streams the service publishes to or consumes from.
	Streams []contracts.Stream
}

// Base is a started service.
type Base struct {
	Name  string
	Log   *slog.Logger
	NC    *nats.Conn
	JS    jetstream.JetStream
	DB    *db.DB
	Relay *outbox.Relay

	mu      sync.Mutex
	servers []*natsx.Server
	workers []func(context.Context) error
	errs    []error
}

// Start opens the service's database and ensures its streams. The service
// then registers its endpoints and workers, and Run serves them.
func Start(ctx context.Context, cfg config.Config, spec Spec, nc *nats.Conn, log *slog.Logger) (*Base, error) {
	d, err := db.Open(ctx, db.Options{
		URL: cfg.ServiceDatabaseURL(spec.Name), Schema: cfg.Schema(spec.Name), Source: spec.Name,
		Migrations: spec.Migrations, GlobalTables: spec.GlobalTables, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	js, err := natsx.NewJetStream(nc, cfg.NATSReplicas)
	if err != nil {
		_ = d.Close()
		return nil, err
	}
	for _, s := range spec.Streams {
		if err := natsx.EnsureStream(ctx, js, s); err != nil {
			_ = d.Close()
			return nil, err
		}
	}
	b := &Base{Name: spec.Name, Log: log, NC: nc, JS: js, DB: d, Relay: outbox.NewRelay(d, js, log)}
	b.Go(b.Relay.Run)
	return b, nil
}

// serveHealth answers the service's health endpoint, which the gateway's
// /readyz asks. It is subscribed after every other endpoint, on the same
// connection, so a service that answers it answers all of them.
func (b *Base) serveHealth() {
	Handle(b, contracts.Health(b.Name), func(ctx context.Context, _ contracts.Empty) (contracts.HealthReport, error) {
		r := contracts.HealthReport{Service: b.Name, Database: "ok"}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := b.DB.Ping(ctx); err != nil {
			r.Database = "unreachable"
		}
		return r, nil
	})
}

// Handle serves an endpoint for the lifetime of the service. A subscription
// error is kept and returned by Err.
//
// A request that fails because the database is unreachable or restarting
// answers Unavailable, so that the gateway retries an idempotent call and
// answers 503, not 500, when it cannot.
func Handle[Req, Resp any](b *Base, ep contracts.Endpoint[Req, Resp], h natsx.Handler[Req, Resp]) {
	srv, err := natsx.Serve(b.NC, ep, b.Log, func(ctx context.Context, req Req) (Resp, error) {
		resp, err := h(ctx, req)
		if db.Unavailable(err) {
			b.Log.Warn("database unavailable", "endpoint", ep.Subject(), "err", err)
			return resp, apperr.New(apperr.Unavailable, "the %s database is not available", b.Name)
		}
		return resp, err
	})
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.errs = append(b.errs, err)
		return
	}
	b.servers = append(b.servers, srv)
}

// Go adds a background worker that runs until the service's context ends.
func (b *Base) Go(w func(context.Context) error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.workers = append(b.workers, w)
}

// Consume adds a durable event consumer as a worker.
func (b *Base) Consume(cfg natsx.ConsumerConfig, h natsx.EventHandler) {
	b.Go(func(ctx context.Context) error { return natsx.Consume(ctx, b.JS, cfg, b.Log, h) })
}

// Err reports registration failures.
func (b *Base) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return errors.Join(b.errs...)
}

// Run registers the health endpoint, runs the workers until ctx ends or one
// fails, then shuts down: it
// stops taking requests, lets those in flight finish (workers still run, as
// a request may wait on one), then stops the workers and publishes what the
// last requests committed.
func (b *Base) Run(ctx context.Context) error {
	b.serveHealth()
	if err := b.Err(); err != nil {
		return err
	}
	work, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	failed := make(chan error, len(b.workers))
	var wg sync.WaitGroup
	for _, w := range b.workers {
		wg.Go(func() {
			if err := w(work); err != nil {
				failed <- err
			}
		})
	}
	b.Log.Info("service running")
	var err error
	select {
	case <-ctx.Done():
	case err = <-failed:
	}
	var stopping sync.WaitGroup
	for _, s := range b.servers {
		stopping.Go(func() { s.Stop(5 * time.Second) })
	}
	stopping.Wait()
	stopWork()
	wg.Wait()
	flushCtx, stop := context.WithTimeout(context.Background(), 2*time.Second)
	_, _ = b.Relay.Flush(flushCtx)
	stop()
	return errors.Join(err, b.DB.Close())
}
