package testkit

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// StripeMockVersion is the stripe-mock release the tests expect (its API is
// 2023-10-16, the version stripe-go v76 speaks); .ci/run installs it with
//
//	go install github.com/stripe/stripe-mock@v0.183.0
const StripeMockVersion = "v0.183.0"

// StripeMock starts stripe-mock as a subprocess on free ports for the test
// and returns its plain-HTTP base URL (for PARLEY_STRIPE_API_BASE). The
// binary is looked up in PATH, then in $(go env GOPATH)/bin; without it the
// test fails (the billing tests prove nothing without it).
func StripeMock(tb testing.TB) string {
	tb.Helper()
	bin := stripeMockBinary()
	if bin == "" {
		tb.Fatal("stripe-mock is not installed: go install github.com/stripe/stripe-mock@" + StripeMockVersion)
	}
	httpPort, httpsPort := FreePort(tb), FreePort(tb)
	cmd := exec.Command(bin, "-http-port", strconv.Itoa(httpPort), "-https-port", strconv.Itoa(httpsPort))
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start stripe-mock: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	addr := "127.0.0.1:" + strconv.Itoa(httpPort)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		select {
		case <-done:
			tb.Fatalf("stripe-mock exited:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("stripe-mock did not listen on %s within 20s:\n%s", addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func stripeMockBinary() string {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p
	}
	var dirs []string
	if gp := os.Getenv("GOPATH"); gp != "" {
		dirs = append(dirs, filepath.SplitList(gp)...)
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		dirs = append(dirs, filepath.SplitList(string(bytes.TrimSpace(out)))...)
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "bin", "stripe-mock")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on.
func FreePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return fmt.Sprint(b.buf.String())
}
