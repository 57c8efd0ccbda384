package app

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/media"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// Photos are the Object Store buckets of members' photos: where the
// gateway left an upload, and where identity keeps the photos it made.
type Photos struct {
	Uploads blob.Store // contracts.UploadBucket
	Avatars blob.Store // contracts.AvatarBucket, one object per photo, named by its id
}

// SetPhotos gives the application its photo buckets.
func (a *App) SetPhotos(p Photos) { a.photos = p }

// Limits of a photo upload.
const (
	// MaxAvatarBytes bounds the upload a photo is made from, whatever the
	// plan: the photo itself is a small square.
	MaxAvatarBytes = contracts.DefaultMaxFileBytes
	// AvatarSize is the side of the square photo, in pixels.
	AvatarSize = 256
)

// SetAvatar makes the caller's photo from an upload, or removes it when
// UploadID is empty. Each photo gets a new id, so the URL it is served at
// (contracts.AvatarPath) always shows the same bytes and may be cached for
// good; the previous photo and the upload are deleted once the new one is
// in place. Everyone who shows the member learns the new URL from
// IdentityMemberChanged.
func (a *App) SetAvatar(ctx context.Context, r contracts.AvatarRequest) (contracts.User, error) {
	p := r.Principal
	if r.UploadID == "" {
		return a.replaceAvatar(ctx, p, "")
	}
	object := contracts.UploadObject(p.TenantID, r.UploadID)
	if !ids.Valid(r.UploadID) || (r.Object != "" && r.Object != object) {
		return contracts.User{}, apperr.InvalidField("upload_id", "upload_id is not an upload of this workspace")
	}
	// The caller must exist before any work is done for them.
	if err := a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error { _, err := actor(tx, p); return err }); err != nil {
		return contracts.User{}, err
	}
	photo, err := a.photoFromUpload(ctx, object)
	if err != nil {
		return contracts.User{}, err
	}
	id := ids.New()
	if _, err := a.photos.Avatars.Put(ctx, id, bytes.NewReader(photo)); err != nil {
		return contracts.User{}, err
	}
	out, err := a.replaceAvatar(ctx, p, id)
	if err != nil {
		a.deleteObject(ctx, a.photos.Avatars, id)
		return out, err
	}
	a.deleteObject(ctx, a.photos.Uploads, object)
	return out, nil
}

// photoFromUpload reads an upload and makes the square photo of it.
func (a *App) photoFromUpload(ctx context.Context, object string) ([]byte, error) {
	rc, size, err := a.photos.Uploads.Get(ctx, object)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, apperr.InvalidField("upload_id", "the upload is gone (uploads are kept for %s); upload the photo again", contracts.UploadTTL)
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	switch {
	case size == 0:
		return nil, apperr.InvalidField("file", "the file is empty")
	case size > MaxAvatarBytes:
		return nil, &apperr.Error{Code: apperr.TooLarge, Field: "file", Message: "a photo can be at most 10 MB"}
	}
	photo, _, err := media.Square(io.LimitReader(rc, MaxAvatarBytes), AvatarSize, contracts.MaxImagePixels)
	return photo, media.Refusal(err)
}

// replaceAvatar sets the caller's photo to id ("" for none) and deletes
// the one it replaces after the change is committed.
func (a *App) replaceAvatar(ctx context.Context, p contracts.Principal, id string) (contracts.User, error) {
	var out contracts.User
	var old string
	err := a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
		me, err := actor(tx, p)
		if err != nil {
			return err
		}
		if old = me.AvatarID; old == id {
			out = me.Contract()
			return nil
		}
		if err := tx.SetAvatar(me.ID, id); err != nil {
			return err
		}
		me.AvatarID = id
		out = me.Contract()
		return tx.Emit(contracts.IdentityMemberChanged, contracts.MemberChanged{User: out})
	})
	if err == nil && old != "" && old != id {
		a.deleteObject(ctx, a.photos.Avatars, old)
	}
	return out, err
}

// deleteObject deletes an object that is no longer needed. A failure only
// leaves an unreachable object behind, so it is logged, not returned.
func (a *App) deleteObject(ctx context.Context, s blob.Store, name string) {
	ctx, cancel := detached(ctx)
	defer cancel()
	if err := s.Delete(ctx, name); err != nil {
		a.log.Warn("object not deleted", "object", name, "err", err)
	}
}

// deleteAvatars deletes photos of members who are gone.
func (a *App) deleteAvatars(ctx context.Context, avatarIDs []string) error {
	for _, id := range avatarIDs {
		if err := a.photos.Avatars.Delete(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
