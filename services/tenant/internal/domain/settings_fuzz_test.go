package domain_test

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/parley-chat/parley/services/tenant/internal/domain"
)

// FuzzAllowedDomains: whatever an admin types, an accepted list is already
// normal (normalising it again changes nothing), every origin is exactly
// scheme://host[:port] as net/url reads it (no path, user, query or
// fragment), and an IPv6 host keeps its brackets.
func FuzzAllowedDomains(f *testing.F) {
	for _, s := range []string{"example.com", "https://shop.example.com:8443/", "*.acme.io", "bücher.de", "localhost:3000", "[::1]", "http://[::1]:8080"} {
		f.Add(s, "example.org")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		out, err := domain.CheckAllowedDomains([]string{a, b})
		if err != nil {
			return
		}
		again, err := domain.CheckAllowedDomains(out)
		if err != nil {
			t.Fatalf("CheckAllowedDomains(%q) = %q, which it then refuses: %v", []string{a, b}, out, err)
		}
		if !slices.Equal(again, out) {
			t.Fatalf("not idempotent: %q → %q → %q", []string{a, b}, out, again)
		}
		for _, o := range out {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" ||
				u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" || u.Scheme+"://"+u.Host != o {
				t.Fatalf("%q → origin %q is not scheme://host[:port] (%v)", []string{a, b}, o, err)
			}
			if ip := net.ParseIP(u.Hostname()); ip != nil && strings.Contains(u.Hostname(), ":") && !strings.HasPrefix(u.Host, "[") {
				t.Fatalf("%q → IPv6 origin %q lost its brackets", []string{a, b}, o)
			}
		}
	})
}

// Regression (found by FuzzAllowedDomains): IPv6 hosts lost their brackets,
// so "[::1]" became "http://::1", which the list then refused on re-save.
func TestIPv6AllowedOriginsKeepBrackets(t *testing.T) {
	got, err := domain.CheckAllowedDomains([]string{"[::1]", "https://[0:0::FFFF:7f00:1]:8443"})
	want := []string{"http://[::1]", "https://[::1]", "https://[::ffff:127.0.0.1]:8443"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
	if _, err := domain.CheckAllowedDomains([]string{"http://[fe80::1%25eth0]"}); err == nil {
		t.Fatal("an origin with an IPv6 zone was accepted")
	}
}
