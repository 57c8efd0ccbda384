package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

type sessionBody struct {
	VisitorToken string                     `json:"visitor_token"`
	Identity     *contracts.VisitorIdentity `json:"identity"`
}

// widgetConfig is what the widget needs to draw itself.
type widgetConfig struct {
	BusinessName        string                   `json:"business_name"`
	Widget              contracts.WidgetSettings `json:"widget"`
	OfflineMessage      string                   `json:"offline_message"`
	AgentsOnline        []contracts.Author       `json:"agents_online"`
	WithinBusinessHours bool                     `json:"within_business_hours"`
	NextOpenAt          *time.Time               `json:"next_open_at,omitempty"`
	// QuotaExceeded: the tenant's conversations for the month are used up, so
	// the widget shows its offline form (the visitor can still leave an email).
	QuotaExceeded bool `json:"quota_exceeded"`
}

type sessionVisitor struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Verified bool   `json:"verified"`
}

type sessionResponse struct {
	VisitorToken string         `json:"visitor_token"`
	ExpiresAt    time.Time      `json:"expires_at"`
	Visitor      sessionVisitor `json:"visitor"`
	Config       widgetConfig   `json:"config"`
}

// widgetSession starts or resumes a visitor's session. It stores nothing.
func (a *API) widgetSession(c *gin.Context) {
	var b sessionBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	wt, err := a.widgets.Resolve(c, c.Param("widget_key"))
	if err != nil {
		fail(c, err)
		return
	}
	if !a.originAllowed(c, wt.Settings) {
		fail(c, apperr.New(apperr.Forbidden, "this website is not allowed to use this chat widget"))
		return
	}
	sess, err := natsx.Call(c, a.nc, contracts.IdentityVisitorSession, contracts.VisitorSessionRequest{
		TenantID: wt.TenantID, VisitorToken: b.VisitorToken, Identity: b.Identity, RequireVerified: wt.Settings.Widget.RequireVerified,
	})
	if err != nil {
		fail(c, err)
		return
	}
	check, err := natsx.Call(c, a.nc, contracts.ConversationBlockCheck, contracts.BlockCheckRequest{TenantID: wt.TenantID, VisitorID: sess.Actor.ID, IP: c.ClientIP()})
	if err != nil {
		fail(c, err)
		return
	}
	if check.Blocked {
		fail(c, apperr.New(apperr.Forbidden, "this chat is not available to you: the team blocked this visitor or network"))
		return
	}
	online, err := natsx.Call(c, a.nc, contracts.ConversationOnlineAgents, contracts.TenantIDRequest{TenantID: wt.TenantID})
	if err != nil {
		fail(c, err)
		return
	}
	out := sessionResponse{VisitorToken: sess.VisitorToken, ExpiresAt: sess.ExpiresAt, Visitor: sessionVisitor{ID: sess.Actor.ID}}
	if id := sess.Actor.Identity; id != nil {
		out.Visitor = sessionVisitor{ID: sess.Actor.ID, Name: id.Name, Email: id.Email, Verified: true}
	} else if v, err := natsx.Call(c, a.nc, contracts.ConversationVisitorGet, contracts.VisitorRequest{TenantID: wt.TenantID, VisitorID: sess.Actor.ID}); err == nil {
		out.Visitor.Name, out.Visitor.Email = v.Name, v.Email
	}
	avail := wt.Settings.BusinessHours.At(time.Now())
	out.Config = widgetConfig{
		BusinessName: wt.Name, Widget: wt.Settings.Widget, OfflineMessage: wt.Settings.OfflineMessage,
		AgentsOnline: online.Agents, WithinBusinessHours: avail.Open, NextOpenAt: avail.NextOpenAt,
		QuotaExceeded: a.quotaExceeded(c, wt.TenantID),
	}
	c.JSON(http.StatusOK, out)
}

func (a *API) widgetConversations(c *gin.Context) {
	respond(c, a.nc, contracts.ConversationListOwn, contracts.ConversationRequest{Actor: actor(c)}, http.StatusOK)
}

type startBody struct {
	Body        string   `json:"body"`
	ClientMsgID string   `json:"client_msg_id"`
	Attachments []string `json:"attachments"`
	CurrentURL  *string  `json:"current_url"`
	Locale      *string  `json:"locale"`
	Timezone    *string  `json:"timezone"`
}

// startResponse is a new conversation and its first message, as the visitor sees them.
type startResponse struct {
	Conversation contracts.VisitorConversation `json:"conversation"`
	Message      contracts.Message             `json:"message"`
}

func (a *API) widgetStart(c *gin.Context) {
	var b startBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	if err := a.visitors.Start(actor(c)); err != nil {
		fail(c, err)
		return
	}
	res, err := natsx.Call(c, a.nc, contracts.ConversationStart, contracts.StartRequest{Actor: actor(c), Body: b.Body, ClientMsgID: b.ClientMsgID, Attachments: b.Attachments,
		CurrentURL: b.CurrentURL, Locale: b.Locale, Timezone: b.Timezone})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(createdUnlessReplayed(res), startResponse{Conversation: res.Conversation.ForVisitor(), Message: res.Message})
}

// createdUnlessReplayed is 201 for a new message and 200 for a retry.
func createdUnlessReplayed(res contracts.SendResult) int {
	if res.Replayed {
		return http.StatusOK
	}
	return http.StatusCreated
}

type visitorMessageBody struct {
	Body        string   `json:"body"`
	ClientMsgID string   `json:"client_msg_id"`
	Attachments []string `json:"attachments"`
}

func (a *API) widgetSend(c *gin.Context) {
	var b visitorMessageBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	if err := a.visitors.Message(actor(c)); err != nil {
		fail(c, err)
		return
	}
	a.send(c, contracts.SendRequest{Actor: actor(c), ConversationID: c.Param("id"), Body: b.Body, ClientMsgID: b.ClientMsgID, Attachments: b.Attachments})
}

func (a *API) send(c *gin.Context, req contracts.SendRequest) {
	res, err := natsx.Call(repeatable(c), a.nc, contracts.ConversationSend, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(createdUnlessReplayed(res), res.Message)
}

// messages serves ?after_seq=N&limit=M for agents and visitors alike.
func (a *API) messages(c *gin.Context) {
	req := contracts.MessagesRequest{Actor: actor(c), ConversationID: c.Param("id")}
	var err error
	if req.AfterSeq, err = intQuery(c, "after_seq"); err != nil {
		fail(c, err)
		return
	}
	limit, err := intQuery(c, "limit")
	if err != nil {
		fail(c, err)
		return
	}
	req.Limit = int(limit)
	respond(c, a.nc, contracts.ConversationMessages, req, http.StatusOK)
}

func intQuery(c *gin.Context, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.InvalidField(name, "%s must be a whole number, 0 or more", name)
	}
	return n, nil
}

type readBody struct {
	Seq int64 `json:"seq"`
}

func (a *API) read(c *gin.Context) {
	var b readBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.ConversationRead, contracts.ReadRequest{Actor: actor(c), ConversationID: c.Param("id"), Seq: b.Seq}, http.StatusNoContent)
}

type visitorBody struct {
	Name       *string            `json:"name"`
	Email      *string            `json:"email"`
	Attributes *map[string]string `json:"attributes"`
	CurrentURL *string            `json:"current_url"`
	Locale     *string            `json:"locale"`
	Timezone   *string            `json:"timezone"`
}

func (a *API) widgetVisitor(c *gin.Context) {
	var b visitorBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	ua := c.GetHeader("User-Agent")
	respond(c, a.nc, contracts.ConversationVisitorUpdate, contracts.VisitorUpdateRequest{
		Actor: actor(c), Name: b.Name, Email: b.Email, Attributes: b.Attributes, CurrentURL: b.CurrentURL,
		Locale: b.Locale, Timezone: b.Timezone, UserAgent: &ua,
	}, http.StatusOK)
}
