package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/media"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// importBatch is how many rows an import collects before it inserts them.
const importBatch = 500

// maxImportLine bounds one line of an imported file (a message of 10,000
// characters with its payload fits many times over).
const maxImportLine = 4 << 20

// ImportPart reads visitors, conversations, messages and bookings back from
// the archive's JSON Lines files into an empty workspace, in one
// transaction: a bad row (Invalid, naming the file and line) leaves nothing
// written. Files absent from the request count as empty; the CSV files,
// copies for spreadsheets, are not read.
func (a *App) ImportPart(ctx context.Context, r contracts.ImportPartRequest) (contracts.ImportPart, error) {
	out := contracts.ImportPart{Counts: map[string]int64{}}
	if !ids.Valid(r.TenantID) || !ids.Valid(r.ImportID) {
		return out, apperr.InvalidField("import_id", "tenant and import ids must be UUIDs")
	}
	members := memberMap{}
	for from, to := range r.MemberMap {
		if !ids.Valid(from) || !ids.Valid(to) {
			return out, apperr.InvalidField("member_map", "member ids must be UUIDs")
		}
		members[from] = to
	}
	var written []store.File // objects to delete if the import fails
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		has, err := tx.HasConversations()
		if err != nil {
			return err
		}
		if has {
			return apperr.New(apperr.Conflict, "this workspace already has conversations: import into a new, empty one")
		}
		im := &importer{a: a, ctx: ctx, tx: tx, files: r.Files, members: members, lastSeq: map[string]int64{}, written: &written}
		for _, step := range []struct {
			file string
			read func(raw []byte) error
			end  func() error
		}{
			{domain.FileVisitors, im.visitor, im.flushVisitors},
			{domain.FileConversations, im.conversation, im.flushConversations},
			{domain.FileMessages, im.message, im.flushMessages},
			{domain.FileFiles, im.attachment, im.flushFiles},
			{domain.FileBookings, im.booking, im.flushBookings},
			{domain.FileActivities, im.activity, im.flushActivities},
		} {
			n, err := im.read(ctx, step.file, step.read, step.end)
			if err != nil {
				return err
			}
			out.Counts[step.file] = n
		}
		return nil
	})
	if err != nil {
		a.deleteBlobs(ctx, r.TenantID, written)
		return contracts.ImportPart{}, err
	}
	if _, err := a.rebuildReports(ctx, r.TenantID); err != nil {
		// The import stands; an owner can rebuild the reports later.
		a.log.Warn("reports after import", "tenant", r.TenantID, "err", err)
	}
	return out, nil
}

// importer holds one import's pending batch and what later files are checked
// against: the conversations read so far and their last seq.
type importer struct {
	a       *App
	ctx     context.Context
	tx      *store.Tx
	files   map[string]string
	members memberMap
	lastSeq map[string]int64

	file          string
	first         int // line of the pending batch's first row
	visitors      []store.Visitor
	conversations []store.Conversation
	messages      []store.Message
	bookings      []store.Booking
	activities    []contracts.Activity
	attachments   []domain.FileRow
	written       *[]store.File
}

// read streams one file line by line into row, calling end after each batch
// and at the end of the file, and returns how many rows it had.
func (im *importer) read(ctx context.Context, file string, row func(raw []byte) error, end func() error) (int64, error) {
	object, ok := im.files[file]
	if !ok {
		return 0, nil
	}
	rc, err := im.a.objects.Get(ctx, object)
	if apperr.Is(err, apperr.NotFound) {
		return 0, apperr.InvalidField("file", "%s is missing from the upload", file)
	}
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	im.file, im.first = file, 0
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), maxImportLine)
	var n int64
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		if im.first == 0 {
			im.first = line
		}
		if err := row(raw); err != nil {
			return n, im.invalid(line, err)
		}
		n++
		if n%importBatch == 0 {
			if err := im.flush(end, line); err != nil {
				return n, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return n, im.invalid(line+1, fmt.Errorf("the line is longer than %d bytes", maxImportLine))
		}
		return n, err
	}
	return n, im.flush(end, line)
}

func (im *importer) invalid(line int, err error) error {
	return apperr.InvalidField("file", "%s line %d: %v", im.file, line, err)
}

// flush inserts the pending batch (up to line last). A row whose key is
// taken is Invalid: an id (or a conversation's seq) repeated in the file,
// or — since ids are kept and conversation, message and booking ids are
// unique on a server — the archive's own workspace still on this server.
func (im *importer) flush(end func() error, last int) error {
	err := end()
	if db.IsDuplicate(err) {
		return apperr.InvalidField("file", "%s lines %d–%d: an id is already taken: repeated in the file, or used by another workspace on this server "+
			"(an import keeps ids: import on another server, or delete the workspace the archive came from first)", im.file, im.first, last)
	}
	im.first = 0
	return err
}

// decode reads one row strictly: unknown fields are refused.
func decode(raw []byte, v interface{ Check() error }) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not a valid row: %v", err)
	}
	if dec.More() {
		return fmt.Errorf("more than one JSON value on the line")
	}
	return v.Check()
}

func (im *importer) visitor(raw []byte) error {
	var r domain.VisitorRow
	if err := decode(raw, &r); err != nil {
		return err
	}
	im.visitors = append(im.visitors, visitorFromRow(r))
	return nil
}

func (im *importer) flushVisitors() error {
	err := im.tx.InsertVisitors(im.visitors)
	im.visitors = im.visitors[:0]
	return err
}

func (im *importer) conversation(raw []byte) error {
	var r domain.ConversationRow
	if err := decode(raw, &r); err != nil {
		return err
	}
	if _, dup := im.lastSeq[r.ID]; dup {
		return fmt.Errorf("conversation %s appears twice", r.ID)
	}
	im.lastSeq[r.ID] = r.LastSeq
	im.conversations = append(im.conversations, conversationFromRow(r, im.members))
	return nil
}

func (im *importer) flushConversations() error {
	if err := im.tx.InsertConversations(im.conversations); err != nil {
		return err
	}
	// A snoozed conversation wakes up at its time here too.
	for _, c := range im.conversations {
		if c.Status == contracts.StatusSnoozed && c.SnoozeUntil != nil {
			if err := im.tx.SetTimer(store.TimerSnooze, c.ID, *c.SnoozeUntil); err != nil {
				return err
			}
		}
	}
	im.conversations = im.conversations[:0]
	return nil
}

func (im *importer) message(raw []byte) error {
	var r domain.MessageRow
	if err := decode(raw, &r); err != nil {
		return err
	}
	last, ok := im.lastSeq[r.ConversationID]
	if !ok {
		return fmt.Errorf("conversation_id %s is not in %s", r.ConversationID, domain.FileConversations)
	}
	if r.Seq > last {
		return fmt.Errorf("seq %d is after its conversation's last_seq %d", r.Seq, last)
	}
	im.messages = append(im.messages, messageFromRow(r, im.members))
	return nil
}

func (im *importer) flushMessages() error {
	err := im.tx.InsertMessages(im.messages)
	im.messages = im.messages[:0]
	return err
}

func (im *importer) booking(raw []byte) error {
	var r domain.BookingRow
	if err := decode(raw, &r); err != nil {
		return err
	}
	if _, ok := im.lastSeq[r.ConversationID]; !ok {
		return fmt.Errorf("conversation_id %s is not in %s", r.ConversationID, domain.FileConversations)
	}
	im.bookings = append(im.bookings, bookingFromRow(r))
	return nil
}

func (im *importer) activity(raw []byte) error {
	var r domain.ActivityRow
	if err := decode(raw, &r); err != nil {
		return err
	}
	if _, ok := im.lastSeq[r.ConversationID]; !ok {
		return fmt.Errorf("conversation_id %s is not in %s", r.ConversationID, domain.FileConversations)
	}
	im.activities = append(im.activities, activityFromRow(r.Activity, im.members))
	return nil
}

// flushActivities stores imported history without publishing it: the
// reports are rebuilt from it when the import ends.
func (im *importer) flushActivities() error {
	err := im.tx.InsertActivities(im.activities)
	im.activities = im.activities[:0]
	return err
}

func (im *importer) flushBookings() error {
	err := im.tx.InsertBookings(im.bookings)
	im.bookings = im.bookings[:0]
	return err
}

func (im *importer) attachment(raw []byte) error {
	var r domain.FileRow
	if err := decode(raw, &r); err != nil {
		return err
	}
	if _, ok := im.lastSeq[r.ConversationID]; !ok {
		return fmt.Errorf("conversation_id %s is not in %s", r.ConversationID, domain.FileConversations)
	}
	if _, ok := im.files[domain.AttachmentPart(r.ID)]; !ok {
		return fmt.Errorf("%s is missing from the archive", domain.AttachmentPart(r.ID))
	}
	im.attachments = append(im.attachments, r)
	return nil
}

// maxImportFile bounds one imported attachment (a plan's limit may have
// been higher where it came from; this only stops a runaway part).
const maxImportFile = 1 << 30

// flushFiles checks the batch's messages, stores each file's bytes as an
// upload's are (sniffed, images re-encoded) and inserts the rows.
func (im *importer) flushFiles() error {
	if len(im.attachments) == 0 {
		return nil
	}
	mids := make([]string, len(im.attachments))
	for i, r := range im.attachments {
		mids[i] = r.MessageID
	}
	known, err := im.tx.MessageConversations(mids)
	if err != nil {
		return err
	}
	rows := make([]store.File, 0, len(im.attachments))
	for _, r := range im.attachments {
		if known[r.MessageID] != r.ConversationID {
			return apperr.InvalidField("file", "%s: file %s: message_id %s is not a message of conversation %s in %s", im.file, r.ID, r.MessageID, r.ConversationID, domain.FileMessages)
		}
		uploader := im.members.author(r.Uploader)
		conv, msg := r.ConversationID, r.MessageID
		f := store.File{ID: r.ID, ConversationID: &conv, MessageID: &msg, UploaderType: string(uploader.Type), UploaderID: uploader.ID,
			Name: media.SafeName(r.Name), CreatedAt: r.CreatedAt}
		if err := im.storeFile(&f); err != nil {
			return err
		}
		rows = append(rows, f)
	}
	im.attachments = im.attachments[:0]
	return im.tx.InsertFiles(rows)
}

func (im *importer) storeFile(f *store.File) error {
	part := domain.AttachmentPart(f.ID)
	rc, err := im.a.objects.Get(im.ctx, im.files[part])
	if apperr.Is(err, apperr.NotFound) {
		return apperr.InvalidField("file", "%s is missing from the upload", part)
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	err = im.a.storeFile(im.ctx, im.tx.TenantID, f, io.LimitReader(rc, maxImportFile+1), maxImportFile, func(string) error { return nil })
	if err != nil {
		if e := apperr.As(err); e.Code != apperr.Internal {
			return apperr.InvalidField("file", "%s: %s", part, e.Message)
		}
		return err
	}
	*im.written = append(*im.written, *f)
	return nil
}
