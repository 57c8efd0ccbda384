package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/media"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Attachments. The gateway streams an upload into the uploads bucket and
// calls UploadAccept, which sniffs the bytes (the client's name and type are
// never trusted), re-encodes images (dropping their metadata, and any payload
// hidden after the pixels) with a thumbnail, writes the result into the
// attachments bucket, stores a files row and deletes the upload. The file
// stays unsent until its uploader sends it with a message (attached in the
// message's transaction); an unsent one is swept after contracts.UploadTTL.
//
// Objects are written before their row and deleted after it: a failure
// between the two leaves an object without a row (never shown, removed with
// the workspace), never a row without its object.

// fileKeys are the tenants' URL-signing keys (kept in memory
// once read: a key never changes).
type fileKeys struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (k *fileKeys) get(tx *store.Tx, create bool) ([]byte, error) {
	k.mu.Lock()
	key, ok := k.m[tx.TenantID]
	k.mu.Unlock()
	if ok {
		return key, nil
	}
	key, err := tx.FileKey(create)
	if err != nil || key == nil {
		return nil, err
	}
	k.mu.Lock()
	if k.m == nil || len(k.m) > 100_000 {
		k.m = map[string][]byte{}
	}
	k.m[tx.TenantID] = key
	k.mu.Unlock()
	return key, nil
}

func (k *fileKeys) forget(tenantID string) {
	k.mu.Lock()
	delete(k.m, tenantID)
	k.mu.Unlock()
}

// attachment is a file as readers see it, with URLs signed until now + lifetime.
func attachment(key []byte, tenantID string, f store.File, now time.Time) contracts.Attachment {
	exp := now.Add(domain.FileURLLifetime).Truncate(time.Second).UTC()
	out := contracts.Attachment{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size, Kind: f.Kind, ExpiresAt: &exp, CreatedAt: f.CreatedAt}
	if f.Width > 0 && f.Height > 0 {
		out.Image = &contracts.ImageSize{Width: f.Width, Height: f.Height}
	}
	t := domain.FileToken{TenantID: tenantID, ConversationID: f.Conversation(), FileID: f.ID, ExpiresAt: exp}
	out.URL = domain.FileURL(t.Sign(key))
	if f.HasThumb {
		t.Variant = domain.VariantThumb
		out.ThumbnailURL = domain.FileURL(t.Sign(key))
	}
	return out
}

// messageOut is a message as clients see it, with the files already on m
// and its agent's photo.
func (a *App) messageOut(tx *store.Tx, m store.Message) (contracts.Message, error) {
	out, err := a.messagesOut(tx, []store.Message{m}, false)
	if err != nil {
		return contracts.Message{}, err
	}
	return out[0], nil
}

// messagesOut turns rows into messages with their files (loaded with one
// query for the page when load) and their agents' photos.
func (a *App) messagesOut(tx *store.Tx, rows []store.Message, load bool) ([]contracts.Message, error) {
	out := make([]contracts.Message, len(rows))
	if load && len(rows) > 0 {
		mids := make([]string, len(rows))
		for i, m := range rows {
			mids[i] = m.ID
		}
		files, err := tx.FilesOfMessages(mids)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			rows[i].Files = files[rows[i].ID]
		}
	}
	avatars, err := a.agentAvatars(tx, rows)
	if err != nil {
		return nil, err
	}
	var key []byte
	now := a.now()
	for i, m := range rows {
		out[i] = m.Contract()
		if m.AuthorType == string(contracts.AuthorAgent) {
			out[i].Author.AvatarURL = avatars[m.AuthorID]
		}
		if len(m.Files) == 0 {
			continue
		}
		if key == nil {
			if key, err = a.keys.get(tx, true); err != nil {
				return nil, err
			}
		}
		out[i].Attachments = make([]contracts.Attachment, len(m.Files))
		for j, f := range m.Files {
			out[i].Attachments[j] = attachment(key, tx.TenantID, f, now)
		}
	}
	return out, nil
}

// agentAvatars maps the agent authors of rows to their photos, from the
// cache or with one query for those it lacks.
func (a *App) agentAvatars(tx *store.Tx, rows []store.Message) (map[string]string, error) {
	out := map[string]string{}
	var missing []string
	for _, m := range rows {
		if m.AuthorType != string(contracts.AuthorAgent) {
			continue
		}
		if _, done := out[m.AuthorID]; done {
			continue
		}
		url, ok := a.avatars.get(tx.TenantID, m.AuthorID)
		out[m.AuthorID] = url
		if !ok {
			missing = append(missing, m.AuthorID)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	found, err := tx.AgentAvatars(missing)
	for _, id := range missing {
		out[id] = found[id]
		a.avatars.remember(tx.TenantID, id, found[id])
	}
	return out, err
}

// limits are a tenant's file limits.
type limits struct {
	maxFile, storage int64
}

// fileLimits reads the plan's limits. If entitlements cannot be read the
// defaults apply and storage is not limited (as the conversation quota,
// it fails open).
func (a *App) fileLimits(ctx context.Context, tenantID string) limits {
	l := limits{maxFile: contracts.DefaultMaxFileBytes}
	if a.ent == nil {
		return l
	}
	e, err := a.ent.Get(ctx, tenantID)
	if err != nil {
		a.log.Warn("entitlements unavailable; file limits are the defaults", "tenant_id", tenantID, "err", err)
		return l
	}
	if e.MaxFileBytes > 0 {
		l.maxFile = e.MaxFileBytes
	}
	l.storage = e.StorageBytes
	return l
}

func canUpload(a contracts.Actor) error {
	if !ids.Valid(a.TenantID) || a.ID == "" {
		return apperr.New(apperr.Forbidden, "sign in to upload files")
	}
	switch a.Type {
	case contracts.AuthorVisitor, contracts.AuthorAgent, contracts.AuthorBot:
		return nil
	}
	return apperr.New(apperr.Forbidden, "only visitors and the team upload files")
}

// UploadPolicy tells a client what it may upload.
func (a *App) UploadPolicy(ctx context.Context, r contracts.UploadPolicyRequest) (contracts.UploadPolicy, error) {
	var out contracts.UploadPolicy
	if err := canUpload(r.Actor); err != nil {
		return out, err
	}
	settings, err := a.settings.Get(ctx, r.Actor.TenantID)
	if err != nil {
		return out, err
	}
	lim := a.fileLimits(ctx, r.Actor.TenantID)
	out = contracts.UploadPolicy{Enabled: settings.Attachments.Enabled, MaxFileBytes: lim.maxFile, Kinds: settings.Attachments.Kinds}
	if out.Kinds == nil {
		out.Kinds = []string{}
	}
	out.Accept = media.Accept(out.Kinds)
	if lim.storage > 0 {
		err = a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
			used, _, err := tx.StorageUsed()
			out.StorageFull = used >= lim.storage
			return err
		})
	}
	return out, err
}

var errStorageFull = &apperr.Error{Code: apperr.TooLarge, Field: "file", Message: "the workspace's storage is full: delete files or upgrade the plan"}

func tooLarge(max int64) error {
	return &apperr.Error{Code: apperr.TooLarge, Field: "file", Message: "the file is larger than " + humanBytes(max)}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return itoa(n>>20) + " MB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return itoa(n>>10) + " KB"
	}
	return itoa(n) + " bytes"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// quotaCheck refuses a file of size bytes beyond the tenant's storage or
// the visitor's limits.
func (a *App) quotaCheck(tx *store.Tx, actor contracts.Actor, size int64, lim limits) error {
	if lim.storage > 0 {
		used, _, err := tx.StorageUsed()
		if err != nil {
			return err
		}
		if used+size > lim.storage {
			return errStorageFull
		}
	}
	if actor.Type != contracts.AuthorVisitor {
		return nil
	}
	unsent, day, err := tx.UploaderUsage(actor.Type, actor.ID, a.now().Add(-24*time.Hour))
	switch {
	case err != nil:
		return err
	case unsent >= domain.MaxUnsentPerVisitor:
		return &apperr.Error{Code: apperr.RateLimited, Message: "too many files waiting to be sent: send or wait for them to expire", RetryAfter: contracts.UploadTTL}
	case day+size > domain.MaxVisitorBytesPerDay:
		return &apperr.Error{Code: apperr.RateLimited, Message: "you have uploaded as much as a day allows", RetryAfter: 24 * time.Hour}
	}
	return nil
}

// UploadAccept takes an upload the gateway stored (see the top of the file).
// The upload is deleted whether or not it is accepted: a refused file is
// refused for good, and a client retries by uploading again.
func (a *App) UploadAccept(ctx context.Context, r contracts.UploadAcceptRequest) (contracts.Attachment, error) {
	var out contracts.Attachment
	if err := canUpload(r.Actor); err != nil {
		return out, err
	}
	if !ids.Valid(r.UploadID) || r.Object != contracts.UploadObject(r.Actor.TenantID, r.UploadID) {
		return out, apperr.InvalidField("upload_id", "upload_id must name an upload of this workspace")
	}
	defer func() {
		if err := a.uploads.Delete(context.WithoutCancel(ctx), r.Object); err != nil {
			a.log.Warn("delete upload", "object", r.Object, "err", err)
		}
	}()
	settings, err := a.settings.Get(ctx, r.Actor.TenantID)
	if err != nil {
		return out, err
	}
	if !settings.Attachments.Enabled {
		return out, apperr.New(apperr.Forbidden, "this workspace does not accept files")
	}
	lim := a.fileLimits(ctx, r.Actor.TenantID)
	if r.Size > lim.maxFile {
		return out, tooLarge(lim.maxFile)
	}
	if err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error { return a.quotaCheck(tx, r.Actor, max(r.Size, 0), lim) }); err != nil {
		return out, err
	}
	rc, size, err := a.uploads.Get(ctx, r.Object)
	if errors.Is(err, blob.ErrNotFound) {
		return out, apperr.NotFoundf("upload not found: it may have expired, upload the file again")
	}
	if err != nil {
		return out, err
	}
	defer rc.Close()
	if size > lim.maxFile {
		return out, tooLarge(lim.maxFile)
	}
	f := store.File{ID: ids.New(), UploaderType: string(r.Actor.Type), UploaderID: r.Actor.ID, Name: media.SafeName(r.Name), CreatedAt: a.now()}
	allowed := func(kind string) error {
		if !domain.KindAllowed(settings.Attachments, kind) {
			return &apperr.Error{Code: apperr.UnsupportedMedia, Field: "file", Message: "this workspace does not accept " + kind + " files"}
		}
		return nil
	}
	if err := a.storeFile(ctx, r.Actor.TenantID, &f, io.LimitReader(rc, lim.maxFile+1), lim.maxFile, allowed); err != nil {
		return out, err
	}
	err = a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		if err := tx.LockStorage(); err != nil {
			return err
		}
		if err := a.quotaCheck(tx, r.Actor, f.Size+f.ThumbSize, lim); err != nil {
			return err
		}
		if err := tx.InsertFile(&f); err != nil {
			return err
		}
		if err := tx.SetTimer(store.TimerUpload, f.ID, f.CreatedAt.Add(contracts.UploadTTL)); err != nil {
			return err
		}
		key, err := a.keys.get(tx, true)
		out = attachment(key, tx.TenantID, f, a.now())
		return err
	})
	if err != nil {
		a.deleteBlobs(ctx, r.Actor.TenantID, []store.File{f})
		return contracts.Attachment{}, err
	}
	return out, nil
}

// sniffLen is how much of a file the type is sniffed from.
const sniffLen = 3072

// storeFile sniffs r, re-encodes an image, and writes the result into the
// attachments bucket as f; it fills f's type, size and image fields. allowed
// refuses a kind. On failure nothing is left in the bucket.
func (a *App) storeFile(ctx context.Context, tenantID string, f *store.File, r io.Reader, maxBytes int64, allowed func(kind string) error) error {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	head = head[:n]
	if n == 0 {
		return apperr.InvalidField("file", "the file is empty")
	}
	t := media.Sniff(head)
	if err := allowed(t.Kind); err != nil {
		return err
	}
	all := io.MultiReader(bytes.NewReader(head), r)
	name := domain.FileObject(tenantID, f.ID)
	f.ContentType, f.Kind, f.Inline = t.ContentType, t.Kind, t.Inline
	if t.Kind != contracts.FileKindImage {
		size, err := a.attachments.Put(ctx, name, all)
		if err == nil && size > maxBytes {
			err = tooLarge(maxBytes)
		}
		if err != nil {
			a.deleteBlobs(ctx, tenantID, []store.File{*f})
			return err
		}
		f.Size = size
		return nil
	}
	img, err := media.Reencode(all, contracts.MaxImagePixels)
	if err != nil {
		return media.Refusal(err)
	}
	f.ContentType, f.Inline, f.Width, f.Height = img.ContentType, true, img.Width, img.Height
	f.HasThumb = len(img.Thumb) > 0
	if f.HasThumb {
		f.ThumbType, f.ThumbSize = thumbType(img.Thumb), int64(len(img.Thumb))
	}
	if f.Size, err = a.attachments.Put(ctx, name, bytes.NewReader(img.Data)); err == nil && f.HasThumb {
		_, err = a.attachments.Put(ctx, domain.ThumbObject(tenantID, f.ID), bytes.NewReader(img.Thumb))
	}
	if err != nil {
		a.deleteBlobs(ctx, tenantID, []store.File{*f})
	}
	return err
}

// thumbType is a thumbnail's type (media makes JPEG or PNG ones).
func thumbType(b []byte) string {
	if bytes.HasPrefix(b, []byte("\x89PNG")) {
		return "image/png"
	}
	return "image/jpeg"
}

// deleteBlobs deletes files' objects (after their rows); a failure is
// logged: an object without a row is never served.
func (a *App) deleteBlobs(ctx context.Context, tenantID string, files []store.File) {
	ctx = context.WithoutCancel(ctx)
	for _, f := range files {
		names := []string{domain.FileObject(tenantID, f.ID)}
		if f.HasThumb {
			names = append(names, domain.ThumbObject(tenantID, f.ID))
		}
		for _, n := range names {
			if err := a.attachments.Delete(ctx, n); err != nil {
				a.log.Warn("delete attachment", "object", n, "err", err)
			}
		}
	}
}

// attachFiles sends an actor's unsent files with message m (in its
// transaction) and puts them on m.
func attachFiles(tx *store.Tx, actor contracts.Actor, m *store.Message, fileIDs []string) error {
	if len(fileIDs) == 0 {
		return nil
	}
	bad := apperr.InvalidField("attachments", "attachments must be files you uploaded and have not sent yet")
	rows, err := tx.LockUnsentFiles(actor.Type, actor.ID, fileIDs)
	if err != nil {
		return err
	}
	if len(rows) != len(fileIDs) {
		return bad
	}
	n, err := tx.AttachFiles(fileIDs, m.ConversationID, m.ID)
	if err != nil {
		return err
	}
	if n != int64(len(fileIDs)) {
		return bad
	}
	byID := make(map[string]store.File, len(rows))
	for _, f := range rows {
		byID[f.ID] = f
	}
	m.Files = make([]store.File, len(fileIDs))
	for i, id := range fileIDs {
		f := byID[id]
		f.ConversationID, f.MessageID = &m.ConversationID, &m.ID
		m.Files[i] = f
		if err := tx.ClearTimer(store.TimerUpload, id); err != nil {
			return err
		}
	}
	return nil
}

// FileGet returns one attachment of a conversation the actor sees, with
// fresh URLs. A visitor never gets a private note's file.
func (a *App) FileGet(ctx context.Context, r contracts.FileRequest) (contracts.Attachment, error) {
	var out contracts.Attachment
	if !ids.Valid(r.FileID) || !ids.Valid(r.Actor.TenantID) {
		return out, apperr.NotFoundf("file not found")
	}
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		c, err := conversationFor(tx, r.Actor, r.ConversationID, false)
		if err != nil {
			return err
		}
		f, ok, err := tx.File(r.FileID)
		if err != nil {
			return err
		}
		if !ok || f.Conversation() != c.ID || f.MessageID == nil {
			return apperr.NotFoundf("file not found")
		}
		if r.Actor.Type == contracts.AuthorVisitor {
			m, err := tx.Message(c.ID, *f.MessageID)
			if err != nil {
				return err
			}
			if m.Private {
				return apperr.NotFoundf("file not found")
			}
		}
		key, err := a.keys.get(tx, true)
		out = attachment(key, tx.TenantID, f, a.now())
		return err
	})
	return out, err
}

// FileOpen redeems a signed URL's token: which object the gateway streams,
// and how. A forged token, or one for a deleted file, is NotFound; an
// expired one Gone.
func (a *App) FileOpen(ctx context.Context, r contracts.FileOpenRequest) (contracts.FileOpen, error) {
	var out contracts.FileOpen
	t, err := domain.ParseFileToken(r.Token)
	if err != nil {
		return out, err
	}
	err = a.store.Tenant(ctx, t.TenantID, func(tx *store.Tx) error {
		key, err := a.keys.get(tx, false)
		if err != nil {
			return err
		}
		if key == nil {
			return apperr.NotFoundf("file not found")
		}
		if _, err := domain.CheckFileToken(r.Token, key, a.now()); err != nil {
			return err
		}
		f, ok, err := tx.File(t.FileID)
		if err != nil {
			return err
		}
		if !ok || (t.ConversationID != "" && f.Conversation() != t.ConversationID) || (t.Variant == domain.VariantThumb && !f.HasThumb) {
			return apperr.NotFoundf("file not found")
		}
		out = contracts.FileOpen{TenantID: t.TenantID, Bucket: contracts.AttachmentBucket, Object: domain.FileObject(t.TenantID, f.ID),
			Name: f.Name, ContentType: f.ContentType, Size: f.Size, Inline: f.Inline, ExpiresAt: t.ExpiresAt}
		if t.Variant == domain.VariantThumb {
			out.Object, out.ContentType, out.Size, out.Inline = domain.ThumbObject(t.TenantID, f.ID), f.ThumbType, f.ThumbSize, true
		}
		return nil
	})
	return out, err
}

// MsgDelete deletes a message: owners and admins any, everyone else their
// own. It becomes a "deleted" message with its seq; its files go.
func (a *App) MsgDelete(ctx context.Context, r contracts.MessageDeleteRequest) (contracts.Message, error) {
	var out contracts.Message
	if !ids.Valid(r.MessageID) || !ids.Valid(r.Actor.TenantID) {
		return out, apperr.NotFoundf("message not found")
	}
	var gone []store.File
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		c, err := conversationFor(tx, r.Actor, r.ConversationID, true)
		if err != nil {
			return err
		}
		m, err := tx.Message(c.ID, r.MessageID)
		if err != nil {
			return err
		}
		if m.Private && r.Actor.Type == contracts.AuthorVisitor {
			return apperr.NotFoundf("message not found")
		}
		own := m.AuthorType == string(r.Actor.Type) && m.AuthorID == r.Actor.ID
		if !own && !(r.Actor.Type == contracts.AuthorAgent && r.Actor.Role.CanAdminister()) {
			return apperr.New(apperr.Forbidden, "you can delete only your own messages")
		}
		if m.Kind == string(contracts.KindDeleted) {
			out, err = a.messageOut(tx, m)
			return err
		}
		if gone, err = tx.DeleteFilesOfMessage(m.ID); err != nil {
			return err
		}
		if err := tx.BlankMessage(&m); err != nil {
			return err
		}
		if c.PreviewSeq == m.Seq {
			c.PreviewBody = ""
		}
		c.UpdatedAt = a.now()
		if err := tx.SaveConversation(&c); err != nil {
			return err
		}
		conv, err := view(tx, c)
		if err != nil {
			return err
		}
		if out, err = a.messageOut(tx, m); err != nil {
			return err
		}
		return tx.Emit(contracts.ConversationMessageDeleted, contracts.MessageDeleted{Message: out, Conversation: conv})
	})
	if err != nil {
		return contracts.Message{}, err
	}
	a.deleteBlobs(ctx, r.Actor.TenantID, gone)
	return out, nil
}

// Storage is how much the tenant stores, against its plan.
func (a *App) Storage(ctx context.Context, r contracts.TenantIDRequest) (contracts.StorageUsage, error) {
	var out contracts.StorageUsage
	if !ids.Valid(r.TenantID) {
		return out, apperr.InvalidField("tenant_id", "tenant_id must be a UUID")
	}
	lim := a.fileLimits(ctx, r.TenantID)
	out.LimitBytes, out.MaxFileBytes = lim.storage, lim.maxFile
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) (err error) {
		out.UsedBytes, out.Files, err = tx.StorageUsed()
		return err
	})
	return out, err
}

// deleteTenantBlobs deletes every object of a deleted tenant. It has a
// deadline: a listing of the bucket that races another delete can stall, and
// the event is then delivered again.
func (a *App) deleteTenantBlobs(ctx context.Context, tenantID string) error {
	a.keys.forget(tenantID)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err := a.attachments.DeletePrefix(ctx, tenantID+"/")
	return err
}
