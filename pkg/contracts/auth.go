package contracts

// Role is a member's role in a tenant.
type Role string

// Roles, from most to least powerful.
const (
	RoleOwner Role = "owner"
	RoleAdmin Role = "admin"
	RoleAgent Role = "agent"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleAdmin || r == RoleAgent }

// CanAdminister reports whether the role may change tenant settings and the team.
func (r Role) CanAdminister() bool { return r == RoleOwner || r == RoleAdmin }

// Principal is the verified caller of a request, taken by the gateway from a
// token it verified. Services trust it because only Parley's own processes
// may publish on rpc.> (NATS permissions in production).
type Principal struct {
	TenantID  string `json:"tenant_id"`
	UserID    string `json:"user_id"`
	Role      Role   `json:"role"`
	SessionID string `json:"session_id,omitempty"`
	// Name and IP are set by the gateway for the audit log: the member's
	// display name and the client's address (behind trusted proxies).
	Name string `json:"name,omitempty"`
	IP   string `json:"ip,omitempty"`
}
