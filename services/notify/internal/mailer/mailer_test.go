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

// testCert writes a self-signed certificate for 127.0.0.1 into a temp dir
// and returns its files and a pool that trusts it.
func testCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailpit test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if os.WriteFile(certFile, certPEM, 0o600) != nil ||
		os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600) != nil {
		t.Fatal("write test certificate")
	}
	pool = x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return certFile, keyFile, pool
}

func email(to string) domain.Email {
	return domain.Email{ID: "id-" + to, Kind: domain.KindInvite, TenantID: "t", To: to, Subject: "Hello", Text: "hi", HTML: "<p>hi</p>"}
}

// smtp:// upgrades with STARTTLS (the server here insists on it) and
// authenticates inside TLS; smtps:// speaks TLS from the first byte.
func TestTLSBothWays(t *testing.T) {
	t.Parallel()
	certFile, keyFile, roots := testCert(t)
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
		m, err := mailer.New(c.url, "Parley <no-reply@parley.test>", mailer.WithRootCAs(roots))
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
