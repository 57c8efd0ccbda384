package inbound_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/services/notify/internal/inbound"
	"github.com/parley-chat/parley/services/notify/internal/replytoken"
)

const domain = "in.parley.test"

// fixture is a running inbound server whose handler records every reply.
type fixture struct {
	addr string
	key  replytoken.Key

	mu      sync.Mutex
	replies []inbound.Reply
	fail    error // what the handler returns
}

func start(t *testing.T, tweak func(*inbound.Config)) *fixture {
	t.Helper()
	key, err := replytoken.NewKey(1)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{key: key}
	cfg := inbound.Config{
		Domain: domain,
		Keys:   func() []replytoken.Key { return []replytoken.Key{key} },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handler: func(_ context.Context, r inbound.Reply) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.fail != nil {
				return f.fail
			}
			f.replies = append(f.replies, r)
			return nil
		},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := inbound.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	f.addr = l.Addr().String()
	return f
}

func (f *fixture) got() []inbound.Reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]inbound.Reply(nil), f.replies...)
}

func (f *fixture) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

func newClaims() replytoken.Claims {
	return replytoken.Claims{
		TenantID:       uuid.Must(uuid.NewV7()).String(),
		ConversationID: uuid.Must(uuid.NewV7()).String(),
		VisitorID:      uuid.Must(uuid.NewV7()).String(),
	}
}

func (f *fixture) address(t *testing.T, c replytoken.Claims) string {
	t.Helper()
	tok, err := replytoken.Sign(f.key, c)
	if err != nil {
		t.Fatal(err)
	}
	return replytoken.Address(tok, domain)
}

// result is what the server answered at each step of one transaction.
type result struct {
	rcpt []error // per recipient
	data error   // the reply to the end of DATA; nil for 250
}

// send runs one SMTP transaction with the standard library's client. The
// data step is skipped when no recipient was accepted.
func send(t *testing.T, addr, from string, to []string, msg string) result {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("mx.visitor.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(from); err != nil {
		t.Fatal(err)
	}
	var res result
	accepted := 0
	for _, rcpt := range to {
		err := c.Rcpt(rcpt)
		res.rcpt = append(res.rcpt, err)
		if err == nil {
			accepted++
		}
	}
	if accepted == 0 {
		return res
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, strings.ReplaceAll(msg, "\n", "\r\n")); err != nil {
		t.Fatal(err)
	}
	res.data = w.Close()
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	return res
}

// code returns the SMTP code of err, 250 for nil.
func code(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 250
	}
	var te *textproto.Error
	if !errors.As(err, &te) {
		t.Fatalf("not an SMTP reply: %v", err)
	}
	return te.Code
}

func wantCode(t *testing.T, step string, err error, want int, text string) {
	t.Helper()
	if got := code(t, err); got != want {
		t.Fatalf("%s: code %d (%v), want %d", step, got, err, want)
	}
	if text != "" && !strings.Contains(err.Error(), text) {
		t.Fatalf("%s: %q does not say %q", step, err.Error(), text)
	}
}

const gmailReply = `From: Jane Visitor <Jane@Example.com>
To: Acme Support <%s>
Subject: Re: Your question to Acme
Message-ID: <CAJ-reply-1@mail.gmail.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Yes, Thursday at 3 pm works. Merci !

On Tue, Dec 1, 2026 at 10:04 AM Acme Support <reply+x@in.parley.test> wrote:
> Would Thursday suit you?
>
> Anna

--b1
Content-Type: text/html; charset="UTF-8"

<div>Yes, Thursday at 3 pm works. Merci !</div>
--b1--
`

func reply(to string) string { return strings.Replace(gmailReply, "%s", to, 1) }

func TestGoodReplyReachesTheHandlerWithoutQuotes(t *testing.T) {
	f := start(t, nil)
	c := newClaims()
	to := f.address(t, c)
	res := send(t, f.addr, "jane@example.com", []string{to}, reply(to))
	wantCode(t, "RCPT", res.rcpt[0], 250, "")
	wantCode(t, "DATA", res.data, 250, "")
	got := f.got()
	want := inbound.Reply{
		Claims: c, From: "jane@example.com", Subject: "Re: Your question to Acme",
		Text: "Yes, Thursday at 3 pm works. Merci !", MessageID: "CAJ-reply-1@mail.gmail.com",
	}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("handler got %+v\nwant [%+v]", got, want)
	}
}

func TestUpperCasedReplyAddressIsAccepted(t *testing.T) {
	f := start(t, nil)
	c := newClaims()
	to := strings.ToUpper(f.address(t, c))
	res := send(t, f.addr, "jane@example.com", []string{to}, reply(to))
	wantCode(t, "DATA", res.data, 250, "")
	if got := f.got(); len(got) != 1 || got[0].Claims != c {
		t.Fatalf("handler got %+v", got)
	}
}

func TestRefusedRecipients(t *testing.T) {
	f := start(t, nil)
	good := f.address(t, newClaims())
	tok, _ := replytoken.TokenOf(good, domain)
	other, err := replytoken.NewKey(1)
	if err != nil {
		t.Fatal(err)
	}
	forgedTok, err := replytoken.Sign(other, newClaims())
	if err != nil {
		t.Fatal(err)
	}
	flipped := []byte(tok)
	flipped[30] = map[bool]byte{true: 'b', false: 'a'}[flipped[30] == 'a']
	for name, rcpt := range map[string]string{
		"unknown mailbox":       "support@" + domain,
		"other domain":          "reply+" + tok + "@elsewhere.test",
		"token signed by other": replytoken.Address(forgedTok, domain),
		"token altered":         replytoken.Address(string(flipped), domain),
		"token truncated":       replytoken.Address(tok[:50], domain),
		"garbage token":         "reply+hello@" + domain,
	} {
		t.Run(name, func(t *testing.T) {
			res := send(t, f.addr, "jane@example.com", []string{rcpt}, reply(rcpt))
			want := "Unknown reply address"
			if name == "unknown mailbox" || name == "other domain" {
				want = "only takes replies"
			}
			wantCode(t, "RCPT", res.rcpt[0], 550, want)
		})
	}
	if got := f.got(); len(got) != 0 {
		t.Fatalf("handler called for refused recipients: %+v", got)
	}
}

func TestRefusedMessages(t *testing.T) {
	f := start(t, nil)
	to := f.address(t, newClaims())
	big := reply(to) + strings.Repeat("All work and no play makes Jack a dull boy.\n", inbound.DefaultMaxMessageBytes/44+10)
	for _, tc := range []struct {
		name, msg string
		code      int
		text      string
	}{
		{"oversized", big, 552, "size"},
		{"malformed: no From", "Subject: hi\n\nhello\n", 554, "Malformed message"},
		{"malformed: bad base64", "From: jane@example.com\nContent-Transfer-Encoding: base64\n\n!!!!\n", 554, "Malformed message"},
		{"malformed: not an email", "just some words\n", 554, "Malformed message"},
		{"only quoted history", "From: jane@example.com\nSubject: Re: x\n\nOn Tue, Dec 1, 2026 at 10:04 AM Acme <" + to + "> wrote:\n> Anything else?\n", 550, "No reply text"},
		{"only a signature", "From: jane@example.com\nSubject: Re: x\n\n-- \nJane\nSent from my iPhone\n", 550, "No reply text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := send(t, f.addr, "jane@example.com", []string{to}, tc.msg)
			wantCode(t, "RCPT", res.rcpt[0], 250, "")
			wantCode(t, "DATA", res.data, tc.code, tc.text)
		})
	}
	if got := f.got(); len(got) != 0 {
		t.Fatalf("handler called for refused messages: %+v", got)
	}
}

func TestAutomaticRepliesAreDropped(t *testing.T) {
	f := start(t, nil)
	to := f.address(t, newClaims())
	ooo := "From: jane@example.com\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nI am away until Monday.\n"
	wantCode(t, "DATA", send(t, f.addr, "jane@example.com", []string{to}, ooo).data, 250, "")
	// A bounce comes from the null sender.
	wantCode(t, "DATA", send(t, f.addr, "", []string{to}, reply(to)).data, 250, "")
	if got := f.got(); len(got) != 0 {
		t.Fatalf("automatic mail reached the handler: %+v", got)
	}
}

func TestHandlerErrors(t *testing.T) {
	f := start(t, nil)
	to := f.address(t, newClaims())
	f.setFail(errors.New("nats: timeout"))
	wantCode(t, "DATA", send(t, f.addr, "jane@example.com", []string{to}, reply(to)).data, 451, "try again later")
	f.setFail(inbound.Permanent(errors.New("conversation not found")))
	wantCode(t, "DATA", send(t, f.addr, "jane@example.com", []string{to}, reply(to)).data, 550, "conversation not found")
	// The sender's retry once the service is back lands the reply.
	f.setFail(nil)
	wantCode(t, "DATA", send(t, f.addr, "jane@example.com", []string{to}, reply(to)).data, 250, "")
	if got := f.got(); len(got) != 1 {
		t.Fatalf("handler recorded %d replies, want 1", len(got))
	}
}

func TestSeveralRecipients(t *testing.T) {
	f := start(t, func(c *inbound.Config) { c.MaxRecipients = 3 })
	a, b := newClaims(), newClaims()
	toA, toB := f.address(t, a), f.address(t, b)
	res := send(t, f.addr, "jane@example.com",
		[]string{toA, "someone@" + domain, toB, toA, toB}, reply(toA))
	wantCode(t, "RCPT A", res.rcpt[0], 250, "")
	wantCode(t, "RCPT unknown", res.rcpt[1], 550, "")
	wantCode(t, "RCPT B", res.rcpt[2], 250, "")
	wantCode(t, "RCPT A again", res.rcpt[3], 250, "")
	wantCode(t, "RCPT over the limit", res.rcpt[4], 452, "")
	wantCode(t, "DATA", res.data, 250, "")
	got := f.got()
	if len(got) != 2 || got[0].Claims != a || got[1].Claims != b {
		t.Fatalf("want the reply once in each conversation, got %+v", got)
	}
}

func TestListenAndServeStopsWithItsContext(t *testing.T) {
	addr, cancel, done := listenAndServe(t, inbound.Config{})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe = %v after its context ended", err)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Fatal("still listening after the context ended")
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	keys := func() []replytoken.Key { return nil }
	h := func(context.Context, inbound.Reply) error { return nil }
	for name, cfg := range map[string]inbound.Config{
		"Domain":  {Keys: keys, Handler: h},
		"Keys":    {Domain: domain, Handler: h},
		"Handler": {Domain: domain, Keys: keys},
	} {
		if _, err := inbound.New(cfg); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("missing %s: err = %v", name, err)
		}
	}
}

func TestIdleConnectionIsClosed(t *testing.T) {
	f := start(t, func(c *inbound.Config) { c.Timeout = 200 * time.Millisecond })
	conn, err := textproto.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, _, err := conn.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	// Say nothing: the server gives up on us with 421 and hangs up.
	got, msg, err := conn.ReadResponse(0)
	if err != nil || got != 421 || !strings.Contains(msg, "timeout") {
		t.Fatalf("idle: %d %q %v, want 421 and a timeout", got, msg, err)
	}
	if _, err := conn.ReadLine(); err != io.EOF {
		t.Fatalf("connection still open after 421: %v", err)
	}
}

// A shutdown lets a reply that is being stored finish and answers its
// sender before the listener goes.
func TestShutdownFinishesRepliesUnderWay(t *testing.T) {
	key, err := replytoken.NewKey(1)
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	addr, cancel, done := listenAndServe(t, inbound.Config{
		Keys: func() []replytoken.Key { return []replytoken.Key{key} },
		Handler: func(context.Context, inbound.Reply) error {
			close(entered)
			<-release
			return nil
		},
	})

	tok, err := replytoken.Sign(key, newClaims())
	if err != nil {
		t.Fatal(err)
	}
	to := replytoken.Address(tok, domain)
	sent := make(chan error, 1)
	go func() {
		sent <- smtp.SendMail(addr, nil, "jane@example.com", []string{to}, []byte(strings.ReplaceAll(reply(to), "\n", "\r\n")))
	}()
	<-entered
	cancel()
	// Poll until the listener is closed: no new connection gets in.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections after the context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("ListenAndServe returned (%v) while a reply was being stored", err)
	default:
	}
	close(release)
	if err := <-sent; err != nil {
		t.Fatalf("the reply under way was not answered 250: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe = %v", err)
	}
}

// listenAndServe runs ListenAndServe on a free port with cfg (Domain,
// Logger and, when unset, Keys and Handler filled in) until the test ends
// or it calls cancel; done receives what ListenAndServe returned.
func listenAndServe(t *testing.T, cfg inbound.Config) (addr string, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = l.Addr().String()
	l.Close()
	cfg.Addr, cfg.Domain, cfg.Logger = addr, domain, slog.New(slog.NewTextHandler(io.Discard, nil))
	if cfg.Keys == nil {
		cfg.Keys = func() []replytoken.Key { return nil }
	}
	if cfg.Handler == nil {
		cfg.Handler = func(context.Context, inbound.Reply) error { return nil }
	}
	srv, err := inbound.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(ctx) }()
	waitListening(t, addr)
	return addr, cancel, served
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never listened: %v", err)
		}
		time.Sleep(10 * time.Millisecond) // poll until it listens
	}
}

// A client that holds its connection open does not hold up a shutdown
// beyond HandlerTimeout.
func TestShutdownDropsIdleConnections(t *testing.T) {
	addr, cancel, done := listenAndServe(t, inbound.Config{HandlerTimeout: 100 * time.Millisecond})
	conn, err := textproto.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, _, err := conn.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe = %v", err)
	}
	if line, err := conn.ReadLine(); err == nil {
		t.Fatalf("idle connection still open after shutdown (read %q)", line)
	}
}
