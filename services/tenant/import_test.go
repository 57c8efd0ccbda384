package tenant_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/tenant/internal/domain"
)

// TestImportRoundTrip exports a workspace and imports the archive into a
// new one: tenant's own rows come back as they were, the conversation part
// gets its files and the member map, and no object is left behind.
func TestImportRoundTrip(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		src := r.workspace("Old Home")
		call(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: src, RetentionDays: ptr(90), OfflineMessage: ptr("Gone fishing")})
		canned := call(t, r.nc, contracts.TenantCannedWrite, contracts.CannedWriteRequest{Principal: src, Shortcut: ptr("bye"), Body: ptr("Goodbye!")})
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: src}).Entries); n < 2 {
				return fmt.Errorf("%d audit entries", n)
			}
			return nil
		})
		srcAudit := call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: src})
		e := call(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: src})
		done := r.waitExport(src, e.ID, contracts.JobDone)
		dl := call(t, r.nc, contracts.TenantExportDownload, contracts.ExportDownloadRequest{ExportID: e.ID, Token: tokenOf(t, done)})
		zipped := r.object(dl.Object)

		dst := r.workspace("New Home")
		r.fakes.mu.Lock()
		r.fakes.members = []contracts.User{{ID: dst.UserID, Email: "ADA@example.com"}}
		r.fakes.mu.Unlock()
		agent := dst
		agent.Role = contracts.RoleAdmin
		if _, err := r.startImport(agent, zipped); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("an admin started an import: %v", err)
		}
		imp, err := r.startImport(dst, zipped)
		if err != nil {
			t.Fatal(err)
		}
		got := r.waitImport(dst, imp.ID, contracts.JobDone)
		if got.Counts["canned_responses.jsonl"] != 1 || got.Counts["messages.jsonl"] != 1 || got.Counts["settings.json"] != 1 || got.Progress != 1 {
			t.Fatalf("import %+v", got)
		}
		s := call(t, r.nc, contracts.TenantSettingsGet, contracts.PrincipalRequest{Principal: dst})
		if s.RetentionDays != 90 || s.OfflineMessage != "Gone fishing" {
			t.Fatalf("settings %+v", s)
		}
		list := call(t, r.nc, contracts.TenantCannedList, contracts.PrincipalRequest{Principal: dst})
		if len(list.CannedResponses) != 1 || list.CannedResponses[0].ID != canned.ID || !list.CannedResponses[0].CreatedAt.Equal(canned.CreatedAt) {
			t.Fatalf("canned %+v, want %+v", list.CannedResponses, canned)
		}
		policies := call(t, r.nc, contracts.TenantRetentionPolicies, contracts.Empty{})
		if !hasPolicy(policies, dst.TenantID, 90) {
			t.Fatalf("policies %+v", policies)
		}
		r.fakes.mu.Lock()
		req := r.fakes.imported[0]
		msgs := string(r.fakes.importFiles["messages.jsonl"])
		r.fakes.mu.Unlock()
		if req.TenantID != dst.TenantID || len(req.Files) != 2 || req.MemberMap["old-member-1"] != dst.UserID || len(req.MemberMap) != 1 {
			t.Fatalf("conversation import_part got %+v", req)
		}
		if !strings.Contains(msgs, `"body":"hello"`) {
			t.Fatalf("messages.jsonl reached conversation as %q", msgs)
		}
		// The old audit entries are kept as they were, next to the import's own.
		testkit.Eventually(t, 10*time.Second, func() error {
			page := call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: dst, Action: "import."})
			if len(page.Entries) != 2 {
				return fmt.Errorf("import audit %+v", page.Entries)
			}
			return nil
		})
		for _, old := range srcAudit.Entries {
			page := call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: dst, Action: old.Action, ActorID: old.Actor.ID})
			if len(page.Entries) != 1 || page.Entries[0].ID != old.ID || !page.Entries[0].OccurredAt.Equal(old.OccurredAt) {
				t.Errorf("imported %s: %+v, want %+v", old.Action, page.Entries, old)
			}
		}
		for _, name := range []string{contracts.ImportUploadObject(dst.TenantID, imp.ID), contracts.ImportFileObject(dst.TenantID, imp.ID, "messages.jsonl")} {
			testkit.Eventually(t, 5*time.Second, func() error { return r.gone(name) })
		}
		// A workspace that has data (or an import) takes no second one.
		if _, err := r.startImport(dst, zipped); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("a second import: %v", err)
		}
	})
}

func hasPolicy(p contracts.RetentionPolicies, tenantID string, days int) bool {
	for _, x := range p.Policies {
		if x.TenantID == tenantID {
			return x.Days == days
		}
	}
	return false
}

func TestImportRefusesInvalidArchives(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		files := map[string][]byte{
			"canned_responses.jsonl": []byte(`{"id":"` + ids.New() + `","shortcut":"x","body":"X"}` + "\n"),
			"messages.jsonl":         []byte(`{"id":"m1"}` + "\n"),
		}
		services := map[string]string{"canned_responses.jsonl": "tenant", "messages.jsonl": "conversation"}
		cases := []struct {
			name, want string
			body       []byte
		}{
			{"not a zip", "the file is not a zip archive", []byte("PK? no, just text")},
			{"bad checksum", "does not match its SHA-256 in the manifest", archive(t, files, services, func(m *contracts.Manifest) {
				for i := range m.Files {
					m.Files[i].SHA256 = strings.Repeat("0", 64)
				}
			})},
			{"wrong version", "format version 2 is not supported", archive(t, files, services, func(m *contracts.Manifest) { m.FormatVersion = 2 })},
			{"wrong format", `names the format "zip-of-things"`, archive(t, files, services, func(m *contracts.Manifest) { m.Format = "zip-of-things" })},
			{"unknown service", `unknown service "crm"`, archive(t, files, map[string]string{"canned_responses.jsonl": "tenant", "messages.jsonl": "crm"}, nil)},
			{"unlisted file", "messages.jsonl is not listed", archive(t, files, services, func(m *contracts.Manifest) {
				m.Files = slices.DeleteFunc(m.Files, func(f contracts.ManifestFile) bool { return f.Name == "messages.jsonl" })
			})},
			{"a logo that is a web page", "logo.png: the file is not an image", archive(t, withLogo(t, files, []byte("<html><script>alert(1)</script></html>")), withLogoServices(services), nil)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := r.workspace("Invalid " + c.name)
				imp, err := r.startImport(p, c.body)
				if err != nil {
					t.Fatal(err)
				}
				got := r.waitImport(p, imp.ID, contracts.JobFailed)
				if !strings.Contains(got.Error, c.want) || !strings.HasPrefix(got.Error, "this is not a valid Parley export archive") {
					t.Fatalf("error %q, want %q", got.Error, c.want)
				}
				if n := len(call(t, r.nc, contracts.TenantCannedList, contracts.PrincipalRequest{Principal: p}).CannedResponses); n != 0 {
					t.Fatalf("a failed import left %d canned responses", n)
				}
				if err := r.gone(contracts.ImportUploadObject(p.TenantID, imp.ID)); err != nil {
					t.Fatal(err)
				}
			})
		}

		// The conversation service refuses a workspace with conversations:
		// the import fails and tenant wrote nothing.
		r.fakes.mu.Lock()
		r.fakes.importErr = apperr.New(apperr.Conflict, "the workspace already has conversations")
		r.fakes.mu.Unlock()
		p := r.workspace("Busy")
		imp, err := r.startImport(p, archive(t, files, services, nil))
		if err != nil {
			t.Fatal(err)
		}
		got := r.waitImport(p, imp.ID, contracts.JobFailed)
		if !strings.Contains(got.Error, "the workspace already has conversations") {
			t.Fatalf("error %q", got.Error)
		}
		if n := len(call(t, r.nc, contracts.TenantCannedList, contracts.PrincipalRequest{Principal: p}).CannedResponses); n != 0 {
			t.Fatalf("a refused import left %d canned responses", n)
		}

		// A workspace with canned responses is not empty; the object must be the import's upload.
		call(t, r.nc, contracts.TenantCannedWrite, contracts.CannedWriteRequest{Principal: p, Shortcut: ptr("mine"), Body: ptr("Mine")})
		if _, err := r.startImport(p, archive(t, files, services, nil)); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("import into a non-empty workspace: %v", err)
		}
		q := r.workspace("Elsewhere")
		refused(t, r.nc, contracts.TenantImportStart, contracts.ImportStartRequest{
			Principal: q, ImportID: imp.ID, Object: contracts.ImportUploadObject(p.TenantID, imp.ID), SizeBytes: 10,
		}, apperr.Invalid, "file")
		if _, err := r.objects.GetInfo(context.Background(), contracts.ImportUploadObject(q.TenantID, imp.ID)); err == nil {
			t.Fatal("unexpected object")
		}
		list := call(t, r.nc, contracts.TenantImportList, contracts.PrincipalRequest{Principal: p})
		if len(list.Imports) != 1 || list.Imports[0].ID != imp.ID {
			t.Fatalf("imports %+v", list)
		}
	})
}

// withLogo adds settings.json and a logo.png to an archive's files.
func withLogo(t *testing.T, files map[string][]byte, logo []byte) map[string][]byte {
	t.Helper()
	settings, err := json.Marshal(map[string]any{"settings": domain.DefaultSettings(), "bot": domain.DefaultBot()})
	if err != nil {
		t.Fatal(err)
	}
	out := maps.Clone(files)
	out["settings.json"], out["logo.png"] = settings, logo
	return out
}

func withLogoServices(services map[string]string) map[string]string {
	out := maps.Clone(services)
	out["settings.json"], out["logo.png"] = "tenant", "tenant"
	return out
}
