package app

import (
	"encoding/json"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Conversions between the store's rows and the archive's (see
// domain/archive.go for the files). Times are written in UTC so both
// databases give the same bytes.

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func visitorRow(v store.Visitor) domain.VisitorRow {
	attrs := map[string]string{}
	_ = json.Unmarshal([]byte(v.Attributes), &attrs)
	return domain.VisitorRow{ID: v.ID, Name: v.Name, Email: v.Email, ExternalID: v.ExternalID, Verified: v.Verified, Attributes: attrs,
		CurrentURL: v.CurrentURL, UserAgent: v.UserAgent, Locale: v.Locale, Timezone: v.Timezone,
		CreatedAt: v.CreatedAt.UTC(), LastSeenAt: v.LastSeenAt.UTC()}
}

func visitorFromRow(r domain.VisitorRow) store.Visitor {
	attrs := r.Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	b, _ := json.Marshal(attrs)
	return store.Visitor{ID: r.ID, Name: r.Name, Email: r.Email, ExternalID: r.ExternalID, Verified: r.Verified, Attributes: string(b),
		CurrentURL: r.CurrentURL, UserAgent: r.UserAgent, Locale: r.Locale, Timezone: r.Timezone, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt}
}

func conversationRow(c store.Conversation) domain.ConversationRow {
	out := domain.ConversationRow{ID: c.ID, VisitorID: c.VisitorID, Status: c.Status, Handoff: c.Handoff,
		QueuedAt: utc(c.QueuedAt), HandedAt: utc(c.HandedAt), BotState: c.BotState, BotMisses: c.BotMisses,
		AssigneeID: c.Assignee(), Priority: c.Priority, Labels: c.LabelList(), SnoozeUntil: utc(c.SnoozeUntil),
		LastSeq: c.LastSeq, AgentReadSeq: c.AgentReadSeq, VisitorReadSeq: c.VisitorReadSeq, UnreadCount: c.UnreadCount,
		Resolutions: c.Resolutions, SurveyResolution: c.SurveyResolution, SurveyScale: c.SurveyScale, Rating: c.LatestRating(),
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), LastActivityAt: c.LastActivityAt.UTC()}
	if c.PreviewSeq > 0 && c.PreviewAt != nil {
		out.Preview = &domain.PreviewRow{Seq: c.PreviewSeq, Body: c.PreviewBody, At: c.PreviewAt.UTC(),
			Author: contracts.Author{Type: contracts.AuthorType(c.PreviewAuthorType), ID: c.PreviewAuthorID, Name: c.PreviewAuthorName}}
	}
	return out
}

// conversationFromRow rebuilds a conversation, its member ids mapped.
func conversationFromRow(r domain.ConversationRow, members memberMap) store.Conversation {
	c := store.Conversation{ID: r.ID, VisitorID: r.VisitorID, Status: r.Status, Handoff: r.Handoff,
		QueuedAt: r.QueuedAt, HandedAt: r.HandedAt, BotState: r.BotState, BotMisses: r.BotMisses,
		Priority: r.Priority, SnoozeUntil: r.SnoozeUntil,
		LastSeq: r.LastSeq, AgentReadSeq: r.AgentReadSeq, VisitorReadSeq: r.VisitorReadSeq, UnreadCount: r.UnreadCount,
		Resolutions: r.Resolutions, SurveyResolution: r.SurveyResolution, SurveyScale: r.SurveyScale,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, LastActivityAt: r.LastActivityAt}
	if r.Rating != nil {
		rating := members.rating(*r.Rating)
		c.SetRating(rating)
	}
	if id, ok := members[r.AssigneeID]; ok {
		c.SetAssignee(id) // an assignee who is no member here is cleared
	}
	labels := r.Labels
	if labels == nil {
		labels = []string{}
	}
	c.SetLabels(labels)
	if p := r.Preview; p != nil {
		author := members.author(p.Author)
		at := p.At
		c.PreviewSeq, c.PreviewBody, c.PreviewAt = p.Seq, p.Body, &at
		c.PreviewAuthorType, c.PreviewAuthorID, c.PreviewAuthorName = string(author.Type), author.ID, author.Name
	}
	return c
}

func messageRow(m store.Message) domain.MessageRow {
	out := domain.MessageRow{ID: m.ID, ConversationID: m.ConversationID, Seq: m.Seq,
		Author: contracts.Author{Type: contracts.AuthorType(m.AuthorType), ID: m.AuthorID, Name: m.AuthorName},
		Body:   m.Body, Kind: m.Kind, Private: m.Private, CreatedAt: m.CreatedAt.UTC()}
	if m.Payload != nil {
		out.Payload = json.RawMessage(*m.Payload)
	}
	if m.ClientMsgID != nil {
		out.ClientMsgID = *m.ClientMsgID
	}
	return out
}

func messageFromRow(r domain.MessageRow, members memberMap) store.Message {
	author := members.author(r.Author)
	m := store.Message{ID: r.ID, ConversationID: r.ConversationID, Seq: r.Seq, AuthorType: string(author.Type), AuthorID: author.ID,
		AuthorName: author.Name, Body: r.Body, Kind: r.Kind, Private: r.Private, CreatedAt: r.CreatedAt}
	if len(r.Payload) > 0 {
		p := string(r.Payload)
		m.Payload = &p
	}
	if r.ClientMsgID != "" {
		id := r.ClientMsgID
		m.ClientMsgID = &id
	}
	return m
}

func bookingRow(b store.Booking) domain.BookingRow {
	return domain.BookingRow{ID: b.ID, ServiceID: b.ServiceID, ServiceName: b.ServiceName, StartAt: b.StartAt.UTC(), EndAt: b.EndAt.UTC(),
		Status: b.Status, VisitorID: b.VisitorID, Name: b.Name, Email: b.Email, ConversationID: b.ConversationID,
		CreatedAt: b.CreatedAt.UTC(), CanceledAt: utc(b.CanceledAt)}
}

// bookingFromRow rebuilds a booking with a calendar-link token nobody holds:
// the old link named the old workspace.
func bookingFromRow(r domain.BookingRow) store.Booking {
	return store.Booking{ID: r.ID, ServiceID: r.ServiceID, ServiceName: r.ServiceName, StartAt: r.StartAt, EndAt: r.EndAt,
		Status: r.Status, VisitorID: r.VisitorID, Name: r.Name, Email: r.Email, ConversationID: r.ConversationID,
		ICSTokenHash: ids.Hash(ids.Secret(32)), CreatedAt: r.CreatedAt, CanceledAt: r.CanceledAt}
}

// memberMap maps the old workspace's member ids to this one's.
type memberMap map[string]string

// rating maps the agent a rating is credited to (cleared without a match).
func (m memberMap) rating(r contracts.Rating) contracts.Rating {
	if r.AgentID != "" {
		r.AgentID = m[r.AgentID]
	}
	return r
}

// activityFromRow maps an imported activity's member ids.
func activityFromRow(r contracts.Activity, members memberMap) contracts.Activity {
	r.By = members.author(r.By)
	if r.AssigneeID != "" {
		r.AssigneeID = members[r.AssigneeID]
	}
	if r.Rating != nil {
		rating := members.rating(*r.Rating)
		r.Rating = &rating
	}
	r.At = r.At.UTC()
	return r
}

// author maps an agent author's id; an unmapped one keeps its id and name.
func (m memberMap) author(a contracts.Author) contracts.Author {
	if a.Type == contracts.AuthorAgent {
		if id, ok := m[a.ID]; ok {
			a.ID = id
		}
	}
	return a
}

func fileRow(f store.File) domain.FileRow {
	return domain.FileRow{ID: f.ID, ConversationID: f.Conversation(), MessageID: *f.MessageID,
		Uploader: contracts.Author{Type: contracts.AuthorType(f.UploaderType), ID: f.UploaderID},
		Name:     f.Name, ContentType: f.ContentType, Kind: f.Kind, Size: f.Size, Width: f.Width, Height: f.Height, CreatedAt: f.CreatedAt.UTC()}
}
