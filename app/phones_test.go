package app

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var linkURL = regexp.MustCompile(`id="phone-link-url">https?://[^/<]+(/d/[a-z0-9]+)<`)

// makePhoneLink has the officer make vendor's one-time link and returns its path.
func makePhoneLink(t *testing.T, f *accessFixture, officer *client) string {
	t.Helper()
	resp := officer.form("/participants/"+f.participant["vendor"].Code+"/phone-link", url.Values{})
	body := readBody(t, resp)
	m := linkURL.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(body, "<svg") {
		t.Fatalf("make link: %d, link %v", resp.StatusCode, m)
	}
	return m[1]
}

// TestPhoneSetUpByOfficer: the officer's one-time link opens a PIN form on
// her phone (in her language), refuses a weak PIN with its message at the
// top and beside the box, then signs the phone in and remembers it: after
// signing out it asks only for her PIN, and a wrong PIN says so. The link
// is then spent, another expires after 15 minutes (both say so in Thai and
// English), and once the officer revokes the phone its session ends and it
// gets the usual sign-in form, saying why. Every step is audited.
func TestPhoneSetUpByOfficer(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	officer := f.as("officer")
	code := f.participant["vendor"].Code

	// A manager sees the tab but may not make links.
	if resp := f.as("manager").form("/participants/"+code+"/phone-link", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a manager makes a link: %d", resp.StatusCode)
	}
	link := makePhoneLink(t, f, officer)

	phone := f.anon()
	body := readBody(t, phone.page(link))
	if !strings.Contains(body, "สวัสดีค่ะ คุณทดสอบ vendor") || !strings.Contains(body, `action="`+link+`"`) {
		t.Fatalf("the link's page:\n%s", body)
	}
	resp := phone.form(link, url.Values{"pin": {"111111"}, "pin_confirm": {"111111"}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="form-errors"`) || strings.Count(body, "รหัส PIN เดาง่ายเกินไป") != 2 || !strings.Contains(body, `id="pin-error"`) {
		t.Fatalf("a weak PIN: %d\n%s", resp.StatusCode, body)
	}
	resp = phone.form(link, url.Values{"pin": {"240817"}, "pin_confirm": {"240817"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/books" || phone.cookies[deviceCookie] == "" || phone.cookies[sessionCookie] == "" {
		t.Fatalf("setting up: %d %s, cookies %v", resp.StatusCode, resp.Header.Get("Location"), phone.cookies)
	}
	if resp := phone.page("/books"); resp.StatusCode != http.StatusOK {
		t.Fatalf("her books after setting up: %d", resp.StatusCode)
	}

	// Spent: the link says so, in Thai and English.
	resp = f.anon().page(link)
	if body := readBody(t, resp); resp.StatusCode != http.StatusGone || !strings.Contains(body, "ลิงก์นี้ถูกใช้ไปแล้ว") || !strings.Contains(body, "This link has already been used") {
		t.Fatalf("a used link: %d\n%s", resp.StatusCode, body)
	}

	// Signed out, the phone asks only for her PIN.
	phone.csrf = sessionCSRF(t, phone)
	if resp := phone.form("/logout", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	if resp := phone.page("/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("home on her phone, signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	body = readBody(t, phone.page("/login"))
	if !strings.Contains(body, "ยินดีต้อนรับกลับ") || strings.Contains(body, `id="login"`) || !strings.Contains(body, `value="device"`) {
		t.Fatalf("sign-in on her phone:\n%s", body)
	}
	resp = phone.form("/login", url.Values{"method": {"device"}, "pin": {"999111"}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "รหัส PIN ไม่ถูกต้อง ลองอีกครั้ง") || strings.Contains(body, `id="login"`) {
		t.Fatalf("a wrong PIN: %d", resp.StatusCode)
	}
	if resp := phone.form("/login", url.Values{"method": {"device"}, "pin": {"240817"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("her PIN: %d", resp.StatusCode)
	}
	// Someone else at her phone reaches the usual form.
	if body := readBody(t, f.anon().page("/login?other=1")); !strings.Contains(body, `id="login"`) {
		t.Fatal("the usual form is not reachable")
	}

	// Her officer sees the phone and revokes it: its session ends, and the
	// phone falls back to the usual sign-in, saying why.
	body = readBody(t, officer.page("/participants/"+code+"?tab=phone"))
	m := regexp.MustCompile(`action="/participants/` + code + `/phones/([0-9]+)/revoke"`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "ใช้งานอยู่") {
		t.Fatalf("her phones on the officer's page:\n%s", body)
	}
	if resp := f.as("vendor2").form(fmt.Sprintf("/participants/%s/phones/%s/revoke", code, m[1]), url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a vendor revokes: %d", resp.StatusCode)
	}
	if resp := officer.form(fmt.Sprintf("/participants/%s/phones/%s/revoke", code, m[1]), url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if body := readBody(t, officer.page("/participants/"+code+"?tab=phone&done=phone_revoked")); !strings.Contains(body, "ยกเลิกโทรศัพท์แล้ว") || !strings.Contains(body, `class="badge off"`) {
		t.Fatal("the revoked phone is not shown as revoked")
	}
	if resp := phone.page("/books"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("her books after the revoke: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	body = readBody(t, phone.page("/login"))
	if !strings.Contains(body, `id="login"`) || !strings.Contains(body, "โทรศัพท์เครื่องนี้ไม่ได้จำคุณไว้แล้ว") {
		t.Fatalf("sign-in on the revoked phone:\n%s", body)
	}
	// Signing in the usual way there forgets the dead phone token.
	phone.page("/login")
	if resp := phone.form("/login", url.Values{"login": {"vendor"}, "password": {fixturePassword}}); resp.StatusCode != http.StatusSeeOther || phone.cookies[deviceCookie] != "" {
		t.Fatalf("the usual sign-in on the revoked phone: %d, cookies %v", resp.StatusCode, phone.cookies)
	}

	// An unused link expires after 15 minutes.
	late := makePhoneLink(t, f, officer)
	f.clock.Add(16 * time.Minute)
	resp = f.anon().page(late)
	if body := readBody(t, resp); resp.StatusCode != http.StatusGone || !strings.Contains(body, "ลิงก์นี้หมดอายุแล้ว") || !strings.Contains(body, "This link has expired") {
		t.Fatalf("an expired link: %d", resp.StatusCode)
	}
	if resp := f.anon().page("/d/nosuchlink23"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown link: %d", resp.StatusCode)
	}

	// The account page's forms show their errors at the top too.
	v2 := f.as("vendor2")
	resp = v2.form("/account/pin", url.Values{"pin_current": {fixturePassword}, "pin": {"240817"}, "pin_confirm": {"240871"}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="pin-errors"`) || strings.Count(body, "รหัส PIN ทั้งสองช่องไม่ตรงกัน") != 2 {
		t.Fatalf("account PIN errors: %d\n%s", resp.StatusCode, body)
	}

	got := strings.Join(f.auditActions(fmt.Sprintf("user:%d", f.users["vendor"].ID)), " ")
	for _, want := range []string{"auth.device_link.create", "user.set_pin", "auth.device_link.use", "auth.device.add", "auth.sign_in", "auth.sign_out", "auth.device.revoke"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit of her account lacks %s: %s", want, got)
		}
	}
}
