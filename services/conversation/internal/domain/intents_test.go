package domain_test

import (
	"testing"

	"github.com/parley-chat/parley/services/conversation/internal/domain"
)

func TestAsksForHuman(t *testing.T) {
	yes := []string{"human please", "Can I talk to someone?", "I want a real person", "agent", "handoff",
		"Je voudrais parler à un conseiller", "quelqu'un peut m'aider ?", "Ich möchte mit einem Mitarbeiter sprechen",
		"Quiero hablar con una persona", "¿Hay alguien?"}
	no := []string{"where is my order", "what are your opening hours", "my personal data"}
	for _, s := range yes {
		if !domain.AsksForHuman(s) {
			t.Errorf("%q not recognised", s)
		}
	}
	for _, s := range no {
		if domain.AsksForHuman(s) {
			t.Errorf("%q taken as a request for a human", s)
		}
	}
}

func TestIntents(t *testing.T) {
	if !domain.MentionsOrder("Where is my order?") || !domain.MentionsOrder("Où est ma commande ?") || domain.MentionsOrder("opening hours") {
		t.Error("order intent")
	}
	if !domain.MentionsBooking("Can I book an appointment?") || !domain.MentionsBooking("Ich möchte einen Termin") || domain.MentionsBooking("refund") {
		t.Error("booking intent")
	}
}
