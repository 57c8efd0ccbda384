package httpapi

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
)

// maxSurveyForm bounds the survey form's body: a score and a comment of at
// most 2000 characters (up to 4 bytes each, percent-encoded).
const maxSurveyForm = 32 << 10

// survey is the page behind a survey email's links, /survey/<token>
// (?score=N preselects the answer the visitor clicked). GET only shows the
// form, so mail scanners that open links rate nothing; the form's POST
// rates, and a survey answered before shows its thanks.
func (a *API) survey(c *gin.Context) {
	token := c.Param("token")
	v := surveyView{Score: c.Query("score")}
	var page contracts.SurveyPage
	var err error
	if c.Request.Method == http.MethodGet {
		page, err = natsx.Call(c, a.nc, contracts.NotifySurveyGet, contracts.SurveyTokenRequest{Token: token})
	} else {
		page, err = a.answerSurvey(c, token, &v)
	}
	status := http.StatusOK
	switch code := apperr.CodeOf(err); {
	case err == nil:
	case code == apperr.Invalid || code == apperr.TooLarge:
		status = code.HTTPStatus()
		if v.ErrorField != "comment" {
			v.ErrorField = "score" // the form's only other field
		}
	case code == apperr.NotFound:
		status, v.Message = http.StatusNotFound, "not_found"
	default:
		a.log.Warn("survey page", "err", err)
		status, v.Message = http.StatusServiceUnavailable, "unavailable"
	}
	v.fill(page, surveyLocale(page.Locale, c.GetHeader("Accept-Language")))
	nonce := ids.Secret(16)
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+nonce+"'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	c.Header("X-Robots-Tag", "noindex, nofollow")
	c.Header("Referrer-Policy", "no-referrer") // the token is in the address
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	v.Nonce = nonce
	if err := surveyTemplate.Execute(c.Writer, v); err != nil {
		a.log.Warn("survey page", "err", err)
	}
}

// answerSurvey sends the form's answer to notify. A refused answer comes
// back as its error with the page to show the form again, v keeping what
// was typed and naming the field.
func (a *API) answerSurvey(c *gin.Context, token string, v *surveyView) (contracts.SurveyPage, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxSurveyForm)
	var refused *apperr.Error
	var tooLarge *http.MaxBytesError
	if err := c.Request.ParseForm(); errors.As(err, &tooLarge) {
		refused = &apperr.Error{Code: apperr.TooLarge, Field: "comment", Message: "the form is too large"}
	} else {
		v.Score, v.Comment = c.PostForm("score"), c.PostForm("comment")
		score, _ := strconv.Atoi(v.Score) // not a number: notify names the field
		page, err := natsx.Call(c, a.nc, contracts.NotifySurveyAnswer, contracts.SurveyAnswerRequest{Token: token, Score: score, Comment: v.Comment})
		if e := apperr.As(err); err == nil || (e.Code != apperr.Invalid && e.Code != apperr.TooLarge) {
			return page, err
		}
		refused = apperr.As(err)
	}
	v.ErrorField = refused.Field
	page, err := natsx.Call(c, a.nc, contracts.NotifySurveyGet, contracts.SurveyTokenRequest{Token: token})
	if err != nil {
		return page, err
	}
	return page, refused
}

// surveyView is what the template shows.
type surveyView struct {
	Locale, Nonce       string
	T                   map[string]string
	Tenant, Intro       string
	Color, OnColor      string
	Choices             []surveyChoice
	Score, Comment      string // the answer given, kept when it is re-shown
	ErrorField, Message string // Message: a T key shown instead of the form
	Thanks              bool
}

type surveyChoice struct {
	Value, Label string
	Checked      bool
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func (v *surveyView) fill(p contracts.SurveyPage, locale string) {
	v.Locale, v.T = locale, surveyText[locale]
	v.Tenant, v.Color = p.TenantName, p.Color
	if v.Tenant == "" {
		v.Tenant = "Parley"
	}
	if !hexColor.MatchString(v.Color) {
		v.Color = "#2563eb"
	}
	v.OnColor = readableOn(v.Color)
	v.Intro = fmt.Sprintf(v.T["intro"], v.Tenant)
	v.Thanks = p.Rated != nil && v.Message == ""
	keys := []string{"1", "2", "3", "4", "5"}
	values := keys
	if p.Scale == contracts.ScaleThumbs {
		keys, values = []string{"down", "up"}, []string{"1", "5"}
	}
	for i, k := range keys {
		v.Choices = append(v.Choices, surveyChoice{Value: values[i], Label: v.T[k], Checked: values[i] == v.Score})
	}
}

// readableOn is black or white, whichever reads better on the colour.
func readableOn(hex string) string {
	n, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	r, g, b := float64(n>>16&0xff), float64(n>>8&0xff), float64(n&0xff)
	if 0.299*r+0.587*g+0.114*b > 150 {
		return "#000000"
	}
	return "#ffffff"
}

var surveyTemplate = template.Must(template.New("survey").Parse(`<!DOCTYPE html>
<html lang="{{.Locale}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">
<title>{{.T.title}} · {{.Tenant}}</title>
<style nonce="{{.Nonce}}">
body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f5;color:#18181b;line-height:1.5}
header{background:{{.Color}};color:{{.OnColor}};padding:1rem 1.5rem;font-weight:600;font-size:1.1rem}
main{max-width:32rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px}
h1{font-size:1.4rem;margin:0 0 .5rem}
fieldset{border:0;padding:0;margin:1rem 0}
legend{font-weight:600;margin-bottom:.5rem}
.choice{display:block;padding:.4rem 0}
textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:1px solid #71717a;border-radius:6px}
button{font:inherit;font-weight:600;padding:.6rem 1.4rem;border-radius:6px;border:0;background:{{.Color}};color:{{.OnColor}};cursor:pointer;margin-top:1rem}
:focus-visible{outline:3px solid #18181b;outline-offset:2px}
.error{color:#b91c1c;font-weight:600;margin:.25rem 0}
</style></head>
<body><header>{{.Tenant}}</header>
<main>
{{if .Message}}<h1>{{.T.title}}</h1><p role="alert">{{index .T .Message}}</p>
{{else if .Thanks}}<h1>{{.T.title}}</h1><p role="status">{{.T.thanks}}</p>
{{else}}<h1>{{.T.title}}</h1><p>{{.Intro}}</p>
<form method="post">
<fieldset role="radiogroup"{{if eq .ErrorField "score"}} aria-describedby="score-error" aria-invalid="true"{{end}}><legend>{{.T.title}}</legend>
{{if eq .ErrorField "score"}}<p class="error" id="score-error" role="alert">{{.T.err_score}}</p>{{end}}
{{range .Choices}}<label class="choice"><input type="radio" name="score" value="{{.Value}}"{{if .Checked}} checked{{end}} required> {{.Label}}</label>
{{end}}</fieldset>
<label for="comment">{{.T.comment}}</label>
{{if eq .ErrorField "comment"}}<p class="error" id="comment-error" role="alert">{{.T.err_comment}}</p>{{end}}
<textarea id="comment" name="comment" rows="4" maxlength="2000"{{if eq .ErrorField "comment"}} aria-describedby="comment-error" aria-invalid="true"{{end}}>{{.Comment}}</textarea>
<button type="submit">{{.T.submit}}</button>
</form>{{end}}
</main></body></html>
`))
