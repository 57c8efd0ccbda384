// Package publicip decides whether an address is on the public internet,
// for the guards that keep Parley from calling into a private network on a
// tenant's behalf (server-side request forgery). IPv6 forms that carry an
// IPv4 address inside them are judged by that IPv4 address, so that
// ::127.0.0.1 or 64:ff9b::10.0.0.1 cannot reach what 127.0.0.1 cannot.
package publicip

import (
	"net/netip"
	"strings"
)

// Public reports whether ip is a public unicast address.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	if v4, ok := embeddedIPv4(ip); ok {
		return Public(v4)
	}
	return true
}

var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2001::/32"),      // Teredo: a tunnel whose far end is an IPv4 host, never a webhook
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
}

var (
	ipv4Compatible = netip.MustParsePrefix("::/96")        // ::a.b.c.d (deprecated, still routed by some stacks)
	nat64          = netip.MustParsePrefix("64:ff9b::/96") // well-known NAT64 prefix
	sixToFour      = netip.MustParsePrefix("2002::/16")    // 6to4: 2002:AABB:CCDD::/48 carries a.b.c.d
)

// embeddedIPv4 returns the IPv4 address an IPv6 transition form carries.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	if !ip.Is6() {
		return netip.Addr{}, false
	}
	b := ip.As16()
	switch {
	case ipv4Compatible.Contains(ip), nat64.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// Host judges the host of a URL as written, before any DNS lookup: literal
// reports whether it is an IP address or a localhost name, and public
// whether such a literal is public. A name that resolves to a private
// address is caught where the connection is dialled, not here.
func Host(host string) (literal, public bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true, false
	}
	ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if err != nil {
		return false, false
	}
	return true, Public(ip)
}
