package app

import (
	"context"
	"strings"
	"unicode"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Rate records a visitor's answer to "How did we do?" for one resolution of
// their conversation: once per resolution, only while its survey is open.
func (a *App) Rate(ctx context.Context, r contracts.RateRequest) (contracts.VisitorConversation, error) {
	var out contracts.VisitorConversation
	if r.Actor.Type != contracts.AuthorVisitor {
		return out, apperr.New(apperr.Forbidden, "only the conversation's visitor rates it")
	}
	comment, err := checkComment(r.Comment)
	if err != nil {
		return out, err
	}
	err = a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		c, err := conversationFor(tx, r.Actor, r.ConversationID, true)
		if err != nil {
			return err
		}
		open := c.Status == contracts.StatusResolved && c.SurveyResolution > 0 && c.SurveyResolution == c.Resolutions
		if !open || r.Resolution != c.SurveyResolution {
			return apperr.New(apperr.Conflict, "this conversation is not waiting for a rating (already rated, reopened, or not surveyed)")
		}
		if err := checkScore(c.SurveyScale, r.Score); err != nil {
			return err
		}
		now := a.now()
		rating := contracts.Rating{Score: r.Score, Scale: c.SurveyScale, Comment: comment, Resolution: c.SurveyResolution, RatedAt: now}
		if rating.AgentID, err = creditedAgent(tx, c.ID, c.SurveyResolution); err != nil {
			return err
		}
		c.SetRating(rating)
		c.SurveyResolution, c.SurveyScale = 0, ""
		c.UpdatedAt = now
		visitor := contracts.Author{Type: contracts.AuthorVisitor, ID: r.Actor.ID}
		if err := record(tx, &c, contracts.ActivityRated, visitor, now, func(act *contracts.Activity) {
			act.Resolution, act.Rating = rating.Resolution, &rating
		}); err != nil {
			return err
		}
		if err := tx.SaveConversation(&c); err != nil {
			return err
		}
		conv, err := view(tx, c)
		if err != nil {
			return err
		}
		out = conv.ForVisitor()
		return tx.Emit(contracts.ConversationUpdatedEvent, contracts.ConversationUpdated{Conversation: conv})
	})
	return out, err
}

// creditedAgent is the agent a resolution is credited to: the assignee at
// the resolution, else the agent who resolved it.
func creditedAgent(tx *store.Tx, conversationID string, resolution int) (string, error) {
	acts, err := tx.Activities(conversationID)
	if err != nil {
		return "", err
	}
	for _, act := range acts {
		if act.Kind != contracts.ActivityResolved || act.Resolution != resolution {
			continue
		}
		if act.AssigneeID != "" {
			return act.AssigneeID, nil
		}
		if act.By.Type == contracts.AuthorAgent {
			return act.By.ID, nil
		}
	}
	return "", nil
}

func checkScore(scale string, score int) error {
	if scale == contracts.ScaleThumbs {
		if score != 1 && score != 5 {
			return apperr.InvalidField("score", "score must be 1 (thumbs down) or 5 (thumbs up)")
		}
		return nil
	}
	if score < 1 || score > 5 {
		return apperr.InvalidField("score", "score must be between 1 and 5")
	}
	return nil
}

// checkComment trims a rating's comment and refuses control characters
// other than line breaks and tabs.
func checkComment(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len([]rune(s)) > contracts.MaxRatingComment {
		return "", apperr.InvalidField("comment", "comment must be at most %d characters", contracts.MaxRatingComment)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return "", apperr.InvalidField("comment", "comment must not contain control characters")
		}
	}
	return s, nil
}
