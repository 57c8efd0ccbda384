package testkit

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
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
	port := FreePort(tb)
	runServer(tb, "nats-server", exec.Command(bin, "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-js", "-sd", tb.TempDir()), port)
	return "nats://127.0.0.1:" + strconv.Itoa(port)
}
