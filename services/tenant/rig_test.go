package tenant_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/logging"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/tenant"
)

// clock is the tenant service's clock in a test: real time plus an offset.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.off) }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.off += d }

// rig is a NATS server, the fake parts of the other services, and the
// tenant service replicas started on it.
type rig struct {
	t       *testing.T
	d       testkit.DB
	ns      *server.Server
	nc      *nats.Conn
	js      jetstream.JetStream
	objects jetstream.ObjectStore
	clock   *clock
	fakes   *fakes
}

func newRig(t *testing.T, d testkit.DB) *rig {
	t.Helper()
	ns := testkit.NATS(t)
	nc := testkit.Connect(t, ns)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	objects, err := natsx.DataBucket(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, d: d, ns: ns, nc: nc, js: js, objects: objects, clock: &clock{}}
	r.fakes = startFakes(t, testkit.Connect(t, ns), objects)
	return r
}

// start runs one tenant replica until stop is called (or the test ends).
func (r *rig) start(lease time.Duration) (stop func()) {
	r.t.Helper()
	m := map[string]string{"PARLEY_DATA_DIR": r.t.TempDir(), "PARLEY_PUBLIC_URL": "http://parley.test"}
	if r.d.Name == "postgres" {
		m["PARLEY_DATABASE_URL"], m["PARLEY_DATABASE_SCHEMA_PREFIX"] = r.d.URL, r.d.Prefix
	} else {
		m["PARLEY_DATABASE_URL"] = r.d.URL
	}
	cfg, err := config.Load(func(k string) string { return m[k] })
	if err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := tenant.New(ctx, cfg, tenant.Deps{
		NATS: testkit.Connect(r.t, r.ns), Logger: logging.New(os.Stderr, "error", "tenant"),
		Jobs: tenant.Jobs{Now: r.clock.Now, Lease: lease, Poll: 50 * time.Millisecond, Sweep: 50 * time.Millisecond},
	})
	if err != nil {
		cancel()
		r.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				r.t.Errorf("tenant stopped with: %v", err)
			}
		})
	}
	r.t.Cleanup(stop)
	testkit.Eventually(r.t, 10*time.Second, func() error {
		_, err := natsx.Call(context.Background(), r.nc, contracts.Health(contracts.ServiceTenant), contracts.Empty{})
		return err
	})
	return stop
}

// workspace creates an active tenant and returns its owner.
func (r *rig) workspace(name string) contracts.Principal {
	r.t.Helper()
	tid := ids.New()
	call(r.t, r.nc, contracts.TenantCreate, contracts.TenantCreateRequest{TenantID: tid, Name: name})
	call(r.t, r.nc, contracts.TenantActivate, contracts.TenantIDRequest{TenantID: tid})
	return contracts.Principal{TenantID: tid, UserID: ids.New(), Role: contracts.RoleOwner, Name: "Olive Owner", IP: "203.0.113.9"}
}

func call[Req, Resp any](t *testing.T, nc *nats.Conn, ep contracts.Endpoint[Req, Resp], req Req) Resp {
	t.Helper()
	out, err := natsx.Call(context.Background(), nc, ep, req)
	if err != nil {
		t.Fatalf("%s: %v", ep.Subject(), err)
	}
	return out
}

// refused calls ep and checks the error code (and the field, if given).
func refused[Req, Resp any](t *testing.T, nc *nats.Conn, ep contracts.Endpoint[Req, Resp], req Req, code apperr.Code, field string) {
	t.Helper()
	_, err := natsx.Call(context.Background(), nc, ep, req)
	e := apperr.As(err)
	if err == nil || e.Code != code || e.Field != field {
		t.Fatalf("%s: got %v, want %s (field %q)", ep.Subject(), err, code, field)
	}
}

// waitExport polls an export until its status is want.
func (r *rig) waitExport(p contracts.Principal, id, want string) contracts.Export {
	r.t.Helper()
	var e contracts.Export
	testkit.Eventually(r.t, 30*time.Second, func() error {
		e = call(r.t, r.nc, contracts.TenantExportGet, contracts.IDRequest{Principal: p, ID: id})
		if e.Status == contracts.JobFailed && want != contracts.JobFailed {
			r.t.Fatalf("export %s failed: %s", id, e.Error)
		}
		if e.Status != want {
			return fmt.Errorf("export %s is %s (%s), want %s", id, e.Status, e.Error, want)
		}
		return nil
	})
	return e
}

func (r *rig) waitImport(p contracts.Principal, id, want string) contracts.Import {
	r.t.Helper()
	var i contracts.Import
	testkit.Eventually(r.t, 30*time.Second, func() error {
		i = call(r.t, r.nc, contracts.TenantImportGet, contracts.IDRequest{Principal: p, ID: id})
		if i.Status == contracts.JobFailed && want != contracts.JobFailed {
			r.t.Fatalf("import %s failed: %s", id, i.Error)
		}
		if i.Status != want {
			return fmt.Errorf("import %s is %s (%s), want %s", id, i.Status, i.Error, want)
		}
		return nil
	})
	return i
}

// object reads a whole object of the data bucket.
func (r *rig) object(name string) []byte {
	r.t.Helper()
	b, err := r.objects.GetBytes(context.Background(), name)
	if err != nil {
		r.t.Fatalf("object %s: %v", name, err)
	}
	return b
}

func (r *rig) gone(name string) error {
	_, err := r.objects.GetInfo(context.Background(), name)
	if err == nil {
		return fmt.Errorf("object %s is still there", name)
	}
	return nil
}

// publish stores an event on its stream as its producer would.
func (r *rig) publish(et contracts.EventType, tenantID string, payload any, edit func(*contracts.Envelope)) contracts.Envelope {
	r.t.Helper()
	env, err := contracts.NewEnvelope(et, tenantID, et.Context, "", payload)
	if err != nil {
		r.t.Fatal(err)
	}
	if edit != nil {
		edit(&env)
	}
	if _, err := natsx.Publish(context.Background(), r.js, et.Subject(tenantID), env); err != nil {
		r.t.Fatal(err)
	}
	return env
}

// fakes are the other services' export and import parts, served on the
// real NATS: each writes a file or two into the data bucket.
type fakes struct {
	mu          sync.Mutex
	calls       map[string]int // conversation export_part calls per export
	gate        chan struct{}  // when set, conversation export_part waits for it
	imported    []contracts.ImportPartRequest
	importFiles map[string][]byte
	importErr   *apperr.Error
	members     []contracts.User
}

func startFakes(t *testing.T, nc *nats.Conn, objects jetstream.ObjectStore) *fakes {
	f := &fakes{calls: map[string]int{}, importFiles: map[string][]byte{}}
	log := logging.New(io.Discard, "error", "fakes")
	part := func(service string, files map[string]string) natsx.Handler[contracts.ExportPartRequest, contracts.ExportPart] {
		return func(ctx context.Context, r contracts.ExportPartRequest) (contracts.ExportPart, error) {
			if service == contracts.ServiceConversation {
				f.mu.Lock()
				f.calls[r.ExportID]++
				gate := f.gate
				f.mu.Unlock()
				if gate != nil {
					select {
					case <-gate:
					case <-ctx.Done():
						return contracts.ExportPart{}, ctx.Err()
					}
				}
			}
			var out contracts.ExportPart
			for name, body := range files {
				obj := r.Prefix + name
				if _, err := objects.PutBytes(ctx, obj, []byte(body)); err != nil {
					return out, err
				}
				out.Files = append(out.Files, contracts.ExportFile{Name: name, Object: obj, Count: int64(strings.Count(body, "\n"))})
			}
			return out, nil
		}
	}
	serve := func(ep contracts.Endpoint[contracts.ExportPartRequest, contracts.ExportPart], h natsx.Handler[contracts.ExportPartRequest, contracts.ExportPart]) {
		srv, err := natsx.Serve(nc, ep, log, h)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Stop(time.Second) })
	}
	serve(contracts.IdentityExportPart, part(contracts.ServiceIdentity, map[string]string{
		"members.jsonl": `{"id":"old-member-1","name":"Ada","email":"ada@example.com","role":"owner"}` + "\n" +
			`{"id":"old-member-2","name":"Bob","email":"bob@example.com","role":"agent"}` + "\n",
	}))
	serve(contracts.ConversationExportPart, part(contracts.ServiceConversation, map[string]string{
		"conversations.jsonl": `{"id":"c1"}` + "\n" + `{"id":"c2"}` + "\n",
		"messages.jsonl":      `{"id":"m1","conversation_id":"c1","seq":1,"body":"hello"}` + "\n",
	}))
	serve(contracts.BillingExportPart, part(contracts.ServiceBilling, map[string]string{"billing.json": `{"plan":"free"}` + "\n"}))
	serve(contracts.NotifyExportPart, part(contracts.ServiceNotify, map[string]string{"email_preferences.jsonl": ""}))

	srv, err := natsx.Serve(nc, contracts.ConversationImportPart, log, func(ctx context.Context, r contracts.ImportPartRequest) (contracts.ImportPart, error) {
		f.mu.Lock()
		fail := f.importErr
		f.mu.Unlock()
		if fail != nil {
			return contracts.ImportPart{}, fail
		}
		counts := map[string]int64{}
		for name, obj := range r.Files {
			b, err := objects.GetBytes(ctx, obj)
			if err != nil {
				return contracts.ImportPart{}, err
			}
			f.mu.Lock()
			f.importFiles[name] = b
			f.mu.Unlock()
			counts[name] = int64(bytes.Count(b, []byte("\n")))
		}
		f.mu.Lock()
		f.imported = append(f.imported, r)
		f.mu.Unlock()
		return contracts.ImportPart{Counts: counts}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop(time.Second) })
	msrv, err := natsx.Serve(nc, contracts.IdentityMemberList, log, func(ctx context.Context, r contracts.PrincipalRequest) (contracts.MemberList, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return contracts.MemberList{Members: f.members}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { msrv.Stop(time.Second) })
	esrv, err := natsx.Serve(nc, contracts.BillingEntitlements, log, func(ctx context.Context, r contracts.TenantIDRequest) (contracts.Entitlements, error) {
		return contracts.Entitlements{Plan: "free", PlanName: "Free", Status: "active", Features: []string{}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { esrv.Stop(time.Second) })
	return f
}

func (f *fakes) conversationCalls(exportID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[exportID]
}

func (f *fakes) block() { f.mu.Lock(); f.gate = make(chan struct{}); f.mu.Unlock() }

func (f *fakes) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gate != nil {
		close(f.gate)
		f.gate = nil
	}
}

// unzip reads an archive's files.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = body
	}
	return out
}

// archive builds a zip of files with a manifest describing them; edit may
// spoil the manifest before it is written.
func archive(t *testing.T, files map[string][]byte, services map[string]string, edit func(*contracts.Manifest)) []byte {
	t.Helper()
	m := contracts.Manifest{Format: contracts.ExportFormat, FormatVersion: contracts.ExportFormatVersion, ExportID: ids.New(), CreatedAt: time.Now().UTC()}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(body)
		sum := sha256.Sum256(body)
		m.Files = append(m.Files, contracts.ManifestFile{Name: name, Service: services[name], Count: int64(bytes.Count(body, []byte("\n"))),
			Bytes: int64(len(body)), SHA256: hex.EncodeToString(sum[:])})
	}
	if edit != nil {
		edit(&m)
	}
	w, err := zw.Create("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewEncoder(w).Encode(m); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// startImport uploads b as the gateway would and starts its import.
func (r *rig) startImport(p contracts.Principal, b []byte) (contracts.Import, error) {
	r.t.Helper()
	id := ids.New()
	obj := contracts.ImportUploadObject(p.TenantID, id)
	if _, err := r.objects.PutBytes(context.Background(), obj, b); err != nil {
		r.t.Fatal(err)
	}
	return natsx.Call(context.Background(), r.nc, contracts.TenantImportStart, contracts.ImportStartRequest{
		Principal: p, ImportID: id, Object: obj, SizeBytes: int64(len(b)),
	})
}

// waitEvent waits until the newest tenant event on subject holds want.
func (r *rig) waitEvent(subject, want string) {
	r.t.Helper()
	testkit.Eventually(r.t, 10*time.Second, func() error {
		stream, err := r.js.Stream(context.Background(), contracts.TenantStream.Name)
		if err != nil {
			return err
		}
		msg, err := stream.GetLastMsgForSubject(context.Background(), subject)
		if err != nil {
			return err
		}
		if !bytes.Contains(msg.Data, []byte(want)) {
			return fmt.Errorf("%s: %s", subject, msg.Data)
		}
		return nil
	})
}
