package identity_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
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

// photoBuckets are the buckets the gateway writes uploads into and the
// gateway serves photos from.
func (e *env) photoBuckets() (uploads, avatars *blob.ObjectStore) {
	e.t.Helper()
	ctx := context.Background()
	uploads, err := blob.OpenObjectStore(ctx, e.js, contracts.UploadBucket, contracts.UploadTTL)
	if err != nil {
		e.t.Fatal(err)
	}
	if avatars, err = blob.OpenObjectStore(ctx, e.js, contracts.AvatarBucket, 0); err != nil {
		e.t.Fatal(err)
	}
	return uploads, avatars
}

// upload stores body as the gateway would and returns its id.
func upload(t *testing.T, uploads blob.Store, tenantID string, body []byte) string {
	t.Helper()
	id := ids.New()
	if _, err := uploads.Put(context.Background(), contracts.UploadObject(tenantID, id), bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	return id
}

func exists(t *testing.T, s blob.Store, name string) bool {
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

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		m.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngBomb is a valid PNG header that declares 100,000 × 100,000 pixels: a
// decoder that allocated them first would need 40 GB.
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
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, chunk("IEND", nil)...)
}

func avatarID(t *testing.T, u contracts.User) string {
	t.Helper()
	id, ok := strings.CutPrefix(u.AvatarURL, contracts.AvatarPath(""))
	if !ok || !ids.Valid(id) {
		t.Fatalf("avatar_url = %q", u.AvatarURL)
	}
	return id
}

func TestAvatarIsASquareUnderANewIdAndEveryUserCarriesIt(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		tm := e.team()
		other := e.team()
		uploads, avatars := e.photoBuckets()
		agent := contracts.Principal{TenantID: tm.tenantID, UserID: tm.agent.User.ID, Role: contracts.RoleAgent}
		ctx := context.Background()
		set := func(uploadID string) (contracts.User, error) {
			return natsx.Call(ctx, e.nc, contracts.IdentityAvatarSet, contracts.AvatarRequest{
				Principal: agent, UploadID: uploadID, Object: contracts.UploadObject(tm.tenantID, uploadID)})
		}

		first := upload(t, uploads, tm.tenantID, pngOf(t, 600, 400))
		u, err := set(first)
		if err != nil {
			t.Fatal(err)
		}
		id := avatarID(t, u)
		rc, _, err := avatars.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := image.Decode(rc)
		rc.Close()
		if err != nil || m.Bounds().Dx() != 256 || m.Bounds().Dy() != 256 {
			t.Fatalf("stored photo: %v %v", m.Bounds(), err)
		}
		if exists(t, uploads, contracts.UploadObject(tm.tenantID, first)) {
			t.Fatal("the upload was kept")
		}

		// Every User identity returns carries the photo.
		if me := call(t, e, contracts.IdentityMe, contracts.PrincipalRequest{Principal: agent}); me.AvatarURL != u.AvatarURL {
			t.Fatalf("me = %+v", me)
		}
		members := call(t, e, contracts.IdentityMemberList, contracts.PrincipalRequest{Principal: tm.ownerPrincipal()})
		for _, m := range members.Members {
			if want := map[bool]string{true: u.AvatarURL}[m.ID == agent.UserID]; m.AvatarURL != want {
				t.Fatalf("member %s avatar_url %q, want %q", m.Name, m.AvatarURL, want)
			}
		}
		// The conversation service learns it from member.changed.
		testkit.Eventually(t, 10*time.Second, func() error {
			for _, env := range e.events(contracts.IdentityStream, contracts.IdentityMemberChanged.Subject(tm.tenantID)) {
				var ev contracts.MemberChanged
				if env.Decode(&ev) == nil && ev.User.ID == agent.UserID && ev.User.AvatarURL == u.AvatarURL {
					return nil
				}
			}
			return fmt.Errorf("no member.changed with the photo")
		})

		// A new photo gets a new id; the old one is deleted.
		u2, err := set(upload(t, uploads, tm.tenantID, jpegOf(t, 300, 900)))
		if err != nil {
			t.Fatal(err)
		}
		if id2 := avatarID(t, u2); id2 == id || !exists(t, avatars, id2) || exists(t, avatars, id) {
			t.Fatalf("replaced photo: %s → %s", id, id2)
		}

		// Hostile and broken uploads are refused, and the photo stays.
		for _, tc := range []struct {
			name  string
			body  []byte
			code  apperr.Code
			field string
		}{
			{"HTML named .png", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), apperr.UnsupportedMedia, "file"},
			{"SVG with a script", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), apperr.UnsupportedMedia, "file"},
			{"PNG signature then HTML", append([]byte("\x89PNG\r\n\x1a\n"), []byte("<html><script>alert(1)</script></html>")...), apperr.UnsupportedMedia, "file"},
			{"a PDF", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"), apperr.UnsupportedMedia, "file"},
			{"zero bytes", nil, apperr.Invalid, "file"},
			{"decompression bomb", pngBomb(), apperr.TooLarge, "file"},
			{"one byte over 10 MB", append(pngOf(t, 10, 10), make([]byte, contracts.DefaultMaxFileBytes)...), apperr.TooLarge, "file"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				uid := upload(t, uploads, tm.tenantID, tc.body)
				_, err := set(uid)
				if got := apperr.As(err); got == nil || got.Code != tc.code || got.Field != tc.field {
					t.Fatalf("got %v, want %s (%s)", err, tc.code, tc.field)
				}
			})
		}
		if me := call(t, e, contracts.IdentityMe, contracts.PrincipalRequest{Principal: agent}); me.AvatarURL != u2.AvatarURL {
			t.Fatalf("a refused upload changed the photo: %+v", me)
		}

		// Another workspace's upload cannot be used, nor a made-up one.
		theirs := upload(t, uploads, other.tenantID, pngOf(t, 50, 50))
		for _, r := range []contracts.AvatarRequest{
			{Principal: agent, UploadID: theirs},
			{Principal: agent, UploadID: theirs, Object: contracts.UploadObject(other.tenantID, theirs)},
			{Principal: agent, UploadID: "../../etc/passwd"},
		} {
			if _, err := natsx.Call(ctx, e.nc, contracts.IdentityAvatarSet, r); !apperr.Is(err, apperr.Invalid) || apperr.As(err).Field != "upload_id" {
				t.Fatalf("%+v: %v", r, err)
			}
		}
		if !exists(t, uploads, contracts.UploadObject(other.tenantID, theirs)) {
			t.Fatal("another workspace's upload was touched")
		}

		// No upload removes the photo.
		gone, err := set("")
		if err != nil || gone.AvatarURL != "" || exists(t, avatars, avatarID(t, u2)) {
			t.Fatalf("removed: %+v %v", gone, err)
		}
		if me := call(t, e, contracts.IdentityMe, contracts.PrincipalRequest{Principal: agent}); me.AvatarURL != "" {
			t.Fatalf("me after removal = %+v", me)
		}
	})
}

func TestPhotosGoWithTheMemberAndTheWorkspace(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		tm := e.team()
		keep := e.team()
		uploads, avatars := e.photoBuckets()
		setFor := func(p contracts.Principal) string {
			uid := upload(t, uploads, p.TenantID, pngOf(t, 64, 64))
			return avatarID(t, call(t, e, contracts.IdentityAvatarSet, contracts.AvatarRequest{Principal: p, UploadID: uid}))
		}
		agent := contracts.Principal{TenantID: tm.tenantID, UserID: tm.agent.User.ID, Role: contracts.RoleAgent}
		agentPhoto, ownerPhoto, keptPhoto := setFor(agent), setFor(tm.ownerPrincipal()), setFor(keep.ownerPrincipal())

		call(t, e, contracts.IdentityMemberDelete, contracts.IDRequest{Principal: tm.ownerPrincipal(), ID: agent.UserID})
		if exists(t, avatars, agentPhoto) {
			t.Fatal("a removed member's photo was kept")
		}

		e.publish(contracts.TenantTenantDeleted, tm.tenantID, contracts.TenantDeleted{Reason: contracts.TenantClosed})
		testkit.Eventually(t, 15*time.Second, func() error {
			if exists(t, avatars, ownerPhoto) {
				return fmt.Errorf("the deleted workspace's owner photo is still stored")
			}
			return nil
		})
		if !exists(t, avatars, keptPhoto) {
			t.Fatal("another workspace's photo was deleted")
		}
	})
}
