package domain

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Statuses a conversation can have.
var Statuses = []string{contracts.StatusOpen, contracts.StatusPending, contracts.StatusSnoozed, contracts.StatusResolved}

// Priorities a conversation can have.
var Priorities = []string{"none", "low", "medium", "high", "urgent"}

// MaxSnooze is how far ahead a conversation can be snoozed.
const MaxSnooze = 365 * 24 * time.Hour

// CheckStatus validates a status change; snoozing needs a time in the future.
func CheckStatus(status string, snoozeUntil *time.Time, now time.Time) error {
	if !slices.Contains(Statuses, status) {
		return apperr.InvalidField("status", "status must be open, pending, snoozed or resolved")
	}
	if status == contracts.StatusSnoozed {
		if snoozeUntil == nil {
			return apperr.InvalidField("snooze_until", "snooze_until is required to snooze")
		}
		if !snoozeUntil.After(now) || snoozeUntil.Sub(now) > MaxSnooze {
			return apperr.InvalidField("snooze_until", "snooze_until must be in the future and within a year")
		}
	} else if snoozeUntil != nil {
		return apperr.InvalidField("snooze_until", "snooze_until only goes with status snoozed")
	}
	return nil
}

// CheckPriority validates a priority.
func CheckPriority(p string) error {
	if !slices.Contains(Priorities, p) {
		return apperr.InvalidField("priority", "priority must be none, low, medium, high or urgent")
	}
	return nil
}

var label = regexp.MustCompile(`^[a-z0-9][a-z0-9 _-]{0,31}$`)

// CleanLabels lower-cases, de-duplicates and validates labels.
func CleanLabels(in []string) ([]string, error) {
	if len(in) > 20 {
		return nil, apperr.InvalidField("labels", "at most 20 labels")
	}
	out := []string{}
	for _, l := range in {
		l = strings.ToLower(strings.TrimSpace(l))
		if !label.MatchString(l) {
			return nil, apperr.InvalidField("labels", "%q is not a label: 1–32 letters, digits, spaces, - or _", l)
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out, nil
}

// CanAssign says whether actor may set a conversation's assignee from current
// to next ("" = unassigned). Agents claim unassigned conversations for
// themselves and give back their own; owners and admins may assign anyone.
func CanAssign(actor contracts.Actor, current, next string) error {
	if actor.Role.CanAdminister() || current == next {
		return nil
	}
	if current == "" && next == actor.ID {
		return nil
	}
	if current == actor.ID && next == "" {
		return nil
	}
	return apperr.New(apperr.Forbidden, "agents can claim unassigned conversations or give back their own; ask an admin to reassign")
}

// ReopensOnVisitorMessage says whether a visitor's message reopens a
// conversation in this status (snoozed, pending and resolved all do).
func ReopensOnVisitorMessage(status string) bool { return status != contracts.StatusOpen }
