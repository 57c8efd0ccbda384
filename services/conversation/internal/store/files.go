package store

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
)

// TimerUpload sweeps an upload nobody sent (ref: file id).
const TimerUpload = "upload"

// File is a row of files: an attachment, unsent while MessageID is nil.
type File struct {
	ID             string
	TenantID       string
	ConversationID *string
	MessageID      *string
	UploaderType   string
	UploaderID     string
	Name           string
	ContentType    string
	Kind           string
	Inline         bool
	Size           int64
	Width          int
	Height         int
	HasThumb       bool
	ThumbType      string
	ThumbSize      int64
	CreatedAt      time.Time
}

// Conversation is the file's conversation id, "" while unsent.
func (f File) Conversation() string {
	if f.ConversationID == nil {
		return ""
	}
	return *f.ConversationID
}

// InsertFile stores an accepted upload.
func (tx *Tx) InsertFile(f *File) error {
	f.TenantID = tx.TenantID
	return tx.DB.Table("files").Create(f).Error
}

// File loads a file of the tenant; found is false if there is none.
func (tx *Tx) File(id string) (File, bool, error) {
	var f File
	err := tx.DB.Table("files").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Take(&f).Error
	if db.IsNotFound(err) {
		return f, false, nil
	}
	return f, err == nil, err
}

// LockUnsentFiles locks and returns those of ids that uploader uploaded and
// has not sent.
func (tx *Tx) LockUnsentFiles(uploaderType contracts.AuthorType, uploaderID string, ids []string) ([]File, error) {
	var rows []File
	err := tx.Locked().Table("files").Where("tenant_id = ? AND id IN ? AND uploader_type = ? AND uploader_id = ? AND message_id IS NULL",
		tx.TenantID, ids, uploaderType, uploaderID).Find(&rows).Error
	return rows, err
}

// AttachFiles marks unsent files as sent with a message and reports how
// many it marked.
func (tx *Tx) AttachFiles(ids []string, conversationID, messageID string) (int64, error) {
	res := tx.DB.Exec(`UPDATE files SET conversation_id = ?, message_id = ? WHERE tenant_id = ? AND id IN ? AND message_id IS NULL`,
		conversationID, messageID, tx.TenantID, ids)
	return res.RowsAffected, res.Error
}

// FilesOfMessages maps message ids to their files, in upload order.
func (tx *Tx) FilesOfMessages(messageIDs []string) (map[string][]File, error) {
	out := map[string][]File{}
	if len(messageIDs) == 0 {
		return out, nil
	}
	var rows []File
	err := tx.DB.Table("files").Where("tenant_id = ? AND message_id IN ?", tx.TenantID, messageIDs).Order("created_at, id").Find(&rows).Error
	for _, f := range rows {
		out[*f.MessageID] = append(out[*f.MessageID], f)
	}
	return out, err
}

// DeleteFilesOfMessage deletes a message's files and returns them.
func (tx *Tx) DeleteFilesOfMessage(messageID string) ([]File, error) {
	var rows []File
	if err := tx.DB.Table("files").Where("tenant_id = ? AND message_id = ?", tx.TenantID, messageID).Find(&rows).Error; err != nil {
		return nil, err
	}
	return rows, tx.DB.Exec(`DELETE FROM files WHERE tenant_id = ? AND message_id = ?`, tx.TenantID, messageID).Error
}

// DeleteUnsentFile deletes a file if it is still unsent and reports it.
func (tx *Tx) DeleteUnsentFile(id string) (File, bool, error) {
	var rows []File
	if err := tx.DB.Table("files").Where("tenant_id = ? AND id = ? AND message_id IS NULL", tx.TenantID, id).Find(&rows).Error; err != nil || len(rows) == 0 {
		return File{}, false, err
	}
	err := tx.DB.Exec(`DELETE FROM files WHERE tenant_id = ? AND id = ? AND message_id IS NULL`, tx.TenantID, id).Error
	return rows[0], err == nil, err
}

// DeleteUploaderFiles deletes every file an uploader has not sent (an
// erased visitor's) and returns them.
func (tx *Tx) DeleteUploaderFiles(uploaderType contracts.AuthorType, uploaderID string) ([]File, error) {
	var rows []File
	q := "tenant_id = ? AND uploader_type = ? AND uploader_id = ? AND message_id IS NULL"
	if err := tx.DB.Table("files").Where(q, tx.TenantID, uploaderType, uploaderID).Find(&rows).Error; err != nil {
		return nil, err
	}
	return rows, tx.DB.Exec(`DELETE FROM files WHERE `+q, tx.TenantID, uploaderType, uploaderID).Error
}

// deleteConversationFiles deletes the files of conversations and returns them.
func (tx *Tx) deleteConversationFiles(ids []string) ([]File, error) {
	var rows []File
	if err := tx.DB.Table("files").Where("tenant_id = ? AND conversation_id IN ?", tx.TenantID, ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	return rows, tx.DB.Exec(`DELETE FROM files WHERE tenant_id = ? AND conversation_id IN ?`, tx.TenantID, ids).Error
}

// UploaderUsage counts an uploader's unsent files and the bytes they
// uploaded since since.
func (tx *Tx) UploaderUsage(uploaderType contracts.AuthorType, uploaderID string, since time.Time) (unsent int64, bytes int64, err error) {
	base := "tenant_id = ? AND uploader_type = ? AND uploader_id = ?"
	if err = tx.DB.Table("files").Where(base+" AND message_id IS NULL", tx.TenantID, uploaderType, uploaderID).Count(&unsent).Error; err != nil {
		return
	}
	err = tx.DB.Table("files").Select("coalesce(sum(size + thumb_size), 0)").
		Where(base+" AND created_at >= ?", tx.TenantID, uploaderType, uploaderID, since).Scan(&bytes).Error
	return
}

// StorageUsed sums the bytes and counts the files the tenant stores.
func (tx *Tx) StorageUsed() (bytes int64, files int64, err error) {
	var r struct {
		Bytes int64
		Files int64
	}
	err = tx.DB.Table("files").Select("coalesce(sum(size + thumb_size), 0) AS bytes, count(*) AS files").Where("tenant_id = ?", tx.TenantID).Scan(&r).Error
	return r.Bytes, r.Files, err
}

// LockStorage makes concurrent uploads of one tenant take turns
// (PostgreSQL; SQLite has one writer anyway), so two cannot both take the
// last bytes of the storage quota.
func (tx *Tx) LockStorage() error {
	if tx.DB.Dialector.Name() != "postgres" {
		return nil
	}
	return tx.DB.Exec(`SELECT pg_advisory_xact_lock(hashtext(?))`, "storage:"+tx.TenantID).Error
}

// FileKey returns the tenant's URL-signing key; with create, it makes one
// on first use, otherwise a tenant without one gets nil.
func (tx *Tx) FileKey(create bool) ([]byte, error) {
	if create {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		if err := tx.DB.Exec(`INSERT INTO file_keys (tenant_id, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO NOTHING`,
			tx.TenantID, hex.EncodeToString(b), Now()).Error; err != nil {
			return nil, err
		}
	}
	var secrets []string
	if err := tx.DB.Table("file_keys").Where("tenant_id = ?", tx.TenantID).Pluck("secret", &secrets).Error; err != nil || len(secrets) == 0 {
		return nil, err
	}
	return hex.DecodeString(secrets[0])
}

// FilePage lists up to limit sent files after k, by (created_at, id).
func (tx *Tx) FilePage(k Key, limit int) ([]File, error) {
	var rows []File
	err := after(tx.DB.Table("files").Where("tenant_id = ? AND message_id IS NOT NULL", tx.TenantID), k, limit).Find(&rows).Error
	return rows, err
}

// InsertFiles adds imported files of the tenant.
func (tx *Tx) InsertFiles(rows []File) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].TenantID = tx.TenantID
	}
	return tx.DB.Table("files").CreateInBatches(rows, insertBatch).Error
}

// MessageConversations maps those of ids that are messages of the tenant to
// their conversation.
func (tx *Tx) MessageConversations(ids []string) (map[string]string, error) {
	var rows []struct {
		ID             string
		ConversationID string
	}
	err := tx.DB.Table("messages").Select("id, conversation_id").Where("tenant_id = ? AND id IN ?", tx.TenantID, ids).Scan(&rows).Error
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.ConversationID
	}
	return out, err
}
