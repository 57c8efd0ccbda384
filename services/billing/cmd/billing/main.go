// Command billing runs the billing service alone.
package main

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/billing"
)

func main() {
	service.Main("billing", func(ctx context.Context, cfg config.Config, nc *nats.Conn, log *slog.Logger) (service.Runner, error) {
		return billing.New(ctx, cfg, billing.Deps{NATS: nc, Logger: log})
	})
}
