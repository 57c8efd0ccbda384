package app

import "testing"

func TestIPHashGroupsAnIPv6BlockAndTheTenant(t *testing.T) {
	same := [][2]string{{"198.51.100.7", "::ffff:198.51.100.7"}, {"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"}}
	for _, p := range same {
		if ipHash("t1", p[0]) != ipHash("t1", p[1]) {
			t.Errorf("%s and %s hash apart", p[0], p[1])
		}
	}
	if ipHash("t1", "2001:db8:1:2::1") == ipHash("t1", "2001:db8:1:3::1") || ipHash("t1", "198.51.100.7") == ipHash("t2", "198.51.100.7") {
		t.Error("different networks or tenants hash alike")
	}
}
