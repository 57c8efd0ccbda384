package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Objects is the Object Store bucket that export parts and import files live
// in (contracts.DataBucket).
type Objects interface {
	// Put stores everything r yields under name, replacing any object there.
	Put(ctx context.Context, name string, r io.Reader) error
	// Get opens an object; a missing one is apperr NotFound.
	Get(ctx context.Context, name string) (io.ReadCloser, error)
}

// exportPage is how many rows an export reads per transaction: short
// transactions, so an export never holds up the message path.
const exportPage = 1000

// ExportPart writes the tenant's visitors, conversations, messages and
// bookings under the request's prefix, streamed page by page (see
// domain/archive.go for the files). Each page is read in its own
// transaction, so the part is not a snapshot of one instant: a message sent
// during the export may or may not be in it.
func (a *App) ExportPart(ctx context.Context, r contracts.ExportPartRequest) (contracts.ExportPart, error) {
	var out contracts.ExportPart
	if err := r.Check(contracts.ServiceConversation); err != nil {
		return out, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // on failure, stops the uploads still running
	files := map[string]*objectWriter{}
	for _, f := range exportFiles {
		files[f.name] = a.upload(ctx, r.Prefix+f.name, f.header)
	}
	err := a.exportRows(ctx, r.TenantID, files)
	var attachments []contracts.ExportFile
	if err == nil {
		attachments, err = a.exportAttachments(ctx, r.TenantID, r.Prefix, files[domain.FileFiles])
	}
	for _, f := range exportFiles {
		w := files[f.name]
		if ferr := w.finish(err); err == nil && ferr != nil {
			err = ferr
		}
		out.Files = append(out.Files, contracts.ExportFile{Name: f.name, Object: w.name, Count: w.rows})
	}
	if err != nil {
		return contracts.ExportPart{}, err
	}
	out.Files = append(out.Files, attachments...)
	return out, nil
}

// exportAttachments writes files.jsonl and copies each sent file's bytes
// into its own part (thumbnails are made again on import).
func (a *App) exportAttachments(ctx context.Context, tenantID, prefix string, rows *objectWriter) ([]contracts.ExportFile, error) {
	var out []contracts.ExportFile
	var k store.Key
	for {
		var page []store.File
		if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) { page, err = tx.FilePage(k, exportPage); return err }); err != nil {
			return nil, err
		}
		for _, f := range page {
			if err := rows.json(fileRow(f)); err != nil {
				return nil, err
			}
			part := domain.AttachmentPart(f.ID)
			if err := a.copyAttachment(ctx, domain.FileObject(tenantID, f.ID), prefix+part); err != nil {
				return nil, err
			}
			out = append(out, contracts.ExportFile{Name: part, Object: prefix + part, Count: 1})
		}
		if len(page) < exportPage {
			return out, nil
		}
		k = store.Key{At: page[len(page)-1].CreatedAt, ID: page[len(page)-1].ID}
	}
}

func (a *App) copyAttachment(ctx context.Context, from, to string) error {
	rc, _, err := a.attachments.Get(ctx, from)
	if err != nil {
		return err
	}
	defer rc.Close()
	return a.objects.Put(ctx, to, rc)
}

// exportFiles are the files of the part, in the order the reply lists
// them; CSV files have a header.
var exportFiles = []struct {
	name   string
	header []string
}{
	{domain.FileVisitors, nil},
	{domain.FileConversations, nil},
	{domain.FileMessages, nil},
	{domain.FileBookings, nil},
	{domain.FileActivities, nil},
	{domain.FileFiles, nil},
	{domain.FileConversationsCSV, domain.ConversationCSVHeader},
	{domain.FileMessagesCSV, domain.MessageCSVHeader},
}

func (a *App) exportRows(ctx context.Context, tenantID string, f map[string]*objectWriter) error {
	// Visitors.
	var k store.Key
	for {
		var page []store.Visitor
		if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) { page, err = tx.VisitorPage(k, exportPage); return err }); err != nil {
			return err
		}
		for _, v := range page {
			if err := f[domain.FileVisitors].json(visitorRow(v)); err != nil {
				return err
			}
		}
		if len(page) < exportPage {
			break
		}
		k = store.Key{At: page[len(page)-1].CreatedAt, ID: page[len(page)-1].ID}
	}
	// Conversations, and their messages page by page.
	k = store.Key{}
	for {
		var page []store.Conversation
		var visitors map[string]store.Visitor
		err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) {
			if page, err = tx.ConversationPage(k, exportPage); err != nil {
				return err
			}
			vids := make([]string, len(page))
			for i, c := range page {
				vids[i] = c.VisitorID
			}
			visitors, err = tx.Visitors(vids)
			return err
		})
		if err != nil {
			return err
		}
		for _, c := range page {
			row := conversationRow(c)
			v := visitors[c.VisitorID]
			if err := f[domain.FileConversations].json(row); err != nil {
				return err
			}
			if err := f[domain.FileConversationsCSV].csv(row.ID, stamp(row.CreatedAt), stamp(row.UpdatedAt), stamp(row.LastActivityAt),
				row.Status, row.Handoff, row.Priority, domain.SpreadsheetText(strings.Join(row.Labels, "; ")), row.VisitorID,
				domain.SpreadsheetText(v.Name), domain.SpreadsheetText(v.Email), row.AssigneeID,
				strconv.FormatInt(row.LastSeq, 10), strconv.Itoa(row.UnreadCount)); err != nil {
				return err
			}
		}
		if err := a.exportMessages(ctx, tenantID, page, f); err != nil {
			return err
		}
		if len(page) < exportPage {
			break
		}
		k = store.Key{At: page[len(page)-1].CreatedAt, ID: page[len(page)-1].ID}
	}
	// Bookings.
	k = store.Key{}
	for {
		var page []store.Booking
		if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) { page, err = tx.BookingPage(k, exportPage); return err }); err != nil {
			return err
		}
		for _, b := range page {
			if err := f[domain.FileBookings].json(bookingRow(b)); err != nil {
				return err
			}
		}
		if len(page) < exportPage {
			break
		}
		k = store.Key{At: page[len(page)-1].CreatedAt, ID: page[len(page)-1].ID}
	}
	// Activities.
	k = store.Key{}
	for {
		var page []contracts.Activity
		if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) { page, err = tx.ActivityPage(k, exportPage); return err }); err != nil {
			return err
		}
		for _, act := range page {
			act.At = act.At.UTC()
			if err := f[domain.FileActivities].json(act); err != nil {
				return err
			}
		}
		if len(page) < exportPage {
			return nil
		}
		k = store.Key{At: page[len(page)-1].At, ID: page[len(page)-1].ID}
	}
}

// exportMessages writes the messages of a page of conversations, in the
// page's order and by seq within each. Conversations whose messages add up
// to at most a page (seq has no gaps: last_seq is their count) are read
// with one query; a longer one is read a page at a time.
func (a *App) exportMessages(ctx context.Context, tenantID string, page []store.Conversation, f map[string]*objectWriter) error {
	for len(page) > 0 {
		n, total := 0, int64(0)
		for n < len(page) && total+page[n].LastSeq <= exportPage {
			total += page[n].LastSeq
			n++
		}
		if n == 0 { // one long conversation
			if err := a.exportConversationMessages(ctx, tenantID, page[0].ID, f); err != nil {
				return err
			}
			page = page[1:]
			continue
		}
		run := make([]string, n)
		for i, c := range page[:n] {
			run[i] = c.ID
		}
		var rows []store.Message
		if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) { rows, err = tx.MessagesOf(run); return err }); err != nil {
			return err
		}
		byConversation := map[string][]store.Message{}
		for _, m := range rows {
			byConversation[m.ConversationID] = append(byConversation[m.ConversationID], m)
		}
		for _, id := range run {
			if err := writeMessages(byConversation[id], f); err != nil {
				return err
			}
		}
		page = page[n:]
	}
	return nil
}

func (a *App) exportConversationMessages(ctx context.Context, tenantID, conversationID string, f map[string]*objectWriter) error {
	var seq int64
	for {
		var page []store.Message
		if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) {
			page, err = tx.AllMessages(conversationID, seq, exportPage)
			return err
		}); err != nil {
			return err
		}
		if err := writeMessages(page, f); err != nil {
			return err
		}
		if len(page) < exportPage {
			return nil
		}
		seq = page[len(page)-1].Seq
	}
}

func writeMessages(ms []store.Message, f map[string]*objectWriter) error {
	for _, m := range ms {
		row := messageRow(m)
		if err := f[domain.FileMessages].json(row); err != nil {
			return err
		}
		if err := f[domain.FileMessagesCSV].csv(row.ID, row.ConversationID, strconv.FormatInt(row.Seq, 10), stamp(row.CreatedAt),
			string(row.Author.Type), row.Author.ID, domain.SpreadsheetText(row.Author.Name), row.Kind,
			strconv.FormatBool(row.Private), domain.SpreadsheetText(row.Body)); err != nil {
			return err
		}
	}
	return nil
}

// stamp is a time as the CSV files write it (RFC 3339, UTC).
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// objectWriter streams one file into the bucket: rows go through a pipe
// into Objects.Put, which runs alongside, so a file is never whole in memory.
type objectWriter struct {
	name string
	rows int64 // data rows written (CSV: without the header)
	pw   *io.PipeWriter
	buf  *bufio.Writer
	enc  *json.Encoder
	cw   *csv.Writer // CSV files only
	done chan error
}

// upload starts storing the object name; finish ends it. A CSV file's
// header comes first.
func (a *App) upload(ctx context.Context, name string, csvHeader []string) *objectWriter {
	pr, pw := io.Pipe()
	w := &objectWriter{name: name, pw: pw, buf: bufio.NewWriterSize(pw, 64<<10), done: make(chan error, 1)}
	w.enc = json.NewEncoder(w.buf)
	w.enc.SetEscapeHTML(false)
	go func() {
		err := a.objects.Put(ctx, name, pr)
		pr.CloseWithError(err) // once Put has stopped reading, writes fail (nil: io.ErrClosedPipe)
		w.done <- err
	}()
	if csvHeader != nil {
		w.cw = csv.NewWriter(w.buf)
		w.cw.UseCRLF = true       // RFC 4180
		_ = w.cw.Write(csvHeader) // an error shows at the next write or at finish
	}
	return w
}

func (w *objectWriter) json(row any) error {
	w.rows++
	return w.enc.Encode(row)
}

func (w *objectWriter) csv(cells ...string) error {
	w.rows++
	return w.cw.Write(cells)
}

// finish flushes and closes the object and waits for the store; with a
// non-nil failed, it aborts the upload instead.
func (w *objectWriter) finish(failed error) error {
	if failed == nil && w.cw != nil {
		w.cw.Flush()
		failed = w.cw.Error()
	}
	if failed == nil {
		failed = w.buf.Flush()
	}
	if failed != nil {
		w.pw.CloseWithError(failed)
		<-w.done
		return failed
	}
	w.pw.Close()
	return <-w.done
}
