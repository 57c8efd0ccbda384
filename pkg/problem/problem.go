// Package problem writes errors as RFC 9457 problem+json documents. The
// document's stable "code" comes from apperr; internal errors never leak text.
package problem

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/parley-chat/parley/pkg/apperr"
)

// ContentType is the media type of a problem document.
const ContentType = "application/problem+json"

// Problem is the JSON body of an error response.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	// Field is the offending input field, when there is one.
	Field string `json:"field,omitempty"`
	// RequestID lets support find the log line of an internal error.
	RequestID string `json:"request_id,omitempty"`
}

// From converts any error to a Problem.
func From(err error, requestID string) Problem {
	e := apperr.As(err)
	status := e.Code.HTTPStatus()
	return Problem{
		Type:      "https://parley.chat/problems/" + string(e.Code),
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    e.Message,
		Code:      string(e.Code),
		Field:     e.Field,
		RequestID: requestID,
	}
}

// Write sends err as problem+json, with Retry-After when the error says
// when to try again (a rate limit, an outage the gateway could not ride out).
func Write(w http.ResponseWriter, err error, requestID string) {
	p := From(err, requestID)
	if e := apperr.As(err); e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+999_999_999)/1_000_000_000)))
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
