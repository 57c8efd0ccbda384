package tenant_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
)

// logoBuckets are the buckets the gateway writes uploads into and serves logos from.
func (r *rig) logoBuckets() (uploads, logos *blob.ObjectStore) {
	r.t.Helper()
	ctx := context.Background()
	uploads, err := blob.OpenObjectStore(ctx, r.js, contracts.UploadBucket, contracts.UploadTTL)
	if err != nil {
		r.t.Fatal(err)
	}
	if logos, err = blob.OpenObjectStore(ctx, r.js, contracts.LogoBucket, 0); err != nil {
		r.t.Fatal(err)
	}
	return uploads, logos
}

func putUpload(t *testing.T, uploads blob.Store, tenantID string, body []byte) string {
	t.Helper()
	id := ids.New()
	if _, err := uploads.Put(context.Background(), contracts.UploadObject(tenantID, id), bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	return id
}

func stored(t *testing.T, s blob.Store, name string) bool {
	t.Helper()
	rc, _, err := s.Get(context.Background(), name)
	if errors.Is(err, blob.ErrNotFound) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	return true
}

func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		m.Set(x, x%h, color.NRGBA{20, 90, 200, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngBomb declares 100,000 × 100,000 pixels in a valid header.
func pngBomb() []byte {
	chunk := func(typ string, data []byte) []byte {
		var b bytes.Buffer
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
		return b.Bytes()
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 100_000)
	binary.BigEndian.PutUint32(ihdr[4:], 100_000)
	ihdr[8], ihdr[9] = 8, 2
	out := append([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, chunk("IEND", nil)...)
}

func logoID(t *testing.T, s contracts.Settings) string {
	t.Helper()
	id, ok := strings.CutPrefix(s.Widget.LogoURL, contracts.LogoPath(""))
	if !ok || !ids.Valid(id) {
		t.Fatalf("logo_url = %q", s.Widget.LogoURL)
	}
	return id
}

func TestLogoFitsTheBoxUnderANewIdAndOnlyUploadsChangeIt(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		p := r.workspace("Logo Shop")
		other := r.workspace("Other Shop")
		uploads, logos := r.logoBuckets()
		ctx := context.Background()
		set := func(p contracts.Principal, uploadID string) (contracts.Settings, error) {
			return natsx.Call(ctx, r.nc, contracts.TenantLogoSet, contracts.LogoRequest{Principal: p, UploadID: uploadID})
		}

		first := putUpload(t, uploads, p.TenantID, pngImage(t, 1200, 300))
		s, err := set(p, first)
		if err != nil {
			t.Fatal(err)
		}
		id := logoID(t, s)
		rc, _, err := logos.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := image.Decode(rc)
		rc.Close()
		if err != nil || m.Bounds().Dx() != 512 || m.Bounds().Dy() != 128 {
			t.Fatalf("stored logo: %v %v", m.Bounds(), err)
		}
		if stored(t, uploads, contracts.UploadObject(p.TenantID, first)) {
			t.Fatal("the upload was kept")
		}
		// The widget and the services that cache settings see it.
		info := call(t, r.nc, contracts.TenantGet, contracts.PrincipalRequest{Principal: p})
		if w := call(t, r.nc, contracts.TenantWidgetResolve, contracts.WidgetKeyRequest{WidgetKey: info.WidgetKey}); w.Settings.Widget.LogoURL != s.Widget.LogoURL {
			t.Fatalf("widget settings: %+v", w.Settings.Widget)
		}
		r.waitEvent(contracts.TenantSettingsChanged.Subject(p.TenantID), s.Widget.LogoURL)

		// A settings update keeps the logo when it leaves it out or repeats
		// it, and refuses another one.
		w := s.Widget
		w.LogoURL, w.Color = "", "#112233"
		if got := call(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: p, Widget: &w}); got.Widget.LogoURL != s.Widget.LogoURL || got.Widget.Color != "#112233" {
			t.Fatalf("update without logo_url: %+v", got.Widget)
		}
		w.LogoURL = s.Widget.LogoURL
		call(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: p, Widget: &w})
		for _, bad := range []string{contracts.LogoPath(ids.New()), "https://evil.example/logo.png", "javascript:alert(1)"} {
			w.LogoURL = bad
			refused(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: p, Widget: &w}, apperr.Invalid, "widget.logo_url")
		}

		// Agents may not change it.
		agent := p
		agent.Role = contracts.RoleAgent
		refused(t, r.nc, contracts.TenantLogoSet, contracts.LogoRequest{Principal: agent, UploadID: putUpload(t, uploads, p.TenantID, pngImage(t, 10, 10))}, apperr.Forbidden, "")

		// Hostile and broken uploads are refused; the logo stays.
		for _, tc := range []struct {
			name string
			body []byte
			code apperr.Code
		}{
			{"HTML named .png", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), apperr.UnsupportedMedia},
			{"SVG with a script", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>`), apperr.UnsupportedMedia},
			{"PNG signature then HTML", append([]byte("\x89PNG\r\n\x1a\n"), "<html><script>alert(1)</script>"...), apperr.UnsupportedMedia},
			{"zero bytes", nil, apperr.Invalid},
			{"decompression bomb", pngBomb(), apperr.TooLarge},
			{"one byte over 10 MB", append(pngImage(t, 10, 10), make([]byte, contracts.DefaultMaxFileBytes)...), apperr.TooLarge},
		} {
			t.Run(tc.name, func(t *testing.T) {
				refused(t, r.nc, contracts.TenantLogoSet, contracts.LogoRequest{Principal: p, UploadID: putUpload(t, uploads, p.TenantID, tc.body)}, tc.code, "file")
			})
		}
		// Another workspace's upload, or a missing one, is not an upload of this workspace.
		theirs := putUpload(t, uploads, other.TenantID, pngImage(t, 10, 10))
		refused(t, r.nc, contracts.TenantLogoSet, contracts.LogoRequest{Principal: p, UploadID: theirs}, apperr.Invalid, "upload_id")
		refused(t, r.nc, contracts.TenantLogoSet, contracts.LogoRequest{Principal: p, UploadID: theirs, Object: contracts.UploadObject(other.TenantID, theirs)}, apperr.Invalid, "upload_id")
		if !stored(t, uploads, contracts.UploadObject(other.TenantID, theirs)) {
			t.Fatal("another workspace's upload was touched")
		}
		if got := call(t, r.nc, contracts.TenantSettingsGet, contracts.PrincipalRequest{Principal: p}); got.Widget.LogoURL != s.Widget.LogoURL {
			t.Fatalf("a refused upload changed the logo: %q", got.Widget.LogoURL)
		}

		// A new logo replaces the old one, which is deleted; no upload removes it.
		s2, err := set(p, putUpload(t, uploads, p.TenantID, pngImage(t, 100, 100)))
		if err != nil {
			t.Fatal(err)
		}
		if id2 := logoID(t, s2); id2 == id || stored(t, logos, id) || !stored(t, logos, id2) {
			t.Fatalf("replaced logo %s → %s", id, id2)
		}
		s3, err := set(p, "")
		if err != nil || s3.Widget.LogoURL != "" || stored(t, logos, logoID(t, s2)) {
			t.Fatalf("removed: %+v %v", s3.Widget, err)
		}
		if got := call(t, r.nc, contracts.TenantSettingsGet, contracts.PrincipalRequest{Principal: p}); got.Widget.LogoURL != "" || got.Widget.Color != "#112233" {
			t.Fatalf("settings after removal: %+v", got.Widget)
		}
	})
}

func TestLogoGoesWithTheWorkspace(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		p, keep := r.workspace("Closing"), r.workspace("Staying")
		uploads, logos := r.logoBuckets()
		setLogo := func(p contracts.Principal) string {
			s := call(t, r.nc, contracts.TenantLogoSet, contracts.LogoRequest{Principal: p, UploadID: putUpload(t, uploads, p.TenantID, pngImage(t, 64, 64))})
			return logoID(t, s)
		}
		gone, kept := setLogo(p), setLogo(keep)
		call(t, r.nc, contracts.TenantDelete, contracts.TenantDeleteRequest{Principal: p, ConfirmName: "Closing"})
		testkit.Eventually(t, 10*time.Second, func() error {
			if stored(t, logos, gone) {
				return errors.New("the deleted workspace's logo is still stored")
			}
			return nil
		})
		if !stored(t, logos, kept) {
			t.Fatal("another workspace's logo was deleted")
		}
	})
}

// TestLogoTravelsInTheArchive exports a workspace with a logo and imports
// it into one that has its own: the new workspace gets a copy under its own
// id (never the old workspace's object) and its previous logo is deleted.
func TestLogoTravelsInTheArchive(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		uploads, logos := r.logoBuckets()
		src, dst := r.workspace("Old Logo"), r.workspace("New Logo")
		srcLogo := logoID(t, call(t, r.nc, contracts.TenantLogoSet, contracts.LogoRequest{Principal: src, UploadID: putUpload(t, uploads, src.TenantID, pngImage(t, 300, 200))}))
		dstLogo := logoID(t, call(t, r.nc, contracts.TenantLogoSet, contracts.LogoRequest{Principal: dst, UploadID: putUpload(t, uploads, dst.TenantID, pngImage(t, 20, 20))}))

		e := call(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: src})
		done := r.waitExport(src, e.ID, contracts.JobDone)
		if done.Counts["logo.png"] != 1 {
			t.Fatalf("counts %v", done.Counts)
		}
		dl := call(t, r.nc, contracts.TenantExportDownload, contracts.ExportDownloadRequest{ExportID: e.ID, Token: tokenOf(t, done)})
		zipped := r.object(dl.Object)
		if m, err := png.Decode(bytes.NewReader(unzip(t, zipped)["logo.png"])); err != nil || m.Bounds().Dx() != 300 {
			t.Fatalf("logo.png in the archive: %v", err)
		}

		r.fakes.mu.Lock()
		r.fakes.members = []contracts.User{{ID: dst.UserID, Email: "ADA@example.com"}}
		r.fakes.mu.Unlock()
		imp, err := r.startImport(dst, zipped)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.waitImport(dst, imp.ID, contracts.JobDone); got.Counts["logo.png"] != 1 {
			t.Fatalf("import counts %v", got.Counts)
		}
		s := call(t, r.nc, contracts.TenantSettingsGet, contracts.PrincipalRequest{Principal: dst})
		id := logoID(t, s)
		if id == srcLogo || id == dstLogo || !stored(t, logos, id) || !stored(t, logos, srcLogo) || stored(t, logos, dstLogo) {
			t.Fatalf("imported logo %s (source %s, previous %s)", id, srcLogo, dstLogo)
		}
	})
}
