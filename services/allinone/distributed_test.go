package allinone_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// serviceBinaries compiles the service binaries once per test run and
// returns their directory.
func serviceBinaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "parley-bin-")
		for _, name := range []string{"identity", "tenant", "conversation", "billing", "notify", "gateway"} {
			if buildErr != nil {
				return
			}
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, name), "./services/"+name+"/cmd/"+name)
			cmd.Dir = "../.."
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("build %s: %v\n%s", name, err, out)
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

type process struct {
	cmd    *exec.Cmd
	out    *testkit.Buffer
	done   chan error
	killed bool
}

// kill ends the process at once (SIGKILL), as a crash would.
func (p *process) kill() {
	p.killed = true
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
}

// wait blocks until the process has exited.
func (p *process) wait() {
	err := <-p.done
	p.done <- err // for the clean-up's check
}

// startProcess starts cmd and, at the end of the test, stops it with SIGTERM
// and checks that it exits cleanly.
func startProcess(t *testing.T, name string, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{cmd: cmd, out: &testkit.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-p.done:
			if err != nil && name != "nats" && !p.killed {
				t.Errorf("%s exited with %v:\n%s", name, err, tail(p.out.String()))
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("%s did not stop within 15s of SIGTERM", name)
		}
	})
	return p
}

func tail(s string) string {
	if len(s) > 4000 {
		return s[len(s)-4000:]
	}
	return s
}

// The services as separate processes against PostgreSQL and a NATS
// server: sign-up, login, invite, accept and me through the gateway.
func TestDistributedDeployment(t *testing.T) {
	t.Parallel()
	pg := testkit.PostgresOnly(t)
	bin := serviceBinaries(t)
	names := []string{"identity", "tenant", "conversation", "billing", "notify", "gateway"}
	natsURL := testkit.NATSServer(t)
	port := testkit.FreePort(t)
	base := []string{
		"PARLEY_DATABASE_URL=" + pg.URL, "PARLEY_DATABASE_SCHEMA_PREFIX=" + pg.Prefix, "PARLEY_NATS_URL=" + natsURL,
		"PARLEY_HTTP_ADDR=127.0.0.1:" + strconv.Itoa(port), "PARLEY_PUBLIC_URL=http://parley.test",
		"PARLEY_DATA_DIR=" + t.TempDir(), "PATH=" + os.Getenv("PATH"),
	}
	procs := map[string]*process{}
	for _, name := range names {
		cmd := exec.Command(filepath.Join(bin, name))
		cmd.Env = base
		procs[name] = startProcess(t, name, cmd)
	}
	p := &parley{t: t, URL: "http://127.0.0.1:" + strconv.Itoa(port), http: newContractClient(t, 30*time.Second)}
	testkit.Eventually(t, 30*time.Second, func() error {
		res, err := p.http.Get(p.URL + "/readyz")
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			return fmt.Errorf("readyz %d", res.StatusCode)
		}
		return nil
	})

	owner := p.signup("Distributed Ltd")
	p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": owner.Password}).must(t, 200)
	agent := p.invite(owner, "agent")
	me := p.do("GET", "/api/v1/me", agent.Access, nil).must(t, 200)
	if me.str("tenant.name") != "Distributed Ltd" || me.str("user.role") != "agent" {
		t.Fatalf("me: %s", me.Raw)
	}
	// Each service wrote to its own schema.
	for _, name := range []string{"identity", "tenant", "billing", "notify"} {
		if !bytes.Contains([]byte(procs[name].out.String()), []byte(`"msg":"migration applied"`)) {
			t.Errorf("%s did not migrate its own schema:\n%s", name, tail(procs[name].out.String()))
		}
	}
}
