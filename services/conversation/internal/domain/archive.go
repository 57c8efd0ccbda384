package domain

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
)

// The conversation service's part of an export archive (and what its import
// reads back). Every JSON Lines file holds one JSON object per line, UTF-8,
// "\n"-terminated, with no tenant_id; times are RFC 3339 in UTC with at most
// microseconds. Rows come in a stable order, so two exports of the same data
// are byte-identical:
//
//	visitors.jsonl       VisitorRow, by (created_at, id)
//	conversations.jsonl  ConversationRow, by (created_at, id)
//	messages.jsonl       MessageRow, grouped by conversation in the order of
//	                     conversations.jsonl, then by seq; private notes are
//	                     the rows with "private": true
//	bookings.jsonl       BookingRow, by (created_at, id)
//	activities.jsonl     ActivityRow (contracts.Activity: the conversations'
//	                     lifecycle history and ratings), by (at, id)
//	files.jsonl          FileRow, the messages' attachments, by (created_at, id)
//	attachment-<file id> each attachment's bytes
//	conversations.csv    for spreadsheets (ConversationCSVHeader), same order
//	messages.csv         for spreadsheets (MessageCSVHeader), same order
//
// The CSV files are RFC 4180 (header row, CRLF, quoted where needed); a text
// cell that a spreadsheet would run as a formula (starting with = + - @ or a
// tab) is prefixed with an apostrophe. They are derived copies: an import
// reads the JSON Lines files only.
//
// Import keeps every id, seq, timestamp and author. Conversation, message
// and booking ids are unique on a server, so an archive cannot be imported
// on the server that still holds the workspace it came from (the import is
// refused, naming the file and lines). Member ids are mapped
// (ImportPartRequest.MemberMap): an assignee without a match is cleared, an
// agent author without one keeps its old id and its name. A booking's
// calendar-link token is a credential and is not exported: an imported
// booking gets a new one (its old link named the old workspace anyway). An
// attachment's bytes are sniffed and images re-encoded on import as on
// upload (the archive is not trusted more than an upload): its type, size
// and thumbnail come from the bytes, not from its row.
const (
	FileVisitors         = "visitors.jsonl"
	FileConversations    = "conversations.jsonl"
	FileMessages         = "messages.jsonl"
	FileBookings         = "bookings.jsonl"
	FileActivities       = "activities.jsonl"
	FileFiles            = "files.jsonl"
	FileConversationsCSV = "conversations.csv"
	FileMessagesCSV      = "messages.csv"
)

// VisitorRow is a line of visitors.jsonl.
type VisitorRow struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Email      string            `json:"email"`
	ExternalID string            `json:"external_id"`
	Verified   bool              `json:"verified"`
	Attributes map[string]string `json:"attributes"`
	CurrentURL string            `json:"current_url"`
	UserAgent  string            `json:"user_agent"`
	Locale     string            `json:"locale"`
	Timezone   string            `json:"timezone"`
	CreatedAt  time.Time         `json:"created_at"`
	LastSeenAt time.Time         `json:"last_seen_at"`
}

// ConversationRow is a line of conversations.jsonl: every column of the
// conversation. BotState is the bot's pending question (opaque JSON text, or
// ""); Preview is the last public message as lists show it.
type ConversationRow struct {
	ID             string      `json:"id"`
	VisitorID      string      `json:"visitor_id"`
	Status         string      `json:"status"`
	Handoff        string      `json:"handoff"`
	QueuedAt       *time.Time  `json:"queued_at"`
	HandedAt       *time.Time  `json:"handed_at"`
	BotState       string      `json:"bot_state"`
	BotMisses      int         `json:"bot_misses"`
	AssigneeID     string      `json:"assignee_id"` // a member id, or ""
	Priority       string      `json:"priority"`
	Labels         []string    `json:"labels"`
	SnoozeUntil    *time.Time  `json:"snooze_until"`
	LastSeq        int64       `json:"last_seq"`
	AgentReadSeq   int64       `json:"agent_read_seq"`
	VisitorReadSeq int64       `json:"visitor_read_seq"`
	UnreadCount    int         `json:"unread_count"`
	Preview        *PreviewRow `json:"preview"`
	// Resolutions counts its resolutions; SurveyResolution is the one whose
	// survey awaits an answer (0: none) on SurveyScale; Rating the latest.
	Resolutions      int               `json:"resolutions"`
	SurveyResolution int               `json:"survey_resolution"`
	SurveyScale      string            `json:"survey_scale"`
	Rating           *contracts.Rating `json:"rating"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
	LastActivityAt   time.Time         `json:"last_activity_at"`
}

// PreviewRow is a conversation's last public message, for lists.
type PreviewRow struct {
	Seq    int64            `json:"seq"`
	Author contracts.Author `json:"author"`
	Body   string           `json:"body"`
	At     time.Time        `json:"at"`
}

// MessageRow is a line of messages.jsonl.
type MessageRow struct {
	ID             string           `json:"id"`
	ConversationID string           `json:"conversation_id"`
	Seq            int64            `json:"seq"`
	Author         contracts.Author `json:"author"`
	Body           string           `json:"body"`
	Kind           string           `json:"kind"`
	Payload        json.RawMessage  `json:"payload,omitempty"`
	Private        bool             `json:"private"` // a note: only the team sees it
	ClientMsgID    string           `json:"client_msg_id"`
	CreatedAt      time.Time        `json:"created_at"`
}

// BookingRow is a line of bookings.jsonl.
type BookingRow struct {
	ID             string     `json:"id"`
	ServiceID      string     `json:"service_id"`
	ServiceName    string     `json:"service_name"`
	StartAt        time.Time  `json:"start_at"`
	EndAt          time.Time  `json:"end_at"`
	Status         string     `json:"status"` // booked or canceled
	VisitorID      string     `json:"visitor_id"`
	Name           string     `json:"name"`
	Email          string     `json:"email"`
	ConversationID string     `json:"conversation_id"`
	CreatedAt      time.Time  `json:"created_at"`
	CanceledAt     *time.Time `json:"canceled_at"`
}

// ConversationCSVHeader is the header row of conversations.csv. Labels are
// joined with "; "; messages is last_seq (every message, notes and system
// lines included); visitor_name and visitor_email are the visitor's now.
var ConversationCSVHeader = []string{"id", "created_at", "updated_at", "last_activity_at", "status", "handoff", "priority", "labels",
	"visitor_id", "visitor_name", "visitor_email", "assignee_id", "messages", "unread_count"}

// MessageCSVHeader is the header row of messages.csv.
var MessageCSVHeader = []string{"id", "conversation_id", "seq", "created_at", "author_type", "author_id", "author_name", "kind", "private", "body"}

// SpreadsheetText makes a text cell safe to open in a spreadsheet: one that
// would run as a formula gets a leading apostrophe.
func SpreadsheetText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Validation of imported rows: each returns what is wrong with the row, in
// words that name the field.

func checkID(field, id string) error {
	if !ids.Valid(id) {
		return fmt.Errorf("%s %q is not a UUID", field, id)
	}
	return nil
}

func checkTime(field string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%s is missing", field)
	}
	return nil
}

// Check validates a visitor row.
func (r VisitorRow) Check() error {
	if err := checkID("id", r.ID); err != nil {
		return err
	}
	if err := checkTime("created_at", r.CreatedAt); err != nil {
		return err
	}
	return checkTime("last_seen_at", r.LastSeenAt)
}

var (
	statuses   = []string{contracts.StatusOpen, contracts.StatusPending, contracts.StatusSnoozed, contracts.StatusResolved}
	handoffs   = []string{contracts.HandoffBot, contracts.HandoffQueued, contracts.HandoffAgent}
	authorKind = []contracts.AuthorType{contracts.AuthorVisitor, contracts.AuthorAgent, contracts.AuthorBot, contracts.AuthorSystem}
)

func oneOf[T comparable](field string, v T, allowed []T) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%s %v is not one of %v", field, v, allowed)
}

// Check validates a conversation row.
func (r ConversationRow) Check() error {
	for _, err := range []error{
		checkID("id", r.ID), checkID("visitor_id", r.VisitorID),
		oneOf("status", r.Status, statuses), oneOf("handoff", r.Handoff, handoffs),
		checkTime("created_at", r.CreatedAt), checkTime("updated_at", r.UpdatedAt), checkTime("last_activity_at", r.LastActivityAt),
	} {
		if err != nil {
			return err
		}
	}
	if r.AssigneeID != "" {
		if err := checkID("assignee_id", r.AssigneeID); err != nil {
			return err
		}
	}
	if r.LastSeq < 0 || r.AgentReadSeq < 0 || r.VisitorReadSeq < 0 || r.UnreadCount < 0 || r.BotMisses < 0 || r.Resolutions < 0 {
		return fmt.Errorf("last_seq, agent_read_seq, visitor_read_seq, unread_count, bot_misses and resolutions must not be negative")
	}
	if r.SurveyResolution < 0 || r.SurveyResolution > r.Resolutions {
		return fmt.Errorf("survey_resolution must be between 0 and resolutions")
	}
	if r.SurveyResolution > 0 {
		if err := oneOf("survey_scale", r.SurveyScale, surveyScales); err != nil {
			return err
		}
	}
	if r.BotState != "" && !json.Valid([]byte(r.BotState)) {
		return fmt.Errorf("bot_state is not JSON")
	}
	if r.Preview != nil {
		if err := oneOf("preview.author.type", r.Preview.Author.Type, authorKind); err != nil {
			return err
		}
	}
	return nil
}

// ActivityRow is a line of activities.jsonl: a contracts.Activity.
type ActivityRow struct{ contracts.Activity }

var (
	activityKinds = []string{contracts.ActivityReachedTeam, contracts.ActivityResolved, contracts.ActivityReopened,
		contracts.ActivityRated, contracts.ActivityBotMissed}
	surveyScales = []string{contracts.ScaleFive, contracts.ScaleThumbs}
)

// Check validates an activity row.
func (r ActivityRow) Check() error {
	for _, err := range []error{
		checkID("id", r.ID), checkID("conversation_id", r.ConversationID),
		oneOf("kind", r.Kind, activityKinds), checkTime("at", r.At), oneOf("by.type", r.By.Type, authorKind),
	} {
		if err != nil {
			return err
		}
	}
	if r.Kind == contracts.ActivityRated {
		if r.Rating == nil || r.Rating.Score < 1 || r.Rating.Score > 5 {
			return fmt.Errorf("rating.score must be between 1 and 5")
		}
		if err := oneOf("rating.scale", r.Rating.Scale, surveyScales); err != nil {
			return err
		}
	}
	return nil
}

// Check validates a message row.
func (r MessageRow) Check() error {
	for _, err := range []error{
		checkID("id", r.ID), checkID("conversation_id", r.ConversationID),
		oneOf("author.type", r.Author.Type, authorKind),
		oneOf("kind", contracts.MessageKind(r.Kind), []contracts.MessageKind{contracts.KindText, contracts.KindQuickReplies, contracts.KindCard, contracts.KindEvent, contracts.KindDeleted}),
		checkTime("created_at", r.CreatedAt),
	} {
		if err != nil {
			return err
		}
	}
	if r.Seq < 1 {
		return fmt.Errorf("seq must be 1 or more")
	}
	if len(r.Payload) > 0 && !json.Valid(r.Payload) {
		return fmt.Errorf("payload is not JSON")
	}
	return nil
}

// Check validates a booking row.
func (r BookingRow) Check() error {
	for _, err := range []error{
		checkID("id", r.ID), checkID("visitor_id", r.VisitorID), checkID("conversation_id", r.ConversationID),
		oneOf("status", r.Status, []string{"booked", "canceled"}),
		checkTime("start_at", r.StartAt), checkTime("end_at", r.EndAt), checkTime("created_at", r.CreatedAt),
	} {
		if err != nil {
			return err
		}
	}
	if r.ServiceID == "" {
		return fmt.Errorf("service_id is missing")
	}
	return nil
}

// FileRow is a line of files.jsonl: an attachment of a message.
type FileRow struct {
	ID             string           `json:"id"`
	ConversationID string           `json:"conversation_id"`
	MessageID      string           `json:"message_id"`
	Uploader       contracts.Author `json:"uploader"` // type and id
	Name           string           `json:"name"`
	ContentType    string           `json:"content_type"`
	Kind           string           `json:"kind"`
	Size           int64            `json:"size"`
	Width          int              `json:"width,omitempty"`
	Height         int              `json:"height,omitempty"`
	CreatedAt      time.Time        `json:"created_at"`
}

// AttachmentPart is the archive's file holding an attachment's bytes.
func AttachmentPart(fileID string) string { return "attachment-" + fileID }

// Check validates a file row.
func (r FileRow) Check() error {
	for _, err := range []error{
		checkID("id", r.ID), checkID("conversation_id", r.ConversationID), checkID("message_id", r.MessageID),
		oneOf("uploader.type", r.Uploader.Type, authorKind), checkTime("created_at", r.CreatedAt),
	} {
		if err != nil {
			return err
		}
	}
	if r.Uploader.ID == "" {
		return fmt.Errorf("uploader.id is missing")
	}
	return nil
}
