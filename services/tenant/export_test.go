package tenant_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/testkit"
)

func ptr[T any](v T) *T { return &v }

// tokenOf takes the token out of a download link.
func tokenOf(t *testing.T, e contracts.Export) string {
	t.Helper()
	u, err := url.Parse(e.DownloadURL)
	if err != nil || u.Path != "/api/v1/exports/"+e.ID+"/download" || u.Query().Get("token") == "" {
		t.Fatalf("download_url %q", e.DownloadURL)
	}
	return u.Query().Get("token")
}

func TestExportArchive(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		p := r.workspace("Acme Bikes")
		call(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: p, RetentionDays: ptr(30), OfflineMessage: ptr("Back soon")})
		canned := call(t, r.nc, contracts.TenantCannedWrite, contracts.CannedWriteRequest{Principal: p, Shortcut: ptr("hi"), Body: ptr("Hello there!")})
		secret := call(t, r.nc, contracts.TenantSecretReveal, contracts.PrincipalRequest{Principal: p}).Secret
		// The audit entries of those changes are in the log before the export runs.
		testkit.Eventually(t, 10*time.Second, func() error {
			page := call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: p})
			if len(page.Entries) < 3 {
				return fmt.Errorf("%d audit entries", len(page.Entries))
			}
			return nil
		})

		// While the conversation part is held up, the export runs and a second is refused.
		r.fakes.block()
		e := call(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: p})
		if e.Status != contracts.JobQueued || e.Progress != 0 || e.RequestedBy != p.UserID {
			t.Fatalf("created %+v", e)
		}
		refused(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: p}, apperr.Conflict, "")
		testkit.Eventually(t, 10*time.Second, func() error {
			got := call(t, r.nc, contracts.TenantExportGet, contracts.IDRequest{Principal: p, ID: e.ID})
			if got.Status != contracts.JobRunning || got.Progress <= 0 || got.DownloadURL != "" {
				return fmt.Errorf("export %+v", got)
			}
			return nil
		})
		r.fakes.release()
		done := r.waitExport(p, e.ID, contracts.JobDone)
		if done.Progress != 1 || done.SizeBytes <= 0 || done.ExpiresAt == nil || done.CompletedAt == nil ||
			done.ExpiresAt.Sub(*done.CompletedAt) != 7*24*time.Hour {
			t.Fatalf("done %+v", done)
		}
		if done.Counts["messages.jsonl"] != 1 || done.Counts["conversations.jsonl"] != 2 || done.Counts["canned_responses.jsonl"] != 1 || done.Counts["settings.json"] != 1 {
			t.Fatalf("counts %v", done.Counts)
		}
		list := call(t, r.nc, contracts.TenantExportList, contracts.PrincipalRequest{Principal: p})
		if len(list.Exports) != 1 || list.Exports[0].ID != e.ID || list.Exports[0].DownloadURL != "" {
			t.Fatalf("list %+v", list)
		}

		dl := call(t, r.nc, contracts.TenantExportDownload, contracts.ExportDownloadRequest{ExportID: e.ID, Token: tokenOf(t, done)})
		today := done.CompletedAt.UTC().Format("20060102")
		if dl.TenantID != p.TenantID || dl.Object != contracts.ExportArchiveObject(p.TenantID, e.ID) ||
			dl.FileName != "parley-export-acme-bikes-"+today+".zip" || dl.SizeBytes != done.SizeBytes {
			t.Fatalf("download %+v", dl)
		}
		raw := r.object(dl.Object)
		if int64(len(raw)) != done.SizeBytes {
			t.Fatalf("archive is %d bytes, export says %d", len(raw), done.SizeBytes)
		}
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatal("the archive holds the identity secret")
		}
		files := unzip(t, raw)
		var m contracts.Manifest
		if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
			t.Fatal(err)
		}
		if m.Format != contracts.ExportFormat || m.FormatVersion != contracts.ExportFormatVersion || m.ExportID != e.ID ||
			m.Tenant.ID != p.TenantID || m.Tenant.Name != "Acme Bikes" || m.Tenant.Slug != "acme-bikes" {
			t.Fatalf("manifest %+v", m)
		}
		want := map[string]string{
			"members.jsonl": "identity", "conversations.jsonl": "conversation", "messages.jsonl": "conversation",
			"billing.json": "billing", "email_preferences.jsonl": "notify",
			"settings.json": "tenant", "canned_responses.jsonl": "tenant", "audit_log.jsonl": "tenant",
		}
		if len(m.Files) != len(want) || len(files) != len(want)+1 {
			t.Fatalf("manifest lists %d files, archive has %d: %v", len(m.Files), len(files), m.Files)
		}
		for _, f := range m.Files {
			body, ok := files[f.Name]
			sum := sha256.Sum256(body)
			if !ok || want[f.Name] != f.Service || f.Bytes != int64(len(body)) || f.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("manifest entry %+v does not match the file (%d bytes)", f, len(body))
			}
		}
		var settings struct {
			Tenant   map[string]any     `json:"tenant"`
			Settings contracts.Settings `json:"settings"`
			Bot      contracts.BotConfig
		}
		if err := json.Unmarshal(files["settings.json"], &settings); err != nil {
			t.Fatal(err)
		}
		if settings.Tenant["id"] != p.TenantID || settings.Settings.RetentionDays != 30 || settings.Settings.OfflineMessage != "Back soon" {
			t.Fatalf("settings.json %s", files["settings.json"])
		}
		var c contracts.CannedResponse
		if err := json.Unmarshal(files["canned_responses.jsonl"], &c); err != nil || c.ID != canned.ID || c.Body != "Hello there!" {
			t.Fatalf("canned_responses.jsonl %s", files["canned_responses.jsonl"])
		}
		for _, action := range []string{contracts.AuditSettingsUpdated, contracts.AuditCannedCreated, contracts.AuditSecretRevealed} {
			if !bytes.Contains(files["audit_log.jsonl"], []byte(`"action":"`+action+`"`)) {
				t.Errorf("audit_log.jsonl lacks %s:\n%s", action, files["audit_log.jsonl"])
			}
		}
		// The parts go once the archive is done (the runner's cleanup); the
		// export's completion was announced.
		testkit.Eventually(t, 10*time.Second, func() error {
			for _, f := range []string{"identity/members.jsonl", "conversation/messages.jsonl", "tenant/settings.json"} {
				svc, name, _ := strings.Cut(f, "/")
				if err := r.gone(contracts.ExportPartPrefix(p.TenantID, e.ID, svc) + name); err != nil {
					return err
				}
			}
			return nil
		})
		r.waitEvent(contracts.TenantExportCompleted.Subject(p.TenantID), `"status":"done"`)
		testkit.Eventually(t, 10*time.Second, func() error {
			page := call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: p, Action: "export."})
			if len(page.Entries) != 2 || page.Entries[0].Action != contracts.AuditExportDownloaded || page.Entries[1].Actor.IP != p.IP {
				return fmt.Errorf("export audit %+v", page.Entries)
			}
			return nil
		})
	})
}

func TestExportDownloadTokens(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		p := r.workspace("Tokens")
		other := r.workspace("Other")
		e := call(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: p})
		done := r.waitExport(p, e.ID, contracts.JobDone)
		tok := tokenOf(t, done)

		// Another tenant's member cannot see it or mint a link.
		refused(t, r.nc, contracts.TenantExportGet, contracts.IDRequest{Principal: other, ID: e.ID}, apperr.NotFound, "")
		agent := p
		agent.Role = contracts.RoleAgent
		refused(t, r.nc, contracts.TenantExportGet, contracts.IDRequest{Principal: agent, ID: e.ID}, apperr.Forbidden, "")
		refused(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: agent}, apperr.Forbidden, "")

		// A token works for its own export only, once.
		oe := call(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: other})
		r.waitExport(other, oe.ID, contracts.JobDone)
		refused(t, r.nc, contracts.TenantExportDownload, contracts.ExportDownloadRequest{ExportID: oe.ID, Token: tok}, apperr.NotFound, "")
		refused(t, r.nc, contracts.TenantExportDownload, contracts.ExportDownloadRequest{ExportID: e.ID, Token: "nope"}, apperr.NotFound, "")
		refused(t, r.nc, contracts.TenantExportDownload, contracts.ExportDownloadRequest{ExportID: "bad", Token: tok}, apperr.NotFound, "")
		call(t, r.nc, contracts.TenantExportDownload, contracts.ExportDownloadRequest{ExportID: e.ID, Token: tok})
		refused(t, r.nc, contracts.TenantExportDownload, contracts.ExportDownloadRequest{ExportID: e.ID, Token: tok}, apperr.NotFound, "")

		// Each GET mints a new one, valid ten minutes.
		fresh := tokenOf(t, call(t, r.nc, contracts.TenantExportGet, contracts.IDRequest{Principal: p, ID: e.ID}))
		r.clock.Advance(11 * time.Minute)
		refused(t, r.nc, contracts.TenantExportDownload, contracts.ExportDownloadRequest{ExportID: e.ID, Token: fresh}, apperr.NotFound, "")

		// After seven days the archive is swept.
		r.clock.Advance(7 * 24 * time.Hour)
		expired := r.waitExport(p, e.ID, contracts.JobExpired)
		if expired.DownloadURL != "" || expired.Error == "" {
			t.Fatalf("expired %+v", expired)
		}
		testkit.Eventually(t, 5*time.Second, func() error { return r.gone(contracts.ExportArchiveObject(p.TenantID, e.ID)) })
	})
}

func TestExportVisitorErasedExpiresArchives(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		p := r.workspace("Erasure")
		e := call(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: p})
		r.waitExport(p, e.ID, contracts.JobDone)
		r.publish(contracts.ConversationVisitorErased, p.TenantID, contracts.VisitorErased{VisitorID: ids.New(), ErasedAt: time.Now()}, nil)
		got := r.waitExport(p, e.ID, contracts.JobExpired)
		if got.Error != "a visitor was erased after this export was made; request a new one" {
			t.Fatalf("error %q", got.Error)
		}
		testkit.Eventually(t, 5*time.Second, func() error { return r.gone(contracts.ExportArchiveObject(p.TenantID, e.ID)) })

		// An export running when a visitor is erased fails, and leaves no archive.
		r.fakes.block()
		e2 := call(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: p})
		r.waitExport(p, e2.ID, contracts.JobRunning)
		r.publish(contracts.ConversationVisitorErased, p.TenantID, contracts.VisitorErased{VisitorID: ids.New(), ErasedAt: time.Now()}, nil)
		failed := r.waitExport(p, e2.ID, contracts.JobFailed)
		r.fakes.release()
		if failed.Error != "a visitor was erased while this export ran; request a new one" {
			t.Fatalf("error %q", failed.Error)
		}
		// A new export is allowed at once and completes.
		e3 := call(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: p})
		r.waitExport(p, e3.ID, contracts.JobDone)
		if got := call(t, r.nc, contracts.TenantExportGet, contracts.IDRequest{Principal: p, ID: e2.ID}); got.Status != contracts.JobFailed {
			t.Fatalf("the failed export became %s", got.Status)
		}
		if err := r.gone(contracts.ExportArchiveObject(p.TenantID, e2.ID)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestExportTwoRunnersNeverDoubleAJob(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		r.start(0)
		var ps []contracts.Principal
		var es []contracts.Export
		for i := range 4 {
			p := r.workspace(fmt.Sprintf("Runner %d", i))
			ps = append(ps, p)
			es = append(es, call(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: p}))
		}
		for i, e := range es {
			r.waitExport(ps[i], e.ID, contracts.JobDone)
			if n := r.fakes.conversationCalls(e.ID); n != 1 {
				t.Errorf("export %d: the conversation part was asked %d times", i, n)
			}
		}
	})
}

func TestExportCrashedRunnerIsTakenOver(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.fakes.block()
		stopA := r.start(time.Second)
		p := r.workspace("Crash")
		e := call(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: p})
		testkit.Eventually(t, 10*time.Second, func() error {
			if r.fakes.conversationCalls(e.ID) != 1 {
				return errors.New("the runner has not reached the conversation part")
			}
			return nil
		})
		stopA() // the runner dies mid-job: the job stays running under its lease
		r.start(time.Second)
		running := call(t, r.nc, contracts.TenantExportGet, contracts.IDRequest{Principal: p, ID: e.ID})
		if running.Status != contracts.JobRunning {
			t.Fatalf("after the crash the export is %s", running.Status)
		}
		r.fakes.release()
		r.waitExport(p, e.ID, contracts.JobDone)
		if n := r.fakes.conversationCalls(e.ID); n != 2 {
			t.Fatalf("the conversation part was asked %d times, want 2 (the crashed run and the resumed one)", n)
		}
	})
}
