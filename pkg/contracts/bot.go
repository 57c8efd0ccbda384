package contracts

import (
	"encoding/json"
	"time"
)

// Bot skills, in the order an admin may arrange them.
const (
	SkillFAQ          = "faq"
	SkillOrderStatus  = "order_status"
	SkillAppointments = "appointments"
	SkillAfterHours   = "after_hours"
	SkillExternal     = "external"
)

// SkillFeatures maps each skill to the plan feature that unlocks it.
var SkillFeatures = map[string]string{
	SkillFAQ: FeatureBotFAQ, SkillOrderStatus: FeatureBotOrderStatus, SkillAppointments: FeatureBotAppointments,
	SkillAfterHours: FeatureBotAfterHours, SkillExternal: FeatureBotExternal,
}

// FAQEntry is one question the bot can answer.
type FAQEntry struct {
	ID           string   `json:"id"`
	Question     string   `json:"question"`
	Alternatives []string `json:"alternatives"` // other phrasings
	Answer       string   `json:"answer"`
}

// FAQConfig configures the FAQ skill.
type FAQConfig struct {
	// Threshold is the confidence (0–1) from which the bot answers; below it,
	// the best matches are offered as "Did you mean…" quick replies.
	Threshold float64    `json:"threshold"`
	Entries   []FAQEntry `json:"entries"`
}

// OrderStatusConfig configures the order-status skill. The secret is write-only:
// reads return SecretSet instead.
type OrderStatusConfig struct {
	URL           string `json:"url"` // the tenant's HTTPS endpoint
	Secret        string `json:"secret,omitempty"`
	SecretSet     bool   `json:"secret_set"`
	NumberPattern string `json:"number_pattern"` // a regular expression an order number matches, e.g. ^#?\d{5,8}$
	ReplyTemplate string `json:"reply_template"` // e.g. "Order {{number}} is {{status}}, due {{eta}}."
}

// AppointmentService is something a visitor can book.
type AppointmentService struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	DurationMinutes int    `json:"duration_minutes"`
}

// AppointmentsConfig configures the appointments skill.
type AppointmentsConfig struct {
	Timezone      string                 `json:"timezone"`
	Weekly        map[string][]TimeRange `json:"weekly"` // keys mon..sun, like business hours
	BufferMinutes int                    `json:"buffer_minutes"`
	HorizonDays   int                    `json:"horizon_days"` // how far ahead one can book
	Services      []AppointmentService   `json:"services"`
}

// AfterHoursConfig configures the after-hours skill (it uses the tenant's
// business hours).
type AfterHoursConfig struct {
	Message string `json:"message"`
}

// ExternalBotConfig connects the tenant's own bot: Parley posts signed
// conversation events to URL; the bot answers through the REST API with an
// API key. The secret is write-only.
type ExternalBotConfig struct {
	URL       string `json:"url"`
	Secret    string `json:"secret,omitempty"`
	SecretSet bool   `json:"secret_set"`
}

// BotConfig is a tenant's bot.
type BotConfig struct {
	Enabled      bool               `json:"enabled"`
	Name         string             `json:"name"`
	Skills       []string           `json:"skills"` // in the order they are tried
	FAQ          FAQConfig          `json:"faq"`
	OrderStatus  OrderStatusConfig  `json:"order_status"`
	Appointments AppointmentsConfig `json:"appointments"`
	AfterHours   AfterHoursConfig   `json:"after_hours"`
	External     ExternalBotConfig  `json:"external"`
}

// BotConfigRequest saves a tenant's whole bot configuration. A secret left
// empty keeps the stored one.
type BotConfigRequest struct {
	Principal Principal `json:"principal"`
	Config    BotConfig `json:"config"`
}

// FAQTryRequest asks which FAQ entries a question would match.
type FAQTryRequest struct {
	Principal Principal `json:"principal"`
	Question  string    `json:"question"`
}

// FAQMatch is one FAQ entry and how well a question matches it.
type FAQMatch struct {
	EntryID  string  `json:"entry_id"`
	Question string  `json:"question"`
	Score    float64 `json:"score"` // confidence, 0–1
}

// FAQTryResult is what the bot would do with a question.
type FAQTryResult struct {
	Answered bool       `json:"answered"` // the best match clears the threshold
	Matches  []FAQMatch `json:"matches"`  // best first, at most 5
}

// Bot configuration endpoints (tenant service). BotInternal includes secrets.
var (
	TenantBotGet      = Endpoint[PrincipalRequest, BotConfig]{ServiceTenant, "bot_get"}
	TenantBotSave     = Endpoint[BotConfigRequest, BotConfig]{ServiceTenant, "bot_save"}
	TenantBotInternal = Endpoint[TenantIDRequest, BotConfig]{ServiceTenant, "bot_internal"}
)

// ConversationFAQTry runs a question through the bot's FAQ matcher.
var ConversationFAQTry = Endpoint[FAQTryRequest, FAQTryResult]{ServiceConversation, "faq_try"}

// BotChanged says a tenant's bot configuration changed (no secrets).
type BotChanged struct{}

// TenantBotChanged is published after every bot configuration change.
var TenantBotChanged = EventType{ServiceTenant, "bot", "changed", 1}

// Hand-off states of a conversation with a bot: it starts with the bot,
// is queued for a person, then an agent has it; an agent may hand it back.
const (
	HandoffBot    = "bot"
	HandoffQueued = "queued"
	HandoffAgent  = "agent"
)

// QuickReplies is the payload of a quick_replies message.
type QuickReplies struct {
	Text    string        `json:"text"`
	Options []QuickOption `json:"options"`
}

// QuickOption is one button; a click sends Value back as a message.
type QuickOption struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Card is the payload of a card message.
type Card struct {
	Title    string       `json:"title"`
	Text     string       `json:"text"`
	ImageURL string       `json:"image_url,omitempty"`
	Buttons  []CardButton `json:"buttons"`
}

// CardButton sends Value back, or opens URL.
type CardButton struct {
	Label string `json:"label"`
	Value string `json:"value,omitempty"`
	URL   string `json:"url,omitempty"`
}

// HandoffRequest moves a conversation along the hand-off state machine.
type HandoffRequest struct {
	Actor          Actor  `json:"actor"`
	ConversationID string `json:"conversation_id"`
	To             string `json:"to"` // queued, agent or bot
}

// RichSendRequest sends a rich message (bots and agents).
type RichSendRequest struct {
	Actor          Actor           `json:"actor"`
	ConversationID string          `json:"conversation_id"`
	ClientMsgID    string          `json:"client_msg_id"`
	Kind           MessageKind     `json:"kind"`
	Payload        json.RawMessage `json:"payload"`
}

// Booking is an appointment a visitor booked through the bot.
type Booking struct {
	ID             string    `json:"id"`
	ServiceID      string    `json:"service_id"`
	ServiceName    string    `json:"service_name"`
	StartAt        time.Time `json:"start_at"`
	EndAt          time.Time `json:"end_at"`
	Status         string    `json:"status"` // booked or canceled
	VisitorID      string    `json:"visitor_id"`
	Name           string    `json:"name"`
	Email          string    `json:"email"`
	ConversationID string    `json:"conversation_id"`
	CreatedAt      time.Time `json:"created_at"`
}

// Bookings lists bookings, soonest first.
type Bookings struct {
	Bookings []Booking `json:"bookings"`
}

// BookingListRequest lists a tenant's bookings from a time on.
type BookingListRequest struct {
	Actor Actor     `json:"actor"`
	From  time.Time `json:"from"`
}

// BookingCancelRequest cancels a booking on behalf of a member.
type BookingCancelRequest struct {
	Actor     Actor  `json:"actor"`
	BookingID string `json:"booking_id"`
}

// BookingICSRequest fetches a booking's calendar file with its link token.
type BookingICSRequest struct {
	BookingID string `json:"booking_id"`
	Token     string `json:"token"`
}

// ICS is an iCalendar document.
type ICS struct {
	Filename string `json:"filename"`
	Body     string `json:"body"`
}

// Bot-related conversation endpoints.
var (
	ConversationHandoff       = Endpoint[HandoffRequest, Conversation]{ServiceConversation, "handoff"}
	ConversationSendRich      = Endpoint[RichSendRequest, SendResult]{ServiceConversation, "send_rich"}
	ConversationBookings      = Endpoint[BookingListRequest, Bookings]{ServiceConversation, "bookings"}
	ConversationBookingCancel = Endpoint[BookingCancelRequest, Booking]{ServiceConversation, "booking_cancel"}
	ConversationBookingICS    = Endpoint[BookingICSRequest, ICS]{ServiceConversation, "booking_ics"}
)

// APIKey is a tenant API key; Key is shown once, at creation.
type APIKey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Key        string     `json:"key,omitempty"`
	Prefix     string     `json:"prefix"` // the first characters, to recognise it
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// APIKeys lists a tenant's keys (never the keys themselves).
type APIKeys struct {
	APIKeys []APIKey `json:"api_keys"`
}

// APIKeyCreateRequest creates a key.
type APIKeyCreateRequest struct {
	Principal Principal `json:"principal"`
	Name      string    `json:"name"`
}

// APIKeyCheckRequest resolves a presented key.
type APIKeyCheckRequest struct {
	Key string `json:"key"`
}

// API key endpoints (identity).
var (
	IdentityAPIKeyCreate = Endpoint[APIKeyCreateRequest, APIKey]{ServiceIdentity, "api_key_create"}
	IdentityAPIKeyList   = Endpoint[PrincipalRequest, APIKeys]{ServiceIdentity, "api_key_list"}
	IdentityAPIKeyDelete = Endpoint[IDRequest, Empty]{ServiceIdentity, "api_key_delete"}
	IdentityAPIKeyCheck  = Endpoint[APIKeyCheckRequest, Actor]{ServiceIdentity, "api_key_check"}
)

// APIKeyRevoked says a key stopped working; gateways drop it from their cache.
type APIKeyRevoked struct {
	KeyID string `json:"key_id"`
}

// IdentityAPIKeyRevoked is published when a key is deleted.
var IdentityAPIKeyRevoked = EventType{ServiceIdentity, "api_key", "revoked", 1}
