package contracts

import "time"

// Satisfaction surveys (CSAT) and the reports read model. The definitions
// of every figure are in docs/reports.md; the code that computes them is in
// services/conversation/internal/domain/report.go.

// Survey scales.
const (
	ScaleFive   = "five"   // 1 (very unhappy) … 5 (very happy)
	ScaleThumbs = "thumbs" // thumbs down (stored as 1) or up (stored as 5)
)

// SurveySettings say whether a resolved conversation asks its visitor
// "How did we do?", and on which scale.
type SurveySettings struct {
	Enabled bool   `json:"enabled"`
	Scale   string `json:"scale"` // five or thumbs
}

// DefaultSurvey is every tenant's survey until it changes it, including
// tenants whose settings predate surveys: on, on the 1–5 scale.
var DefaultSurvey = SurveySettings{Enabled: true, Scale: ScaleFive}

// MaxRatingComment is the longest rating comment, in characters.
const MaxRatingComment = 2000

// Rating is a visitor's answer to the survey of one resolution of a
// conversation. A reopened and re-resolved conversation may be rated again:
// Resolution says which resolution (1, 2, …) it rates.
type Rating struct {
	Score      int       `json:"score"` // 1–5; on the thumbs scale 1 (down) or 5 (up)
	Scale      string    `json:"scale"`
	Comment    string    `json:"comment,omitempty"`
	Resolution int       `json:"resolution"`
	AgentID    string    `json:"agent_id,omitempty"` // the agent the resolution is credited to
	RatedAt    time.Time `json:"rated_at"`
}

// SurveyPrompt is on a resolved conversation whose visitor may still rate
// this resolution; it disappears once they have.
type SurveyPrompt struct {
	Scale      string `json:"scale"`
	Resolution int    `json:"resolution"`
}

// RateRequest is a visitor rating a resolved conversation (from the widget,
// or from the survey email through notify, which calls it with the visitor
// as actor). Rating the same resolution twice is a 409.
type RateRequest struct {
	Actor          Actor  `json:"actor"`
	ConversationID string `json:"conversation_id"`
	Resolution     int    `json:"resolution"` // the SurveyPrompt's; another one is a 409
	Score          int    `json:"score"`
	Comment        string `json:"comment,omitempty"`
}

// Activity kinds: the lifecycle facts of a conversation that reports count.
const (
	ActivityReachedTeam = "reached_team" // started without a bot, or the bot handed it to a person
	ActivityResolved    = "resolved"
	ActivityReopened    = "reopened"
	ActivityRated       = "rated"
	ActivityBotMissed   = "bot_missed" // the bot had no answer to a visitor's message
)

// Activity is one lifecycle fact of a conversation. It is stored (the
// conversation's history, which the reports are rebuilt from) and published
// as ConversationActivityEvent in the same transaction as the change.
type Activity struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Kind           string    `json:"kind"`
	At             time.Time `json:"at"`
	By             Author    `json:"by"`                    // who caused it: visitor, agent, bot or system
	AssigneeID     string    `json:"assignee_id,omitempty"` // the conversation's assignee right after
	Resolution     int       `json:"resolution,omitempty"`  // resolved and rated: which resolution (1, 2, …)
	Surveyed       bool      `json:"surveyed,omitempty"`    // resolved: the visitor was asked to rate it
	Rating         *Rating   `json:"rating,omitempty"`      // rated
	Seq            int64     `json:"seq,omitempty"`         // bot_missed: the visitor's message
	Question       string    `json:"question,omitempty"`    // bot_missed: what the visitor wrote
}

// ConversationActivityEvent carries one Activity.
var ConversationActivityEvent = EventType{ServiceConversation, "conversation", "activity", 1}

// Report granularities.
const (
	GranularityDay  = "day"
	GranularityHour = "hour"
)

// ReportRequest asks for a tenant's figures over [From, To], whole days in
// the tenant's time zone (its business-hours time zone; UTC when unset).
// Agents get only their own figures: AgentID is forced to themselves.
type ReportRequest struct {
	Actor         Actor  `json:"actor"`
	From          string `json:"from"` // YYYY-MM-DD, inclusive
	To            string `json:"to"`   // YYYY-MM-DD, inclusive; at most 366 days after From
	AgentID       string `json:"agent_id,omitempty"`
	Label         string `json:"label,omitempty"`
	BusinessHours bool   `json:"business_hours,omitempty"` // count durations in business hours only
	Granularity   string `json:"granularity,omitempty"`    // day (default) or hour (at most 31 days)
}

// Durations summarise a duration figure, in seconds. Median and P90 are nil
// when Count is 0.
type Durations struct {
	Count  int      `json:"count"`
	Median *float64 `json:"median_seconds"`
	P90    *float64 `json:"p90_seconds"`
}

// ReportSummary is the headline figures of one period.
type ReportSummary struct {
	Conversations int       `json:"conversations"` // new
	Resolutions   int       `json:"resolutions"`
	Missed        int       `json:"missed"`
	FirstResponse Durations `json:"first_response"`
	Resolution    Durations `json:"resolution"`
	CSATAverage   *float64  `json:"csat_average"`   // 1–5
	CSATResponses int       `json:"csat_responses"` // ratings given
	Containment   *float64  `json:"containment"`    // 0–1; nil without bot conversations
}

// VolumePoint is one bucket (a local day or hour) of the volume chart.
type VolumePoint struct {
	Start    time.Time `json:"start"` // the bucket's start, in the tenant's time zone
	New      int       `json:"new"`
	Resolved int       `json:"resolved"`
}

// CSATFigures are the satisfaction survey's results in the period.
type CSATFigures struct {
	Responses    int             `json:"responses"`
	Surveyed     int             `json:"surveyed"` // resolutions whose visitor was asked
	ResponseRate *float64        `json:"response_rate"`
	Average      *float64        `json:"average"`
	Satisfied    *float64        `json:"satisfied"`    // share of scores 4–5
	Distribution [5]int          `json:"distribution"` // count of scores 1…5
	Comments     []RatingComment `json:"comments"`     // newest first, at most 200
}

// RatingComment is one rating with a comment, for the comments list.
type RatingComment struct {
	ConversationID string    `json:"conversation_id"`
	Score          int       `json:"score"`
	Scale          string    `json:"scale"`
	Comment        string    `json:"comment"`
	AgentID        string    `json:"agent_id,omitempty"`
	RatedAt        time.Time `json:"rated_at"`
}

// BotFigures are what the bot handled in the period.
type BotFigures struct {
	Conversations int                  `json:"conversations"` // new conversations that started with the bot
	Contained     int                  `json:"contained"`     // of those: resolved, never handed off, no person wrote
	Containment   *float64             `json:"containment"`
	HandedOff     int                  `json:"handed_off"`
	HandoffRate   *float64             `json:"handoff_rate"`
	Unanswered    []UnansweredQuestion `json:"unanswered"` // most asked first, at most 50
}

// UnansweredQuestion is a phrasing the bot had no answer to.
type UnansweredQuestion struct {
	Question    string    `json:"question"` // the latest phrasing of this normalised question
	Count       int       `json:"count"`
	LastAskedAt time.Time `json:"last_asked_at"`
}

// AgentFigures are one agent's figures in the period.
type AgentFigures struct {
	AgentID       string    `json:"agent_id"`
	Name          string    `json:"name"`
	Handled       int       `json:"handled"` // resolutions credited to the agent
	FirstResponse Durations `json:"first_response"`
	Resolution    Durations `json:"resolution"`
	CSATAverage   *float64  `json:"csat_average"`
	CSATResponses int       `json:"csat_responses"`
}

// Report is every figure of a period, with the previous period of the same
// length for comparison.
type Report struct {
	From          string         `json:"from"`
	To            string         `json:"to"`
	PreviousFrom  string         `json:"previous_from"`
	PreviousTo    string         `json:"previous_to"`
	Timezone      string         `json:"timezone"`
	Granularity   string         `json:"granularity"`
	BusinessHours bool           `json:"business_hours"`
	Summary       ReportSummary  `json:"summary"`
	Previous      ReportSummary  `json:"previous"`
	Volume        []VolumePoint  `json:"volume"`
	Heatmap       [7][24]int     `json:"heatmap"` // new conversations by local weekday (Monday first) and hour
	CSAT          CSATFigures    `json:"csat"`
	Bot           BotFigures     `json:"bot"`
	Agents        []AgentFigures `json:"agents"`
	GeneratedAt   time.Time      `json:"generated_at"`
}

// ReportRebuildRequest rebuilds a tenant's read model from the source
// tables (owner or admin).
type ReportRebuildRequest struct {
	Actor Actor `json:"actor"`
}

// ReportRebuilt says how much the rebuild read.
type ReportRebuilt struct {
	Conversations int `json:"conversations"`
	Activities    int `json:"activities"`
}

// Report and survey endpoints.
var (
	ConversationRate          = Endpoint[RateRequest, VisitorConversation]{ServiceConversation, "rate"}
	ConversationReport        = Endpoint[ReportRequest, Report]{ServiceConversation, "report"}
	ConversationReportRebuild = Endpoint[ReportRebuildRequest, ReportRebuilt]{ServiceConversation, "report_rebuild"}
)

// SurveyTokenRequest carries the token of a survey email's link.
type SurveyTokenRequest struct {
	Token string `json:"token"`
}

// SurveyPage is what the hosted survey page shows for a token.
type SurveyPage struct {
	TenantName string  `json:"tenant_name"`
	Color      string  `json:"color"`
	Locale     string  `json:"locale"`
	Scale      string  `json:"scale"`
	Rated      *Rating `json:"rated,omitempty"` // already answered: the page thanks instead
}

// SurveyAnswerRequest answers a survey email (the hosted page's form).
type SurveyAnswerRequest struct {
	Token   string `json:"token"`
	Score   int    `json:"score"`
	Comment string `json:"comment,omitempty"`
}

// Survey email endpoints: notify signs the token of the email's links and
// answers for the visitor it was sent to.
var (
	NotifySurveyGet    = Endpoint[SurveyTokenRequest, SurveyPage]{ServiceNotify, "survey_get"}
	NotifySurveyAnswer = Endpoint[SurveyAnswerRequest, SurveyPage]{ServiceNotify, "survey_answer"}
)
