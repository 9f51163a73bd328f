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
	"hawker/grants"
	"hawker/participants"
	"hawker/thai"
	"hawker/users"
	"hawker/vendors"
)

// TestApproverInboxAt360: an officer who did not draft the grant opens the
// approvers' inbox on a phone, sees the plan, the eligibility and the fund
// side by side (stacked at 360 px, never scrolling sideways), approves, and
// finds the grant committed; the fund dashboard and the grant's timeline
// are photographed too.
func TestApproverInboxAt360(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := context.Background()
	today := thai.Today(time.Now())
	us := users.NewStore(srv.DB)
	actors := map[string]audit.Actor{}
	for _, x := range []struct {
		login string
		role  users.Role
	}{{"officer", users.Officer}, {"officer2", users.Officer}, {"manager", users.Manager}} {
		u, err := us.Add(ctx, users.New{Login: x.login, Name: "ทดสอบ " + x.login, Role: x.role, Password: browserPassword})
		if err != nil {
			t.Fatal(err)
		}
		actors[x.login] = audit.Actor{UserID: u.ID, Role: string(x.role)}
	}
	people := participants.NewStore(srv.DB)
	p, err := participants.Enrolment{Name: "บุญมี ศรีสวัสดิ์", Phone: "0891234567", Province: "กรุงเทพมหานคร", District: "ห้วยขวาง",
		Cohort: "รุ่น 1/2569", EnrolledOn: today.Format(time.DateOnly)}.Parse(today)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	c, _ := participants.ConsentForm{Purpose: "programme", Given: &yes}.Parse(today)
	if p, err = people.Enrol(ctx, actors["officer"], p, []participants.Consent{c}); err != nil {
		t.Fatal(err)
	}
	form, err := participants.PlanForm{Business: "ข้าวมันไก่ประตูน้ำ", Location: "ตลาดห้วยขวาง", DaysPerMonth: "24", ExpectedDailySales: "1500",
		IngredientCostPct: "40", MonthlyFixedCosts: "2000", Items: []participants.ItemForm{{Name: "รถเข็นสแตนเลส", Quantity: "1", UnitCost: "35000"}}}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := people.CreatePlan(ctx, actors["officer"], p, form)
	if err == nil {
		_, err = people.SubmitPlan(ctx, actors["officer"], plan.ID)
	}
	if err == nil {
		_, err = people.ApprovePlan(ctx, actors["manager"], plan.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	store := grants.NewStore(srv.DB, vendors.NewStore(srv.DB))
	d, err := donors.NewStore(srv.DB).Add(ctx, actors["manager"], donors.New{Name: "มูลนิธิอาหารปลอดภัย"})
	if err != nil {
		t.Fatal(err)
	}
	fund, err := store.CreateFund(ctx, actors["manager"], grants.NewFund{Donor: d.ID, Name: "กองทุนรถเข็นสะอาด 2569", Purpose: "รถเข็นและทุนตั้งต้น"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Receive(ctx, actors["manager"], fund.ID, "browser-receipt", grants.ReceiptInput{Amount: "250000", ReceivedOn: today.Format(time.DateOnly)}, today); err != nil {
		t.Fatal(err)
	}
	g, err := store.Create(ctx, actors["officer"], grants.Input{Participant: p.Code, Fund: fund.ID, Purpose: "รถเข็นและเงินตั้งต้น",
		Tranches:  []grants.TrancheInput{{Amount: "5000", Condition: "on_approval"}, {Amount: "3000", Condition: "milestone", Milestone: "ได้ใบอนุญาตจำหน่ายอาหารจากเขต"}},
		Equipment: []grants.ItemInput{{Description: "รถเข็นสแตนเลสพร้อมตู้กระจก", AssetTag: "HSF-CART-0101", Serial: "KT-55-0192", Value: "35000", Basis: "invoice"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Submit(ctx, actors["officer"], g.ID, today); err != nil {
		t.Fatal(err)
	}

	b := browsertest.New(t)
	run := browsertest.On(t, b).Run
	run(chromedp.EmulateViewport(360, 740), signIn(srv, "officer2", browserPassword, "p.who"),
		chromedp.Navigate(srv.URL+"/grants/inbox"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#grant-%d", g.ID))))
	checkFits(t, b, "inbox")
	browsertest.Screenshot(t, b, "testdata/grant-inbox-360.png")
	body, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(fmt.Sprintf("#grant-%d", g.ID))))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"ข้าวมันไก่ประตูน้ำ", "มีสิทธิ์รับทุน", "250,000.00", "43,000.00"} {
		if !strings.Contains(body, w) {
			t.Errorf("inbox card: no %q in %q", w, body)
		}
	}
	run(chromedp.Click(chromedp.CSS(fmt.Sprintf("form[action='/grants/%d/approve'] button", g.ID))),
		chromedp.WaitVisible(chromedp.CSS("p.notice")))
	run(chromedp.Navigate(fmt.Sprintf("%s/grants/%d", srv.URL, g.ID)), chromedp.WaitVisible(chromedp.CSS("ol.timeline")))
	checkFits(t, b, "grant")
	browsertest.Screenshot(t, b, "testdata/grant-360.png")
	run(chromedp.Navigate(srv.URL+"/funds"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#fund-%d", fund.ID))))
	checkFits(t, b, "funds")
	browsertest.Screenshot(t, b, "testdata/funds-360.png")
	figs, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(fmt.Sprintf("#fund-%d", fund.ID))))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(figs, "43,000.00") || !strings.Contains(figs, "207,000.00") {
		t.Errorf("fund after approval: %q", figs)
	}

	// Dates are typed as Thai dates (issue 14, point 8): the hand-over's
	// box shows today in B.E.; a loosely typed B.E. day is tidied when she
	// leaves the box and booked as that C.E. day.
	approved, err := store.Grant(ctx, g.ID)
	if err != nil || len(approved.Items) != 1 {
		t.Fatalf("approved grant: %+v, %v", approved, err)
	}
	item := approved.Items[0].ID
	box := fmt.Sprintf("#on%d", item)
	run(chromedp.Navigate(fmt.Sprintf("%s/grants/%d", srv.URL, g.ID)), chromedp.WaitVisible(chromedp.CSS(box)))
	if v := value(t, b, box); v != thai.FormatDate("th", today) {
		t.Errorf("hand-over date box shows %q, want today in B.E. %q", v, thai.FormatDate("th", today))
	}
	for _, w := range []int64{1280, 360} {
		run(chromedp.EmulateViewport(w, 800), chromedp.WaitVisible(chromedp.CSS(box)))
		browsertest.Screenshot(t, b, fmt.Sprintf("testdata/grant-handover-%d.png", w))
	}
	handed := today.AddDate(0, 0, -1)
	run(chromedp.Clear(chromedp.CSS(box)),
		chromedp.SendKeys(chromedp.CSS(box), fmt.Sprintf("%d/%d/%d", handed.Day(), int(handed.Month()), thai.Year(handed))),
		chromedp.Blur(chromedp.CSS(box)))
	if v := value(t, b, box); v != thai.FormatDate("th", handed) {
		t.Errorf("tidied hand-over date %q, want %q", v, thai.FormatDate("th", handed))
	}
	run(chromedp.Click(chromedp.CSS(fmt.Sprintf("form[action='/grants/%d/equipment/%d/handover'] button", g.ID, item))),
		chromedp.WaitVisible(chromedp.CSS("p.notice")))
	var on string
	if err := srv.DB.Get(&on, `SELECT business_date::text FROM grant_item_events WHERE item_id = $1 AND action = 'handover'`, item); err != nil || on != handed.Format(time.DateOnly) {
		t.Errorf("handed over on %q (%v), want %s", on, err, handed.Format(time.DateOnly))
	}

	// The draft form's tranche dates are the same box, in a row of five at
	// 1280 px and stacked at 360 px.
	for _, w := range []int64{1280, 360} {
		run(chromedp.EmulateViewport(w, 800), chromedp.Navigate(srv.URL+"/grants/new?participant="+p.Code),
			chromedp.WaitVisible(chromedp.CSS("#t0_after_date")),
			chromedp.SetValue(chromedp.CSS("#t0_condition"), "after_date"),
			chromedp.SendKeys(chromedp.CSS("#t0_after_date"), "1/2/2570"), chromedp.Blur(chromedp.CSS("#t0_after_date")))
		if v := value(t, b, "#t0_after_date"); v != "01/02/2570" {
			t.Errorf("tranche date tidied to %q, want 01/02/2570", v)
		}
		if w == 360 {
			checkFits(t, b, "grant form")
		}
		browsertest.Screenshot(t, b, fmt.Sprintf("testdata/grant-form-%d.png", w))
	}

	// The register: recovering the cart asks for its day in the same box,
	// and a day the calendar lacks is told beside it before anything is sent.
	recoverBox := fmt.Sprintf("#ron%d", item)
	for _, w := range []int64{1280, 360} {
		run(chromedp.EmulateViewport(w, 800), chromedp.Navigate(srv.URL+"/equipment"),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#item-%d", item))),
			chromedp.Click(chromedp.CSS(fmt.Sprintf("#item-%d details:not(.history) summary", item))), // "recover"
			chromedp.WaitVisible(chromedp.CSS(recoverBox)),
			chromedp.Clear(chromedp.CSS(recoverBox)),
			chromedp.SendKeys(chromedp.CSS(recoverBox), "31/04/2569"), chromedp.Blur(chromedp.CSS(recoverBox)),
			chromedp.WaitVisible(chromedp.CSS(recoverBox+"-error")))
		if w == 360 {
			checkFits(t, b, "equipment")
		}
		browsertest.Screenshot(t, b, fmt.Sprintf("testdata/equipment-%d.png", w))
	}
	if msg := text(t, b, recoverBox+"-error"); !strings.Contains(msg, "ไม่มีวันนี้ในปฏิทิน") {
		t.Errorf("recover date message: %q", msg)
	}

	// A manager books a donor's receipt on 15/11/2569, typed as a Thai
	// reads it: the fund's books say 2026-11-15.
	mb := browsertest.New(t)
	mrun := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(mb, steps...); err != nil {
			t.Fatal(err)
		}
	}
	receiptForm := fmt.Sprintf("form[action='/funds/%d/receipts']", fund.ID)
	date := fmt.Sprintf("#on%d", fund.ID)
	mrun(chromedp.EmulateViewport(360, 740), signIn(srv, "manager", browserPassword, "p.who"))
	for _, w := range []int64{1280, 360} {
		mrun(chromedp.EmulateViewport(w, 800), chromedp.Navigate(srv.URL+"/funds"),
			chromedp.Click(chromedp.CSS(fmt.Sprintf("#fund-%d details summary", fund.ID))),
			chromedp.WaitVisible(chromedp.CSS(date)))
		if w == 360 {
			checkFits(t, mb, "funds")
		}
		browsertest.Screenshot(t, mb, fmt.Sprintf("testdata/funds-receipt-%d.png", w))
	}
	mrun(chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#amount%d", fund.ID)), "1250.50"),
		chromedp.Clear(chromedp.CSS(date)),
		chromedp.SendKeys(chromedp.CSS(date), "15/11/2569"),
		chromedp.Click(chromedp.CSS(receiptForm+" button")),
		chromedp.WaitVisible(chromedp.CSS("p.notice")))
	var received []string
	if err := srv.DB.Select(&received, `SELECT received_on::text FROM fund_receipts WHERE fund_id = $1 AND amount = 1250.50`, fund.ID); err != nil ||
		len(received) != 1 || received[0] != "2026-11-15" {
		t.Errorf("receipt typed 15/11/2569 booked on %v (%v), want 2026-11-15", received, err)
	}
}

// value is the value of the input sel.
func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}
