package app

import (
	"context"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/notify/internal/domain"
	"github.com/parley-chat/parley/services/notify/internal/store"
	"github.com/parley-chat/parley/services/notify/internal/surveytoken"
)

// OnActivity follows conversations' lifecycle for the survey email: a
// surveyed resolution waits VisitorDelay for the visitor to rate it in the
// widget; rating it or reopening the conversation first cancels the email.
func (a *App) OnActivity(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.Activity
	if err := env.Decode(&ev); err != nil || ev.ConversationID == "" {
		return apperr.New(apperr.Invalid, "bad conversation.activity payload")
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		switch ev.Kind {
		case contracts.ActivityResolved:
			if !ev.Surveyed || ev.Resolution <= 0 || stale(env) {
				return nil
			}
			return tx.AddSurvey(store.SurveyPending{ConversationID: ev.ConversationID, Resolution: ev.Resolution, DueAt: env.OccurredAt.Add(a.opt.VisitorDelay)})
		case contracts.ActivityRated:
			n := ev.Resolution
			if ev.Rating != nil {
				n = max(n, ev.Rating.Resolution)
			}
			return tx.CancelSurvey(ev.ConversationID, n)
		case contracts.ActivityReopened:
			return tx.CancelSurvey(ev.ConversationID, 0)
		}
		return nil
	})
}

// SendDueSurveys queues the survey email of every resolution whose visitor
// did not rate it in time. One that fails (a service did not answer) stays
// for the next pass.
func (a *App) SendDueSurveys(ctx context.Context, now time.Time) error {
	var due []store.SurveyPending
	if err := a.store.Global(ctx, func(tx *store.Tx) (err error) { due, err = tx.DueSurveys(now, 100); return err }); err != nil {
		return err
	}
	known := brands{}
	for _, p := range due {
		if err := a.emailSurvey(ctx, known, p, now); err != nil {
			a.log.Warn("survey email", "tenant", p.TenantID, "conversation", p.ConversationID, "err", err)
		}
	}
	return nil
}

func (a *App) emailSurvey(ctx context.Context, known brands, p store.SurveyPending, now time.Time) error {
	drop := func() error {
		return a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error { _, _, err := tx.TakeSurvey(p.ConversationID); return err })
	}
	var conv store.Conversation
	var found bool
	if err := a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) (err error) { conv, found, err = tx.Conversation(p.ConversationID); return err }); err != nil {
		return err
	}
	if !found || conv.VisitorID == "" {
		return drop()
	}
	visitor := contracts.Actor{TenantID: p.TenantID, Type: contracts.AuthorVisitor, ID: conv.VisitorID}
	view, err := a.ownView(ctx, visitor, p.ConversationID)
	if apperr.Is(err, apperr.NotFound) {
		return drop()
	}
	if err != nil {
		return err
	}
	if view.Survey == nil || view.Survey.Resolution != p.Resolution {
		return drop() // rated, reopened or the survey turned off meanwhile
	}
	v, err := natsx.Call(ctx, a.nc, contracts.ConversationVisitorGet, contracts.VisitorRequest{TenantID: p.TenantID, VisitorID: conv.VisitorID})
	if err != nil {
		return err
	}
	if v.Email == "" {
		return drop()
	}
	b, err := a.brand(ctx, known, p.TenantID)
	if err != nil {
		return err
	}
	s := domain.Survey{TenantID: p.TenantID, ConversationID: p.ConversationID, Resolution: p.Resolution, Brand: b, Visitor: v, Scale: view.Survey.Scale}
	if s.Scale != contracts.ScaleThumbs {
		s.Scale = contracts.ScaleFive
	}
	token, err := surveytoken.Sign(a.opt.SurveyKeys[0], surveytoken.Claims{
		TenantID: p.TenantID, ConversationID: p.ConversationID, VisitorID: v.ID, Resolution: p.Resolution,
		Scale: s.Scale, Locale: domain.Locale(v.Locale), ExpiresAt: now.Add(surveytoken.Lifetime),
	})
	if err != nil {
		return err
	}
	s.Page = strings.TrimRight(a.opt.PublicURL, "/") + "/survey/" + token
	return a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if _, found, err := tx.TakeSurvey(p.ConversationID); err != nil || !found {
			return err // another replica took it
		}
		if off, err := tx.Suppressed(domain.NormalizeEmail(v.Email)); err != nil || off {
			return err
		}
		if s.Unsubscribe, err = a.unsubscribeURL(tx, v.Email, v.ID); err != nil {
			return err
		}
		e, err := s.Build()
		if err != nil {
			return err
		}
		return a.queue(tx, e)
	})
}

// SurveyGet is what the hosted page of a survey link shows.
func (a *App) SurveyGet(ctx context.Context, r contracts.SurveyTokenRequest) (contracts.SurveyPage, error) {
	c, err := a.surveyClaims(r.Token)
	if err != nil {
		return contracts.SurveyPage{}, err
	}
	return a.surveyPage(ctx, c)
}

// SurveyAnswer rates the link's resolution for its visitor. Answering a
// survey that was answered already (by the link or in the widget) shows
// the answer that counts, never an error.
func (a *App) SurveyAnswer(ctx context.Context, r contracts.SurveyAnswerRequest) (contracts.SurveyPage, error) {
	c, err := a.surveyClaims(r.Token)
	if err != nil {
		return contracts.SurveyPage{}, err
	}
	comment := strings.TrimSpace(r.Comment)
	if err := domain.CheckAnswer(c.Scale, r.Score, comment); err != nil {
		return contracts.SurveyPage{}, err
	}
	res, err := natsx.Call(ctx, a.nc, contracts.ConversationRate, contracts.RateRequest{
		Actor:          contracts.Actor{TenantID: c.TenantID, Type: contracts.AuthorVisitor, ID: c.VisitorID},
		ConversationID: c.ConversationID, Resolution: c.Resolution, Score: r.Score, Comment: comment,
	})
	if apperr.Is(err, apperr.Conflict) {
		return a.surveyPage(ctx, c)
	}
	if err != nil {
		return contracts.SurveyPage{}, err
	}
	page, err := a.brandedPage(ctx, c)
	page.Rated = res.Rating
	if page.Rated == nil {
		page.Rated = &contracts.Rating{Score: r.Score, Scale: c.Scale, Comment: comment, Resolution: c.Resolution}
	}
	return page, err
}

func (a *App) surveyClaims(token string) (surveytoken.Claims, error) {
	c, err := surveytoken.Verify(a.opt.SurveyKeys, token, time.Now())
	if err != nil {
		return c, apperr.NotFoundf("this survey link is not valid or has expired")
	}
	return c, nil
}

// surveyPage is the page of a survey still open (Rated nil) or answered;
// NotFound once it can no longer be answered (the conversation reopened).
func (a *App) surveyPage(ctx context.Context, c surveytoken.Claims) (contracts.SurveyPage, error) {
	view, err := a.ownView(ctx, contracts.Actor{TenantID: c.TenantID, Type: contracts.AuthorVisitor, ID: c.VisitorID}, c.ConversationID)
	if err != nil {
		return contracts.SurveyPage{}, err
	}
	page, err := a.brandedPage(ctx, c)
	switch {
	case view.Rating != nil && view.Rating.Resolution == c.Resolution:
		page.Rated = view.Rating
	case view.Survey != nil && view.Survey.Resolution == c.Resolution:
	default:
		return contracts.SurveyPage{}, apperr.NotFoundf("this survey is closed: the conversation was reopened")
	}
	return page, err
}

func (a *App) brandedPage(ctx context.Context, c surveytoken.Claims) (contracts.SurveyPage, error) {
	b, err := a.brand(ctx, nil, c.TenantID)
	return contracts.SurveyPage{TenantName: b.Name, Color: b.Color, Locale: c.Locale, Scale: c.Scale}, err
}
