package ratelimit

import (
	"testing"
	"time"
)

func TestNetworkGroupsAnIPv6SubscriberBlock(t *testing.T) {
	for ip, want := range map[string]string{
		"198.51.100.7":         "198.51.100.7",
		"::ffff:198.51.100.7":  "198.51.100.7",
		"2001:db8:1:2::1":      "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::9": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
	} {
		if got := Network(ip); got != want {
			t.Errorf("Network(%q) = %q, want %q", ip, got, want)
		}
	}
}

func TestBucketRefills(t *testing.T) {
	now := time.Now()
	l := NewBurst(60, time.Minute, 2)
	for i := range 2 {
		if ok, _ := l.Allow("k", now); !ok {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	if ok, wait := l.Allow("k", now); ok || wait != time.Second {
		t.Fatalf("past the burst: %v, wait %s", ok, wait)
	}
	if ok, _ := l.Allow("k", now.Add(time.Second)); !ok {
		t.Fatal("refused after a second's refill")
	}
	if ok, _ := New(0, time.Minute).Allow("k", now); !ok {
		t.Fatal("no limit refused")
	}
}
