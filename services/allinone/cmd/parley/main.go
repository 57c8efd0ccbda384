// Command parley runs all of Parley in one process: `make run`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/logging"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/allinone"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "parley: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := logging.New(os.Stderr, cfg.LogLevel, "")
	service.ServeDebug(cfg.DebugAddr, log)
	app, err := allinone.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	fmt.Printf("Parley is running at %s (data in %s). Press Ctrl-C to stop.\n", cfg.PublicURL, cfg.DataDir)
	err = app.Run(ctx)
	fmt.Println("Parley stopped.")
	return err
}
