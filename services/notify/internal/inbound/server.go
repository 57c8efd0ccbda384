package inbound

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/parley-chat/parley/services/notify/internal/replytoken"
)

// Defaults of Config's limits.
const (
	DefaultMaxMessageBytes = 1 << 20
	DefaultMaxRecipients   = 5
	DefaultTimeout         = 2 * time.Minute
	DefaultHandlerTimeout  = 30 * time.Second
)

// Reply is a visitor's answer by email, addressed with a valid token and
// stripped of quotes and signature.
type Reply struct {
	// Claims are the verified token's: the reply belongs to this
	// conversation of this tenant, written by this visitor.
	Claims replytoken.Claims
	// From is the lower-cased address of the From header, for a service
	// that wants it to match the visitor's email. Nothing here checks it.
	From    string
	Subject string
	Text    string // never empty
	// MessageID is the email's Message-ID without angle brackets, or, when
	// it has none, a stand-in derived from its bytes; the same email sent
	// again has the same MessageID.
	MessageID string
}

// Handler takes an accepted reply. An error makes the sending server retry
// later (451), unless it is Permanent (550). With several reply recipients
// the handler runs once per conversation, and a retry after an error runs
// them all again: it must treat a repeated (conversation, MessageID) as done.
type Handler func(ctx context.Context, r Reply) error

// Permanent marks a handler error that retrying cannot fix (say, the
// conversation was deleted); its text goes back to the sender.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// Config sets up a Server.
type Config struct {
	// Addr is the listen address of ListenAndServe, e.g. ":2525".
	Addr string
	// Domain is the inbound domain: only reply+<token>@Domain is accepted.
	Domain string
	// Keys returns the reply-token keys to verify with; it is called for
	// every recipient, so a rotation applies at once.
	Keys    func() []replytoken.Key
	Handler Handler
	Logger  *slog.Logger
	// TLS, when set, offers STARTTLS.
	TLS *tls.Config

	MaxMessageBytes int64         // DefaultMaxMessageBytes when 0
	MaxRecipients   int           // DefaultMaxRecipients when 0
	Timeout         time.Duration // per command read or reply write; DefaultTimeout when 0
	HandlerTimeout  time.Duration // DefaultHandlerTimeout when 0
}

// Server receives replies by SMTP.
type Server struct {
	cfg    Config
	smtp   *smtp.Server
	ctx    context.Context // canceled by Close: ends running handlers
	cancel context.CancelFunc
}

// New checks cfg and returns a server that is not yet listening.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Domain == "":
		return nil, errors.New("inbound: Domain is required")
	case cfg.Keys == nil:
		return nil, errors.New("inbound: Keys is required")
	case cfg.Handler == nil:
		return nil, errors.New("inbound: Handler is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.MaxMessageBytes = cmp.Or(cfg.MaxMessageBytes, DefaultMaxMessageBytes)
	cfg.MaxRecipients = cmp.Or(cfg.MaxRecipients, DefaultMaxRecipients)
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	cfg.HandlerTimeout = cmp.Or(cfg.HandlerTimeout, DefaultHandlerTimeout)

	s := &Server{cfg: cfg}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, remote: c.Conn().RemoteAddr().String()}, nil
	}))
	srv.Addr = cfg.Addr
	srv.Domain = cfg.Domain
	srv.TLSConfig = cfg.TLS
	srv.MaxMessageBytes = cfg.MaxMessageBytes
	srv.MaxRecipients = cfg.MaxRecipients
	srv.ReadTimeout = cfg.Timeout
	srv.WriteTimeout = cfg.Timeout
	srv.ErrorLog = errorLog{cfg.Logger}
	s.smtp = srv
	return s, nil
}

// Serve accepts connections on l until Close.
func (s *Server) Serve(l net.Listener) error {
	s.cfg.Logger.Info("inbound smtp listening", "addr", l.Addr().String(), "domain", s.cfg.Domain)
	return s.smtp.Serve(l)
}

// ListenAndServe listens on Config.Addr and serves until ctx ends. Then it
// takes no new connection, lets the sessions under way end (for at most
// HandlerTimeout), drops those still open and returns nil.
func (s *Server) ListenAndServe(ctx context.Context) error {
	l, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("inbound: listen on %s: %w", s.cfg.Addr, err)
	}
	tracked := &trackedListener{Listener: l, open: map[net.Conn]struct{}{}}
	served := make(chan error, 1)
	go func() { served <- s.Serve(tracked) }()
	select {
	case err := <-served:
		s.cancel()
		return err
	case <-ctx.Done():
	}
	// Close the listener and let Serve return before the graceful shutdown:
	// go-smtp's Shutdown waits on the sessions' WaitGroup, and a connection
	// accepted during that wait would race with it.
	l.Close()
	<-served
	grace, cancel := context.WithTimeout(context.Background(), s.cfg.HandlerTimeout)
	defer cancel()
	if err := s.smtp.Shutdown(grace); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		s.cfg.Logger.Warn("inbound smtp: sessions still open at shutdown, dropped", "error", err.Error())
		tracked.closeAll()
	}
	s.cancel()
	return nil
}

// trackedListener knows its open connections, so that a shutdown that runs
// out of time can drop them (go-smtp's graceful Shutdown only waits).
type trackedListener struct {
	net.Listener
	mu   sync.Mutex
	open map[net.Conn]struct{}
}

func (l *trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, l: l}
	l.mu.Lock()
	l.open[tc] = struct{}{}
	l.mu.Unlock()
	return tc, nil
}

func (l *trackedListener) closeAll() {
	l.mu.Lock()
	open := make([]net.Conn, 0, len(l.open))
	for c := range l.open {
		open = append(open, c)
	}
	l.mu.Unlock()
	for _, c := range open {
		_ = c.Close()
	}
}

type trackedConn struct {
	net.Conn
	l *trackedListener
}

func (c *trackedConn) Close() error {
	c.l.mu.Lock()
	delete(c.l.open, c)
	c.l.mu.Unlock()
	return c.Conn.Close()
}

// Close stops listening and drops every connection at once.
func (s *Server) Close() error {
	s.cancel()
	if err := s.smtp.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// errorLog sends go-smtp's own complaints (a connection that failed) to slog.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Printf(format string, v ...any) {
	l.log.Warn("inbound smtp", "error", fmt.Sprintf(format, v...))
}

func (l errorLog) Println(v ...any) { l.log.Warn("inbound smtp", "error", fmt.Sprint(v...)) }

// SMTP replies of the session. Their text says what the sender can do.
var (
	errNotOurs = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "No such mailbox: this server only takes replies to Parley conversation emails"}
	errBadToken = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "Unknown reply address: it may have been altered; reply to the email you received"}
	errNoText = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
		Message: "No reply text: the message holds only quoted history or a signature"}
	errRetry = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "The reply could not be stored just now; try again later"}
)

// session is one SMTP transaction at a time on one connection.
type session struct {
	s      *Server
	remote string
	sender string // the envelope's MAIL FROM; empty for a bounce
	to     []replytoken.Claims
}

func (se *session) Reset() { se.sender, se.to = "", nil }

func (se *session) Logout() error { return nil }

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.sender = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	log := se.s.cfg.Logger
	token, ok := replytoken.TokenOf(to, se.s.cfg.Domain)
	if !ok {
		log.Info("inbound smtp: recipient refused", "reason", "not a reply address", "remote", se.remote)
		return errNotOurs
	}
	c, err := replytoken.Verify(se.s.cfg.Keys(), token)
	if err != nil {
		log.Warn("inbound smtp: recipient refused", "reason", err.Error(), "remote", se.remote)
		return errBadToken
	}
	for _, seen := range se.to {
		if seen.TenantID == c.TenantID && seen.ConversationID == c.ConversationID {
			return nil // the same conversation twice gets the reply once
		}
	}
	se.to = append(se.to, c)
	return nil
}

func (se *session) Data(r io.Reader) error {
	log := se.s.cfg.Logger.With("remote", se.remote)
	raw, err := io.ReadAll(r)
	if err != nil {
		var smtpErr *smtp.SMTPError
		if errors.As(err, &smtpErr) { // the size limit
			log.Info("inbound smtp: message refused", "reason", smtpErr.Message)
			return smtpErr
		}
		return err
	}
	msg, err := parseMessage(raw)
	if err != nil {
		var bad malformedError
		errors.As(err, &bad) // parseMessage fails only this way
		log.Info("inbound smtp: message refused", "reason", err.Error())
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Malformed message: " + bad.reason}
	}
	log = log.With("message_id", msg.MessageID)
	if msg.Automatic || se.sender == "" {
		// Accepted and dropped: answering an auto-reply or a bounce would
		// start a mail loop, and none is a visitor's word.
		log.Info("inbound smtp: automatic message dropped")
		return nil
	}
	text := replyText(msg.Text)
	if text == "" {
		log.Info("inbound smtp: message refused", "reason", "no reply text")
		return errNoText
	}
	var retry, refused error
	delivered := 0
	for _, c := range se.to {
		ctx, cancel := context.WithTimeout(se.s.ctx, se.s.cfg.HandlerTimeout)
		err := se.s.cfg.Handler(ctx, Reply{Claims: c, From: msg.From, Subject: msg.Subject, Text: text, MessageID: msg.MessageID})
		cancel()
		clog := log.With("tenant_id", c.TenantID, "conversation_id", c.ConversationID)
		var perm permanentError
		switch {
		case err == nil:
			delivered++
			clog.Info("inbound smtp: reply accepted", "bytes", len(raw))
		case errors.As(err, &perm):
			refused = err
			clog.Info("inbound smtp: reply refused by the service", "error", err.Error())
		default:
			retry = err
			clog.Error("inbound smtp: reply not stored, sender will retry", "error", err.Error())
		}
	}
	switch {
	case retry != nil:
		return errRetry
	case delivered == 0 && refused != nil:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Reply refused: " + refused.Error()}
	}
	return nil
}
