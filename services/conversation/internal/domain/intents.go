package domain

import (
	"slices"
	"strings"
)

// HandoffValue is the value of the "Talk to a person" quick reply.
const HandoffValue = "handoff"

// ResolveValue is the value of the "That's all, thanks" quick reply that
// the bot's answers offer: the visitor is done, and the bot resolves.
const ResolveValue = "resolve"

// SaysDone reports whether a visitor's message is that quick reply.
func SaysDone(body string) bool { return strings.EqualFold(strings.TrimSpace(body), ResolveValue) }

// humanPhrases ask for a person, in the widget's languages; each is
// normalised by Tokens and matched as whole terms.
var humanPhrases = func() [][]string {
	var out [][]string
	for _, p := range []string{
		"human", "humans", "agent", "agents", "a person", "a real person", "someone", "somebody", "representative", "operator", "staff", "support team",
		"humain", "un conseiller", "une conseillère", "quelqu'un", "une personne", "un agent",
		"Mensch", "Mitarbeiter", "Mitarbeiterin", "jemand", "Berater", "Beraterin",
		"humano", "una persona", "agente", "alguien", "asesor", "asesora",
	} {
		out = append(out, Tokens(p))
	}
	return out
}()

// AsksForHuman reports whether a visitor's message asks for a person.
func AsksForHuman(body string) bool {
	if strings.EqualFold(strings.TrimSpace(body), HandoffValue) {
		return true
	}
	toks := Tokens(body)
	for _, phrase := range humanPhrases {
		if containsAll(toks, phrase) {
			return true
		}
	}
	return false
}

func containsAll(toks, want []string) bool {
	if len(want) == 0 {
		return false
	}
	for _, w := range want {
		if !slices.Contains(toks, w) {
			return false
		}
	}
	return true
}

var orderWords = []string{"order", "package", "parcel", "shipment", "deliver", "track", "command", "colis", "livraison", "bestell", "paket", "lieferung", "pedido", "paquete", "envio"}

// MentionsOrder reports whether a message is about an order.
func MentionsOrder(body string) bool { return mentions(body, orderWords) }

var bookingWords = []string{"book", "appointment", "schedul", "reserv", "meeting", "consult", "rendez", "rdv", "termin", "buch", "cita", "reserva"}

// MentionsBooking reports whether a message asks to book an appointment.
func MentionsBooking(body string) bool { return mentions(body, bookingWords) }

// mentions matches the message's terms against stemmed intent words: the
// same term, or (for stems of five letters or more) a longer form of it.
func mentions(body string, words []string) bool {
	for _, t := range Tokens(body) {
		for _, w := range words {
			w = stem(w)
			if t == w || len(w) >= 5 && strings.HasPrefix(t, w) {
				return true
			}
		}
	}
	return false
}
