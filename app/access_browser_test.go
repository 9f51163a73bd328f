package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hawker/audit"
	"hawker/browsertest"
	"hawker/donors"
	"hawker/participants"
	"hawker/users"
)

const browserPassword = "ส้มตำไก่ย่าง 99"

// seedRoles creates one user per role (login = role) on srv's database.
func seedRoles(t *testing.T, srv *browsertest.Server) {
	t.Helper()
	ctx := context.Background()
	phone := "0891234567"
	p, err := participants.NewStore(srv.DB).Enrol(ctx, audit.System, participants.Participant{
		Name: "มาลี ทดสอบ", Phone: &phone, Province: "เชียงใหม่", District: "เมืองเชียงใหม่",
		Cohort: "2569-1", EnrolledOn: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Language: "th",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := donors.NewStore(srv.DB).Add(ctx, audit.System, donors.New{Name: "มูลนิธิทดสอบ"})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range users.Roles {
		n := users.New{Login: string(role), Name: "คุณ" + string(role), Role: role, Password: browserPassword}
		switch role {
		case users.Vendor:
			n.ParticipantID = &p.ID
		case users.Donor:
			n.DonorID = &d.ID
		}
		if _, err := users.NewStore(srv.DB).Add(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := users.NewStore(srv.DB).Add(ctx, users.New{Login: "officer2", Role: users.Officer, Password: browserPassword}); err != nil {
		t.Fatal(err)
	}
}

// signIn fills and sends the sign-in form, then waits for the next page.
func signIn(srv *browsertest.Server, login, password, waitFor string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.SetValue(chromedp.CSS("#login"), login),
		chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(waitFor)),
	)
}

func signOut() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#login")),
	)
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func TestBrowserAccess(t *testing.T) {
	t.Parallel()
	srv := browsertest.Start(t)
	seedRoles(t, srv)
	browser := browsertest.New(t)

	t.Run("each role sees its own menu", func(t *testing.T) {
		for role, want := range map[users.Role][]string{
			users.Admin:   {"/admin/users", "/admin/audit", "/account"},
			users.Officer: {"/participants", "/account"},
			users.Manager: {"/participants", "/account"},
			users.Donor:   {"/account"},
			users.Vendor:  {"/account"},
		} {
			ctx := browsertest.NewTab(t, browser)
			if err := chromedp.Do(ctx, signIn(srv, string(role), browserPassword, fmt.Sprintf(`p.who[data-role=%q]`, role))); err != nil {
				t.Fatalf("%s signs in: %v", role, err)
			}
			links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('nav.menu a')].map(a => a.getAttribute('href'))`))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(links, " ")
			for _, l := range want {
				if !strings.Contains(got, l) {
					t.Errorf("%s's menu %v lacks %s", role, links, l)
				}
			}
			if role != users.Admin && strings.Contains(got, "/admin") {
				t.Errorf("%s's menu shows administration: %v", role, links)
			}
			if (role == users.Vendor || role == users.Donor) && strings.Contains(got, "/participants") {
				t.Errorf("%s's menu shows participants: %v", role, links)
			}
			if who := text(t, ctx, "p.who"); !strings.Contains(who, "คุณ"+string(role)) {
				t.Errorf("%s: header says %q", role, who)
			}
		}
	})

	t.Run("a wrong password is explained in Thai", func(t *testing.T) {
		ctx := browsertest.NewTab(t, browser)
		if err := chromedp.Do(ctx, signIn(srv, "officer", "not my password", "#login-message")); err != nil {
			t.Fatal(err)
		}
		if msg := text(t, ctx, "#login-message"); msg != "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" {
			t.Fatalf("message = %q", msg)
		}
	})

	t.Run("a form posted without its CSRF token is refused", func(t *testing.T) {
		ctx := browsertest.NewTab(t, browser)
		// Signed in, the account's password form loses its token.
		if err := chromedp.Do(ctx,
			signIn(srv, "manager", browserPassword, "p.who"),
			chromedp.Navigate(srv.URL+"/account"),
			chromedp.SetValue(chromedp.CSS("#current"), browserPassword),
			chromedp.SetValue(chromedp.CSS("#new"), "a brand new password"),
			chromedp.SetValue(chromedp.CSS("#confirm"), "a brand new password"),
		); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('form[action="/account/password"] input[name=_csrf]').remove() || true`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`form[action="/account/password"] button`)),
			chromedp.WaitVisible(chromedp.CSS("section.error")),
		); err != nil {
			t.Fatal(err)
		}
		if msg := text(t, ctx, "section.error"); !strings.Contains(msg, "403") || !strings.Contains(msg, "แบบฟอร์มหมดอายุ") {
			t.Fatalf("refusal page says %q", msg)
		}
		// And the password did not change.
		ctx2 := browsertest.NewTab(t, browser)
		if err := chromedp.Do(ctx2, signIn(srv, "manager", browserPassword, "p.who")); err != nil {
			t.Fatalf("the old password no longer works: %v", err)
		}
	})

	t.Run("the language choice sticks to the user", func(t *testing.T) {
		ctx := browsertest.NewTab(t, browser)
		if err := chromedp.Do(ctx,
			signIn(srv, "officer2", browserPassword, "p.who"),
			chromedp.Click(chromedp.CSS(`form.lang button[value=en]`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang=en]`)),
		); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, `form[action="/logout"] button`); got != "Sign out" {
			t.Fatalf("after switching: %q", got)
		}
		// Signed out and in again: still English.
		if err := chromedp.Do(ctx, signOut(), signIn(srv, "officer2", browserPassword, "p.who")); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, `form[action="/logout"] button`); got != "Sign out" {
			t.Fatalf("after signing in again: %q", got)
		}
		// Another user on the same browser reads her own language (Thai).
		if err := chromedp.Do(ctx, signOut(), signIn(srv, "officer", browserPassword, "p.who")); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, `form[action="/logout"] button`); got != "ออกจากระบบ" {
			t.Fatalf("another user after the switch: %q", got)
		}
		// And the first user on another device: English.
		other := browsertest.NewTab(t, browser)
		if err := chromedp.Do(other, signIn(srv, "officer2", browserPassword, "p.who")); err != nil {
			t.Fatal(err)
		}
		if got := text(t, other, `form[action="/logout"] button`); got != "Sign out" {
			t.Fatalf("on another device: %q", got)
		}
	})

	t.Run("the home and sign-in pages at 360 px", func(t *testing.T) {
		ctx := browsertest.NewTab(t, browser)
		phone := chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2))
		if err := chromedp.Do(ctx, phone, chromedp.Navigate(srv.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#login"))); err != nil {
			t.Fatal(err)
		}
		checkFits(t, ctx, "sign-in")
		browsertest.Screenshot(t, ctx, "testdata/login-360.png")
		if err := chromedp.Do(ctx, signIn(srv, "admin", browserPassword, "p.who")); err != nil {
			t.Fatal(err)
		}
		checkFits(t, ctx, "home")
		browsertest.Screenshot(t, ctx, "testdata/home-360.png")
	})
}

// checkFits fails when the page scrolls sideways at the emulated width, or
// a button or link of the menu is smaller than a 44-px touch target.
func checkFits(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if wide {
		t.Errorf("%s page scrolls sideways at 360 px", page)
	}
	small, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('nav.menu a, nav.menu button, main button, main a.button, main input:not([type=hidden]), form.lang button')]
		.filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80))`))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range small {
		t.Errorf("%s page: touch target under 44 px: %s", page, s)
	}
}
