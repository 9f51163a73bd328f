package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hawker/audit"
	"hawker/browsertest"
	"hawker/donors"
	"hawker/reports"
	"hawker/thai"
	"hawker/users"
)

// TestImpactAndOutboxPhotographed: a donor's impact page and the outbox,
// where the monthly reports kept without a mail server wait, at 1280 and
// 360 px (the outbox's message opened too); nothing scrolls sideways at
// 360 px and every control is a finger wide.
func TestImpactAndOutboxPhotographed(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := context.Background()
	// The server made last month's reports as it started, for no donor yet:
	// wait for that, so that the donor below has exactly the months made here.
	last := reports.LastMonth(time.Now()).Format("2006-01")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		var done bool
		if err := srv.DB.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM report_jobs WHERE kind = 'impact_month' AND params ->> 'month' = $1 AND state = 'done')`, last); err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never ran last month's donor reports")
		}
	}
	d, err := donors.NewStore(srv.DB).Add(ctx, audit.System, donors.New{Name: "มูลนิธิสยามฟู้ดส์เพื่อสังคม (Siam Foods Foundation)"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []users.New{{Login: "admin", Name: "ผู้ดูแลระบบ", Role: users.Admin},
		{Login: "donor", Name: "คุณกนกวรรณ ศรีสุข", Role: users.Donor, DonorID: &d.ID}} {
		n.Password = browserPassword
		if _, err := users.NewStore(srv.DB).Add(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []donors.NewContact{{Email: "impact-reports@siamfoods-foundation.example.org", Language: "th"}, {Email: "grants@siamfoods-foundation.example.org", Language: "en"}} {
		if _, err := donors.NewStore(srv.DB).AddContact(ctx, audit.System, d.ID, c); err != nil {
			t.Fatal(err)
		}
	}
	// The monthly job of two and of three months ago, as serve ran it on
	// those firsts of the month.
	q := reports.NewQueue(srv.DB)
	dl := reports.NewDelivery(reports.NewStore(srv.DB, nil, srv.URL), q, nil)
	first := thai.Today(time.Now()).AddDate(0, 0, 1-thai.Today(time.Now()).Day())
	for _, k := range []int{-2, -1} {
		at := first.AddDate(0, k, 0).Add(2 * time.Hour)
		dl.Now = func() time.Time { return at }
		if _, err := dl.Schedule(ctx); err != nil {
			t.Fatal(err)
		}
		for {
			_, ok, err := q.Execute(ctx, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
		}
	}
	if _, err := dl.SendDue(ctx); err != nil {
		t.Fatal(err)
	}

	b := browsertest.New(t)
	run := browsertest.On(t, b).Run
	shoot := func(name string, wait string) {
		t.Helper()
		for _, w := range []int64{1280, 360} {
			run(chromedp.EmulateViewport(w, 800), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(wait)))
			if w == 360 {
				checkFits(t, b, name)
			}
			browsertest.Screenshot(t, b, "testdata/"+name+"-"+map[int64]string{1280: "1280", 360: "360"}[w]+".png")
		}
	}
	run(chromedp.EmulateViewport(1280, 800), signIn(srv, "donor", browserPassword, "p.who"),
		chromedp.Navigate(srv.URL+"/impact"), chromedp.WaitVisible(chromedp.CSS("#months-h")))
	shoot("impact-donor", "#months-h")
	if body := text(t, b, "main"); !strings.Contains(body, d.Name) || !strings.Contains(body, "ดาวน์โหลด PDF") {
		t.Errorf("the donor's impact page: %q", body)
	}
	run(signOut(), signIn(srv, "admin", browserPassword, "p.who"),
		chromedp.Navigate(srv.URL+"/admin/outbox"), chromedp.WaitVisible(chromedp.CSS("table.outbox")))
	shoot("outbox", "table.outbox")
	rows, err := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll('table.outbox tbody tr[data-state="kept"]').length`))
	if err != nil || rows != 4 {
		t.Errorf("outbox rows kept: %d (%v), want 4: two months to two contacts", rows, err)
	}
	run(chromedp.Click(chromedp.CSS("table.outbox tbody tr a.button")), chromedp.WaitVisible(chromedp.CSS("pre.mail-body")))
	shoot("outbox-mail", "pre.mail-body")
	if body := text(t, b, "pre.mail-body"); !strings.HasPrefix(body, "เรียน "+d.Name) || !strings.Contains(body, "Dear "+d.Name) {
		t.Errorf("the message: %q", body)
	}
}
