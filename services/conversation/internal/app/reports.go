package app

import (
	"context"
	"sync"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Reports (docs/reports.md). A consumer of the conversation events keeps
// the read model current (OnReportEvent): each event that can change a
// conversation's figures re-derives its rows from the source tables, so the
// result is the same whatever order events arrive in, and the event is
// recorded as handled in the same transaction. A rebuild runs the same
// derivation over every conversation. The report reads only the read model.

// ReportsConsumer is the durable name of the read model's consumer.
const ReportsConsumer = "conversation-reports"

// rebuildBatch is how many conversations one rebuild transaction derives.
const rebuildBatch = 500

// reportEvent is the part of the events the read model listens to that
// names the conversation.
type reportEvent struct {
	Message        *contracts.Message      `json:"message"`
	Conversation   *contracts.Conversation `json:"conversation"`
	ConversationID string                  `json:"conversation_id"` // an activity's
}

// ReportKey is the conversation an event is about ("" for others), so the
// consumer handles one conversation's events in order.
func ReportKey(env contracts.Envelope) string {
	var e reportEvent
	_ = env.Decode(&e)
	switch {
	case e.Message != nil:
		return e.Message.ConversationID
	case e.Conversation != nil:
		return e.Conversation.ID
	}
	return e.ConversationID
}

// OnReportEvent keeps the read model current from one conversation event;
// events of other types are ignored.
func (a *App) OnReportEvent(ctx context.Context, env contracts.Envelope) error {
	var e reportEvent
	switch env.Type {
	case contracts.ConversationMessageCreated.Name(), contracts.ConversationUpdatedEvent.Name(), contracts.ConversationActivityEvent.Name():
		if err := env.Decode(&e); err != nil {
			return apperr.New(apperr.Invalid, "bad %s payload: %v", env.Type, err)
		}
	default:
		return nil
	}
	id := ReportKey(env)
	if !ids.Valid(id) {
		return apperr.New(apperr.Invalid, "%s names no conversation", env.Type)
	}
	if e.Message != nil && env.Type == contracts.ConversationMessageCreated.Name() && !a.reported.mayChange(id, *e.Message) {
		return nil // most messages: nothing to read or write
	}
	settings, err := a.settings.Get(ctx, env.TenantID)
	if err != nil {
		return err
	}
	var seen *domain.MessageFacts // the facts as stored once this commits
	err = a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		if env.Type == contracts.ConversationMessageCreated.Name() {
			facts, exists, err := tx.ReportFacts(id)
			if err != nil {
				return err
			}
			if exists {
				seen = &facts // as Add leaves them, which is what is stored
			}
			before := facts
			if exists && !facts.Add(*e.Message) {
				return nil // a message that changes no figure: most of them
			}
			// Add replaces the pointers it changes.
			if exists && before.FirstVisitorAt == facts.FirstVisitorAt && before.FirstResponseAt == facts.FirstResponseAt {
				// Only the last visitor message moved: it matters only
				// while no person has answered (Missed).
				if facts.FirstResponseAt != nil {
					return nil
				}
				return a.firstDelivery(tx, env, func() error { return tx.SetReportLastVisitorAt(id, *facts.LastVisitorAt) })
			}
		}
		if env.Type == contracts.ConversationUpdatedEvent.Name() {
			return a.firstDelivery(tx, env, func() error {
				c, err := tx.Conversation(id)
				if apperr.Is(err, apperr.NotFound) {
					return nil
				}
				if err != nil {
					return err
				}
				return tx.SetReportConversation(c)
			})
		}
		return a.firstDelivery(tx, env, func() error {
			if _, err := tx.LockConversation(id); apperr.Is(err, apperr.NotFound) {
				return nil // deleted: its rows went with it
			} else if err != nil {
				return err
			}
			_, err := deriveReports(tx, []string{id}, settings.BusinessHours)
			return err
		})
	})
	if err == nil && seen != nil {
		a.reported.saw(id, *seen)
	}
	return err
}

// firstDelivery runs fn unless the event was handled before.
func (a *App) firstDelivery(tx *store.Tx, env contracts.Envelope, fn func() error) error {
	first, err := tx.FirstDelivery(ReportsConsumer, env.ID)
	if err != nil || !first {
		return err
	}
	return fn()
}

// deriveReports replaces the read model's rows of some conversations with
// rows derived from their source, and counts the activities it read.
func deriveReports(tx *store.Tx, conversationIDs []string, hours contracts.BusinessHours) (int, error) {
	sources, err := tx.ReportSources(conversationIDs)
	if err != nil {
		return 0, err
	}
	rows := make([]domain.ReportRows, len(sources))
	labels := map[string]string{}
	activities := 0
	for i, s := range sources {
		var facts domain.MessageFacts
		for _, m := range s.Messages {
			facts.Add(m)
		}
		rows[i] = domain.DeriveReport(s.Conversation.ID, s.Conversation.Assignee(), facts, s.Activities, hours)
		labels[s.Conversation.ID] = s.Conversation.Labels
		activities += len(s.Activities)
	}
	return activities, tx.SaveReportRows(rows, labels)
}

// RebuildReports derives a tenant's read model again from the source
// tables (owner or admin).
func (a *App) RebuildReports(ctx context.Context, r contracts.ReportRebuildRequest) (contracts.ReportRebuilt, error) {
	if r.Actor.Type != contracts.AuthorAgent || !r.Actor.Role.CanAdminister() {
		return contracts.ReportRebuilt{}, apperr.New(apperr.Forbidden, "only owners and admins can rebuild reports")
	}
	return a.rebuildReports(ctx, r.Actor.TenantID)
}

// rebuildReports empties a tenant's read model and derives it again, one
// transaction per batch of conversations.
func (a *App) rebuildReports(ctx context.Context, tenantID string) (contracts.ReportRebuilt, error) {
	out := contracts.ReportRebuilt{}
	settings, err := a.settings.Get(ctx, tenantID)
	if err != nil {
		return out, err
	}
	if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error { return tx.DeleteAllReportRows() }); err != nil {
		return out, err
	}
	after := ""
	for {
		var batch []string
		err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
			var err error
			if batch, err = tx.ConversationIDsAfter(after, rebuildBatch); err != nil || len(batch) == 0 {
				return err
			}
			n, err := deriveReports(tx, batch, settings.BusinessHours)
			out.Activities += n
			return err
		})
		if err != nil {
			return out, err
		}
		if len(batch) == 0 {
			return out, nil
		}
		out.Conversations += len(batch)
		after = batch[len(batch)-1]
	}
}

// Report computes a tenant's figures over a period. Agents get their own.
func (a *App) Report(ctx context.Context, r contracts.ReportRequest) (contracts.Report, error) {
	if err := requireMember(r.Actor); err != nil {
		return contracts.Report{}, err
	}
	if r.Actor.Role == contracts.RoleAgent {
		if r.AgentID != "" && r.AgentID != r.Actor.ID {
			return contracts.Report{}, apperr.New(apperr.Forbidden, "agents see only their own figures")
		}
		r.AgentID = r.Actor.ID
	}
	if r.AgentID != "" && !ids.Valid(r.AgentID) {
		return contracts.Report{}, apperr.InvalidField("agent_id", "agent_id must be a member id")
	}
	if r.Label != "" {
		l, err := domain.CleanLabels([]string{r.Label})
		if err != nil {
			return contracts.Report{}, apperr.InvalidField("label", "%q is not a label: 1–32 letters, digits, spaces, - or _", r.Label)
		}
		r.Label = l[0]
	}
	settings, err := a.settings.Get(ctx, r.Actor.TenantID)
	if err != nil {
		return contracts.Report{}, err
	}
	loc := domain.ReportLocation(settings.BusinessHours)
	cur, prev, err := domain.ParsePeriod(r.From, r.To, loc)
	if err != nil {
		return contracts.Report{}, err
	}
	switch {
	case r.Granularity == "":
		r.Granularity = contracts.GranularityDay
	case r.Granularity == contracts.GranularityHour && cur.Days > domain.MaxHourlyDays:
		return contracts.Report{}, apperr.InvalidField("granularity", "hourly figures cover at most %d days", domain.MaxHourlyDays)
	case r.Granularity != contracts.GranularityDay && r.Granularity != contracts.GranularityHour:
		return contracts.Report{}, apperr.InvalidField("granularity", "granularity must be day or hour")
	}
	var data domain.ReportData
	err = a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		var err error
		data, err = tx.ReportData(store.ReportFilter{Start: prev.Start.UTC(), End: cur.End.UTC(), MissesStart: cur.Start.UTC(),
			Label: r.Label, AgentID: r.AgentID, Business: r.BusinessHours})
		return err
	})
	if err != nil {
		return contracts.Report{}, err
	}
	q := domain.ReportQuery{Current: cur, Previous: prev, Location: loc, Granularity: r.Granularity,
		BusinessHours: r.BusinessHours, AgentID: r.AgentID, Now: a.now()}
	return domain.BuildReport(q, data), nil
}

// reportSeen remembers, per conversation, what the read model already
// holds of its messages, so that the consumer skips without a transaction
// the messages that cannot change a figure: bot and system messages and
// notes always; agents' and visitors' messages once a person has answered
// (the first response is set for good); a visitor's message less than
// lastVisitorStep after the last one stored (Missed waits 30 minutes, so a
// minute's imprecision cannot change it). Skipping is safe on any replica:
// answered never goes back. Bounded: it starts afresh when full.
type reportSeen struct {
	mu sync.Mutex
	m  map[string]seenFacts
}

type seenFacts struct {
	answered    bool
	lastVisitor time.Time
}

const (
	reportSeenMax   = 100_000
	lastVisitorStep = time.Minute
)

func newReportSeen() *reportSeen { return &reportSeen{m: map[string]seenFacts{}} }

// mayChange says whether a message may change the conversation's figures.
func (r *reportSeen) mayChange(conversationID string, m contracts.Message) bool {
	human := m.Author.Type == contracts.AuthorVisitor || m.Author.Type == contracts.AuthorAgent && !m.Private
	if !human {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.m[conversationID]
	switch {
	case !ok:
		return true
	case s.answered:
		return false
	case m.Author.Type == contracts.AuthorVisitor:
		return m.CreatedAt.Sub(s.lastVisitor) >= lastVisitorStep
	}
	return true
}

// saw records the facts stored for a conversation.
func (r *reportSeen) saw(conversationID string, f domain.MessageFacts) {
	if f.FirstVisitorAt == nil {
		return // no row yet: nothing to compare with
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.m) >= reportSeenMax {
		clear(r.m)
	}
	s := seenFacts{answered: f.FirstResponseAt != nil}
	if f.LastVisitorAt != nil {
		s.lastVisitor = *f.LastVisitorAt
	}
	r.m[conversationID] = s
}
