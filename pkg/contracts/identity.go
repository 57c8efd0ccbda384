package contracts

import "time"

// User is a member of a tenant as other services and clients see it.
type User struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	Locale    string    `json:"locale,omitempty"`     // the language of their emails
	AvatarURL string    `json:"avatar_url,omitempty"` // their photo (AvatarPath), when set
}

// Tokens is a fresh access/refresh token pair.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"` // seconds until the access token expires
	TokenType    string `json:"token_type"`
}

// SignupRequest creates a tenant, its owner and its billing account.
type SignupRequest struct {
	BusinessName string `json:"business_name"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Password     string `json:"password"`
	ClientIP     string `json:"client_ip,omitempty"`
	Locale       string `json:"locale,omitempty"` // the dashboard's language or Accept-Language
}

// SignupResult is what a new tenant's owner gets back.
type SignupResult struct {
	Tenant TenantInfo `json:"tenant"`
	User   User       `json:"user"`
	Tokens
}

// LoginRequest checks a password. ClientIP feeds the brute-force limiter.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	ClientIP string `json:"client_ip,omitempty"`
	// DeviceToken is the device cookie of a browser that signed in before:
	// a trusted device has its own failure allowance. NewDeviceToken is the
	// one the gateway will set on success; identity remembers it then.
	DeviceToken    string `json:"device_token,omitempty"`
	NewDeviceToken string `json:"new_device_token,omitempty"`
}

// AuthResult is a user with a new token pair.
type AuthResult struct {
	User User `json:"user"`
	Tokens
}

// RefreshRequest rotates a refresh token.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// PrincipalRequest is a request whose only input is the caller.
type PrincipalRequest struct {
	Principal Principal `json:"principal"`
}

// Empty is the response of a request that returns nothing.
type Empty struct{}

// JWK is one public key of the JSON Web Key Set (RFC 8037 OKP/Ed25519).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// JWKS is the set of keys that verify Parley's tokens.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// Invite is a pending invitation to join a tenant.
type Invite struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
	// Token and URL are returned once, when the invite is created.
	Token string `json:"token,omitempty"`
	URL   string `json:"url,omitempty"`
}

// InviteCreateRequest invites an email address with a role.
type InviteCreateRequest struct {
	Principal Principal `json:"principal"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
}

// InviteList is the tenant's pending invites.
type InviteList struct {
	Invites []Invite `json:"invites"`
}

// InviteAcceptRequest turns an invite into a member.
type InviteAcceptRequest struct {
	Token    string `json:"token"`
	Name     string `json:"name"`
	Password string `json:"password"`
	ClientIP string `json:"client_ip,omitempty"`
	Locale   string `json:"locale,omitempty"` // the dashboard's language or Accept-Language
}

// IDRequest addresses one object of the caller's tenant.
type IDRequest struct {
	Principal Principal `json:"principal"`
	ID        string    `json:"id"`
}

// MemberList is the tenant's team.
type MemberList struct {
	Members []User `json:"members"`
}

// MemberUpdateRequest changes a member's role.
type MemberUpdateRequest struct {
	Principal Principal `json:"principal"`
	ID        string    `json:"id"`
	Role      Role      `json:"role"`
}

// Identity endpoints.
var (
	IdentitySignup       = Endpoint[SignupRequest, SignupResult]{ServiceIdentity, "signup"}
	IdentityLogin        = Endpoint[LoginRequest, AuthResult]{ServiceIdentity, "login"}
	IdentityRefresh      = Endpoint[RefreshRequest, AuthResult]{ServiceIdentity, "refresh"}
	IdentityLogout       = Endpoint[PrincipalRequest, Empty]{ServiceIdentity, "logout"}
	IdentityMe           = Endpoint[PrincipalRequest, User]{ServiceIdentity, "me"}
	IdentityJWKS         = Endpoint[Empty, JWKS]{ServiceIdentity, "jwks"}
	IdentityInviteCreate = Endpoint[InviteCreateRequest, Invite]{ServiceIdentity, "invite_create"}
	IdentityInviteList   = Endpoint[PrincipalRequest, InviteList]{ServiceIdentity, "invite_list"}
	IdentityInviteRevoke = Endpoint[IDRequest, Empty]{ServiceIdentity, "invite_revoke"}
	IdentityInviteAccept = Endpoint[InviteAcceptRequest, AuthResult]{ServiceIdentity, "invite_accept"}
	IdentityMemberList   = Endpoint[PrincipalRequest, MemberList]{ServiceIdentity, "member_list"}
	IdentityMemberUpdate = Endpoint[MemberUpdateRequest, User]{ServiceIdentity, "member_update"}
	IdentityMemberDelete = Endpoint[IDRequest, Empty]{ServiceIdentity, "member_delete"}
)

// AccessRevoked says that access tokens must no longer be accepted: those of
// one session (logout, refresh-token reuse) or, with no SessionID, every
// token of the user (removal from the team). Gateways keep these in memory
// for the lifetime of an access token. (A role change is not a revocation:
// gateways apply the new role from MemberChanged to tokens already issued.)
type AccessRevoked struct {
	UserID    string `json:"user_id"`
	SessionID string `json:"session_id,omitempty"`
}

// SignupCompleted says a tenant's owner exists, so the tenant is real.
type SignupCompleted struct {
	UserID string `json:"user_id"`
}

// MemberChanged says a member joined, changed role or left.
type MemberChanged struct {
	User    User `json:"user"`
	Removed bool `json:"removed,omitempty"`
}

// Identity events.
var (
	IdentityAccessRevoked   = EventType{ServiceIdentity, "access", "revoked", 1}
	IdentitySignupCompleted = EventType{ServiceIdentity, "signup", "completed", 1}
	IdentityMemberChanged   = EventType{ServiceIdentity, "member", "changed", 1}
)

// VisitorIdentity is what a tenant's own website says of its logged-in user:
// its id (and name, email), vouched for by UserHash = hex(HMAC-SHA256(secret, ID)).
type VisitorIdentity struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	UserHash string `json:"user_hash,omitempty"`
}

// VisitorSessionRequest starts or resumes a visitor's session. Nothing is
// stored: the answer is a signed token.
type VisitorSessionRequest struct {
	TenantID        string           `json:"tenant_id"`
	VisitorToken    string           `json:"visitor_token,omitempty"`
	Identity        *VisitorIdentity `json:"identity,omitempty"`
	RequireVerified bool             `json:"require_verified,omitempty"`
}

// VisitorSession is a visitor's (new or renewed) token and who it stands for.
type VisitorSession struct {
	VisitorToken string    `json:"visitor_token"`
	ExpiresAt    time.Time `json:"expires_at"`
	Actor        Actor     `json:"actor"`
}

// IdentityVisitorSession issues visitor tokens.
var IdentityVisitorSession = Endpoint[VisitorSessionRequest, VisitorSession]{ServiceIdentity, "visitor_session"}

// ProfileUpdateRequest changes the caller's own profile.
type ProfileUpdateRequest struct {
	Principal Principal `json:"principal"`
	Name      *string   `json:"name,omitempty"`
	Locale    *string   `json:"locale,omitempty"`
}

// PasswordChangeRequest changes the caller's password; every other session
// of theirs ends.
type PasswordChangeRequest struct {
	Principal       Principal `json:"principal"`
	CurrentPassword string    `json:"current_password"`
	NewPassword     string    `json:"new_password"`
}

// Profile endpoints.
var (
	IdentityProfileUpdate  = Endpoint[ProfileUpdateRequest, User]{ServiceIdentity, "profile_update"}
	IdentityPasswordChange = Endpoint[PasswordChangeRequest, Empty]{ServiceIdentity, "password_change"}
)
