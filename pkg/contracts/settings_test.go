package contracts_test

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

func TestBusinessHours(t *testing.T) {
	h := contracts.BusinessHours{
		Enabled: true, Timezone: "Europe/Paris",
		Weekly: map[string][]contracts.TimeRange{
			"mon": {{Open: "09:00", Close: "12:00"}, {Open: "14:00", Close: "18:00"}},
			"tue": {{Open: "09:00", Close: "18:00"}},
		},
		Holidays: []string{"2026-12-01"}, // a Tuesday
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02 15:04", s, paris); return t }
	cases := []struct {
		now      string
		open     bool
		nextOpen string
	}{
		{"2026-11-30 10:00", true, ""},                  // Monday morning
		{"2026-11-30 12:30", false, "2026-11-30 14:00"}, // lunch
		{"2026-11-30 18:00", false, "2026-12-07 09:00"}, // Tuesday is a holiday: next Monday
		{"2026-12-02 08:00", false, "2026-12-07 09:00"}, // Wednesday
		{"2026-12-08 17:59", true, ""},
	}
	for _, c := range cases {
		a := h.At(at(c.now).UTC())
		if a.Open != c.open {
			t.Errorf("%s: open=%v", c.now, a.Open)
		}
		if c.nextOpen != "" && (a.NextOpenAt == nil || !a.NextOpenAt.Equal(at(c.nextOpen))) {
			t.Errorf("%s: next open %v, want %s", c.now, a.NextOpenAt, c.nextOpen)
		}
	}
	if !(contracts.BusinessHours{}).At(time.Now()).Open {
		t.Error("disabled business hours must mean always open")
	}
	if a := (contracts.BusinessHours{Enabled: true, Timezone: "UTC"}).At(time.Now()); a.Open || a.NextOpenAt != nil {
		t.Errorf("no opening hours at all: %+v", a)
	}
}

func TestAllowsOrigin(t *testing.T) {
	s := contracts.Settings{AllowedDomains: []string{"https://shop.example.com", "http://localhost:3000", "https://*.acme.io"}}
	allowed := []string{"https://shop.example.com", "HTTPS://SHOP.EXAMPLE.COM", "http://localhost:3000", "https://eu.acme.io", "https://a.b.acme.io"}
	refused := []string{"", "null", "http://shop.example.com", "https://shop.example.com.evil.net", "https://evilshop.example.com",
		"http://localhost:3001", "https://acme.io", "https://xacme.io", "http://eu.acme.io", "https://shop.exаmple.com"} // Cyrillic а
	for _, o := range allowed {
		if !s.AllowsOrigin(o) {
			t.Errorf("%q refused", o)
		}
	}
	for _, o := range refused {
		if s.AllowsOrigin(o) {
			t.Errorf("%q allowed", o)
		}
	}
	if !(contracts.Settings{}).AllowsOrigin("https://anything.example") {
		t.Error("an empty list must allow every origin")
	}
}
