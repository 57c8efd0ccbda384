package store

import (
	"time"

	"github.com/parley-chat/parley/pkg/db"
)

// Agent is a row of agents.
type Agent struct {
	TenantID       string
	ID             string
	Name           string
	AvatarURL      string
	Removed        bool
	Online         bool
	LastAssignedAt *time.Time
	UpdatedAt      time.Time
}

// Agent loads an agent; found is false if this service has never heard of them.
func (tx *Tx) Agent(id string) (Agent, bool, error) {
	var a Agent
	err := tx.DB.Table("agents").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Take(&a).Error
	if db.IsNotFound(err) {
		return Agent{TenantID: tx.TenantID, ID: id}, false, nil
	}
	return a, err == nil, err
}

// SaveAgent inserts or updates an agent.
func (tx *Tx) SaveAgent(a *Agent, exists bool) error {
	a.TenantID, a.UpdatedAt = tx.TenantID, Now()
	if !exists {
		return tx.DB.Table("agents").Create(a).Error
	}
	return tx.DB.Table("agents").Where("tenant_id = ? AND id = ?", tx.TenantID, a.ID).Select("*").Omit("tenant_id", "id").Updates(a).Error
}

// AgentNames maps agent ids to names.
func (tx *Tx) AgentNames(ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Agent
	err := tx.DB.Table("agents").Where("tenant_id = ? AND id IN ?", tx.TenantID, ids).Find(&rows).Error
	for _, a := range rows {
		out[a.ID] = a.Name
	}
	return out, err
}

// AgentAvatars maps those of ids that have a photo to its URL.
func (tx *Tx) AgentAvatars(ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Agent
	err := tx.DB.Table("agents").Select("id, avatar_url").Where("tenant_id = ? AND id IN ? AND avatar_url <> ''", tx.TenantID, ids).Find(&rows).Error
	for _, a := range rows {
		out[a.ID] = a.AvatarURL
	}
	return out, err
}

// LockOnlineAgents locks the tenant's agent rows (PostgreSQL), so routing
// decisions of concurrent transactions do not overlap, and returns those online.
func (tx *Tx) LockOnlineAgents() ([]Agent, error) {
	var all []Agent
	if err := tx.Locked().Table("agents").Where("tenant_id = ?", tx.TenantID).Order("id").Find(&all).Error; err != nil {
		return nil, err
	}
	var online []Agent
	for _, a := range all {
		if a.Online && !a.Removed {
			online = append(online, a)
		}
	}
	return online, nil
}

// OnlineAgents lists agents online now.
func (tx *Tx) OnlineAgents() ([]Agent, error) {
	var rows []Agent
	err := tx.DB.Table("agents").Where("tenant_id = ? AND online = ? AND removed = ?", tx.TenantID, true, false).Order("name, id").Find(&rows).Error
	return rows, err
}

// SetLastAssigned records when an agent was last given a conversation.
func (tx *Tx) SetLastAssigned(id string, at time.Time) error {
	return tx.DB.Table("agents").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Update("last_assigned_at", at).Error
}

// KeepPresence records that gateway holds a socket of the agent until expires.
func (tx *Tx) KeepPresence(agentID, gatewayID string, expires time.Time) error {
	return tx.DB.Exec(`INSERT INTO presence (tenant_id, agent_id, gateway_id, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, agent_id, gateway_id) DO UPDATE SET expires_at = excluded.expires_at`,
		tx.TenantID, agentID, gatewayID, expires).Error
}

// DropPresence forgets a gateway's sockets of the agent.
func (tx *Tx) DropPresence(agentID, gatewayID string) error {
	return tx.DB.Exec(`DELETE FROM presence WHERE tenant_id = ? AND agent_id = ? AND gateway_id = ?`, tx.TenantID, agentID, gatewayID).Error
}

// PresenceUntil is when the agent's last live presence expires (zero: offline).
func (tx *Tx) PresenceUntil(agentID string, now time.Time) (time.Time, error) {
	var until []time.Time
	err := tx.DB.Table("presence").Where("tenant_id = ? AND agent_id = ? AND expires_at > ?", tx.TenantID, agentID, now).
		Order("expires_at DESC").Limit(1).Pluck("expires_at", &until).Error
	if err != nil || len(until) == 0 {
		return time.Time{}, err
	}
	return until[0], nil
}
