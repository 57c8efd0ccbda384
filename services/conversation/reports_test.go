package conversation_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
)

// reportDesk is one tenant seen by the reports: an admin (Grace) and an
// agent (Alan), both in the agents table, and the test clock.
type reportDesk struct {
	e            *env
	tenant       string
	grace, alan  contracts.Actor
	paris        *time.Location
	lastVisitors map[string]contracts.Actor
}

func newDesk(t *testing.T, e *env) *reportDesk {
	t.Helper()
	paris, _ := time.LoadLocation("Europe/Paris")
	r := &reportDesk{e: e, tenant: ids.New(), paris: paris, lastVisitors: map[string]contracts.Actor{}}
	r.grace = contracts.Actor{TenantID: r.tenant, Type: contracts.AuthorAgent, ID: ids.New(), Role: contracts.RoleAdmin, Name: "Grace Hopper"}
	r.alan = contracts.Actor{TenantID: r.tenant, Type: contracts.AuthorAgent, ID: ids.New(), Role: contracts.RoleAgent, Name: "Alan Turing"}
	for _, a := range []contracts.Actor{r.grace, r.alan} {
		if err := e.db.Tenant(context.Background(), r.tenant, func(tx *gorm.DB) error {
			return tx.Exec(`INSERT INTO agents (tenant_id, id, name, removed, online, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				r.tenant, a.ID, a.Name, false, false, time.Now().UTC()).Error
		}); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// at moves the service's clock to a local time in Paris ("2006-01-02 15:04:05").
func (r *reportDesk) at(local string) {
	tm, err := time.ParseInLocation(time.DateTime, local, r.paris)
	if err != nil {
		r.e.t.Fatal(err)
	}
	r.e.clock.set(time.Until(tm))
}

// start has a new visitor write a first message at a local time.
func (r *reportDesk) start(t *testing.T, local, body string) string {
	t.Helper()
	r.at(local)
	v := visitor(r.tenant)
	id := call(t, r.e, contracts.ConversationStart, contracts.StartRequest{Actor: v, Body: body, ClientMsgID: ids.New()}).Conversation.ID
	r.lastVisitors[id] = v
	return id
}

func (r *reportDesk) send(t *testing.T, local string, who contracts.Actor, conv, body string) {
	t.Helper()
	r.at(local)
	if who.Type == "" {
		who = r.lastVisitors[conv]
	}
	call(t, r.e, contracts.ConversationSend, contracts.SendRequest{Actor: who, ConversationID: conv, Body: body, ClientMsgID: ids.New()})
}

func (r *reportDesk) update(t *testing.T, local string, who contracts.Actor, conv string, u contracts.UpdateRequest) {
	t.Helper()
	r.at(local)
	u.Actor, u.ConversationID = who, conv
	call(t, r.e, contracts.ConversationUpdate, u)
}

func (r *reportDesk) resolve(t *testing.T, local string, who contracts.Actor, conv string) {
	t.Helper()
	resolved := contracts.StatusResolved
	r.update(t, local, who, conv, contracts.UpdateRequest{Status: &resolved})
}

// report waits until the read model has caught up with every event, then
// asks for a report.
func (r *reportDesk) report(t *testing.T, req contracts.ReportRequest) contracts.Report {
	t.Helper()
	r.settle(t)
	if req.Actor.Type == "" {
		req.Actor = r.grace
	}
	return call(t, r.e, contracts.ConversationReport, req)
}

// settle waits until the outbox is published and the reports consumer has
// handled everything in the stream.
func (r *reportDesk) settle(t *testing.T) {
	t.Helper()
	testkit.Eventually(t, 20*time.Second, func() error {
		for _, row := range scan(t, r.e, "outbox") {
			if row["tenant_id"] == r.tenant {
				return fmt.Errorf("outbox not published")
			}
		}
		c, err := r.e.js.Consumer(context.Background(), contracts.ConversationStream.Name, "conversation-reports")
		if err != nil {
			return err
		}
		info, err := c.Info(context.Background())
		if err != nil {
			return err
		}
		if info.NumPending > 0 || info.NumAckPending > 0 {
			return fmt.Errorf("consumer: %d pending, %d unacked", info.NumPending, info.NumAckPending)
		}
		return nil
	})
}

func secs(d contracts.Durations) string {
	if d.Count == 0 {
		return "none"
	}
	return fmt.Sprintf("%d: median %v p90 %v", d.Count, *d.Median, *d.P90)
}

func num(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprintf("%.4g", *p)
}

func parisHours() contracts.BusinessHours {
	weekly := map[string][]contracts.TimeRange{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
		weekly[d] = []contracts.TimeRange{{Open: "09:00", Close: "17:00"}}
	}
	return contracts.BusinessHours{Enabled: true, Timezone: "Europe/Paris", Weekly: weekly}
}

func TestReportClocks(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		e.configure(func(s *contracts.Settings, _ *contracts.BotConfig) { s.BusinessHours = parisHours() })
		r := newDesk(t, e)

		// Tuesday 23:59:00 in Paris (22:59 UTC), answered 90 s later on Wednesday.
		late := r.start(t, "2026-11-10 23:59:00", "Are you there?")
		r.send(t, "2026-11-11 00:00:30", r.grace, late, "Yes!")
		tue := r.report(t, contracts.ReportRequest{From: "2026-11-10", To: "2026-11-10"})
		if tue.Summary.Conversations != 1 || tue.Summary.FirstResponse.Count != 0 || tue.Timezone != "Europe/Paris" {
			t.Fatalf("Tuesday: %+v", tue.Summary)
		}
		if tue.Heatmap[1][23] != 1 || tue.Volume[0].New != 1 {
			t.Errorf("Tuesday heat map %v volume %+v", tue.Heatmap[1], tue.Volume)
		}
		wed := r.report(t, contracts.ReportRequest{From: "2026-11-11", To: "2026-11-11"})
		if wed.Summary.Conversations != 0 || secs(wed.Summary.FirstResponse) != "1: median 90 p90 90" {
			t.Fatalf("Wednesday: %d new, first response %s", wed.Summary.Conversations, secs(wed.Summary.FirstResponse))
		}
		if wed.Previous.Conversations != 1 || wed.PreviousFrom != "2026-11-10" {
			t.Errorf("previous period %s: %+v", wed.PreviousFrom, wed.Previous)
		}

		// Friday 16:59, answered Monday 09:01: two business minutes.
		weekend := r.start(t, "2026-11-13 16:59:00", "Anyone?")
		r.send(t, "2026-11-16 09:01:00", r.grace, weekend, "Good morning")
		biz := r.report(t, contracts.ReportRequest{From: "2026-11-16", To: "2026-11-16", BusinessHours: true})
		wall := r.report(t, contracts.ReportRequest{From: "2026-11-16", To: "2026-11-16"})
		if secs(biz.Summary.FirstResponse) != "1: median 120 p90 120" || !biz.BusinessHours {
			t.Errorf("business hours: %s", secs(biz.Summary.FirstResponse))
		}
		if want := fmt.Sprintf("1: median %d p90 %d", 2*86400+16*3600+120, 2*86400+16*3600+120); secs(wall.Summary.FirstResponse) != want {
			t.Errorf("wall clock: %s, want %s", secs(wall.Summary.FirstResponse), want)
		}
		hourly := r.report(t, contracts.ReportRequest{From: "2026-11-13", To: "2026-11-13", Granularity: contracts.GranularityHour})
		if len(hourly.Volume) != 24 || hourly.Volume[16].New != 1 || hourly.Heatmap[4][16] != 1 {
			t.Errorf("hourly: %d buckets, 16:00 %+v", len(hourly.Volume), hourly.Volume[16])
		}
	})
}

func TestReportResolutionsCSATAndMissed(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		e.configure(func(s *contracts.Settings, _ *contracts.BotConfig) {
			s.Survey = contracts.SurveySettings{Enabled: true, Scale: contracts.ScaleFive}
		})
		r := newDesk(t, e)

		// Answered, resolved, reopened by the visitor, resolved again.
		twice := r.start(t, "2026-11-02 10:00:00", "My order is late")
		r.send(t, "2026-11-02 10:00:30", r.grace, twice, "Looking")
		r.resolve(t, "2026-11-02 10:01:40", r.grace, twice)
		r.send(t, "2026-11-02 11:00:00", contracts.Actor{}, twice, "It is still late")
		r.resolve(t, "2026-11-02 11:05:00", r.grace, twice)
		rate := func(conv string, n, score int, comment string) {
			call(t, e, contracts.ConversationRate, contracts.RateRequest{Actor: r.lastVisitors[conv], ConversationID: conv, Resolution: n, Score: score, Comment: comment})
		}
		r.at("2026-11-02 11:06:00")
		rate(twice, 2, 4, "Quick, thanks")

		// Resolved with no reply: missed; rated 2.
		ignored := r.start(t, "2026-11-02 12:00:00", "Hello?")
		r.resolve(t, "2026-11-02 12:10:00", r.grace, ignored)
		r.at("2026-11-02 12:11:00")
		rate(ignored, 1, 2, "Nobody answered")

		// Waiting 31 minutes: missed; waiting 29: not yet.
		r.start(t, "2026-11-02 13:00:00", "Help")
		r.start(t, "2026-11-02 13:02:00", "Help too")
		r.at("2026-11-02 13:31:00")

		rep := r.report(t, contracts.ReportRequest{From: "2026-11-02", To: "2026-11-02"})
		s := rep.Summary
		if s.Conversations != 4 || s.Resolutions != 3 || s.Missed != 2 {
			t.Errorf("summary: %d new, %d resolutions, %d missed", s.Conversations, s.Resolutions, s.Missed)
		}
		if got := secs(s.Resolution); got != "3: median 300 p90 600" {
			t.Errorf("resolution times %s (100, 300 after the reopening, 600)", got)
		}
		c := rep.CSAT
		if c.Responses != 2 || c.Surveyed != 3 || num(c.ResponseRate) != "0.6667" || num(c.Average) != "3" ||
			num(c.Satisfied) != "0.5" || c.Distribution != [5]int{0, 1, 0, 1, 0} {
			t.Errorf("CSAT %+v (rate %s average %s satisfied %s)", c, num(c.ResponseRate), num(c.Average), num(c.Satisfied))
		}
		if len(c.Comments) != 2 || c.Comments[0].Comment != "Nobody answered" || c.Comments[1].Comment != "Quick, thanks" ||
			c.Comments[1].AgentID != r.grace.ID {
			t.Errorf("comments %+v", c.Comments)
		}
		if len(rep.Agents) != 1 || rep.Agents[0].Name != "Grace Hopper" || rep.Agents[0].Handled != 3 || num(rep.Agents[0].CSATAverage) != "3" {
			t.Errorf("agents %+v", rep.Agents)
		}
	})
}

func TestReportBot(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		e.configure(func(_ *contracts.Settings, b *contracts.BotConfig) {
			*b = contracts.BotConfig{Enabled: true, Name: "Parley Bot"}
		})
		r := newDesk(t, e)
		waitHandoff := func(conv, want string) {
			testkit.Eventually(t, 10*time.Second, func() error {
				c := call(t, e, contracts.ConversationGet, contracts.ConversationRequest{Actor: r.grace, ConversationID: conv})
				if c.Handoff != want {
					return fmt.Errorf("handoff %s", c.Handoff)
				}
				return nil
			})
		}
		// The bot alone, then resolved: contained.
		alone := r.start(t, "2026-11-03 09:00:00", "Where is my order?")
		r.settle(t)
		r.resolve(t, "2026-11-03 09:05:00", r.grace, alone)

		// Two misses hand it to the team; Grace answers a minute after.
		handed := r.start(t, "2026-11-03 10:00:00", "where is   my ORDER")
		r.settle(t)
		r.send(t, "2026-11-03 10:00:10", contracts.Actor{}, handed, "Refund please!")
		waitHandoff(handed, contracts.HandoffQueued)
		r.send(t, "2026-11-03 10:01:10", r.grace, handed, "Hi, Grace here")

		rep := r.report(t, contracts.ReportRequest{From: "2026-11-03", To: "2026-11-03"})
		b := rep.Bot
		if b.Conversations != 2 || b.Contained != 1 || b.HandedOff != 1 || num(b.Containment) != "0.5" || num(b.HandoffRate) != "0.5" {
			t.Errorf("bot %+v (containment %s)", b, num(b.Containment))
		}
		if got := secs(rep.Summary.FirstResponse); got != "1: median 60 p90 60" {
			t.Errorf("first response from the hand-off: %s", got)
		}
		if len(b.Unanswered) != 2 || b.Unanswered[0].Question != "where is   my ORDER" || b.Unanswered[0].Count != 2 ||
			b.Unanswered[1].Question != "Refund please!" || b.Unanswered[1].Count != 1 {
			t.Errorf("unanswered %+v", b.Unanswered)
		}
		only := r.report(t, contracts.ReportRequest{From: "2026-11-03", To: "2026-11-03", Label: "nothing-here"})
		if only.Bot.Conversations != 0 || only.Bot.Containment != nil {
			t.Errorf("no bot conversations: %+v", only.Bot)
		}
		contained := call(t, e, contracts.ConversationReport, contracts.ReportRequest{Actor: r.grace, From: "2026-11-03", To: "2026-11-03"})
		if num(contained.Summary.Containment) != "0.5" {
			t.Errorf("summary containment %s", num(contained.Summary.Containment))
		}
	})
}

func TestReportFiltersAndAccess(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		r := newDesk(t, e)
		mine := r.start(t, "2026-11-04 09:00:00", "For Grace")
		r.send(t, "2026-11-04 09:00:20", r.grace, mine, "Grace here")
		r.resolve(t, "2026-11-04 09:01:00", r.grace, mine)
		labels := []string{"vip"}
		theirs := r.start(t, "2026-11-04 10:00:00", "For Alan")
		r.update(t, "2026-11-04 10:00:05", r.grace, theirs, contracts.UpdateRequest{AssigneeID: &r.alan.ID, Labels: &labels})
		r.send(t, "2026-11-04 10:00:40", r.alan, theirs, "Alan here")
		r.resolve(t, "2026-11-04 10:02:00", r.alan, theirs)

		day := contracts.ReportRequest{From: "2026-11-04", To: "2026-11-04"}
		all := r.report(t, day)
		if all.Summary.Conversations != 2 || all.Summary.Resolutions != 2 || len(all.Agents) != 2 ||
			all.Agents[0].Name != "Alan Turing" || all.Agents[1].Name != "Grace Hopper" {
			t.Fatalf("everyone: %+v, agents %+v", all.Summary, all.Agents)
		}
		alans := day
		alans.Actor = r.alan
		own := r.report(t, alans)
		if own.Summary.Conversations != 1 || own.Summary.Resolutions != 1 || secs(own.Summary.FirstResponse) != "1: median 40 p90 40" ||
			len(own.Agents) != 1 || own.Agents[0].AgentID != r.alan.ID || secs(own.Agents[0].Resolution) != "1: median 120 p90 120" {
			t.Errorf("Alan's own: %+v, agents %+v", own.Summary, own.Agents)
		}
		byAdmin := day
		byAdmin.AgentID = r.alan.ID
		if got := r.report(t, byAdmin); !reflect.DeepEqual(got.Summary, own.Summary) {
			t.Errorf("an admin filtering on Alan: %+v, Alan: %+v", got.Summary, own.Summary)
		}
		alans.AgentID = r.grace.ID
		_, err := try(e, contracts.ConversationReport, alans)
		wantCode(t, err, apperr.Forbidden, "own")

		vip := day
		vip.Label = " VIP "
		if got := r.report(t, vip); got.Summary.Conversations != 1 || got.Summary.Resolutions != 1 || len(got.Agents) != 1 || got.Agents[0].AgentID != r.alan.ID {
			t.Errorf("label vip: %+v, agents %+v", got.Summary, got.Agents)
		}
		_, err = try(e, contracts.ConversationReportRebuild, contracts.ReportRebuildRequest{Actor: r.alan})
		wantCode(t, err, apperr.Forbidden, "owners and admins")
		_, err = try(e, contracts.ConversationReport, contracts.ReportRequest{Actor: visitor(r.tenant), From: "2026-11-04", To: "2026-11-04"})
		wantCode(t, err, apperr.Forbidden, "team")

		for _, c := range []struct {
			req   contracts.ReportRequest
			field string
		}{
			{contracts.ReportRequest{From: "04/11/2026", To: "2026-11-04"}, "from"},
			{contracts.ReportRequest{From: "2026-11-04", To: ""}, "to"},
			{contracts.ReportRequest{From: "2026-11-04", To: "2026-11-03"}, "to"},
			{contracts.ReportRequest{From: "2025-11-01", To: "2026-11-04"}, "to"},
			{contracts.ReportRequest{From: "2026-09-01", To: "2026-11-04", Granularity: "hour"}, "granularity"},
			{contracts.ReportRequest{From: "2026-11-04", To: "2026-11-04", Granularity: "week"}, "granularity"},
			{contracts.ReportRequest{From: "2026-11-04", To: "2026-11-04", AgentID: "grace"}, "agent_id"},
			{contracts.ReportRequest{From: "2026-11-04", To: "2026-11-04", Label: "no!"}, "label"},
		} {
			c.req.Actor = r.grace
			_, err := try(e, contracts.ConversationReport, c.req)
			var ae *apperr.Error
			if !apperr.Is(err, apperr.Invalid) || !asAppErr(err, &ae) || ae.Field != c.field {
				t.Errorf("%+v: %v, want invalid %s", c.req, err, c.field)
			}
		}
	})
}

func asAppErr(err error, target **apperr.Error) bool { return errors.As(err, target) }

// configure sets what the tenant service answers (before the first request).
func (e *env) configure(f func(s *contracts.Settings, b *contracts.BotConfig)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f(&e.settings, &e.bot)
}

func TestReportRedeliveryAndRebuild(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		e.configure(func(s *contracts.Settings, _ *contracts.BotConfig) {
			s.BusinessHours = parisHours()
			s.Survey = contracts.SurveySettings{Enabled: true, Scale: contracts.ScaleThumbs}
		})
		r := newDesk(t, e)
		a := r.start(t, "2026-11-05 09:00:00", "First")
		r.send(t, "2026-11-05 09:01:00", r.grace, a, "Answer")
		r.resolve(t, "2026-11-05 09:03:00", r.grace, a)
		r.at("2026-11-05 09:04:00")
		call(t, e, contracts.ConversationRate, contracts.RateRequest{Actor: r.lastVisitors[a], ConversationID: a, Resolution: 1, Score: 5, Comment: "👍"})
		b := r.start(t, "2026-11-05 18:00:00", "After hours")
		r.send(t, "2026-11-06 09:00:45", r.alan, b, "Morning")
		req := contracts.ReportRequest{From: "2026-11-05", To: "2026-11-06", BusinessHours: true}
		live := r.report(t, req)
		if live.Summary.Conversations != 2 || secs(live.Summary.FirstResponse) != "2: median 45 p90 60" || live.CSAT.Responses != 1 {
			t.Fatalf("live: %+v", live.Summary)
		}

		// Every event again, newest first, as a redelivery would bring them.
		evs := events(t, e, r.tenant)
		for i := len(evs) - 1; i >= 0; i-- {
			var env contracts.Envelope
			if err := json.Unmarshal(evs[i].Data, &env); err != nil {
				t.Fatal(err)
			}
			msg, err := natsx.NewMsg(evs[i].Subject, env)
			if err != nil {
				t.Fatal(err)
			}
			msg.Header.Set(jetstream.MsgIDHeader, ids.New()) // past the stream's duplicate filter
			if _, err := e.js.PublishMsg(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
		}
		again := r.report(t, req)
		live.GeneratedAt, again.GeneratedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(live, again) {
			t.Errorf("after redelivery:\n%+v\nwant\n%+v", again, live)
		}

		rebuilt := call(t, e, contracts.ConversationReportRebuild, contracts.ReportRebuildRequest{Actor: r.grace})
		if rebuilt.Conversations != 2 || rebuilt.Activities < 3 {
			t.Errorf("rebuilt %+v", rebuilt)
		}
		fromSource := r.report(t, req)
		fromSource.GeneratedAt = time.Time{}
		if !reflect.DeepEqual(live, fromSource) {
			t.Errorf("rebuilt:\n%+v\nwant\n%+v", fromSource, live)
		}
	})
}
