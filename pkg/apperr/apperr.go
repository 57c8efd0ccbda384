// Package apperr defines the typed errors that cross every boundary in Parley:
// between layers of a service, over NATS between services, and out to HTTP
// clients as problem+json. A caller branches on the Code, never on the text.
//
// Any error that is not an *Error is an internal error: its text is logged by
// the side that produced it and never shown to a client.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Code is a stable, machine-readable error kind.
type Code string

// The codes Parley uses. Each maps to exactly one HTTP status.
const (
	Invalid          Code = "invalid"            // 400: bad input; Field names it
	Unauthenticated  Code = "unauthenticated"    // 401
	PaymentRequired  Code = "payment_required"   // 402: the plan lacks it
	Forbidden        Code = "forbidden"          // 403
	NotFound         Code = "not_found"          // 404; also for other tenants' objects
	MethodNotAllowed Code = "method_not_allowed" // 405
	Conflict         Code = "conflict"           // 409
	Gone             Code = "gone"               // 410: a link that expired
	TooLarge         Code = "too_large"          // 413
	UnsupportedMedia Code = "unsupported_media"  // 415
	RateLimited      Code = "rate_limited"       // 429; RetryAfter says when
	Internal         Code = "internal"           // 500
	Unavailable      Code = "unavailable"        // 503: a dependency did not answer
)

var statuses = map[Code]int{
	Invalid:          http.StatusBadRequest,
	Unauthenticated:  http.StatusUnauthorized,
	PaymentRequired:  http.StatusPaymentRequired,
	Forbidden:        http.StatusForbidden,
	NotFound:         http.StatusNotFound,
	MethodNotAllowed: http.StatusMethodNotAllowed,
	Conflict:         http.StatusConflict,
	Gone:             http.StatusGone,
	TooLarge:         http.StatusRequestEntityTooLarge,
	UnsupportedMedia: http.StatusUnsupportedMediaType,
	RateLimited:      http.StatusTooManyRequests,
	Internal:         http.StatusInternalServerError,
	Unavailable:      http.StatusServiceUnavailable,
}

// HTTPStatus is the status a code is served with; unknown codes are 500.
func (c Code) HTTPStatus() int {
	if s, ok := statuses[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error is an error a client may see.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Field names the offending input field (JSON name) for Invalid and TooLarge.
	Field string `json:"field,omitempty"`
	// RetryAfter is set for RateLimited, and for Unavailable when a retry
	// is worth it (the HTTP answer's Retry-After).
	RetryAfter time.Duration `json:"retry_after,omitempty"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// New returns an error with a code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField reports bad input in one named field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf reports a missing object; also used for objects of another tenant.
func NotFoundf(format string, args ...any) *Error { return New(NotFound, format, args...) }

// RateLimitedFor reports a rate limit that lifts after d.
func RateLimitedFor(d time.Duration) *Error {
	if d < time.Second {
		d = time.Second
	}
	return &Error{Code: RateLimited, Message: "too many attempts, try again later", RetryAfter: d}
}

// As extracts an *Error; any other error becomes an Internal error that hides its text.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error"}
}

// CodeOf returns the code of err (Internal for foreign errors, "" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
