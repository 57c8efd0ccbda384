package domain

import (
	"encoding/json"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

// Conversation is the conversation entity: its state and the transitions a
// message or a member makes to it. The methods are pure; the store maps the
// entity to and from its row (the field names are the columns).
type Conversation struct {
	ID                string
	TenantID          string
	VisitorID         string
	Status            string
	AssigneeID        *string
	Priority          string
	Labels            string // JSON array
	SnoozeUntil       *time.Time
	LastSeq           int64
	AgentReadSeq      int64
	VisitorReadSeq    int64
	UnreadCount       int
	PreviewSeq        int64
	PreviewBody       string
	PreviewAuthorType string
	PreviewAuthorID   string
	PreviewAuthorName string
	PreviewAt         *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	LastActivityAt    time.Time
	Handoff           string // bot, queued or agent
	BotState          string // JSON of the bot's pending question, or ""
	BotMisses         int    // bot answers in a row it could not give
	QueuedAt          *time.Time
	HandedAt          *time.Time
	Resolutions       int    // how many times it was resolved
	SurveyResolution  int    // the resolution whose survey awaits an answer; 0: none
	SurveyScale       string // that survey's scale
	Rating            string // JSON of the latest contracts.Rating, or ""
}

// Assignee is the assignee id, or "".
func (c *Conversation) Assignee() string {
	if c.AssigneeID == nil {
		return ""
	}
	return *c.AssigneeID
}

// SetAssignee sets (or, with "", clears) the assignee.
func (c *Conversation) SetAssignee(id string) {
	if id == "" {
		c.AssigneeID = nil
	} else {
		c.AssigneeID = &id
	}
}

// LabelList decodes the labels.
func (c *Conversation) LabelList() []string {
	out := []string{}
	_ = json.Unmarshal([]byte(c.Labels), &out)
	return out
}

// SetLabels encodes the labels.
func (c *Conversation) SetLabels(l []string) {
	b, _ := json.Marshal(l)
	c.Labels = string(b)
}

// Waiting reports whether a conversation is in the line for a person: handed
// to the queue, still open and not yet given to anyone. (An admin may assign
// or resolve a queued conversation directly; it then leaves the line.)
func (c Conversation) Waiting() bool {
	return c.Handoff == contracts.HandoffQueued && c.Status == contracts.StatusOpen && c.AssigneeID == nil
}

// NextSeq is the number the next message gets: messages are numbered 1, 2,
// 3… with no gaps, so only the writer holding the conversation may use it.
func (c *Conversation) NextSeq() int64 { return c.LastSeq + 1 }

// Post is a message being appended, as the conversation sees it.
type Post struct {
	Seq     int64 // NextSeq() when the message was made
	Author  contracts.Author
	Private bool   // a private note: no preview, no unread count, no claim
	Preview string // the list's line for it (Preview of its text or first file)
}

// Appended says what appending a message did beyond the hot fields (seq,
// activity, preview, unread count, read marks).
type Appended struct {
	ReopenedFrom string // the status a visitor's message reopened; "" if none
	Claimed      bool   // an agent's public reply took the unassigned conversation
}

// Append records a message: the conversation's seq and activity advance,
// public messages become the preview, a visitor's message counts as unread
// and reopens a snoozed, pending or resolved conversation, and an agent's
// reply marks everything read and, if public, claims an unassigned
// conversation.
func (c *Conversation) Append(p Post, now time.Time) Appended {
	var out Appended
	c.LastSeq = p.Seq
	c.LastActivityAt, c.UpdatedAt = now, now
	if !p.Private {
		at := now
		c.PreviewSeq, c.PreviewBody, c.PreviewAt = p.Seq, p.Preview, &at
		c.PreviewAuthorType, c.PreviewAuthorID, c.PreviewAuthorName = string(p.Author.Type), p.Author.ID, p.Author.Name
	}
	switch p.Author.Type {
	case contracts.AuthorVisitor:
		c.UnreadCount++
		c.VisitorReadSeq = p.Seq
		out.ReopenedFrom = c.Reopen()
	case contracts.AuthorAgent: // the team read everything up to its own reply
		c.AgentReadSeq, c.UnreadCount = p.Seq, 0
		if !p.Private {
			out.Claimed = c.Claim(p.Author.ID)
		}
	}
	return out
}

// Reopen opens a snoozed, pending or resolved conversation and returns the
// status it had; "" if it was open already.
func (c *Conversation) Reopen() string {
	if c.Status == contracts.StatusOpen {
		return ""
	}
	from := c.Status
	c.Status, c.SnoozeUntil = contracts.StatusOpen, nil
	if from == contracts.StatusResolved {
		c.SurveyResolution, c.SurveyScale = 0, ""
	}
	return from
}

// Claim gives an unassigned conversation to agentID; false if it has an assignee.
func (c *Conversation) Claim(agentID string) bool {
	if c.AssigneeID != nil {
		return false
	}
	c.SetAssignee(agentID)
	return true
}

// SetStatus moves the conversation to status (checked with CheckStatus; a
// snooze keeps until). A new resolution is counted and, with surveys on,
// awaits its rating on scale; leaving resolved drops a pending survey. It
// returns the status the conversation had.
func (c *Conversation) SetStatus(status string, until *time.Time, surveyScale string) string {
	from := c.Status
	c.Status, c.SnoozeUntil = status, nil
	if status == contracts.StatusSnoozed {
		c.SnoozeUntil = until
	}
	switch {
	case status == contracts.StatusResolved && from != contracts.StatusResolved:
		c.Resolutions++
		c.SurveyResolution, c.SurveyScale = 0, ""
		if surveyScale != "" {
			c.SurveyResolution, c.SurveyScale = c.Resolutions, surveyScale
		}
	case from == contracts.StatusResolved && status != contracts.StatusResolved:
		c.SurveyResolution, c.SurveyScale = 0, ""
	}
	return from
}

// Snooze sets the conversation aside until a time (validated as CheckStatus does).
func (c *Conversation) Snooze(until, now time.Time) error {
	if err := CheckStatus(contracts.StatusSnoozed, &until, now); err != nil {
		return err
	}
	c.SetStatus(contracts.StatusSnoozed, &until, "")
	return nil
}

// HandToAgent is an agent taking the conversation over from the bot or the
// queue: it is theirs, and the bot's pending question is dropped.
func (c *Conversation) HandToAgent(agentID string, now time.Time) {
	at := now
	c.Handoff, c.BotState, c.BotMisses, c.HandedAt = contracts.HandoffAgent, "", 0, &at
	c.SetAssignee(agentID)
}

// HandToQueue puts the conversation in the line for a person, unassigned.
func (c *Conversation) HandToQueue(now time.Time) {
	at := now
	c.Handoff, c.QueuedAt, c.BotMisses = contracts.HandoffQueued, &at, 0
	c.SetAssignee("")
	c.UpdatedAt = now
}

// OnlyHotChanged reports whether c differs from before only in the fields a
// message advances (seq, activity, preview, unread count, read marks): the
// store then writes just those.
func (c *Conversation) OnlyHotChanged(before Conversation) bool {
	return c.ID == before.ID && c.Status == before.Status && c.Assignee() == before.Assignee() &&
		c.Priority == before.Priority && c.Labels == before.Labels && sameTime(c.SnoozeUntil, before.SnoozeUntil) &&
		c.Handoff == before.Handoff && c.BotState == before.BotState && c.BotMisses == before.BotMisses &&
		sameTime(c.QueuedAt, before.QueuedAt) && sameTime(c.HandedAt, before.HandedAt) &&
		c.Resolutions == before.Resolutions && c.SurveyResolution == before.SurveyResolution &&
		c.SurveyScale == before.SurveyScale && c.Rating == before.Rating && c.VisitorID == before.VisitorID
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// LatestRating decodes the conversation's latest rating, or nil.
func (c *Conversation) LatestRating() *contracts.Rating {
	if c.Rating == "" {
		return nil
	}
	var r contracts.Rating
	if json.Unmarshal([]byte(c.Rating), &r) != nil {
		return nil
	}
	return &r
}

// SetRating records the latest rating on the conversation.
func (c *Conversation) SetRating(r contracts.Rating) {
	b, _ := json.Marshal(r)
	c.Rating = string(b)
}
