package mailer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/notify/internal/domain"
	"github.com/parley-chat/parley/services/notify/internal/mailer"
)

// certFile and keyFile are a certificate for 127.0.0.1 that this test
// process trusts (SSL_CERT_FILE, read once, before any TLS).
var certFile, keyFile string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mailer-tls-")
	if err != nil {
		panic(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeCert(certFile, keyFile)
	os.Setenv("SSL_CERT_FILE", certFile)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func writeCert(certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailpit test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		panic(err)
	}
	if os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600) != nil ||
		os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600) != nil {
		panic("write test certificate")
	}
}

func email(to string) domain.Email {
	return domain.Email{ID: "id-" + to, Kind: domain.KindInvite, TenantID: "t", To: to, Subject: "Hello", Text: "hi", HTML: "<p>hi</p>"}
}

// smtp:// upgrades with STARTTLS (the server here insists on it) and
// authenticates inside TLS; smtps:// speaks TLS from the first byte.
func TestTLSBothWays(t *testing.T) {
	t.Parallel()
	starttls := testkit.StartMailpit(t, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-starttls")
	implicit := testkit.StartMailpit(t, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-tls")
	for _, c := range []struct {
		url string
		mp  *testkit.Mailpit
		to  string
	}{
		{"smtp://user:pass@127.0.0.1:" + strconv.Itoa(starttls.SMTPPort), starttls, "starttls@example.com"},
		{"smtps://user:pass@127.0.0.1:" + strconv.Itoa(implicit.SMTPPort), implicit, "implicit@example.com"},
	} {
		m, err := mailer.New(c.url, "Parley <no-reply@parley.test>")
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Send(context.Background(), email(c.to)); err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		c.mp.WaitFor(t, c.to, 1, 10*time.Second)
	}
}

// A server that is down is a temporary failure, never a rejection.
func TestADownServerIsTemporary(t *testing.T) {
	t.Parallel()
	m, err := mailer.New("smtp://127.0.0.1:"+strconv.Itoa(testkit.FreePort(t)), "Parley <no-reply@parley.test>")
	if err != nil {
		t.Fatal(err)
	}
	err = m.Send(context.Background(), email("x@example.com"))
	if err == nil || mailer.IsRejection(err) {
		t.Fatalf("err = %v, want a temporary failure", err)
	}
}
