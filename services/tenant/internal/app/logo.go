package app

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/media"
	"github.com/parley-chat/parley/services/tenant/internal/store"
)

// Logos are the Object Store buckets of tenants' logos: where the gateway
// left an upload, and where the tenant service keeps the logos it made.
type Logos struct {
	Uploads blob.Store // contracts.UploadBucket
	Logos   blob.Store // contracts.LogoBucket, one object per logo, named by its id
}

// SetLogos gives the application its logo buckets.
func (a *App) SetLogos(l Logos) { a.logos = l }

// Limits of a logo upload.
const (
	// MaxLogoBytes bounds the upload a logo is made from, whatever the plan.
	MaxLogoBytes = contracts.DefaultMaxFileBytes
	// LogoBox is the largest width and height of a logo, in pixels.
	LogoBox = 512
	// deleteTimeout bounds deleting an object the request no longer needs.
	deleteTimeout = 10 * time.Second
)

// SetLogo makes the tenant's logo from an upload (owners and admins), or
// removes it when UploadID is empty. The logo is re-encoded to fit in a
// LogoBox square and stored under a new id, so its URL
// (contracts.LogoPath, in WidgetSettings.LogoURL) always shows the same
// bytes; the previous logo and the upload are deleted once it is in place.
// The widget learns it from TenantSettingsChanged like any other setting.
func (a *App) SetLogo(ctx context.Context, r contracts.LogoRequest) (contracts.Settings, error) {
	p := r.Principal
	if err := requireAdmin(p); err != nil {
		return contracts.Settings{}, err
	}
	if r.UploadID == "" {
		return a.replaceLogo(ctx, p, "")
	}
	object := contracts.UploadObject(p.TenantID, r.UploadID)
	if !ids.Valid(r.UploadID) || (r.Object != "" && r.Object != object) {
		return contracts.Settings{}, apperr.InvalidField("upload_id", "upload_id is not an upload of this workspace")
	}
	if _, err := a.InternalSettings(ctx, contracts.TenantIDRequest{TenantID: p.TenantID}); err != nil {
		return contracts.Settings{}, err
	}
	logo, err := a.logoFromUpload(ctx, object)
	if err != nil {
		return contracts.Settings{}, err
	}
	id := ids.New()
	if _, err := a.logos.Logos.Put(ctx, id, bytes.NewReader(logo)); err != nil {
		return contracts.Settings{}, err
	}
	out, err := a.replaceLogo(ctx, p, id)
	if err != nil {
		a.dropObject(ctx, a.logos.Logos, id)
		return out, err
	}
	a.dropObject(ctx, a.logos.Uploads, object)
	return out, nil
}

// logoFromUpload reads an upload and makes the logo of it.
func (a *App) logoFromUpload(ctx context.Context, object string) ([]byte, error) {
	rc, size, err := a.logos.Uploads.Get(ctx, object)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, apperr.InvalidField("upload_id", "the upload is gone (uploads are kept for %s); upload the logo again", contracts.UploadTTL)
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	switch {
	case size == 0:
		return nil, apperr.InvalidField("file", "the file is empty")
	case size > MaxLogoBytes:
		return nil, &apperr.Error{Code: apperr.TooLarge, Field: "file", Message: "a logo can be at most 10 MB"}
	}
	return fitLogo(io.LimitReader(rc, MaxLogoBytes))
}

// fitLogo re-encodes an image into a logo, with the errors a client sees.
func fitLogo(r io.Reader) ([]byte, error) {
	logo, _, _, _, err := media.Fit(r, LogoBox, contracts.MaxImagePixels)
	return logo, media.Refusal(err)
}

// LogoID is the logo's object name in a stored logo URL ("" for none).
func LogoID(logoURL string) string {
	id, ok := strings.CutPrefix(logoURL, contracts.LogoPath(""))
	if !ok || !ids.Valid(id) {
		return ""
	}
	return id
}

// replaceLogo sets the tenant's logo to id ("" for none), publishes the
// settings and deletes the logo it replaces after the change is committed.
func (a *App) replaceLogo(ctx context.Context, p contracts.Principal, id string) (contracts.Settings, error) {
	var out contracts.Settings
	var old string
	err := a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if _, err := tx.Get(); err != nil {
			return err
		}
		s, _, err := tx.Settings()
		if err != nil {
			return err
		}
		out = s
		if old = LogoID(s.Widget.LogoURL); old == id {
			return nil
		}
		out.Widget.LogoURL = ""
		if id != "" {
			out.Widget.LogoURL = contracts.LogoPath(id)
		}
		if err := tx.SaveSettings(out); err != nil {
			return err
		}
		if err := a.settingsChanged(tx, out); err != nil {
			return err
		}
		b, af, err := changed(s, out)
		if err != nil {
			return err
		}
		return audit(tx, p.AuditActor(), contracts.AuditSettingsUpdated, "settings", p.TenantID, b, af)
	})
	if err == nil && old != "" && old != id {
		a.dropObject(ctx, a.logos.Logos, old)
	}
	return out, err
}

// dropObject deletes an object that is no longer needed. A failure only
// leaves an unreachable object behind, so it is logged, not returned.
func (a *App) dropObject(ctx context.Context, s blob.Store, name string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deleteTimeout)
	defer cancel()
	if err := s.Delete(ctx, name); err != nil {
		a.log.Warn("object not deleted", "object", name, "err", err)
	}
}

// logoFiles are the names a workspace's logo takes in an export archive,
// by its type (a logo is always re-encoded as one of these).
var logoFiles = map[string]string{media.PNG: "logo.png", media.JPEG: "logo.jpg"}

// exportLogo copies the logo into the export's part as logo.png or
// logo.jpg; a logo whose object is gone is left out (nil).
func (a *App) exportLogo(ctx context.Context, prefix, id string) (*contracts.ExportFile, error) {
	rc, _, err := a.logos.Logos.Get(ctx, id)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 512)
	head, _ := br.Peek(512)
	name := logoFiles[media.Sniff(head).ContentType]
	if name == "" {
		return nil, nil
	}
	f := contracts.ExportFile{Name: name, Object: prefix + name, Count: 1}
	if _, err := a.data.Objects.Put(ctx, jetstream.ObjectMeta{Name: f.Object}, br); err != nil {
		return nil, err
	}
	return &f, nil
}

// importLogo makes a new logo, under a new id, from an archive's logo
// file: re-encoded like an upload, so an archive cannot bring in anything
// an upload could not.
func (a *App) importLogo(ctx context.Context, zf *zip.File) (string, error) {
	if zf.UncompressedSize64 > MaxLogoBytes {
		return "", badArchive("%s is larger than a logo may be", zf.Name)
	}
	r, err := zf.Open()
	if err != nil {
		return "", badArchive("%s cannot be read", zf.Name)
	}
	defer r.Close()
	logo, err := fitLogo(io.LimitReader(r, MaxLogoBytes))
	if err != nil {
		return "", badArchive("%s: %s", zf.Name, apperr.As(err).Message)
	}
	id := ids.New()
	if _, err := a.logos.Logos.Put(ctx, id, bytes.NewReader(logo)); err != nil {
		return "", err
	}
	return id, nil
}
