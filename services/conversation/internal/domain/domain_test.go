package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
)

func TestBodies(t *testing.T) {
	if err := domain.CheckBody("hello <b>world</b>"); err != nil {
		t.Fatal(err)
	}
	if e := apperr.As(domain.CheckBody(" \n\t ")); e.Code != apperr.Invalid || e.Field != "body" {
		t.Fatalf("blank body: %v", e)
	}
	if e := apperr.As(domain.CheckBody(strings.Repeat("é", 10001))); e.Code != apperr.TooLarge || e.Field != "body" {
		t.Fatalf("long body: %v", e)
	}
	if err := domain.CheckBody(strings.Repeat("é", 10000)); err != nil {
		t.Fatalf("10000 characters refused: %v", err)
	}
	for _, id := range []string{"", "has space", strings.Repeat("x", 65), "ünï"} {
		if domain.CheckClientMsgID(id) == nil {
			t.Errorf("client_msg_id %q accepted", id)
		}
	}
	if p := domain.Preview(strings.Repeat("word ", 100)); len([]rune(p)) != 140 || !strings.HasSuffix(p, "…") {
		t.Fatalf("preview %q", p)
	}
}

func TestStatusAndLabels(t *testing.T) {
	now := time.Now()
	later := now.Add(time.Hour)
	if err := domain.CheckStatus("snoozed", &later, now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		status string
		until  *time.Time
		field  string
	}{{"snoozed", nil, "snooze_until"}, {"snoozed", &now, "snooze_until"}, {"open", &later, "snooze_until"}, {"closed", nil, "status"}} {
		if f := apperr.As(domain.CheckStatus(c.status, c.until, now)).Field; f != c.field {
			t.Errorf("%s/%v: field %q", c.status, c.until, f)
		}
	}
	got, err := domain.CleanLabels([]string{"VIP", "vip", " billing "})
	if err != nil || len(got) != 2 || got[0] != "vip" || got[1] != "billing" {
		t.Fatalf("labels %v %v", got, err)
	}
	if _, err := domain.CleanLabels([]string{"<script>"}); err == nil {
		t.Fatal("bad label accepted")
	}
}

func TestAssignmentRights(t *testing.T) {
	agent := contracts.Actor{ID: "a1", Role: contracts.RoleAgent}
	admin := contracts.Actor{ID: "ad", Role: contracts.RoleAdmin}
	cases := []struct {
		actor         contracts.Actor
		current, next string
		ok            bool
	}{
		{agent, "", "a1", true}, {agent, "a1", "", true}, {agent, "", "a2", false},
		{agent, "a2", "a1", false}, {agent, "a1", "a2", false}, {admin, "a2", "a3", true},
	}
	for _, c := range cases {
		if err := domain.CanAssign(c.actor, c.current, c.next); (err == nil) != c.ok {
			t.Errorf("%s: %q → %q: %v", c.actor.Role, c.current, c.next, err)
		}
	}
}

func TestRouteIsRoundRobinWithinLimits(t *testing.T) {
	now := time.Now()
	agents := []domain.Agent{
		{ID: "ann", Open: 0, LastAssignedAt: now.Add(-time.Minute)},
		{ID: "bob", Open: 1, LastAssignedAt: now.Add(-time.Hour)},
		{ID: "cat", Open: 2, LastAssignedAt: time.Time{}},
	}
	got := domain.Route([]string{"c1", "c2", "c3", "c4", "c5"}, agents, 2, now)
	want := []domain.Assignment{{"c1", "bob"}, {"c2", "ann"}, {"c3", "ann"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if got := domain.Route([]string{"c1", "c2"}, nil, 0, now); len(got) != 0 {
		t.Fatalf("nobody online but assigned %v", got)
	}
	if got := domain.Route([]string{"c1", "c2", "c3"}, agents[:1], 0, now); len(got) != 3 {
		t.Fatalf("no limit: %v", got)
	}
}
