package domain

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Brand is how a tenant's email looks: its name and widget colour.
type Brand struct {
	Name  string
	Color string
}

// parley is the brand of email that is not about one tenant.
var parley = Brand{Name: "Parley", Color: DefaultColor}

func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// checkAddress refuses an event whose recipient is no address: such an
// event can never be delivered, so it is poison, not a retry.
func checkAddress(field, addr string) error {
	if _, err := mail.ParseAddress(addr); err != nil || strings.ContainsAny(addr, "\r\n<>") {
		return apperr.InvalidField(field, "%q is not an email address", addr)
	}
	return nil
}

func build(e Email, c Content) (Email, error) {
	var err error
	c.Subject = e.Subject
	e.Text, e.HTML, err = Render(c)
	return e, err
}

func greeting(locale, name string) string {
	if name = strings.TrimSpace(name); name == "" {
		return T(locale, "greeting_anonymous")
	}
	return fmt.Sprintf(T(locale, "greeting"), name)
}

// Invite is the invitation of ev.Email to a tenant, in the tenant's colour
// when it is known (color may be empty).
func Invite(tenantID, eventID string, ev contracts.InviteCreated, color string) (Email, error) {
	if err := checkAddress("email", ev.Email); err != nil {
		return Email{}, err
	}
	l := Locale(ev.Locale)
	b := Brand{Name: ev.TenantName, Color: color}
	if b.Name == "" {
		b = parley
	}
	e := Email{
		ID: EmailID(KindInvite, tenantID, eventID), Kind: KindInvite, TenantID: tenantID, To: NormalizeEmail(ev.Email),
		Subject: fmt.Sprintf(T(l, "invite_subject"), ev.InviterName, b.Name),
	}
	return build(e, Content{
		Locale: l, Brand: b.Name, Color: b.Color, Greeting: greeting(l, ""),
		Paragraphs: []string{fmt.Sprintf(T(l, "invite_body"), ev.InviterName, b.Name, ev.Role)},
		Button:     &Link{Label: T(l, "invite_button"), URL: ev.URL},
		Notes:      []string{fmt.Sprintf(T(l, "invite_expires"), when(ev.ExpiresAt))},
	})
}

// PasswordReset is the "Forgot password?" link.
func PasswordReset(tenantID, eventID string, ev contracts.PasswordResetRequested) (Email, error) {
	return accountLink(accountEmail{
		Kind: KindPasswordReset, Texts: "reset", TenantID: tenantID, EventID: eventID, Field: "email",
		To: ev.Email, Name: ev.Name, Locale: ev.Locale, URL: ev.URL, ExpiresAt: ev.ExpiresAt,
	})
}

// EmailChange asks the new address to confirm itself.
func EmailChange(tenantID, eventID string, ev contracts.EmailChangeRequested) (Email, error) {
	return accountLink(accountEmail{
		Kind: KindEmailChange, Texts: "change", TenantID: tenantID, EventID: eventID, Field: "new_email",
		To: ev.NewEmail, Name: ev.Name, Locale: ev.Locale, URL: ev.URL, ExpiresAt: ev.ExpiresAt,
	})
}

// accountEmail is an email about the reader's own Parley account that
// carries one expiring link.
type accountEmail struct {
	Kind              Kind
	Texts             string // the prefix of its texts: <Texts>_subject, _body, _button, _ignore
	TenantID, EventID string
	Field             string // the event's field that holds To
	To, Name, Locale  string
	URL               string
	ExpiresAt         time.Time
}

func accountLink(a accountEmail) (Email, error) {
	if err := checkAddress(a.Field, a.To); err != nil {
		return Email{}, err
	}
	l := Locale(a.Locale)
	e := Email{
		ID: EmailID(a.Kind, a.TenantID, a.EventID), Kind: a.Kind, TenantID: a.TenantID,
		To: NormalizeEmail(a.To), ToName: a.Name, Subject: T(l, a.Texts+"_subject"),
	}
	return build(e, Content{
		Locale: l, Brand: parley.Name, Color: parley.Color, Greeting: greeting(l, a.Name),
		Paragraphs: []string{fmt.Sprintf(T(l, a.Texts+"_body"), a.To)},
		Button:     &Link{Label: T(l, a.Texts+"_button"), URL: a.URL},
		Notes:      []string{fmt.Sprintf(T(l, "reset_expires"), when(a.ExpiresAt)), T(l, a.Texts+"_ignore")},
	})
}

// Conversation is what a conversation email to a visitor needs.
type Conversation struct {
	TenantID       string
	ConversationID string
	Brand          Brand
	Visitor        contracts.Visitor
	// Messages are the public messages to show, oldest first.
	Messages []contracts.Message
	// Link reopens the conversation in the widget.
	Link        string
	ReplyTo     string
	Unsubscribe string
	Thread      string
}

func (c Conversation) lines(l string, highlightAfter int64) []Line {
	out := make([]Line, 0, len(c.Messages))
	for _, m := range c.Messages {
		if m.Private || strings.TrimSpace(m.Body) == "" {
			continue
		}
		who := m.Author.Name
		switch {
		case m.Author.Type == contracts.AuthorVisitor:
			who = T(l, "you")
		case who == "":
			who = c.Brand.Name
		}
		out = append(out, Line{Who: who, Body: m.Body, Highlight: m.Author.Type != contracts.AuthorVisitor && m.Seq > highlightAfter})
	}
	return out
}

func (c Conversation) check() error {
	if err := checkAddress("email", c.Visitor.Email); err != nil {
		return err
	}
	if len(c.Messages) == 0 {
		return apperr.InvalidField("messages", "nothing to send")
	}
	return nil
}

// Reply emails the answers after seq readSeq (with the messages before them
// as context) to a visitor who has not read them.
func (c Conversation) Reply(readSeq int64) (Email, error) {
	if err := c.check(); err != nil {
		return Email{}, err
	}
	last := c.Messages[len(c.Messages)-1]
	l := Locale(c.Visitor.Locale)
	who := last.Author.Name
	if who == "" {
		who = c.Brand.Name
	}
	e := Email{
		ID: EmailID(KindVisitorReply, c.TenantID, c.ConversationID, fmt.Sprint(last.Seq)), Kind: KindVisitorReply, TenantID: c.TenantID,
		To: NormalizeEmail(c.Visitor.Email), ToName: c.Visitor.Name, FromName: c.Brand.Name,
		Subject: fmt.Sprintf(T(l, "reply_subject"), c.Brand.Name), Thread: c.Thread, ReplyTo: c.ReplyTo, Unsubscribe: c.Unsubscribe,
		VisitorID: c.Visitor.ID, ConversationID: c.ConversationID,
	}
	notes := []string{}
	if c.ReplyTo != "" {
		notes = append(notes, T(l, "reply_hint"))
	}
	return build(e, Content{
		Locale: l, Brand: c.Brand.Name, Color: c.Brand.Color, Greeting: greeting(l, c.Visitor.Name),
		Paragraphs: []string{fmt.Sprintf(T(l, "reply_body"), who)}, Lines: c.lines(l, readSeq),
		Button: c.button(l), Notes: notes, Unsubscribe: &Link{Label: T(l, "unsubscribe"), URL: c.Unsubscribe},
	})
}

func (c Conversation) button(l string) *Link {
	if c.Link == "" {
		return nil
	}
	return &Link{Label: T(l, "reply_button"), URL: c.Link}
}

// TranscriptChars bounds the text of a transcript email, so that one email
// (and the event that carries it) stays well under a megabyte.
const TranscriptChars = 200_000

// Transcript emails the conversation to the address the visitor gave: all
// of it, or its latest TranscriptChars of text, saying so. Asking twice with
// nothing new in between sends one email.
func (c Conversation) Transcript(locale string) (Email, error) {
	if err := c.check(); err != nil {
		return Email{}, err
	}
	cut, total := 0, 0
	for i := len(c.Messages) - 1; i >= 0; i-- {
		if total += utf8.RuneCountInString(c.Messages[i].Body); total > TranscriptChars && i < len(c.Messages)-1 {
			cut = i + 1
			break
		}
	}
	c.Messages = c.Messages[cut:]
	if locale == "" {
		locale = c.Visitor.Locale
	}
	l := Locale(locale)
	last := c.Messages[len(c.Messages)-1]
	e := Email{
		ID:   EmailID(KindTranscript, c.TenantID, c.ConversationID, NormalizeEmail(c.Visitor.Email), fmt.Sprint(last.Seq)),
		Kind: KindTranscript, TenantID: c.TenantID, To: NormalizeEmail(c.Visitor.Email), ToName: c.Visitor.Name, FromName: c.Brand.Name,
		Subject: fmt.Sprintf(T(l, "transcript_subject"), c.Brand.Name), Thread: c.Thread, ReplyTo: c.ReplyTo, Unsubscribe: c.Unsubscribe,
		VisitorID: c.Visitor.ID, ConversationID: c.ConversationID,
	}
	paragraphs := []string{fmt.Sprintf(T(l, "transcript_body"), c.Brand.Name)}
	if cut > 0 {
		paragraphs = append(paragraphs, T(l, "transcript_cut"))
	}
	return build(e, Content{
		Locale: l, Brand: c.Brand.Name, Color: c.Brand.Color, Greeting: greeting(l, c.Visitor.Name),
		Paragraphs: paragraphs, Lines: c.lines(l, last.Seq),
		Button: c.button(l), Unsubscribe: &Link{Label: T(l, "unsubscribe"), URL: c.Unsubscribe},
	})
}

// Waiting is a conversation an agent hears of in a digest.
type Waiting struct {
	ConversationID string
	VisitorName    string
	Preview        string
	Assigned       bool // to this agent; otherwise queued for anyone
}

// Digest is one agent's email about the conversations waiting for them.
type Digest struct {
	TenantID string
	Brand    Brand
	AgentID  string
	Name     string
	Email    string
	Locale   string
	Waiting  []Waiting
	InboxURL string
	// Window names the digest interval it belongs to, so a digest built
	// twice for one window has one id.
	Window string
}

// Build writes the digest.
func (d Digest) Build() (Email, error) {
	if err := checkAddress("email", d.Email); err != nil {
		return Email{}, err
	}
	if len(d.Waiting) == 0 {
		return Email{}, apperr.InvalidField("waiting", "nothing is waiting")
	}
	l := Locale(d.Locale)
	subject := fmt.Sprintf(T(l, "digest_subject"), len(d.Waiting), d.Brand.Name)
	if len(d.Waiting) == 1 {
		subject = fmt.Sprintf(T(l, "digest_subject_one"), d.Brand.Name)
	}
	items := make([]Item, 0, len(d.Waiting))
	for _, w := range d.Waiting {
		title := w.VisitorName
		if title == "" {
			title = T(l, "visitor")
		}
		detail := T(l, "digest_queued")
		if w.Assigned {
			detail = T(l, "digest_assigned")
		}
		if w.Preview != "" {
			detail += ": “" + w.Preview + "”"
		}
		items = append(items, Item{Title: title, Detail: detail})
	}
	e := Email{
		ID: EmailID(KindAgentDigest, d.TenantID, d.AgentID, d.Window), Kind: KindAgentDigest, TenantID: d.TenantID,
		To: NormalizeEmail(d.Email), ToName: d.Name, Subject: subject,
	}
	return build(e, Content{
		Locale: l, Brand: d.Brand.Name, Color: d.Brand.Color, Greeting: greeting(l, d.Name),
		Paragraphs: []string{T(l, "digest_body")}, Items: items,
		Button: &Link{Label: T(l, "digest_button"), URL: d.InboxURL}, Notes: []string{T(l, "digest_why")},
	})
}
