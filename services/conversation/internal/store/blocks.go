package store

import "time"

// VisitorBlock is a row of visitor_blocks: the visitor (IPHash "") or one
// of their networks.
type VisitorBlock struct {
	TenantID  string
	VisitorID string
	IPHash    string `gorm:"column:ip_hash"`
	BlockedBy string
	BlockedAt time.Time
}

// VisitorIPHashes are the networks a visitor started conversations from
// (as long as conversation_starts keeps them).
func (tx *Tx) VisitorIPHashes(visitorID string) ([]string, error) {
	var out []string
	err := tx.DB.Table("conversation_starts").Where("tenant_id = ? AND visitor_id = ?", tx.TenantID, visitorID).
		Distinct("ip_hash").Order("ip_hash").Pluck("ip_hash", &out).Error
	return out, err
}

// Block blocks a visitor and the networks ipHashes; rows already there stay.
func (tx *Tx) Block(visitorID string, ipHashes []string, by string, at time.Time) error {
	for _, h := range append([]string{""}, ipHashes...) {
		err := tx.DB.Exec(`INSERT INTO visitor_blocks (tenant_id, visitor_id, ip_hash, blocked_by, blocked_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, visitor_id, ip_hash) DO NOTHING`, tx.TenantID, visitorID, h, by, at.UTC()).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// Unblock lifts a visitor's block; false if there was none.
func (tx *Tx) Unblock(visitorID string) (bool, error) {
	res := tx.DB.Exec(`DELETE FROM visitor_blocks WHERE tenant_id = ? AND visitor_id = ?`, tx.TenantID, visitorID)
	return res.RowsAffected > 0, res.Error
}

// Blocked says whether the visitor, or the network ipHash (if not ""), is blocked.
func (tx *Tx) Blocked(visitorID, ipHash string) (bool, error) {
	var n int64
	q := tx.DB.Table("visitor_blocks").Where("tenant_id = ? AND visitor_id = ? AND ip_hash = ''", tx.TenantID, visitorID)
	if ipHash != "" {
		q = tx.DB.Table("visitor_blocks").Where("tenant_id = ? AND ((visitor_id = ? AND ip_hash = '') OR ip_hash = ?)", tx.TenantID, visitorID, ipHash)
	}
	err := q.Limit(1).Count(&n).Error
	return n > 0, err
}

// BlockedVisitorRow is a block as listed: the visitor's row, and how many
// networks it covers.
type BlockedVisitorRow struct {
	VisitorBlock
	Networks int
}

// BlockedVisitors lists the tenant's blocked visitors, newest first, at most limit.
func (tx *Tx) BlockedVisitors(limit int) ([]BlockedVisitorRow, error) {
	var blocks []VisitorBlock
	if err := tx.DB.Table("visitor_blocks").Where("tenant_id = ? AND ip_hash = ''", tx.TenantID).
		Order("blocked_at DESC, visitor_id").Limit(limit).Find(&blocks).Error; err != nil || len(blocks) == 0 {
		return nil, err
	}
	ids := make([]string, len(blocks))
	for i, b := range blocks {
		ids[i] = b.VisitorID
	}
	var counts []struct {
		VisitorID string
		N         int
	}
	if err := tx.DB.Table("visitor_blocks").Select("visitor_id, COUNT(*) AS n").
		Where("tenant_id = ? AND visitor_id IN ? AND ip_hash <> ''", tx.TenantID, ids).Group("visitor_id").Scan(&counts).Error; err != nil {
		return nil, err
	}
	networks := map[string]int{}
	for _, c := range counts {
		networks[c.VisitorID] = c.N
	}
	out := make([]BlockedVisitorRow, len(blocks))
	for i, b := range blocks {
		out[i] = BlockedVisitorRow{VisitorBlock: b, Networks: networks[b.VisitorID]}
	}
	return out, nil
}
