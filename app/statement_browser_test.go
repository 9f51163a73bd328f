package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hawker/audit"
	"hawker/browsertest"
	"hawker/ledger"
	"hawker/participants"
	"hawker/thai"
	"hawker/users"
	"hawker/vendors"
)

// TestLatestStatementOffline: a vendor opens her books online once; her
// phone keeps her latest monthly statement, and with no connection it still
// opens, the same PDF.
func TestLatestStatementOffline(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := context.Background()
	phone := "0812345679"
	p, err := participants.NewStore(srv.DB).Enrol(ctx, audit.System, participants.Participant{
		Name: "มาลี ปู่ฟ้า", Phone: &phone, Province: "กรุงเทพมหานคร", District: "ห้วยขวาง",
		Cohort: "รุ่น 1/2569", EnrolledOn: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Language: "th",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const password = "vendor-pass-2"
	if _, err := users.NewStore(srv.DB).Add(ctx, users.New{Login: "malee", Name: p.Name, Role: users.Vendor, Password: password, ParticipantID: &p.ID}); err != nil {
		t.Fatal(err)
	}
	today := thai.Today(time.Now())
	last := ledger.MonthOf(today).AddDate(0, -1, 0)
	vs := vendors.NewStore(srv.DB)
	for d := range 3 {
		if _, err := vs.Record(ctx, audit.System, vendors.Request{ParticipantID: p.ID, Code: p.Code, Today: today, Key: fmt.Sprintf("m-%d", d),
			Input: vendors.Input{Date: last.AddDate(0, 0, d).Format(time.DateOnly), Kind: "sale", Amount: "350.00", Method: "cash"}}); err != nil {
			t.Fatal(err)
		}
	}

	b := browsertest.New(t)
	run := browsertest.On(t, b).Run
	eval := browsertest.On(t, b).EvalInt
	waitFor := browsertest.On(t, b).WaitFor
	run(chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.SetValue(chromedp.CSS("#login"), "malee"),
		chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("a[href='/books/statement.pdf']")),
	)
	// The statement as the server gives it, online.
	const pdfHead = `fetch('/books/statement.pdf').then(r => r.ok ? r.arrayBuffer() : new ArrayBuffer(0)).then(b => new Uint8Array(b)).then(a => a.length > 1000 && String.fromCharCode(...a.slice(0, 5)) === '%PDF-' ? a.length : 0)`
	online := eval(pdfHead)
	if online == 0 {
		t.Fatal("the latest statement does not open online")
	}
	waitFor("the phone to keep the latest statement", func() bool {
		return eval(`(async () => !!navigator.serviceWorker.controller && !!(await caches.match('/books/statement.pdf')) ? 1 : 0)()`) == 1
	})

	srv.Offline(t, b, true) // the server cut off too: the worker must answer from its cache
	if got := eval(pdfHead); got != online {
		t.Fatalf("offline, the latest statement opens with %d bytes, want the %d kept", got, online)
	}
}
