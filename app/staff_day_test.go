package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"hawker/ledger"
	"hawker/participants"
	"hawker/thai"
)

// section returns the part of body from the element with id to the end of
// its section, failing t when there is none.
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no #%s in the page", id)
	}
	j := strings.Index(body[i:], "</section>")
	if j < 0 {
		j = len(body) - i
	}
	return body[i : i+j]
}

// TestStaffDay: the officer's, the manager's and the donor's homes and the
// manager's pages (issue 14, points 10, 11 and 13). The officer finds the
// CSV import from her home and the plans returned to her; the manager's home
// is her inbox of plans and grants; a plan says who wrote and submitted it
// and when, in B.E.; approving asks for a ticked confirmation, apart from
// returning; the month-end close is a page that says what it will close and
// closes through the ledger's CloseMonth; the donor's home says what they
// will find and when.
func TestStaffDay(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	officer, manager, donor := f.as("officer"), f.as("manager"), f.as("donor")
	today := thai.Today(f.clock.Now())
	be := strconv.Itoa(thai.Year(today))
	page := func(c *client, path string) string {
		t.Helper()
		resp := c.do("GET", path, nil, nil)
		body := readBody(t, resp)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return body
	}

	// The officer's home: the import is a tile; nothing returned yet.
	home := page(officer, "/")
	if !strings.Contains(home, `class="tile" href="/vendors/import"`) || !strings.Contains(section(t, home, "returned"), "ไม่มีแผนธุรกิจที่ถูกส่งกลับมาแก้ไข") {
		t.Errorf("officer's home: no import tile, or no empty list of returned plans")
	}

	// A grant waits for approval (her plan approved, a fund, submitted).
	code := f.makeEligible("vendor")
	fund := f.setupFund("80000.00")
	g := officer.createGrant(map[string]any{"participant": code, "fund": fund, "purpose": "ทุนตั้งต้น",
		"tranches": []map[string]any{{"amount": "12500.00", "condition": "on_approval"}}})
	want(t, officer.api("POST", fmt.Sprintf("/api/v1/grants/%d/submit", g.ID), nil), 200, "submit grant")
	// And a plan: the officer writes vendor2's and submits it from the page.
	code2 := f.participant["vendor2"].Code
	resp := officer.api("POST", "/api/v1/participants/"+code2+"/plans", map[string]any{"business": "ส้มตำ", "menu": "ส้มตำ",
		"location": "ตลาด", "days_per_month": 24, "expected_daily_sales": "1200.00", "ingredient_cost_pct": "40",
		"monthly_fixed_costs": "2000.00", "startup_items": []map[string]any{{"name": "ครก", "quantity": 1, "unit_cost": "800.00"}}})
	want(t, resp, 201, "plan")
	var plan struct {
		ID int64 `json:"id"`
	}
	decode(t, resp, &plan)
	planPath := "/plans/" + strconv.FormatInt(plan.ID, 10)
	want(t, officer.form(planPath+"/submit", url.Values{}), 303, "submit plan")

	// The manager's home is her inbox: the plan and the grant.
	inbox := section(t, page(manager, "/"), "inbox")
	for _, w := range []string{`href="` + planPath + `"`, code2, "ส้มตำ", "ส่งโดย ทดสอบ officer", be, `href="/grants/` + strconv.FormatInt(g.ID, 10) + `"`, code, "฿12,500.00", "อนุมัติแล้ว 0 จาก 1 คน", `href="/periods"`} {
		if !strings.Contains(inbox, w) {
			t.Errorf("manager's inbox lacks %q: %s", w, inbox)
		}
	}
	if strings.Contains(page(officer, "/"), `id="inbox"`) {
		t.Errorf("the officer's home shows the manager's inbox")
	}

	// The plan page: who wrote and submitted it, when (B.E.); approve
	// apart from return, and only with its box ticked.
	body := page(manager, planPath)
	hist := section(t, body, "plan-history")
	for _, w := range []string{"เขียนโดย", "ส่งตรวจโดย", "ทดสอบ officer", be} {
		if !strings.Contains(hist, w) {
			t.Errorf("plan history lacks %q: %s", w, hist)
		}
	}
	if a := section(t, body, "approve"); !strings.Contains(a, `name="confirm"`) || strings.Contains(a, "/return") {
		t.Errorf("approve section: %s", a)
	}
	if r := section(t, body, "return"); strings.Contains(r, "/approve") {
		t.Errorf("return section holds approve: %s", r)
	}
	resp = manager.form(planPath+"/approve", url.Values{})
	if b := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(b, "ติ๊กช่องยืนยันว่าตรวจแล้ว") {
		t.Errorf("approve without the box: %d", resp.StatusCode)
	}
	if pl, err := participants.NewStore(f.db).Plan(t.Context(), plan.ID); err != nil || pl.State != participants.Submitted {
		t.Fatalf("after an unconfirmed approve: %v %v", pl.State, err)
	}
	// Returned: the officer's home lists it with the comment and who returned it.
	want(t, manager.form(planPath+"/return", url.Values{"comment": {"ราคาครกสูงเกินไป"}}), 303, "return")
	ret := section(t, page(officer, "/"), "returned")
	for _, w := range []string{`href="` + planPath + `"`, code2, "ราคาครกสูงเกินไป", "ส่งกลับโดย ทดสอบ manager"} {
		if !strings.Contains(ret, w) {
			t.Errorf("returned plans lack %q: %s", w, ret)
		}
	}
	// Submitted again and approved with the box ticked.
	want(t, officer.form(planPath+"/submit", url.Values{}), 303, "submit again")
	want(t, manager.form(planPath+"/approve", url.Values{"confirm": {"yes"}}), 303, "approve")
	if b := page(manager, planPath); !strings.Contains(section(t, b, "plan-history"), "ตรวจโดย") {
		t.Errorf("approved plan does not say who reviewed it")
	}

	// Month-end close: last month, with a vendor's book holding an entry in it.
	last := ledger.MonthOf(today).AddDate(0, -1, 0)
	v := f.as("vendor")
	want(t, v.do("POST", "/api/v1/entries", strings.NewReader(`{"date":"`+last.AddDate(0, 0, 9).Format("2006-01-02")+`","kind":"sale","amount":"150.00","method":"cash"}`),
		map[string]string{"Content-Type": "application/json", "X-CSRF-Token": v.csrf, "Idempotency-Key": "0b8f7a6e-4a3b-4c2d-9e1f-7a6b5c4d3e2f"}), 201, "entry last month")
	closes, err := f.s.vendors.Ledger().MonthCloses(t.Context(), []time.Time{last})
	if err != nil || closes[0].Books < 2 || closes[0].Closed != 0 {
		t.Fatalf("before the close: %+v %v", closes, err)
	}
	books := strconv.Itoa(closes[0].Books)
	body = page(manager, "/periods")
	mc := section(t, body, "month-close")
	for _, w := range []string{thai.Month(last), "สมุดบัญชีทั้งหมด", "<strong>" + books + "</strong>", `action="/periods/` + last.Format("2006-01") + `/close"`, `name="confirm"`} {
		if !strings.Contains(mc, w) {
			t.Errorf("close page lacks %q: %s", w, mc)
		}
	}
	if !strings.Contains(section(t, body, "still-open"), thai.Month(last)) {
		t.Errorf("close page does not list what is still open")
	}
	resp = manager.form("/periods/"+last.Format("2006-01")+"/close", url.Values{})
	if b := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(b, "ติ๊กช่องยืนยันก่อนปิดบัญชี") {
		t.Errorf("close without the box: %d", resp.StatusCode)
	}
	resp = manager.form("/periods/"+ledger.MonthOf(today).Format("2006-01")+"/close", url.Values{"confirm": {"yes"}})
	if b := readBody(t, resp); resp.StatusCode != 409 || !strings.Contains(b, "ปิดงวดได้เมื่อสิ้นเดือนแล้วเท่านั้น") {
		t.Errorf("closing this month: %d, want 409 with its message", resp.StatusCode)
	}
	resp = manager.form("/periods/"+last.Format("2006-01")+"/close", url.Values{"confirm": {"yes"}})
	want(t, resp, 303, "close")
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "n="+books) {
		t.Errorf("close redirect %q, want n=%s", loc, books)
	}
	if closes, err := f.s.vendors.Ledger().MonthCloses(t.Context(), []time.Time{last}); err != nil || closes[0].Open() != 0 {
		t.Errorf("after the close: %+v %v", closes, err)
	}
	if acts := f.auditActions("book:"); len(acts) == 0 {
		t.Errorf("the close left no audit rows")
	}
	if b := page(manager, "/periods?month="+last.Format("2006-01")); !strings.Contains(b, "ปิดบัญชีเดือนนี้ครบทุกสมุดแล้ว") {
		t.Errorf("closed month's page")
	}
	if resp := officer.do("GET", "/periods", nil, nil); resp.StatusCode != 403 {
		t.Errorf("officer at /periods: %d", resp.StatusCode)
	}

	// The donor's home: their funds and the monthly report on the 1st, no general welcome.
	body = page(donor, "/")
	for _, w := range []string{"กองทุนและรายงานผลลัพธ์ของท่าน", "วันที่ 1", `href="/funds"`, `href="/impact"`} {
		if !strings.Contains(body, w) {
			t.Errorf("donor's home lacks %q", w)
		}
	}
	if strings.Contains(body, "ยินดีต้อนรับ") {
		t.Errorf("donor's home is a general welcome")
	}
}
