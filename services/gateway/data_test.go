package gateway_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
)

// Owners and admins only, the tenant from the token alone, and every bad
// query or body named by its field.
func TestDataRoutesRolesAndValidation(t *testing.T) {
	h := newHarness(t, nil)
	tenant, exportID := ids.New(), ids.New()
	serve(h, contracts.TenantExportCreate, func(r contracts.PrincipalRequest) (contracts.Export, error) {
		return contracts.Export{ID: exportID, Status: contracts.JobQueued, RequestedBy: r.Principal.UserID}, nil
	})
	serve(h, contracts.TenantExportGet, func(r contracts.IDRequest) (contracts.Export, error) {
		if r.Principal.TenantID != tenant || r.ID != exportID {
			return contracts.Export{}, apperr.NotFoundf("export not found")
		}
		return contracts.Export{ID: exportID, Status: contracts.JobRunning}, nil
	})
	serve(h, contracts.TenantAuditList, func(r contracts.AuditListRequest) (contracts.AuditPage, error) {
		return contracts.AuditPage{Entries: []contracts.AuditEntry{}}, nil
	})
	serve(h, contracts.ConversationRetentionPreview, func(r contracts.RetentionPreviewRequest) (contracts.RetentionPreview, error) {
		return contracts.RetentionPreview{Days: r.Days}, nil
	})
	admin, agent, owner := h.member(tenant, contracts.RoleAdmin), h.member(tenant, contracts.RoleAgent), h.member(tenant, contracts.RoleOwner)
	stranger := h.member(ids.New(), contracts.RoleOwner)

	for _, r := range []struct{ method, path string }{
		{"POST", "/api/v1/exports"}, {"GET", "/api/v1/exports"}, {"GET", "/api/v1/exports/" + exportID},
		{"GET", "/api/v1/visitors/" + ids.New() + "/export"}, {"DELETE", "/api/v1/visitors/" + ids.New()},
		{"GET", "/api/v1/retention/preview?days=30"}, {"GET", "/api/v1/audit-log"},
		{"GET", "/api/v1/imports"}, {"POST", "/api/v1/imports"}, {"DELETE", "/api/v1/tenant"},
	} {
		expect(t, "agent "+r.method+" "+r.path, h.do(r.method, r.path, agent.token, nil, ""), http.StatusForbidden, "forbidden")
	}
	for _, r := range []struct{ method, path string }{{"GET", "/api/v1/imports"}, {"POST", "/api/v1/imports"}, {"DELETE", "/api/v1/tenant"}} {
		expect(t, "admin "+r.method+" "+r.path, h.do(r.method, r.path, admin.token, nil, ""), http.StatusForbidden, "forbidden")
	}
	expect(t, "no token", h.do("GET", "/api/v1/exports", "", nil, ""), http.StatusUnauthorized)
	expect(t, "own export", h.do("GET", "/api/v1/exports/"+exportID, admin.token, nil, ""), http.StatusOK)
	expect(t, "another tenant's export", h.do("GET", "/api/v1/exports/"+exportID, stranger.token, nil, ""), http.StatusNotFound, "not_found")

	// The principal carries the member's name and, behind the trusted proxy, the client's IP.
	expect(t, "create export", h.do("POST", "/api/v1/exports", admin.token, nil, "", "X-Forwarded-For", "203.0.113.9"), http.StatusAccepted)
	p := h.log.last("tenant.export_create").(contracts.PrincipalRequest).Principal
	if p.TenantID != tenant || p.UserID != admin.UserID || p.Name != admin.name || p.IP != "203.0.113.9" {
		t.Fatalf("principal = %+v", p)
	}

	for _, c := range []struct{ query, field string }{
		{"", "days"}, {"days=6", "days"}, {"days=3651", "days"}, {"days=ten", "days"},
	} {
		expect(t, "preview "+c.query, h.do("GET", "/api/v1/retention/preview?"+c.query, admin.token, nil, ""), http.StatusBadRequest, "invalid", c.field)
	}
	expect(t, "preview", h.do("GET", "/api/v1/retention/preview?days=30", admin.token, nil, ""), http.StatusOK)
	for _, c := range []struct{ query, field string }{
		{"since=yesterday", "since"}, {"until=2026-13-01T00:00:00Z", "until"}, {"limit=0", "limit"}, {"limit=201", "limit"},
		{"since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z", "until"},
	} {
		expect(t, "audit "+c.query, h.do("GET", "/api/v1/audit-log?"+c.query, admin.token, nil, ""), http.StatusBadRequest, "invalid", c.field)
	}
	expect(t, "audit", h.do("GET", "/api/v1/audit-log?action=member.&since=2026-12-01T00:00:00Z&limit=200", admin.token, nil, ""), http.StatusOK)
	q := h.log.last("tenant.audit_list").(contracts.AuditListRequest)
	if q.Action != "member." || q.Limit != 200 || q.Since == nil || !q.Since.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("audit request = %+v", q)
	}
	expect(t, "audit default limit", h.do("GET", "/api/v1/audit-log", admin.token, nil, ""), http.StatusOK)
	if q := h.log.last("tenant.audit_list").(contracts.AuditListRequest); q.Limit != 50 {
		t.Fatalf("default limit %d", q.Limit)
	}

	expect(t, "delete: unknown field", h.do("DELETE", "/api/v1/tenant", owner.token, map[string]any{"name": "Acme"}, ""), http.StatusBadRequest, "invalid", "name")
	expect(t, "delete: wrong type", h.do("DELETE", "/api/v1/tenant", owner.token, map[string]any{"confirm_name": 1}, ""), http.StatusBadRequest, "invalid", "confirm_name")
}

// A download streams the archive from the Object Store with the headers a
// browser needs; a bad or missing token is 404.
func TestExportDownload(t *testing.T) {
	h := newHarness(t, nil)
	tenant, exportID := ids.New(), ids.New()
	archive := make([]byte, 3<<20+17)
	_, _ = rand.Read(archive)
	object := contracts.ExportArchiveObject(tenant, exportID)
	if _, err := h.objects.Put(context.Background(), jetstream.ObjectMeta{Name: object}, bytes.NewReader(archive)); err != nil {
		t.Fatal(err)
	}
	serve(h, contracts.TenantExportDownload, func(r contracts.ExportDownloadRequest) (contracts.ExportDownload, error) {
		if r.ExportID != exportID || r.Token != "the-token" {
			return contracts.ExportDownload{}, apperr.NotFoundf("no such download")
		}
		return contracts.ExportDownload{TenantID: tenant, ExportID: exportID, Object: object, FileName: "parley-export-acme-20261202.zip", SizeBytes: int64(len(archive))}, nil
	})

	r := h.do("GET", "/api/v1/exports/"+exportID+"/download?token=the-token", "", nil, "")
	expect(t, "download", r, http.StatusOK)
	if !bytes.Equal(r.body, archive) {
		t.Fatalf("downloaded %d bytes, not the archive's %d", len(r.body), len(archive))
	}
	for k, want := range map[string]string{
		"Content-Type":           "application/zip",
		"Content-Disposition":    `attachment; filename=parley-export-acme-20261202.zip`,
		"Content-Length":         "3145745",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
	} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	expect(t, "bad token", h.do("GET", "/api/v1/exports/"+exportID+"/download?token=guess", "", nil, ""), http.StatusNotFound, "not_found")
	expect(t, "no token", h.do("GET", "/api/v1/exports/"+exportID+"/download", "", nil, ""), http.StatusNotFound, "not_found")
	expect(t, "another export", h.do("GET", "/api/v1/exports/"+ids.New()+"/download?token=the-token", "", nil, ""), http.StatusNotFound, "not_found")
}

// zipBytes is a small, valid zip archive.
func zipBytes(t *testing.T) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte(`{"format":"parley-export","format_version":1}`))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// An upload goes to the Object Store, then to tenant's import_start; a
// workspace with conversations is refused first, an archive over the limit
// is 413 with nothing left in the bucket, and a body that is no zip is 400.
func TestImportUpload(t *testing.T) {
	const limit = 1 << 20
	h := newHarness(t, map[string]string{"PARLEY_IMPORT_MAX_BYTES": "1048576"})
	full, busy, empty := ids.New(), ids.New(), ids.New()
	serve(h, contracts.ConversationList, func(r contracts.ListRequest) (contracts.ConversationPage, error) {
		page := contracts.ConversationPage{Conversations: []contracts.Conversation{}}
		if r.Actor.TenantID == full && r.Limit == 1 {
			page.Conversations = append(page.Conversations, contracts.Conversation{ID: ids.New()})
		}
		return page, nil
	})
	serve(h, contracts.TenantImportList, func(r contracts.PrincipalRequest) (contracts.ImportList, error) {
		list := contracts.ImportList{Imports: []contracts.Import{{ID: ids.New(), Status: contracts.JobFailed}}}
		if r.Principal.TenantID == busy {
			list.Imports = append(list.Imports, contracts.Import{ID: ids.New(), Status: contracts.JobRunning})
		}
		return list, nil
	})
	serve(h, contracts.TenantImportStart, func(r contracts.ImportStartRequest) (contracts.Import, error) {
		return contracts.Import{ID: r.ImportID, Status: contracts.JobQueued, SizeBytes: r.SizeBytes, RequestedBy: r.Principal.UserID}, nil
	})
	owner := h.member(empty, contracts.RoleOwner)
	archive := zipBytes(t)

	expect(t, "workspace with conversations",
		h.do("POST", "/api/v1/imports", h.member(full, contracts.RoleOwner).token, bytes.NewReader(archive), "application/zip"), http.StatusConflict, "conflict")

	expect(t, "import under way",
		h.do("POST", "/api/v1/imports", h.member(busy, contracts.RoleOwner).token, bytes.NewReader(archive), "application/zip"), http.StatusConflict, "conflict")

	over := append([]byte("PK\x03\x04"), make([]byte, limit)...)
	expect(t, "over the limit", h.do("POST", "/api/v1/imports", owner.token, bytes.NewReader(over), "application/zip"), http.StatusRequestEntityTooLarge, "too_large", "file")
	// Without Content-Length the limit is enforced while streaming.
	expect(t, "over the limit, chunked", h.do("POST", "/api/v1/imports", owner.token, io.MultiReader(bytes.NewReader(over)), "application/zip"), http.StatusRequestEntityTooLarge, "too_large", "file")
	expect(t, "not a zip", h.do("POST", "/api/v1/imports", owner.token, bytes.NewReader([]byte("name,email\n")), "application/zip"), http.StatusBadRequest, "invalid", "file")
	expect(t, "empty", h.do("POST", "/api/v1/imports", owner.token, bytes.NewReader(nil), "application/zip"), http.StatusBadRequest, "invalid", "file")
	expect(t, "JSON", h.do("POST", "/api/v1/imports", owner.token, map[string]string{"file": "x"}, ""), http.StatusUnsupportedMediaType)
	h.assertBucketEmpty()
	if slices.Contains(h.log.names(), "tenant.import_start") {
		t.Fatalf("import_start called for a refused upload: %v", h.log.names())
	}

	// A body as large as the limit is fine.
	r := h.do("POST", "/api/v1/imports", owner.token, io.MultiReader(bytes.NewReader(archive)), "application/zip")
	expect(t, "upload", r, http.StatusAccepted)
	start := h.log.last("tenant.import_start").(contracts.ImportStartRequest)
	if start.Object != contracts.ImportUploadObject(empty, start.ImportID) || start.SizeBytes != int64(len(archive)) || start.Principal.UserID != owner.UserID {
		t.Fatalf("import_start = %+v", start)
	}
	if got := h.object(start.Object); !bytes.Equal(got, archive) {
		t.Fatalf("stored %d bytes, sent %d", len(got), len(archive))
	}

	// The dashboard's form sends it as the multipart field "file".
	body, ct := multipartBody(t, "file", archive)
	expect(t, "multipart", h.do("POST", "/api/v1/imports", owner.token, body, ct), http.StatusAccepted)
	if s := h.log.last("tenant.import_start").(contracts.ImportStartRequest); !bytes.Equal(h.object(s.Object), archive) {
		t.Fatal("multipart upload not stored as sent")
	}
	body, ct = multipartBody(t, "archive", archive)
	expect(t, "multipart without file", h.do("POST", "/api/v1/imports", owner.token, body, ct), http.StatusBadRequest, "invalid", "file")
}

func multipartBody(t *testing.T, field string, data []byte) (io.Reader, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	f, err := w.CreateFormFile(field, "parley-export.zip")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write(data)
	_ = w.Close()
	return &b, w.FormDataContentType()
}

func (h *harness) object(name string) []byte {
	h.t.Helper()
	b, err := h.objects.GetBytes(context.Background(), name)
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

// assertBucketEmpty checks that the data bucket holds no object and no chunk.
func (h *harness) assertBucketEmpty() {
	h.t.Helper()
	ctx := context.Background()
	if list, err := h.objects.List(ctx); !errors.Is(err, jetstream.ErrNoObjectsFound) {
		h.t.Fatalf("bucket lists %d objects (%v)", len(list), err)
	}
	s, err := h.js.Stream(ctx, "OBJ_"+contracts.DataBucket)
	if err != nil {
		h.t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	if info.State.Msgs != 0 {
		h.t.Fatalf("the bucket's stream keeps %d messages (chunks of a refused upload)", info.State.Msgs)
	}
}
