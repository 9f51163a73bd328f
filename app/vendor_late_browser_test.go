package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hawker/audit"
	"hawker/browsertest"
	"hawker/ledger"
	"hawker/participants"
	"hawker/users"
	"hawker/vendors"
)

// TestVendorLateEntryNeverLost: online, a vendor sees each entry confirmed
// beside the form she tapped and can undo it. Then she records a sale offline, her month
// closes before the phone reconnects, and back online the sale is booked
// late in the first open month: the outbox empties with nothing refused, the
// server holds it with its own date, and her books show it as recorded late.
func TestVendorLateEntryNeverLost(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := context.Background()
	phone := "0898765432"
	p, err := participants.NewStore(srv.DB).Enrol(ctx, audit.System, participants.Participant{
		Name: "มาลี ใจดี", Nickname: "มาลี", Phone: &phone, Province: "กรุงเทพมหานคร", District: "บางรัก",
		Cohort: "รุ่น 1/2569", EnrolledOn: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Language: "th",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const password = "vendor-pass-2"
	if _, err := users.NewStore(srv.DB).Add(ctx, users.New{Login: "malee", Name: p.Name, Role: users.Vendor, Password: password, ParticipantID: &p.ID}); err != nil {
		t.Fatal(err)
	}
	vs := vendors.NewStore(srv.DB)
	book, err := vs.EnsureBook(ctx, p.ID, p.Code)
	if err != nil {
		t.Fatal(err)
	}

	b := browsertest.New(t)
	run := browsertest.On(t, b).Run
	eval := browsertest.On(t, b).EvalInt
	waitFor := browsertest.On(t, b).WaitFor
	offline := func(off bool) { t.Helper(); srv.Offline(t, b, off) }
	outboxSize := func() int { return eval(`hawkerBooks.outbox().then(items => items.length)`) }
	var late struct {
		N        int        `db:"n"`
		Date     *time.Time `db:"business_date"`
		BookedOn *time.Time `db:"booked_on"`
	}
	held := func() int {
		t.Helper()
		if err := srv.DB.Get(&late, `SELECT count(*) AS n, max(business_date) AS business_date, max(booked_on) AS booked_on
			FROM vendor_entries WHERE participant_id = $1 AND id NOT IN (SELECT vendor_entry_id FROM vendor_voids)`, p.ID); err != nil {
			t.Fatal(err)
		}
		return late.N
	}

	run(chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.SetValue(chromedp.CSS("#login"), "malee"),
		chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#sale-amount")),
	)
	waitFor("the service worker and the kept page", func() bool {
		return eval(`(async () => !!navigator.serviceWorker.controller && !!(await caches.match('/books')) ? 1 : 0)()`) == 1
	})

	// Online, a sale shows a confirmation beside the form she tapped, with
	// its kind and amount; its undo voids it.
	// The app's own messages, never the browser's (the forms are novalidate):
	// an empty amount and misplaced commas are refused in Thai, beside the box.
	for _, c := range []struct{ typed, want string }{
		{"", "กรุณาใส่จำนวนเงิน"},
		{"1,50", "ใส่เป็นตัวเลข เช่น 120, 35.50 หรือ 1,250.50"},
	} {
		eval(`(document.querySelector('#sale-amount').value = ` + "`" + c.typed + "`" + `, 1)`)
		run(chromedp.Click(chromedp.CSS("#sale-form button[value=cash]")))
		waitFor("the message "+c.want, func() bool {
			return eval(`(() => { const e = document.querySelector('#sale-form .js-error'); return e && e.textContent === `+"`"+c.want+"`"+` ? 1 : 0 })()`) == 1
		})
		if n := outboxSize(); n != 0 {
			t.Fatalf("%q went to the outbox", c.typed)
		}
	}
	browsertest.Screenshot(t, b, "testdata/vendor-amount-error-360.png")
	// "1,250.50", as people write it, is 1,250.50 baht.
	run(chromedp.SetValue(chromedp.CSS("#sale-amount"), "1,250.50"), chromedp.Click(chromedp.CSS("#sale-form button[value=promptpay]")))
	waitFor("the confirmation beside the sale form", func() bool {
		return eval(`(() => { const s = document.querySelector('#sale-form + .saved'); return s && s.textContent.includes('บันทึกแล้ว: ขาย · พร้อมเพย์ ฿1,250.50') ? 1 : 0 })()`) == 1
	})
	if held() != 1 {
		t.Fatalf("the server holds %d entries after one sale", late.N)
	}
	browsertest.Screenshot(t, b, "testdata/vendor-saved-360.png")
	run(chromedp.Click(chromedp.CSS("#sale-form + .saved button.undo")))
	waitFor("the sale voided by the undo", func() bool { return held() == 0 })
	waitFor("the confirmation saying it was undone", func() bool {
		return eval(`(() => { const s = document.querySelector('#sale-form + .saved.is-undone'); return s && s.textContent.includes('ยกเลิกแล้ว') ? 1 : 0 })()`) == 1
	})
	var reason string
	if err := srv.DB.Get(&reason, `SELECT reason FROM vendor_voids`); err != nil || reason != "ยกเลิกทันทีหลังบันทึก" {
		t.Fatalf("void reason %q (%v)", reason, err)
	}

	// Offline: a sale, dated today by the phone.
	offline(true)
	run(chromedp.SetValue(chromedp.CSS("#sale-amount"), "250"), chromedp.Click(chromedp.CSS("#sale-form button[value=cash]")))
	waitFor("the sale in the outbox", func() bool { return outboxSize() == 1 })
	today := eval(`(() => { const d = new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Bangkok'}).format(new Date()).split('-'); return +d[0] * 10000 + +d[1] * 100 + +d[2] })()`)
	day := time.Date(today/10000, time.Month(today/100%100), today%100, 0, 0, 0, 0, time.UTC)

	// Her month closes while the phone is away (the close sees the month as
	// ended, as it will be at month-end).
	month := ledger.MonthOf(day)
	if _, err := vs.Ledger().ClosePeriod(ctx, audit.System, book, month, month.AddDate(0, 1, 1)); err != nil {
		t.Fatal(err)
	}

	// Online: sent, booked late, never refused.
	offline(false)
	waitFor("the sale on the server", func() bool { return held() == 1 })
	waitFor("an empty outbox", func() bool { return outboxSize() == 0 })
	if !late.Date.Equal(day) || late.BookedOn == nil || !late.BookedOn.Equal(month.AddDate(0, 1, 0)) {
		t.Fatalf("held with date %v booked on %v; want %v booked on %v", late.Date, late.BookedOn, day, month.AddDate(0, 1, 0))
	}
	waitFor("the sale shown as recorded late (บันทึกล่าช้า)", func() bool {
		return eval(`(() => { const b = document.querySelector('#recent li .badge.late'); return b && b.textContent === 'บันทึกล่าช้า' && !document.querySelector('.is-refused') ? 1 : 0 })()`) == 1
	})
	// The numbers fit at 360 px: with ฿23,736.50 in hand every figure is
	// on one line, in the one format of the page.
	run(chromedp.SetValue(chromedp.CSS("#sale-amount"), "23,486.50"), chromedp.Click(chromedp.CSS("#sale-form button[value=cash]")))
	waitFor("cash on hand ฿23,736.50", func() bool {
		return eval(`(() => { const d = document.querySelector('.fig-cash dd'); return d && d.textContent === '฿23,736.50' ? 1 : 0 })()`) == 1
	})
	if n := eval(`[...document.querySelectorAll('.fig dd')].filter(d => d.getClientRects().length !== 1 || d.scrollWidth > d.clientWidth || d.getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(d).fontSize)).length`); n != 0 {
		t.Fatalf("%d figures break or overflow at 360 px", n)
	}
	if n := eval(`[...document.querySelectorAll('#recent .e-amt, #glance tr:not(:last-child) td.num')].filter(e => !/^[+−]?฿[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2}$/.test(e.textContent)).length`); n != 0 {
		t.Fatalf("%d amounts on the books page are not in the one format", n)
	}
	browsertest.Screenshot(t, b, "testdata/vendor-late-360.png")
}
