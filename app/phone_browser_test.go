package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"hawker/audit"
	"hawker/browsertest"
	"hawker/participants"
	"hawker/users"
)

// TestPhoneSetUpInBrowsers: an officer, at her desk (1280 px), makes the
// one-time link on a vendor's file; a fresh browser at 360 px (her phone)
// opens it, is refused a weak PIN with the message at the top of the form
// and beside the box, chooses a good one and lands on her books. She signs
// out and comes back: the phone asks only for her PIN. The officer revokes
// the phone (confirming the question), and the phone falls back to the
// usual sign-in, saying why; the used link says it was used.
func TestPhoneSetUpInBrowsers(t *testing.T) {
	t.Parallel()
	srv := browsertest.Start(t)
	ctx := context.Background()
	phoneNo := "0861234567"
	p, err := participants.NewStore(srv.DB).Enrol(ctx, audit.System, participants.Participant{
		Name: "บุญมี ศรีสุข", Nickname: "มี", Phone: &phoneNo, Province: "กรุงเทพมหานคร", District: "ดินแดง",
		Cohort: "รุ่น 1/2569", EnrolledOn: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Language: "th",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	us := users.NewStore(srv.DB)
	// Created by an administrator: a one-time password she never has to type.
	if _, _, err := us.Create(ctx, audit.System, users.New{Login: "boonmee", Name: p.Name, Role: users.Vendor, ParticipantID: &p.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := us.Add(ctx, users.New{Login: "officer", Name: "คุณเจ้าหน้าที่", Role: users.Officer, Password: browserPassword}); err != nil {
		t.Fatal(err)
	}

	// Two browsers, each with its own time limit: the officer's desk and
	// her phone (a fresh one).
	desk := browsertest.New(t)
	phone := browsertest.New(t)
	deskTab, phoneTab := browsertest.On(t, desk), browsertest.On(t, phone)
	waitFor := deskTab.WaitFor

	// The officer makes the link.
	deskTab.Run(chromedp.EmulateViewport(1280, 900), signIn(srv, "officer", browserPassword, "p.who"),
		chromedp.Navigate(srv.URL+"/participants/"+p.Code+"?tab=phone"),
		chromedp.WaitVisible(chromedp.CSS("#make-link")),
		chromedp.Click(chromedp.CSS("#make-link")),
		chromedp.WaitVisible(chromedp.CSS("#phone-link-url")),
		chromedp.WaitVisible(chromedp.CSS("#phone-link .qr svg")),
	)
	link := deskTab.Eval(`document.querySelector('#phone-link-url').href`)
	if !strings.HasPrefix(link, srv.URL+"/d/") {
		t.Fatalf("link %q", link)
	}
	browsertest.Screenshot(t, desk, "testdata/phone-link-1280.png")

	// Her phone opens it and chooses a PIN; a weak one is refused at the
	// top of the form and beside the box.
	phoneTab.Run(chromedp.EmulateViewport(360, 740), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#pin")))
	if h := text(t, phone, "h1"); !strings.Contains(h, "บุญมี") {
		t.Fatalf("the link's page greets %q", h)
	}
	phoneTab.Run(
		chromedp.SetValue(chromedp.CSS("#pin"), "123456"),
		chromedp.SetValue(chromedp.CSS("#pin_confirm"), "123456"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#form-errors")),
	)
	if top, beside := text(t, phone, "#form-errors"), text(t, phone, "#pin-error"); !strings.Contains(top, "เดาง่ายเกินไป") || !strings.Contains(beside, "เดาง่ายเกินไป") {
		t.Fatalf("weak PIN: top %q, beside %q", top, beside)
	}
	// The form sits below the errors, both in the first screen at 360 px.
	if n := phoneTab.Eval(`String(document.querySelector('#form-errors').getBoundingClientRect().bottom <= document.querySelector('#pin').getBoundingClientRect().top && document.querySelector('#pin').getBoundingClientRect().bottom < 740)`); n != "true" {
		t.Fatal("the errors are not above the PIN box, or the box is off the first screen")
	}
	browsertest.Screenshot(t, phone, "testdata/phone-setup-error-360.png")
	phoneTab.Run(
		chromedp.SetValue(chromedp.CSS("#pin"), "240817"),
		chromedp.SetValue(chromedp.CSS("#pin_confirm"), "240817"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#sale-amount")),
	)

	// She signs out and comes back: only her PIN is asked.
	phoneTab.Run(chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#pin")))
	if phoneTab.Eval(`String(!!document.querySelector('#login') || !!document.querySelector('#password'))`) != "false" {
		t.Fatal("the phone asks for more than her PIN")
	}
	if h := text(t, phone, "h1"); !strings.Contains(h, "ยินดีต้อนรับกลับ") {
		t.Fatalf("the PIN page says %q", h)
	}
	browsertest.Screenshot(t, phone, "testdata/phone-pin-only-360.png")
	phoneTab.Run(chromedp.SetValue(chromedp.CSS("#pin"), "240817"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#sale-amount")))

	// The link is spent.
	used := browsertest.NewTab(t, desk) // another person's browser context
	browsertest.On(t, used).Run(chromedp.EmulateViewport(360, 740), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#link-refused")))
	if s := text(t, used, "#link-refused"); !strings.Contains(s, "ลิงก์นี้ถูกใช้ไปแล้ว") || !strings.Contains(s, "already been used") {
		t.Fatalf("the used link says %q", s)
	}
	browsertest.Screenshot(t, used, "testdata/phone-link-used-360.png")

	// The officer revokes the phone, answering the question.
	dialogs := make(chan string, 4)
	if err := chromedp.Listen(desk, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			select {
			case dialogs <- d.Message:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range dialogs {
			chromedp.Call(desk, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	deskTab.Run(chromedp.Navigate(srv.URL+"/participants/"+p.Code+"?tab=phone"),
		chromedp.WaitVisible(chromedp.CSS(".revoke-form button")),
		chromedp.Click(chromedp.CSS(".revoke-form button")),
		chromedp.WaitVisible(chromedp.CSS(".phones li.is-revoked")),
	)
	browsertest.Screenshot(t, desk, "testdata/phone-revoked-1280.png")

	// Her phone falls back to the usual sign-in, saying why.
	phoneTab.Run(chromedp.Navigate(srv.URL + "/books"))
	waitFor("the usual sign-in form on the revoked phone", func() bool {
		return phoneTab.Eval(`String(!!document.querySelector('#login') && !!document.querySelector('#login-message') && document.querySelector('#login-message').textContent.includes('ไม่ได้จำคุณไว้แล้ว'))`) == "true"
	})
	browsertest.Screenshot(t, phone, "testdata/phone-revoked-360.png")
}
