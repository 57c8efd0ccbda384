package domain

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

// The report's figures, computed from the read model's rows. Every
// definition is in docs/reports.md, in the words the dashboard shows.

// Report limits and the idle time after which an unanswered conversation is missed.
const (
	MaxReportComments   = 200
	MaxReportUnanswered = 50
	MissedAfter         = 30 * time.Minute
)

// ReportQuery is a checked report request.
type ReportQuery struct {
	Current, Previous Period
	Location          *time.Location
	Granularity       string
	BusinessHours     bool
	AgentID           string // only facts credited to this agent
	Now               time.Time
}

// ReportData are the read model's rows a report needs: conversations new or
// first answered in either period, and the other facts of either period.
// A label filter is applied when they are read.
type ReportData struct {
	Conversations []ReportConversation
	Resolutions   []ReportResolution
	Ratings       []ReportRating
	Misses        []ReportMiss // of the current period
	AgentNames    map[string]string
}

// BuildReport computes every figure of a report.
func BuildReport(q ReportQuery, d ReportData) contracts.Report {
	d = d.creditedTo(q.AgentID)
	r := contracts.Report{
		From: q.Current.FromDay, To: q.Current.ToDay, PreviousFrom: q.Previous.FromDay, PreviousTo: q.Previous.ToDay,
		Timezone: q.Location.String(), Granularity: q.Granularity, BusinessHours: q.BusinessHours,
		Summary: summary(q, q.Current, d), Previous: summary(q, q.Previous, d), GeneratedAt: q.Now,
		CSAT: csat(q.Current, d), Bot: bot(q.Current, d), Agents: agents(q, d),
	}
	starts := Buckets(q.Current, q.Granularity)
	r.Volume = make([]contracts.VolumePoint, len(starts))
	for i, s := range starts {
		r.Volume[i].Start = s.In(q.Location)
	}
	for _, c := range d.newIn(q.Current) {
		r.Volume[BucketOf(starts, *c.FirstVisitorAt)].New++
		local := c.FirstVisitorAt.In(q.Location)
		r.Heatmap[Weekday(local)][local.Hour()]++
	}
	for _, x := range d.Resolutions {
		if q.Current.Contains(x.ResolvedAt) {
			r.Volume[BucketOf(starts, x.ResolvedAt)].Resolved++
		}
	}
	return r
}

// creditedTo keeps the facts credited to one agent (all with ""): new
// conversations by their current assignee, first responses by responder.
func (d ReportData) creditedTo(agentID string) ReportData {
	if agentID == "" {
		return d
	}
	out := ReportData{AgentNames: d.AgentNames, Misses: d.Misses}
	for _, c := range d.Conversations {
		if c.AssigneeID != agentID {
			c.FirstVisitorAt = nil // not new for this agent
		}
		if c.FirstResponderID != agentID {
			c.FirstResponseAt, c.FirstResponse, c.FirstResponseBiz = nil, nil, nil
		}
		out.Conversations = append(out.Conversations, c)
	}
	out.Resolutions = filter(d.Resolutions, func(x ReportResolution) bool { return x.AgentID == agentID })
	out.Ratings = filter(d.Ratings, func(x ReportRating) bool { return x.AgentID == agentID })
	return out
}

func (d ReportData) newIn(p Period) []ReportConversation {
	return filter(d.Conversations, func(c ReportConversation) bool { return c.FirstVisitorAt != nil && p.Contains(*c.FirstVisitorAt) })
}

func summary(q ReportQuery, p Period, d ReportData) contracts.ReportSummary {
	s := contracts.ReportSummary{}
	var frt, res, scores []float64
	for _, c := range d.newIn(p) {
		s.Conversations++
		if missed(c, q.Now) {
			s.Missed++
		}
	}
	for _, c := range d.Conversations {
		if c.FirstResponseAt != nil && p.Contains(*c.FirstResponseAt) {
			frt = appendSeconds(frt, pick(q.BusinessHours, c.FirstResponse, c.FirstResponseBiz))
		}
	}
	for _, x := range d.Resolutions {
		if p.Contains(x.ResolvedAt) {
			s.Resolutions++
			res = appendSeconds(res, pick(q.BusinessHours, x.Seconds, x.BizSeconds))
		}
	}
	for _, x := range d.Ratings {
		if p.Contains(x.RatedAt) {
			scores = append(scores, float64(x.Score))
		}
	}
	s.FirstResponse, s.Resolution = Summarize(frt), Summarize(res)
	s.CSATAverage, s.CSATResponses = mean(scores), len(scores)
	b := bot(p, d)
	s.Containment = b.Containment
	return s
}

// missed: reached the team, no person ever wrote publicly, and either it
// was resolved or the visitor has waited more than MissedAfter.
func missed(c ReportConversation, now time.Time) bool {
	if c.ReachedTeamAt == nil || c.FirstResponseAt != nil {
		return false
	}
	return c.Resolutions > 0 || (c.LastVisitorAt != nil && now.Sub(*c.LastVisitorAt) > MissedAfter)
}

func csat(p Period, d ReportData) contracts.CSATFigures {
	f := contracts.CSATFigures{Comments: []contracts.RatingComment{}}
	var scores []float64
	satisfied := 0
	for _, x := range d.Ratings {
		if !p.Contains(x.RatedAt) {
			continue
		}
		scores = append(scores, float64(x.Score))
		if x.Score >= 1 && x.Score <= 5 {
			f.Distribution[x.Score-1]++
		}
		if x.Score >= 4 {
			satisfied++
		}
		if x.Comment != "" {
			f.Comments = append(f.Comments, contracts.RatingComment{ConversationID: x.ConversationID, Score: x.Score,
				Scale: x.Scale, Comment: x.Comment, AgentID: x.AgentID, RatedAt: x.RatedAt})
		}
	}
	rated := 0
	for _, x := range d.Resolutions {
		if x.Surveyed && p.Contains(x.ResolvedAt) {
			f.Surveyed++
			if x.Rated {
				rated++
			}
		}
	}
	f.Responses = len(scores)
	f.Average = mean(scores)
	f.Satisfied = ratio(satisfied, f.Responses)
	f.ResponseRate = ratio(rated, f.Surveyed)
	slices.SortStableFunc(f.Comments, func(a, b contracts.RatingComment) int { return b.RatedAt.Compare(a.RatedAt) })
	if len(f.Comments) > MaxReportComments {
		f.Comments = f.Comments[:MaxReportComments]
	}
	return f
}

func bot(p Period, d ReportData) contracts.BotFigures {
	f := contracts.BotFigures{Unanswered: []contracts.UnansweredQuestion{}}
	for _, c := range d.newIn(p) {
		if !c.StartedWithBot {
			continue
		}
		f.Conversations++
		if c.ReachedTeamAt != nil {
			f.HandedOff++
		} else if c.Resolutions > 0 && c.FirstResponseAt == nil {
			f.Contained++
		}
	}
	f.Containment = ratio(f.Contained, f.Conversations)
	f.HandoffRate = ratio(f.HandedOff, f.Conversations)
	byQuestion := map[string]*contracts.UnansweredQuestion{}
	for _, m := range d.Misses {
		if !p.Contains(m.AskedAt) {
			continue
		}
		key := NormalizeQuestion(m.Question)
		u, ok := byQuestion[key]
		if !ok {
			u = &contracts.UnansweredQuestion{}
			byQuestion[key] = u
		}
		u.Count++
		if !m.AskedAt.Before(u.LastAskedAt) {
			u.Question, u.LastAskedAt = m.Question, m.AskedAt
		}
	}
	for _, u := range byQuestion {
		f.Unanswered = append(f.Unanswered, *u)
	}
	slices.SortFunc(f.Unanswered, func(a, b contracts.UnansweredQuestion) int {
		return cmp.Or(b.Count-a.Count, b.LastAskedAt.Compare(a.LastAskedAt), strings.Compare(a.Question, b.Question))
	})
	if len(f.Unanswered) > MaxReportUnanswered {
		f.Unanswered = f.Unanswered[:MaxReportUnanswered]
	}
	return f
}

func agents(q ReportQuery, d ReportData) []contracts.AgentFigures {
	type acc struct {
		handled      int
		frt, res, cs []float64
	}
	by := map[string]*acc{}
	get := func(id string) *acc {
		if by[id] == nil {
			by[id] = &acc{}
		}
		return by[id]
	}
	p := q.Current
	for _, c := range d.Conversations {
		if c.FirstResponderID != "" && c.FirstResponseAt != nil && p.Contains(*c.FirstResponseAt) {
			a := get(c.FirstResponderID)
			a.frt = appendSeconds(a.frt, pick(q.BusinessHours, c.FirstResponse, c.FirstResponseBiz))
		}
	}
	for _, x := range d.Resolutions {
		if x.AgentID != "" && p.Contains(x.ResolvedAt) {
			a := get(x.AgentID)
			a.handled++
			a.res = appendSeconds(a.res, pick(q.BusinessHours, x.Seconds, x.BizSeconds))
		}
	}
	for _, x := range d.Ratings {
		if x.AgentID != "" && p.Contains(x.RatedAt) {
			a := get(x.AgentID)
			a.cs = append(a.cs, float64(x.Score))
		}
	}
	out := []contracts.AgentFigures{}
	for id, a := range by {
		out = append(out, contracts.AgentFigures{AgentID: id, Name: d.AgentNames[id], Handled: a.handled,
			FirstResponse: Summarize(a.frt), Resolution: Summarize(a.res), CSATAverage: mean(a.cs), CSATResponses: len(a.cs)})
	}
	slices.SortFunc(out, func(a, b contracts.AgentFigures) int {
		return cmp.Or(b.Handled-a.Handled, strings.Compare(a.Name, b.Name), strings.Compare(a.AgentID, b.AgentID))
	})
	return out
}

// Percentile is the nearest-rank percentile p (0 < p ≤ 100) of ascending
// values: the value at rank ⌈p/100 × n⌉, counting from 1.
func Percentile(sorted []float64, p float64) float64 {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// Summarize is the count, median and 90th percentile of durations.
func Summarize(seconds []float64) contracts.Durations {
	if len(seconds) == 0 {
		return contracts.Durations{}
	}
	s := slices.Clone(seconds)
	slices.Sort(s)
	median, p90 := Percentile(s, 50), Percentile(s, 90)
	return contracts.Durations{Count: len(s), Median: &median, P90: &p90}
}

var spaces = regexp.MustCompile(`\s+`)

// NormalizeQuestion is the key unanswered questions are grouped by: lower
// case, trimmed, inner spaces collapsed, trailing ? ! and . removed.
func NormalizeQuestion(q string) string {
	q = spaces.ReplaceAllString(strings.ToLower(strings.TrimSpace(q)), " ")
	return strings.TrimSpace(strings.TrimRight(q, "?!."))
}

func pick(business bool, wall, biz *float64) *float64 {
	if business {
		return biz
	}
	return wall
}

func appendSeconds(s []float64, v *float64) []float64 {
	if v == nil {
		return s
	}
	return append(s, *v)
}

func mean(v []float64) *float64 {
	if len(v) == 0 {
		return nil
	}
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	m := sum / float64(len(v))
	return &m
}

func ratio(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	r := float64(n) / float64(of)
	return &r
}

func filter[T any](in []T, keep func(T) bool) []T {
	var out []T
	for _, x := range in {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}
