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

// statusChanged records a resolution or a reopening after c's status moved
// from `from`. A resolution counts up and, when the tenant surveys, opens
// the survey of that resolution; a reopening closes an unanswered survey.
func statusChanged(tx *store.Tx, c *store.Conversation, from string, by contracts.Author, survey contracts.SurveySettings, now time.Time) error {
	switch {
	case c.Status == contracts.StatusResolved && from != contracts.StatusResolved:
		c.Resolutions++
		c.SurveyResolution, c.SurveyScale = 0, ""
		if survey.Enabled {
			c.SurveyResolution, c.SurveyScale = c.Resolutions, surveyScale(survey)
		}
		return record(tx, c, contracts.ActivityResolved, by, now, func(a *contracts.Activity) {
			a.Resolution, a.Surveyed = c.Resolutions, survey.Enabled
		})
	case from == contracts.StatusResolved && c.Status != contracts.StatusResolved:
		c.SurveyResolution, c.SurveyScale = 0, ""
		return record(tx, c, contracts.ActivityReopened, by, now, nil)
	}
	return nil
}

func surveyScale(s contracts.SurveySettings) string {
	if s.Scale == contracts.ScaleThumbs {
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
