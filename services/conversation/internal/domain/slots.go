package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

// Interval is a booked span.
type Interval struct{ Start, End time.Time }

// MinLead is how soon a slot may start: a visitor cannot book the next minute.
const MinLead = 30 * time.Minute

// FreeSlots lists up to n start times for a service, from now on: inside the
// weekly availability (in its timezone), within the horizon, a buffer away
// from every booking. Slots start at each opening and follow each other
// every duration + buffer.
func FreeSlots(cfg contracts.AppointmentsConfig, service contracts.AppointmentService, booked []Interval, now time.Time, n int) []time.Time {
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		loc = time.UTC
	}
	dur := time.Duration(service.DurationMinutes) * time.Minute
	buf := time.Duration(cfg.BufferMinutes) * time.Minute
	earliest := now.Add(MinLead)
	horizon := now.Add(time.Duration(cfg.HorizonDays) * 24 * time.Hour)
	local := now.In(loc)
	var out []time.Time
	for d := 0; d <= cfg.HorizonDays && len(out) < n; d++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+d, 0, 0, 0, 0, loc)
		for _, r := range cfg.Weekly[contracts.Weekdays[(int(day.Weekday())+6)%7]] {
			open, ok1 := at(day, r.Open)
			closeAt, ok2 := at(day, r.Close)
			if !ok1 || !ok2 {
				continue
			}
			for s := open; !s.Add(dur).After(closeAt) && len(out) < n; s = s.Add(dur + buf) {
				if s.Before(earliest) || s.After(horizon) || clashes(s, s.Add(dur), buf, booked) {
					continue
				}
				out = append(out, s.UTC())
			}
		}
	}
	return out
}

func at(day time.Time, hhmm string) (time.Time, bool) {
	if hhmm == "24:00" {
		return day.AddDate(0, 0, 1), true
	}
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, day.Location()), true
}

func clashes(start, end time.Time, buf time.Duration, booked []Interval) bool {
	return slices.ContainsFunc(booked, func(b Interval) bool {
		return start.Before(b.End.Add(buf)) && end.Add(buf).After(b.Start)
	})
}

// SlotValid says whether start is a slot FreeSlots could offer (ignoring
// bookings, which the store checks under a lock).
func SlotValid(cfg contracts.AppointmentsConfig, service contracts.AppointmentService, start, now time.Time) bool {
	for _, s := range FreeSlots(cfg, service, nil, now, 10000) {
		if s.Equal(start) {
			return true
		}
		if s.After(start) {
			return false
		}
	}
	return false
}

// ICS renders a booking as an iCalendar (RFC 5545) document. A canceled
// booking becomes a cancellation, which calendars apply to the event they
// imported before (same UID).
func ICS(b contracts.Booking, organizer string, now time.Time) string {
	const stamp = "20060102T150405Z"
	method, status, sequence := "PUBLISH", "CONFIRMED", "0"
	if b.Status == "canceled" {
		method, status, sequence = "CANCEL", "CANCELLED", "1"
	}
	esc := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", "")
	lines := []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Parley//Appointments//EN", "METHOD:" + method,
		"BEGIN:VEVENT",
		"UID:" + b.ID + "@parley",
		"SEQUENCE:" + sequence,
		"DTSTAMP:" + now.UTC().Format(stamp),
		"DTSTART:" + b.StartAt.UTC().Format(stamp),
		"DTEND:" + b.EndAt.UTC().Format(stamp),
		"SUMMARY:" + esc.Replace(fmt.Sprintf("%s with %s", b.ServiceName, organizer)),
		"DESCRIPTION:" + esc.Replace(fmt.Sprintf("Booked by %s <%s>.", b.Name, b.Email)),
		"STATUS:" + status,
		"END:VEVENT", "END:VCALENDAR",
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}
