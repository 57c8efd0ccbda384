package natsx

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Connect dials url and keeps reconnecting for as long as the process runs.
func Connect(url, name string, log *slog.Logger) (*nats.Conn, error) {
	nc, err := nats.Connect(url, connectOptions(name, log)...)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", url, err)
	}
	return nc, nil
}

// ConnectWait dials url until it answers or ctx ends, so a service started
// before its NATS server (as orchestrators do) waits instead of exiting.
func ConnectWait(ctx context.Context, url, name string, log *slog.Logger) (*nats.Conn, error) {
	for {
		nc, err := Connect(url, name, log)
		if err == nil {
			return nc, nil
		}
		log.Warn("waiting for NATS", "url", url, "err", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Second):
		}
	}
}

// ConnectInProcess connects to an embedded server without a socket.
func ConnectInProcess(s *server.Server, name string, log *slog.Logger) (*nats.Conn, error) {
	nc, err := nats.Connect("", append(connectOptions(name, log), nats.InProcessServer(s))...)
	if err != nil {
		return nil, fmt.Errorf("connect to embedded NATS: %w", err)
	}
	return nc, nil
}

func connectOptions(name string, log *slog.Logger) []nats.Option {
	return []nats.Option{
		nats.Name("parley-" + name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.RetryOnFailedConnect(false),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.Info("nats reconnected", "url", nc.ConnectedUrl()) }),
	}
}

// EmbeddedOptions configure an in-process NATS server.
type EmbeddedOptions struct {
	StoreDir string // JetStream files; required
	Host     string // "" with Port 0 means no listener (in-process connections only)
	Port     int    // -1 picks a random port
}

// RunEmbedded starts a NATS server with JetStream in this process and waits
// until it accepts connections.
func RunEmbedded(o EmbeddedOptions) (*server.Server, error) {
	opts := &server.Options{
		ServerName: "parley-embedded",
		JetStream:  true,
		StoreDir:   o.StoreDir,
		NoSigs:     true,
		NoLog:      true,
		Host:       o.Host,
		Port:       o.Port,
	}
	if o.Host == "" && o.Port == 0 {
		opts.DontListen = true
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("embedded NATS did not start within 10s")
	}
	return s, nil
}
