// Command gateway runs the gateway alone.
package main

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/gateway"
)

func main() {
	service.Main("gateway", func(ctx context.Context, cfg config.Config, nc *nats.Conn, log *slog.Logger) (service.Runner, error) {
		return gateway.New(ctx, cfg, gateway.Deps{NATS: nc, Logger: log})
	})
}
