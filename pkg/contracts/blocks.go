package contracts

import "time"

// A blocked visitor: the team keeps an abusive visitor, and the networks
// they started conversations from this month, out of the inbox. Their
// tokens are revoked (IdentityVisitorRevokeAll) when blocked; a blocked
// visitor, or any visitor from those networks, gets no widget session and
// cannot start a conversation (Forbidden) until unblocked.

// BlockedVisitor is one block.
type BlockedVisitor struct {
	VisitorID string `json:"visitor_id"`
	Name      string `json:"name,omitempty"`
	Email     string `json:"email,omitempty"`
	// Networks is how many client IPs (an IPv6 /64 each) the block covers;
	// they are kept hashed, never shown.
	Networks  int       `json:"networks"`
	BlockedBy string    `json:"blocked_by"` // the member's user id
	BlockedAt time.Time `json:"blocked_at"`
}

// BlockedVisitors is the tenant's blocks, newest first.
type BlockedVisitors struct {
	Visitors []BlockedVisitor `json:"visitors"`
}

// Block endpoints, for members. Blocking an unknown visitor is NotFound;
// blocking again adds the networks seen since; unblocking one not blocked
// is NotFound.
var (
	ConversationVisitorBlock    = Endpoint[VisitorDataRequest, BlockedVisitor]{ServiceConversation, "visitor_block"}
	ConversationVisitorUnblock  = Endpoint[VisitorDataRequest, Empty]{ServiceConversation, "visitor_unblock"}
	ConversationBlockedVisitors = Endpoint[ConversationRequest, BlockedVisitors]{ServiceConversation, "blocked_visitors"}
)

// BlockCheckRequest asks whether a visitor, or the client IP they come
// from, is blocked (the gateway asks before it opens a widget session).
type BlockCheckRequest struct {
	TenantID  string `json:"tenant_id"`
	VisitorID string `json:"visitor_id"`
	IP        string `json:"ip,omitempty"`
}

// BlockCheck is the answer.
type BlockCheck struct {
	Blocked bool `json:"blocked"`
}

// ConversationBlockCheck says whether a visitor or their network is blocked.
var ConversationBlockCheck = Endpoint[BlockCheckRequest, BlockCheck]{ServiceConversation, "block_check"}

// Audit actions of blocks.
const (
	AuditVisitorBlocked   = "visitor.blocked"
	AuditVisitorUnblocked = "visitor.unblocked"
)
