package contracts

import "time"

// Files: attachments of messages, agents' photos and the tenant's logo.
//
// Every file lives in a JetStream Object Store bucket owned by the service
// that owns its record (conversation: attachments; identity: avatars;
// tenant: logos). The gateway streams an upload, never whole in memory,
// into UploadBucket, then asks the owner to accept it: the owner sniffs the
// type from the content, re-encodes images (which drops their metadata),
// makes thumbnails, moves the result into its own bucket and deletes the
// upload. Downloads go through the gateway, which streams the object out of
// the owner's bucket; attachments only through short-lived signed URLs that
// the conversation service issues and checks (ConversationFileOpen).

// Object Store buckets.
const (
	// UploadBucket holds uploads the gateway received and no service has
	// accepted yet, at UploadObject; its TTL removes what a crash left behind.
	UploadBucket = "PARLEY_UPLOADS"
	// AttachmentBucket holds message attachments: "<tenant>/<file>" and
	// "<tenant>/<file>.thumb" (conversation service).
	AttachmentBucket = "PARLEY_ATTACHMENTS"
	// AvatarBucket holds agents' photos, "<avatar id>" (identity service).
	AvatarBucket = "PARLEY_AVATARS"
	// LogoBucket holds tenants' logos, "<logo id>" (tenant service).
	LogoBucket = "PARLEY_LOGOS"
)

// UploadTTL is how long an upload stays in UploadBucket unclaimed.
const UploadTTL = time.Hour

// UploadObject is the object name of one upload.
func UploadObject(tenantID, uploadID string) string { return tenantID + "/" + uploadID }

// File kinds, from the sniffed content type. Tenants choose which kinds
// visitors and agents may send (AttachmentSettings.Kinds).
const (
	FileKindImage    = "image"    // PNG, JPEG, GIF, WebP: re-encoded, shown inline with a thumbnail
	FileKindDocument = "document" // PDF, plain text, CSV, office documents
	FileKindArchive  = "archive"  // zip, gzip, 7z, rar, tar
	FileKindMedia    = "media"    // audio and video
	FileKindOther    = "other"    // anything else, HTML, SVG and XML included: download only
)

// FileKinds lists the kinds in the order the dashboard shows them.
var FileKinds = []string{FileKindImage, FileKindDocument, FileKindArchive, FileKindMedia, FileKindOther}

// Limits of attachments.
const (
	// DefaultMaxFileBytes is the size limit of one file when the plan sets none.
	DefaultMaxFileBytes = 10 << 20
	// MaxAttachments is how many files one message may carry.
	MaxAttachments = 10
	// MaxFileNameLength is the longest file name kept, in characters.
	MaxFileNameLength = 200
	// MaxImagePixels bounds an image's width × height before it is decoded,
	// so a decompression bomb is refused without allocating its pixels.
	MaxImagePixels = 40_000_000
)

// AttachmentSettings are a tenant's rules for files in the chat (in Settings).
type AttachmentSettings struct {
	Enabled bool     `json:"enabled"` // on by default
	Kinds   []string `json:"kinds"`   // of FileKinds; default all but other
}

// DefaultAttachments are the attachment settings of a tenant that chose none.
func DefaultAttachments() AttachmentSettings {
	return AttachmentSettings{Enabled: true, Kinds: []string{FileKindImage, FileKindDocument, FileKindArchive, FileKindMedia}}
}

// UploadPolicy is what a client checks before it uploads, so that a file
// over a limit is refused before a byte is sent.
type UploadPolicy struct {
	Enabled      bool     `json:"enabled"`
	MaxFileBytes int64    `json:"max_file_bytes"`
	Kinds        []string `json:"kinds"`
	// Accept is the <input type=file accept> value for Kinds (extensions
	// and MIME types); empty when every kind is allowed.
	Accept string `json:"accept"`
	// StorageFull: the workspace's storage is used up; uploads get 413.
	StorageFull bool `json:"storage_full"`
}

// ImageSize is the pixel size of an image attachment.
type ImageSize struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

// Attachment is one file of a message as readers see it. URL and
// ThumbnailURL are relative to Parley's public URL, signed for this tenant
// and conversation, and stop working at ExpiresAt; a client renews them
// with ConversationFileGet.
type Attachment struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	ContentType  string     `json:"content_type"` // sniffed, never the client's
	Size         int64      `json:"size"`         // bytes, after re-encoding
	Kind         string     `json:"kind"`         // of FileKinds
	Image        *ImageSize `json:"image,omitempty"`
	URL          string     `json:"url,omitempty"`
	ThumbnailURL string     `json:"thumbnail_url,omitempty"` // images only
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

// UploadAcceptRequest asks a service to take an upload the gateway has
// streamed into UploadBucket at Object. Name is the client's file name
// (only shown, never trusted); Size what the gateway stored.
type UploadAcceptRequest struct {
	Actor    Actor  `json:"actor"`
	UploadID string `json:"upload_id"`
	Object   string `json:"object"`
	Name     string `json:"name"`
	Size     int64  `json:"size"`
}

// UploadPolicyRequest asks for the caller's upload policy.
type UploadPolicyRequest struct {
	Actor Actor `json:"actor"`
}

// FileRequest addresses one attachment of a conversation.
type FileRequest struct {
	Actor          Actor  `json:"actor"`
	ConversationID string `json:"conversation_id"`
	FileID         string `json:"file_id"`
}

// FileOpenRequest redeems a signed file URL's token (the file or its thumbnail).
type FileOpenRequest struct {
	Token string `json:"token"`
}

// FileOpen tells the gateway which object to stream and how.
type FileOpen struct {
	TenantID    string `json:"tenant_id"`
	Bucket      string `json:"bucket"`
	Object      string `json:"object"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	// Inline: safe to show in the browser (re-encoded images, PDF, plain
	// text); anything else is served with Content-Disposition: attachment.
	Inline bool `json:"inline"`
	// ExpiresAt is when the URL stops working (for Cache-Control's max-age).
	ExpiresAt time.Time `json:"expires_at"`
}

// MessageDeleteRequest deletes a message: its body and files go, its seq
// stays (as a "deleted" message), so clients keep a gap-free sequence.
type MessageDeleteRequest struct {
	Actor          Actor  `json:"actor"`
	ConversationID string `json:"conversation_id"`
	MessageID      string `json:"message_id"`
}

// StorageUsage is how much a tenant stores, in bytes; LimitBytes 0 means no limit.
type StorageUsage struct {
	UsedBytes    int64 `json:"used_bytes"`
	LimitBytes   int64 `json:"limit_bytes"`
	MaxFileBytes int64 `json:"max_file_bytes"`
	Files        int64 `json:"files"`
}

// Conversation file endpoints.
var (
	ConversationUploadPolicy = Endpoint[UploadPolicyRequest, UploadPolicy]{ServiceConversation, "upload_policy"}
	ConversationUploadAccept = Endpoint[UploadAcceptRequest, Attachment]{ServiceConversation, "upload_accept"}
	// ConversationFileGet returns an attachment with fresh signed URLs.
	ConversationFileGet   = Endpoint[FileRequest, Attachment]{ServiceConversation, "file_get"}
	ConversationFileOpen  = Endpoint[FileOpenRequest, FileOpen]{ServiceConversation, "file_open"}
	ConversationMsgDelete = Endpoint[MessageDeleteRequest, Message]{ServiceConversation, "message_delete"}
	ConversationStorage   = Endpoint[TenantIDRequest, StorageUsage]{ServiceConversation, "storage_usage"}
)

// MessageDeleted carries a deleted message (kind KindDeleted) and its conversation.
type MessageDeleted struct {
	Message      Message      `json:"message"`
	Conversation Conversation `json:"conversation"`
}

// ConversationMessageDeleted is published when a message is deleted.
var ConversationMessageDeleted = EventType{ServiceConversation, "message", "deleted", 1}

// AvatarRequest sets (from an upload) or, with no UploadID, removes the
// caller's photo.
type AvatarRequest struct {
	Principal Principal `json:"principal"`
	UploadID  string    `json:"upload_id,omitempty"`
	Object    string    `json:"object,omitempty"`
}

// LogoRequest sets (from an upload) or, with no UploadID, removes the tenant's logo.
type LogoRequest struct {
	Principal Principal `json:"principal"`
	UploadID  string    `json:"upload_id,omitempty"`
	Object    string    `json:"object,omitempty"`
}

// Avatar and logo endpoints. Both images are re-encoded squares (avatars)
// or bounded rectangles (logos) and served publicly at AvatarPath/LogoPath
// under unguessable, immutable ids.
var (
	IdentityAvatarSet = Endpoint[AvatarRequest, User]{ServiceIdentity, "avatar_set"}
	TenantLogoSet     = Endpoint[LogoRequest, Settings]{ServiceTenant, "logo_set"}
)

// AvatarPath and LogoPath are where the gateway serves a photo and a logo.
func AvatarPath(avatarID string) string { return "/api/v1/media/avatars/" + avatarID }
func LogoPath(logoID string) string     { return "/api/v1/media/logos/" + logoID }
