package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

func (a *API) listConversations(c *gin.Context) {
	limit, err := intQuery(c, "limit")
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.ConversationList, contracts.ListRequest{
		Actor: actor(c), Status: c.Query("status"), Assignee: c.Query("assignee"), Query: c.Query("q"), Handoff: c.Query("handoff"),
		Label: c.Query("label"), Cursor: c.Query("cursor"), Limit: int(limit),
	}, http.StatusOK)
}

func (a *API) visitorConversations(c *gin.Context) {
	limit, err := intQuery(c, "limit")
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.ConversationList, contracts.ListRequest{
		Actor: actor(c), VisitorID: c.Param("id"), Cursor: c.Query("cursor"), Limit: int(limit),
	}, http.StatusOK)
}

func (a *API) getConversation(c *gin.Context) {
	respond(c, a.nc, contracts.ConversationGet, contracts.ConversationRequest{Actor: actor(c), ConversationID: c.Param("id")}, http.StatusOK)
}

type conversationPatch struct {
	Status      *string   `json:"status"`
	SnoozeUntil *string   `json:"snooze_until"` // RFC 3339, parsed here to name the field on error
	AssigneeID  *string   `json:"assignee_id"`
	Priority    *string   `json:"priority"`
	Labels      *[]string `json:"labels"`
}

func (a *API) updateConversation(c *gin.Context) {
	var b conversationPatch
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	var until *time.Time
	if b.SnoozeUntil != nil {
		t, err := time.Parse(time.RFC3339Nano, *b.SnoozeUntil)
		if err != nil {
			fail(c, apperr.InvalidField("snooze_until", "snooze_until must be a date-time such as 2026-12-01T09:00:00Z"))
			return
		}
		until = &t
	}
	respond(c, a.nc, contracts.ConversationUpdate, contracts.UpdateRequest{
		Actor: actor(c), ConversationID: c.Param("id"), Status: b.Status, SnoozeUntil: until,
		AssigneeID: b.AssigneeID, Priority: b.Priority, Labels: b.Labels,
	}, http.StatusOK)
}

// transcript downloads a conversation as text (default) or JSON.
func (a *API) transcript(c *gin.Context) {
	format := c.DefaultQuery("format", "text")
	if format != "text" && format != "json" {
		fail(c, apperr.InvalidField("format", `format must be "text" or "json"`))
		return
	}
	t, err := natsx.Call(c, a.nc, contracts.ConversationTranscript, contracts.ConversationRequest{Actor: actor(c), ConversationID: c.Param("id")})
	if err != nil {
		fail(c, err)
		return
	}
	name := "conversation-" + t.Conversation.ID
	if format == "json" {
		c.Header("Content-Disposition", `attachment; filename="`+name+`.json"`)
		c.JSON(http.StatusOK, t)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`.txt"`)
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(renderTranscript(t)))
}

func renderTranscript(t contracts.Transcript) string {
	var b strings.Builder
	v := t.Conversation.Visitor
	who := v.Name
	if who == "" {
		who = "Visitor " + v.ID[:8]
	}
	fmt.Fprintf(&b, "Conversation %s with %s", t.Conversation.ID, who)
	if v.Email != "" {
		fmt.Fprintf(&b, " <%s>", v.Email)
	}
	fmt.Fprintf(&b, "\nStarted %s · status %s\n\n", t.Conversation.CreatedAt.UTC().Format(time.RFC1123), t.Conversation.Status)
	for _, m := range t.Messages {
		name := m.Author.Name
		if name == "" {
			name = string(m.Author.Type)
		}
		note := ""
		if m.Private {
			note = " (private note)"
		}
		fmt.Fprintf(&b, "[%s] %s%s:\n%s\n\n", m.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC"), name, note, m.Body)
	}
	return b.String()
}
