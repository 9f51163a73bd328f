package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hawker/audit"
	"hawker/browsertest"
	"hawker/donors"
	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/thai"
	"hawker/users"
	"hawker/vendors"
)

// TestManagerDayInBrowser: the manager's inbox, a plan page and the
// month-end close in Chromium (issue 14, points 10, 11 and 13). The close
// asks for its box to be ticked (the first press, unticked, is refused
// beside the box), then closes last month in every book; the homes of the
// manager, the officer and the donor and the pages are photographed at
// 360 px and 1280 px.
func TestManagerDayInBrowser(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := context.Background()
	const password = "staff-pass-1"
	us := users.NewStore(srv.DB)
	d, err := donors.NewStore(srv.DB).Add(ctx, audit.System, donors.New{Name: "มูลนิธิอาหารริมทาง"})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, n := range []users.New{
		{Login: "officer", Name: "สมศรี ใจดี", Role: users.Officer, Password: password},
		{Login: "manager", Name: "ประภาพร วงศ์ไทย", Role: users.Manager, Password: password},
		{Login: "donor", Name: "คุณวิภา", Role: users.Donor, Password: password, DonorID: &d.ID},
	} {
		u, err := us.Add(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		ids[n.Login] = u.ID
	}
	officer := audit.Actor{UserID: ids["officer"], Role: "officer"}
	manager := audit.Actor{UserID: ids["manager"], Role: "manager"}
	ps := participants.NewStore(srv.DB)
	today := thai.Today(time.Now())
	last := ledger.MonthOf(today).AddDate(0, -1, 0)
	var plans []int64
	for i, who := range []string{"มาลี ศรีสุข", "บุญมี ทองดี"} {
		phone := "08912300" + strconv.Itoa(10+i)
		p, err := ps.Enrol(ctx, officer, participants.Participant{Name: who, Phone: &phone, Province: "กรุงเทพมหานคร", District: "ดินแดง",
			Cohort: "รุ่น 1/2569", EnrolledOn: last, Language: "th"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		form, err := participants.PlanForm{Business: []string{"ข้าวมันไก่", "ส้มตำ ไก่ย่าง"}[i], DaysPerMonth: "24", ExpectedDailySales: "1500", IngredientCostPct: "40",
			MonthlyFixedCosts: "2000", Items: []participants.ItemForm{{Name: "รถเข็นสแตนเลส", Quantity: "1", UnitCost: "30000"}}}.Parse()
		if err != nil {
			t.Fatal(err)
		}
		pl, err := ps.CreatePlan(ctx, officer, p, form)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ps.SubmitPlan(ctx, officer, pl.ID); err != nil {
			t.Fatal(err)
		}
		plans = append(plans, pl.ID)
		// Her book holds a sale of last month: a book the close must close.
		e, err := vendors.NewEntry(p.ID, p.Code, last.AddDate(0, 0, 4), vendors.Sale, money.Baht(850), "cash", "", "sale-"+p.Code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vendors.NewStore(srv.DB).RecordBulk(ctx, []vendors.Entry{e}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// One plan came back to the officer for fixing.
	if _, err := ps.ReturnPlan(ctx, manager, plans[1], "ราคารถเข็นสูงกว่าท้องตลาด ขอใบเสนอราคาอีกร้าน"); err != nil {
		t.Fatal(err)
	}

	m := newStaffBrowser(t, srv, "manager", password)
	if inbox := m.text("#inbox"); !strings.Contains(inbox, "ข้าวมันไก่") || !strings.Contains(inbox, "ส่งโดย สมศรี ใจดี") {
		t.Fatalf("manager's inbox: %q", inbox)
	}
	m.shots("/", "#inbox", "home-manager")
	m.shots("/plans/"+strconv.FormatInt(plans[0], 10), "#approve", "plan-review")

	// The close: which month, how many books, then the box, then the button.
	closeButton := "form.confirm-close button[type=submit]"
	m.run(chromedp.Navigate(srv.URL+"/periods"), chromedp.WaitVisible(chromedp.CSS(closeButton)))
	if mc := m.text("#month-close"); !strings.Contains(mc, thai.Month(last)) || !strings.Contains(mc, "ยังเปิดอยู่") {
		t.Fatalf("close page: %q", mc)
	}
	m.run(chromedp.Click(chromedp.CSS(closeButton)), chromedp.WaitVisible(chromedp.CSS("#confirm-error")))
	if msg := m.text("#confirm-error"); !strings.Contains(msg, "ติ๊กช่องยืนยัน") {
		t.Fatalf("unticked close: %q", msg)
	}
	cl := vendors.NewStore(srv.DB).Ledger()
	if c, err := cl.MonthCloses(ctx, []time.Time{last}); err != nil || c[0].Closed != 0 || c[0].Books < 2 {
		t.Fatalf("after the unticked press: %+v %v", c, err)
	}
	browsertest.Screenshot(t, m.b, "testdata/month-close-unticked-360.png")
	m.run(chromedp.Click(chromedp.CSS("#confirm")), chromedp.Click(chromedp.CSS(closeButton)), chromedp.WaitVisible(chromedp.CSS("p.notice[role=status]")))
	if c, err := cl.MonthCloses(ctx, []time.Time{last}); err != nil || c[0].Open() != 0 {
		t.Fatalf("after the close: %+v %v", c, err)
	}
	if n := m.text("p.notice[role=status]"); !strings.Contains(n, thai.Month(last)) {
		t.Fatalf("close notice: %q", n)
	}
	m.shots("/periods?month="+last.Format("2006-01"), "#still-open", "month-close")

	o := newStaffBrowser(t, srv, "officer", password)
	if r := o.text("#returned"); !strings.Contains(r, "ส้มตำ ไก่ย่าง") || !strings.Contains(r, "ส่งกลับโดย ประภาพร วงศ์ไทย") {
		t.Fatalf("officer's returned plans: %q", r)
	}
	o.shots("/", "#returned", "home-officer")

	dn := newStaffBrowser(t, srv, "donor", password)
	if h := dn.text("main"); !strings.Contains(h, "วันที่ 1") {
		t.Fatalf("donor's home: %q", h)
	}
	dn.shots("/", "a[href='/impact']", "home-donor")
}
