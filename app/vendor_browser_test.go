package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hawker/audit"
	"hawker/browsertest"
	"hawker/participants"
	"hawker/users"
)

// TestVendorRecordsOffline: a vendor opens her books online once (the
// service worker installs and keeps the page), loses her connection, records
// two entries, reloads the page offline and records a third; back online the
// phone sends its outbox and the server holds exactly 3 entries; sending the
// same entries again (same UUIDs) still leaves 3. Her home page is then
// photographed at 360 px.
func TestVendorRecordsOffline(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := context.Background()
	phone := "0812345678"
	p, err := participants.NewStore(srv.DB).Enrol(ctx, audit.System, participants.Participant{
		Name: "สุนีย์ แก้วมณี", Nickname: "นีย์", Phone: &phone, Province: "กรุงเทพมหานคร", District: "ห้วยขวาง",
		Cohort: "รุ่น 1/2569", EnrolledOn: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Language: "th",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const password = "vendor-pass-1"
	if _, err := users.NewStore(srv.DB).Add(ctx, users.New{Login: "sunee", Name: p.Name, Role: users.Vendor, Password: password, ParticipantID: &p.ID}); err != nil {
		t.Fatal(err)
	}
	entries := func() int {
		t.Helper()
		var n int
		if err := srv.DB.Get(&n, `SELECT count(*) FROM vendor_entries WHERE participant_id = $1`, p.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}

	b := browsertest.New(t)
	run := browsertest.On(t, b).Run
	eval := browsertest.On(t, b).EvalInt
	waitFor := browsertest.On(t, b).WaitFor
	offline := func(off bool) { t.Helper(); srv.Offline(t, b, off) }
	outboxSize := func() int { return eval(`hawkerBooks.outbox().then(items => items.length)`) }
	record := func(form, amount, button string) {
		t.Helper()
		before := outboxSize()
		run(chromedp.SetValue(chromedp.CSS("#"+form+"-amount"), amount),
			chromedp.Click(chromedp.CSS("#"+form+"-form "+button)))
		waitFor("the entry in the outbox", func() bool { return outboxSize() == before+1 })
	}

	// Online once: sign in, land on the books, let the worker take over.
	run(chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.SetValue(chromedp.CSS("#login"), "sunee"),
		chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#sale-amount")),
	)
	waitFor("the service worker and the kept page", func() bool {
		return eval(`(async () => !!navigator.serviceWorker.controller && !!(await caches.match('/books')) && !!(await caches.match(document.querySelector('script[src^="/static/vendor."]').src)) ? 1 : 0)()`) == 1
	})

	// Offline: two entries, a reload, a third.
	offline(true)
	if eval(`navigator.onLine ? 1 : 0`) != 0 {
		t.Fatal("the page still believes it is online")
	}
	record("sale", "120", "button[value=cash]")
	record("expense", "45.50", "button[value=ice]")
	run(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#sale-amount")))
	if n := outboxSize(); n != 2 {
		t.Fatalf("after the offline reload the outbox holds %d, want 2", n)
	}
	run(chromedp.WaitVisible(chromedp.CSS("#outbox-list li")), chromedp.WaitVisible(chromedp.CSS("#offline-banner")))
	record("drawing", "100", "button[type=submit]")
	waitFor("3 entries shown as waiting to send (รอส่ง)", func() bool {
		return eval(`(() => { const b = [...document.querySelectorAll('#outbox-list li .badge')]; return b.length === 3 && b.every(x => x.textContent === 'รอส่ง') ? 1 : 0 })()`) == 1
	})
	if n := entries(); n != 0 {
		t.Fatalf("the server holds %d entries while the phone is offline", n)
	}

	// Online again: the outbox goes out by itself, on the online event.
	offline(false)
	waitFor("3 entries on the server", func() bool { return entries() == 3 })
	waitFor("an empty outbox", func() bool { return outboxSize() == 0 })

	// Replay the whole outbox with the same UUIDs: the server answers 200
	// (already recorded) and still holds 3.
	if n := eval(`hawkerBooks.sent().then(items => hawkerBooks.sendAll(items)).then(st => st.filter(s => s === 200).length)`); n != 3 {
		t.Fatalf("replay: %d answers of 200, want 3", n)
	}
	if n := entries(); n != 3 {
		t.Fatalf("after the replay the server holds %d entries, want 3", n)
	}

	// The home page, as she sees it now, at 360 px.
	run(chromedp.Navigate(srv.URL+"/books"), chromedp.WaitVisible(chromedp.CSS("#recent li")))
	// The figures may be swapped for the server's fresh copy meanwhile.
	waitFor("today's sales ฿120.00", func() bool {
		return eval(`(() => { const d = document.querySelector('.fig-sales dd'); return d && d.textContent === '฿120.00' ? 1 : 0 })()`) == 1
	})
	browsertest.Screenshot(t, b, "testdata/vendor-home-360.png")

	// Signing out forgets the pages kept for offline use: on a shared phone
	// the next person finds none of them.
	run(chromedp.Click(chromedp.CSS("form[action='/logout'] button")), chromedp.WaitVisible(chromedp.CSS("#login")))
	if n := eval(`caches.match('/books').then(hit => hit ? 1 : 0)`); n != 0 {
		t.Fatal("after sign-out the phone still keeps her books page")
	}
}
