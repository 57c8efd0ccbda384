package app

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/entitlements"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/tenant/internal/domain"
	"github.com/parley-chat/parley/services/tenant/internal/store"
)

// maxManifestBytes bounds manifest.json; maxLineBytes one JSON Lines row.
const (
	maxManifestBytes = 8 << 20
	maxLineBytes     = 16 << 20
	importsShown     = 100
	membersFile      = "members.jsonl"
)

// invalidArchive is the error of an archive that is not a valid Parley export.
type invalidArchive struct{ msg string }

func (e invalidArchive) Error() string { return e.msg }

func badArchive(format string, args ...any) error {
	return invalidArchive{fmt.Sprintf(format, args...)}
}

// ImportStart queues the import of an archive the gateway has streamed into
// the data bucket (owners only). The workspace must be empty: no canned
// responses here and no import done before (the conversation service
// refuses one with conversations when the job runs). Conflict too when an
// import is running.
func (a *App) ImportStart(ctx context.Context, r contracts.ImportStartRequest) (contracts.Import, error) {
	if r.Principal.Role != contracts.RoleOwner {
		return contracts.Import{}, apperr.New(apperr.Forbidden, "only the owner can import into the workspace")
	}
	tid := r.Principal.TenantID
	if !ids.Valid(r.ImportID) {
		return contracts.Import{}, apperr.InvalidField("import_id", "import_id must be a UUID")
	}
	if r.Object != contracts.ImportUploadObject(tid, r.ImportID) || r.SizeBytes <= 0 {
		return contracts.Import{}, apperr.InvalidField("file", "no uploaded archive for this import")
	}
	i := store.Import{ID: r.ImportID, Object: r.Object, SizeBytes: r.SizeBytes, RequestedBy: r.Principal.UserID, CreatedAt: a.now()}
	err := a.store.Tenant(ctx, tid, func(tx *store.Tx) error {
		if _, err := tx.Get(); err != nil {
			return err
		}
		if err := workspaceEmpty(tx); err != nil {
			return err
		}
		if err := tx.CreateImport(&i); err != nil {
			return err
		}
		return audit(tx, r.Principal.AuditActor(), contracts.AuditImportStarted, "import", i.ID, nil, map[string]int64{"size_bytes": i.SizeBytes})
	})
	if err != nil {
		return contracts.Import{}, err
	}
	a.Wake()
	return i.Contract(), nil
}

// member is the audit actor of a member known by id only (a job's requester).
func member(id string) contracts.AuditActor { return contracts.AuditActor{Type: "member", ID: id} }

func workspaceEmpty(tx *store.Tx) error {
	n, err := tx.CannedCount()
	if err != nil {
		return err
	}
	done, err := tx.HasImported()
	if err != nil {
		return err
	}
	if n > 0 || done {
		return apperr.New(apperr.Conflict, "an archive can only be imported into a new, empty workspace")
	}
	return nil
}

// ImportGet returns one import (owners only).
func (a *App) ImportGet(ctx context.Context, r contracts.IDRequest) (contracts.Import, error) {
	if r.Principal.Role != contracts.RoleOwner {
		return contracts.Import{}, apperr.New(apperr.Forbidden, "only the owner can see imports")
	}
	if !ids.Valid(r.ID) {
		return contracts.Import{}, apperr.NotFoundf("import not found")
	}
	var out contracts.Import
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		i, err := tx.Import(r.ID)
		out = i.Contract()
		return err
	})
	return out, err
}

// ImportList lists the caller's imports, newest first (owners only).
func (a *App) ImportList(ctx context.Context, r contracts.PrincipalRequest) (contracts.ImportList, error) {
	if r.Principal.Role != contracts.RoleOwner {
		return contracts.ImportList{}, apperr.New(apperr.Forbidden, "only the owner can see imports")
	}
	out := contracts.ImportList{Imports: []contracts.Import{}}
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		rows, err := tx.Imports(importsShown)
		for _, i := range rows {
			out.Imports = append(out.Imports, i.Contract())
		}
		return err
	})
	return out, err
}

// runImport reads an archive back: manifest and checksums first, every
// file out to its own object, then the conversation service's part, then
// tenant's own files in one transaction. Whatever happens, the upload and
// the file objects are deleted; on failure tenant has written nothing.
func (a *App) runImport(ctx context.Context, j *job) {
	var i store.Import
	if err := a.store.Tenant(ctx, j.TenantID, func(tx *store.Tx) (err error) { i, err = tx.Import(j.ID); return err }); err != nil {
		a.finishImport(ctx, j, "", nil, store.JobEnd{Status: contracts.JobFailed, Error: a.jobError("the import could not start", err)})
		return
	}
	var objects []string
	counts, err := a.importArchive(ctx, j, i, &objects)
	end := store.JobEnd{Status: contracts.JobDone, SizeBytes: i.SizeBytes, Counts: counts}
	var bad invalidArchive
	switch {
	case j.stopping():
		return
	case j.Attempts > maxAttempts:
		end = store.JobEnd{Status: contracts.JobFailed, SizeBytes: i.SizeBytes, Error: "the import was interrupted too many times"}
	case errors.As(err, &bad):
		end = store.JobEnd{Status: contracts.JobFailed, SizeBytes: i.SizeBytes, Error: "this is not a valid Parley export archive: " + bad.msg}
	case err != nil:
		end = store.JobEnd{Status: contracts.JobFailed, SizeBytes: i.SizeBytes, Error: a.jobError("the import failed", err)}
	}
	a.finishImport(ctx, j, i.RequestedBy, append(objects, i.Object), end)
}

// finishImport deletes the objects and records the end (a done import was
// recorded with tenant's rows, in importArchive's transaction).
func (a *App) finishImport(ctx context.Context, j *job, requestedBy string, objects []string, end store.JobEnd) {
	ctx = context.WithoutCancel(ctx)
	end.CompletedAt = a.now()
	for _, o := range objects {
		if err := a.deleteObject(ctx, o); err != nil {
			a.log.Warn("delete import object", "object", o, "err", err)
		}
	}
	if end.Status != contracts.JobDone {
		err := a.store.Tenant(ctx, j.TenantID, func(tx *store.Tx) error {
			if err := tx.FinishJob(store.ImportJobs, j.ID, a.data.Runner, end); err != nil {
				return err
			}
			return audit(tx, member(requestedBy), contracts.AuditImportFinished, "import", j.ID, nil, map[string]string{"status": end.Status, "error": end.Error})
		})
		if err != nil {
			a.log.Warn("finish import", "import", j.ID, "err", err)
		}
	}
}

// importArchive does the work of runImport and, when all went well, commits
// tenant's rows with the job's end. objects collects what it put.
func (a *App) importArchive(ctx context.Context, j *job, imp store.Import, objects *[]string) (map[string]int64, error) {
	if j.Attempts > maxAttempts {
		return nil, errors.New("too many attempts")
	}
	if err := a.store.Tenant(ctx, j.TenantID, func(tx *store.Tx) error { return workspaceEmpty(tx) }); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(a.data.TempDir, "parley-import-*.zip")
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close(); _ = os.Remove(f.Name()) }()
	obj, err := a.data.Objects.Get(ctx, imp.Object)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, badArchive("the upload is missing")
	}
	if err != nil {
		return nil, err
	}
	size, err := io.Copy(f, obj)
	_ = obj.Close()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, badArchive("the file is not a zip archive")
	}
	m, entries, err := readManifest(zr)
	if err != nil {
		return nil, err
	}
	j.setProgress(ctx, 0.1)
	files := map[string]string{} // conversation's files: name → object
	for n, mf := range m.Files {
		name := contracts.ImportFileObject(j.TenantID, j.ID, mf.Name)
		*objects = append(*objects, name)
		if err := a.extract(ctx, entries[mf.Name], mf, name); err != nil {
			return nil, err
		}
		if mf.Service == contracts.ServiceConversation {
			files[mf.Name] = name
		}
		j.setProgress(ctx, 0.1+0.4*float64(n+1)/float64(len(m.Files)))
	}
	own, err := readOwnFiles(entries, a.allowHTTP)
	if err != nil {
		return nil, err
	}
	if own.settings != nil {
		if own.settings.Bot.Skills, err = a.planSkills(ctx, j.TenantID, own.settings.Bot.Skills); err != nil {
			return nil, err
		}
	}
	members, err := a.memberMap(ctx, j.TenantID, imp.RequestedBy, entries[membersFile])
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, PartTimeout)
	part, err := natsx.Call(pctx, a.data.NC, contracts.ConversationImportPart, contracts.ImportPartRequest{
		TenantID: j.TenantID, ImportID: j.ID, Files: files, MemberMap: members,
	})
	cancel()
	if err != nil {
		return nil, fmt.Errorf("the conversation service refused the import: %w", err)
	}
	j.setProgress(ctx, 0.9)
	counts := part.Counts
	if counts == nil {
		counts = map[string]int64{}
	}
	var logo, replaced string
	if own.settings != nil && own.logo != nil {
		if logo, err = a.importLogo(ctx, own.logo); err != nil {
			return nil, err
		}
		own.settings.Settings.Widget.LogoURL = contracts.LogoPath(logo)
		counts[own.logo.Name] = 1
	}
	err = a.store.Tenant(ctx, j.TenantID, func(tx *store.Tx) error {
		var err error
		if replaced, err = own.save(tx, counts); err != nil {
			return err
		}
		end := store.JobEnd{Status: contracts.JobDone, SizeBytes: imp.SizeBytes, Counts: counts, CompletedAt: a.now()}
		if err := tx.FinishJob(store.ImportJobs, j.ID, a.data.Runner, end); err != nil {
			return err
		}
		return audit(tx, member(imp.RequestedBy), contracts.AuditImportFinished, "import", j.ID, nil, map[string]any{"status": contracts.JobDone, "counts": counts})
	})
	switch {
	case err != nil && logo != "":
		a.dropObject(ctx, a.logos.Logos, logo)
	case err == nil && replaced != "":
		a.dropObject(ctx, a.logos.Logos, replaced)
	}
	return counts, err
}

// readManifest checks manifest.json and that the archive holds exactly the
// files it lists, each a plain name of a known service.
func readManifest(zr *zip.Reader) (contracts.Manifest, map[string]*zip.File, error) {
	var m contracts.Manifest
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		if _, dup := entries[f.Name]; dup {
			return m, nil, badArchive("%s is in it twice", f.Name)
		}
		entries[f.Name] = f
	}
	mf, ok := entries[manifestName]
	if !ok {
		return m, nil, badArchive("it has no manifest.json")
	}
	r, err := mf.Open()
	if err != nil {
		return m, nil, badArchive("manifest.json cannot be read")
	}
	defer r.Close()
	raw, err := io.ReadAll(io.LimitReader(r, maxManifestBytes+1))
	if err != nil || len(raw) > maxManifestBytes || json.Unmarshal(raw, &m) != nil {
		return m, nil, badArchive("manifest.json is not valid")
	}
	if m.Format != contracts.ExportFormat {
		return m, nil, badArchive("manifest.json names the format %q", m.Format)
	}
	if m.FormatVersion != contracts.ExportFormatVersion {
		return m, nil, badArchive("its format version %d is not supported (this Parley reads version %d)", m.FormatVersion, contracts.ExportFormatVersion)
	}
	listed := map[string]bool{manifestName: true}
	for _, f := range m.Files {
		switch {
		case !plainName(f.Name):
			return m, nil, badArchive("the manifest lists a file named %q", f.Name)
		case listed[f.Name]:
			return m, nil, badArchive("the manifest lists %s twice", f.Name)
		case !slices.Contains(contracts.Services, f.Service):
			return m, nil, badArchive("%s belongs to an unknown service %q", f.Name, f.Service)
		case entries[f.Name] == nil:
			return m, nil, badArchive("%s is listed in the manifest but missing", f.Name)
		}
		listed[f.Name] = true
	}
	for name := range entries {
		if !listed[name] {
			return m, nil, badArchive("%s is not listed in the manifest", name)
		}
	}
	return m, entries, nil
}

// extract copies one archive file to its object, checking its size and
// SHA-256 against the manifest on the way.
func (a *App) extract(ctx context.Context, zf *zip.File, mf contracts.ManifestFile, object string) error {
	r, err := zf.Open()
	if err != nil {
		return badArchive("%s cannot be read", mf.Name)
	}
	defer r.Close()
	h := sha256.New()
	// Never more than the manifest says (a zip bomb stops there): one byte
	// over is enough to see the mismatch.
	cr := &countingReader{r: io.TeeReader(io.LimitReader(r, mf.Bytes+1), h)}
	if _, err := a.data.Objects.Put(ctx, jetstream.ObjectMeta{Name: object}, cr); err != nil {
		if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) {
			return badArchive("%s is damaged", mf.Name)
		}
		return err
	}
	if cr.n != mf.Bytes || hex.EncodeToString(h.Sum(nil)) != strings.ToLower(mf.SHA256) {
		return badArchive("%s does not match its SHA-256 in the manifest (damaged or changed)", mf.Name)
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// eachLine calls fn with every non-empty line of a JSON Lines file.
func eachLine(zf *zip.File, fn func(line []byte) error) error {
	r, err := zf.Open()
	if err != nil {
		return badArchive("%s cannot be read", zf.Name)
	}
	defer r.Close()
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), maxLineBytes)
	for s.Scan() {
		if line := bytes.TrimSpace(s.Bytes()); len(line) > 0 {
			if err := fn(line); err != nil {
				return err
			}
		}
	}
	if s.Err() != nil {
		return badArchive("%s cannot be read", zf.Name)
	}
	return nil
}

// memberMap maps the old workspace's member ids to this one's by email:
// members.jsonl against the importer's team.
func (a *App) memberMap(ctx context.Context, tenantID, owner string, zf *zip.File) (map[string]string, error) {
	if zf == nil {
		return nil, nil
	}
	team, err := natsx.Call(ctx, a.data.NC, contracts.IdentityMemberList, contracts.PrincipalRequest{
		Principal: contracts.Principal{TenantID: tenantID, UserID: owner, Role: contracts.RoleOwner},
	})
	if err != nil {
		return nil, fmt.Errorf("the team could not be read: %w", err)
	}
	byEmail := map[string]string{}
	for _, m := range team.Members {
		byEmail[strings.ToLower(m.Email)] = m.ID
	}
	out := map[string]string{}
	err = eachLine(zf, func(line []byte) error {
		var m struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		}
		if json.Unmarshal(line, &m) != nil {
			return badArchive("%s has a line that is not JSON", membersFile)
		}
		if id, ok := byEmail[strings.ToLower(m.Email)]; ok && m.ID != "" {
			out[m.ID] = id
		}
		return nil
	})
	return out, err
}

// ownFiles are tenant's files of an archive, checked before anything is written.
type ownFiles struct {
	settings *SettingsFile
	canned   []contracts.CannedResponse
	audit    *zip.File // streamed into the transaction; checked line by line first
	audits   int64
	logo     *zip.File // logo.png or logo.jpg, re-encoded by importLogo
}

// readOwnFiles reads and validates settings.json, canned_responses.jsonl
// and audit_log.jsonl, each optional.
func readOwnFiles(entries map[string]*zip.File, allowHTTP bool) (ownFiles, error) {
	var own ownFiles
	if zf := entries[settingsFile]; zf != nil {
		r, err := zf.Open()
		if err != nil {
			return own, badArchive("%s cannot be read", settingsFile)
		}
		var doc SettingsFile
		err = json.NewDecoder(io.LimitReader(r, maxManifestBytes)).Decode(&doc)
		_ = r.Close()
		if err != nil {
			return own, badArchive("%s is not valid JSON", settingsFile)
		}
		s, err := checkSettings(doc.Settings)
		if err != nil {
			return own, badArchive("%s: %v", settingsFile, apperr.As(err).Message)
		}
		doc.Settings = s
		if doc.Bot, err = importedBot(doc.Bot, allowHTTP); err != nil {
			return own, badArchive("%s: the bot: %v", settingsFile, apperr.As(err).Message)
		}
		own.settings = &doc
	}
	if zf := entries[cannedFile]; zf != nil {
		shortcuts := map[string]bool{}
		err := eachLine(zf, func(line []byte) error {
			var c contracts.CannedResponse
			if json.Unmarshal(line, &c) != nil || !ids.Valid(c.ID) {
				return badArchive("%s has a line that is not a canned response", cannedFile)
			}
			var err error
			if c.Shortcut, c.Body, err = domain.CheckCanned(c.Shortcut, c.Body); err != nil {
				return badArchive("%s: %v", cannedFile, apperr.As(err).Message)
			}
			if shortcuts[c.Shortcut] {
				return badArchive("%s has the shortcut /%s twice", cannedFile, c.Shortcut)
			}
			shortcuts[c.Shortcut] = true
			own.canned = append(own.canned, c)
			return nil
		})
		if err != nil {
			return own, err
		}
	}
	for _, name := range logoFiles {
		if zf := entries[name]; zf != nil {
			if own.logo != nil {
				return own, badArchive("it holds two logos")
			}
			own.logo = zf
		}
	}
	if zf := entries[auditFile]; zf != nil {
		own.audit = zf
		err := eachLine(zf, func(line []byte) error {
			if _, err := auditLine(line); err != nil {
				return err
			}
			own.audits++
			return nil
		})
		if err != nil {
			return own, err
		}
	}
	return own, nil
}

func auditLine(line []byte) (contracts.AuditEntry, error) {
	var e contracts.AuditEntry
	if json.Unmarshal(line, &e) != nil || !ids.Valid(e.ID) || e.Action == "" || e.OccurredAt.IsZero() {
		return e, badArchive("%s has a line that is not an audit entry", auditFile)
	}
	return e, nil
}

// checkSettings validates imported settings as a settings patch would.
// An archive from before surveys or attachments has none: the default stays
// (stored attachment settings always carry a kinds list, empty or not).
func checkSettings(s contracts.Settings) (contracts.Settings, error) {
	s.Widget.LogoURL = "" // another workspace's logo object: the archive does not carry it
	patch := contracts.SettingsPatch{
		Widget: &s.Widget, AllowedDomains: &s.AllowedDomains, BusinessHours: &s.BusinessHours,
		OfflineMessage: &s.OfflineMessage, AgentOpenLimit: &s.AgentOpenLimit, RetentionDays: &s.RetentionDays,
	}
	if s.Survey != (contracts.SurveySettings{}) {
		patch.Survey = &s.Survey
	}
	if s.Attachments.Enabled || s.Attachments.Kinds != nil {
		patch.Attachments = &s.Attachments
	}
	return applyPatch(domain.DefaultSettings(), patch)
}

// planSkills keeps the skills the tenant's plan allows; the others stay
// configured, switched off, as a save would refuse them.
func (a *App) planSkills(ctx context.Context, tenantID string, skills []string) ([]string, error) {
	if len(skills) == 0 {
		return skills, nil
	}
	ent, err := a.plans(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(skills, func(s string) bool { return entitlements.Check(ent, contracts.SkillFeatures[s]) != nil }), nil
}

// importedBot validates an imported bot. Archives carry no webhook secrets,
// so the skills that need one are left configured but switched off until
// the owner enters the secret again.
func importedBot(c contracts.BotConfig, allowHTTP bool) (contracts.BotConfig, error) {
	c.Skills = slices.DeleteFunc(slices.Clone(c.Skills), func(s string) bool {
		return (s == contracts.SkillOrderStatus && c.OrderStatus.Secret == "") || (s == contracts.SkillExternal && c.External.Secret == "")
	})
	c.OrderStatus.SecretSet, c.External.SecretSet = false, false
	return domain.CheckBot(c, allowHTTP)
}

// save writes tenant's files in tx and adds their counts. The workspace
// keeps its own logo unless the archive brought one; then it returns the
// logo replaced, to delete after commit.
func (o ownFiles) save(tx *store.Tx, counts map[string]int64) (replaced string, err error) {
	if o.settings != nil {
		cur, _, err := tx.Settings()
		if err != nil {
			return "", err
		}
		if o.settings.Settings.Widget.LogoURL == "" {
			o.settings.Settings.Widget.LogoURL = cur.Widget.LogoURL
		} else if cur.Widget.LogoURL != o.settings.Settings.Widget.LogoURL {
			replaced = LogoID(cur.Widget.LogoURL)
		}
		if err := tx.SaveSettings(o.settings.Settings); err != nil {
			return "", err
		}
		t, err := tx.Get()
		if err != nil {
			return "", err
		}
		t.RetentionDays = o.settings.Settings.RetentionDays
		if err := tx.Update(&t); err != nil {
			return "", err
		}
		_, exists, err := tx.Bot()
		if err != nil {
			return "", err
		}
		if err := tx.SaveBot(o.settings.Bot, exists); err != nil {
			return "", err
		}
		if err := tx.Emit(contracts.TenantSettingsChanged, contracts.SettingsChanged{WidgetKey: t.WidgetKey, Settings: o.settings.Settings}); err != nil {
			return "", err
		}
		if err := tx.Emit(contracts.TenantBotChanged, contracts.BotChanged{}); err != nil {
			return "", err
		}
		counts[settingsFile] = 1
	}
	for _, c := range o.canned {
		if err := tx.ImportCanned(c); err != nil {
			return "", err
		}
	}
	if o.canned != nil {
		counts[cannedFile] = int64(len(o.canned))
	}
	if o.audit != nil {
		err := eachLine(o.audit, func(line []byte) error {
			e, err := auditLine(line)
			if err != nil {
				return err
			}
			return tx.AppendAudit(e)
		})
		if err != nil {
			return "", err
		}
		counts[auditFile] = o.audits
	}
	return replaced, nil
}
