package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hawker/auth"
	"hawker/users"
)

func TestAPILoginMeLogout(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	c := f.anon()
	resp := c.api("POST", "/api/v1/login", map[string]string{"login": "officer", "password": fixturePassword})
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d %s", resp.StatusCode, readBody(t, resp))
	}
	var body struct {
		User struct {
			ID    int64  `json:"id"`
			Login string `json:"login"`
			Role  string `json:"role"`
		} `json:"user"`
		CSRF string `json:"csrf_token"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	if body.User.ID != f.users["officer"].ID || body.User.Login != "officer" || body.User.Role != "officer" || body.CSRF == "" {
		t.Fatalf("login body = %+v", body)
	}
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax", cookie)
	}
	c.csrf = body.CSRF
	if got := f.auditActions("user:" + itoa(body.User.ID)); len(got) == 0 || got[len(got)-1] != "auth.sign_in" {
		t.Errorf("audit after sign-in = %v", got)
	}
	if resp := c.api("GET", "/api/v1/me", nil); resp.StatusCode != 200 || !strings.Contains(readBody(t, resp), `"login":"officer"`) {
		t.Fatalf("me: %d", resp.StatusCode)
	}
	if resp := c.api("POST", "/api/v1/logout", nil); resp.StatusCode != 204 {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp := c.api("GET", "/api/v1/me", nil); resp.StatusCode != 401 || apiError(t, resp) != "unauthenticated" {
		t.Fatalf("me after logout: %d", resp.StatusCode)
	}
	got := f.auditActions("user:" + itoa(body.User.ID))
	if got[len(got)-1] != "auth.sign_out" {
		t.Errorf("audit after sign-out = %v", got)
	}

	// Bad credentials: 401 with the interfaces.md error shape.
	resp = f.anon().api("POST", "/api/v1/login", map[string]string{"login": "officer", "password": "wrong password"})
	if resp.StatusCode != 401 || apiError(t, resp) != "unauthenticated" {
		t.Fatalf("bad password: %d", resp.StatusCode)
	}
	// A form-encoded body is refused: a cross-site form cannot sign anyone in.
	resp = f.anon().do("POST", "/api/v1/login", strings.NewReader("login=officer&password="+url.QueryEscape(fixturePassword)),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != 400 {
		t.Fatalf("form-encoded API login: %d", resp.StatusCode)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSecureCookieOutsideDev(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t, func(d *Deps) { d.Dev = false })
	resp := f.anon().api("POST", "/api/v1/login", map[string]string{"login": "admin", "password": fixturePassword})
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie && !ck.Secure {
			t.Fatal("session cookie without Secure outside dev mode")
		}
	}
}

func TestSignInGivesANewSession(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	c := f.as("manager")
	old := c.cookies[sessionCookie]
	c.page("/login") // a signed-in user is sent home
	resp := c.api("POST", "/api/v1/login", map[string]string{"login": "manager", "password": fixturePassword})
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	if c.cookies[sessionCookie] == old || c.cookies[sessionCookie] == "" {
		t.Fatal("sign-in kept the old session id")
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	for _, path := range []string{"/", "/login", "/api/v1/me", "/static/app.css", "/no-such-page"} {
		resp := f.anon().do("GET", path, nil, nil)
		h := resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP = %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers = %v", path, h)
		}
	}
}

// TestTemplatesHaveNoInlineScriptOrStyle: the CSP forbids them, so they
// would silently not work.
func TestTemplatesHaveNoInlineScriptOrStyle(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<style|\sstyle=|\son[a-z]+=`)
	script := regexp.MustCompile(`(?i)<script[^>]*>`)
	for name, body := range templateSources(t) {
		if m := inline.FindString(body); m != "" {
			t.Errorf("%s: inline style or handler: %q", name, m)
		}
		// A script is a file from /static, or a JSON data block (never run).
		for _, tag := range script.FindAllString(body, -1) {
			if !strings.Contains(tag, "src=") && !strings.Contains(tag, `type="application/json"`) {
				t.Errorf("%s: inline script: %q", name, tag)
			}
		}
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)

	// API with a session: the header is required.
	c := f.as("officer")
	token := c.csrf
	c.csrf = ""
	if resp := c.api("POST", "/api/v1/logout", nil); resp.StatusCode != 403 || apiError(t, resp) != "csrf" {
		t.Fatalf("API post without X-CSRF-Token: %d", resp.StatusCode)
	}
	c.csrf = "not-the-token"
	if resp := c.api("POST", "/api/v1/logout", nil); resp.StatusCode != 403 {
		t.Fatalf("API post with a wrong token: %d", resp.StatusCode)
	}
	// Never from the query string, where logs and Referer headers keep it.
	c.csrf = ""
	if resp := c.api("POST", "/api/v1/logout?_csrf="+url.QueryEscape(token), nil); resp.StatusCode != 403 {
		t.Fatalf("API post with the token in the query: %d", resp.StatusCode)
	}
	if resp := c.do("POST", "/api/v1/logout?_csrf="+url.QueryEscape(token), strings.NewReader("x=1"),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); resp.StatusCode != 403 {
		t.Fatalf("form post with the token in the query: %d", resp.StatusCode)
	}
	c.csrf = token
	if resp := c.api("POST", "/api/v1/logout", nil); resp.StatusCode != 204 {
		t.Fatalf("API post with the token: %d", resp.StatusCode)
	}

	// Forms with a session: the hidden _csrf field.
	v := f.as("vendor")
	form := url.Values{"pin_current": {fixturePassword}, "pin": {"482916"}, "pin_confirm": {"482916"}}
	if resp := v.form("/account/pin", url.Values{"_csrf": {""}, "pin_current": form["pin_current"], "pin": form["pin"], "pin_confirm": form["pin_confirm"]}); resp.StatusCode != 403 {
		t.Fatalf("form without _csrf: %d", resp.StatusCode)
	} else if body := readBody(t, resp); !strings.Contains(body, "แบบฟอร์มหมดอายุ") {
		t.Fatalf("403 page does not explain in Thai: %s", body)
	}
	if resp := v.form("/account/pin", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("form with _csrf: %d %s", resp.StatusCode, readBody(t, resp))
	}

	// Forms without a session (sign-in): the anonymous token.
	a := f.anon()
	if resp := a.form("/login", url.Values{"login": {"admin"}, "password": {fixturePassword}}); resp.StatusCode != 403 {
		t.Fatalf("sign-in form with no token and no cookie: %d", resp.StatusCode)
	}
	a.page("/login")
	if resp := a.form("/login", url.Values{"login": {"admin"}, "password": {fixturePassword}, "_csrf": {"forged"}}); resp.StatusCode != 403 {
		t.Fatalf("sign-in form with a forged token: %d", resp.StatusCode)
	}
	if resp := a.form("/login", url.Values{"login": {"admin"}, "password": {fixturePassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in form with the token: %d", resp.StatusCode)
	}
}

func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	bad := map[string]string{"login": "manager", "password": "not the password"}
	for i := 1; i <= 10; i++ {
		if resp := f.anon().api("POST", "/api/v1/login", bad); resp.StatusCode != 401 {
			t.Fatalf("failure %d: status %d", i, resp.StatusCode)
		}
		f.clock.Add(70 * time.Second) // past the back-off
	}
	// Locked: even the right password is refused, with 429 and Retry-After.
	resp := f.anon().api("POST", "/api/v1/login", map[string]string{"login": "MANAGER", "password": fixturePassword})
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after 10 failures: %d (Retry-After %q)", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if code := apiError(t, resp); code != "rate_limited" {
		t.Fatalf("code %q", code)
	}
	if got := f.auditActions("user:" + itoa(f.users["manager"].ID)); !contains(got, "auth.lock") {
		t.Errorf("the lock is not in the audit trail: %v", got)
	}
	// The page says so in Thai.
	a := f.anon()
	a.page("/login")
	resp = a.form("/login", url.Values{"login": {"manager"}, "password": {fixturePassword}})
	if body := readBody(t, resp); resp.StatusCode != 429 || !strings.Contains(body, "ล็อกชั่วคราว") {
		t.Fatalf("locked sign-in page: %d", resp.StatusCode)
	}
	// Other logins are not locked by it.
	if resp := f.anon().api("POST", "/api/v1/login", map[string]string{"login": "officer", "password": fixturePassword}); resp.StatusCode != 200 {
		t.Fatalf("another login: %d", resp.StatusCode)
	}
	// The lock lifts when the failures age out.
	f.clock.Add(16 * time.Minute)
	if resp := f.anon().api("POST", "/api/v1/login", map[string]string{"login": "manager", "password": fixturePassword}); resp.StatusCode != 200 {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
}

func TestLoginThrottlingPerAddress(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t, func(d *Deps) { d.Auth.MaxIPFailures = 4 })
	for i, login := range []string{"a1x", "a2x", "a3x", "a4x"} {
		if resp := f.anon().api("POST", "/api/v1/login", map[string]string{"login": login, "password": "x"}); resp.StatusCode != 401 {
			t.Fatalf("failure %d: %d", i, resp.StatusCode)
		}
	}
	if resp := f.anon().api("POST", "/api/v1/login", map[string]string{"login": "admin", "password": fixturePassword}); resp.StatusCode != 429 {
		t.Fatalf("after 4 failures from one address: %d", resp.StatusCode)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t, func(d *Deps) {
		d.Auth.IdleTimeout = 20 * time.Minute
		d.Auth.AbsoluteTimeout = time.Hour
	})
	me := func(c *client) int { return c.api("GET", "/api/v1/me", nil).StatusCode }

	// Idle: unused for longer than the idle timeout.
	c := f.as("officer")
	f.clock.Add(19 * time.Minute)
	if got := me(c); got != 200 {
		t.Fatalf("after 19 idle minutes: %d", got)
	}
	f.clock.Add(19 * time.Minute) // the request above renewed it
	if got := me(c); got != 200 {
		t.Fatalf("19 minutes after the last use: %d", got)
	}
	f.clock.Add(21 * time.Minute)
	if got := me(c); got != 401 {
		t.Fatalf("after 21 idle minutes: %d", got)
	}

	// Absolute: in use all along, but older than the absolute timeout.
	c = f.as("officer")
	for i := 0; i < 5; i++ {
		f.clock.Add(11 * time.Minute)
		if got := me(c); got != 200 {
			t.Fatalf("in use at %d minutes: %d", (i+1)*11, got)
		}
	}
	f.clock.Add(11 * time.Minute) // 66 minutes
	if got := me(c); got != 401 {
		t.Fatalf("after the absolute timeout: %d", got)
	}
	// A page is sent to sign in.
	if resp := c.do("GET", "/account", nil, nil); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("page after expiry: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAdminManagesUsers(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	admin := f.as("admin")
	if resp := admin.do("GET", "/admin/users", nil, nil); resp.StatusCode != 200 || !strings.Contains(readBody(t, resp), "vendor2") {
		t.Fatalf("users page: %d", resp.StatusCode)
	}
	// A new user's role has no default: the form asks for one.
	if resp := admin.do("GET", "/admin/users/new", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("new user page: %d", resp.StatusCode)
	} else if body := readBody(t, resp); !strings.Contains(body, `<option value="" selected>เลือกบทบาท</option>`) || strings.Contains(body, `value="admin" selected`) {
		t.Fatalf("the new user form picks a role by itself")
	}
	if resp := admin.form("/admin/users", url.Values{"login": {"noroleyet"}, "name": {"x"}, "language": {"th"}}); resp.StatusCode != 422 {
		t.Fatalf("a user without a role: %d", resp.StatusCode)
	}

	// A mistake re-renders the form with the message beside its field.
	resp := admin.form("/admin/users", url.Values{"login": {"officer"}, "role": {"officer"}})
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "ชื่อผู้ใช้นี้มีผู้ใช้แล้ว") {
		t.Fatalf("taken login: %d", resp.StatusCode)
	}
	resp = admin.form("/admin/users", url.Values{"login": {"newvendor"}, "role": {"vendor"}, "participant": {"HSF-2026-9999"}})
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "ไม่พบรหัสผู้เข้าร่วมนี้") {
		t.Fatalf("unknown participant: %d", resp.StatusCode)
	}

	// Created with a one-time password, shown once.
	resp = admin.form("/admin/users", url.Values{"login": {"somchai"}, "name": {"สมชาย"}, "role": {"officer"}, "language": {"th"}})
	body := readBody(t, resp)
	otp := regexp.MustCompile(`id="one-time-password">([a-z0-9-]+)<`).FindStringSubmatch(body)
	if resp.StatusCode != 200 || otp == nil || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d, no one-time password shown", resp.StatusCode)
	}
	u, err := users.NewStore(f.db).ByLogin(context.Background(), "somchai")
	if err != nil || !u.MustChangePassword {
		t.Fatalf("created user: %+v, %v", u, err)
	}

	// The one-time password signs in, but only to choose a new one.
	c := f.anon()
	c.page("/login")
	resp = c.form("/login", url.Values{"login": {"somchai"}, "password": {otp[1]}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("one-time sign-in: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	c.csrf = sessionCSRF(t, c)
	if resp := c.do("GET", "/participants", nil, nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("before the change, pages send to /account: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = c.form("/account/password", url.Values{"current": {otp[1]}, "new": {"short"}, "confirm": {"short"}})
	if resp.StatusCode != 422 {
		t.Fatalf("short password: %d", resp.StatusCode)
	}
	resp = c.form("/account/password", url.Values{"current": {otp[1]}, "new": {"ข้าวมันไก่ 2569"}, "confirm": {"ข้าวมันไก่ 2569"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: %d %s", resp.StatusCode, readBody(t, resp))
	}
	c.csrf = sessionCSRF(t, c)
	if resp := c.do("GET", "/participants", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("after the change: %d", resp.StatusCode)
	}

	// Reset: a new one-time password; the user's sessions end.
	resp = admin.form("/admin/users/"+itoa(u.ID)+"/reset-password", url.Values{})
	if resp.StatusCode != 200 || !strings.Contains(readBody(t, resp), `id="one-time-password"`) {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if resp := c.api("GET", "/api/v1/me", nil); resp.StatusCode != 401 {
		t.Fatalf("session after reset: %d", resp.StatusCode)
	}

	// Disable ends sessions and stops sign-in; enable lets her back.
	o := f.as("officer")
	if resp := admin.form("/admin/users/"+itoa(f.users["officer"].ID)+"/disable", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp := o.api("GET", "/api/v1/me", nil); resp.StatusCode != 401 {
		t.Fatalf("session of a disabled user: %d", resp.StatusCode)
	}
	if resp := f.anon().api("POST", "/api/v1/login", map[string]string{"login": "officer", "password": fixturePassword}); resp.StatusCode != 401 {
		t.Fatalf("sign-in of a disabled user: %d", resp.StatusCode)
	}
	if resp := admin.form("/admin/users/"+itoa(f.users["officer"].ID)+"/enable", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	if resp := f.anon().api("POST", "/api/v1/login", map[string]string{"login": "officer", "password": fixturePassword}); resp.StatusCode != 200 {
		t.Fatalf("sign-in after enable: %d", resp.StatusCode)
	}
	// An administrator cannot disable herself.
	if resp := admin.form("/admin/users/"+itoa(f.users["admin"].ID)+"/disable", url.Values{}); resp.StatusCode != 409 {
		t.Fatalf("disable self: %d", resp.StatusCode)
	}

	// End every session of a user.
	v1, v2 := f.as("vendor"), f.as("vendor")
	if resp := admin.form("/admin/users/"+itoa(f.users["vendor"].ID)+"/end-sessions", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("end sessions: %d", resp.StatusCode)
	}
	for _, v := range []*client{v1, v2} {
		if resp := v.api("GET", "/api/v1/me", nil); resp.StatusCode != 401 {
			t.Fatalf("a session after end-all: %d", resp.StatusCode)
		}
	}
	if resp := admin.form("/admin/users/999999/end-sessions", url.Values{}); resp.StatusCode != 404 {
		t.Fatalf("end sessions of no one: %d", resp.StatusCode)
	}

	// Every change is in the trail, with who did it.
	want := []string{"user.create", "auth.sign_in", "user.change_password", "auth.renew", "user.reset_password"}
	if got := f.auditActions("user:" + itoa(u.ID)); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit of the new user = %v, want %v", got, want)
	}
	got := f.auditActions("user:" + itoa(f.users["officer"].ID))
	for _, a := range []string{"user.disable", "user.enable", "auth.sign_in"} {
		if !contains(got, a) {
			t.Errorf("audit of officer lacks %s: %v", a, got)
		}
	}
	if !contains(f.auditActions("user:"+itoa(f.users["vendor"].ID)), "auth.end_sessions") {
		t.Error("end-all not audited")
	}

	// The audit page lists and filters.
	resp = admin.do("GET", "/admin/audit?actor=admin&action=user.", nil, nil)
	body = readBody(t, resp)
	// Rows read as sentences (issue 14): "Account disabled", never a sign-in.
	rows := body[strings.Index(body, "<tbody>"):]
	if resp.StatusCode != 200 || !strings.Contains(rows, ">ปิดใช้งานบัญชี<") || strings.Contains(rows, ">ลงชื่อเข้าใช้<") {
		t.Fatalf("audit page filtered by admin and user.*: %d", resp.StatusCode)
	}
	if resp := admin.do("GET", "/admin/audit?actor=nobody-here", nil, nil); resp.StatusCode != 422 {
		t.Fatalf("audit filter by unknown login: %d", resp.StatusCode)
	}
}

// sessionCSRF reads the session's token the way a page's forms carry it.
func sessionCSRF(t *testing.T, c *client) string {
	t.Helper()
	body := readBody(t, c.do("GET", "/account", nil, nil))
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no _csrf in the account page")
	}
	return m[1]
}

func TestVendorPIN(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	v := f.as("vendor")
	for _, pin := range []string{"12345", "123456", "777777", "12a456"} {
		if resp := v.form("/account/pin", url.Values{"pin_current": {fixturePassword}, "pin": {pin}, "pin_confirm": {pin}}); resp.StatusCode != 422 {
			t.Errorf("PIN %q: %d, want 422", pin, resp.StatusCode)
		}
	}
	if resp := v.form("/account/pin", url.Values{"pin_current": {fixturePassword}, "pin": {"482916"}, "pin_confirm": {"482917"}}); resp.StatusCode != 422 {
		t.Errorf("PINs that differ: %d", resp.StatusCode)
	}
	// Whoever holds her unlocked phone cannot set a PIN without knowing
	// her password (or her current PIN).
	if resp := v.form("/account/pin", url.Values{"pin_current": {"not her password"}, "pin": {"482916"}, "pin_confirm": {"482916"}}); resp.StatusCode != 422 || !strings.Contains(readBody(t, resp), "รหัสผ่านหรือ PIN ปัจจุบันไม่ถูกต้อง") {
		t.Errorf("PIN set without the current password: %d, want 422 with a message", resp.StatusCode)
	}
	if resp := v.form("/account/pin", url.Values{"pin_current": {fixturePassword}, "pin": {"482916"}, "pin_confirm": {"482916"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set PIN: %d", resp.StatusCode)
	}
	// The current PIN proves it too, for changing it later.
	if resp := v.form("/account/pin", url.Values{"pin_current": {"482916"}, "pin": {"739184"}, "pin_confirm": {"739184"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change PIN with the current PIN: %d", resp.StatusCode)
	}
	if resp := v.form("/account/pin", url.Values{"pin_current": {fixturePassword}, "pin": {"482916"}, "pin_confirm": {"482916"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set PIN back: %d", resp.StatusCode)
	}
	c := f.anon()
	c.page("/login?pin=1")
	if resp := c.form("/login", url.Values{"method": {"pin"}, "login": {"vendor"}, "pin": {"482915"}}); resp.StatusCode != 401 {
		t.Fatalf("wrong PIN: %d", resp.StatusCode)
	}
	if resp := c.form("/login", url.Values{"method": {"pin"}, "login": {"vendor"}, "pin": {"482916"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("PIN sign-in: %d", resp.StatusCode)
	}
	// A PIN is a vendor's only; staff cannot sign in with one.
	if _, err := f.s.auth.SignInPIN(context.Background(), "officer", "482916", "192.0.2.9"); err != auth.ErrBadCredentials {
		t.Fatalf("officer PIN sign-in: %v", err)
	}
	if !contains(f.auditActions("user:"+itoa(f.users["vendor"].ID)), "user.set_pin") {
		t.Error("PIN change not audited")
	}
}

func TestLanguageIsSavedPerUser(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	c := f.as("donor")
	if body := readBody(t, c.do("GET", "/account", nil, nil)); !strings.Contains(body, "บัญชีของฉัน") {
		t.Fatal("the account page is not in Thai by default")
	}
	if resp := c.form("/language", url.Values{"lang": {"en"}, "back": {"/account"}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("switch: %d", resp.StatusCode)
	}
	// A new session, without the cookie, still reads English.
	c2 := f.as("donor")
	if body := readBody(t, c2.do("GET", "/account", nil, nil)); !strings.Contains(body, "My account") {
		t.Fatal("the language did not follow the user")
	}
	// Another user is not affected.
	if body := readBody(t, f.as("donor2").do("GET", "/account", nil, nil)); !strings.Contains(body, "บัญชีของฉัน") {
		t.Fatal("another user's language changed")
	}
	if resp := c.form("/language", url.Values{"lang": {"fr"}}); resp.StatusCode != 422 {
		t.Fatalf("unknown language: %d", resp.StatusCode)
	}
}

func TestMenusPerRole(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	for key, wantLinks := range map[string][]string{
		"admin":   {`href="/admin/users"`, `href="/admin/audit"`, `href="/account"`},
		"officer": {`href="/participants"`, `href="/account"`},
		"manager": {`href="/participants"`, `href="/account"`},
		"donor":   {`href="/account"`},
		"vendor":  {`href="/account"`},
	} {
		// Every role reaches /account (a vendor's home redirects to her books).
		body := readBody(t, f.as(key).do("GET", "/account", nil, nil))
		nav := body[strings.Index(body, `<nav class="menu"`):strings.Index(body, "</nav>")]
		for _, l := range wantLinks {
			if !strings.Contains(nav, l) {
				t.Errorf("%s's menu lacks %s", key, l)
			}
		}
		if key != "admin" && strings.Contains(nav, "/admin/") {
			t.Errorf("%s's menu shows administration", key)
		}
		if (key == "donor" || key == "vendor") && strings.Contains(nav, `href="/participants"`) {
			t.Errorf("%s's menu shows the participants list", key)
		}
	}
	body := readBody(t, f.anon().do("GET", "/", nil, nil))
	if !strings.Contains(body, `href="/login"`) {
		t.Error("the anonymous menu has no sign-in link")
	}
}
