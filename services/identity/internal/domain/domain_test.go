package domain_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/identity/internal/domain"
)

func TestPasswordsAndNames(t *testing.T) {
	if err := domain.CheckPassword("password", "123456789"); apperr.As(err).Field != "password" {
		t.Errorf("9 characters accepted: %v", err)
	}
	if err := domain.CheckPassword("password", "ünïcödé-10"); err != nil {
		t.Errorf("10 unicode characters refused: %v", err)
	}
	if err := domain.CheckPassword("password", strings.Repeat("x", 300)); err == nil {
		t.Error("300-byte password accepted")
	}
	if _, err := domain.CleanName("name", strings.Repeat("n", 101)); err == nil {
		t.Error("101-character name accepted")
	}
	if _, err := domain.CleanName("name", "bad\x00name"); err == nil {
		t.Error("control character accepted")
	}
	if n, err := domain.CleanName("name", "  Ann  "); err != nil || n != "Ann" {
		t.Errorf("name not trimmed: %q %v", n, err)
	}
}

func TestRoleChanges(t *testing.T) {
	const (
		owner = contracts.RoleOwner
		admin = contracts.RoleAdmin
		agent = contracts.RoleAgent
	)
	cases := []struct {
		name            string
		actor, from, to contracts.Role
		owners          int
		want            apperr.Code
	}{
		{"admin promotes agent", admin, agent, admin, 1, ""},
		{"agent cannot", agent, agent, admin, 1, apperr.Forbidden},
		{"admin cannot make owners", admin, agent, owner, 1, apperr.Forbidden},
		{"admin cannot demote owners", admin, owner, agent, 2, apperr.Forbidden},
		{"owner demotes another owner", owner, owner, admin, 2, ""},
		{"last owner stays", owner, owner, admin, 1, apperr.Conflict},
		{"unknown role", owner, agent, "root", 1, apperr.Invalid},
	}
	for _, c := range cases {
		if got := apperr.CodeOf(domain.CanChangeRole(c.actor, c.from, c.to, c.owners)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	if got := apperr.CodeOf(domain.CanRemove(owner, owner, 1)); got != apperr.Conflict {
		t.Errorf("removing the last owner: %q", got)
	}
	if got := apperr.CodeOf(domain.CanRemove(admin, owner, 2)); got != apperr.Forbidden {
		t.Errorf("admin removing an owner: %q", got)
	}
}

func TestPickLocale(t *testing.T) {
	cases := map[string]string{
		"fr":                      "fr",
		"de-CH,de;q=0.9,en;q=0.8": "de",
		"ja, es-MX;q=0.8":         "es",
		"ES":                      "es",
		"ja,zh":                   "",
		"":                        "",
		"english":                 "",
	}
	for in, want := range cases {
		if got := domain.PickLocale(in); got != want {
			t.Errorf("PickLocale(%q) = %q, want %q", in, got, want)
		}
	}
	if got := domain.LocaleOr("ja", "fr"); got != "fr" {
		t.Errorf("fallback: %q", got)
	}
	if got := domain.LocaleOr("ja", ""); got != "en" {
		t.Errorf("default: %q", got)
	}
}
