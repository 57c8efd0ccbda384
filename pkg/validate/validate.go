// Package validate checks user-supplied text the same way in every service,
// with errors that name the offending field.
package validate

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-chat/parley/pkg/apperr"
)

// Text trims s and checks that it is present, at most max characters long
// and free of control characters (other than the newlines and tabs multiline
// allows).
func Text(field, s string, max int, multiline bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", apperr.InvalidField(field, "%s is required", field)
	case !utf8.ValidString(s):
		return "", apperr.InvalidField(field, "%s is not valid UTF-8", field)
	case utf8.RuneCountInString(s) > max:
		return "", apperr.InvalidField(field, "%s must be at most %d characters", field, max)
	}
	bad := func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r'))
	}
	if strings.IndexFunc(s, bad) >= 0 {
		return "", apperr.InvalidField(field, "%s must not contain control characters", field)
	}
	return s, nil
}

// MaxEmailLength is the longest address accepted (RFC 5321's path limit).
const MaxEmailLength = 254

// Email checks an address and returns its canonical (trimmed, lower-case)
// form: one plain addr-spec with a dot in its domain, no display name.
func Email(field, s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return "", apperr.InvalidField(field, "email is required")
	case len(s) > MaxEmailLength:
		return "", apperr.InvalidField(field, "email must be at most %d characters", MaxEmailLength)
	}
	a, err := mail.ParseAddress(s)
	at := strings.LastIndexByte(s, '@')
	if err != nil || a.Address != s || at < 1 || !strings.Contains(s[at+1:], ".") {
		return "", apperr.InvalidField(field, "email is not a valid address")
	}
	return s, nil
}
