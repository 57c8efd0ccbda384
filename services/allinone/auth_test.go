package allinone_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

// The journey of issue 2: sign up, log in, invite, accept, me — on SQLite and PostgreSQL.
func TestSignupLoginInviteAcceptMe(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Acme Coffee")

		r := p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": strings.ToUpper(owner.Email), "password": owner.Password}).must(t, 200)
		if r.str("user.role") != "owner" || r.str("access_token") == "" || r.str("refresh_token") == "" || r.Body["expires_in"] != float64(900) {
			t.Fatalf("login: %s", r.Raw)
		}
		checkAccessToken(t, r.str("access_token"), owner)

		inv := p.do("POST", "/api/v1/invites", owner.Access, map[string]string{"email": "Agent.Smith@Example.com", "role": "agent"}).must(t, 201)
		if !strings.HasPrefix(inv.str("url"), "http://parley.test/accept-invite#") || inv.str("email") != "agent.smith@example.com" {
			t.Fatalf("invite: %s", inv.Raw)
		}
		acc := p.do("POST", "/api/v1/invites/"+inv.str("token")+"/accept", "", map[string]string{"name": "Agent Smith", "password": "matrix has you"}).must(t, 200)
		if acc.str("user.role") != "agent" || acc.str("user.tenant_id") != owner.TenantID {
			t.Fatalf("accept: %s", acc.Raw)
		}
		// The invite is single-use.
		p.do("POST", "/api/v1/invites/"+inv.str("token")+"/accept", "", map[string]string{"name": "Again", "password": "matrix has you"}).problem(t, 404, "not_found", "")

		me := p.do("GET", "/api/v1/me", acc.str("access_token"), nil).must(t, 200)
		if me.str("user.email") != "agent.smith@example.com" || me.str("user.role") != "agent" || me.str("tenant.name") != "Acme Coffee" || me.str("tenant.slug") != "acme-coffee" {
			t.Fatalf("me: %s", me.Raw)
		}
		members := p.do("GET", "/api/v1/members", acc.str("access_token"), nil).must(t, 200)
		if n := len(members.Body["members"].([]any)); n != 2 {
			t.Fatalf("members: %d, want 2", n)
		}
		p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "agent.smith@example.com", "password": "matrix has you"}).must(t, 200)
	})
}

// checkAccessToken decodes (without trusting) the JWT to check its shape.
func checkAccessToken(t *testing.T, tok string, a account) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(raw, dst) != nil {
			t.Fatalf("token part %d: %v", i, err)
		}
	}
	if header["alg"] != "EdDSA" || header["kid"] == "" || claims["iss"] != "parley" || claims["sub"] != a.UserID || claims["tid"] != a.TenantID {
		t.Fatalf("header %v claims %v", header, claims)
	}
	aud, _ := claims["aud"].([]any)
	exp, _ := claims["exp"].(float64)
	iat, _ := claims["iat"].(float64)
	if len(aud) != 1 || aud[0] != "parley-api" || exp-iat != 900 {
		t.Fatalf("aud %v, lifetime %v", aud, exp-iat)
	}
}

func TestSignupValidation(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	valid := func() map[string]any {
		return map[string]any{"business_name": "Biz", "name": "Ann", "email": uniqueEmail("v"), "password": "long enough pw"}
	}
	cases := []struct {
		field string
		value any
	}{
		{"business_name", ""},
		{"business_name", strings.Repeat("b", 101)},
		{"name", "   "},
		{"name", strings.Repeat("n", 101)},
		{"email", "not-an-email"},
		{"email", ""},
		{"email", strings.Repeat("e", 250) + "@example.com"},
		{"password", "123456789"},
		{"password", ""},
		{"password", strings.Repeat("p", 300)},
		{"email", 42},
	}
	for _, c := range cases {
		body := valid()
		body[c.field] = c.value
		p.do("POST", "/api/v1/signup", "", body).problem(t, 400, "invalid", c.field)
	}
	body := valid()
	delete(body, "password")
	p.do("POST", "/api/v1/signup", "", body).problem(t, 400, "invalid", "password")

	taken := valid()
	p.do("POST", "/api/v1/signup", "", taken).must(t, 201)
	taken["email"] = strings.ToUpper(taken["email"].(string))
	p.do("POST", "/api/v1/signup", "", taken).problem(t, 409, "conflict", "")
}

func TestMalformedRequestsAreClientErrors(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Strict Inc")
	huge := `{"business_name":"` + strings.Repeat("x", 1<<20) + `"}`
	cases := []struct {
		name        string
		body        string
		contentType string
		status      int
		code, field string
	}{
		{"malformed JSON", `{"email": `, "application/json", 400, "invalid", ""},
		{"not an object", `[1,2]`, "application/json", 400, "invalid", ""},
		{"null", `null`, "application/json", 400, "invalid", ""},
		{"trailing data", `{"email":"a@b.co"} {}`, "application/json", 400, "invalid", ""},
		{"empty body", ``, "application/json", 400, "invalid", ""},
		{"unknown field", `{"tenant_id":"evil"}`, "application/json", 400, "invalid", "tenant_id"},
		{"wrong content type", `{"email":"a@b.co"}`, "text/plain", 415, "unsupported_media", ""},
		{"no content type", `{"email":"a@b.co"}`, "", 415, "unsupported_media", ""},
		{"over 1 MiB", huge, "application/json", 413, "too_large", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/signup", "/api/v1/auth/login", "/api/v1/invites"} {
				p.doWith("POST", path, owner.Access, c.body, c.contentType).problem(t, c.status, c.code, c.field)
			}
		})
	}
	p.do("GET", "/api/v1/nowhere", "", nil).problem(t, 404, "not_found", "")
	p.do("PUT", "/api/v1/signup", "", nil).problem(t, 405, "method_not_allowed", "")
}

func TestLoginFailuresLookAlikeAndAreLimited(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), map[string]string{"PARLEY_LOGIN_MAX_FAILURES": "3"})
	owner := p.signup("Locked Out Ltd")

	wrong := p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": "wrong password!"})
	unknown := p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "nobody@example.com", "password": "wrong password!"})
	wrong.problem(t, 401, "unauthenticated", "")
	unknown.problem(t, 401, "unauthenticated", "")
	if wrong.str("detail") != unknown.str("detail") {
		t.Fatalf("wrong password %q and unknown email %q differ", wrong.str("detail"), unknown.str("detail"))
	}
	p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": "wrong again!!"}).problem(t, 401, "unauthenticated", "")
	p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": "and again!!!"}).problem(t, 401, "unauthenticated", "")
	// Three failures for the email: now even the right password waits.
	locked := p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": owner.Password})
	locked.problem(t, 429, "rate_limited", "")
	if s, err := strconv.Atoi(locked.Header.Get("Retry-After")); err != nil || s < 1 || s > 15*60 {
		t.Fatalf("Retry-After = %q", locked.Header.Get("Retry-After"))
	}
	// The IP's limit is ten times the email's: 30 failures, across emails.
	for i := 4; i < 30; i++ {
		p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": uniqueEmail("spray"), "password": "guess guess"}).problem(t, 401, "unauthenticated", "")
	}
	p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": uniqueEmail("spray"), "password": "guess guess"}).problem(t, 429, "rate_limited", "")
}

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Rotating Co")

		second := p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": owner.Refresh}).must(t, 200)
		if second.str("refresh_token") == owner.Refresh || second.str("access_token") == "" {
			t.Fatalf("not rotated: %s", second.Raw)
		}
		third := p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": second.str("refresh_token")}).must(t, 200)
		p.do("GET", "/api/v1/me", third.str("access_token"), nil).must(t, 200)

		// The first token, already used, comes back: the whole family ends.
		p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": owner.Refresh}).problem(t, 401, "unauthenticated", "")
		p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": third.str("refresh_token")}).problem(t, 401, "unauthenticated", "")
		testkit.Eventually(t, 5*time.Second, func() error {
			if r := p.do("GET", "/api/v1/me", third.str("access_token"), nil); r.Status != 401 {
				return fmt.Errorf("access token of the revoked family still works: %d", r.Status)
			}
			return nil
		})
		// Other sessions of the same user are untouched.
		other := p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": owner.Password}).must(t, 200)
		p.do("GET", "/api/v1/me", other.str("access_token"), nil).must(t, 200)

		for _, bad := range []string{"", "garbage", owner.TenantID + ".short", other.str("access_token")} {
			p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": bad}).problem(t, 401, "unauthenticated", "")
		}
	})
}

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Bye Bye")
	p.do("POST", "/api/v1/auth/logout", owner.Access, nil).must(t, 204)
	p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": owner.Refresh}).problem(t, 401, "unauthenticated", "")
	testkit.Eventually(t, 5*time.Second, func() error {
		if r := p.do("GET", "/api/v1/me", owner.Access, nil); r.Status != 401 {
			return fmt.Errorf("access token still works after logout: %d", r.Status)
		}
		return nil
	})
}

func TestProtectedRoutesNeedAValidToken(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Guarded")
	tampered := owner.Access[:len(owner.Access)-4] + "AAAA"
	for _, tok := range []string{"", "not.a.jwt", tampered, strings.Repeat("a.", 5000)} {
		r := p.do("GET", "/api/v1/me", tok, nil)
		r.problem(t, 401, "unauthenticated", "")
		if r.Header.Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
	}
}

func TestJWKSPublishesTheSigningKey(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	r := p.do("GET", "/.well-known/jwks.json", "", nil).must(t, 200)
	keys, _ := r.Body["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("jwks: %s", r.Raw)
	}
	k := keys[0].(map[string]any)
	if k["kty"] != "OKP" || k["crv"] != "Ed25519" || k["alg"] != "EdDSA" || k["kid"] == "" {
		t.Fatalf("key: %v", k)
	}
	if _, ok := k["d"]; ok {
		t.Fatal("the JWKS leaks a private key")
	}
}

// A member edits their name and changes their password; every other session
// of theirs ends, the current one goes on.
func TestProfileAndPasswordChange(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Profiles")
	elsewhere := p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": owner.Password}).must(t, 200)

	if r := p.do("PATCH", "/api/v1/me", owner.Access, map[string]string{"name": "  Ann Bee "}).must(t, 200); r.str("name") != "Ann Bee" {
		t.Fatalf("profile: %s", r.Raw)
	}
	p.do("PATCH", "/api/v1/me", owner.Access, map[string]string{"name": ""}).problem(t, 400, "invalid", "name")
	p.do("POST", "/api/v1/me/password", owner.Access, map[string]string{"current_password": "not it at all", "new_password": "a brand new password"}).problem(t, 400, "invalid", "current_password")
	p.do("POST", "/api/v1/me/password", owner.Access, map[string]string{"current_password": owner.Password, "new_password": "short"}).problem(t, 400, "invalid", "new_password")
	p.do("POST", "/api/v1/me/password", owner.Access, map[string]string{"current_password": owner.Password, "new_password": "a brand new password"}).must(t, 204)

	p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": elsewhere.str("refresh_token")}).problem(t, 401, "unauthenticated", "")
	testkit.Eventually(t, 5*time.Second, func() error {
		if r := p.do("GET", "/api/v1/me", elsewhere.str("access_token"), nil); r.Status != 401 {
			return fmt.Errorf("the other session still works: %d", r.Status)
		}
		return nil
	})
	p.do("GET", "/api/v1/me", owner.Access, nil).must(t, 200)
	p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": owner.Refresh}).must(t, 200)
	p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": owner.Password}).problem(t, 401, "unauthenticated", "")
	p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": "a brand new password"}).must(t, 200)
}

// A successful login forgives the email's earlier failures, so a member who
// mistypes now and then is never locked out by old typos.
func TestASuccessfulLoginClearsTheEmailsFailures(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), map[string]string{"PARLEY_LOGIN_MAX_FAILURES": "3"})
	owner := p.signup("Typo Ltd")
	login := func(password string) response {
		return p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": password})
	}
	for range 2 {
		for range 2 {
			login("a typo, again").problem(t, 401, "unauthenticated", "")
		}
		login(owner.Password).must(t, 200)
	}
}

// A browser that signed in before keeps its own allowance of failures (its
// device cookie): whoever hammers an email from elsewhere locks only
// themselves out, not the email's owner. The device's allowance is its own
// limit, a forged or spent cookie earns nothing.
func TestFailuresElsewhereDoNotLockOutAKnownDevice(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), map[string]string{"PARLEY_LOGIN_MAX_FAILURES": "3"})
	owner := p.signup("Device Cookie Co")
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Transport: p.http.Transport, Jar: jar}
	login := func(c *http.Client, password, cookie string) (int, string) {
		body, _ := json.Marshal(map[string]string{"email": owner.Email, "password": password})
		req, _ := http.NewRequest("POST", p.URL+"/api/v1/auth/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if cookie != "" {
			req.Header.Set("Cookie", "parley_device="+cookie)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, ck := range res.Cookies() {
			if ck.Name == "parley_device" {
				if !ck.HttpOnly || ck.Path != "/api/v1/auth/login" || ck.SameSite != http.SameSiteStrictMode {
					t.Errorf("device cookie %+v: want httpOnly, SameSite=Strict, on the login route only", ck)
				}
				return res.StatusCode, ck.Value
			}
		}
		return res.StatusCode, ""
	}
	status, first := login(browser, owner.Password, "")
	if status != 200 || first == "" {
		t.Fatalf("first sign-in: %d, device cookie %q", status, first)
	}
	status, second := login(browser, owner.Password, "") // the jar sends the cookie
	if status != 200 || second == "" || second == first {
		t.Fatalf("second sign-in: %d, device cookie renewed %q → %q", status, first, second)
	}

	// Someone else fails three times: that email is locked for them...
	for range 3 {
		p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": "a wrong guess"}).problem(t, 401, "unauthenticated", "")
	}
	p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": owner.Password}).problem(t, 429, "rate_limited", "")
	// ...and for a forged cookie, or the spent first one...
	if status, _ := login(http.DefaultClient, owner.Password, "forged-device-token"); status != 429 {
		t.Errorf("a forged device cookie: %d, want 429", status)
	}
	if status, _ := login(http.DefaultClient, owner.Password, first); status != 429 {
		t.Errorf("a spent device cookie: %d, want 429", status)
	}
	// ...but the owner's browser signs in.
	if status, _ := login(browser, owner.Password, ""); status != 200 {
		t.Fatalf("the known device was locked out with the email: %d", status)
	}
	// The device has its own limit: three failures from it, then it waits too.
	for range 3 {
		if status, _ := login(browser, "the owner mistypes", ""); status != 401 {
			t.Fatalf("a wrong password from the device: %d, want 401", status)
		}
	}
	if status, _ := login(browser, owner.Password, ""); status != 429 {
		t.Errorf("after its own failures the device: %d, want 429", status)
	}
}
