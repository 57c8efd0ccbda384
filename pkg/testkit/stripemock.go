package testkit

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
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
	bin := goBinary("stripe-mock")
	if bin == "" {
		tb.Fatal("stripe-mock is not installed: go install github.com/stripe/stripe-mock@" + StripeMockVersion)
	}
	httpPort, httpsPort := FreePort(tb), FreePort(tb)
	runServer(tb, "stripe-mock", exec.Command(bin, "-http-port", strconv.Itoa(httpPort), "-https-port", strconv.Itoa(httpsPort)), httpPort)
	return "http://127.0.0.1:" + strconv.Itoa(httpPort)
}

// goBinary finds a program installed with go install: in PATH, then in
// $(go env GOPATH)/bin.
func goBinary(name string) string {
	if p, err := exec.LookPath(name); err == nil {
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
		p := filepath.Join(d, "bin", name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}
