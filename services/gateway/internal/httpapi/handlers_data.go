package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
)

// Exports and imports of a whole workspace. The tenant service keeps the
// jobs; the gateway only moves the archives between the client and the
// Object Store (contracts.DataBucket), streamed both ways, never whole in
// memory. Those two routes run without the request timeout (they are bounded
// by PARLEY_DATA_TRANSFER_TIMEOUT instead) and outside bind's 1 MiB limit
// (an upload is bounded by PARLEY_IMPORT_MAX_BYTES).

func (a *API) createExport(c *gin.Context) {
	respond(c, a.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusAccepted)
}

func (a *API) listExports(c *gin.Context) {
	respond(c, a.nc, contracts.TenantExportList, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

func (a *API) getExport(c *gin.Context) {
	respond(c, a.nc, contracts.TenantExportGet, contracts.IDRequest{Principal: principal(c), ID: c.Param("id")}, http.StatusOK)
}

var errNoSuchDownload = apperr.NotFoundf("this download link is invalid, used or expired; open the export again for a new one")

// downloadExport streams a finished archive. The single-use token in the
// query is the credential (so a plain link works); tenant redeems it.
func (a *API) downloadExport(c *gin.Context) {
	token := c.Query("token")
	if token == "" {
		fail(c, errNoSuchDownload)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), a.cfg.RequestTimeout)
	d, err := natsx.Call(ctx, a.nc, contracts.TenantExportDownload, contracts.ExportDownloadRequest{ExportID: c.Param("id"), Token: token, IP: c.ClientIP()})
	cancel()
	if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Invalid) || err == nil && a.revoked.TenantDeleted(d.TenantID) {
		fail(c, errNoSuchDownload)
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	// Get needs a deadline of its own: without one the client library cuts
	// the read after its default timeout.
	ctx, cancel = context.WithTimeout(c.Request.Context(), a.cfg.DataTransferTimeout)
	defer cancel()
	obj, err := a.objects.Get(ctx, d.Object)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		fail(c, errNoSuchDownload)
		return
	}
	if err != nil {
		fail(c, a.storeError(c, err))
		return
	}
	defer obj.Close()
	info, err := obj.Info()
	if err != nil {
		fail(c, a.storeError(c, err))
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.FileName}))
	h.Set("Content-Length", strconv.FormatUint(info.Size, 10))
	c.Status(http.StatusOK)
	if n, err := io.Copy(c.Writer, obj); err != nil {
		// The status is sent: the short body (against Content-Length) tells the client.
		a.log.Warn("export download cut short", "export_id", d.ExportID, "sent_bytes", n, "err", err, "request_id", c.GetString(requestIDKey))
		c.Abort()
	}
}

// storeError logs a failure of the Object Store and tells the client to retry.
func (a *API) storeError(c *gin.Context, err error) error {
	a.log.Warn("object store", "err", err, "route", c.FullPath(), "request_id", c.GetString(requestIDKey))
	return apperr.New(apperr.Unavailable, "the file store is not available; try again in a moment")
}

func (a *API) listImports(c *gin.Context) {
	respond(c, a.nc, contracts.TenantImportList, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

func (a *API) getImport(c *gin.Context) {
	respond(c, a.nc, contracts.TenantImportGet, contracts.IDRequest{Principal: principal(c), ID: c.Param("id")}, http.StatusOK)
}

// zipMagic starts every zip archive (a local file header).
var zipMagic = []byte("PK\x03\x04")

// multipartSlack is what a multipart body may carry beyond the file itself
// (boundaries, part headers).
const multipartSlack = 64 << 10

// startImport takes an export archive (the body itself, or the multipart
// field "file") into an empty workspace: it refuses a workspace with
// conversations or a running import before reading a byte, streams the body
// into the Object Store within PARLEY_IMPORT_MAX_BYTES, and asks tenant to
// import it.
func (a *API) startImport(c *gin.Context) {
	p := principal(c)
	if err := a.importAllowed(c, p); err != nil {
		fail(c, err)
		return
	}
	file, err := a.uploadedFile(c)
	if err != nil {
		fail(c, err)
		return
	}
	importID := ids.New()
	object := contracts.ImportUploadObject(p.TenantID, importID)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), a.cfg.DataTransferTimeout)
	defer cancel()
	// On a read error Put purges the chunks it wrote, so an upload cut short
	// (or over the limit) leaves nothing behind. Its context outlives the
	// client, so that purge runs even when the client hung up.
	info, err := a.objects.Put(ctx, jetstream.ObjectMeta{Name: object}, file)
	if err != nil {
		fail(c, a.uploadError(c, err))
		return
	}
	rctx, rcancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer rcancel()
	imp, err := natsx.Call(rctx, a.nc, contracts.TenantImportStart, contracts.ImportStartRequest{
		Principal: p, ImportID: importID, Object: object, SizeBytes: int64(info.Size),
	})
	if err != nil {
		if derr := natsx.DeleteObject(ctx, a.js, a.objects, object); derr != nil {
			a.log.Warn("delete refused import upload", "object", object, "err", derr)
		}
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, imp)
}

// importAllowed refuses a workspace that already has conversations or an
// import under way, so no one uploads half a gigabyte to be told no.
func (a *API) importAllowed(c *gin.Context, p contracts.Principal) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), a.cfg.RequestTimeout)
	defer cancel()
	page, err := natsx.Call(ctx, a.nc, contracts.ConversationList, contracts.ListRequest{Actor: memberActor(p), Limit: 1})
	if err != nil {
		return err
	}
	if len(page.Conversations) > 0 {
		return apperr.New(apperr.Conflict, "this workspace already has conversations; import into a new, empty workspace")
	}
	imports, err := natsx.Call(ctx, a.nc, contracts.TenantImportList, contracts.PrincipalRequest{Principal: p})
	if err != nil {
		return err
	}
	for _, im := range imports.Imports {
		if im.Status == contracts.JobQueued || im.Status == contracts.JobRunning {
			return apperr.New(apperr.Conflict, "an import is already under way in this workspace")
		}
	}
	return nil
}

// uploadedFile returns the archive's bytes: the body (application/zip) or
// the multipart field "file", checked to start like a zip. Its read errors
// are *readError, within the limit or errTooLarge past it.
func (a *API) uploadedFile(c *gin.Context) (io.Reader, error) {
	max := a.cfg.ImportMaxBytes
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var file io.Reader
	switch mt {
	case "application/zip", "application/x-zip-compressed":
		if c.Request.ContentLength > max {
			return nil, tooLarge(max)
		}
		file = c.Request.Body
	case "multipart/form-data":
		if c.Request.ContentLength > max+multipartSlack {
			return nil, tooLarge(max)
		}
		// Bounds the parts before "file" too.
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max+multipartSlack)
		mr, err := c.Request.MultipartReader()
		if err != nil {
			return nil, apperr.InvalidField("file", "the multipart body could not be read")
		}
		for file == nil {
			part, err := mr.NextPart()
			if err != nil {
				return nil, a.uploadError(c, &readError{err})
			}
			if part.FormName() == "file" {
				file = part
			}
		}
	default:
		return nil, apperr.New(apperr.UnsupportedMedia, `send the export archive as application/zip, or as the field "file" of multipart/form-data`)
	}
	br := bufio.NewReader(&limitedReader{r: file, left: max})
	head, err := br.Peek(len(zipMagic))
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, a.uploadError(c, err)
	}
	if !bytes.Equal(head, zipMagic) {
		return nil, apperr.InvalidField("file", "the file is not a Parley export archive (a .zip file)")
	}
	return br, nil
}

// errTooLarge is what limitedReader returns past its limit.
var errTooLarge = errors.New("upload over the limit")

// readError is a failure to read the client's upload (as opposed to one of
// the Object Store).
type readError struct{ err error }

func (e *readError) Error() string { return "read upload: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// limitedReader reads an upload, failing with errTooLarge once more than
// left bytes came, and wrapping the client's own read errors in readError.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, errTooLarge
	}
	if err != nil && !errors.Is(err, io.EOF) {
		err = &readError{err}
	}
	return n, err
}

func tooLarge(max int64) error {
	e := apperr.New(apperr.TooLarge, "the archive is larger than the %d bytes this server accepts (PARLEY_IMPORT_MAX_BYTES)", max)
	e.Field = "file"
	return e
}

// uploadError maps a failure while taking in an upload: over the limit 413,
// a client that stopped half-way 400, the Object Store failing 503.
func (a *API) uploadError(c *gin.Context, err error) error {
	var (
		maxBytes *http.MaxBytesError
		read     *readError
	)
	switch {
	case errors.Is(err, errTooLarge), errors.As(err, &maxBytes):
		return tooLarge(a.cfg.ImportMaxBytes)
	case errors.Is(err, io.EOF):
		return apperr.InvalidField("file", `the multipart body has no field "file"`)
	case errors.As(err, &read):
		return apperr.InvalidField("file", "the upload was cut short or could not be read")
	}
	return a.storeError(c, err)
}
