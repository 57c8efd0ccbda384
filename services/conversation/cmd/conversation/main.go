// Command conversation runs the conversation service alone.
package main

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/conversation"
)

func main() {
	service.Main("conversation", func(ctx context.Context, cfg config.Config, nc *nats.Conn, log *slog.Logger) (service.Runner, error) {
		return conversation.New(ctx, cfg, conversation.Deps{NATS: nc, Logger: log})
	})
}
