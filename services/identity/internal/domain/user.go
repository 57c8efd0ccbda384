package domain

import (
	"unicode/utf8"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/validate"
)

// Limits on user input.
const (
	MaxNameLength     = 100
	MinPasswordLength = 10
	MaxPasswordBytes  = 256 // bounds the hashing work a request can cause
)

// CleanName trims a display name and checks it is present, short and printable.
func CleanName(field, s string) (string, error) {
	return validate.Text(field, s, MaxNameLength, false)
}

// CheckPassword enforces the password policy.
func CheckPassword(field, p string) error {
	switch {
	case p == "":
		return apperr.InvalidField(field, "password is required")
	case utf8.RuneCountInString(p) < MinPasswordLength:
		return apperr.InvalidField(field, "password must be at least %d characters", MinPasswordLength)
	case len(p) > MaxPasswordBytes:
		return apperr.InvalidField(field, "password must be at most %d bytes", MaxPasswordBytes)
	}
	return nil
}

// CheckInviteRole says which roles an invite may carry.
func CheckInviteRole(r contracts.Role) error {
	if r != contracts.RoleAdmin && r != contracts.RoleAgent {
		return apperr.InvalidField("role", `role must be "admin" or "agent"`)
	}
	return nil
}
