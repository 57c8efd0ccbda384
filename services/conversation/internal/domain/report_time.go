package domain

import (
	"slices"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// MaxReportDays and MaxHourlyDays bound a report's period (docs/reports.md).
const (
	MaxReportDays = 366
	MaxHourlyDays = 31
)

// ReportLocation is the tenant's time zone: its business hours' zone, UTC
// when unset or unknown.
func ReportLocation(h contracts.BusinessHours) *time.Location {
	if h.Timezone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(h.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Period is [Start, End) in absolute time: whole local days FromDay…ToDay.
type Period struct {
	FromDay, ToDay string // YYYY-MM-DD
	Start, End     time.Time
	Days           int
}

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.Start) && t.Before(p.End) }

// ParsePeriod checks a report's days and returns the period and the one of
// the same number of days just before it.
func ParsePeriod(from, to string, loc *time.Location) (cur, prev Period, err error) {
	f, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		return cur, prev, apperr.InvalidField("from", "from must be a date, YYYY-MM-DD")
	}
	t, err := time.ParseInLocation(time.DateOnly, to, loc)
	if err != nil {
		return cur, prev, apperr.InvalidField("to", "to must be a date, YYYY-MM-DD")
	}
	if t.Before(f) {
		return cur, prev, apperr.InvalidField("to", "to must not be before from")
	}
	days := calendarDays(f, t) + 1
	if days > MaxReportDays {
		return cur, prev, apperr.InvalidField("to", "a report covers at most %d days", MaxReportDays)
	}
	cur = dayPeriod(f, days)
	prev = dayPeriod(f.AddDate(0, 0, -days), days)
	return cur, prev, nil
}

func dayPeriod(start time.Time, days int) Period {
	last := start.AddDate(0, 0, days-1)
	return Period{FromDay: start.Format(time.DateOnly), ToDay: last.Format(time.DateOnly),
		Start: start, End: start.AddDate(0, 0, days), Days: days}
}

// calendarDays counts local days from a to b (both local midnights), immune
// to days of 23 or 25 hours.
func calendarDays(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

// Buckets are the starts of the period's local days or hours, in order.
func Buckets(p Period, granularity string) []time.Time {
	var out []time.Time
	if granularity == contracts.GranularityHour {
		for t := p.Start; t.Before(p.End); t = t.Add(time.Hour) {
			out = append(out, t)
		}
		return out
	}
	for i := range p.Days {
		out = append(out, p.Start.AddDate(0, 0, i))
	}
	return out
}

// BucketOf is the index of the bucket t falls in (t inside the period).
func BucketOf(starts []time.Time, t time.Time) int {
	i, found := slices.BinarySearchFunc(starts, t, func(s, t time.Time) int { return s.Compare(t) })
	if found {
		return i
	}
	return i - 1
}

// Weekday is t's local weekday, Monday 0 … Sunday 6.
func Weekday(t time.Time) int { return (int(t.Weekday()) + 6) % 7 }

// BusinessSeconds counts the seconds of [from, to) that fall inside the
// business hours: the weekly ranges of each local day, holidays closed.
// Business hours that are off count every second (the wall clock).
func BusinessSeconds(h contracts.BusinessHours, from, to time.Time) float64 {
	if !to.After(from) {
		return 0
	}
	if !h.Enabled {
		return to.Sub(from).Seconds()
	}
	loc := ReportLocation(h)
	lf := from.In(loc)
	day := time.Date(lf.Year(), lf.Month(), lf.Day(), 0, 0, 0, 0, loc)
	var total time.Duration
	for ; day.Before(to); day = day.AddDate(0, 0, 1) {
		if slices.Contains(h.Holidays, day.Format(time.DateOnly)) {
			continue
		}
		for _, r := range h.Weekly[contracts.Weekdays[Weekday(day)]] {
			open, ok1 := atClock(day, r.Open)
			shut, ok2 := atClock(day, r.Close)
			if !ok1 || !ok2 {
				continue
			}
			start, end := later(open, from), earlier(shut, to)
			if end.After(start) {
				total += end.Sub(start)
			}
		}
	}
	return total.Seconds()
}

// atClock is hh:mm on day's date; "24:00" is the next midnight.
func atClock(day time.Time, hhmm string) (time.Time, bool) {
	if hhmm == "24:00" {
		return day.AddDate(0, 0, 1), true
	}
	c, err := time.Parse("15:04", hhmm)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(day.Year(), day.Month(), day.Day(), c.Hour(), c.Minute(), 0, 0, day.Location()), true
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
