package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"hawker/audit"
	"hawker/users"
)

// TestParallelSignInsHoldTheLimit: a hundred wrong sign-ins at once for one
// login from one address. At most the limit are checked (401); the rest
// are refused (429) before any secret is compared.
func TestParallelSignInsHoldTheLimit(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	var mu sync.Mutex
	got := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := f.anon().api("POST", "/api/v1/login", map[string]string{"login": "vendor", "pin": "000000"})
			mu.Lock()
			got[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if got[401] > 10 || got[401]+got[429] != 100 || got[401] == 0 {
		t.Fatalf("statuses %v; want at most 10 × 401 and the rest 429", got)
	}
	if resp := f.anon().api("POST", "/api/v1/login", map[string]string{"login": "vendor", "password": fixturePassword}); resp.StatusCode != 429 {
		t.Fatalf("the right password after the flood: %d", resp.StatusCode)
	}
}

// TestStrangerCannotLockOwnerOut: failures from one address lock only that
// login from there. X-Forwarded-For names the client only when the peer is
// a trusted proxy.
func TestStrangerCannotLockOwnerOut(t *testing.T) {
	t.Parallel()
	// app.Test's peer is 0.0.0.0: here that is the trusted proxy.
	f := newAccessFixture(t, func(d *Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")} })
	from := func(ip string, body map[string]string) int {
		c := f.anon()
		return c.do("POST", "/api/v1/login", jsonBody(t, body),
			map[string]string{"Content-Type": "application/json", "X-Forwarded-For": ip}).StatusCode
	}
	bad := map[string]string{"login": "manager", "password": "a guess"}
	good := map[string]string{"login": "manager", "password": fixturePassword}
	for i := 0; i < 10; i++ {
		if got := from("203.0.113.66", bad); got != 401 {
			t.Fatalf("guess %d: %d", i, got)
		}
		f.clock.Add(70 * time.Second)
	}
	if got := from("203.0.113.66", good); got != 429 {
		t.Fatalf("the stranger's address after 10 guesses: %d, want 429", got)
	}
	// A client cannot pick its own address: the proxy appends what it saw.
	if got := from("198.51.100.1, 203.0.113.66", good); got != 429 {
		t.Fatalf("a forged hop before the real one: %d, want 429", got)
	}
	if got := from("198.51.100.7", good); got != 200 {
		t.Fatalf("the owner from her own address: %d, want 200", got)
	}

	// Without trust, the header is ignored: every attempt is the peer's.
	g := newAccessFixture(t)
	for i := 0; i < 10; i++ {
		c := g.anon()
		c.do("POST", "/api/v1/login", jsonBody(t, bad), map[string]string{"Content-Type": "application/json", "X-Forwarded-For": "203.0.113." + itoa(int64(i))})
		g.clock.Add(70 * time.Second)
	}
	c := g.anon()
	if resp := c.do("POST", "/api/v1/login", jsonBody(t, good), map[string]string{"Content-Type": "application/json", "X-Forwarded-For": "198.51.100.9"}); resp.StatusCode != 429 {
		t.Fatalf("an untrusted X-Forwarded-For was believed: %d", resp.StatusCode)
	}
}

// TestAccountChecksAreLimited: the current password or PIN asked before a
// change is checked under the sign-in limits; guessing it from inside a
// session ends in 429, and then even the right one is refused.
func TestAccountChecksAreLimited(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	v := f.as("vendor")
	for _, path := range []string{"/account/pin", "/account/password"} {
		locked := false
		for i := 0; i < 15 && !locked; i++ {
			resp := v.form(path, url.Values{"pin_current": {"guess " + itoa(int64(i))}, "current": {"guess " + itoa(int64(i))},
				"pin": {"482916"}, "pin_confirm": {"482916"}, "new": {"a new password 1"}, "confirm": {"a new password 1"}})
			switch resp.StatusCode {
			case 422:
			case 429:
				locked = true
			default:
				t.Fatalf("%s guess %d: %d", path, i, resp.StatusCode)
			}
		}
		if !locked {
			t.Fatalf("%s: 15 wrong current secrets and no lock", path)
		}
		resp := v.form(path, url.Values{"pin_current": {fixturePassword}, "current": {fixturePassword},
			"pin": {"482916"}, "pin_confirm": {"482916"}, "new": {"a new password 1"}, "confirm": {"a new password 1"}})
		if resp.StatusCode != 429 {
			t.Fatalf("%s: the right secret while locked: %d, want 429", path, resp.StatusCode)
		}
		f.clock.Add(16 * time.Minute)
	}
	if _, err := f.s.auth.SignInPIN(context.Background(), "vendor", "482916", "192.0.2.50"); err == nil {
		t.Fatal("a PIN was set by guessing")
	}
}

// TestResetClearsPIN: an administrator's password reset also takes away
// the vendor's PIN.
func TestResetClearsPIN(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	ctx := context.Background()
	vendor := f.users["vendor"]
	if err := users.NewStore(f.db).SetPIN(ctx, audit.System, vendor.ID, "482916", "482916"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.auth.SignInPIN(ctx, "vendor", "482916", "192.0.2.50"); err != nil {
		t.Fatalf("PIN before the reset: %v", err)
	}
	a := f.as("admin")
	if resp := a.form("/admin/users/"+itoa(vendor.ID)+"/reset-password", url.Values{}); resp.StatusCode >= 400 {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	u, err := users.NewStore(f.db).ByID(ctx, vendor.ID)
	if err != nil || u.PINHash != nil {
		t.Fatalf("after the reset the PIN is %v (%v)", u.PINHash, err)
	}
	if _, err := f.s.auth.SignInPIN(ctx, "vendor", "482916", "192.0.2.51"); err == nil {
		t.Fatal("the old PIN still signs in")
	}
}

func jsonBody(t *testing.T, v any) io.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

// TestNothingPersonalIsCached: every GET route answers with no-store
// (whatever its status), except the few assets meant to be cached; and
// outside development, HSTS.
func TestNothingPersonalIsCached(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t, func(d *Deps) { d.Dev = false })
	cached := map[string]bool{"/sw.js": true, "/manifest.webmanifest": true, "/favicon.ico": true,
		"/books/promptpay.svg": true, "/vendors/:code/promptpay.svg": true}
	params := strings.NewReplacer(":code", f.participant["vendor"].Code, ":id", "1", ":month", "2026-05",
		":item", "1", ":n", "1")
	roles := []string{"officer", "manager", "admin", "vendor", "donor"}
	for _, r := range f.s.routes() {
		if r.method != "GET" || cached[r.path] {
			continue
		}
		c := f.anon()
		for _, key := range roles {
			if r.allow.allows(users.Role(key)) && !r.allow.public {
				c = f.as(key)
				break
			}
		}
		path := params.Replace(r.path)
		resp := c.do("GET", path, nil, nil)
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s (%d): Cache-Control %q, want no-store", path, resp.StatusCode, got)
		}
		if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
			t.Errorf("GET %s: no HSTS outside dev", path)
		}
	}
	if got := f.anon().do("GET", "/static/app.css", nil, nil).Header.Get("Cache-Control"); got == "no-store" {
		t.Error("static files are not cached")
	}
	g := newAccessFixture(t)
	if got := g.anon().do("GET", "/login", nil, nil).Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS in dev mode: %q", got)
	}
}

// TestDatesOutOfRange: a year 0 month or date is a 422 wherever it comes in.
func TestDatesOutOfRange(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	code := f.participant["vendor"].Code
	for _, tc := range []struct {
		who, method, path string
		body              any
	}{
		{"officer", "GET", "/api/v1/participants/" + code + "/days?month=0000-01", nil},
		{"officer", "GET", "/api/v1/participants/" + code + "/days?month=2100-01", nil},
		{"manager", "POST", "/api/v1/periods/0000-01/close", nil},
		{"vendor", "POST", "/api/v1/entries", map[string]string{"date": "0000-01-01", "kind": "sale", "amount": "10.00", "method": "cash"}},
	} {
		c := f.as(tc.who)
		var resp *http.Response
		if tc.method == "GET" {
			resp = c.do("GET", tc.path, nil, nil)
		} else {
			resp = c.do(tc.method, tc.path, jsonBody(t, tc.body), map[string]string{"Content-Type": "application/json",
				"X-CSRF-Token": c.csrf, "Idempotency-Key": "5b0e8f0c-7c1d-4f7e-9a55-3f1e2d9c0a11"})
		}
		if resp.StatusCode != 422 {
			t.Errorf("%s %s: %d, want 422", tc.method, tc.path, resp.StatusCode)
		}
	}
	if resp := f.as("admin").do("GET", "/admin/audit?from=0000-01-01", nil, nil); resp.StatusCode != 422 {
		t.Errorf("audit from year 0: %d, want 422", resp.StatusCode)
	}
}

// TestStaffReadsAreAudited: every staff read of a participant's data
// through the API (days, eligibility, an entry, a plan) and every view of
// the participant list leaves an audit row naming what was seen; the
// vendor's reads of her own do not.
func TestStaffReadsAreAudited(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	ctx := context.Background()
	p := f.participant["vendor"]
	v := f.as("vendor")
	resp := v.do("POST", "/api/v1/entries", jsonBody(t, map[string]string{"date": time.Now().Format(time.DateOnly),
		"kind": "sale", "amount": "120.00", "method": "cash"}), map[string]string{"Content-Type": "application/json",
		"X-CSRF-Token": v.csrf, "Idempotency-Key": "0c1b7f8e-5d2a-4e3b-9f10-2a3b4c5d6e7f"})
	var entry struct {
		ID int64 `json:"id"`
	}
	if resp.StatusCode != 201 || json.NewDecoder(resp.Body).Decode(&entry) != nil {
		t.Fatalf("entry: %d", resp.StatusCode)
	}
	o := f.as("officer")
	resp = o.api("POST", "/api/v1/participants/"+p.Code+"/plans", map[string]any{"business": "ข้าวมันไก่", "menu": "ข้าวมันไก่",
		"location": "ตลาด", "days_per_month": 24, "expected_daily_sales": "1500.00", "ingredient_cost_pct": "40",
		"monthly_fixed_costs": "2000.00", "startup_items": []map[string]any{{"name": "รถเข็น", "quantity": 1, "unit_cost": "30000.00"}}})
	var plan struct {
		ID int64 `json:"id"`
	}
	if resp.StatusCode != 201 || json.NewDecoder(resp.Body).Decode(&plan) != nil {
		t.Fatalf("plan: %d", resp.StatusCode)
	}
	count := func(what string) int {
		es, err := audit.List(ctx, f.db, audit.Filter{Action: "participant.", Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range es {
			if e.Summary == what || strings.HasPrefix(e.Summary, what) {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct{ path, what string }{
		{"/api/v1/participants/" + p.Code + "/days?month=" + time.Now().Format("2006-01"), "days:"},
		{"/api/v1/participants/" + p.Code + "/eligibility", "eligibility"},
		{"/api/v1/entries/" + itoa(entry.ID), "entry:" + itoa(entry.ID)},
		{"/api/v1/plans/" + itoa(plan.ID), "plan:1"},
		{"/participants?q=" + url.QueryEscape(*p.Phone), "search; 1 shown: " + p.Code},
		{"/participants", "2 shown"},
	} {
		before := count(tc.what)
		if resp := o.do("GET", tc.path, nil, nil); resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", tc.path, resp.StatusCode)
		}
		if count(tc.what) != before+1 {
			t.Errorf("GET %s left no audit row %q", tc.path, tc.what)
		}
	}
	// The vendor reading her own days is not a staff view.
	before := count("days:")
	if resp := v.do("GET", "/api/v1/participants/"+p.Code+"/days", nil, nil); resp.StatusCode != 200 || count("days:") != before {
		t.Errorf("the vendor's own read: %d, audited %v", resp.StatusCode, count("days:") != before)
	}
}
