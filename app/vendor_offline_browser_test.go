package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"regexp"

	"github.com/chromedp/chromedp"

	"hawker/audit"
	"hawker/browsertest"
	"hawker/catalog"
	"hawker/participants"
	"hawker/thai"
	"hawker/users"
)

// TestVendorOfflineEverywhere: a new vendor records the cash she starts
// with, and her cash on hand starts there. An entry the server refuses is
// shown apart from those waiting, with why. Offline, an expense waits: its
// date reads in B.E. like the page, and today's figures and her cash count
// it, marked as waiting. Then every link on her books page opens offline
// from the phone's kept copies (Home her books, her account and grants),
// or else the app's own offline page in Thai (a statement never opened),
// never the browser's error page; so do the sign-out and the language
// buttons, and she stays signed in. Signed out, the phone keeps none of
// her pages, and offline still shows the app's page.
func TestVendorOfflineEverywhere(t *testing.T) {
	t.Parallel()
	srv := browsertest.Start(t)
	ctx := context.Background()
	phone := "0823456789"
	p, err := participants.NewStore(srv.DB).Enrol(ctx, audit.System, participants.Participant{
		Name: "สมใจ รักดี", Nickname: "ใจ", Phone: &phone, Province: "กรุงเทพมหานคร", District: "บางกะปิ",
		Cohort: "รุ่น 1/2569", EnrolledOn: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Language: "th",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.NewStore(srv.DB).Add(ctx, users.New{Login: "somjai", Name: p.Name, Role: users.Vendor, Password: browserPassword, ParticipantID: &p.ID}); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t)
	run := browsertest.On(t, b).Run
	eval := browsertest.On(t, b).Eval
	waitFor := browsertest.On(t, b).WaitFor
	// offline cuts the phone off: the page knows it (the browser's
	// emulation), and neither the page nor the service worker reaches the
	// server (the emulation alone lets the worker's requests through).
	offline := func(off bool) { t.Helper(); srv.Offline(t, b, off) }
	tr, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	// offlinePage waits for the app's offline page and checks it speaks
	// Thai first: the document's own text, not the browser's error page.
	offlinePage := func(what string) {
		t.Helper()
		defer func() {
			if t.Failed() {
				t.Logf("shown for %s: %s", what, eval(`location.href + ' | ' + document.body.innerText.slice(0, 300)`))
			}
		}()
		waitFor("the app's offline page for "+what, func() bool {
			return eval(`String(!!document.querySelector('#offline-page') && !document.body.classList.contains('neterror'))`) == "true"
		})
		if got := eval(`(() => { const th = document.querySelector('#offline-page .offline-lang'); return th.lang + '|' + th.querySelector('h1').textContent + '|' + th.querySelector('p').textContent })()`); got != "th|"+tr.T("th", "offline.title")+"|"+tr.T("th", "offline.text") {
			t.Errorf("%s offline: the page says %q, want the Thai offline page first", what, got)
		}
		// Kept for whoever is signed in: it offers no sign-in (she may
		// still be signed in) and no language form (it is in both).
		if eval(`String(!document.querySelector('a[href="/login"]') && !document.querySelector('form.lang'))`) != "true" {
			t.Errorf("%s offline: the offline page offers a sign-in or a language form", what)
		}
		if body := eval(`document.body.innerText`); strings.Contains(body, "ERR_") || strings.Contains(body, "This site can") || !strings.Contains(body, tr.T("en", "offline.title")) {
			t.Errorf("%s offline: the page reads %q", what, body)
		}
	}
	// shots photographs the page at 360 px (a phone) and 1280 px (a desk),
	// and leaves it at 360.
	shots := func(name string) {
		t.Helper()
		browsertest.Screenshot(t, b, "testdata/"+name+"-360.png")
		run(chromedp.EmulateViewport(1280, 900))
		browsertest.Screenshot(t, b, "testdata/"+name+"-1280.png")
		run(chromedp.EmulateViewport(360, 740))
	}
	fig := func(name string) string {
		return eval(`(document.querySelector('#figures .fig-` + name + ` dd') || {}).textContent || ''`)
	}

	run(chromedp.EmulateViewport(360, 740), signIn(srv, "somjai", browserPassword, "#opening-amount"))
	waitFor("the service worker, the kept page and the offline page", func() bool {
		return eval(`(async () => String(!!navigator.serviceWorker.controller && !!(await caches.match('/books')) && !!(await caches.match('/offline'))))()`) == "true"
	})

	// She starts with her real cash, once.
	run(chromedp.SetValue(chromedp.CSS("#opening-amount"), "1,500"),
		chromedp.Click(chromedp.CSS("#opening-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#opening-note")))
	if got := fig("cash"); got != "฿1,500.00" {
		t.Fatalf("cash on hand after the opening: %q", got)
	}
	if eval(`String(!!document.querySelector('#opening-form'))`) != "false" || !strings.Contains(text(t, b, "#opening-note"), "เริ่มต้นด้วยเงินสด ฿1,500.00") {
		t.Fatal("the opening is not shown, or still offered")
	}
	browsertest.Screenshot(t, b, "testdata/vendor-opening-360.png")

	// A sale over the per-line ceiling is refused by the server: shown
	// apart from the waiting ones, in Thai, with why.
	run(chromedp.SetValue(chromedp.CSS("#sale-amount"), "200000"), chromedp.Click(chromedp.CSS("#sale-form button[value=cash]")))
	waitFor("the refused sale apart", func() bool {
		return eval(`(() => { const r = document.querySelector('#refused'); return String(!!r && !r.hidden && r.querySelectorAll('li').length === 1 && r.textContent.includes('รายการที่ส่งไม่ได้') && r.textContent.includes('ส่งไม่ได้') && document.querySelector('#outbox').hidden) })()`) == "true"
	})
	// Shown in her language: why in Thai, the amount and the B.E. date as
	// the page writes them.
	if why := text(t, b, "#refused li .field-error"); !thaiOnly.MatchString(why) {
		t.Errorf("the refused sale's reason reads %q, want Thai", why)
	}
	if amt := text(t, b, "#refused li .e-amt"); amt != "+฿200,000.00" {
		t.Errorf("the refused sale's amount reads %q", amt)
	}
	refusedDay, err := time.Parse(time.DateOnly, eval(`document.querySelector('#books').dataset.today`))
	if err != nil {
		t.Fatal(err)
	}
	if be := strings.Fields(text(t, b, "#refused li .e-meta")); len(be) != 4 || strings.Join(be[1:], " ") != thai.Date(refusedDay) {
		t.Errorf("the refused sale's date reads %q, want %q", be, thai.Date(refusedDay))
	}
	if got := fig("cash"); got != "฿1,500.00" || eval(`String(!!document.querySelector('#figures .fig-wait'))`) != "false" {
		t.Errorf("a refused sale counts in today's figures: cash %q", got)
	}
	shots("vendor-refused")
	// Her account and grants, visited once online, are kept.
	run(chromedp.Navigate(srv.URL+"/account"), chromedp.WaitVisible(chromedp.CSS("#current")),
		chromedp.Navigate(srv.URL+"/books/grants"), chromedp.WaitVisible(chromedp.CSS("main h1")),
		chromedp.Navigate(srv.URL+"/books"), chromedp.WaitVisible(chromedp.CSS("#sale-amount")))
	waitFor("the kept account page", func() bool {
		return eval(`caches.match('/account').then(h => String(!!h))`) == "true"
	})

	// Offline: an expense waits, dated in B.E., counted in today's figures.
	offline(true)
	run(chromedp.SetValue(chromedp.CSS("#expense-amount"), "200"), chromedp.Click(chromedp.CSS("#expense-form button[value=ice]")))
	waitFor("the expense waiting", func() bool {
		return eval(`String(document.querySelectorAll('#outbox-list li').length)`) == "1"
	})
	today := eval(`document.querySelector('#books').dataset.today`)
	day, err := time.Parse(time.DateOnly, today)
	if err != nil {
		t.Fatal(err)
	}
	be := strings.Fields(text(t, b, "#outbox-list li .e-meta"))
	if len(be) != 4 || be[3] != strconv.Itoa(day.Year()+543) || be[1] != strconv.Itoa(day.Day()) || strings.Join(be[1:], " ") != thai.Date(day) {
		t.Fatalf("the waiting entry's date reads %q (today %s)", be, today)
	}
	if got := fig("expenses"); got != "฿200.00" {
		t.Fatalf("today's expenses with one waiting: %q", got)
	}
	if got := fig("cash"); got != "฿1,300.00" {
		t.Fatalf("cash on hand with one waiting: %q", got)
	}
	if w := text(t, b, "#figures .fig-expenses .fig-wait"); !strings.Contains(w, "รวมรอส่ง") || !strings.Contains(w, "+฿200.00") {
		t.Fatalf("the waiting mark says %q", w)
	}
	if w := text(t, b, "#figures .fig-profit .fig-wait"); !strings.Contains(w, "−฿200.00") {
		t.Fatalf("profit's waiting mark says %q", w)
	}
	shots("vendor-waiting")

	// Every link on her books page, followed offline: a kept page or the
	// app's offline page, at least one of them the offline page.
	links := eval(`[...new Set([...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')).filter(h => h.startsWith('/') && h !== '/books/statement.pdf'))].join(' ')`)
	shownOffline := 0
	for _, href := range append(strings.Fields(links), "/account", "/books/grants") {
		if err := chromedp.Do(b, chromedp.Navigate(srv.URL+href)); err != nil {
			// A statement the browser still holds downloads (a CSV): no page, no error page.
			if strings.Contains(err.Error(), "ERR_ABORTED") && (strings.Contains(href, ".csv") || strings.Contains(href, ".pdf")) {
				continue
			}
			t.Fatalf("%s offline: %v", href, err)
		}
		// An app page (kept, or the offline page), or a statement kept by
		// the browser: never the browser's error page.
		waitFor("an app page for "+href, func() bool {
			return eval(`String(!document.body.classList.contains('neterror') && (!!document.querySelector('header.top') || /^(application\/pdf|text\/csv)$/.test(document.contentType)))`) == "true"
		})
		got := eval(`location.pathname + ' ' + (document.querySelector('#offline-page') ? 'offline' : 'kept')`)
		switch {
		case href == "/" && got != "/books kept":
			t.Errorf("Home offline: %s, want her kept books", got)
		case href == "/account" || href == "/books/grants" || strings.HasPrefix(href, "/books?"):
			if !strings.HasSuffix(got, "kept") {
				t.Errorf("%s offline: %s, want the kept page", href, got)
			}
		case strings.HasSuffix(got, "offline"):
			offlinePage(href)
			shownOffline++
		}
	}
	if shownOffline == 0 {
		t.Errorf("no link led to the app's offline page (links: %s)", links)
	}

	// Her menu, tapped as she would: the brand and Home open her kept books,
	// My account its kept page, from her books and from her account alike.
	for _, tap := range []struct{ from, link, want string }{
		{"/books", "header .brand", "/books"},
		{"/books", `nav.menu a[href="/"]`, "/books"},
		{"/books", `nav.menu a[href="/account"]`, "/account"},
		{"/account", `nav.menu a[href="/"]`, "/books"},
		{"/books/grants", `nav.menu a[href="/account"]`, "/account"},
		{"/books/grants", `main a[href="/books"]`, "/books"},
	} {
		run(chromedp.Navigate(srv.URL+tap.from), chromedp.WaitVisible(chromedp.CSS("main h1, #sale-amount")))
		eval(`window.tapped = 'before'`) // gone once the new page is in
		run(chromedp.Click(chromedp.CSS(tap.link)))
		waitFor(tap.link+" from "+tap.from, func() bool {
			return eval(`location.pathname + ' ' + String(window.tapped !== 'before' && !!document.querySelector('header.top') && !document.querySelector('#offline-page') && document.readyState === 'complete')`) == tap.want+" true"
		})
	}

	// Signing out or changing the language offline: the app's offline page,
	// and she is still signed in (nothing reached the server).
	run(chromedp.Navigate(srv.URL+"/books"), chromedp.WaitVisible(chromedp.CSS("#sale-amount")))
	run(chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	offlinePage("the sign-out")
	shots("vendor-offline-page")
	run(chromedp.Navigate(srv.URL+"/books"), chromedp.WaitVisible(chromedp.CSS("#sale-amount")))
	run(chromedp.Click(chromedp.CSS(`form.lang button[value=en]`)))
	offlinePage("the language button")
	// A phone that believes it is online but cannot reach the server: the
	// sign-out is tried, fails, and the offline page says so.
	offline(false)
	srv.Unreachable(true)
	run(chromedp.Navigate(srv.URL+"/books"), chromedp.WaitVisible(chromedp.CSS("#sale-amount")))
	run(chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	offlinePage("the sign-out that cannot reach the server")
	offline(true)

	// Back online, the expense is sent; nothing waits, the refusal stays apart.
	offline(false)
	run(chromedp.Navigate(srv.URL+"/books"), chromedp.WaitVisible(chromedp.CSS("#sale-amount")))
	waitFor("the expense sent", func() bool {
		return eval(`String(document.querySelector('#outbox').hidden && !document.querySelector('#figures .fig-wait') && document.querySelector('#figures .fig-cash dd').textContent === '฿1,300.00')`) == "true"
	})
	if eval(`String(!document.querySelector('#refused').hidden && document.querySelectorAll('#refused li').length === 1)`) != "true" {
		t.Error("the refused sale is no longer shown apart once online")
	}

	// Signed out, the phone keeps none of her pages, only the offline page;
	// offline, her books lead to it, not to the browser's error page.
	run(chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#login")))
	if got := eval(`(async () => [!!(await caches.match('/books')), !!(await caches.match('/account')), !!(await caches.match('/books/grants')), !!(await caches.match('/offline'))].join(' '))()`); got != "false false false true" {
		t.Fatalf("kept after sign-out (books, account, grants, offline page): %s", got)
	}
	offline(true)
	run(chromedp.Navigate(srv.URL + "/books"))
	offlinePage("her books after signing out")
	if eval(`String(!!document.querySelector('#sale-amount') || document.body.innerText.includes('สมใจ'))`) != "false" {
		t.Error("her books open after signing out")
	}
	offline(false)
}

// thaiOnly matches text in Thai: Thai letters, and no English word.
var thaiOnly = regexp.MustCompile(`^[^A-Za-z]*[\p{Thai}][^A-Za-z]*$`)
