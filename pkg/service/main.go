package service

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/logging"
	"github.com/parley-chat/parley/pkg/natsx"
)

// Runner is a started service.
type Runner interface {
	Run(ctx context.Context) error
}

// Starter builds a service from its configuration and connection.
type Starter func(ctx context.Context, cfg config.Config, nc *nats.Conn, log *slog.Logger) (Runner, error)

// DefaultNATSURL is where a lone service looks for NATS when PARLEY_NATS_URL is unset.
const DefaultNATSURL = "nats://127.0.0.1:4222"

// Main is the whole body of a lone service's main(): it reads the
// configuration, connects to NATS, starts the service and runs it until
// SIGINT or SIGTERM. It exits non-zero with a readable error on failure.
func Main(name string, start Starter) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, name, start); err != nil {
		fmt.Fprintf(os.Stderr, "parley %s: %v\n", name, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, name string, start Starter) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := logging.New(os.Stderr, cfg.LogLevel, name)
	ServeDebug(cfg.DebugAddr, log)
	url := cfg.NATSURL
	if url == "" {
		url = DefaultNATSURL
	}
	nc, err := natsx.ConnectWait(ctx, url, name, log)
	if err != nil {
		return err
	}
	defer func() {
		// Send the replies and events of the last requests before leaving.
		_ = nc.FlushTimeout(2 * time.Second)
		nc.Close()
	}()
	svc, err := start(ctx, cfg, nc, log)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}
