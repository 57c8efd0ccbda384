package allinone_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-chat/parley/pkg/testkit"
)

// One visitor token, or one client IP (an IPv6 /64 counting as one), starts
// at most a tenth of a Free workspace's 100 conversations a month: a loop
// cannot use the quota up for everyone else. The share is counted in the
// database, so the gateway's hourly rate limits (per replica, off here)
// are not what stops it.
func TestAVisitorOrAnIPTakesATenthOfTheQuota(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		plans := filepath.Join(t.TempDir(), "plans.json")
		if err := os.WriteFile(plans, []byte(`{"plans": [
			{"id": "free", "name": "Free", "seats": 2, "conversations_per_month": 100, "features": ["bot_faq"]},
			{"id": "starter", "name": "Starter", "seats": 5, "conversations_per_month": 1000, "features": ["bot_faq"]}
		]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		p := start(t, d, t.TempDir(), map[string]string{
			"PARLEY_STRIPE_SECRET_KEY": "sk_test_e2e", "PARLEY_STRIPE_WEBHOOK_SECRET": e2eWebhookSecret,
			"PARLEY_STRIPE_API_BASE": testkit.StripeMock(t), "PARLEY_STRIPE_PRICE_STARTER": e2ePriceStarter, "PARLEY_PLANS_FILE": plans,
			"PARLEY_TRUSTED_PROXIES": "127.0.0.1", "PARLEY_VISITOR_STARTS_PER_HOUR": "0", "PARLEY_IP_STARTS_PER_HOUR": "0",
		})
		owner := p.signup("Shared Shop")
		key := p.widgetKey(owner)
		startFrom := func(v visitor, ip string) response {
			return p.doHeader("POST", "/api/v1/widget/conversations", map[string]string{"body": "hello", "client_msg_id": msgID()},
				map[string]string{"Authorization": "Bearer " + v.Token, "X-Forwarded-For": ip})
		}
		refused := func(what string, r response, who string) {
			t.Helper()
			r.problem(t, http.StatusTooManyRequests, "rate_limited", "")
			if r.Header.Get("Retry-After") == "" || !strings.Contains(r.str("detail"), who) {
				t.Fatalf("%s: %v %s", what, r.Header, r.Raw)
			}
		}

		loop := p.newVisitor(key)
		for i := range 10 {
			startFrom(loop, fmt.Sprint("203.0.113.", i+1)).must(t, http.StatusCreated)
		}
		refused("the visitor's 11th", startFrom(loop, "203.0.113.50"), "this visitor")

		for range 10 {
			startFrom(p.newVisitor(key), "198.51.100.9").must(t, http.StatusCreated)
		}
		refused("the IP's 11th", startFrom(p.newVisitor(key), "198.51.100.9"), "this network")

		for i := range 10 {
			startFrom(p.newVisitor(key), fmt.Sprintf("2001:db8:5:6::%x", i+1)).must(t, http.StatusCreated)
		}
		refused("the /64's 11th", startFrom(p.newVisitor(key), "2001:db8:5:6:ffff::1"), "this network")

		// 30 of 100 used: everyone else still gets in.
		startFrom(p.newVisitor(key), "192.0.2.77").must(t, http.StatusCreated)
	})
}
