package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

func (a *API) getBot(c *gin.Context) {
	respond(c, a.nc, contracts.TenantBotGet, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

func (a *API) saveBot(c *gin.Context) {
	var b contracts.BotConfig
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.TenantBotSave, contracts.BotConfigRequest{Principal: principal(c), Config: b}, http.StatusOK)
}

type faqTryBody struct {
	Question string `json:"question"`
}

func (a *API) tryFAQ(c *gin.Context) {
	var b faqTryBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.ConversationFAQTry, contracts.FAQTryRequest{Principal: principal(c), Question: b.Question}, http.StatusOK)
}

type handoffBody struct {
	To string `json:"to"`
}

func (a *API) handoff(c *gin.Context) {
	var b handoffBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.ConversationHandoff, contracts.HandoffRequest{Actor: actor(c), ConversationID: c.Param("id"), To: b.To}, http.StatusOK)
}

func (a *API) listBookings(c *gin.Context) {
	from := time.Now().Add(-24 * time.Hour)
	if v := c.Query("from"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			fail(c, apperr.InvalidField("from", "from must be a date-time such as 2026-12-01T00:00:00Z"))
			return
		}
		from = t
	}
	respond(c, a.nc, contracts.ConversationBookings, contracts.BookingListRequest{Actor: actor(c), From: from}, http.StatusOK)
}

func (a *API) cancelBooking(c *gin.Context) {
	respond(c, a.nc, contracts.ConversationBookingCancel, contracts.BookingCancelRequest{Actor: actor(c), BookingID: c.Param("id")}, http.StatusOK)
}

// bookingICS serves a booking's calendar file to whoever holds its link.
func (a *API) bookingICS(c *gin.Context) {
	ics, err := natsx.Call(c, a.nc, contracts.ConversationBookingICS, contracts.BookingICSRequest{BookingID: c.Param("id"), Token: c.Query("token")})
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+ics.Filename+`"`)
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", []byte(ics.Body))
}

// agentMessageBody is a message from the team: text with body, or a rich
// kind (quick_replies, card) with payload.
type agentMessageBody struct {
	Body        string          `json:"body"`
	ClientMsgID string          `json:"client_msg_id"`
	Private     bool            `json:"private"`
	Kind        string          `json:"kind"`
	Payload     json.RawMessage `json:"payload"`
	Attachments []string        `json:"attachments"`
}

func (a *API) agentSend(c *gin.Context) {
	var b agentMessageBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	if b.Kind == "" || b.Kind == string(contracts.KindText) {
		if len(b.Payload) > 0 && string(b.Payload) != "null" {
			fail(c, apperr.InvalidField("payload", "payload is only for quick_replies and card messages"))
			return
		}
		a.send(c, contracts.SendRequest{Actor: actor(c), ConversationID: c.Param("id"), Body: b.Body, ClientMsgID: b.ClientMsgID, Private: b.Private, Attachments: b.Attachments})
		return
	}
	// A rich message's text lives in its payload, and it is for the visitor.
	if b.Body != "" {
		fail(c, apperr.InvalidField("body", "a %s message takes its text in payload.text, not body", b.Kind))
		return
	}
	if b.Private {
		fail(c, apperr.InvalidField("private", "only text messages can be private notes"))
		return
	}
	if len(b.Attachments) > 0 {
		fail(c, apperr.InvalidField("attachments", "only text messages carry files"))
		return
	}
	res, err := natsx.Call(repeatable(c), a.nc, contracts.ConversationSendRich, contracts.RichSendRequest{
		Actor: actor(c), ConversationID: c.Param("id"), ClientMsgID: b.ClientMsgID, Kind: contracts.MessageKind(b.Kind), Payload: b.Payload,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(createdUnlessReplayed(res), res.Message)
}
