package contracts

import "time"

// ServiceNotify sends every email and receives replies by email.
const ServiceNotify = "notify"

// NotifyStream holds notify's own events (none yet are consumed by others,
// but deliveries are facts other services may follow later).
var NotifyStream = Stream{Name: "NOTIFY", Context: ServiceNotify}

// The identity events below exist so that notify can email people. Each
// carries everything the email needs (names, the link, the language), so
// notify never has to read identity's data. The links hold single-use tokens
// that identity stores only as hashes; they expire quickly and the stream's
// copy is as short-lived as the link.

// InviteCreated says a member invited an email address to the tenant.
type InviteCreated struct {
	InviteID    string    `json:"invite_id"`
	Email       string    `json:"email"`
	Role        Role      `json:"role"`
	InviterName string    `json:"inviter_name"`
	TenantName  string    `json:"tenant_name"`
	URL         string    `json:"url"` // the accept page, with the invite token
	Locale      string    `json:"locale,omitempty"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// PasswordResetRequested says someone asked to reset a member's password
// ("Forgot password?"). Unknown addresses publish nothing.
type PasswordResetRequested struct {
	UserID    string    `json:"user_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	URL       string    `json:"url"` // the reset page, with the single-use token
	Locale    string    `json:"locale,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// EmailChangeRequested says a member asked to change their email address;
// the link goes to the new address and confirms it.
type EmailChangeRequested struct {
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	NewEmail  string    `json:"new_email"`
	URL       string    `json:"url"` // the confirm page, with the single-use token
	Locale    string    `json:"locale,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Identity events that become email.
var (
	IdentityInviteCreated          = EventType{ServiceIdentity, "invite", "created", 1}
	IdentityPasswordResetRequested = EventType{ServiceIdentity, "password_reset", "requested", 1}
	IdentityEmailChangeRequested   = EventType{ServiceIdentity, "email_change", "requested", 1}
)

// NotifyStatus says whether outbound email is configured, so the dashboard
// can say where email would have helped.
type NotifyStatus struct {
	EmailEnabled bool `json:"email_enabled"`
}

// NotifyPreferences are a member's own notification settings.
type NotifyPreferences struct {
	// EmailNewConversations: email me when a conversation is assigned to me
	// or waits unassigned while I have no dashboard open.
	EmailNewConversations bool `json:"email_new_conversations"`
}

// NotifyPreferencesUpdateRequest changes the caller's own preferences.
type NotifyPreferencesUpdateRequest struct {
	Principal   Principal         `json:"principal"`
	Preferences NotifyPreferences `json:"preferences"`
}

// TranscriptEmailRequest asks for a conversation's transcript by email
// ("Email me this conversation" in the widget). Actor is the visitor.
type TranscriptEmailRequest struct {
	Actor          Actor  `json:"actor"`
	ConversationID string `json:"conversation_id"`
	Email          string `json:"email"`
	Locale         string `json:"locale,omitempty"`
}

// UnsubscribeRequest is the List-Unsubscribe link of a visitor email.
type UnsubscribeRequest struct {
	Token string `json:"token"`
}

// Notify endpoints.
var (
	NotifyStatusGet         = Endpoint[Empty, NotifyStatus]{ServiceNotify, "status"}
	NotifyPreferencesGet    = Endpoint[PrincipalRequest, NotifyPreferences]{ServiceNotify, "preferences_get"}
	NotifyPreferencesUpdate = Endpoint[NotifyPreferencesUpdateRequest, NotifyPreferences]{ServiceNotify, "preferences_update"}
	NotifyTranscriptEmail   = Endpoint[TranscriptEmailRequest, Empty]{ServiceNotify, "transcript_email"}
	NotifyUnsubscribe       = Endpoint[UnsubscribeRequest, Empty]{ServiceNotify, "unsubscribe"}
)

// NotifyEmailQueued is an email that notify decided to send (a visitor's
// unread answer, an agent's digest, a transcript); its own consumer sends
// it, retrying while the SMTP server is down. Only notify reads it.
var NotifyEmailQueued = EventType{ServiceNotify, "email", "queued", 1}
