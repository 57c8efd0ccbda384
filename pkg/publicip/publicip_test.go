package publicip_test

import (
	"net/netip"
	"testing"

	"github.com/parley-chat/parley/pkg/publicip"
)

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34":            true,
		"2606:4700::1111":          true,
		"127.0.0.1":                false,
		"10.1.2.3":                 false,
		"169.254.169.254":          false, // cloud metadata
		"100.64.0.1":               false,
		"::1":                      false,
		"::":                       false,
		"::ffff:127.0.0.1":         false,
		"fe80::1":                  false,
		"fd00::1":                  false,
		"::127.0.0.1":              false, // IPv4-compatible
		"::10.0.0.1":               false,
		"::93.184.216.34":          true,
		"64:ff9b::127.0.0.1":       false, // NAT64
		"64:ff9b::a9fe:a9fe":       false, // NAT64 of 169.254.169.254
		"64:ff9b::93.184.216.34":   true,
		"2002:7f00:1::1":           false, // 6to4 of 127.0.0.1
		"2002:a00:1::":             false, // 6to4 of 10.0.1.0
		"2002:5db8:d822::1":        true,  // 6to4 of 93.184.216.34
		"2001:0:4136:e378::1":      false, // Teredo
		"2001:db8::1":              false,
		"64:ff9b:1::1":             false,
		"ff02::1":                  false,
		"::ffff:169.254.169.254":   false,
		"::ffff:93.184.216.34":     true,
		"2002:c0a8:101::1":         false, // 6to4 of 192.168.1.1
		"64:ff9b::c0a8:101":        false, // NAT64 of 192.168.1.1
		"::c0a8:101":               false, // IPv4-compatible 192.168.1.1
		"0.0.0.0":                  false,
		"255.255.255.255":          false,
		"198.18.0.1":               false,
		"192.0.0.8":                false,
		"fec0::1":                  false,
		"2a00:1450:4007:80e::200e": true,
	} {
		if got := publicip.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestHost(t *testing.T) {
	for _, tc := range []struct {
		host            string
		literal, public bool
	}{
		{"example.com", false, false},
		{"localhost", true, false},
		{"LOCALHOST.", true, false},
		{"api.localhost", true, false},
		{"127.0.0.1", true, false},
		{"[::1]", true, false},
		{"[::127.0.0.1]", true, false},
		{"[64:ff9b::7f00:1]", true, false},
		{"93.184.216.34", true, true},
		{"[2606:4700::1111]", true, true},
	} {
		literal, public := publicip.Host(tc.host)
		if literal != tc.literal || public != tc.public {
			t.Errorf("Host(%q) = %v, %v; want %v, %v", tc.host, literal, public, tc.literal, tc.public)
		}
	}
}

// FuzzPublic: an IPv6 form that embeds an IPv4 address is never more public
// than that address.
func FuzzPublic(f *testing.F) {
	f.Add([]byte{127, 0, 0, 1})
	f.Add([]byte{10, 0, 0, 1})
	f.Add([]byte{93, 184, 216, 34})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 4 {
			return
		}
		v4 := netip.AddrFrom4([4]byte(b[:4]))
		var compat, nat, six [16]byte
		copy(compat[12:], b[:4])
		copy(nat[:], netip.MustParseAddr("64:ff9b::").AsSlice())
		copy(nat[12:], b[:4])
		six[0], six[1] = 0x20, 0x02
		copy(six[2:6], b[:4])
		for _, a := range [][16]byte{compat, nat, six} {
			if publicip.Public(netip.AddrFrom16(a)) && !publicip.Public(v4) {
				t.Fatalf("%s is public but the %s it carries is not", netip.AddrFrom16(a), v4)
			}
		}
	})
}
