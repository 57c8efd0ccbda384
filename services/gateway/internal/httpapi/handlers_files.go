package httpapi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Files in the chat: attachments (owned by the conversation service, read
// only through its short-lived signed URLs), agents' photos (identity) and
// the tenant's logo (tenant), the last two public under unguessable ids.

func (a *API) uploadPolicy(c *gin.Context) {
	respond(c, a.nc, contracts.ConversationUploadPolicy, contracts.UploadPolicyRequest{Actor: actor(c)}, http.StatusOK)
}

// uploadAttachment takes a file for a message the caller (visitor or team)
// is about to send, within the tenant's upload policy.
func (a *API) uploadAttachment(c *gin.Context) {
	act := actor(c)
	policy, err := call(a, c, contracts.ConversationUploadPolicy, contracts.UploadPolicyRequest{Actor: act})
	if err != nil {
		fail(c, err)
		return
	}
	if !policy.Enabled {
		fail(c, apperr.New(apperr.Forbidden, "this workspace does not take files in the chat"))
		return
	}
	if policy.StorageFull {
		e := apperr.New(apperr.TooLarge, "this workspace's storage for files is full")
		e.Field = "file"
		fail(c, e)
		return
	}
	max := policy.MaxFileBytes
	if max <= 0 {
		max = contracts.DefaultMaxFileBytes
	}
	up, err := a.receive(c, act.TenantID, max)
	if err != nil {
		fail(c, err)
		return
	}
	handOver(a, c, up, contracts.ConversationUploadAccept, contracts.UploadAcceptRequest{
		Actor: act, UploadID: up.id, Object: up.object, Name: up.name, Size: up.size,
	}, http.StatusCreated)
}

func (a *API) getFile(c *gin.Context) {
	respond(c, a.nc, contracts.ConversationFileGet, contracts.FileRequest{
		Actor: actor(c), ConversationID: c.Param("id"), FileID: c.Param("file_id"),
	}, http.StatusOK)
}

func (a *API) deleteMessage(c *gin.Context) {
	respond(c, a.nc, contracts.ConversationMsgDelete, contracts.MessageDeleteRequest{
		Actor: actor(c), ConversationID: c.Param("id"), MessageID: c.Param("message_id"),
	}, http.StatusOK)
}

func (a *API) setAvatar(c *gin.Context) {
	p := principal(c)
	up, err := a.receive(c, p.TenantID, MaxImageUploadBytes)
	if err != nil {
		fail(c, err)
		return
	}
	handOver(a, c, up, contracts.IdentityAvatarSet, contracts.AvatarRequest{Principal: p, UploadID: up.id, Object: up.object}, http.StatusOK)
}

func (a *API) removeAvatar(c *gin.Context) {
	respond(c, a.nc, contracts.IdentityAvatarSet, contracts.AvatarRequest{Principal: principal(c)}, http.StatusOK)
}

func (a *API) setLogo(c *gin.Context) {
	p := principal(c)
	up, err := a.receive(c, p.TenantID, MaxImageUploadBytes)
	if err != nil {
		fail(c, err)
		return
	}
	handOver(a, c, up, contracts.TenantLogoSet, contracts.LogoRequest{Principal: p, UploadID: up.id, Object: up.object}, http.StatusOK)
}

func (a *API) removeLogo(c *gin.Context) {
	respond(c, a.nc, contracts.TenantLogoSet, contracts.LogoRequest{Principal: principal(c)}, http.StatusOK)
}

var errNoSuchFile = apperr.NotFoundf("no such file")

// openFile streams an attachment behind a signed URL: the token is the
// credential, so <img src> and <a href> work from the widget on the
// tenant's site. The conversation service checks the token (404 forged or
// unknown, 410 expired) and says what to stream.
func (a *API) openFile(c *gin.Context) {
	f, err := call(a, c, contracts.ConversationFileOpen, contracts.FileOpenRequest{Token: c.Param("token")})
	if err == nil && (a.revoked.TenantDeleted(f.TenantID) || f.Bucket != contracts.AttachmentBucket) {
		err = errNoSuchFile
	}
	if err != nil {
		fail(c, err)
		return
	}
	left := max(0, int(time.Until(f.ExpiresAt)/time.Second))
	a.serveObject(c, contracts.AttachmentBucket, f.Object, func(h http.Header, _ []byte) {
		h.Set("Content-Type", f.ContentType)
		h.Set("Content-Disposition", contentDisposition(f.Inline, f.Name))
		h.Set("Cache-Control", "private, max-age="+strconv.Itoa(left))
	})
}

// serveMedia serves a photo or a logo. Their ids are new for every upload,
// so an answer never changes and may be cached for good.
func (a *API) serveMedia(bucket string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		if !mediaID(id) {
			fail(c, errNoSuchFile)
			return
		}
		a.serveObject(c, bucket, id, func(h http.Header, head []byte) {
			// The owner stores only re-encoded images; anything else would
			// be a bug, and is not shown.
			typ, inline := http.DetectContentType(head), true
			switch typ {
			case "image/png", "image/jpeg", "image/gif", "image/webp":
			default:
				typ, inline = "application/octet-stream", false
			}
			h.Set("Content-Type", typ)
			h.Set("Content-Disposition", contentDisposition(inline, id))
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		})
	}
}

// mediaID says whether id can be a photo's or logo's id (an ids.New).
func mediaID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// serveObject streams an object with the headers that make any file
// harmless in a browser: the type is ours (nosniff), nothing in it runs
// (CSP sandbox, even when opened directly), and other sites may embed it
// (CORP cross-origin: the widget's <img> on the tenant's site). set adds
// the type and caching, given the object's first bytes.
func (a *API) serveObject(c *gin.Context, bucket, object string, set func(h http.Header, head []byte)) {
	store := a.files[bucket]
	if store == nil {
		fail(c, errNoSuchFile)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), a.cfg.DataTransferTimeout)
	defer cancel()
	rc, size, err := store.Get(ctx, object)
	if errors.Is(err, blob.ErrNotFound) {
		fail(c, errNoSuchFile)
		return
	}
	if err != nil {
		fail(c, a.storeError(c, err))
		return
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 512)
	head, _ := br.Peek(512)
	h := c.Writer.Header()
	set(h, head)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	c.Status(http.StatusOK)
	if n, err := io.Copy(c.Writer, br); err != nil {
		// The status is sent: the short body (against Content-Length) tells the client.
		a.log.Warn("file download cut short", "bucket", bucket, "sent_bytes", n, "err", err, "request_id", c.GetString(requestIDKey))
		c.Abort()
	}
}

// contentDisposition names a download in RFC 5987's encoding, which every
// browser reads and which cannot break out of the header.
func contentDisposition(inline bool, name string) string {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	if name == "" {
		name = "file"
	}
	var b strings.Builder
	b.WriteString(kind + "; filename*=UTF-8''")
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("!#$&+-.^_`|~", ch) >= 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}
