package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"hawker/audit"
	"hawker/browsertest"
	"hawker/participants"
	"hawker/users"
)

// TestVendorOfflineEverywhere: a new vendor records the cash she starts
// with, and her cash on hand starts there. An entry the server refuses is
// shown apart from those waiting, with why. Offline, an expense waits: its
// date reads in B.E. like the page, and today's figures and her cash count
// it, marked as waiting. Then every link on her books page opens offline
// from the phone's kept copies (Home her books, her account and grants),
// never the browser's error page.
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
	run := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, steps...); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(b, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	offline := func(off bool) {
		t.Helper()
		yes := true
		if _, err := chromedp.Call(b, network.Enable, network.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(b, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &yes,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(b, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: off, DownloadThroughput: -1, UploadThroughput: -1,
		}); err != nil {
			t.Fatal(err)
		}
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
	if len(be) != 4 || be[3] != strconv.Itoa(day.Year()+543) || be[1] != strconv.Itoa(day.Day()) {
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
	browsertest.Screenshot(t, b, "testdata/vendor-waiting-360.png")

	// Every link on her books page, followed offline.
	links := eval(`[...new Set([...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')).filter(h => h.startsWith('/') && h !== '/books/statement.pdf'))].join(' ')`)
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
		switch got := eval(`location.pathname + ' ' + (document.querySelector('#offline-page') ? 'offline' : 'kept')`); {
		case href == "/" && got != "/books kept":
			t.Errorf("Home offline: %s, want her kept books", got)
		case href == "/account" || href == "/books/grants" || strings.HasPrefix(href, "/books?"):
			if !strings.HasSuffix(got, "kept") {
				t.Errorf("%s offline: %s, want the kept page", href, got)
			}
		}
	}
	// Back online, the expense is sent; nothing waits, the refusal stays apart.
	offline(false)
	run(chromedp.Navigate(srv.URL+"/books"), chromedp.WaitVisible(chromedp.CSS("#sale-amount")))
	waitFor("the expense sent", func() bool {
		return eval(`String(document.querySelector('#outbox').hidden && !document.querySelector('#figures .fig-wait') && document.querySelector('#figures .fig-cash dd').textContent === '฿1,300.00')`) == "true"
	})
}
