// Command parley runs all of Parley in one process: `make run`.
//
//	parley                 run (data in PARLEY_DATA_DIR, default ./data)
//	parley backup FILE     write a backup of the running Parley's data to FILE
//	parley restore FILE    restore FILE into an empty data directory
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
	var err error
	switch args := os.Args[1:]; {
	case len(args) == 0:
		err = run(ctx)
	case len(args) == 2 && args[0] == "backup":
		err = backupTo(ctx, args[1])
	case len(args) == 2 && args[0] == "restore":
		err = restoreFrom(args[1])
	default:
		fmt.Fprintln(os.Stderr, "usage: parley | parley backup FILE | parley restore FILE")
		os.Exit(2)
	}
	if err != nil {
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

// backupTo writes the backup next to file and renames it into place once it
// is complete, so file is never a partial backup.
func backupTo(ctx context.Context, file string) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	tmp := file + ".partial"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := allinone.Backup(ctx, cfg, f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, file); err != nil {
		return err
	}
	fmt.Printf("Backup of %s written to %s.\n", cfg.DataDir, file)
	return nil
}

func restoreFrom(file string) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := allinone.Restore(cfg, f); err != nil {
		return err
	}
	fmt.Printf("Restored %s into %s; start Parley with `make run`.\n", file, cfg.DataDir)
	return nil
}
