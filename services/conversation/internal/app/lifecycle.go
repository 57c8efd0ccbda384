package app

import (
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// The conversation's lifecycle history: each fact the reports count
// (contracts.Activity) is stored and published in the transaction of the
// change that caused it. Ordinary messages write none; only reaching the
// team, resolving, reopening, rating and the bot's misses do.

// record stores one activity of c, as c is now.
func record(tx *store.Tx, c *store.Conversation, kind string, by contracts.Author, now time.Time, fill func(*contracts.Activity)) error {
	act := contracts.Activity{ID: ids.New(), ConversationID: c.ID, Kind: kind, At: now, By: by, AssigneeID: c.Assignee()}
	if fill != nil {
		fill(&act)
	}
	return tx.AddActivity(act)
}

// statusChanged records the activity of a status move (Conversation.SetStatus
// or Reopen) from `from`: a resolution, with whether it was surveyed, or a
// reopening.
func statusChanged(tx *store.Tx, c *store.Conversation, from string, by contracts.Author, now time.Time) error {
	switch {
	case c.Status == contracts.StatusResolved && from != contracts.StatusResolved:
		return record(tx, c, contracts.ActivityResolved, by, now, func(a *contracts.Activity) {
			a.Resolution, a.Surveyed = c.Resolutions, c.SurveyResolution == c.Resolutions
		})
	case from == contracts.StatusResolved && c.Status != contracts.StatusResolved:
		return record(tx, c, contracts.ActivityReopened, by, now, nil)
	}
	return nil
}

// surveyScale is the scale a resolution's survey asks on; "" when the tenant
// does not survey.
func surveyScale(s contracts.SurveySettings) string {
	switch {
	case !s.Enabled:
		return ""
	case s.Scale == contracts.ScaleThumbs:
		return contracts.ScaleThumbs
	}
	return contracts.ScaleFive
}

// reachedTeam records that a person is now asked to answer c.
func reachedTeam(tx *store.Tx, c *store.Conversation, by contracts.Author, now time.Time) error {
	return record(tx, c, contracts.ActivityReachedTeam, by, now, nil)
}

// actorAuthor is an actor as the author of an activity.
func actorAuthor(a contracts.Actor) contracts.Author {
	return contracts.Author{Type: a.Type, ID: a.ID, Name: a.Name}
}
