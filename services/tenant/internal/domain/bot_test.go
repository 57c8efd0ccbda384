package domain_test

import (
	"testing"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/tenant/internal/domain"
)

func TestCheckBotNamesTheFieldAtFault(t *testing.T) {
	valid := func() contracts.BotConfig {
		c := domain.DefaultBot()
		c.Enabled, c.Skills = true, []string{contracts.SkillFAQ}
		c.FAQ.Entries = []contracts.FAQEntry{{Question: "When are you open?", Answer: "9 to 5."}}
		return c
	}
	if got, err := domain.CheckBot(valid(), false); err != nil || got.FAQ.Entries[0].ID == "" {
		t.Fatalf("a valid bot: %v, entry id %q", err, got.FAQ.Entries[0].ID)
	}
	cases := map[string]struct {
		edit      func(*contracts.BotConfig)
		allowHTTP bool
		field     string
	}{
		"unknown skill":     {func(c *contracts.BotConfig) { c.Skills = []string{"telepathy"} }, false, "skills"},
		"skill twice":       {func(c *contracts.BotConfig) { c.Skills = []string{"faq", "faq"} }, false, "skills"},
		"enabled, no skill": {func(c *contracts.BotConfig) { c.Skills = nil }, false, "skills"},
		"faq without entry": {func(c *contracts.BotConfig) { c.FAQ.Entries = nil }, false, "faq.entries"},
		"threshold above 1": {func(c *contracts.BotConfig) { c.FAQ.Threshold = 1.5 }, false, "faq.threshold"},
		"empty answer":      {func(c *contracts.BotConfig) { c.FAQ.Entries[0].Answer = " " }, false, "faq.entries[0].answer"},
		"plain http order server": {func(c *contracts.BotConfig) {
			c.Skills = append(c.Skills, contracts.SkillOrderStatus)
			c.OrderStatus.URL = "http://shop.example.com/orders"
		}, false, "order_status.url"},
		"credentials in the url": {func(c *contracts.BotConfig) {
			c.Skills = append(c.Skills, contracts.SkillExternal)
			c.External.URL = "https://user:pw@bot.example.com/"
		}, true, "external.url"},
		"loopback order server": {func(c *contracts.BotConfig) {
			c.Skills = append(c.Skills, contracts.SkillOrderStatus)
			c.OrderStatus.URL = "https://127.0.0.1/orders"
		}, false, "order_status.url"},
		"metadata address in IPv6 form": {func(c *contracts.BotConfig) {
			c.Skills = append(c.Skills, contracts.SkillExternal)
			c.External.URL = "https://[64:ff9b::a9fe:a9fe]/latest/meta-data"
		}, false, "external.url"},
		"localhost bot": {func(c *contracts.BotConfig) {
			c.Skills = append(c.Skills, contracts.SkillExternal)
			c.External.URL = "https://localhost:8443/bot"
		}, false, "external.url"},
		"a service of 2 minutes": {func(c *contracts.BotConfig) {
			c.Skills = append(c.Skills, contracts.SkillAppointments)
			c.Appointments.Services = []contracts.AppointmentService{{Name: "Fitting", DurationMinutes: 2}}
		}, false, "appointments.services[0].duration_minutes"},
	}
	for name, tc := range cases {
		c := valid()
		tc.edit(&c)
		_, err := domain.CheckBot(c, tc.allowHTTP)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != tc.field {
			t.Errorf("%s: got %v, want a 400 naming %s", name, err, tc.field)
		}
	}
}

func TestPlainHTTPWebhooksOnlyWhenTheOperatorAllowsThem(t *testing.T) {
	c := domain.DefaultBot()
	c.Enabled, c.Skills = true, []string{contracts.SkillOrderStatus}
	c.OrderStatus.URL = "http://orders.internal:8080/status"
	if _, err := domain.CheckBot(c, false); err == nil {
		t.Fatal("http:// accepted without PARLEY_BOT_ALLOW_PRIVATE_NETWORKS")
	}
	if _, err := domain.CheckBot(c, true); err != nil {
		t.Fatalf("http:// refused although allowed: %v", err)
	}
	c.OrderStatus.URL = "http://127.0.0.1:8080/status"
	if _, err := domain.CheckBot(c, true); err != nil {
		t.Fatalf("a loopback server refused although private networks are allowed: %v", err)
	}
}

func TestSecretsAreKeptWhenASaveLeavesThemEmptyAndNeverShown(t *testing.T) {
	stored := domain.DefaultBot()
	stored.OrderStatus.Secret, stored.External.Secret = "os-secret", "ext-secret"
	next := domain.DefaultBot()
	next.External.Secret = "rotated"
	merged := domain.MergeSecrets(next, stored)
	if merged.OrderStatus.Secret != "os-secret" || merged.External.Secret != "rotated" {
		t.Fatalf("merged: %+v %+v", merged.OrderStatus, merged.External)
	}
	masked := domain.Masked(merged)
	if masked.OrderStatus.Secret != "" || masked.External.Secret != "" || !masked.OrderStatus.SecretSet || !masked.External.SecretSet {
		t.Fatalf("masked: %+v %+v", masked.OrderStatus, masked.External)
	}
	next.Skills = []string{contracts.SkillOrderStatus}
	next.OrderStatus.Secret = ""
	if e := apperr.As(domain.RequireSecrets(next)); e == nil || e.Field != "order_status.secret" {
		t.Fatalf("an order-status skill without a secret: %v", e)
	}
}
