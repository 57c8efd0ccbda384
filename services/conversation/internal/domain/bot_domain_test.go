package domain_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
)

var faq = []contracts.FAQEntry{
	{ID: "hours", Question: "What are your opening hours?", Alternatives: []string{"When are you open?", "Opening times"}, Answer: "9 to 5"},
	{ID: "returns", Question: "How do I return an item?", Alternatives: []string{"Can I get a refund?"}, Answer: "Within 30 days"},
	{ID: "shipping", Question: "Do you ship internationally?", Alternatives: []string{"Shipping to other countries"}, Answer: "Yes, to the EU"},
	{ID: "pay", Question: "Which payment methods do you accept?", Answer: "Cards and PayPal"},
}

func TestFAQMatchesByRelevance(t *testing.T) {
	ix := domain.NewFAQIndex(faq)
	cases := map[string]string{
		"when are you open on saturday?": "hours",
		"opening hours":                  "hours",
		"I want a refund":                "returns",
		"how can I return my shoes":      "returns",
		"do you ship to Canada":          "shipping",
		"can I pay with PayPal?":         "pay",
	}
	for q, want := range cases {
		m := ix.Match(q, 3)
		if len(m) == 0 || m[0].EntryID != want || m[0].Score < 0.5 {
			t.Errorf("%q → %+v, want %s with confidence ≥ 0.5", q, m, want)
		}
	}
	if m := ix.Match("purple elephants dancing", 3); len(m) != 0 {
		t.Errorf("nonsense matched %+v", m)
	}
	if m := ix.Match("open", 3); m[0].Score <= 0 || m[0].Score > 1 {
		t.Errorf("confidence out of range: %+v", m)
	}
	// Accents and case do not matter.
	ix2 := domain.NewFAQIndex([]contracts.FAQEntry{{ID: "café", Question: "Servez-vous du café ?", Answer: "Oui"}})
	if m := ix2.Match("CAFE", 1); len(m) != 1 {
		t.Error("accent-insensitive match failed")
	}
}

func TestOrderNumbersAndTemplates(t *testing.T) {
	p := regexp.MustCompile(`^#?\d{5,8}$`)
	if n, ok := domain.FindOrderNumber(p, "Where is order #12345?"); !ok || n != "#12345" {
		t.Fatalf("found %q %v", n, ok)
	}
	if _, ok := domain.FindOrderNumber(p, "my order 12"); ok {
		t.Fatal("a too-short number matched")
	}
	got := domain.FillTemplate("Order {{number}} is {{ status }}, due {{eta.day}}{{missing}}.", map[string]any{
		"number": "12345", "status": "<b>shipped</b>", "eta": map[string]any{"day": "Friday"}})
	if got != "Order 12345 is <b>shipped</b>, due Friday." {
		t.Fatalf("template: %q", got)
	}
}

func TestFreeSlots(t *testing.T) {
	cfg := contracts.AppointmentsConfig{Timezone: "Europe/Paris", BufferMinutes: 15, HorizonDays: 7,
		Weekly: map[string][]contracts.TimeRange{"mon": {{Open: "09:00", Close: "11:00"}}}}
	svc := contracts.AppointmentService{ID: "s", Name: "Fitting", DurationMinutes: 30}
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, paris) // a Sunday
	slots := domain.FreeSlots(cfg, svc, nil, now, 10)
	var got []string
	for _, s := range slots {
		got = append(got, s.In(paris).Format("Mon 15:04"))
	}
	if strings.Join(got, ",") != "Mon 09:00,Mon 09:45,Mon 10:30" {
		t.Fatalf("slots %v", got)
	}
	booked := []domain.Interval{{Start: slots[1], End: slots[1].Add(30 * time.Minute)}}
	if again := domain.FreeSlots(cfg, svc, booked, now, 10); len(again) != 2 || again[1].Equal(slots[1]) {
		t.Fatalf("a booked slot was offered: %v", again)
	}
	if !domain.SlotValid(cfg, svc, slots[2], now) || domain.SlotValid(cfg, svc, slots[2].Add(time.Minute), now) {
		t.Fatal("SlotValid")
	}
	b := contracts.Booking{ID: "b1", ServiceName: "Fitting", StartAt: slots[0], EndAt: slots[0].Add(30 * time.Minute), Name: "Ann; Lee", Email: "a@b.co", Status: "booked"}
	ics := domain.ICS(b, "Acme", now)
	if !strings.Contains(ics, "DTSTART:20261130T080000Z") || !strings.Contains(ics, `Ann\; Lee`) || !strings.Contains(ics, "STATUS:CONFIRMED") || !strings.HasSuffix(ics, "END:VCALENDAR\r\n") {
		t.Fatalf("ics:\n%s", ics)
	}
	b.Status = "canceled"
	if ics := domain.ICS(b, "Acme", now); !strings.Contains(ics, "METHOD:CANCEL\r\n") || !strings.Contains(ics, "STATUS:CANCELLED\r\n") || !strings.Contains(ics, "UID:b1@parley") {
		t.Fatalf("canceled ics:\n%s", ics)
	}
}

func TestRichMessages(t *testing.T) {
	ok := []struct {
		kind    contracts.MessageKind
		payload string
	}{
		{contracts.KindQuickReplies, `{"text":"Pick one","options":[{"label":"Yes","value":"yes"}]}`},
		{contracts.KindCard, `{"title":"Ridgeline 3","text":"Trail shoe","image_url":"https://cdn.example.com/r3.png","buttons":[{"label":"Buy","url":"https://shop.example.com/r3"},{"label":"More","value":"more"}]}`},
	}
	for _, c := range ok {
		if _, _, err := domain.CheckRich(c.kind, json.RawMessage(c.payload)); err != nil {
			t.Errorf("%s: %v", c.kind, err)
		}
	}
	bad := map[string]struct {
		kind    contracts.MessageKind
		payload string
	}{
		"payload.options":        {contracts.KindQuickReplies, `{"text":"x","options":[]}`},
		"payload":                {contracts.KindQuickReplies, `{"text":"x","options":[{"label":"a","value":"b"}],"html":"<b>"}`},
		"payload.image_url":      {contracts.KindCard, `{"title":"t","image_url":"javascript:alert(1)","buttons":[]}`},
		"payload.buttons[0].url": {contracts.KindCard, `{"title":"t","buttons":[{"label":"x","url":"javascript:alert(1)"}]}`},
		"kind":                   {"html", `{}`},
	}
	for field, c := range bad {
		if _, _, err := domain.CheckRich(c.kind, json.RawMessage(c.payload)); apperr.As(err).Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func TestStemming(t *testing.T) {
	for in, want := range map[string]string{"shipping": "ship", "shipped": "ship", "returns": "return", "opening": "open", "hours": "hour", "deliveries": "delivery", "calling": "call"} {
		if got := domain.Tokens(in); len(got) != 1 || got[0] != want {
			t.Errorf("%s → %v, want %s", in, got, want)
		}
	}
}
