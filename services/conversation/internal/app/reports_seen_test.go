package app

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
)

func TestReportSeenSkipsOnlyMessagesThatCannotChangeAFigure(t *testing.T) {
	t0 := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	msg := func(who contracts.AuthorType, private bool, at time.Time) contracts.Message {
		return contracts.Message{Author: contracts.Author{Type: who}, Private: private, CreatedAt: at}
	}
	r := newReportSeen()
	for _, tc := range []struct {
		name string
		m    contracts.Message
		want bool
	}{
		{"bot", msg(contracts.AuthorBot, false, t0), false},
		{"system", msg(contracts.AuthorSystem, false, t0), false},
		{"note", msg(contracts.AuthorAgent, true, t0), false},
		{"unknown conversation: visitor", msg(contracts.AuthorVisitor, false, t0), true},
		{"unknown conversation: agent", msg(contracts.AuthorAgent, false, t0), true},
	} {
		if got := r.mayChange("c1", tc.m); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	r.saw("c1", domain.MessageFacts{FirstVisitorAt: &t0, LastVisitorAt: &t0})
	if r.mayChange("c1", msg(contracts.AuthorVisitor, false, t0.Add(59*time.Second))) {
		t.Error("a visitor message within the minute was not skipped")
	}
	if !r.mayChange("c1", msg(contracts.AuthorVisitor, false, t0.Add(time.Minute))) {
		t.Error("a visitor message a minute later was skipped")
	}
	if !r.mayChange("c1", msg(contracts.AuthorAgent, false, t0)) {
		t.Error("the first answer was skipped")
	}
	answered := t0.Add(90 * time.Second)
	r.saw("c1", domain.MessageFacts{FirstVisitorAt: &t0, LastVisitorAt: &t0, FirstResponseAt: &answered})
	if r.mayChange("c1", msg(contracts.AuthorAgent, false, t0.Add(time.Hour))) || r.mayChange("c1", msg(contracts.AuthorVisitor, false, t0.Add(time.Hour))) {
		t.Error("an answered conversation's messages were not skipped")
	}
	r.saw("c2", domain.MessageFacts{}) // no row yet: not remembered
	if !r.mayChange("c2", msg(contracts.AuthorVisitor, false, t0)) {
		t.Error("a conversation without a row was skipped")
	}
}
