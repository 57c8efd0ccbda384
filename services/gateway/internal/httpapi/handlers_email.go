package httpapi

import (
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

type transcriptEmailBody struct {
	Email  string `json:"email"`
	Locale string `json:"locale"`
}

// widgetTranscriptEmail is "Email me this conversation": 202, the email is
// on its way (notify sends it, retrying while the mail server is down).
func (a *API) widgetTranscriptEmail(c *gin.Context) {
	var b transcriptEmailBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.NotifyTranscriptEmail, contracts.TranscriptEmailRequest{
		Actor: actor(c), ConversationID: c.Param("id"), Email: b.Email, Locale: b.Locale,
	}, http.StatusAccepted)
}

// emailUnsubscribe is the List-Unsubscribe link of visitor email. A mail
// client's one-click POST (RFC 8058: body List-Unsubscribe=One-Click) gets
// 204. A person who opens the link gets a page with a button (GET never
// unsubscribes, so link scanners cannot), and the button's POST a page
// that says it is done.
func (a *API) emailUnsubscribe(c *gin.Context) {
	token := c.Query("token")
	if c.Request.Method == http.MethodPost && c.PostForm("List-Unsubscribe") == "One-Click" {
		respond(c, a.nc, contracts.NotifyUnsubscribe, contracts.UnsubscribeRequest{Token: token}, http.StatusNoContent)
		return
	}
	page := unsubscribePage{Token: token}
	status := http.StatusOK
	switch {
	case token == "":
		status, page.Message = http.StatusBadRequest, "This unsubscribe link is incomplete: the token is missing."
	case c.Request.Method == http.MethodGet:
		page.Ask = true
	default:
		_, err := natsx.Call(c, a.nc, contracts.NotifyUnsubscribe, contracts.UnsubscribeRequest{Token: token})
		switch {
		case err == nil:
			page.Message = "You are unsubscribed: you will get no more emails about these conversations."
		case apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Invalid):
			status, page.Message = apperr.CodeOf(err).HTTPStatus(), "This unsubscribe link is not valid."
		default:
			status, page.Message = http.StatusServiceUnavailable, "We could not unsubscribe you just now. Please try again in a minute."
		}
	}
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := unsubscribeTemplate.Execute(c.Writer, page); err != nil {
		a.log.Warn("unsubscribe page", "err", err)
	}
}

type unsubscribePage struct {
	Token   string
	Ask     bool
	Message string
}

var unsubscribeTemplate = template.Must(template.New("unsubscribe").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Unsubscribe</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#18181b}button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#2563eb;color:#fff;cursor:pointer}</style></head>
<body><h1>Unsubscribe</h1>
{{if .Ask}}<p>Stop getting emails when someone answers your conversations?</p>
<form method="post" action="?token={{.Token}}"><button type="submit">Unsubscribe</button></form>
{{else}}<p role="status">{{.Message}}</p>{{end}}
</body></html>
`))
