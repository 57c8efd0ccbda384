package domain_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/tenant/internal/domain"
)

func TestAllowedDomainsAreNormalisedToOrigins(t *testing.T) {
	got, err := domain.CheckAllowedDomains([]string{"Shop.Example.com", "http://localhost:3000", "https://*.acme.io/", "bücher.de", "shop.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"http://shop.example.com", "https://shop.example.com", "http://localhost:3000", "https://*.acme.io", "http://xn--bcher-kva.de", "https://xn--bcher-kva.de"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	for _, bad := range []string{"", "ftp://x.com", "https://x.com/path", "user@x.com", "nodot", "https://x.com:99999", "*.1.2.3.4"} {
		if _, err := domain.CheckAllowedDomains([]string{bad}); apperr.As(err).Field != "allowed_domains" {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
}

// A bare host means the site on http and on https; the limit counts hosts,
// so a saved list sent back as it is stays valid.
func TestBareHostsAllowBothSchemesAndTheLimitCountsHosts(t *testing.T) {
	var bare []string
	for i := range domain.MaxAllowedDomains {
		bare = append(bare, fmt.Sprintf("shop%d.example.com", i))
	}
	saved, err := domain.CheckAllowedDomains(bare)
	if err != nil || len(saved) != 2*domain.MaxAllowedDomains || saved[0] != "http://shop0.example.com" || saved[1] != "https://shop0.example.com" {
		t.Fatalf("%d bare hosts: %v (%d origins)", len(bare), err, len(saved))
	}
	again, err := domain.CheckAllowedDomains(saved)
	if err != nil || len(again) != len(saved) {
		t.Fatalf("the saved list sent back: %v (%d origins)", err, len(again))
	}
	if _, err := domain.CheckAllowedDomains(append(bare, "one-more.example.com")); apperr.As(err).Field != "allowed_domains" {
		t.Fatalf("%d hosts accepted: %v", len(bare)+1, err)
	}
	s := contracts.Settings{AllowedDomains: saved}
	for origin, want := range map[string]bool{"http://shop3.example.com": true, "https://shop3.example.com": true, "https://shop3.example.com:8443": false, "https://evil.example.com": false} {
		if s.AllowsOrigin(origin) != want {
			t.Errorf("AllowsOrigin(%q) = %v", origin, !want)
		}
	}
}

func TestBusinessHoursValidation(t *testing.T) {
	ok := contracts.BusinessHours{Enabled: true, Timezone: "America/New_York",
		Weekly: map[string][]contracts.TimeRange{"mon": {{Open: "09:00", Close: "24:00"}}, "sun": {}}, Holidays: []string{"2026-12-25"}}
	h, err := domain.CheckBusinessHours(ok)
	if err != nil {
		t.Fatal(err)
	}
	if _, has := h.Weekly["sun"]; has {
		t.Fatal("an empty day should be dropped")
	}
	bad := []contracts.BusinessHours{
		{Timezone: "Mars/Olympus"},
		{Timezone: "UTC", Weekly: map[string][]contracts.TimeRange{"funday": {{Open: "09:00", Close: "10:00"}}}},
		{Timezone: "UTC", Weekly: map[string][]contracts.TimeRange{"mon": {{Open: "17:00", Close: "09:00"}}}},
		{Timezone: "UTC", Weekly: map[string][]contracts.TimeRange{"mon": {{Open: "9am", Close: "5pm"}}}},
		{Timezone: "UTC", Holidays: []string{"25/12/2026"}},
	}
	for _, b := range bad {
		if _, err := domain.CheckBusinessHours(b); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%+v accepted", b)
		}
	}
}

func TestWidgetValidation(t *testing.T) {
	w := domain.DefaultSettings().Widget
	w.Color = "#ABCDEF"
	got, err := domain.CheckWidget(w)
	if err != nil || got.Color != "#abcdef" {
		t.Fatalf("%v %v", got.Color, err)
	}
	for field, mutate := range map[string]func(*contracts.WidgetSettings){
		"widget.color":                  func(w *contracts.WidgetSettings) { w.Color = "blue" },
		"widget.position":               func(w *contracts.WidgetSettings) { w.Position = "top" },
		"widget.theme":                  func(w *contracts.WidgetSettings) { w.Theme = "neon" },
		"widget.locale":                 func(w *contracts.WidgetSettings) { w.Locale = "xx" },
		"widget.greeting_delay_seconds": func(w *contracts.WidgetSettings) { w.GreetingDelaySeconds = 9999 },
	} {
		w := domain.DefaultSettings().Widget
		mutate(&w)
		if _, err := domain.CheckWidget(w); apperr.As(err).Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}

func TestAttachmentSettingsValidation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    contracts.AttachmentSettings
		want  []string
		field string
	}{
		{"defaults", contracts.DefaultAttachments(), contracts.DefaultAttachments().Kinds, ""},
		{"no kind is kept as an empty list, not as the defaults", contracts.AttachmentSettings{Enabled: true}, []string{}, ""},
		{"every kind", contracts.AttachmentSettings{Enabled: true, Kinds: contracts.FileKinds}, contracts.FileKinds, ""},
		{"unknown kind", contracts.AttachmentSettings{Enabled: true, Kinds: []string{"image", "exe"}}, nil, "attachments.kinds"},
		{"repeated kind", contracts.AttachmentSettings{Enabled: true, Kinds: []string{"image", "image"}}, nil, "attachments.kinds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := domain.CheckAttachments(tc.in)
			if tc.field != "" {
				if e := apperr.As(err); e.Code != apperr.Invalid || e.Field != tc.field {
					t.Fatalf("err = %v, want invalid %s", err, tc.field)
				}
				return
			}
			if err != nil || !slices.Equal(got.Kinds, tc.want) || got.Kinds == nil || got.Enabled != tc.in.Enabled {
				t.Fatalf("CheckAttachments(%+v) = %+v, %v; want kinds %v", tc.in, got, err, tc.want)
			}
		})
	}
}
