package testkit

import (
	"bytes"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on.
func FreePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// runServer starts cmd (a server of the test's), stops it when the test
// ends, and waits until it accepts connections on 127.0.0.1:port. It fails
// the test with the server's output if the server exits or is not
// listening within 20 seconds.
func runServer(tb testing.TB, name string, cmd *exec.Cmd, port int) {
	tb.Helper()
	var out Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			tb.Fatalf("%s exited:\n%s", name, out.String())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s did not listen on %s within 20s:\n%s", name, addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Buffer collects output written from many goroutines (a server's or a
// logger's) for a test to read.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
