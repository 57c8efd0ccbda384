package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/natsx"
)

// The report phase: a workspace with a year of history — conversations,
// their messages, activities and read-model rows written straight into the
// conversation service's SQLite file (through the API it would take an
// hour) — then the report over 30 and 365 days, five times each. The
// server runs on a NATS server of the bench's, so that the report can be
// asked for over NATS when the gateway has no /api/v1/reports route.

type reportResult struct {
	conversations, messages int
	seed                    time.Duration
	via                     string
	timings                 map[int][]time.Duration // by days
}

func reportPhase(bin string, convs, perConv int) (reportResult, error) {
	r := reportResult{conversations: convs, messages: convs * perConv, timings: map[int][]time.Duration{}}
	dir, err := os.MkdirTemp("", "parley-bench-nats-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	ns, err := natsx.RunEmbedded(natsx.EmbeddedOptions{StoreDir: dir, Host: "127.0.0.1", Port: -1})
	if err != nil {
		return r, err
	}
	defer ns.Shutdown()
	srv, err := startServer(bin, "PARLEY_NATS_URL="+ns.ClientURL())
	if err != nil {
		return r, err
	}
	defer srv.stop()
	b := &bench{url: srv.url}
	var s struct {
		AccessToken string `json:"access_token"`
		Tenant      struct {
			ID string `json:"id"`
		} `json:"tenant"`
	}
	if err := b.post("/api/v1/signup", "", map[string]string{"business_name": "Report bench", "name": "Owner",
		"email": "bench-report@example.com", "password": "benchmark password"}, &s); err != nil {
		return r, err
	}
	start := time.Now()
	if err := seedReports(filepath.Join(srv.data, "data", "conversation.db"), s.Tenant.ID, convs, perConv); err != nil {
		return r, err
	}
	r.seed = time.Since(start)

	nc, err := natsx.Connect(ns.ClientURL(), "parley-bench", slog.New(slog.DiscardHandler))
	if err != nil {
		return r, err
	}
	defer nc.Close()
	owner := contracts.Actor{TenantID: s.Tenant.ID, Type: contracts.AuthorAgent, ID: uuid.NewString(), Role: contracts.RoleOwner}
	today := time.Now().UTC()
	ask := func(from, to string) (contracts.Report, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return natsx.Call(ctx, nc, contracts.ConversationReport, contracts.ReportRequest{Actor: owner, From: from, To: to})
	}
	r.via = "the NATS request ConversationReport (this build has no GET /api/v1/reports)"
	if res, err := http.DefaultClient.Do(authorized(b.url+"/api/v1/reports?from="+today.Format(time.DateOnly)+"&to="+today.Format(time.DateOnly), s.AccessToken)); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			r.via = "GET /api/v1/reports"
			ask = func(from, to string) (contracts.Report, error) {
				var rep contracts.Report
				err := b.call("GET", "/api/v1/reports?from="+from+"&to="+to, s.AccessToken, nil, &rep)
				return rep, err
			}
		}
	}
	for _, days := range []int{30, 365} {
		from, to := today.AddDate(0, 0, 1-days).Format(time.DateOnly), today.Format(time.DateOnly)
		for range 5 {
			t0 := time.Now()
			rep, err := ask(from, to)
			if err != nil {
				return r, err
			}
			r.timings[days] = append(r.timings[days], time.Since(t0))
			if rep.Summary.Conversations == 0 {
				return r, fmt.Errorf("report %s…%s counts no conversations", from, to)
			}
		}
	}
	return r, nil
}

func authorized(url, token string) *http.Request {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// p50max is the median and the largest of some timings.
func p50max(d []time.Duration) (time.Duration, time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)/2], s[len(s)-1]
}

// seedReports writes a year of conversations into a tenant: each has
// perConv messages (visitor and agent in turn, a minute apart), reached the
// team at once, was answered after a minute and resolved after ten by one
// of five agents; one in five started with the bot (which missed a
// question), one in three was rated.
func seedReports(file, tenant string, convs, perConv int) error {
	d, err := db.Open(context.Background(), db.Options{URL: "sqlite:" + file, Source: "parley-bench"})
	if err != nil {
		return err
	}
	defer d.Close()
	agents := make([]string, 5)
	for i := range agents {
		agents[i] = uuid.NewString()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC()
	const batch = 500
	for first := 0; first < convs; first += batch {
		var rows seedRows
		for i := first; i < min(first+batch, convs); i++ {
			at := now.Add(-time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
			rows.conversation(tenant, agents[i%len(agents)], at, perConv, i%5 == 0, i%3 == 0)
		}
		if err := d.Global(context.Background(), rows.insert); err != nil {
			return err
		}
	}
	return nil
}

// seedRows are the rows of one batch, table by table.
type seedRows struct {
	tables map[string]*seedTable
	order  []string
}

type seedTable struct {
	columns string
	values  [][]any
}

func (s *seedRows) add(table, columns string, values ...any) {
	if s.tables == nil {
		s.tables = map[string]*seedTable{}
	}
	t, ok := s.tables[table]
	if !ok {
		t = &seedTable{columns: columns}
		s.tables[table] = t
		s.order = append(s.order, table)
	}
	t.values = append(t.values, values)
}

func (s *seedRows) conversation(tenant, agent string, at time.Time, perConv int, bot, rated bool) {
	id, visitor := uuid.NewString(), uuid.NewString()
	last := at.Add(time.Duration(perConv) * time.Minute)
	resolved := at.Add(10 * time.Minute)
	s.add("conversations", "id, tenant_id, visitor_id, status, assignee_id, priority, labels, last_seq, agent_read_seq, visitor_read_seq, unread_count, preview_seq, preview_body, preview_author_type, preview_author_id, preview_author_name, created_at, updated_at, last_activity_at",
		id, tenant, visitor, contracts.StatusResolved, agent, "none", "[]", perConv, perConv, perConv, 0, 0, "", "", "", "", at, last, last)
	lastVisitor := at
	for j := range perConv {
		author, authorID := contracts.AuthorVisitor, visitor
		if j%2 == 1 {
			author, authorID = contracts.AuthorAgent, agent
		} else {
			lastVisitor = at.Add(time.Duration(j) * time.Minute)
		}
		s.add("messages", "id, tenant_id, conversation_id, seq, author_type, author_id, author_name, body, kind, private, created_at",
			uuid.NewString(), tenant, id, j+1, author, authorID, "", "a message of about this length, as people type them", contracts.KindText, false,
			at.Add(time.Duration(j)*time.Minute))
	}
	activity := func(kind string, when time.Time, payload string) {
		s.add("activities", "id, tenant_id, conversation_id, kind, at, payload", uuid.NewString(), tenant, id, kind, when,
			fmt.Sprintf(`{"conversation_id":%q,"kind":%q,"at":%q%s}`, id, kind, when.Format(time.RFC3339Nano), payload))
	}
	activity(contracts.ActivityReachedTeam, at, "")
	activity(contracts.ActivityResolved, resolved, fmt.Sprintf(`,"resolution":1,"surveyed":true,"assignee_id":%q`, agent))
	answered := at.Add(time.Minute)
	s.add("report_conversations", "tenant_id, conversation_id, first_visitor_at, last_visitor_at, reached_team_at, started_with_bot, first_response_at, first_responder_id, first_response, first_response_biz, resolutions, assignee_id, labels",
		tenant, id, at.UnixMicro(), lastVisitor.UnixMicro(), at.UnixMicro(), bot, answered.UnixMicro(), agent, 60.0, 60.0, 1, agent, "[]")
	s.add("report_resolutions", "tenant_id, conversation_id, resolution, resolved_at, agent_id, surveyed, rated, seconds, biz_seconds",
		tenant, id, 1, resolved.UnixMicro(), agent, true, rated, 600.0, 600.0)
	if rated {
		activity(contracts.ActivityRated, resolved.Add(time.Minute), fmt.Sprintf(`,"rating":{"score":5,"scale":"five","resolution":1,"agent_id":%q}`, agent))
		s.add("report_ratings", "tenant_id, conversation_id, resolution, rated_at, score, scale, comment, agent_id",
			tenant, id, 1, resolved.Add(time.Minute).UnixMicro(), 5, contracts.ScaleFive, "Thanks!", agent)
	}
	if bot {
		activity(contracts.ActivityBotMissed, at, `,"seq":1,"question":"where is my order?"`)
		s.add("report_misses", "tenant_id, conversation_id, seq, asked_at, question", tenant, id, 1, at.UnixMicro(), "Where is my order?")
	}
}

// insert writes the batch, a few hundred rows per statement.
func (s *seedRows) insert(tx *gorm.DB) error {
	for _, name := range s.order {
		t := s.tables[name]
		per := max(1, 30000/len(t.values[0])) // SQLite binds at most 32766 values
		for i := 0; i < len(t.values); i += per {
			chunk := t.values[i:min(i+per, len(t.values))]
			one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(chunk[0])), ", ") + ")"
			args := make([]any, 0, len(chunk)*len(chunk[0]))
			for _, v := range chunk {
				args = append(args, v...)
			}
			q := "INSERT INTO " + name + " (" + t.columns + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", len(chunk)), ", ")
			if err := tx.Exec(q, args...).Error; err != nil {
				return fmt.Errorf("seed %s: %w", name, err)
			}
		}
	}
	return nil
}
