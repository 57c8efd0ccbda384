package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// cluster is Parley distributed as `make build` builds it: a nats-server of
// its own and one process per service (conversation replicated) on
// PostgreSQL, in schemas of a fresh prefix that stop drops.
type cluster struct {
	url    string
	procs  []*exec.Cmd
	pgURL  string
	prefix string
	data   string
}

// services are the binaries of `make build`, conversation apart.
var services = []string{"identity", "tenant", "billing", "notify"}

// startCluster starts the service binaries of dir with n conversation
// replicas on the PostgreSQL at pgURL.
func startCluster(dir, pgURL string, replicas int) (*cluster, error) {
	data, err := os.MkdirTemp("", "parley-bench-cluster-")
	if err != nil {
		return nil, err
	}
	c := &cluster{pgURL: pgURL, prefix: fmt.Sprintf("bench%d_%d_", os.Getpid(), replicas), data: data}
	natsPort, httpPort := freePort(), freePort()
	natsBin, err := exec.LookPath("nats-server")
	if err != nil {
		natsBin = "/usr/sbin/nats-server"
	}
	if err := c.start(natsBin, nil, "-a", "127.0.0.1", "-p", strconv.Itoa(natsPort), "-js", "-sd", filepath.Join(data, "nats")); err != nil {
		return nil, err
	}
	c.url = "http://127.0.0.1:" + strconv.Itoa(httpPort)
	env := append(os.Environ(), "PARLEY_DATABASE_URL="+pgURL, "PARLEY_DATABASE_SCHEMA_PREFIX="+c.prefix,
		"PARLEY_NATS_URL=nats://127.0.0.1:"+strconv.Itoa(natsPort), "PARLEY_PUBLIC_URL="+c.url,
		"PARLEY_DATA_DIR="+filepath.Join(data, "data"), "PARLEY_LOG_LEVEL=warn", "PARLEY_METRICS_TOKEN="+metricsToken)
	env = append(env, unlimited...)
	names := append(append([]string{}, services...), "conversation")
	for range replicas - 1 {
		names = append(names, "conversation")
	}
	for _, name := range append(names, "gateway") {
		if err := c.start(filepath.Join(dir, name), append(env, "PARLEY_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(httpPort))); err != nil {
			c.stop()
			return nil, err
		}
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if res, err := http.Get(c.url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return c, nil
			}
		}
	}
	c.stop()
	return nil, fmt.Errorf("the distributed gateway did not become ready")
}

// start runs one process of the cluster (env nil: the bench's own).
func (c *cluster) start(bin string, env []string, args ...string) error {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	if env != nil { // nats-server's log is not the bench's
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	c.procs = append(c.procs, cmd)
	return nil
}

func (c *cluster) pids() []int {
	var pids []int
	for _, p := range c.procs {
		pids = append(pids, p.Process.Pid)
	}
	return pids
}

// stop ends the services, then NATS, and drops the cluster's schemas.
func (c *cluster) stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		_ = c.procs[i].Process.Signal(os.Interrupt)
		_, _ = c.procs[i].Process.Wait()
	}
	c.procs = nil
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, c.pgURL); err == nil {
		rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, c.prefix)
		if err == nil {
			schemas, _ := pgx.CollectRows(rows, pgx.RowTo[string])
			for _, s := range schemas {
				_, _ = conn.Exec(ctx, `DROP SCHEMA "`+s+`" CASCADE`)
			}
		}
		conn.Close(ctx)
	}
	_ = os.RemoveAll(c.data)
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
