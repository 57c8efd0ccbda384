package domain

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strings"
)

// DefaultColor is the accent of email whose tenant set no widget colour.
const DefaultColor = "#2563eb"

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Link is a button or footer link.
type Link struct {
	Label string
	URL   string
}

// Line is one message of a conversation shown in an email.
type Line struct {
	Who  string
	Body string
	// Highlight marks the answer the email is about.
	Highlight bool
}

// Item is one entry of a list (a digest's waiting conversations).
type Item struct {
	Title  string
	Detail string
}

// Content is what an email says, before it is written as text and HTML.
type Content struct {
	Locale      string
	Brand       string // the tenant's name, or Parley
	Color       string // #rrggbb accent
	Subject     string
	Greeting    string
	Paragraphs  []string
	Lines       []Line
	Items       []Item
	Button      *Link
	Choices     []Link // a row of answers (a survey's scale)
	Notes       []string
	Unsubscribe *Link
}

// Render writes the content as the plain-text and HTML parts of an email.
func Render(c Content) (text, html string, err error) {
	if !hexColor.MatchString(c.Color) {
		c.Color = DefaultColor
	}
	var t strings.Builder
	if c.Greeting != "" {
		t.WriteString(c.Greeting + "\n\n")
	}
	for _, p := range c.Paragraphs {
		t.WriteString(p + "\n\n")
	}
	for _, l := range c.Lines {
		fmt.Fprintf(&t, "%s:\n%s\n\n", l.Who, indent(l.Body))
	}
	for _, it := range c.Items {
		fmt.Fprintf(&t, "- %s — %s\n", it.Title, it.Detail)
	}
	if len(c.Items) > 0 {
		t.WriteString("\n")
	}
	if c.Button != nil {
		fmt.Fprintf(&t, "%s:\n%s\n\n", c.Button.Label, c.Button.URL)
	}
	for _, ch := range c.Choices {
		fmt.Fprintf(&t, "%s: %s\n", ch.Label, ch.URL)
	}
	if len(c.Choices) > 0 {
		t.WriteString("\n")
	}
	for _, n := range c.Notes {
		t.WriteString(n + "\n\n")
	}
	t.WriteString("-- \n" + fmt.Sprintf(T(c.Locale, "footer"), c.Brand) + "\n")
	if c.Unsubscribe != nil {
		fmt.Fprintf(&t, "%s: %s\n", c.Unsubscribe.Label, c.Unsubscribe.URL)
	}
	var h bytes.Buffer
	if err := page.Execute(&h, struct {
		Content
		Footer string
	}{c, fmt.Sprintf(T(c.Locale, "footer"), c.Brand)}); err != nil {
		return "", "", fmt.Errorf("render email: %w", err)
	}
	return t.String(), h.String(), nil
}

// indent quotes a message body in the plain-text part.
func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n  ")
}

var page = template.Must(template.New("email").Funcs(template.FuncMap{
	"lines": func(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") },
}).Parse(`<!DOCTYPE html>
<html lang="{{.Locale}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;overflow:hidden">
<tr><td style="background:{{.Color}};color:#ffffff;padding:16px 24px;font-size:18px;font-weight:600">{{.Brand}}</td></tr>
<tr><td style="padding:24px;font-size:15px;line-height:1.5">
{{if .Greeting}}<p style="margin:0 0 16px">{{.Greeting}}</p>{{end}}
{{range .Paragraphs}}<p style="margin:0 0 16px">{{.}}</p>{{end}}
{{range .Lines}}<div style="margin:0 0 12px;padding:8px 12px;border-left:3px solid {{if .Highlight}}{{$.Color}}{{else}}#d4d4d8{{end}};background:#fafafa">
<div style="font-size:13px;color:#52525b;margin-bottom:4px">{{.Who}}</div>
<div>{{range $i, $l := lines .Body}}{{if $i}}<br>{{end}}{{$l}}{{end}}</div></div>{{end}}
{{if .Items}}<ul style="margin:0 0 16px;padding-left:20px">{{range .Items}}<li><strong>{{.Title}}</strong> — {{.Detail}}</li>{{end}}</ul>{{end}}
{{with .Button}}<p style="margin:24px 0"><a href="{{.URL}}" style="display:inline-block;background:{{$.Color}};color:#ffffff;text-decoration:none;padding:10px 18px;border-radius:6px;font-weight:600">{{.Label}}</a></p>{{end}}
{{if .Choices}}<p style="margin:24px 0">{{range .Choices}}<a href="{{.URL}}" style="display:inline-block;min-width:44px;margin:0 8px 8px 0;background:{{$.Color}};color:#ffffff;text-decoration:none;padding:10px 14px;border-radius:6px;font-weight:600;text-align:center">{{.Label}}</a>{{end}}</p>{{end}}
{{range .Notes}}<p style="margin:0 0 12px;font-size:13px;color:#52525b">{{.}}</p>{{end}}
</td></tr>
<tr><td style="padding:16px 24px;font-size:12px;color:#71717a;border-top:1px solid #e4e4e7">{{.Footer}}{{with .Unsubscribe}}<br><a href="{{.URL}}" style="color:#71717a">{{.Label}}</a>{{end}}</td></tr>
</table></td></tr></table></body></html>
`))
