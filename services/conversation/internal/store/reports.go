package store

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
)

// The reports' read model (migration 0005): one report_conversations row
// per conversation and its resolutions, ratings and bot misses. A
// conversation's rows are replaced together (SaveReportRows), so they always
// agree with each other; queries read them by (tenant_id, time).

// reportTables are the read model's tables, every one keyed by conversation.
var reportTables = []string{"report_conversations", "report_resolutions", "report_ratings", "report_misses"}

type reportConversation struct {
	TenantID                  string
	domain.ReportConversation `gorm:"embedded"`
	Labels                    string
}

type reportResolution struct {
	TenantID                string
	domain.ReportResolution `gorm:"embedded"`
}

type reportRating struct {
	TenantID            string
	domain.ReportRating `gorm:"embedded"`
}

type reportMiss struct {
	TenantID          string
	domain.ReportMiss `gorm:"embedded"`
}

// ReportFacts returns the message facts recorded for a conversation.
func (tx *Tx) ReportFacts(conversationID string) (domain.MessageFacts, bool, error) {
	var r domain.ReportConversation
	err := tx.DB.Table("report_conversations").Where("tenant_id = ? AND conversation_id = ?", tx.TenantID, conversationID).Take(&r).Error
	if db.IsNotFound(err) {
		return domain.MessageFacts{}, false, nil
	}
	return domain.MessageFacts{FirstVisitorAt: r.FirstVisitorAt, LastVisitorAt: r.LastVisitorAt,
		FirstResponseAt: r.FirstResponseAt, FirstResponderID: r.FirstResponderID}, err == nil, err
}

// SetReportLastVisitorAt moves a conversation's last visitor message later.
func (tx *Tx) SetReportLastVisitorAt(conversationID string, at time.Time) error {
	return tx.DB.Exec(`UPDATE report_conversations SET last_visitor_at = ? WHERE tenant_id = ? AND conversation_id = ?`,
		at, tx.TenantID, conversationID).Error
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
		cs = append(cs, reportConversation{TenantID: tx.TenantID, ReportConversation: r.Conversation, Labels: labels[ids[i]]})
		for _, x := range r.Resolutions {
			rs = append(rs, reportResolution{tx.TenantID, x})
		}
		for _, x := range r.Ratings {
			ra = append(ra, reportRating{tx.TenantID, x})
		}
		for _, x := range r.Misses {
			ms = append(ms, reportMiss{tx.TenantID, x})
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
	var out []string
	err := tx.DB.Table("conversations").Where("tenant_id = ? AND id > ?", tx.TenantID, afterID).Order("id").Limit(limit).Pluck("id", &out).Error
	return out, err
}

// ReportFilter selects the read model's rows of a report.
type ReportFilter struct {
	Start, End  time.Time // both periods: [previous start, current end)
	MissesStart time.Time // bot misses only of the current period
	Label       string    // conversations that carry it now
	AgentID     string    // bot misses of conversations assigned to them now
}

// ReportData reads the rows of a report.
func (tx *Tx) ReportData(f ReportFilter) (domain.ReportData, error) {
	d := domain.ReportData{}
	scope := func(table string) *gormDB {
		q := tx.DB.Table(table).Where("tenant_id = ?", tx.TenantID)
		if f.Label != "" {
			q = q.Where("conversation_id IN (?)", tx.labelled(f.Label))
		}
		return q
	}
	seen := map[string]bool{}
	for _, column := range []string{"first_visitor_at", "first_response_at"} {
		var rows []domain.ReportConversation
		if err := scope("report_conversations").Where(column+" >= ? AND "+column+" < ?", f.Start, f.End).Find(&rows).Error; err != nil {
			return d, err
		}
		for _, r := range rows {
			if !seen[r.ConversationID] {
				seen[r.ConversationID] = true
				d.Conversations = append(d.Conversations, r)
			}
		}
	}
	if err := scope("report_resolutions").Where("resolved_at >= ? AND resolved_at < ?", f.Start, f.End).Find(&d.Resolutions).Error; err != nil {
		return d, err
	}
	if err := scope("report_ratings").Where("rated_at >= ? AND rated_at < ?", f.Start, f.End).Find(&d.Ratings).Error; err != nil {
		return d, err
	}
	misses := scope("report_misses").Where("asked_at >= ? AND asked_at < ?", f.MissesStart, f.End)
	if f.AgentID != "" {
		misses = misses.Where("conversation_id IN (?)", tx.DB.Table("report_conversations").Select("conversation_id").
			Where("tenant_id = ? AND assignee_id = ?", tx.TenantID, f.AgentID))
	}
	if err := misses.Find(&d.Misses).Error; err != nil {
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

// labelled selects the conversations that carry a label now.
func (tx *Tx) labelled(label string) *gormDB {
	quoted, _ := json.Marshal(label)
	pattern := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(string(quoted)) + "%"
	return tx.DB.Table("report_conversations").Select("conversation_id").
		Where(`tenant_id = ? AND labels LIKE ? ESCAPE '\'`, tx.TenantID, pattern)
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
