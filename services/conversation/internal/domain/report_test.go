package domain

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

func TestPercentileNearestRank(t *testing.T) {
	for _, c := range []struct {
		values      []float64
		median, p90 float64
	}{
		{[]float64{90}, 90, 90},
		{[]float64{10, 20}, 10, 20},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 9},
		{[]float64{30, 10, 20}, 20, 30},
		{[]float64{5, 1, 4, 2, 3, 9, 8, 7, 6, 10, 11}, 6, 10},
	} {
		d := Summarize(c.values)
		if d.Count != len(c.values) || *d.Median != c.median || *d.P90 != c.p90 {
			t.Errorf("%v: count %d median %v p90 %v, want %v %v", c.values, d.Count, *d.Median, *d.P90, c.median, c.p90)
		}
	}
	if d := Summarize(nil); d.Count != 0 || d.Median != nil || d.P90 != nil {
		t.Errorf("empty: %+v", d)
	}
}

func TestBusinessSeconds(t *testing.T) {
	weekdays := map[string][]contracts.TimeRange{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
		weekdays[d] = []contracts.TimeRange{{Open: "09:00", Close: "17:00"}}
	}
	h := contracts.BusinessHours{Enabled: true, Timezone: "Europe/Paris", Weekly: weekdays}
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			panic(err)
		}
		return t
	}
	holiday := h
	holiday.Holidays = []string{"2026-12-07"}
	split := contracts.BusinessHours{Enabled: true, Timezone: "Europe/Paris", Weekly: map[string][]contracts.TimeRange{
		"mon": {{Open: "09:00", Close: "12:00"}, {Open: "14:00", Close: "18:00"}}}}
	night := contracts.BusinessHours{Enabled: true, Timezone: "Europe/Paris", Weekly: map[string][]contracts.TimeRange{
		"sat": {{Open: "22:00", Close: "24:00"}}}}
	for _, c := range []struct {
		name     string
		h        contracts.BusinessHours
		from, to string
		want     float64
	}{
		{"Fri 16:59 to Mon 09:01", h, "2026-12-04 16:59", "2026-12-07 09:01", 120},
		{"inside one range", h, "2026-12-02 10:00", "2026-12-02 10:01:30", 90},
		{"all weekend", h, "2026-12-05 08:00", "2026-12-06 20:00", 0},
		{"a full week", h, "2026-11-30 00:00", "2026-12-07 00:00", 5 * 8 * 3600},
		{"holiday Monday", holiday, "2026-12-04 16:59", "2026-12-08 09:01", 120},
		{"split day", split, "2026-12-07 11:00", "2026-12-07 15:00", 2 * 3600},
		{"until midnight", night, "2026-12-05 23:00", "2026-12-06 01:00", 3600},
		{"off: the wall clock", contracts.BusinessHours{}, "2026-12-04 16:59", "2026-12-07 09:01", (2*24*3600 + 16*3600 + 2*60)},
		{"backwards", h, "2026-12-02 11:00", "2026-12-02 10:00", 0},
	} {
		from, to := at(c.from[:16]), at(c.to[:16])
		if len(c.to) > 16 {
			to = to.Add(30 * time.Second)
		}
		if got := BusinessSeconds(c.h, from, to); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestNormalizeQuestion(t *testing.T) {
	for in, want := range map[string]string{
		"  Where is my ORDER?? ":   "where is my order",
		"where   is\tmy order!?.":  "where is my order",
		"Where is my order ?":      "where is my order",
		"Hours":                    "hours",
		"what about v2.0 pricing?": "what about v2.0 pricing",
	} {
		if got := NormalizeQuestion(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestParsePeriodAndBuckets(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	cur, prev, err := ParsePeriod("2026-10-24", "2026-10-26", paris) // the clocks go back on the 25th
	if err != nil {
		t.Fatal(err)
	}
	if cur.Days != 3 || prev.FromDay != "2026-10-21" || prev.ToDay != "2026-10-23" {
		t.Fatalf("cur %+v prev %+v", cur, prev)
	}
	if got := cur.End.Sub(cur.Start); got != 73*time.Hour {
		t.Errorf("period lasts %v, want 73h", got)
	}
	days := Buckets(cur, contracts.GranularityDay)
	if len(days) != 3 || days[2].In(paris).Format("2006-01-02 15:04") != "2026-10-26 00:00" {
		t.Errorf("days %v", days)
	}
	hours := Buckets(cur, contracts.GranularityHour)
	if len(hours) != 73 {
		t.Errorf("%d hours, want 73", len(hours))
	}
	late := time.Date(2026, 10, 25, 23, 59, 0, 0, paris)
	if i := BucketOf(days, late); i != 1 {
		t.Errorf("bucket of %v: %d, want 1", late, i)
	}
	if i := BucketOf(days, cur.Start); i != 0 {
		t.Errorf("bucket of the start: %d", i)
	}
	for _, c := range []struct{ from, to, field string }{
		{"2026-13-01", "2026-12-01", "from"},
		{"2026-12-01", "tomorrow", "to"},
		{"2026-12-02", "2026-12-01", "to"},
		{"2025-01-01", "2026-01-02", "to"},
	} {
		_, _, err := ParsePeriod(c.from, c.to, paris)
		if e, ok := err.(*apperr.Error); !ok || e.Field != c.field || e.Code != apperr.Invalid {
			t.Errorf("%s…%s: %v, want invalid %s", c.from, c.to, err, c.field)
		}
	}
	if _, _, err := ParsePeriod("2024-01-01", "2024-12-31", time.UTC); err != nil {
		t.Errorf("366 days of a leap year: %v", err)
	}
}

func TestDeriveReport(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	agent, bot := contracts.Author{Type: contracts.AuthorAgent, ID: "a1"}, contracts.Author{Type: contracts.AuthorBot}
	var m MessageFacts
	for _, msg := range []contracts.Message{
		{Author: contracts.Author{Type: contracts.AuthorVisitor}, CreatedAt: at(0)},
		{Author: bot, CreatedAt: at(1)},
		{Author: agent, Private: true, CreatedAt: at(2)},
		{Author: agent, CreatedAt: at(100)},
		{Author: contracts.Author{Type: contracts.AuthorVisitor}, CreatedAt: at(500)},
	} {
		m.Add(msg)
	}
	if m.Add(contracts.Message{Author: agent, CreatedAt: at(200)}) {
		t.Error("a later reply changed the facts")
	}
	acts := []contracts.Activity{ // out of order on purpose
		{Kind: contracts.ActivityResolved, At: at(900), Resolution: 2, By: agent},
		{Kind: contracts.ActivityReachedTeam, At: at(10), By: bot},
		{Kind: contracts.ActivityResolved, At: at(300), Resolution: 1, AssigneeID: "a2", By: agent, Surveyed: true},
		{Kind: contracts.ActivityReopened, At: at(600)},
		{Kind: contracts.ActivityRated, At: at(400), Rating: &contracts.Rating{Score: 4, Resolution: 1, AgentID: "a2"}},
	}
	rows := DeriveReport("c1", "a2", m, acts, contracts.BusinessHours{})
	c := rows.Conversation
	if !c.StartedWithBot || c.Resolutions != 2 || *c.FirstResponse != 90 || c.FirstResponderID != "a1" || !c.LastVisitorAt.Equal(at(500)) {
		t.Errorf("conversation %+v (first response %v)", c, *c.FirstResponse)
	}
	if len(rows.Resolutions) != 2 || *rows.Resolutions[0].Seconds != 300 || rows.Resolutions[0].AgentID != "a2" || !rows.Resolutions[0].Rated ||
		*rows.Resolutions[1].Seconds != 300 || rows.Resolutions[1].AgentID != "a1" || rows.Resolutions[1].Rated {
		t.Errorf("resolutions %+v", rows.Resolutions)
	}
	if len(rows.Ratings) != 1 || rows.Ratings[0].Score != 4 {
		t.Errorf("ratings %+v", rows.Ratings)
	}
}
