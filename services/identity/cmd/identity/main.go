// Command identity runs the identity service alone.
package main

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/identity"
)

func main() {
	service.Main("identity", func(ctx context.Context, cfg config.Config, nc *nats.Conn, log *slog.Logger) (service.Runner, error) {
		return identity.New(ctx, cfg, identity.Deps{NATS: nc, Logger: log})
	})
}
