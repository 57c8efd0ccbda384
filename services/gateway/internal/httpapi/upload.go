package httpapi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
)

// Uploads of files: attachments, photos and logos. The gateway streams the
// multipart field "file" into contracts.UploadBucket, never whole in memory
// (mime/multipart's reader, not ParseMultipartForm, which spills to disk),
// counting bytes as they come, then hands the upload to the service that
// owns the record, which sniffs, re-encodes and moves it. An upload no
// service took is deleted at once; one a crash left behind expires with the
// bucket's TTL.

// MaxImageUploadBytes bounds an uploaded photo or logo (before re-encoding).
const MaxImageUploadBytes = 5 << 20

// UploadRateLimitPerMinute and UploadRateBurst limit uploads per client IP.
const (
	UploadRateLimitPerMinute = 30
	UploadRateBurst          = 10
)

// AcceptTimeout bounds the owner's work on an upload (reading it back,
// sniffing, re-encoding an image of up to contracts.MaxImagePixels, writing
// the result), which a loaded machine cannot promise within the request
// timeout.
const AcceptTimeout = time.Minute

// received is an upload stored in UploadBucket.
type received struct {
	id, object string
	name       string // the client's file name, shown only
	size       int64
}

// receive stores the multipart field "file" of the request, at most max
// bytes, in UploadBucket under the tenant. Content-Length over the limit is
// refused before a byte is read; a body without one is cut at max+1 bytes.
func (a *API) receive(c *gin.Context, tenantID string, max int64) (received, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		e := apperr.New(apperr.UnsupportedMedia, `send the file as the field "file" of a multipart/form-data body`)
		e.Field = "file"
		return received{}, e
	}
	if c.Request.ContentLength > max+multipartSlack {
		return received{}, fileTooLarge(max)
	}
	// Bounds whatever comes before the file too.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max+multipartSlack)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return received{}, apperr.InvalidField("file", "the multipart body could not be read")
	}
	var name string
	var file io.Reader
	for file == nil {
		part, err := mr.NextPart()
		if err != nil {
			return received{}, a.receiveError(c, &readError{err}, max)
		}
		if part.FormName() == "file" {
			name, file = part.FileName(), part
		}
	}
	br := bufio.NewReader(&limitedReader{r: file, left: max})
	if _, err := br.Peek(1); err != nil {
		if errors.Is(err, io.EOF) {
			return received{}, apperr.InvalidField("file", "the file is empty")
		}
		return received{}, a.receiveError(c, err, max)
	}
	up := received{id: ids.New(), name: name}
	up.object = contracts.UploadObject(tenantID, up.id)
	// The store's context outlives the client, so that an upload cut short
	// is cleaned up even when the client hung up.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), a.cfg.DataTransferTimeout)
	defer cancel()
	if up.size, err = a.uploads.Put(ctx, up.object, br); err != nil {
		a.dropUpload(ctx, up.object)
		return received{}, a.receiveError(c, err, max)
	}
	return up, nil
}

// receiveError maps a failure while taking in an upload: over the limit
// 413, a client that stopped half-way or sent no file 400, the store 503.
func (a *API) receiveError(c *gin.Context, err error, max int64) error {
	var (
		maxBytes *http.MaxBytesError
		read     *readError
	)
	switch {
	case errors.Is(err, errTooLarge), errors.As(err, &maxBytes):
		return fileTooLarge(max)
	case errors.Is(err, io.EOF):
		return apperr.InvalidField("file", `the multipart body has no field "file"`)
	case errors.As(err, &read):
		return apperr.InvalidField("file", "the upload was cut short or could not be read")
	}
	return a.storeError(c, err)
}

func fileTooLarge(max int64) error {
	e := apperr.New(apperr.TooLarge, "the file is larger than %s, the limit here", sizeText(max))
	e.Field = "file"
	return e
}

// sizeText writes a byte count for people: "10 MB", "512 KB", "1500 bytes".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// dropUpload deletes an upload that no service took.
func (a *API) dropUpload(ctx context.Context, object string) {
	if err := a.uploads.Delete(ctx, object); err != nil {
		a.log.Warn("delete refused upload", "object", object, "err", err)
	}
}

// handOver asks the owner to take an upload and answers with what it
// returns; if the owner refused or did not answer, the upload is deleted.
func handOver[Req, Resp any](a *API, c *gin.Context, up received, ep contracts.Endpoint[Req, Resp], req Req, status int) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), max(a.cfg.RequestTimeout, AcceptTimeout))
	defer cancel()
	out, err := natsx.Call(ctx, a.nc, ep, req)
	if err != nil {
		a.dropUpload(ctx, up.object)
		fail(c, err)
		return
	}
	c.JSON(status, out)
}

// call is natsx.Call bounded by the request timeout, for routes that run
// without the v1 group's deadline (their transfers may take longer).
func call[Req, Resp any](a *API, c *gin.Context, ep contracts.Endpoint[Req, Resp], req Req) (Resp, error) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), a.cfg.RequestTimeout)
	defer cancel()
	return natsx.Call(ctx, a.nc, ep, req)
}
