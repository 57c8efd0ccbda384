package testkit

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// NATSServer returns the URL of a NATS server with JetStream on a free port
// and a private store, for tests of several processes or of how the
// installed server behaves. It runs the installed nats-server binary as its
// own process when there is one (as on CI, where it is the version
// production runs), else an embedded server.
func NATSServer(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		if _, statErr := os.Stat("/usr/sbin/nats-server"); statErr != nil {
			return NATS(tb).ClientURL()
		}
		bin = "/usr/sbin/nats-server"
	}
	port := strconv.Itoa(FreePort(tb))
	addr := "127.0.0.1:" + port
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", port, "-js", "-sd", tb.TempDir())
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start nats-server: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	Eventually(tb, 10*time.Second, func() error {
		select {
		case <-done:
			tb.Fatalf("nats-server exited:\n%s", out.String())
		default:
		}
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err
	})
	return "nats://" + addr
}
