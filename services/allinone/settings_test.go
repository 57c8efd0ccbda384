package allinone_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parley-chat/parley/pkg/testkit"
)

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func TestSettingsValidation(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Configurable")
	agent := p.invite(owner, "agent")
	p.do("GET", "/api/v1/settings", agent.Access, nil).problem(t, 403, "forbidden", "")
	p.do("PATCH", "/api/v1/settings", agent.Access, map[string]any{"offline_message": "hi"}).problem(t, 403, "forbidden", "")

	s := p.do("GET", "/api/v1/settings", owner.Access, nil).must(t, 200)
	widget := s.Body["widget"].(map[string]any)
	widget["color"] = "#FF0000"
	got := p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{
		"widget": widget, "allowed_domains": []string{"example.com"}, "offline_message": "Back soon!", "agent_open_limit": 3,
		"business_hours": map[string]any{"enabled": true, "timezone": "Europe/Berlin",
			"weekly": map[string]any{"mon": []map[string]string{{"open": "09:00", "close": "17:00"}}}, "holidays": []string{"2026-12-24"}},
	}).must(t, 200)
	if got.str("widget.color") != "#ff0000" || mustJSON(got.Body["allowed_domains"]) != `["http://example.com","https://example.com"]` || got.Body["agent_open_limit"] != float64(3) {
		t.Fatalf("settings: %s", got.Raw)
	}
	bad := func(field string, body map[string]any) {
		t.Helper()
		p.do("PATCH", "/api/v1/settings", owner.Access, body).problem(t, 400, "invalid", field)
	}
	w := func(k string, v any) map[string]any {
		c := map[string]any{}
		for kk, vv := range widget {
			c[kk] = vv
		}
		c[k] = v
		return map[string]any{"widget": c}
	}
	bad("widget.color", w("color", "red"))
	bad("widget.position", w("position", "middle"))
	bad("widget.theme", w("theme", "sepia"))
	bad("allowed_domains", map[string]any{"allowed_domains": []string{"https://x.com/path"}})
	bad("business_hours.timezone", map[string]any{"business_hours": map[string]any{"enabled": true, "timezone": "Nowhere/City"}})
	bad("offline_message", map[string]any{"offline_message": ""})
	bad("agent_open_limit", map[string]any{"agent_open_limit": -1})
	bad("widget", map[string]any{"widget": "blue"})
	bad("attachments.kinds", map[string]any{"attachments": map[string]any{"enabled": true, "kinds": []string{"image", "exe"}}})
	// Nothing was half-applied by the refused patches.
	if again := p.do("GET", "/api/v1/settings", owner.Access, nil).must(t, 200); again.str("offline_message") != "Back soon!" || again.str("widget.color") != "#ff0000" {
		t.Fatalf("a refused patch changed settings: %s", again.Raw)
	}

	// Files in the chat: on by default for every kind but "other"; turning
	// every kind off stays off rather than reading back as the defaults.
	if a := mustJSON(s.Body["attachments"]); a != `{"enabled":true,"kinds":["image","document","archive","media"]}` {
		t.Fatalf("default attachments: %s", a)
	}
	p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"attachments": map[string]any{"enabled": false, "kinds": []string{}}}).must(t, 200)
	if a := mustJSON(p.do("GET", "/api/v1/settings", owner.Access, nil).must(t, 200).Body["attachments"]); a != `{"enabled":false,"kinds":[]}` {
		t.Fatalf("attachments after turning them off: %s", a)
	}
}

func TestCannedResponses(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Canned Co")
		agent := p.invite(owner, "agent")
		other := p.signup("Other Co")
		c := p.do("POST", "/api/v1/canned-responses", agent.Access, map[string]string{"shortcut": "/Hello", "body": "Hi there! How can I help?"}).must(t, 201)
		if c.str("shortcut") != "hello" {
			t.Fatalf("create: %s", c.Raw)
		}
		p.do("POST", "/api/v1/canned-responses", owner.Access, map[string]string{"shortcut": "hello", "body": "dup"}).problem(t, 409, "conflict", "")
		p.do("POST", "/api/v1/canned-responses", owner.Access, map[string]string{"shortcut": "has space", "body": "x"}).problem(t, 400, "invalid", "shortcut")
		p.do("POST", "/api/v1/canned-responses", owner.Access, map[string]string{"shortcut": "empty", "body": " "}).problem(t, 400, "invalid", "body")
		p.do("POST", "/api/v1/canned-responses", owner.Access, map[string]string{"body": "no shortcut"}).problem(t, 400, "invalid", "shortcut")
		p.do("POST", "/api/v1/canned-responses", owner.Access, map[string]string{"shortcut": "bye", "body": "Bye!"}).must(t, 201)
		list := p.do("GET", "/api/v1/canned-responses", owner.Access, nil).must(t, 200)
		items := list.Body["canned_responses"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["shortcut"] != "bye" {
			t.Fatalf("list (by shortcut): %s", list.Raw)
		}
		id := c.str("id")
		if u := p.do("PATCH", "/api/v1/canned-responses/"+id, owner.Access, map[string]string{"body": "Hello again"}).must(t, 200); u.str("body") != "Hello again" || u.str("shortcut") != "hello" {
			t.Fatalf("update: %s", u.Raw)
		}
		p.do("PATCH", "/api/v1/canned-responses/"+id, owner.Access, map[string]string{"shortcut": "bye"}).problem(t, 409, "conflict", "")
		p.do("PATCH", "/api/v1/canned-responses/"+id, other.Access, map[string]string{"body": "hijack"}).problem(t, 404, "not_found", "")
		p.do("DELETE", "/api/v1/canned-responses/"+id, other.Access, nil).problem(t, 404, "not_found", "")
		if r := p.do("GET", "/api/v1/canned-responses", other.Access, nil).must(t, 200); len(r.Body["canned_responses"].([]any)) != 0 {
			t.Fatalf("another tenant lists %s", r.Raw)
		}
		p.do("DELETE", "/api/v1/canned-responses/"+id, agent.Access, nil).must(t, 204)
		p.do("DELETE", "/api/v1/canned-responses/"+id, agent.Access, nil).problem(t, 404, "not_found", "")
	})
}

// Browsers keep the refresh token in an httpOnly cookie that scripts cannot read.
func TestRefreshTokenCookieMode(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Cookie Jar")
	call := func(path, token, body string, cookie *http.Cookie) *http.Response {
		req, _ := http.NewRequest("POST", p.URL+path, stringsReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Parley-Refresh", "cookie")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		res, err := p.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	refreshCookie := func(res *http.Response) *http.Cookie {
		for _, c := range res.Cookies() {
			if c.Name == "parley_refresh" {
				return c
			}
		}
		return nil
	}
	login := call("/api/v1/auth/login", "", `{"email":"`+owner.Email+`","password":"`+owner.Password+`"}`, nil)
	body := readAll(login)
	ck := refreshCookie(login)
	if login.StatusCode != 200 || ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/api/v1/auth" {
		t.Fatalf("login in cookie mode: %d %+v", login.StatusCode, ck)
	}
	if strings.Contains(body, "refresh_token") || strings.Contains(body, ck.Value) {
		t.Fatalf("the body still carries the refresh token: %s", body)
	}
	refreshed := call("/api/v1/auth/refresh", "", `{}`, ck)
	next := refreshCookie(refreshed)
	if refreshed.StatusCode != 200 || next == nil || next.Value == ck.Value {
		t.Fatalf("refresh with the cookie: %d %+v", refreshed.StatusCode, next)
	}
	readAll(refreshed)
	if again := call("/api/v1/auth/refresh", "", `{}`, ck); again.StatusCode != 401 {
		t.Fatalf("the rotated cookie was accepted again: %d", again.StatusCode)
	}
	if none := call("/api/v1/auth/refresh", "", `{}`, nil); none.StatusCode != 401 {
		t.Fatalf("refresh without a cookie: %d", none.StatusCode)
	}
}

func readAll(res *http.Response) string {
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
