package contracts

import (
	"encoding/json"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/ids"
)

// Data ownership: export, import, erasure, retention, workspace deletion and
// the audit log. The tenant service coordinates exports and imports and keeps
// the audit log; every service produces and consumes its own part over NATS
// and never reads another's tables.

// DataBucket is the JetStream Object Store bucket that holds export archives,
// the parts services write for them, and import uploads. Object names:
//
//	exports/<tenant>/<export>/parts/<service>/<file>   a service's part
//	exports/<tenant>/<export>/archive.zip              the finished archive
//	imports/<tenant>/<import>/upload.zip               an uploaded archive
//	imports/<tenant>/<import>/files/<file>             a file taken out of it
const DataBucket = "PARLEY_DATA"

// ExportFormat and ExportFormatVersion name the archive format in manifest.json.
const (
	ExportFormat        = "parley-export"
	ExportFormatVersion = 1
)

// ExportPartPrefix is the object-name prefix under which one service writes
// its part of an export.
func ExportPartPrefix(tenantID, exportID, service string) string {
	return "exports/" + tenantID + "/" + exportID + "/parts/" + service + "/"
}

// ExportArchiveObject is the object name of a finished archive.
func ExportArchiveObject(tenantID, exportID string) string {
	return "exports/" + tenantID + "/" + exportID + "/archive.zip"
}

// ImportUploadObject is the object name of an uploaded archive.
func ImportUploadObject(tenantID, importID string) string {
	return "imports/" + tenantID + "/" + importID + "/upload.zip"
}

// ImportFileObject is the object name of one file taken out of an upload.
func ImportFileObject(tenantID, importID, file string) string {
	return "imports/" + tenantID + "/" + importID + "/files/" + file
}

// Export and import statuses.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
	JobExpired = "expired" // exports only: the archive was deleted (expiry, or an erasure made it stale)
)

// Export is one export of a tenant's data as the API shows it.
type Export struct {
	ID          string           `json:"id"`
	Status      string           `json:"status"`
	Progress    float64          `json:"progress"` // 0–1
	SizeBytes   int64            `json:"size_bytes"`
	Counts      map[string]int64 `json:"counts,omitempty"`       // rows per file, once done
	DownloadURL string           `json:"download_url,omitempty"` // done only: relative, single-use, short-lived
	ExpiresAt   *time.Time       `json:"expires_at,omitempty"`   // when the archive is deleted
	Error       string           `json:"error,omitempty"`        // failed or expired: why
	RequestedBy string           `json:"requested_by"`           // member id
	CreatedAt   time.Time        `json:"created_at"`
	CompletedAt *time.Time       `json:"completed_at,omitempty"`
}

// ExportList is a tenant's exports, newest first.
type ExportList struct {
	Exports []Export `json:"exports"`
}

// ExportDownloadRequest redeems a download link's token (single use).
type ExportDownloadRequest struct {
	ExportID string `json:"export_id"`
	Token    string `json:"token"`
	IP       string `json:"ip,omitempty"` // the downloader's address, for the audit log
}

// ExportDownload tells the gateway which object to stream.
type ExportDownload struct {
	TenantID  string `json:"tenant_id"`
	ExportID  string `json:"export_id"`
	Object    string `json:"object"` // in DataBucket
	FileName  string `json:"file_name"`
	SizeBytes int64  `json:"size_bytes"`
}

// Tenant export endpoints (owners and admins).
var (
	TenantExportCreate   = Endpoint[PrincipalRequest, Export]{ServiceTenant, "export_create"}
	TenantExportGet      = Endpoint[IDRequest, Export]{ServiceTenant, "export_get"}
	TenantExportList     = Endpoint[PrincipalRequest, ExportList]{ServiceTenant, "export_list"}
	TenantExportDownload = Endpoint[ExportDownloadRequest, ExportDownload]{ServiceTenant, "export_download"}
)

// ExportPartRequest asks a service to write its part of an export: one
// object per file under Prefix (ExportPartPrefix), streamed, never whole in
// memory. The coordinator gives it a long deadline.
type ExportPartRequest struct {
	TenantID string `json:"tenant_id"`
	ExportID string `json:"export_id"`
	Prefix   string `json:"prefix"`
}

// Check refuses a request that is not for service's own place in an
// export, so no service writes where another's part belongs.
func (r ExportPartRequest) Check(service string) error {
	switch {
	case !ids.Valid(r.TenantID):
		return apperr.InvalidField("tenant_id", "tenant_id must be a UUID")
	case !ids.Valid(r.ExportID):
		return apperr.InvalidField("export_id", "export_id must be a UUID")
	case r.Prefix != ExportPartPrefix(r.TenantID, r.ExportID, service):
		return apperr.InvalidField("prefix", "prefix must be %s's part of the export", service)
	}
	return nil
}

// ExportFile is one file of a part: its name in the archive (e.g.
// "messages.jsonl"), the object holding it and how many rows it has.
type ExportFile struct {
	Name   string `json:"name"`
	Object string `json:"object"`
	Count  int64  `json:"count"`
}

// ExportPart lists the files a service wrote.
type ExportPart struct {
	Files []ExportFile `json:"files"`
}

// Each data-owning service writes its part (tenant writes its own in process).
var (
	IdentityExportPart     = Endpoint[ExportPartRequest, ExportPart]{ServiceIdentity, "export_part"}
	ConversationExportPart = Endpoint[ExportPartRequest, ExportPart]{ServiceConversation, "export_part"}
	BillingExportPart      = Endpoint[ExportPartRequest, ExportPart]{ServiceBilling, "export_part"}
	NotifyExportPart       = Endpoint[ExportPartRequest, ExportPart]{ServiceNotify, "export_part"}
)

// Manifest is manifest.json, the archive's table of contents.
type Manifest struct {
	Format        string         `json:"format"` // ExportFormat
	FormatVersion int            `json:"format_version"`
	Tenant        ManifestTenant `json:"tenant"`
	ExportID      string         `json:"export_id"`
	CreatedAt     time.Time      `json:"created_at"`
	Files         []ManifestFile `json:"files"`
}

// ManifestTenant is the workspace the archive came from.
type ManifestTenant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// ManifestFile describes one file of the archive.
type ManifestFile struct {
	Name    string `json:"name"`
	Service string `json:"service"` // which service wrote it and reads it back on import
	Count   int64  `json:"count"`   // rows (JSON Lines, CSV without header) or 1 for a JSON document
	Bytes   int64  `json:"bytes"`
	SHA256  string `json:"sha256"` // hex
}

// TenantExportCompleted says an export finished (done or failed), so notify
// can email the member who asked for it.
var TenantExportCompleted = EventType{ServiceTenant, "export", "completed", 1}

// ExportCompleted is the payload of TenantExportCompleted.
type ExportCompleted struct {
	ExportID    string     `json:"export_id"`
	RequestedBy string     `json:"requested_by"` // member id
	Status      string     `json:"status"`       // done or failed
	SizeBytes   int64      `json:"size_bytes"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	Path        string     `json:"path"` // the dashboard page that lists exports, e.g. "/settings/data"
}

// Import is one import of an archive into a new, empty workspace.
type Import struct {
	ID          string           `json:"id"`
	Status      string           `json:"status"`
	Progress    float64          `json:"progress"`
	SizeBytes   int64            `json:"size_bytes"`
	Counts      map[string]int64 `json:"counts,omitempty"` // rows imported per file
	Error       string           `json:"error,omitempty"`
	RequestedBy string           `json:"requested_by"`
	CreatedAt   time.Time        `json:"created_at"`
	CompletedAt *time.Time       `json:"completed_at,omitempty"`
}

// ImportList is a tenant's imports, newest first.
type ImportList struct {
	Imports []Import `json:"imports"`
}

// ImportStartRequest starts an import of an archive the gateway has already
// streamed into DataBucket at Object (ImportUploadObject).
type ImportStartRequest struct {
	Principal Principal `json:"principal"`
	ImportID  string    `json:"import_id"`
	Object    string    `json:"object"`
	SizeBytes int64     `json:"size_bytes"`
}

// Tenant import endpoints (owners only: an import fills the whole workspace).
var (
	TenantImportStart = Endpoint[ImportStartRequest, Import]{ServiceTenant, "import_start"}
	TenantImportGet   = Endpoint[IDRequest, Import]{ServiceTenant, "import_get"}
	TenantImportList  = Endpoint[PrincipalRequest, ImportList]{ServiceTenant, "import_list"}
)

// ImportPartRequest asks a service to read back the files it wrote in an
// export, all in one transaction, into an empty workspace. Files maps a file
// name of the archive to the object holding it (ImportFileObject). MemberMap
// maps a member id of the old workspace to one of the new (matched by email);
// ids missing from it belong to no member here.
type ImportPartRequest struct {
	TenantID  string            `json:"tenant_id"`
	ImportID  string            `json:"import_id"`
	Files     map[string]string `json:"files"`
	MemberMap map[string]string `json:"member_map,omitempty"`
}

// ImportPart counts the rows a service imported, per file.
type ImportPart struct {
	Counts map[string]int64 `json:"counts"`
}

// ConversationImportPart imports visitors, conversations, messages and
// bookings. It refuses (Conflict) a workspace that already has conversations.
var ConversationImportPart = Endpoint[ImportPartRequest, ImportPart]{ServiceConversation, "import_part"}

// VisitorDataRequest addresses one visitor's data. Actor is a member (owner or admin)
// or the visitor themself (from the widget).
type VisitorDataRequest struct {
	Actor     Actor  `json:"actor"`
	VisitorID string `json:"visitor_id"`
}

// VisitorErasure is what an erasure removed.
type VisitorErasure struct {
	VisitorID     string `json:"visitor_id"`
	Conversations int    `json:"conversations"`
	Messages      int    `json:"messages"`
}

// ConversationVisitorErase deletes the visitor, their conversations (with
// every message and note, agents' replies included), bookings and timers in
// one transaction, and emits ConversationVisitorErased in it. An unknown (or
// already erased) visitor is NotFound.
var ConversationVisitorErase = Endpoint[VisitorDataRequest, VisitorErasure]{ServiceConversation, "visitor_erase"}

// VisitorErased is the one event every service acts on to forget a visitor.
// It carries ids only, never the personal data it asks to forget.
type VisitorErased struct {
	VisitorID       string    `json:"visitor_id"`
	ConversationIDs []string  `json:"conversation_ids"`
	ErasedAt        time.Time `json:"erased_at"`
}

// ConversationVisitorErased is emitted with the erasure.
var ConversationVisitorErased = EventType{ServiceConversation, "visitor", "erased", 1}

// ConversationsDeleted says conversations are gone for good (retention,
// erasure), so other services drop what they keep about them.
type ConversationsDeleted struct {
	ConversationIDs []string `json:"conversation_ids"`
	Reason          string   `json:"reason"` // retention or erasure
}

// ConversationConversationsDeleted is emitted with each deleting batch.
var ConversationConversationsDeleted = EventType{ServiceConversation, "conversations", "deleted", 1}

// VisitorData is everything the conversation service holds about a visitor.
// For the visitor themself private notes are left out.
type VisitorData struct {
	Visitor       Visitor                   `json:"visitor"`
	Conversations []VisitorDataConversation `json:"conversations"`
	Bookings      []Booking                 `json:"bookings"`
}

// VisitorDataConversation is one conversation, all its messages and every
// rating the visitor gave it.
type VisitorDataConversation struct {
	Conversation Conversation `json:"conversation"`
	Messages     []Message    `json:"messages"`
	Ratings      []Rating     `json:"ratings"`
}

// VisitorEmails is what notify holds about a visitor: the emails sent to
// them and whether their address is suppressed.
type VisitorEmails struct {
	Emails     []EmailRecord `json:"emails"`
	Suppressed bool          `json:"suppressed"`
}

// EmailRecord is one email sent (or queued) to a visitor.
type EmailRecord struct {
	Kind      string     `json:"kind"` // e.g. visitor_reply, transcript
	To        string     `json:"to"`
	Subject   string     `json:"subject,omitempty"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// Visitor data endpoints.
var (
	ConversationVisitorExport = Endpoint[VisitorDataRequest, VisitorData]{ServiceConversation, "visitor_export"}
	NotifyVisitorExport       = Endpoint[VisitorDataRequest, VisitorEmails]{ServiceNotify, "visitor_export"}
)

// VisitorExport is the whole answer of GET /visitors/{id}/export.
type VisitorExport struct {
	ExportedAt time.Time `json:"exported_at"`
	VisitorData
	Emails VisitorEmails `json:"emails"`
}

// VisitorRevokeAllRequest revokes every token of one visitor (erasure).
type VisitorRevokeAllRequest struct {
	TenantID  string `json:"tenant_id"`
	VisitorID string `json:"visitor_id"`
}

// IdentityVisitorRevokeAll revokes every token of a visitor at once and
// emits IdentityVisitorRevoked, so gateways refuse them.
var IdentityVisitorRevokeAll = Endpoint[VisitorRevokeAllRequest, Empty]{ServiceIdentity, "visitor_revoke_all"}

// Retention bounds: off (0), or between these many days.
const (
	MinRetentionDays = 7 // the event streams keep a week (natsx.EventRetention): nothing older lingers there
	MaxRetentionDays = 3650
)

// RetentionPreviewRequest asks what a retention setting would delete now.
type RetentionPreviewRequest struct {
	Principal Principal `json:"principal"`
	Days      int       `json:"days"`
}

// RetentionPreview counts the conversations (and their messages) whose last
// activity is before Before.
type RetentionPreview struct {
	Days          int       `json:"days"`
	Before        time.Time `json:"before"`
	Conversations int64     `json:"conversations"`
	Messages      int64     `json:"messages"`
}

// RetentionPolicy is one tenant's retention.
type RetentionPolicy struct {
	TenantID string `json:"tenant_id"`
	Days     int    `json:"days"`
}

// RetentionPolicies lists the tenants with retention on.
type RetentionPolicies struct {
	Policies []RetentionPolicy `json:"policies"`
}

// Retention endpoints: the preview (owners and admins) and the list the
// conversation service's sweep reads.
var (
	ConversationRetentionPreview = Endpoint[RetentionPreviewRequest, RetentionPreview]{ServiceConversation, "retention_preview"}
	TenantRetentionPolicies      = Endpoint[Empty, RetentionPolicies]{ServiceTenant, "retention_policies"}
)

// TenantDeleteRequest closes a workspace (owner only); ConfirmName must be
// the workspace's name exactly.
type TenantDeleteRequest struct {
	Principal   Principal `json:"principal"`
	ConfirmName string    `json:"confirm_name"`
}

// TenantDelete marks the tenant deleted and emits TenantTenantDeleted
// (Reason "deleted"); every service then erases the tenant's data.
var TenantDelete = Endpoint[TenantDeleteRequest, Empty]{ServiceTenant, "delete"}

// Reasons of TenantDeleted.
const (
	TenantAbandoned = "abandoned" // a sign-up that never finished
	TenantClosed    = "deleted"   // the owner closed the workspace
)

// AuditActor is who did something, as the audit log records it.
type AuditActor struct {
	Type string `json:"type"` // member, visitor, api_key or system
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	IP   string `json:"ip,omitempty"`
}

// AuditActor is the member behind a request.
func (p Principal) AuditActor() AuditActor {
	return AuditActor{Type: "member", ID: p.UserID, Name: p.Name, IP: p.IP}
}

// AuditActor is the caller of a conversation request.
func (a Actor) AuditActor() AuditActor {
	t := string(a.Type)
	if a.Type == AuthorAgent {
		t = "member"
	}
	return AuditActor{Type: t, ID: a.ID, Name: a.Name, IP: a.IP}
}

// SystemActor is Parley itself (a retention sweep, a Stripe webhook).
func SystemActor(name string) AuditActor { return AuditActor{Type: "system", Name: name} }

// AuditRecorded is one administrative action, emitted by the service that
// made the change in the same transaction (outbox) and kept by the tenant
// service in the append-only audit log. Before and After hold the changed
// fields only, and never a secret, password, token or key.
type AuditRecorded struct {
	Actor      AuditActor      `json:"actor"`
	Action     string          `json:"action"` // one of the Audit* actions
	TargetType string          `json:"target_type,omitempty"`
	TargetID   string          `json:"target_id,omitempty"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
}

// Audit events, one per context so that each service publishes only to its own stream.
var (
	IdentityAuditRecorded     = EventType{ServiceIdentity, "audit", "recorded", 1}
	TenantAuditRecorded       = EventType{ServiceTenant, "audit", "recorded", 1}
	ConversationAuditRecorded = EventType{ServiceConversation, "audit", "recorded", 1}
	BillingAuditRecorded      = EventType{ServiceBilling, "audit", "recorded", 1}
	AuditEvents               = []EventType{IdentityAuditRecorded, TenantAuditRecorded, ConversationAuditRecorded, BillingAuditRecorded}
)

// Audit actions ("<area>.<verb>").
const (
	AuditTenantUpdated      = "tenant.updated"
	AuditSettingsUpdated    = "settings.updated" // widget, widget security (allowed domains), hours, limits, retention
	AuditSecretRotated      = "identity_secret.rotated"
	AuditSecretRevealed     = "identity_secret.revealed"
	AuditCannedCreated      = "canned_response.created"
	AuditCannedUpdated      = "canned_response.updated"
	AuditCannedDeleted      = "canned_response.deleted"
	AuditBotUpdated         = "bot.updated"
	AuditMemberJoined       = "member.joined"
	AuditMemberUpdated      = "member.updated" // role
	AuditMemberRemoved      = "member.removed"
	AuditInviteCreated      = "invite.created"
	AuditInviteRevoked      = "invite.revoked"
	AuditAPIKeyCreated      = "api_key.created"
	AuditAPIKeyDeleted      = "api_key.deleted"
	AuditBillingCheckout    = "billing.checkout_started"
	AuditBillingChanged     = "billing.subscription_changed"
	AuditExportRequested    = "export.requested"
	AuditExportDownloaded   = "export.downloaded"
	AuditImportStarted      = "import.started"
	AuditImportFinished     = "import.finished"
	AuditVisitorErased      = "visitor.erased"
	AuditVisitorExported    = "visitor.exported"
	AuditRetentionSwept     = "retention.swept"
	AuditWorkspaceDeleted   = "workspace.deleted"
	AuditConversationPurged = "conversation.deleted"
)

// AuditEntry is one entry of the audit log.
type AuditEntry struct {
	ID         string          `json:"id"` // the event's id
	OccurredAt time.Time       `json:"occurred_at"`
	Service    string          `json:"service"`
	Actor      AuditActor      `json:"actor"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type,omitempty"`
	TargetID   string          `json:"target_id,omitempty"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
}

// AuditListRequest filters the audit log (owners and admins). Action
// matches exactly or, ending in ".", as a prefix ("member.").
type AuditListRequest struct {
	Principal Principal  `json:"principal"`
	ActorID   string     `json:"actor_id,omitempty"`
	Action    string     `json:"action,omitempty"`
	Since     *time.Time `json:"since,omitempty"`
	Until     *time.Time `json:"until,omitempty"`
	Cursor    string     `json:"cursor,omitempty"`
	Limit     int        `json:"limit,omitempty"` // default 50, at most 200
}

// AuditPage is a page of the audit log, newest first.
type AuditPage struct {
	Entries    []AuditEntry `json:"entries"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// TenantAuditList reads the audit log.
var TenantAuditList = Endpoint[AuditListRequest, AuditPage]{ServiceTenant, "audit_list"}
