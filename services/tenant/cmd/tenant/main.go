// Command tenant runs the tenant service alone.
package main

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/tenant"
)

func main() {
	service.Main("tenant", func(ctx context.Context, cfg config.Config, nc *nats.Conn, log *slog.Logger) (service.Runner, error) {
		return tenant.New(ctx, cfg, tenant.Deps{NATS: nc, Logger: log})
	})
}
