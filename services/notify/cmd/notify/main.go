// Command notify runs the notify service alone.
package main

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/notify"
)

func main() {
	service.Main("notify", func(ctx context.Context, cfg config.Config, nc *nats.Conn, log *slog.Logger) (service.Runner, error) {
		return notify.New(ctx, cfg, notify.Deps{NATS: nc, Logger: log})
	})
}
