package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/config"
)

func TestEmailOffByDefaultWithDefaultsFromThePublicURL(t *testing.T) {
	c, err := config.Load(env(map[string]string{"PARLEY_PUBLIC_URL": "https://chat.example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Email
	if e.Enabled() || e.From != "Parley <no-reply@chat.example.com>" || e.InboundDomain != "chat.example.com" || e.InboundSMTPAddr != "" {
		t.Fatalf("email defaults = %+v", e)
	}
	if e.VisitorDelay != time.Minute || e.DigestInterval != 5*time.Minute {
		t.Fatalf("timing defaults = %+v", e)
	}
}

func TestEmailSettingsAreRead(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"PARLEY_SMTP_URL": "smtps://u:p@mail.example.com:465", "PARLEY_EMAIL_FROM": "Help <help@shop.example>",
		"PARLEY_INBOUND_SMTP_ADDR": ":2525", "PARLEY_INBOUND_DOMAIN": "Reply.Shop.Example",
		"PARLEY_NOTIFY_VISITOR_DELAY": "2s", "PARLEY_NOTIFY_DIGEST_INTERVAL": "3s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Email
	if !e.Enabled() || e.From != "Help <help@shop.example>" || e.InboundSMTPAddr != ":2525" || e.InboundDomain != "reply.shop.example" ||
		e.VisitorDelay != 2*time.Second || e.DigestInterval != 3*time.Second {
		t.Fatalf("email = %+v", e)
	}
}

func TestEmailErrorsNameTheVariable(t *testing.T) {
	cases := map[string]string{
		"PARLEY_SMTP_URL":               "http://mail.example.com",
		"PARLEY_EMAIL_FROM":             "not an address",
		"PARLEY_INBOUND_SMTP_ADDR":      "2525",
		"PARLEY_INBOUND_DOMAIN":         "a b",
		"PARLEY_NOTIFY_VISITOR_DELAY":   "0s",
		"PARLEY_NOTIFY_DIGEST_INTERVAL": "soon",
	}
	for name, value := range cases {
		_, err := config.Load(env(map[string]string{name: value}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: err = %v, want one naming %s", name, value, err, name)
		}
	}
	if _, err := config.Load(env(map[string]string{"PARLEY_SMTP_URL": "smtp://"})); err == nil || !strings.Contains(err.Error(), "PARLEY_SMTP_URL") {
		t.Errorf("smtp url without host: %v", err)
	}
}
