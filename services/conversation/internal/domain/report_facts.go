package domain

import (
	"math"
	"slices"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

// The reports' read model: the facts of each conversation, worked out from
// its messages and activities when they happen (docs/reports.md defines
// every clock). Each derivation below depends only on the facts, never on
// the order they arrived in, so a redelivered or late event changes nothing.

// MessageFacts are what the reports need from a conversation's messages.
type MessageFacts struct {
	FirstVisitorAt   *time.Time
	LastVisitorAt    *time.Time
	FirstResponseAt  *time.Time // the first public message by a person
	FirstResponderID string
}

// Add takes one message into the facts and reports whether they changed.
// Bot and system messages and private notes never count.
func (f *MessageFacts) Add(m contracts.Message) bool {
	at := m.CreatedAt
	switch {
	case m.Author.Type == contracts.AuthorVisitor:
		changed := false
		if f.FirstVisitorAt == nil || at.Before(*f.FirstVisitorAt) {
			f.FirstVisitorAt, changed = &at, true
		}
		if f.LastVisitorAt == nil || at.After(*f.LastVisitorAt) {
			f.LastVisitorAt, changed = &at, true
		}
		return changed
	case m.Author.Type == contracts.AuthorAgent && !m.Private:
		if f.FirstResponseAt == nil || at.Before(*f.FirstResponseAt) {
			f.FirstResponseAt, f.FirstResponderID = &at, m.Author.ID
			return true
		}
	}
	return false
}

// ReportConversation is one conversation's row of the read model.
type ReportConversation struct {
	ConversationID   string
	FirstVisitorAt   *time.Time // the conversation is new in this one's period
	LastVisitorAt    *time.Time
	ReachedTeamAt    *time.Time // the first reached_team
	StartedWithBot   bool
	FirstResponseAt  *time.Time
	FirstResponderID string
	FirstResponse    *float64 // seconds, wall clock
	FirstResponseBiz *float64 // seconds inside business hours
	Resolutions      int
	AssigneeID       string // the current assignee
}

// ReportResolution is one resolved activity.
type ReportResolution struct {
	ConversationID string
	Resolution     int
	ResolvedAt     time.Time
	AgentID        string // credited: the assignee at resolution, else the resolving agent
	Surveyed       bool
	Rated          bool
	Seconds        *float64 // from the cycle's start; nil when it has none (no visitor message)
	BizSeconds     *float64
}

// ReportRating is one rated activity.
type ReportRating struct {
	ConversationID string
	Resolution     int
	RatedAt        time.Time
	Score          int
	Scale          string
	Comment        string
	AgentID        string
}

// ReportMiss is one bot_missed activity.
type ReportMiss struct {
	ConversationID string
	Seq            int64
	AskedAt        time.Time
	Question       string
}

// ReportRows are one conversation's rows of the read model.
type ReportRows struct {
	Conversation ReportConversation
	Resolutions  []ReportResolution
	Ratings      []ReportRating
	Misses       []ReportMiss
}

// DeriveReport works out a conversation's rows from its message facts and
// its activities (in any order), counting business time with hours h.
func DeriveReport(conversationID, assigneeID string, m MessageFacts, acts []contracts.Activity, h contracts.BusinessHours) ReportRows {
	acts = slices.Clone(acts)
	slices.SortStableFunc(acts, func(a, b contracts.Activity) int { return a.At.Compare(b.At) })
	c := ReportConversation{ConversationID: conversationID, AssigneeID: assigneeID, FirstVisitorAt: m.FirstVisitorAt,
		LastVisitorAt: m.LastVisitorAt, FirstResponseAt: m.FirstResponseAt, FirstResponderID: m.FirstResponderID}
	out := ReportRows{}
	rated := map[int]bool{}
	for _, a := range acts {
		if a.Kind == contracts.ActivityRated && a.Rating != nil {
			rated[a.Rating.Resolution] = true
		}
	}
	cycleStart := m.FirstVisitorAt
	for _, a := range acts {
		at := a.At
		switch a.Kind {
		case contracts.ActivityReachedTeam:
			if c.ReachedTeamAt == nil {
				c.ReachedTeamAt = &at
				c.StartedWithBot = a.By.Type != contracts.AuthorVisitor
			}
		case contracts.ActivityReopened:
			cycleStart = &at
		case contracts.ActivityResolved:
			c.Resolutions++
			n := a.Resolution
			if n == 0 {
				n = c.Resolutions
			}
			r := ReportResolution{ConversationID: conversationID, Resolution: n, ResolvedAt: at, AgentID: a.AssigneeID,
				Surveyed: a.Surveyed, Rated: rated[n]}
			if r.AgentID == "" && a.By.Type == contracts.AuthorAgent {
				r.AgentID = a.By.ID
			}
			r.Seconds, r.BizSeconds = clocks(h, cycleStart, at)
			out.Resolutions = append(out.Resolutions, r)
		case contracts.ActivityRated:
			if a.Rating != nil {
				out.Ratings = append(out.Ratings, ReportRating{ConversationID: conversationID, Resolution: a.Rating.Resolution,
					RatedAt: at, Score: a.Rating.Score, Scale: a.Rating.Scale, Comment: a.Rating.Comment, AgentID: a.Rating.AgentID})
			}
		case contracts.ActivityBotMissed:
			out.Misses = append(out.Misses, ReportMiss{ConversationID: conversationID, Seq: a.Seq, AskedAt: at, Question: a.Question})
		}
	}
	if c.ReachedTeamAt == nil {
		c.StartedWithBot = true // never reached the team: the bot had it all along
	}
	if m.FirstResponseAt != nil && m.FirstVisitorAt != nil {
		// From the hand-off when the person answered after it; from the
		// first visitor message when they jumped in while the bot had it.
		start := *m.FirstVisitorAt
		if c.ReachedTeamAt != nil && !c.ReachedTeamAt.After(*m.FirstResponseAt) && c.ReachedTeamAt.After(start) {
			start = *c.ReachedTeamAt
		}
		c.FirstResponse, c.FirstResponseBiz = clocks(h, &start, *m.FirstResponseAt)
	}
	out.Conversation = c
	return out
}

// clocks is the wall-clock and business-hours time from start to end, in
// whole seconds.
func clocks(h contracts.BusinessHours, start *time.Time, end time.Time) (*float64, *float64) {
	if start == nil {
		return nil, nil
	}
	wall := math.Round(max(end.Sub(*start).Seconds(), 0))
	biz := math.Round(BusinessSeconds(h, *start, end))
	return &wall, &biz
}
