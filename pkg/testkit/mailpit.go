package testkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// MailpitVersion is the Mailpit release the tests expect; .ci/run installs it with
//
//	go install github.com/axllent/mailpit@v1.33.1
const MailpitVersion = "v1.33.1"

// Mailpit is a real SMTP server for a test, with Mailpit's HTTP API to read
// what arrived. Stop and Start take it down and bring it back on the same
// ports with the same store, to simulate an outage.
type Mailpit struct {
	tb       testing.TB
	bin, db  string
	args     []string
	SMTPPort int
	HTTPPort int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  Buffer
}

// StartMailpit runs Mailpit on free ports with its own database and stops it
// when the test ends; args are more Mailpit flags (e.g.
// --smtp-allowed-recipients to make it refuse some addresses). Without the
// binary the test fails.
func StartMailpit(tb testing.TB, args ...string) *Mailpit {
	tb.Helper()
	bin := goBinary("mailpit")
	if bin == "" {
		tb.Fatal("mailpit is not installed: go install github.com/axllent/mailpit@" + MailpitVersion)
	}
	m := &Mailpit{tb: tb, bin: bin, db: filepath.Join(tb.TempDir(), "mailpit.db"), args: args, SMTPPort: FreePort(tb), HTTPPort: FreePort(tb)}
	tb.Cleanup(m.Stop)
	m.Start()
	return m
}

// SMTPURL is the URL for PARLEY_SMTP_URL (plain SMTP on loopback).
func (m *Mailpit) SMTPURL() string { return "smtp://127.0.0.1:" + strconv.Itoa(m.SMTPPort) }

// SMTPAddr is host:port of the SMTP listener.
func (m *Mailpit) SMTPAddr() string { return "127.0.0.1:" + strconv.Itoa(m.SMTPPort) }

func (m *Mailpit) api() string { return "http://127.0.0.1:" + strconv.Itoa(m.HTTPPort) + "/api/v1" }

// Start (re)starts the server and waits until both its SMTP and HTTP ports answer.
func (m *Mailpit) Start() {
	m.tb.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil {
		return
	}
	args := []string{"--database", m.db, "--smtp", m.SMTPAddr(), "--listen", "127.0.0.1:" + strconv.Itoa(m.HTTPPort),
		"--smtp-auth-accept-any", "--disable-version-check", "--smtp-disable-rdns", "--quiet"}
	if !slices.ContainsFunc(m.args, func(a string) bool { return strings.HasPrefix(a, "--smtp-require-") }) {
		args = append(args, "--smtp-auth-allow-insecure") // AUTH without TLS, which Mailpit refuses beside required TLS
	}
	cmd := exec.Command(m.bin, append(args, m.args...)...)
	cmd.Stdout, cmd.Stderr = &m.out, &m.out
	if err := cmd.Start(); err != nil {
		m.tb.Fatalf("start mailpit: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	m.cmd, m.done = cmd, done
	deadline := time.Now().Add(20 * time.Second)
	for _, port := range []int{m.SMTPPort, m.HTTPPort} {
		for {
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-done:
				m.tb.Fatalf("mailpit exited:\n%s", m.out.String())
			default:
			}
			if time.Now().After(deadline) {
				m.tb.Fatalf("mailpit did not listen on %d within 20s:\n%s", port, m.out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// Stop kills the server; connections to its SMTP port are refused until Start.
func (m *Mailpit) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Kill()
	<-m.done
	m.cmd = nil
}

// MailpitAddress is a mailbox in Mailpit's API.
type MailpitAddress struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// MailpitMessage is one received email: the summary from Mailpit's list, its
// parsed headers and its text and HTML parts.
type MailpitMessage struct {
	ID        string           `json:"ID"`
	MessageID string           `json:"MessageID"`
	From      MailpitAddress   `json:"From"`
	To        []MailpitAddress `json:"To"`
	Subject   string           `json:"Subject"`
	Created   time.Time        `json:"Created"` // when Mailpit received it
	Text      string           `json:"Text"`
	HTML      string           `json:"HTML"`
	Header    mail.Header      `json:"-"`
}

// Messages lists every received email, oldest first, with bodies and headers.
func (m *Mailpit) Messages() ([]MailpitMessage, error) {
	var list struct {
		Messages []MailpitMessage `json:"messages"`
	}
	if err := m.get("/messages?limit=1000", &list); err != nil {
		return nil, err
	}
	out := make([]MailpitMessage, 0, len(list.Messages))
	for i := len(list.Messages) - 1; i >= 0; i-- { // Mailpit lists newest first
		msg, err := m.Message(list.Messages[i].ID)
		if err != nil {
			return nil, err
		}
		msg.Created = list.Messages[i].Created // the detail view does not carry it
		out = append(out, msg)
	}
	return out, nil
}

// To lists the emails received for one address, oldest first.
func (m *Mailpit) To(address string) ([]MailpitMessage, error) {
	all, err := m.Messages()
	if err != nil {
		return nil, err
	}
	var out []MailpitMessage
	for _, msg := range all {
		for _, to := range msg.To {
			if to.Address == address {
				out = append(out, msg)
				break
			}
		}
	}
	return out, nil
}

// Message reads one email with its headers.
func (m *Mailpit) Message(id string) (MailpitMessage, error) {
	var msg MailpitMessage
	if err := m.get("/message/"+id, &msg); err != nil {
		return msg, err
	}
	raw, err := m.Raw(id)
	if err != nil {
		return msg, err
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return msg, fmt.Errorf("parse message %s: %w", id, err)
	}
	msg.Header = parsed.Header
	return msg, nil
}

// Raw is the email exactly as it arrived.
func (m *Mailpit) Raw(id string) ([]byte, error) {
	resp, err := m.request("/message/" + id + "/raw")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// WaitFor polls until at least n emails reached address and returns them.
func (m *Mailpit) WaitFor(tb testing.TB, address string, n int, within time.Duration) []MailpitMessage {
	tb.Helper()
	var got []MailpitMessage
	Eventually(tb, within, func() error {
		var err error
		if got, err = m.To(address); err != nil {
			return err
		}
		if len(got) < n {
			return fmt.Errorf("%d emails to %s, want %d", len(got), address, n)
		}
		return nil
	})
	return got
}

func (m *Mailpit) get(path string, v any) error {
	resp, err := m.request(path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

var mailpitClient = &http.Client{Timeout: 5 * time.Second}

func (m *Mailpit) request(path string) (*http.Response, error) {
	resp, err := mailpitClient.Get(m.api() + path)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("mailpit %s: %s", path, resp.Status)
	}
	return resp, nil
}
