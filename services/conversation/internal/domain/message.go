package domain

import (
	"strings"
	"unicode/utf8"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// MaxClientMsgIDLength bounds client message ids.
const MaxClientMsgIDLength = 64

// CheckBody validates a message body: plain text, not blank, at most
// contracts.MaxBodyLength characters (413 beyond). It is stored as given.
func CheckBody(body string) error {
	switch {
	case !utf8.ValidString(body):
		return apperr.InvalidField("body", "body must be valid UTF-8")
	case strings.TrimSpace(body) == "":
		return apperr.InvalidField("body", "body must not be empty")
	case utf8.RuneCountInString(body) > contracts.MaxBodyLength:
		return &apperr.Error{Code: apperr.TooLarge, Field: "body", Message: "body must be at most 10000 characters"}
	}
	return nil
}

// CheckClientMsgID validates the idempotency key of a message.
func CheckClientMsgID(id string) error {
	if id == "" {
		return apperr.InvalidField("client_msg_id", "client_msg_id is required (a unique id per message, reused on retries)")
	}
	if len(id) > MaxClientMsgIDLength {
		return apperr.InvalidField("client_msg_id", "client_msg_id must be at most %d characters", MaxClientMsgIDLength)
	}
	for _, r := range id {
		if r < 0x21 || r > 0x7e {
			return apperr.InvalidField("client_msg_id", "client_msg_id must be printable ASCII without spaces")
		}
	}
	return nil
}

// Preview is the first 140 characters of a body, on one line.
func Preview(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(body) <= 140 {
		return body
	}
	r := []rune(body)
	return string(r[:139]) + "…"
}
