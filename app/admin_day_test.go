package app

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hawker/catalog"
)

// TestAdminDay: what an administrator reads (issue 14, point 12). The audit
// trail speaks in sentences of the catalogue, Thai or English, never in its
// codes; the user list finds people and says each one's status; disabling
// is not the card's most prominent button; settings amounts carry separators.
func TestAdminDay(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	admin := f.as("admin")

	// A real sign-in (its audit row says "method=password") and a new
	// account (its row says "login=… role=…").
	anon := f.anon()
	anon.page("/login")
	if resp := anon.form("/login", url.Values{"login": {"officer"}, "password": {fixturePassword}}); resp.StatusCode != 303 {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	if resp := admin.form("/admin/users", url.Values{"login": {"vendor41"}, "name": {"ผู้ค้า สี่สิบเอ็ด"}, "role": {"officer"}, "language": {"th"}}); resp.StatusCode != 200 {
		t.Fatalf("create user: %d", resp.StatusCode)
	}

	codes := regexp.MustCompile(`auth\.sign_in|user\.create|login=|role=officer|method=\w|user:\d`)
	resp := admin.do("GET", "/admin/audit", nil, nil)
	body := readBody(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("audit: %d", resp.StatusCode)
	}
	main := body[strings.Index(body, "<tbody>"):]
	for _, want := range []string{"ลงชื่อเข้าใช้", "ด้วยรหัสผ่าน", "สร้างบัญชีผู้ใช้", "ชื่อผู้ใช้ vendor41 · บทบาทเจ้าหน้าที่", "ผู้ใช้ officer"} {
		if !strings.Contains(main, want) {
			t.Errorf("Thai audit trail lacks %q", want)
		}
	}
	if m := codes.FindString(main); m != "" {
		t.Errorf("Thai audit trail shows the code %q", m)
	}
	// The action filter lists descriptions and filters by the code behind them.
	if !strings.Contains(body, `<option value="auth.sign_in">ลงชื่อเข้าใช้</option>`) {
		t.Errorf("action filter without its descriptions")
	}
	resp = admin.do("GET", "/admin/audit?action=user.create", nil, nil)
	if b := readBody(t, resp); strings.Contains(b[strings.Index(b, "<tbody>"):], "ด้วยรหัสผ่าน") || !strings.Contains(b, "vendor41") {
		t.Errorf("filtered by user.create: the sign-in is still listed, or the creation is not")
	}
	if resp := admin.form("/language", url.Values{"lang": {"en"}, "back": {"/"}}); resp.StatusCode != 303 {
		t.Fatalf("language: %d", resp.StatusCode)
	}
	body = readBody(t, admin.do("GET", "/admin/audit", nil, nil))
	main = body[strings.Index(body, "<tbody>"):]
	for _, want := range []string{"Signed in", "with password", "User account created", "login vendor41 · role Programme officer"} {
		if !strings.Contains(main, want) {
			t.Errorf("English audit trail lacks %q", want)
		}
	}
	if m := codes.FindString(main); m != "" {
		t.Errorf("English audit trail shows the code %q", m)
	}
	if resp := admin.form("/language", url.Values{"lang": {"th"}, "back": {"/"}}); resp.StatusCode != 303 {
		t.Fatalf("language: %d", resp.StatusCode)
	}

	// Users: search by part of a login or name, by status; each card says its status.
	if resp := admin.form("/admin/users/"+itoa(f.users["vendor2"].ID)+"/disable", url.Values{}); resp.StatusCode != 303 {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	body = readBody(t, admin.do("GET", "/admin/users?q=vendor", nil, nil))
	if !strings.Contains(body, `id="user-vendor2"`) || !strings.Contains(body, `id="user-vendor41"`) || strings.Contains(body, `id="user-officer"`) {
		t.Errorf("search for vendor: %s", body)
	}
	card := func(body, login string) string {
		i := strings.Index(body, `id="user-`+login+`"`)
		if i < 0 {
			t.Fatalf("no card for %s", login)
		}
		return body[i : i+strings.Index(body[i:], "</li>")]
	}
	if c := card(body, "vendor2"); !strings.Contains(c, "status-disabled") || !strings.Contains(c, "ปิดใช้งาน") {
		t.Errorf("disabled user's card: %s", c)
	}
	if c := card(body, "vendor41"); !strings.Contains(c, "รอเปลี่ยนรหัสผ่าน") {
		t.Errorf("new user's card: %s", c)
	}
	body = readBody(t, admin.do("GET", "/admin/users?q=สี่สิบ", nil, nil))
	if !strings.Contains(body, `id="user-vendor41"`) || strings.Contains(body, `id="user-vendor2"`) {
		t.Errorf("search by name: %s", body)
	}
	body = readBody(t, admin.do("GET", "/admin/users?status=disabled", nil, nil))
	if !strings.Contains(body, `id="user-vendor2"`) || strings.Contains(body, `id="user-officer"`) {
		t.Errorf("status filter: %s", body)
	}
	// On an active user's card, "disable" is the last, quiet button; never a filled one.
	body = readBody(t, admin.do("GET", "/admin/users", nil, nil))
	c := card(body, "officer")
	if !strings.Contains(c, "ใช้งานอยู่") {
		t.Errorf("active user's card: %s", c)
	}
	dis, reset := strings.Index(c, "/disable"), strings.Index(c, "/reset-password")
	if dis < 0 || reset < 0 || dis < reset || strings.Contains(c, `class="danger"`) || !strings.Contains(c[dis:], `class="quiet-danger"`) {
		t.Errorf("officer's card: disable should come last, quiet: %s", c)
	}

	// Settings amounts with separators.
	if resp := admin.form("/admin/settings/grants", url.Values{"threshold": {"75,000"}}); resp.StatusCode != 303 {
		t.Fatalf("threshold: %d", resp.StatusCode)
	}
	body = readBody(t, admin.do("GET", "/admin/settings", nil, nil))
	if !strings.Contains(body, `value="100,000.00"`) || !strings.Contains(body, `value="75,000.00"`) {
		t.Errorf("settings amounts: %s", body)
	}
}

// TestEveryAuditActionIsDescribed: each action the code records (found in
// the sources, as audit.Record and the stores' helpers name it) is in the
// filter's list, and each listed action and sentence has its words.
func TestEveryAuditActionIsDescribed(t *testing.T) {
	t.Parallel()
	tr, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, a := range auditActions {
		listed[a] = true
		if !tr.Has(auditActionKey(a)) {
			t.Errorf("%s: no %s in the catalogue", a, auditActionKey(a))
		}
	}
	for _, r := range detailRules {
		if !listed[r.action] || !tr.Has(r.key) {
			t.Errorf("rule for %s: action not listed or %s missing", r.action, r.key)
		}
	}
	call := regexp.MustCompile(`(?:audit\.Record(?:Details)?\(ctx, tx, [^"]*|s\.update\(ctx, a, id, |s\.move\(ctx, a, id, )"([a-z_]+(?:\.[a-z_]+)+)"`)
	found := 0
	for _, dir := range []string{"../auth", "../users", "../participants", "../training", "../vendors", "../grants", "../ledger", "../reports", "../donors"} {
		files, err := filepath.Glob(dir + "/*.go")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range call.FindAllStringSubmatch(string(b), -1) {
				found++
				if !listed[m[1]] {
					t.Errorf("%s records %q: add it to auditActions with its words", name, m[1])
				}
			}
		}
	}
	if found < 40 {
		t.Fatalf("found only %d recorded actions: the search is wrong", found)
	}
}
