package contracts

import "time"

// Account recovery and profile changes by email. The events these requests
// publish are in email.go.

// InviteLookupRequest reads an open invite by its token (the accept page).
type InviteLookupRequest struct {
	Token string `json:"token"`
}

// InviteLookup is what the accept page shows of an open invite.
type InviteLookup struct {
	TenantName  string    `json:"tenant_name"`
	InviterName string    `json:"inviter_name"`
	Email       string    `json:"email"`
	Role        Role      `json:"role"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// PasswordForgotRequest asks for a reset link. The answer is the same
// whether or not the email belongs to anyone.
type PasswordForgotRequest struct {
	Email    string `json:"email"`
	ClientIP string `json:"client_ip,omitempty"`
}

// PasswordResetRequest sets a new password with a reset link's token.
type PasswordResetRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// EmailChangeRequest asks to move the caller to a new address; the caller's
// password confirms it is them.
type EmailChangeRequest struct {
	Principal Principal `json:"principal"`
	Email     string    `json:"email"`
	Password  string    `json:"password"`
}

// EmailConfirmRequest confirms a new address with its link's token.
type EmailConfirmRequest struct {
	Token string `json:"token"`
}

// Account endpoints.
var (
	IdentityInviteLookup   = Endpoint[InviteLookupRequest, InviteLookup]{ServiceIdentity, "invite_lookup"}
	IdentityPasswordForgot = Endpoint[PasswordForgotRequest, Empty]{ServiceIdentity, "password_forgot"}
	IdentityPasswordReset  = Endpoint[PasswordResetRequest, Empty]{ServiceIdentity, "password_reset"}
	IdentityEmailChange    = Endpoint[EmailChangeRequest, Empty]{ServiceIdentity, "email_change"}
	IdentityEmailConfirm   = Endpoint[EmailConfirmRequest, User]{ServiceIdentity, "email_confirm"}
)
