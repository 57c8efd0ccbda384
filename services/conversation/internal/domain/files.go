package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
)

// Signed file URLs. A token names one file (or its thumbnail) of one
// conversation of one tenant until an expiry, and carries an HMAC-SHA256 of
// all of that under the tenant's file key:
//
//	base64url("f1|<tenant>|<conversation>|<file>|<variant>|<unix expiry>") "." base64url(mac)
//
// The token is the credential (an <img src> sends no header), so it is
// short-lived; clients renew it with ConversationFileGet. An unsent upload's
// token has an empty conversation.

// FileURLLifetime is how long a signed file URL works.
const FileURLLifetime = 15 * time.Minute

// Variants of a file a token may name.
const (
	VariantFile  = ""
	VariantThumb = "thumb"
)

// FileToken is what a signed URL's token says.
type FileToken struct {
	TenantID       string
	ConversationID string // "" for an unsent upload
	FileID         string
	Variant        string
	ExpiresAt      time.Time
}

const tokenVersion = "f1"

func (t FileToken) payload() string {
	return strings.Join([]string{tokenVersion, t.TenantID, t.ConversationID, t.FileID, t.Variant, strconv.FormatInt(t.ExpiresAt.Unix(), 10)}, "|")
}

func mac(key []byte, payload string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// Sign returns the token of t under key.
func (t FileToken) Sign(key []byte) string {
	p := t.payload()
	return base64.RawURLEncoding.EncodeToString([]byte(p)) + "." + base64.RawURLEncoding.EncodeToString(mac(key, p))
}

// FileURL is the signed URL path of a token.
func FileURL(token string) string { return "/api/v1/files/" + token }

// ParseFileToken reads a token without checking it: the tenant it names
// picks the key that CheckFileToken needs. Anything malformed is NotFound.
func ParseFileToken(token string) (FileToken, error) {
	bad := apperr.NotFoundf("file not found")
	body, _, ok := strings.Cut(token, ".")
	if !ok || len(token) > 512 {
		return FileToken{}, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return FileToken{}, bad
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 6 || parts[0] != tokenVersion || !ids.Valid(parts[1]) || !ids.Valid(parts[3]) ||
		(parts[2] != "" && !ids.Valid(parts[2])) || (parts[4] != VariantFile && parts[4] != VariantThumb) {
		return FileToken{}, bad
	}
	exp, err := strconv.ParseInt(parts[5], 10, 64)
	if err != nil {
		return FileToken{}, bad
	}
	return FileToken{TenantID: parts[1], ConversationID: parts[2], FileID: parts[3], Variant: parts[4], ExpiresAt: time.Unix(exp, 0).UTC()}, nil
}

// CheckFileToken verifies token under key at now: a forged or altered token
// is NotFound, a genuine one past its expiry is Gone.
func CheckFileToken(token string, key []byte, now time.Time) (FileToken, error) {
	t, err := ParseFileToken(token)
	if err != nil {
		return t, err
	}
	_, sig, _ := strings.Cut(token, ".")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, t.payload())) {
		return FileToken{}, apperr.NotFoundf("file not found")
	}
	if !now.Before(t.ExpiresAt) {
		return FileToken{}, apperr.New(apperr.Gone, "this file link has expired: ask for a new one")
	}
	return t, nil
}

// Limits of one visitor's uploads: unsent files at once, and bytes a day.
const (
	MaxUnsentPerVisitor   = 20
	MaxVisitorBytesPerDay = 100 << 20
)

// CheckAttachmentIDs validates the file ids of a message.
func CheckAttachmentIDs(fileIDs []string) error {
	if len(fileIDs) > contracts.MaxAttachments {
		return apperr.InvalidField("attachments", "a message carries at most %d files", contracts.MaxAttachments)
	}
	seen := map[string]bool{}
	for _, id := range fileIDs {
		if !ids.Valid(id) || seen[id] {
			return apperr.InvalidField("attachments", "attachments must be distinct ids of files you uploaded")
		}
		seen[id] = true
	}
	return nil
}

// CheckMessageContent validates a message's body, which may be empty when it
// carries files.
func CheckMessageContent(body string, fileIDs []string) error {
	if err := CheckAttachmentIDs(fileIDs); err != nil {
		return err
	}
	if len(fileIDs) > 0 && body == "" {
		return nil
	}
	return CheckBody(body)
}

// FileObject is where a file's bytes are in the attachments bucket, and
// ThumbObject its thumbnail's.
func FileObject(tenantID, fileID string) string  { return tenantID + "/" + fileID }
func ThumbObject(tenantID, fileID string) string { return tenantID + "/" + fileID + ".thumb" }

// KindAllowed reports whether a tenant's settings let a kind through.
func KindAllowed(s contracts.AttachmentSettings, kind string) bool {
	for _, k := range s.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}
