package app

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/tenant/internal/domain"
	"github.com/parley-chat/parley/services/tenant/internal/store"
)

// Export timings.
const (
	PartTimeout      = 10 * time.Minute   // how long a service may take to write its part
	DownloadTokenTTL = 10 * time.Minute   // a download link's life
	ArchiveTTL       = 7 * 24 * time.Hour // a finished archive's life
	exportsShown     = 100                // the newest exports a list shows
	exportsPath      = "/settings/data"   // the dashboard page of exports
)

// Reasons an archive was deleted before anyone asked.
const (
	reasonExpired       = "the archive was deleted 7 days after it was made; request a new export"
	reasonErased        = "a visitor was erased after this export was made; request a new one"
	reasonErasedRunning = "a visitor was erased while this export ran; request a new one"
)

// exportParts are the other services' parts, in archive order.
var exportParts = []struct {
	service string
	ep      contracts.Endpoint[contracts.ExportPartRequest, contracts.ExportPart]
}{
	{contracts.ServiceIdentity, contracts.IdentityExportPart},
	{contracts.ServiceConversation, contracts.ConversationExportPart},
	{contracts.ServiceBilling, contracts.BillingExportPart},
	{contracts.ServiceNotify, contracts.NotifyExportPart},
}

// ExportCreate queues an export of the caller's workspace (owners and admins).
func (a *App) ExportCreate(ctx context.Context, r contracts.PrincipalRequest) (contracts.Export, error) {
	if !r.Principal.Role.CanAdminister() {
		return contracts.Export{}, apperr.New(apperr.Forbidden, "only owners and admins can export the workspace")
	}
	e := store.Export{ID: ids.New(), RequestedBy: r.Principal.UserID, CreatedAt: a.now()}
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		if _, err := tx.Get(); err != nil {
			return err
		}
		if err := tx.CreateExport(&e); err != nil {
			return err
		}
		return audit(tx, r.Principal.AuditActor(), contracts.AuditExportRequested, "export", e.ID, nil, nil)
	})
	if err != nil {
		return contracts.Export{}, err
	}
	a.Wake()
	return e.Contract(), nil
}

// ExportList lists the caller's exports, newest first (owners and admins).
func (a *App) ExportList(ctx context.Context, r contracts.PrincipalRequest) (contracts.ExportList, error) {
	if !r.Principal.Role.CanAdminister() {
		return contracts.ExportList{}, apperr.New(apperr.Forbidden, "only owners and admins can see exports")
	}
	out := contracts.ExportList{Exports: []contracts.Export{}}
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		rows, err := tx.Exports(exportsShown)
		for _, e := range rows {
			out.Exports = append(out.Exports, e.Contract())
		}
		return err
	})
	return out, err
}

// ExportGet returns one export; a done one comes with a fresh single-use
// download link, valid DownloadTokenTTL, bound to this tenant and export.
// Only the token's hash is stored.
func (a *App) ExportGet(ctx context.Context, r contracts.IDRequest) (contracts.Export, error) {
	if !r.Principal.Role.CanAdminister() {
		return contracts.Export{}, apperr.New(apperr.Forbidden, "only owners and admins can see exports")
	}
	if !ids.Valid(r.ID) {
		return contracts.Export{}, apperr.NotFoundf("export not found")
	}
	var out contracts.Export
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		e, err := tx.Export(r.ID)
		if err != nil {
			return err
		}
		out = e.Contract()
		if e.Status != contracts.JobDone {
			return nil
		}
		token := newToken()
		if err := tx.SaveDownloadToken(hashToken(token), e.ID, r.Principal.UserID, r.Principal.Name, a.now().Add(DownloadTokenTTL)); err != nil {
			return err
		}
		out.DownloadURL = "/api/v1/exports/" + e.ID + "/download?token=" + token
		return nil
	})
	return out, err
}

// ExportDownload redeems a download token: the gateway then streams the
// archive. A bad, used or expired token, or one of another export, is NotFound.
func (a *App) ExportDownload(ctx context.Context, r contracts.ExportDownloadRequest) (contracts.ExportDownload, error) {
	if !ids.Valid(r.ExportID) || r.Token == "" {
		return contracts.ExportDownload{}, apperr.NotFoundf("export not found")
	}
	red, err := a.store.RedeemDownloadToken(ctx, hashToken(r.Token), r.ExportID, a.now())
	if err != nil {
		return contracts.ExportDownload{}, err
	}
	var out contracts.ExportDownload
	err = a.store.Tenant(ctx, red.TenantID, func(tx *store.Tx) error {
		t, err := tx.Get()
		if err != nil {
			return err
		}
		e, err := tx.Export(r.ExportID)
		if err != nil {
			return err
		}
		if e.Status != contracts.JobDone || e.CompletedAt == nil {
			return apperr.NotFoundf("this export's archive is no longer available")
		}
		out = contracts.ExportDownload{
			TenantID: red.TenantID, ExportID: e.ID, Object: contracts.ExportArchiveObject(red.TenantID, e.ID),
			FileName:  fmt.Sprintf("parley-export-%s-%s.zip", t.Slug, e.CompletedAt.UTC().Format("20060102")),
			SizeBytes: e.SizeBytes,
		}
		// The link's token is the credential: the member who minted it
		// downloads, from wherever the link was opened.
		by := contracts.AuditActor{Type: "member", ID: red.MintedBy, Name: red.MintedName, IP: r.IP}
		return audit(tx, by, contracts.AuditExportDownloaded, "export", e.ID, nil, nil)
	})
	return out, err
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// archiveFile is one file on its way into an archive.
type archiveFile struct {
	contracts.ExportFile
	service string
}

// runExport builds one archive: the other services' parts, tenant's own,
// then the zip streamed into the Object Store with manifest.json last.
// Progress: 0.1 per part, 0.5 once tenant's own is written, then the zip
// up to 1. The parts are deleted however it ends.
func (a *App) runExport(ctx context.Context, j *job) {
	var files []archiveFile
	defer func() {
		// Cleanup runs even when ctx ended (shutdown, lost lease).
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		for _, f := range files {
			if err := a.deleteObject(cctx, f.Object); err != nil {
				a.log.Warn("delete export part", "object", f.Object, "err", err)
			}
		}
	}()
	var t store.Tenant
	var e store.Export
	err := a.store.Tenant(ctx, j.TenantID, func(tx *store.Tx) (err error) {
		if t, err = tx.Get(); err != nil {
			return err
		}
		e, err = tx.Export(j.ID)
		return err
	})
	if err != nil {
		a.finishExport(ctx, j, store.JobEnd{Status: contracts.JobFailed, Error: a.jobError("the export could not start", err)})
		return
	}
	if j.Attempts > maxAttempts {
		a.finishExport(ctx, j, store.JobEnd{Status: contracts.JobFailed, Error: "the export was interrupted too many times; request a new one"})
		return
	}
	j.setProgress(ctx, 0)
	for i, p := range exportParts {
		prefix := contracts.ExportPartPrefix(j.TenantID, j.ID, p.service)
		pctx, cancel := context.WithTimeout(ctx, PartTimeout)
		part, err := natsx.Call(pctx, a.data.NC, p.ep, contracts.ExportPartRequest{TenantID: j.TenantID, ExportID: j.ID, Prefix: prefix})
		cancel()
		if err == nil {
			err = checkPart(part, prefix)
		}
		for _, f := range part.Files {
			if strings.HasPrefix(f.Object, prefix) {
				files = append(files, archiveFile{f, p.service})
			}
		}
		if err != nil {
			a.failExport(ctx, j, "the "+p.service+" service could not write its part", err)
			return
		}
		j.setProgress(ctx, 0.1*float64(i+1))
	}
	own, err := a.writeOwnPart(ctx, j.TenantID, j.ID)
	for _, f := range own {
		files = append(files, archiveFile{f, contracts.ServiceTenant})
	}
	if err != nil {
		a.failExport(ctx, j, "the tenant part could not be written", err)
		return
	}
	if err := uniqueNames(files); err != nil {
		a.failExportWith(ctx, j, err.Error())
		return
	}
	j.setProgress(ctx, 0.5)
	m := contracts.Manifest{
		Format: contracts.ExportFormat, FormatVersion: contracts.ExportFormatVersion,
		Tenant:   contracts.ManifestTenant{ID: t.ID, Name: t.Name, Slug: t.Slug},
		ExportID: e.ID, CreatedAt: e.CreatedAt.UTC(),
	}
	size, err := a.writeArchive(ctx, j, &m, files)
	if err != nil {
		a.failExport(ctx, j, "the archive could not be written", err)
		return
	}
	now := a.now()
	expires := now.Add(ArchiveTTL)
	counts := map[string]int64{}
	for _, f := range m.Files {
		counts[f.Name] = f.Count
	}
	a.finishExport(ctx, j, store.JobEnd{Status: contracts.JobDone, SizeBytes: size, Counts: counts, CompletedAt: now, ExpiresAt: &expires})
}

// checkPart refuses a part whose files lie outside its prefix or whose
// names are not plain file names.
func checkPart(p contracts.ExportPart, prefix string) error {
	for _, f := range p.Files {
		if !strings.HasPrefix(f.Object, prefix) || !plainName(f.Name) {
			return apperr.New(apperr.Internal, "the part names a file %q outside its place", f.Name)
		}
	}
	return nil
}

// plainName is a file name at the archive's root.
func plainName(n string) bool {
	return n != "" && n != "." && n != ".." && n != manifestName && !strings.ContainsAny(n, `/\`) && path.Clean(n) == n
}

const manifestName = "manifest.json"

func uniqueNames(files []archiveFile) error {
	seen := map[string]string{}
	for _, f := range files {
		if other, ok := seen[f.Name]; ok {
			return fmt.Errorf("two services (%s and %s) wrote %s", other, f.service, f.Name)
		}
		seen[f.Name] = f.service
	}
	return nil
}

// failExport ends the job failed; what says which step, err why.
func (a *App) failExport(ctx context.Context, j *job, what string, err error) {
	if j.stopping() {
		return // the service stops: the job is taken up again
	}
	a.finishExport(ctx, j, store.JobEnd{Status: contracts.JobFailed, Error: a.jobError(what, err), CompletedAt: a.now()})
}

// failExportWith ends the job failed with a message of its own.
func (a *App) failExportWith(ctx context.Context, j *job, msg string) {
	a.finishExport(ctx, j, store.JobEnd{Status: contracts.JobFailed, Error: msg, CompletedAt: a.now()})
}

// finishExport records the end and emits TenantExportCompleted with it. A
// lost lease means the job was ended under us (an erasure failed it, the
// tenant was deleted): the archive written is then deleted; if another
// runner holds it now, its archive is left alone.
func (a *App) finishExport(ctx context.Context, j *job, end store.JobEnd) {
	if j.stopping() {
		return
	}
	ctx = context.WithoutCancel(ctx) // a lost lease ended ctx: finish anyway
	if end.CompletedAt.IsZero() {
		end.CompletedAt = a.now()
	}
	archive := contracts.ExportArchiveObject(j.TenantID, j.ID)
	err := a.store.Tenant(ctx, j.TenantID, func(tx *store.Tx) error {
		if err := tx.FinishJob(store.ExportJobs, j.ID, a.data.Runner, end); err != nil {
			return err
		}
		e, err := tx.Export(j.ID)
		if err != nil {
			return err
		}
		return tx.Emit(contracts.TenantExportCompleted, contracts.ExportCompleted{
			ExportID: j.ID, RequestedBy: e.RequestedBy, Status: end.Status, SizeBytes: end.SizeBytes, ExpiresAt: end.ExpiresAt, Path: exportsPath,
		})
	})
	if errors.Is(err, store.ErrLeaseLost) {
		var e store.Export
		rerr := a.store.Tenant(ctx, j.TenantID, func(tx *store.Tx) (err error) { e, err = tx.Export(j.ID); return err })
		if apperr.Is(rerr, apperr.NotFound) || rerr == nil && e.Status != contracts.JobRunning {
			err = a.deleteObject(ctx, archive)
		}
	} else if err == nil && end.Status != contracts.JobDone {
		err = a.deleteObject(ctx, archive)
	}
	if err != nil && ctx.Err() == nil {
		a.log.Warn("finish export", "export", j.ID, "err", err)
	}
}

// writeArchive streams the zip into the Object Store: each part is copied
// into its entry through a SHA-256 and a byte count, and manifest.json,
// written last, lists them. Nothing is held whole in memory.
func (a *App) writeArchive(ctx context.Context, j *job, m *contracts.Manifest, files []archiveFile) (int64, error) {
	pr, pw := io.Pipe()
	zipped := make(chan error, 1)
	go func() {
		err := a.zipFiles(ctx, j, pw, m, files)
		pw.CloseWithError(err)
		zipped <- err
	}()
	info, err := a.data.Objects.Put(ctx, jetstream.ObjectMeta{Name: contracts.ExportArchiveObject(j.TenantID, j.ID)}, pr)
	pr.CloseWithError(errors.New("archive upload stopped")) // unblocks the zip writer if Put gave up
	if zerr := <-zipped; zerr != nil {
		return 0, zerr
	}
	if err != nil {
		return 0, err
	}
	return int64(info.Size), nil
}

func (a *App) zipFiles(ctx context.Context, j *job, w io.Writer, m *contracts.Manifest, files []archiveFile) error {
	zw := zip.NewWriter(w)
	modified := a.now()
	for i, f := range files {
		entry, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return err
		}
		obj, err := a.data.Objects.Get(ctx, f.Object)
		if err != nil {
			return fmt.Errorf("read %s: %w", f.Object, err)
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(entry, h), obj)
		_ = obj.Close()
		if err != nil {
			return fmt.Errorf("copy %s: %w", f.Name, err)
		}
		m.Files = append(m.Files, contracts.ManifestFile{Name: f.Name, Service: f.service, Count: f.Count, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		j.setProgress(ctx, 0.5+0.45*float64(i+1)/float64(len(files)))
	}
	entry, err := zw.CreateHeader(&zip.FileHeader{Name: manifestName, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(entry)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return err
	}
	return zw.Close()
}

// SettingsFile is settings.json, tenant's part of an archive (see doc.go).
type SettingsFile struct {
	Tenant   SettingsTenant      `json:"tenant"`
	Settings contracts.Settings  `json:"settings"`
	Bot      contracts.BotConfig `json:"bot"`
}

// SettingsTenant is the workspace in settings.json.
type SettingsTenant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Slug      string    `json:"slug"`
	CreatedAt time.Time `json:"created_at"`
}

// Tenant's own files.
const (
	settingsFile = "settings.json"
	cannedFile   = "canned_responses.jsonl"
	auditFile    = "audit_log.jsonl"
)

// auditBatch is how many audit entries one read of the export takes.
const auditBatch = 500

// writeOwnPart writes settings.json, canned_responses.jsonl, the logo
// (logo.png or logo.jpg, if there is one) and audit_log.jsonl as objects
// under tenant's part prefix.
func (a *App) writeOwnPart(ctx context.Context, tenantID, exportID string) ([]contracts.ExportFile, error) {
	prefix := contracts.ExportPartPrefix(tenantID, exportID, contracts.ServiceTenant)
	var doc SettingsFile
	var canned []contracts.CannedResponse
	err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		t, err := tx.Get()
		if err != nil {
			return err
		}
		doc.Tenant = SettingsTenant{ID: t.ID, Name: t.Name, Slug: t.Slug, CreatedAt: t.CreatedAt.UTC()}
		if doc.Settings, _, err = tx.Settings(); err != nil {
			return err
		}
		doc.Bot = domain.DefaultBot()
		if b, ok, err := tx.Bot(); err != nil {
			return err
		} else if ok {
			doc.Bot = b
		}
		doc.Bot = domain.Masked(doc.Bot) // no webhook secret leaves Parley
		canned, err = tx.CannedResponses()
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []contracts.ExportFile
	put := func(name string, write func(enc *json.Encoder) (int64, error)) error {
		f := contracts.ExportFile{Name: name, Object: prefix + name}
		var err error
		f.Count, err = a.putStream(ctx, f.Object, write)
		if err == nil {
			out = append(out, f)
		}
		return err
	}
	if err := put(settingsFile, func(enc *json.Encoder) (int64, error) { enc.SetIndent("", "  "); return 1, enc.Encode(doc) }); err != nil {
		return out, err
	}
	if err := put(cannedFile, func(enc *json.Encoder) (int64, error) {
		for _, c := range canned {
			if err := enc.Encode(c); err != nil {
				return 0, err
			}
		}
		return int64(len(canned)), nil
	}); err != nil {
		return out, err
	}
	if id := LogoID(doc.Settings.Widget.LogoURL); id != "" {
		f, err := a.exportLogo(ctx, prefix, id)
		if err != nil {
			return out, err
		}
		if f != nil {
			out = append(out, *f)
		}
	}
	err = put(auditFile, func(enc *json.Encoder) (int64, error) {
		var n int64
		var after time.Time
		var afterID string
		for {
			var batch []contracts.AuditEntry
			err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) { batch, err = tx.AuditBatch(after, afterID, auditBatch); return err })
			if err != nil {
				return n, err
			}
			for _, e := range batch {
				if err := enc.Encode(e); err != nil {
					return n, err
				}
			}
			n += int64(len(batch))
			if len(batch) < auditBatch {
				return n, nil
			}
			last := batch[len(batch)-1]
			after, afterID = last.OccurredAt, last.ID
		}
	})
	return out, err
}

// putStream writes an object from a JSON encoder through a pipe.
func (a *App) putStream(ctx context.Context, name string, write func(enc *json.Encoder) (int64, error)) (int64, error) {
	pr, pw := io.Pipe()
	var n int64
	written := make(chan error, 1)
	go func() {
		var err error
		n, err = write(json.NewEncoder(pw))
		pw.CloseWithError(err)
		written <- err
	}()
	_, err := a.data.Objects.Put(ctx, jetstream.ObjectMeta{Name: name}, pr)
	pr.CloseWithError(errors.New("upload stopped"))
	if werr := <-written; werr != nil {
		return 0, werr
	}
	return n, err
}

// SweepExports deletes archives past their expiry and tokens nobody used.
func (a *App) SweepExports(ctx context.Context, now time.Time) error {
	due, err := a.store.DueExports(ctx, now)
	if err != nil {
		return err
	}
	for _, d := range due {
		if err := a.deleteObject(ctx, contracts.ExportArchiveObject(d.TenantID, d.ID)); err != nil {
			return err
		}
		if err := a.store.Tenant(ctx, d.TenantID, func(tx *store.Tx) error { return tx.ExpireExports([]string{d.ID}, reasonExpired) }); err != nil {
			return err
		}
	}
	return a.store.DeleteExpiredTokens(ctx, now)
}

// VisitorErased makes every archive of the tenant stale: done exports
// expire and their archives are deleted, running ones fail (their runner
// deletes what it wrote, and the requester is told), so no archive keeps an
// erased visitor. Objects are deleted after the rows change; a redelivery
// deletes them again.
func (a *App) VisitorErased(ctx context.Context, tenantID string) error {
	var all []store.Export
	err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if all, err = tx.Exports(-1); err != nil {
			return err
		}
		var done []string
		for _, e := range all {
			switch e.Status {
			case contracts.JobDone:
				done = append(done, e.ID)
			case contracts.JobRunning:
				err := tx.Emit(contracts.TenantExportCompleted, contracts.ExportCompleted{
					ExportID: e.ID, RequestedBy: e.RequestedBy, Status: contracts.JobFailed, Path: exportsPath,
				})
				if err != nil {
					return err
				}
			}
		}
		if err := tx.ExpireExports(done, reasonErased); err != nil {
			return err
		}
		return tx.FailRunningExports(reasonErasedRunning, a.now())
	})
	if err != nil {
		return err
	}
	for _, e := range all {
		if e.Status != contracts.JobQueued {
			if err := a.deleteObject(ctx, contracts.ExportArchiveObject(tenantID, e.ID)); err != nil {
				return err
			}
		}
	}
	return nil
}
