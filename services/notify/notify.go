package notify

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/notify/internal/app"
	"github.com/parley-chat/parley/services/notify/internal/inbound"
	"github.com/parley-chat/parley/services/notify/internal/mailer"
	"github.com/parley-chat/parley/services/notify/internal/natsapi"
	"github.com/parley-chat/parley/services/notify/internal/replytoken"
	"github.com/parley-chat/parley/services/notify/internal/store"
	"github.com/parley-chat/parley/services/notify/internal/surveytoken"
)

// Deps are what the process gives the service.
type Deps struct {
	NATS   *nats.Conn
	Logger *slog.Logger
}

// Service is a running notify service.
type Service struct{ base *service.Base }

// New opens the database, connects the mailer (when PARLEY_SMTP_URL is set)
// and registers the endpoints, consumers and workers; with
// PARLEY_INBOUND_SMTP_ADDR set, conversation email also carries a signed
// reply address.
func New(ctx context.Context, cfg config.Config, deps Deps) (*Service, error) {
	opt := app.Options{PublicURL: cfg.PublicURL, VisitorDelay: cfg.Email.VisitorDelay, DigestInterval: cfg.Email.DigestInterval}
	if cfg.Email.Enabled() {
		m, err := mailer.New(cfg.Email.SMTPURL, cfg.Email.From)
		if err != nil {
			return nil, err
		}
		opt.Sender, opt.Permanent = m, mailer.IsRejection
	}
	base, err := service.Start(ctx, cfg, service.Spec{
		Name: contracts.ServiceNotify, Migrations: store.Migrations, GlobalTables: store.GlobalTables,
		Streams: []contracts.Stream{contracts.NotifyStream, contracts.IdentityStream, contracts.ConversationStream, contracts.TenantStream},
	}, deps.NATS, deps.Logger)
	if err != nil {
		return nil, err
	}
	st := store.New(base.DB, base.Relay)
	keys, err := replyKeys(ctx, st)
	if err != nil {
		_ = base.DB.Close()
		return nil, err
	}
	// Survey links are signed with the same stored secrets under their own
	// purpose (see surveytoken).
	for _, k := range keys {
		opt.SurveyKeys = append(opt.SurveyKeys, surveytoken.Key{ID: k.ID, Secret: k.Secret})
	}
	if cfg.Email.InboundSMTPAddr != "" {
		opt.ReplyAddress = func(tenantID, conversationID, visitorID string) (string, error) {
			tok, err := replytoken.Sign(keys[0], replytoken.Claims{TenantID: tenantID, ConversationID: conversationID, VisitorID: visitorID})
			return replytoken.Address(tok, cfg.Email.InboundDomain), err
		}
	}
	a := app.New(st, deps.NATS, opt, deps.Logger)
	natsapi.Register(base, a, cfg.Email.VisitorDelay, cfg.Email.DigestInterval)
	if cfg.Email.InboundSMTPAddr != "" {
		srv, err := inbound.New(inbound.Config{
			Addr: cfg.Email.InboundSMTPAddr, Domain: cfg.Email.InboundDomain,
			Keys: func() []replytoken.Key { return keys }, Handler: receive(a), Logger: deps.Logger.With("part", "inbound"),
		})
		if err != nil {
			_ = base.DB.Close()
			return nil, err
		}
		base.Go(srv.ListenAndServe)
	}
	return &Service{base: base}, nil
}

// receive turns an accepted email reply into a visitor message. A reply
// that can never land (the conversation or visitor is gone, the text is
// refused) is refused for good; anything else makes the sender retry.
func receive(a *app.App) inbound.Handler {
	return func(ctx context.Context, r inbound.Reply) error {
		_, err := a.ReceiveReply(ctx, app.Reply{
			TenantID: r.Claims.TenantID, ConversationID: r.Claims.ConversationID, VisitorID: r.Claims.VisitorID,
			MessageID: r.MessageID, Body: r.Text,
		})
		switch apperr.CodeOf(err) {
		case apperr.NotFound, apperr.Invalid, apperr.TooLarge, apperr.Forbidden, apperr.PaymentRequired:
			return inbound.Permanent(err)
		}
		return err
	}
}

// replyKeys loads the keys of reply addresses and survey links, newest
// first; the first
// replica ever to start makes key 1.
func replyKeys(ctx context.Context, st *store.Store) ([]replytoken.Key, error) {
	first, err := replytoken.NewKey(1)
	if err != nil {
		return nil, err
	}
	rows, err := st.ReplyKeys(ctx, store.ReplyKey{ID: int(first.ID), Secret: first.Secret})
	if err != nil {
		return nil, fmt.Errorf("reply keys: %w", err)
	}
	keys := make([]replytoken.Key, 0, len(rows))
	for _, r := range rows {
		keys = append(keys, replytoken.Key{ID: byte(r.ID), Secret: r.Secret})
	}
	return keys, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.base.Run(ctx) }
