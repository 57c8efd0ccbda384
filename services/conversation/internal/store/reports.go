package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
)

// The reports' read model (migration 0005): one report_conversations row
// per conversation and its resolutions, ratings and bot misses. A
// conversation's rows are replaced together (SaveReportRows), so they always
// agree with each other; queries read them by (tenant_id, time).

// reportTables are the read model's tables, every one keyed by conversation.
var reportTables = []string{"report_conversations", "report_resolutions", "report_ratings", "report_misses"}

// The rows as stored: times are Unix microseconds.
type reportConversation struct {
	TenantID, ConversationID                                      string
	FirstVisitorAt, LastVisitorAt, ReachedTeamAt, FirstResponseAt *int64
	StartedWithBot                                                bool
	FirstResponderID                                              string
	FirstResponse, FirstResponseBiz                               *float64
	Resolutions                                                   int
	AssigneeID, Labels                                            string
}

type reportResolution struct {
	TenantID, ConversationID string
	Resolution               int
	ResolvedAt               int64
	AgentID                  string
	Surveyed, Rated          bool
	Seconds, BizSeconds      *float64
}

type reportRating struct {
	TenantID, ConversationID string
	Resolution               int
	RatedAt                  int64
	Score                    int
	Scale, Comment, AgentID  string
}

type reportMiss struct {
	TenantID, ConversationID string
	Seq                      int64
	AskedAt                  int64
	Question                 string
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func microsOf(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	m := t.UnixMicro()
	return &m
}

func timeOf(m sql.NullInt64) *time.Time {
	if !m.Valid {
		return nil
	}
	t := time.UnixMicro(m.Int64).UTC()
	return &t
}

// ReportFacts returns the message facts recorded for a conversation.
func (tx *Tx) ReportFacts(conversationID string) (domain.MessageFacts, bool, error) {
	var first, last, answered sql.NullInt64
	var f domain.MessageFacts
	err := tx.DB.Raw(`SELECT first_visitor_at, last_visitor_at, first_response_at, first_responder_id FROM report_conversations
		WHERE tenant_id = ? AND conversation_id = ?`, tx.TenantID, conversationID).Row().Scan(&first, &last, &answered, &f.FirstResponderID)
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	}
	f.FirstVisitorAt, f.LastVisitorAt, f.FirstResponseAt = timeOf(first), timeOf(last), timeOf(answered)
	return f, err == nil, err
}

// SetReportLastVisitorAt moves a conversation's last visitor message later.
func (tx *Tx) SetReportLastVisitorAt(conversationID string, at time.Time) error {
	return tx.DB.Exec(`UPDATE report_conversations SET last_visitor_at = ? WHERE tenant_id = ? AND conversation_id = ?`,
		micros(at), tx.TenantID, conversationID).Error
}

// SetReportConversation writes a conversation's current assignee and labels.
func (tx *Tx) SetReportConversation(c Conversation) error {
	return tx.DB.Exec(`UPDATE report_conversations SET assignee_id = ?, labels = ? WHERE tenant_id = ? AND conversation_id = ?`,
		c.Assignee(), c.Labels, tx.TenantID, c.ID).Error
}

// SaveReportRows replaces the read model's rows of the conversations.
func (tx *Tx) SaveReportRows(rows []domain.ReportRows, labels map[string]string) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]string, len(rows))
	var cs []reportConversation
	var rs []reportResolution
	var ra []reportRating
	var ms []reportMiss
	for i, r := range rows {
		ids[i] = r.Conversation.ConversationID
		c := r.Conversation
		cs = append(cs, reportConversation{TenantID: tx.TenantID, ConversationID: c.ConversationID,
			FirstVisitorAt: microsOf(c.FirstVisitorAt), LastVisitorAt: microsOf(c.LastVisitorAt), ReachedTeamAt: microsOf(c.ReachedTeamAt),
			FirstResponseAt: microsOf(c.FirstResponseAt), StartedWithBot: c.StartedWithBot, FirstResponderID: c.FirstResponderID,
			FirstResponse: c.FirstResponse, FirstResponseBiz: c.FirstResponseBiz, Resolutions: c.Resolutions, AssigneeID: c.AssigneeID,
			Labels: labels[ids[i]]})
		for _, x := range r.Resolutions {
			rs = append(rs, reportResolution{tx.TenantID, x.ConversationID, x.Resolution, micros(x.ResolvedAt), x.AgentID, x.Surveyed, x.Rated, x.Seconds, x.BizSeconds})
		}
		for _, x := range r.Ratings {
			ra = append(ra, reportRating{tx.TenantID, x.ConversationID, x.Resolution, micros(x.RatedAt), x.Score, x.Scale, x.Comment, x.AgentID})
		}
		for _, x := range r.Misses {
			ms = append(ms, reportMiss{tx.TenantID, x.ConversationID, x.Seq, micros(x.AskedAt), x.Question})
		}
	}
	if err := tx.DeleteReportRows(ids); err != nil {
		return err
	}
	for _, ins := range []struct {
		table string
		rows  any
		n     int
	}{{"report_conversations", cs, len(cs)}, {"report_resolutions", rs, len(rs)}, {"report_ratings", ra, len(ra)}, {"report_misses", ms, len(ms)}} {
		if ins.n == 0 {
			continue
		}
		if err := tx.DB.Table(ins.table).CreateInBatches(ins.rows, insertBatch).Error; err != nil {
			return err
		}
	}
	return nil
}

// DeleteReportRows deletes the read model's rows of some conversations.
func (tx *Tx) DeleteReportRows(conversationIDs []string) error {
	for _, t := range reportTables {
		if err := tx.DB.Exec(`DELETE FROM `+t+` WHERE tenant_id = ? AND conversation_id IN ?`, tx.TenantID, conversationIDs).Error; err != nil {
			return err
		}
	}
	return nil
}

// DeleteAllReportRows empties the tenant's read model (before a rebuild).
func (tx *Tx) DeleteAllReportRows() error {
	for _, t := range reportTables {
		if err := tx.DB.Exec(`DELETE FROM `+t+` WHERE tenant_id = ?`, tx.TenantID).Error; err != nil {
			return err
		}
	}
	return nil
}

// ReportSource is what a conversation's read-model rows are worked out
// from: the conversation, its visitor and public agent messages, and its
// activities.
type ReportSource struct {
	Conversation Conversation
	Messages     []contracts.Message
	Activities   []contracts.Activity
}

// ReportSources loads the sources of some conversations (missing ones are
// left out: their rows go with them).
func (tx *Tx) ReportSources(conversationIDs []string) ([]ReportSource, error) {
	var convs []Conversation
	if err := tx.DB.Table("conversations").Where("tenant_id = ? AND id IN ?", tx.TenantID, conversationIDs).Order("id").Find(&convs).Error; err != nil {
		return nil, err
	}
	var msgs []Message
	if err := tx.DB.Table("messages").Select("conversation_id, seq, author_type, author_id, private, created_at").
		Where("tenant_id = ? AND conversation_id IN ? AND (author_type = ? OR (author_type = ? AND private = ?))",
			tx.TenantID, conversationIDs, contracts.AuthorVisitor, contracts.AuthorAgent, false).Find(&msgs).Error; err != nil {
		return nil, err
	}
	acts, err := tx.reportActivities(conversationIDs)
	if err != nil {
		return nil, err
	}
	byConv := map[string][]contracts.Message{}
	for _, m := range msgs {
		byConv[m.ConversationID] = append(byConv[m.ConversationID], m.Contract())
	}
	out := make([]ReportSource, len(convs))
	for i, c := range convs {
		out[i] = ReportSource{Conversation: c, Messages: byConv[c.ID], Activities: acts[c.ID]}
	}
	return out, nil
}

// ConversationIDsAfter lists up to limit of the tenant's conversation ids
// after afterID, in order (keyset pages for a rebuild).
func (tx *Tx) ConversationIDsAfter(afterID string, limit int) ([]string, error) {
	q := tx.DB.Table("conversations").Where("tenant_id = ?", tx.TenantID)
	if afterID != "" { // "" is no UUID to PostgreSQL
		q = q.Where("id > ?", afterID)
	}
	var out []string
	err := q.Order("id").Limit(limit).Pluck("id", &out).Error
	return out, err
}

// ReportFilter selects the read model's rows of a report.
type ReportFilter struct {
	Start, End  time.Time // both periods: [previous start, current end)
	MissesStart time.Time // bot misses only of the current period
	Label       string    // conversations that carry it now
	AgentID     string    // bot misses of conversations assigned to them now
	Business    bool      // read the business-hours clocks (else the wall clock)
}

// ReportData reads the rows of a report: only the columns it counts,
// scanned without reflection (a year is a few hundred thousand rows).
func (tx *Tx) ReportData(f ReportFilter) (domain.ReportData, error) {
	d := domain.ReportData{}
	from, to, missesFrom := micros(f.Start), micros(f.End), micros(f.MissesStart)
	scope, scopeArgs := "tenant_id = ?", []any{tx.TenantID}
	if f.Label != "" {
		scope += ` AND conversation_id IN (SELECT conversation_id FROM report_conversations WHERE tenant_id = ? AND labels LIKE ? ESCAPE '\')`
		scopeArgs = append(scopeArgs, tx.TenantID, labelPattern(f.Label))
	}
	args := func(more ...any) []any { return append(append([]any{}, scopeArgs...), more...) }
	// Only the clock asked for is read; it fills both fields.
	firstResponse, seconds := "first_response", "seconds"
	if f.Business {
		firstResponse, seconds = "first_response_biz", "biz_seconds"
	}
	convColumns := `first_visitor_at, last_visitor_at, reached_team_at, started_with_bot, first_response_at,
		first_responder_id, ` + firstResponse + `, resolutions, assignee_id`
	scanConv := func(r *sql.Rows) error {
		var c domain.ReportConversation
		var first, last, reached, answered sql.NullInt64
		if err := r.Scan(&first, &last, &reached, &c.StartedWithBot, &answered, &c.FirstResponderID,
			&c.FirstResponse, &c.Resolutions, &c.AssigneeID); err != nil {
			return err
		}
		c.FirstResponseBiz = c.FirstResponse
		c.FirstVisitorAt, c.LastVisitorAt, c.ReachedTeamAt, c.FirstResponseAt = timeOf(first), timeOf(last), timeOf(reached), timeOf(answered)
		d.Conversations = append(d.Conversations, c)
		return nil
	}
	// New in the periods, then answered in them but new before or after.
	if err := tx.each(`SELECT `+convColumns+` FROM report_conversations WHERE `+scope+` AND first_visitor_at >= ? AND first_visitor_at < ?`,
		args(from, to), scanConv); err != nil {
		return d, err
	}
	if err := tx.each(`SELECT `+convColumns+` FROM report_conversations WHERE `+scope+` AND first_response_at >= ? AND first_response_at < ?
		AND (first_visitor_at IS NULL OR first_visitor_at < ? OR first_visitor_at >= ?)`, args(from, to, from, to), scanConv); err != nil {
		return d, err
	}
	if err := tx.each(`SELECT resolved_at, agent_id, surveyed, rated, `+seconds+` FROM report_resolutions WHERE `+scope+
		` AND resolved_at >= ? AND resolved_at < ?`, args(from, to), func(r *sql.Rows) error {
		var x domain.ReportResolution
		var at int64
		if err := r.Scan(&at, &x.AgentID, &x.Surveyed, &x.Rated, &x.Seconds); err != nil {
			return err
		}
		x.BizSeconds = x.Seconds
		x.ResolvedAt = time.UnixMicro(at).UTC()
		d.Resolutions = append(d.Resolutions, x)
		return nil
	}); err != nil {
		return d, err
	}
	if err := tx.each(`SELECT conversation_id, rated_at, score, scale, comment, agent_id FROM report_ratings WHERE `+scope+
		` AND rated_at >= ? AND rated_at < ?`, args(from, to), func(r *sql.Rows) error {
		var x domain.ReportRating
		var at int64
		if err := r.Scan(&x.ConversationID, &at, &x.Score, &x.Scale, &x.Comment, &x.AgentID); err != nil {
			return err
		}
		x.RatedAt = time.UnixMicro(at).UTC()
		d.Ratings = append(d.Ratings, x)
		return nil
	}); err != nil {
		return d, err
	}
	missScope, missArgs := scope, args(missesFrom, to)
	if f.AgentID != "" {
		missScope += ` AND conversation_id IN (SELECT conversation_id FROM report_conversations WHERE tenant_id = ? AND assignee_id = ?)`
		missArgs = append(args(tx.TenantID, f.AgentID), missesFrom, to)
	}
	if err := tx.each(`SELECT asked_at, question FROM report_misses WHERE `+missScope+` AND asked_at >= ? AND asked_at < ?`,
		missArgs, func(r *sql.Rows) error {
			var x domain.ReportMiss
			var at int64
			if err := r.Scan(&at, &x.Question); err != nil {
				return err
			}
			x.AskedAt = time.UnixMicro(at).UTC()
			d.Misses = append(d.Misses, x)
			return nil
		}); err != nil {
		return d, err
	}
	agents := map[string]bool{}
	for _, c := range d.Conversations {
		agents[c.FirstResponderID] = true
	}
	for _, r := range d.Resolutions {
		agents[r.AgentID] = true
	}
	for _, r := range d.Ratings {
		agents[r.AgentID] = true
	}
	delete(agents, "")
	ids := make([]string, 0, len(agents))
	for id := range agents {
		ids = append(ids, id)
	}
	var err error
	d.AgentNames, err = tx.AgentNames(ids)
	return d, err
}

// each runs a query and calls scan for every row.
func (tx *Tx) each(q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.DB.Raw(q, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// labelPattern matches a label in a conversation's JSON array of labels.
func labelPattern(label string) string {
	quoted, _ := json.Marshal(label)
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(string(quoted)) + "%"
}

// reportActivities loads the activities of some conversations.
func (tx *Tx) reportActivities(conversationIDs []string) (map[string][]contracts.Activity, error) {
	var rows []struct {
		ConversationID string
		Payload        string
	}
	if err := tx.DB.Table("activities").Select("conversation_id, payload").
		Where("tenant_id = ? AND conversation_id IN ?", tx.TenantID, conversationIDs).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string][]contracts.Activity{}
	for _, r := range rows {
		var a contracts.Activity
		if err := json.Unmarshal([]byte(r.Payload), &a); err != nil {
			return nil, err
		}
		out[r.ConversationID] = append(out[r.ConversationID], a)
	}
	return out, nil
}
