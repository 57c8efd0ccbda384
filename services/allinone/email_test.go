package allinone_test

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
)

// startWithMail runs Parley with email through a real Mailpit and short
// notify delays, on a NATS server the test can also talk to.
// mailRig is a Parley that sends email to Mailpit and receives replies on inbound.
type mailRig struct {
	*parley
	mail    *testkit.Mailpit
	nc      *nats.Conn
	inbound string
}

func startWithMail(t *testing.T, d testkit.DB, extra map[string]string) mailRig {
	t.Helper()
	mp := testkit.StartMailpit(t)
	natsURL := testkit.NATS(t).ClientURL()
	inbound := fmt.Sprintf("127.0.0.1:%d", testkit.FreePort(t))
	env := map[string]string{
		"PARLEY_NATS_URL": natsURL, "PARLEY_SMTP_URL": mp.SMTPURL(), "PARLEY_EMAIL_FROM": "Parley <no-reply@parley.test>",
		"PARLEY_NOTIFY_VISITOR_DELAY": "1s", "PARLEY_NOTIFY_DIGEST_INTERVAL": "2s",
		"PARLEY_INBOUND_SMTP_ADDR": inbound, "PARLEY_INBOUND_DOMAIN": "parley.test",
	}
	for k, v := range extra {
		env[k] = v
	}
	p := start(t, d, t.TempDir(), env)
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return mailRig{parley: p, mail: mp, nc: nc, inbound: inbound}
}

// visitorWithEmail is a visitor who left an address on a page of the shop.
func (p *parley) visitorWithEmail(key, email, locale string) visitor {
	p.t.Helper()
	v := p.newVisitor(key)
	p.do("PATCH", "/api/v1/widget/visitor", v.Token, map[string]any{
		"name": "Vera", "email": email, "current_url": "https://shop.example/boots?size=39#reviews", "locale": locale,
	}).must(p.t, 200)
	return v
}

func (p *parley) answer(agent account, conv, body string) {
	p.t.Helper()
	p.do("POST", "/api/v1/conversations/"+conv+"/messages", agent.Access, map[string]string{"body": body, "client_msg_id": msgID()}).must(p.t, 201)
}

func unsubscribeToken(t *testing.T, m testkit.MailpitMessage) string {
	t.Helper()
	h := strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
	u, err := url.Parse(h)
	if err != nil || u.Query().Get("token") == "" || !strings.HasPrefix(h, "http://parley.test/api/v1/email/unsubscribe?") {
		t.Fatalf("List-Unsubscribe = %q", h)
	}
	return u.Query().Get("token")
}

// An answer the visitor does not read within the delay reaches them by
// email, threaded per conversation, with a link back into the widget; one
// they read does not; after unsubscribing they get no more.
func TestAnAwayVisitorGetsTheAnswerByEmail(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		rig := startWithMail(t, d, nil)
		p, mp := rig.parley, rig.mail
		owner := p.signup("Boot Barn")
		key := p.widgetKey(owner)
		widget := p.do("GET", "/api/v1/settings", owner.Access, nil).must(t, 200).Body["widget"].(map[string]any)
		widget["color"] = "#aa3300"
		p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"widget": widget}).must(t, 200)

		vera := p.visitorWithEmail(key, "vera@example.com", "de-DE")
		conv := p.startConversation(vera, "Habt ihr die Stiefel in 39?").str("conversation.id")
		sent := time.Now()
		p.answer(owner, conv, "Ja, in Braun und Schwarz.")
		first := mp.WaitFor(t, "vera@example.com", 1, 30*time.Second)[0]
		t.Logf("answer to email: %s (visitor delay 1s)", time.Since(sent))

		if first.Subject != "Neue Antwort von Boot Barn" || first.From.Name != "Boot Barn" {
			t.Errorf("subject %q from %+v", first.Subject, first.From)
		}
		thread := "<conversation-" + conv + "@parley.test>"
		if first.Header.Get("In-Reply-To") != thread || first.Header.Get("References") != thread {
			t.Errorf("threading: In-Reply-To %q References %q, want %q", first.Header.Get("In-Reply-To"), first.Header.Get("References"), thread)
		}
		if r, err := mail.ParseAddress(first.Header.Get("Reply-To")); err != nil || !strings.HasPrefix(r.Address, "reply+") ||
			!strings.HasSuffix(r.Address, "@parley.test") || !strings.Contains(first.Text, "einfach auf diese E-Mail antworten") {
			t.Errorf("Reply-To %q (%v), or no hint that a reply works", first.Header.Get("Reply-To"), err)
		}
		if first.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post = %q", first.Header.Get("List-Unsubscribe-Post"))
		}
		link := "https://shop.example/boots?size=39#parley-conversation=" + conv
		for _, part := range []string{first.Text, first.HTML} {
			if !strings.Contains(part, "Ja, in Braun und Schwarz.") || !strings.Contains(part, "Habt ihr die Stiefel in 39?") || !strings.Contains(part, link) {
				t.Errorf("a part lacks the answer, its context or the link %s:\n%s", link, part)
			}
		}
		if !strings.Contains(first.HTML, "#aa3300") {
			t.Error("the HTML part does not use the widget colour")
		}

		// A second answer is a second email in the same thread.
		p.answer(owner, conv, "Soll ich sie zurücklegen?")
		both := mp.WaitFor(t, "vera@example.com", 2, 30*time.Second)
		if both[1].Header.Get("References") != thread || both[1].Header.Get("Message-ID") == first.Header.Get("Message-ID") {
			t.Errorf("second email: References %q Message-ID %q", both[1].Header.Get("References"), both[1].Header.Get("Message-ID"))
		}

		p.do("GET", "/api/v1/email/unsubscribe", "", nil).must(t, 400) // a page saying the link is incomplete
		// Opening the link changes nothing; the one-click POST unsubscribes.
		token := unsubscribeToken(t, both[1])
		page := p.do("GET", "/api/v1/email/unsubscribe?token="+url.QueryEscape(token), "", nil).must(t, 200)
		if !strings.Contains(string(page.Raw), "<form method=\"post\"") {
			t.Errorf("unsubscribe page: %s", page.Raw)
		}
		p.doWith("POST", "/api/v1/email/unsubscribe?token="+url.QueryEscape(token), "", "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded").must(t, 204)
		done := p.doWith("POST", "/api/v1/email/unsubscribe?token="+url.QueryEscape(token), "", "", "application/x-www-form-urlencoded").must(t, 200)
		if !strings.Contains(string(done.Raw), "You are unsubscribed") {
			t.Errorf("the page's button: %s", done.Raw)
		}
		p.doWith("POST", "/api/v1/email/unsubscribe?token=forged", "", "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded").
			problem(t, 404, "not_found", "")
		p.answer(owner, conv, "Hallo? Noch da?")

		// Another visitor reads the answer in time: no email.
		reader := p.visitorWithEmail(key, "reader@example.com", "en")
		rc := p.startConversation(reader, "Do you ship to Norway?").str("conversation.id")
		p.answer(owner, rc, "We do.")
		p.do("POST", "/api/v1/widget/conversations/"+rc+"/read", reader.Token, map[string]int{"seq": 2}).must(t, 204)

		// A third visitor's later answer is emailed: by then the two above were decided.
		control := p.visitorWithEmail(key, "control@example.com", "fr")
		cc := p.startConversation(control, "Bonjour").str("conversation.id")
		p.answer(owner, cc, "Bonjour !")
		if m := mp.WaitFor(t, "control@example.com", 1, 30*time.Second)[0]; m.Subject != "Nouvelle réponse de Boot Barn" {
			t.Errorf("control subject %q", m.Subject)
		}
		for addr, want := range map[string]int{"vera@example.com": 2, "reader@example.com": 0} {
			if got, err := mp.To(addr); err != nil || len(got) != want {
				t.Errorf("%s got %d emails (%v), want %d", addr, len(got), err, want)
			}
		}
	})
}

// "Email me this conversation" sends the whole visible conversation, once
// per state of it, and only to its own visitor.
func TestTranscriptByEmail(t *testing.T) {
	t.Parallel()
	rig := startWithMail(t, testkit.SQLiteDB(t), nil)
	p, mp := rig.parley, rig.mail
	owner := p.signup("Transcripts Inc")
	key := p.widgetKey(owner)
	v := p.newVisitor(key)
	conv := p.startConversation(v, "What are your opening hours?").str("conversation.id")
	p.answer(owner, conv, "Nine to five.")
	p.do("POST", "/api/v1/conversations/"+conv+"/messages", owner.Access, map[string]any{"body": "internal: VIP", "client_msg_id": msgID(), "private": true}).must(t, 201)

	path := "/api/v1/widget/conversations/" + conv + "/transcript"
	p.do("POST", path, v.Token, map[string]string{"email": "not-an-address"}).problem(t, 400, "invalid", "email")
	p.do("POST", path, p.newVisitor(key).Token, map[string]string{"email": "x@example.com"}).problem(t, 404, "not_found", "")
	p.do("POST", path, v.Token, map[string]string{"email": "Me@Example.com", "locale": "es"}).must(t, 202)
	p.do("POST", path, v.Token, map[string]string{"email": "me@example.com", "locale": "es"}).must(t, 202) // nothing new: same email
	m := mp.WaitFor(t, "me@example.com", 1, 30*time.Second)[0]
	if m.Subject != "Tu conversación con Transcripts Inc" || !strings.Contains(m.Text, "What are your opening hours?") ||
		!strings.Contains(m.Text, "Nine to five.") || strings.Contains(m.Text, "VIP") || m.Header.Get("List-Unsubscribe") == "" {
		t.Errorf("transcript %q:\n%s", m.Subject, m.Text)
	}
	p.answer(owner, conv, "And ten to two on Saturdays.")
	p.do("POST", path, v.Token, map[string]string{"email": "me@example.com"}).must(t, 202)
	got := mp.WaitFor(t, "me@example.com", 2, 30*time.Second)
	if !strings.Contains(got[1].Text, "Saturdays") || len(got) != 2 {
		t.Errorf("second transcript (%d emails):\n%s", len(got), got[1].Text)
	}
}

// Agents hear of waiting conversations by email only while they have no
// dashboard open, at most once per digest interval, only if they want to,
// and in the language they chose for their emails.
func TestAgentDigest(t *testing.T) {
	t.Parallel()
	rig := startWithMail(t, testkit.SQLiteDB(t), nil)
	p, mp, nc := rig.parley, rig.mail, rig.nc
	owner := p.signup("Digest Deli")
	p.do("PATCH", "/api/v1/me", owner.Access, map[string]any{"locale": "de"}).must(t, 200)
	ann := p.invite(owner, "agent")
	bob := p.invite(owner, "agent")
	key := p.widgetKey(owner)
	p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"agent_open_limit": 1}).must(t, 200)
	if _, err := natsx.Call(context.Background(), nc, contracts.NotifyPreferencesUpdate, contracts.NotifyPreferencesUpdateRequest{
		Principal: contracts.Principal{TenantID: owner.TenantID, UserID: bob.UserID, Role: contracts.RoleAgent},
	}); err != nil {
		t.Fatal(err)
	}
	prefs, err := natsx.Call(context.Background(), nc, contracts.NotifyPreferencesGet, contracts.PrincipalRequest{
		Principal: contracts.Principal{TenantID: owner.TenantID, UserID: bob.UserID, Role: contracts.RoleAgent},
	})
	if err != nil || prefs.EmailNewConversations {
		t.Fatalf("bob's preferences: %+v %v", prefs, err)
	}

	p.dial(t, ann.Access, nil) // Ann has the dashboard open
	c1 := p.startConversation(p.newVisitor(key), "first, for Ann").str("conversation.id")
	p.waitAssignee(t, owner.Access, c1, ann.UserID)
	p.startConversation(p.newVisitor(key), "second, waiting").str("conversation.id")
	first := mp.WaitFor(t, owner.Email, 1, 30*time.Second)[0]
	if first.Subject != "Eine Unterhaltung wartet in Digest Deli" || !strings.Contains(first.Text, "second, waiting") ||
		strings.Contains(first.Text, "first, for Ann") || !strings.Contains(first.Text, "http://parley.test/inbox/") {
		t.Errorf("first digest %q:\n%s", first.Subject, first.Text)
	}
	// Two more within the interval: one more email, with both.
	p.startConversation(p.newVisitor(key), "third").str("conversation.id")
	p.startConversation(p.newVisitor(key), "fourth").str("conversation.id")
	second := mp.WaitFor(t, owner.Email, 2, 30*time.Second)[1]
	if second.Subject != "2 Unterhaltungen warten in Digest Deli" || !strings.Contains(second.Text, "third") || !strings.Contains(second.Text, "fourth") {
		t.Errorf("second digest %q:\n%s", second.Subject, second.Text)
	}
	d1, _ := first.Header.Date()
	d2, _ := second.Header.Date()
	if d2.Sub(d1) < time.Second { // the interval is 2s; Date has whole seconds
		t.Errorf("two digests %s apart, interval 2s", d2.Sub(d1))
	}
	for _, a := range []account{ann, bob} { // each got their invitation, and no digest
		got, err := mp.To(a.Email)
		digests := 0
		for _, m := range got {
			if m.Header.Get("X-Parley-Kind") == "agent_digest" {
				digests++
			}
		}
		if err != nil || digests != 0 {
			t.Errorf("%s got %d digests (%v); online or opted out, want none", a.Email, digests, err)
		}
	}
	if got, _ := mp.To(owner.Email); len(got) != 2 {
		t.Errorf("owner got %d digests, want 2", len(got))
	}
}

// sendReply mails a reply to Parley's listener as the visitor's mail server would.
func sendReply(addr, to, inReplyTo, body string) error {
	msg := "From: Vera <vera@example.com>\r\nTo: " + to + "\r\nSubject: Re: your answer\r\n" +
		"Message-ID: <" + msgID() + "@mail.example.com>\r\nIn-Reply-To: " + inReplyTo + "\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
	return smtp.SendMail(addr, nil, "vera@example.com", []string{to}, []byte(msg))
}

// The visitor answers the email; the reply (without the quoted history)
// lands in the same conversation as their message, live for the agent. A
// forged address is refused and changes nothing.
func TestAVisitorRepliesByEmail(t *testing.T) {
	t.Parallel()
	rig := startWithMail(t, testkit.SQLiteDB(t), nil)
	p, mp := rig.parley, rig.mail
	owner := p.signup("Reply Ranch")
	key := p.widgetKey(owner)
	vera := p.visitorWithEmail(key, "vera@example.com", "en")
	conv := p.startConversation(vera, "Is the saddle still for sale?").str("conversation.id")
	ws := p.dial(t, owner.Access, nil)
	p.answer(owner, conv, "It is. Want me to hold it?")
	email := mp.WaitFor(t, "vera@example.com", 1, 30*time.Second)[0]
	replyTo, err := mail.ParseAddress(email.Header.Get("Reply-To"))
	if err != nil {
		t.Fatalf("Reply-To %q: %v", email.Header.Get("Reply-To"), err)
	}

	reply := "Yes please, until Friday.\n\nOn Tue, Reply Ranch <no-reply@parley.test> wrote:\n> It is. Want me to hold it?\n"
	sent := time.Now()
	if err := sendReply(rig.inbound, replyTo.Address, email.Header.Get("Message-ID"), reply); err != nil {
		t.Fatalf("send reply: %v", err)
	}
	ws.expect(10*time.Second, messageWithBody("Yes please, until Friday."))
	t.Logf("email reply to the agent's socket: %s", time.Since(sent))
	msgs := p.waitMessages(t, owner.Access, "/api/v1/conversations/"+conv+"/messages?after_seq=0", 3)
	last := msgs[len(msgs)-1]
	if last["body"] != "Yes please, until Friday." || last["author"].(map[string]any)["type"] != "visitor" {
		t.Fatalf("the reply became %v", last)
	}

	// A token with one character changed is refused by SMTP.
	local := strings.TrimPrefix(strings.Split(replyTo.Address, "@")[0], "reply+")
	flip := map[bool]string{true: "b", false: "a"}[local[10] == 'a']
	forged := "reply+" + local[:10] + flip + local[11:] + "@parley.test"
	err = sendReply(rig.inbound, forged, "", "I am not Vera")
	var tp *textproto.Error
	if !errors.As(err, &tp) || tp.Code < 500 {
		t.Fatalf("a forged reply address: %v, want a 5xx refusal", err)
	}
	if n := len(p.waitMessages(t, owner.Access, "/api/v1/conversations/"+conv+"/messages?after_seq=0", 3)); n != 3 {
		t.Fatalf("%d messages after a forged reply, want 3", n)
	}
}
