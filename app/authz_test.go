package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"hawker/audit"
	"hawker/grants"
	"hawker/thai"
	"hawker/users"
	"hawker/vendors"
)

// publicRoutes are the only routes anyone may call without signing in. A
// route made public by mistake fails TestAuthorizationMatrix until it is
// listed here, deliberately.
var publicRoutes = map[string]bool{
	"GET /healthz":       true,
	"GET /readyz":        true,
	"GET /":              true,
	"POST /language":     true,
	"GET /login":         true,
	"POST /login":        true,
	"POST /api/v1/login": true,
	// The books' service worker and web-app manifest (static, no data).
	"GET /sw.js":                true,
	"GET /manifest.webmanifest": true,
	"GET /favicon.ico":          true, // the app's icon
	"GET /offline":              true, // the "you are offline" page the worker keeps (no data)
	// A statement's verification address: issued or not, month and totals.
	"GET /verify/:token": true,
	// The one-time link her officer made, opened by a vendor's phone before
	// she is signed in (it signs the phone in once).
	"GET /d/:token":  true,
	"POST /d/:token": true,
}

var paramPattern = regexp.MustCompile(`:[A-Za-z_]+(<[^>]*>)?\??|\*`)

// concretePath fills a route pattern's parameters with a plausible value.
func concretePath(pattern string) string {
	return paramPattern.ReplaceAllString(pattern, "1")
}

// TestAuthorizationMatrix walks every registered route with every role, with
// no one signed in, and with a user who still holds a one-time password.
// Handlers are replaced by a stub, so what is tested is the rule alone: a
// refused caller never reaches the handler.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	// An officer who must change a one-time password first.
	pending, _, err := users.NewStore(f.db).Create(context.Background(), audit.System, users.New{Login: "pending", Role: users.Officer})
	if err != nil {
		t.Fatal(err)
	}
	f.users["pending"] = pending

	routes := f.s.routes()
	stubbed := make([]route, len(routes))
	for i, r := range routes {
		r.handler = func(c *fiber.Ctx) error { return c.SendString("reached") }
		stubbed[i] = r
	}
	stub, err := New(f.s.deps)
	if err != nil {
		t.Fatal(err)
	}
	stub.Fiber = fiber.New(fiber.Config{ErrorHandler: stub.handleError, Immutable: true})
	if err := stub.mount(stubbed); err != nil {
		t.Fatal(err)
	}
	f.s = stub

	callers := map[string]*client{"anonymous": f.anon(), "pending-officer": f.as("pending")}
	for _, role := range users.Roles {
		callers[string(role)] = f.as(string(role))
	}

	seen := map[string]bool{}
	for _, r := range routes {
		key := r.method + " " + r.path
		if seen[key] {
			t.Errorf("route %s registered twice", key)
		}
		seen[key] = true
		if r.allow.public != publicRoutes[key] {
			t.Errorf("%s: public = %v, but publicRoutes says %v", key, r.allow.public, publicRoutes[key])
		}
		if strings.HasPrefix(r.path, "/admin") && (r.allow.public || len(r.allow.roles) != 1 || r.allow.roles[0] != users.Admin) {
			t.Errorf("%s: /admin routes are for administrators only", key)
		}
		path := concretePath(r.path)
		api := strings.HasPrefix(path, "/api/")
		for name, c := range callers {
			// Anonymous page posts carry the anonymous token; the rest their session's.
			if name == "anonymous" && !api && c.csrf == "" {
				c.page("/login")
			}
			resp := call(c, r.method, path)
			body := readBody(t, resp)
			var role users.Role
			switch name {
			case "anonymous":
			case "pending-officer":
				role = users.Officer
			default:
				role = users.Role(name)
			}
			want := expectation(r, name == "anonymous", role, name == "pending-officer", api)
			if got := outcome(resp, body); got != want {
				t.Errorf("%s as %s: got %s (status %d), want %s", key, name, got, resp.StatusCode, want)
			}
		}
	}
}

// call sends an empty request of method to path, with the CSRF token.
func call(c *client, method, path string) *http.Response {
	switch {
	case method == "GET" || method == "HEAD":
		return c.do(method, path, nil, nil)
	case strings.HasPrefix(path, "/api/"):
		return c.api(method, path, map[string]string{})
	default:
		return c.form(path, map[string][]string{})
	}
}

// The outcomes the matrix tells apart.
const (
	reached       = "reached"
	toLogin       = "redirect to /login"
	toAccount     = "redirect to /account"
	unauth        = "401"
	forbidden     = "403"
	otherResponse = "other"
)

func expectation(r route, anonymous bool, role users.Role, pending, api bool) string {
	switch {
	case r.allow.public:
		return reached
	case anonymous && !api && r.method == "GET":
		return toLogin
	case anonymous:
		return unauth
	case !r.allow.allows(role):
		return forbidden
	case pending && !r.allow.pending && api:
		return forbidden
	case pending && !r.allow.pending:
		return toAccount
	}
	return reached
}

func outcome(resp *http.Response, body string) string {
	switch {
	case resp.StatusCode == 200 && body == "reached":
		return reached
	case resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login?next="):
		return toLogin
	case resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/account":
		return toAccount
	case resp.StatusCode == 401:
		return unauth
	case resp.StatusCode == 403 && !strings.Contains(body, `"csrf"`):
		return forbidden
	}
	return fmt.Sprintf("%s %d %.80q", otherResponse, resp.StatusCode, body)
}

// TestRouteWithoutRuleFailsStart: the zero rule allows no one, and a route
// carrying it (or no handler) stops the application from starting.
func TestRouteWithoutRuleFailsStart(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	ok := func(c *fiber.Ctx) error { return nil }
	for _, r := range []route{
		{"GET", "/forgotten", rule{}, ok},
		{"POST", "/forgotten", rule{roles: nil}, ok},
		{"GET", "/nohandler", signedIn, nil},
	} {
		s, err := New(f.s.deps)
		if err != nil {
			t.Fatal(err)
		}
		s.Fiber = fiber.New()
		if err := s.mount(append(s.routes(), r)); err == nil {
			t.Errorf("route %s %s with rule %+v started", r.method, r.path, r.allow)
		}
	}
}

// objectRoutes are the routes with an object rule, each with the path for
// the object of one fixture user key. The test calls each as that user
// (reached) and as the other vendor or donor (refused with 403 or 404).
// Every route whose path names a participant or donor must be listed. A
// path ending in ":absent" names a resource the owner may not have yet (404).
var objectRoutes = []struct {
	method, path string
	kind         string // "participant", "entry" (of her books), "donor" or "fund" (of the donor)
}{
	{"GET", "/participants/:code", "participant"},
	{"POST", "/participants/:code/consents", "participant"},
	{"POST", "/participants/:code/phone-link", "participant"},
	{"POST", "/participants/:code/phones/:id/revoke", "participant"},
	{"GET", "/participants/:code/export", "participant"},
	{"GET", "/participants/:code/erase", "participant"},
	{"POST", "/participants/:code/erase", "participant"},
	{"GET", "/participants/:code/training/new", "participant"},
	{"POST", "/participants/:code/training", "participant"},
	{"GET", "/participants/:code/plans/new", "participant"},
	{"POST", "/participants/:code/plans", "participant"},
	{"GET", "/api/v1/participants/:code", "participant"},
	{"GET", "/api/v1/participants/:code/export", "participant"},
	{"GET", "/api/v1/participants/:code/eligibility", "participant"},
	{"POST", "/api/v1/participants/:code/consents", "participant"},
	{"POST", "/api/v1/participants/:code/training", "participant"},
	{"POST", "/api/v1/participants/:code/plans", "participant"},
	{"GET", "/api/v1/participants/:code/days", "participant"},
	{"GET", "/api/v1/participants/:code/statements/:file", "participant"},
	{"GET", "/vendors/:code", "participant"},
	{"POST", "/vendors/:code/entries", "participant"},
	{"POST", "/vendors/:code/entries/:id/void", "participant"},
	{"POST", "/vendors/:code/opening", "participant"},
	{"POST", "/api/v1/participants/:code/opening", "participant"},
	{"GET", "/vendors/:code/promptpay", "participant"},
	{"POST", "/vendors/:code/promptpay", "participant"},
	{"GET", "/vendors/:code/promptpay.svg:absent", "participant"}, // 404 until a PromptPay id is saved
	// An entry of the owner's books, reached by its id alone.
	{"GET", "/api/v1/entries/:id", "entry"},
	{"POST", "/api/v1/entries/:id/void", "entry"},
	{"POST", "/books/entries/:id/void", "entry"},
	// A donor's own record and reports, and a fund of the donor's.
	{"GET", "/api/v1/donors/:id", "donor"},
	{"GET", "/api/v1/donors/:id/impact", "donor"},
	{"GET", "/api/v1/donors/:id/impact.pdf", "donor"},
	{"GET", "/api/v1/donors/:id/impact.csv", "donor"},
	{"GET", "/api/v1/funds/:id", "fund"},
	{"POST", "/funds/:id/receipts", "fund"},
	{"POST", "/api/v1/funds/:id/receipts", "fund"},
}

func TestObjectRules(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	registered := map[string]route{}
	for _, r := range f.s.routes() {
		registered[r.method+" "+r.path] = r
	}
	listed := map[string]bool{}
	for _, o := range objectRoutes {
		key := o.method + " " + strings.TrimSuffix(o.path, ":absent")
		listed[key] = true
		if _, ok := registered[key]; !ok {
			t.Errorf("objectRoutes lists %s, which is not registered", key)
		}
	}
	for key := range registered {
		if (strings.Contains(key, ":code") || strings.Contains(key, "/entries/:") || strings.Contains(key, "/donors/:") || strings.Contains(key, "/funds/:")) && !listed[key] {
			t.Errorf("%s reaches a participant or donor: list it in objectRoutes", key)
		}
	}
	// A fund of each donor, for the fund routes.
	fund := map[string]grants.Fund{}
	for _, key := range []string{"donor", "donor2"} {
		fd, err := grants.NewStore(f.db, vendors.NewStore(f.db)).CreateFund(context.Background(), audit.System,
			grants.NewFund{Donor: f.donor[key].ID, Name: "กองทุน " + key, Purpose: "รถเข็น"})
		if err != nil {
			t.Fatal(err)
		}
		fund[key] = fd
	}
	for _, o := range objectRoutes {
		r := registered[o.method+" "+strings.TrimSuffix(o.path, ":absent")]
		owner, other := "vendor", "vendor2"
		if o.kind == "donor" || o.kind == "fund" {
			owner, other = "donor", "donor2"
		}
		var path string
		switch o.kind {
		case "participant":
			path = strings.Replace(strings.TrimSuffix(o.path, ":absent"), ":code", f.participant[owner].Code, 1)
		case "entry":
			path = strings.Replace(o.path, ":id", fmt.Sprint(f.entryOf(owner)), 1)
		case "fund":
			path = strings.Replace(o.path, ":id", fmt.Sprint(fund[owner].ID), 1)
		default:
			path = strings.Replace(o.path, ":id", fmt.Sprint(f.donor[owner].ID), 1)
		}
		// A deeper object (an entry of the book) may not exist: 404 for the owner is fine there.
		deeper := strings.Contains(path, ":") || strings.HasSuffix(o.path, ":absent")
		path = concretePath(path)
		if resp := call(f.as(other), o.method, path); resp.StatusCode != 403 && resp.StatusCode != 404 {
			t.Errorf("%s %s as %s (not the owner): status %d, want 403 or 404", o.method, path, other, resp.StatusCode)
		}
		// The owner reaches her own object where the route's rule lets her role in.
		resp := call(f.as(owner), o.method, path)
		switch allowed := r.allow.allows(users.Role(owner)); {
		case allowed && (resp.StatusCode == 403 || resp.StatusCode == 401 || (resp.StatusCode == 404 && !deeper)):
			t.Errorf("%s %s as %s (the owner): status %d", o.method, path, owner, resp.StatusCode)
		case !allowed && resp.StatusCode != 403:
			t.Errorf("%s %s as %s (role not allowed): status %d, want 403", o.method, path, owner, resp.StatusCode)
		}
	}
}

// TestObjectRuleHelpers checks the helpers every object route calls.
func TestObjectRuleHelpers(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	own, other := f.participant["vendor"].ID, f.participant["vendor2"].ID
	ownDonor, otherDonor := f.donor["donor"].ID, f.donor["donor2"].ID
	cases := []struct {
		who         string
		participant int64
		donor       int64
		wantP       int // 0 = allowed
		wantD       int
	}{
		{"admin", other, otherDonor, 403, 0}, // administrators keep users and settings, not participant files
		{"officer", other, otherDonor, 0, 0},
		{"manager", other, otherDonor, 0, 0},
		{"vendor", own, ownDonor, 0, 403},
		{"vendor", other, otherDonor, 404, 403},
		{"donor", own, ownDonor, 403, 0},
		{"donor", own, otherDonor, 403, 404},
		{"", own, ownDonor, 401, 401},
	}
	for _, tc := range cases {
		app := fiber.New(fiber.Config{ErrorHandler: f.s.handleError})
		app.Get("/", func(c *fiber.Ctx) error {
			if tc.who != "" {
				u := f.users[tc.who]
				c.Locals("user", &u)
			}
			pErr, dErr := f.s.mayViewParticipant(c, tc.participant), f.s.mayViewDonor(c, tc.donor)
			return c.JSON(map[string]int{"p": statusOrZero(pErr), "d": statusOrZero(dErr)})
		})
		resp, err := app.Test(httptest.NewRequest("GET", "/", nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]int
		json.NewDecoder(resp.Body).Decode(&got)
		if got["p"] != tc.wantP || got["d"] != tc.wantD {
			t.Errorf("%q: participant %d → %d (want %d), donor %d → %d (want %d)", tc.who, tc.participant, got["p"], tc.wantP, tc.donor, got["d"], tc.wantD)
		}
	}
}

func statusOrZero(err error) int {
	if err == nil {
		return 0
	}
	return statusOf(err)
}

// entryOf records a sale in the books of the fixture vendor key and returns
// its id.
func (f *accessFixture) entryOf(key string) int64 {
	f.t.Helper()
	p := f.participant[key]
	r, err := f.s.vendors.Record(context.Background(), audit.System, vendors.Request{
		ParticipantID: p.ID, Code: p.Code, Key: "authz-" + uuid.NewString(), Today: thai.Today(f.clock.Now()),
		Input: vendors.Input{Date: thai.Today(f.clock.Now()).Format(time.DateOnly), Kind: "sale", Method: "cash", Amount: "10"},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return r.ID
}

// TestForeignObjectsAndGuessedIDs (issue 15, point 5): each vendor and each
// donor walks every id of every kind of object that has an object rule
// (entries, grants, funds, donors, the participants' files and statements,
// impact reports), as a guesser would, one past the largest too. Only her
// own answer 200; another's is refused exactly as one that does not exist
// is (no oracle), and a refused void or release writes nothing.
func TestForeignObjectsAndGuessedIDs(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	ctx := context.Background()
	fund := f.setupFund("100000.00")
	officer, manager := f.as("officer"), f.as("manager")
	grantOf := map[string]int64{}
	for i, key := range []string{"vendor", "vendor2"} {
		code := f.makeEligible(key)
		g := officer.createGrant(map[string]any{"participant": code, "fund": fund, "purpose": "รถเข็น " + key,
			"tranches":  []map[string]any{{"amount": "1000.00", "condition": "on_approval"}},
			"equipment": []map[string]any{{"description": "รถเข็น", "asset_tag": fmt.Sprintf("T-%d", i), "serial": fmt.Sprintf("S-%d", i), "value": "2000.00", "basis": "invoice"}}})
		want(t, officer.api("POST", fmt.Sprintf("/api/v1/grants/%d/submit", g.ID), nil), 200, "submit")
		want(t, manager.api("POST", fmt.Sprintf("/api/v1/grants/%d/approve", g.ID), nil), 200, "approve")
		grantOf[key] = g.ID
	}
	entryOf := map[string]int64{"vendor": f.entryOf("vendor"), "vendor2": f.entryOf("vendor2")}
	fundOf := map[string]int64{"donor": fund}
	fd, err := grants.NewStore(f.db, vendors.NewStore(f.db)).CreateFund(ctx, audit.System, grants.NewFund{Donor: f.donor["donor2"].ID, Name: "กองทุน 2", Purpose: "รถเข็น"})
	if err != nil {
		t.Fatal(err)
	}
	fundOf["donor2"] = fd.ID
	maxID := func(q string) int64 {
		var n int64
		if err := f.db.Get(&n, q); err != nil {
			t.Fatal(err)
		}
		return n
	}
	month := thai.Today(f.clock.Now()).Format("2006-01")
	kinds := []struct {
		who   string // the guesser's role key suffix: vendor or donor
		name  string
		max   int64
		path  func(id int64) string
		owner map[string]int64
	}{
		{"vendor", "entry", maxID(`SELECT max(id) FROM vendor_entries`), func(id int64) string { return fmt.Sprintf("/api/v1/entries/%d", id) }, entryOf},
		{"vendor", "grant", maxID(`SELECT max(id) FROM grants`), func(id int64) string { return fmt.Sprintf("/api/v1/grants/%d", id) }, grantOf},
		{"donor", "fund", maxID(`SELECT max(id) FROM funds`), func(id int64) string { return fmt.Sprintf("/api/v1/funds/%d", id) }, fundOf},
		{"donor", "donor", maxID(`SELECT max(id) FROM donors`), func(id int64) string { return fmt.Sprintf("/api/v1/donors/%d", id) },
			map[string]int64{"donor": f.donor["donor"].ID, "donor2": f.donor["donor2"].ID}},
		{"donor", "impact report", maxID(`SELECT max(id) FROM donors`), func(id int64) string {
			return fmt.Sprintf("/api/v1/donors/%d/impact.csv?from=%s&to=%s", id, month, month)
		}, map[string]int64{"donor": f.donor["donor"].ID, "donor2": f.donor["donor2"].ID}},
	}
	guesses := 0
	for _, k := range kinds {
		for _, who := range []string{k.who, k.who + "2"} {
			c := f.as(who)
			absent := call(c, "GET", k.path(k.max+1000)).StatusCode
			if absent != 404 && absent != 403 {
				t.Errorf("%s asks for a %s that does not exist: %d", who, k.name, absent)
			}
			for id := int64(1); id <= k.max+1; id++ {
				guesses++
				resp := call(c, "GET", k.path(id))
				switch {
				case id == k.owner[who] && resp.StatusCode != 200:
					t.Errorf("%s reads her own %s %d: %d", who, k.name, id, resp.StatusCode)
				case id != k.owner[who] && resp.StatusCode == 200:
					t.Errorf("%s reads %s %d, not hers", who, k.name, id)
				case id != k.owner[who] && resp.StatusCode != absent:
					t.Errorf("%s asks for %s %d, not hers: %d, but %d for one that does not exist (an oracle)", who, k.name, id, resp.StatusCode, absent)
				}
			}
		}
	}
	// Another's statement, export and eligibility: refused like a code that does not exist.
	for _, who := range []string{"vendor", "vendor2"} {
		other := f.participant[map[string]string{"vendor": "vendor2", "vendor2": "vendor"}[who]].Code
		c := f.as(who)
		for _, p := range []string{"/statements/" + month + ".pdf", "/statements/" + month + ".csv", "/export", "/eligibility", "/days?month=" + month, ""} {
			foreign := call(c, "GET", "/api/v1/participants/"+other+p).StatusCode
			absent := call(c, "GET", "/api/v1/participants/HSF-1999-9999"+p).StatusCode
			if foreign == 200 || foreign != absent {
				t.Errorf("%s GET another's %q: %d, a code that does not exist: %d", who, p, foreign, absent)
			}
		}
		// Her own grants page lists hers only.
		b := readBody(t, c.do("GET", "/books/grants", nil, nil))
		own, another := map[string]string{"vendor": "T-0", "vendor2": "T-1"}[who], map[string]string{"vendor": "T-1", "vendor2": "T-0"}[who]
		if !strings.Contains(b, ">"+own+"<") || strings.Contains(b, ">"+another+"<") {
			t.Errorf("%s's grants page shows another's grant or not hers", who)
		}
	}
	// Writes on another's objects are refused and write nothing.
	v2, d2 := f.as("vendor2"), f.as("donor2")
	before := rowCounts(t, f.db)
	for _, r := range []*http.Response{
		v2.api("POST", fmt.Sprintf("/api/v1/entries/%d/void", entryOf["vendor"]), map[string]string{"reason": "ไม่ใช่ของฉัน"}),
		v2.form(fmt.Sprintf("/books/entries/%d/void", entryOf["vendor"]), url.Values{"reason": {"ไม่ใช่ของฉัน"}}),
		v2.keyed(fmt.Sprintf("/api/v1/grants/%d/tranches/1/disburse", grantOf["vendor"]), "guess-1", nil),
		d2.keyed(fmt.Sprintf("/api/v1/funds/%d/receipts", fund), "guess-2", map[string]string{"amount": "5.00", "received_on": thai.Today(f.clock.Now()).Format(time.DateOnly)}),
	} {
		if r.StatusCode != 403 && r.StatusCode != 404 {
			t.Errorf("a write on another's object: %d %s", r.StatusCode, readBody(t, r))
		}
	}
	after := rowCounts(t, f.db)
	for tb, n := range after {
		if n != before[tb] {
			t.Errorf("refused writes on another's objects changed %s: %d → %d rows", tb, before[tb], n)
		}
	}
	t.Logf("%d guessed ids refused or answered as the owner's", guesses)
}

// TestPlantedSessionIsNotKept: a session id an attacker sets in the victim's
// browser before she signs in (session fixation) is neither accepted nor
// kept: signing in issues a new one, and the planted one stays worthless.
func TestPlantedSessionIsNotKept(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	attacker := f.as("officer") // a real session id of the attacker's own
	planted := attacker.cookies[sessionCookie]
	victim := f.anon()
	victim.cookies[sessionCookie] = "planted-" + strings.Repeat("x", 32)
	victim.page("/login")
	resp := victim.form("/login", url.Values{"login": {"manager"}, "password": {fixturePassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	if got := victim.cookies[sessionCookie]; got == "" || strings.HasPrefix(got, "planted-") || got == planted {
		t.Fatalf("after sign-in the session cookie is %q", got)
	}
	// The attacker's own session stays the attacker's: never the victim's.
	b := readBody(t, attacker.api("GET", "/api/v1/me", nil))
	if !strings.Contains(b, `"login":"officer"`) {
		t.Errorf("the attacker's session now answers %s", b)
	}
	// And a victim who signs in with the attacker's id planted gets her own.
	victim2 := f.anon()
	victim2.cookies[sessionCookie] = planted
	victim2.csrf = attacker.csrf
	resp = victim2.api("POST", "/api/v1/login", map[string]string{"login": "manager", "password": fixturePassword})
	if resp.StatusCode != 200 || victim2.cookies[sessionCookie] == planted {
		t.Fatalf("API sign-in over a planted session: %d, cookie kept: %v", resp.StatusCode, victim2.cookies[sessionCookie] == planted)
	}
	if b := readBody(t, attacker.api("GET", "/api/v1/me", nil)); !strings.Contains(b, `"login":"officer"`) {
		t.Errorf("after the victim's sign-in the attacker's session answers %s", b)
	}
}
