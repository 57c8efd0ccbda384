package allinone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/allinone/internal/backup"
)

// A standalone Parley listens on a Unix socket in its data directory, owned
// by the user who runs it and by no one else (mode 0600): `parley backup`
// asks the running process for a backup through it, `parley restore` refuses
// to write into a directory whose Parley answers on it, and a second Parley
// started on the same data directory finds the first one there.
const controlSocket = "parley.sock"

// databases are the services that keep a SQLite file in the standalone mode.
var databases = []string{"identity", "tenant", "billing", "conversation", "notify"}

// standalone says whether cfg is the one-process mode whose data a backup
// holds entirely: SQLite files and the embedded NATS under the data directory.
func standalone(cfg config.Config) bool {
	return cfg.NATSURL == "" && (cfg.DatabaseURL == "" || strings.HasPrefix(cfg.DatabaseURL, "sqlite:"))
}

// maxSocketPath is the longest path a Unix socket may have on Linux, less a margin.
const maxSocketPath = 100

// listenControl opens the control socket, replacing a stale one that a
// killed process left behind.
func listenControl(dataDir string, log *slog.Logger) (net.Listener, error) {
	path := filepath.Join(dataDir, controlSocket)
	if abs, err := filepath.Abs(path); err == nil && len(abs) > maxSocketPath {
		log.Warn("the data directory's path is too long for a control socket: `parley backup` cannot reach this process",
			"path", abs, "max", maxSocketPath)
		return nil, nil
	}
	if running(dataDir) {
		return nil, fmt.Errorf("another Parley is running with its data in %s", dataDir)
	}
	_ = os.Remove(path)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// running says whether a Parley answers on the control socket of dataDir.
func running(dataDir string) bool {
	c, err := net.DialTimeout("unix", filepath.Join(dataDir, controlSocket), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// controlHandler serves GET /backup: the archive, streamed once every copy
// is made. The trailer says whether it ended complete.
func (a *App) controlHandler(cfg config.Config) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		nc, err := natsx.ConnectInProcess(a.nats, "backup", a.log)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		defer nc.Close()
		w.Header().Set("Content-Type", "application/x-tar")
		w.Header().Set("Trailer", "Parley-Backup")
		err = backup.Write(r.Context(), w, backupSource(cfg, nc))
		if err != nil {
			a.log.Error("backup failed", "err", err)
			w.Header().Set("Parley-Backup", "failed: "+err.Error())
			return
		}
		a.log.Info("backup written")
		w.Header().Set("Parley-Backup", "complete")
	})
	return mux
}

func backupSource(cfg config.Config, nc *nats.Conn) backup.Source {
	src := backup.Source{Databases: map[string]string{}, NATS: nc, TempDir: cfg.DataDir}
	for _, name := range databases {
		if _, err := os.Stat(cfg.SQLitePath(name)); err == nil {
			src.Databases[name] = cfg.SQLitePath(name)
		}
	}
	return src
}

// Backup asks the Parley running on cfg's data directory for a backup and
// writes it to w.
func Backup(ctx context.Context, cfg config.Config, w io.Writer) error {
	if !standalone(cfg) {
		return errors.New("parley backup is for the standalone mode (SQLite and the embedded NATS); " +
			"in the distributed mode back up PostgreSQL as docs/backup.md says")
	}
	path := filepath.Join(cfg.DataDir, controlSocket)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://parley/backup", nil)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("no Parley is running with its data in %s (start it with `make run`): %w", cfg.DataDir, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("backup refused: %s %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return err
	}
	if status := resp.Trailer.Get("Parley-Backup"); status != "complete" {
		return fmt.Errorf("backup incomplete: %s", status)
	}
	return nil
}

// Restore writes the backup r into cfg's data directory, which must hold no
// Parley data yet; start Parley on it afterwards.
func Restore(cfg config.Config, r io.Reader) error {
	if !standalone(cfg) {
		return errors.New("parley restore is for the standalone mode; in the distributed mode restore PostgreSQL as docs/backup.md says")
	}
	if running(cfg.DataDir) {
		return fmt.Errorf("a Parley is running with its data in %s: stop it first", cfg.DataDir)
	}
	return backup.Restore(r, backup.Target{Database: cfg.SQLitePath, NATSDir: filepath.Join(cfg.DataDir, "nats")})
}
