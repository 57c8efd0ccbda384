package domain_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/services/tenant/internal/domain"
)

func TestSlug(t *testing.T) {
	cases := map[string]string{
		"Acme Coffee":                "acme-coffee",
		"  Ünïcode & Co.  ":          "n-code-co",
		"!!!":                        "team",
		strings.Repeat("abcde ", 20): "abcde-abcde-abcde-abcde-abcde-abcde-abcd",
	}
	for in, want := range cases {
		if got := domain.Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWidgetKeysAreUnguessable(t *testing.T) {
	a, b := domain.NewWidgetKey(), domain.NewWidgetKey()
	if a == b || !strings.HasPrefix(a, "wk_") || len(a) != 27 {
		t.Fatalf("keys %q %q", a, b)
	}
}
