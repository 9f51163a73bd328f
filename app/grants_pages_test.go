package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"hawker/thai"
	"hawker/users"
)

// TestGrantPages walks the grant pages as each role, in both languages:
// the form (pre-filled from the plan, refusing bad input with 422 and
// messages beside the fields), the inbox with plan, eligibility and fund
// side by side, a grant with its timeline, the fund dashboard, the
// register, the vendor's own view, and the donor's figures without names.
func TestGrantPages(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	f.addUser("officer2", users.Officer)
	code := f.makeEligible("vendor")
	fund := f.setupFund("80000.00")
	officer, officer2, manager := f.as("officer"), f.as("officer2"), f.as("manager")

	page := func(c *client, path string, status int, wants ...string) string {
		t.Helper()
		resp := c.do("GET", path, nil, nil)
		body := readBody(t, resp)
		if resp.StatusCode != status {
			t.Fatalf("GET %s: %d, want %d: %s", path, resp.StatusCode, status, body)
		}
		for _, w := range wants {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: no %q", path, w)
			}
		}
		return body
	}

	// The form starts from her approved plan.
	page(officer, "/grants/new?participant="+code, 200, "รถเข็น", "30000.00", "ร่างทุนใหม่")
	// Bad input: 422, the form again with messages, nothing written. A
	// tranche's date is a B.E. day/month/year box (issue 14, point 8): one
	// that reads is shown back as the page writes it, one that does not is
	// shown back as typed, its message beside it.
	resp := officer.form("/grants", url.Values{"participant": {code}, "fund": {fmt.Sprint(fund)},
		"t0_amount": {"12.345"}, "t0_condition": {"on_approval"}, "e0_description": {"รถเข็น"}, "e0_value": {"abc"}, "e0_basis": {"invoice"},
		"t1_amount": {"100"}, "t1_condition": {"after_date"}, "t1_after_date": {"1/2/2570"},
		"t2_amount": {"100"}, "t2_condition": {"after_date"}, "t2_after_date": {"31/04/2570"}})
	body := readBody(t, resp)
	if resp.StatusCode != 422 || !strings.Contains(body, "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง") || !strings.Contains(body, `value="12.345"`) {
		t.Fatalf("bad form: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `id="t1_after_date" name="t1_after_date" type="text"`) || !strings.Contains(body, `value="01/02/2570"`) ||
		!strings.Contains(body, `value="31/04/2570"`) || !strings.Contains(body, "ไม่มีวันนี้ในปฏิทิน") || strings.Contains(body, `type="date"`) {
		t.Errorf("the grant form's tranche dates: %s", body)
	}
	// A good one: a redirect to the new grant.
	resp = officer.form("/grants", url.Values{"participant": {code}, "fund": {fmt.Sprint(fund)}, "purpose": {"ทุนตั้งต้น"},
		"t0_amount": {"10000"}, "t0_condition": {"on_approval"},
		"t1_amount": {"5000"}, "t1_condition": {"trading_days"}, "t1_trading_days": {"12"},
		"e0_description": {"รถเข็นสแตนเลส"}, "e0_asset_tag": {"hsf-cart-9"}, "e0_value": {"30000"}, "e0_basis": {"invoice"}})
	if resp.StatusCode != 303 {
		t.Fatalf("save: %d %s", resp.StatusCode, readBody(t, resp))
	}
	loc := resp.Header.Get("Location")
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/grants/"), "?done=saved")
	grantPath := "/grants/" + id
	page(officer, grantPath, 200, "HSF-CART-9", "30,000.00", "ส่งขออนุมัติ")
	want(t, officer.form(grantPath+"/submit", url.Values{}), 303, "submit")

	// The drafter's inbox says she may not approve; another officer's shows the button.
	page(officer, "/grants/inbox", 200, "ผู้ร่างหรือผู้แก้ไขทุนนี้อนุมัติเองไม่ได้")
	inbox := page(officer2, "/grants/inbox", 200, "แผนธุรกิจ", "คุณสมบัติ", "คงเหลือ", "80,000.00", "ข้าวมันไก่", "/grants/"+id+"/approve")
	_ = inbox
	// A rejection without a reason is refused on the page, with 422.
	resp = officer2.form(grantPath+"/reject", url.Values{"reason": {" "}})
	if resp.StatusCode != 422 {
		t.Errorf("reject without reason: %d", resp.StatusCode)
	}
	resp = officer2.form(grantPath+"/approve", url.Values{"back": {"/grants/inbox"}})
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/grants/inbox") {
		t.Fatalf("approve: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Releasing a tranche whose condition does not hold: the page says why.
	resp = officer.form(grantPath+"/tranches/2/disburse", url.Values{"key": {"page-key-2"}})
	if body := readBody(t, resp); resp.StatusCode != 409 || !strings.Contains(body, "ยังไม่ถึงเงื่อนไขการจ่ายงวดนี้") {
		t.Errorf("release too early: %d", resp.StatusCode)
	}
	want(t, officer.form(grantPath+"/tranches/1/disburse", url.Values{"key": {"page-key-1"}}), 303, "release")
	want(t, officer.form(grantPath+"/tranches/1/disburse", url.Values{"key": {"page-key-1"}}), 303, "release again (a double click)")
	items := page(officer, grantPath, 200, "จ่ายแล้ว", "ลำดับเหตุการณ์", "ร่างทุน", "ส่งขออนุมัติ", "จ่ายเงินงวด")
	itemID := between(items, "/equipment/", "/handover")
	// The timeline tells each step in Thai from its details (amounts in baht,
	// dates B.E.), not in the English summary the audit trail keeps.
	today := thai.Today(f.clock.Now())
	for _, w := range []string{"สำหรับ " + code + " จากกองทุนรถเข็น รวม 45,000.00 บาท", "รวม 45,000.00 บาท ต้องอนุมัติ 1 ครั้ง",
		"อนุมัติครั้งที่ 1 จาก 1: ผูกพันเงิน 45,000.00 บาท จากกองทุนรถเข็น",
		"งวดที่ 1 (เมื่ออนุมัติ): 10,000.00 บาท วันที่ " + thai.DateIn("th", today)} {
		if !strings.Contains(items, w) {
			t.Errorf("Thai timeline: no %q", w)
		}
	}
	if strings.Contains(items, "from fund") || strings.Contains(items, "tranche 1:") || strings.Contains(items, "approval(s) needed") {
		t.Error("the Thai timeline shows the audit trail's English summary")
	}
	// The hand-over date is a B.E. box too: a day the calendar lacks is
	// refused beside the box, with what was typed kept; today in B.E. is booked.
	if !strings.Contains(items, `id="on`+itemID+`" name="handed_over_on" type="text"`) || !strings.Contains(items, `value="`+thai.FormatDate("th", today)+`"`) {
		t.Errorf("hand-over date box: %s", items)
	}
	resp = officer.form(grantPath+"/equipment/"+itemID+"/handover", url.Values{"handed_over_on": {"30/02/2569"}, "received_by": {"ผู้รับ ทดสอบ"}})
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "ไม่มีวันนี้ในปฏิทิน") || !strings.Contains(body, `value="30/02/2569"`) ||
		!strings.Contains(body, `value="ผู้รับ ทดสอบ"`) || !strings.Contains(body, `id="on`+itemID+`-error">`) {
		t.Errorf("hand-over on 30/02/2569: %d %s", resp.StatusCode, body)
	}
	want(t, officer.form(grantPath+"/equipment/"+itemID+"/handover", url.Values{"handed_over_on": {thai.FormatDate("th", today)}, "received_by": {"ผู้เข้าร่วม vendor"}}), 303, "hand over")
	var handed string
	if err := f.db.Get(&handed, `SELECT business_date::text FROM grant_item_events WHERE item_id = $1 AND action = 'handover'`, itemID); err != nil || handed != today.Format("2006-01-02") {
		t.Errorf("handed over on %q (%v), want %s", handed, err, today.Format("2006-01-02"))
	}

	// English too.
	want(t, officer.form("/language", url.Values{"lang": {"en"}, "back": {grantPath}}), 303, "switch to English")
	page(officer, grantPath, 200, "Timeline", "Grant drafted", "Tranche released", "Equipment handed over",
		"For "+code+" from กองทุนรถเข็น, total ฿45,000.00", "Tranche 1 (On approval): ฿10,000.00 on "+thai.DateIn("en", today),
		"(HSF-CART-9), worth ฿30,000.00, to "+code)

	// The fund dashboard, for staff and for the donor: figures, no names.
	page(manager, "/funds", 200, "80,000.00", "40,000.00", "บันทึกเงินรับ")
	donorPage := page(f.as("donor"), "/funds", 200, "กองทุนรถเข็น", "80,000.00")
	if strings.Contains(donorPage, code) || strings.Contains(donorPage, "ผู้เข้าร่วม vendor") {
		t.Error("the donor's page names a participant")
	}
	if other := page(f.as("donor2"), "/funds", 200); strings.Contains(other, "กองทุนรถเข็น") || strings.Contains(other, "80,000.00") {
		t.Error("another donor sees this donor's fund")
	}
	// A receipt's date in B.E.: 31 April is refused, the form shown open again
	// with what was typed; a good day is booked as the C.E. day it is.
	receipts := fmt.Sprintf("/funds/%d/receipts", fund)
	resp = manager.form(receipts, url.Values{"key": {"receipt-page-1"}, "amount": {"250.50"}, "received_on": {"31/04/2569"}, "note": {"โอน"}})
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "ไม่มีวันนี้ในปฏิทิน") || !strings.Contains(body, `value="31/04/2569"`) ||
		!strings.Contains(body, `value="250.50"`) || !strings.Contains(body, "<details open>") {
		t.Errorf("receipt on 31/04/2569: %d %s", resp.StatusCode, body)
	}
	day := today.AddDate(0, 0, -2)
	want(t, manager.form(receipts, url.Values{"key": {"receipt-page-2"}, "amount": {"250.50"}, "received_on": {thai.FormatDate("th", day)}}), 303, "receipt in B.E.")
	var booked []string
	if err := f.db.Select(&booked, `SELECT received_on::text FROM fund_receipts WHERE fund_id = $1 AND amount = 250.50`, fund); err != nil || len(booked) != 1 || booked[0] != day.Format("2006-01-02") {
		t.Errorf("receipts of 250.50 booked on %v (%v), want one on %s", booked, err, day.Format("2006-01-02"))
	}
	// The register and the vendor's own view.
	page(officer2, "/equipment", 200, "HSF-CART-9", "ส่งมอบแล้ว", "เรียกคืน")
	resp = officer2.form("/equipment/"+itemID+"/recover", url.Values{"on": {f.clock.Now().Format("2006-01-02")}})
	if resp.StatusCode != 422 {
		t.Errorf("recover without a reason: %d", resp.StatusCode)
	}
	resp = officer2.form("/equipment/"+itemID+"/recover", url.Values{"on": {"1/1/2542"}, "note": {"ไม่ได้ใช้"}})
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "วันที่ต้องอยู่ระหว่างปี พ.ศ. 2543 ถึง 2642") ||
		!strings.Contains(body, `id="ron`+itemID+`" name="on" type="text"`) || !strings.Contains(body, `value="1/1/2542"`) || !strings.Contains(body, `value="ไม่ได้ใช้"`) {
		t.Errorf("recover on 1/1/2542: %d %s", resp.StatusCode, body)
	}
	page(f.as("vendor"), "/books/grants", 200, "ทุนของฉัน", "10,000.00", "งวดต่อไป", "12 วัน", "HSF-CART-9")
	page(f.as("vendor2"), "/books/grants", 200, "ยังไม่มีทุนที่อนุมัติ")
	want(t, f.as("vendor").do("GET", grantPath, nil, nil), 403, "a vendor on the staff page")
	page(officer, "/participants/"+code+"?tab=grants", 200, "/grants/"+id)
	page(officer, "/grants?state=approved", 200, "/grants/"+id)
}

// between is the text of s between the first from and the next to.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	j := strings.Index(s, to)
	if j < 0 {
		return ""
	}
	return s[:j]
}

// TestGrantThresholdSetting: an administrator sets the threshold on the
// settings page; nonsense is refused beside the field.
func TestGrantThresholdSetting(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	admin := f.as("admin")
	resp := admin.do("GET", "/admin/settings", nil, nil)
	if body := readBody(t, resp); resp.StatusCode != 200 || !strings.Contains(body, `value="50,000.00"`) {
		t.Fatalf("settings page: %d", resp.StatusCode)
	}
	resp = admin.form("/admin/settings/grants", url.Values{"threshold": {"-5"}})
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "threshold-error") {
		t.Errorf("negative threshold: %d", resp.StatusCode)
	}
	want(t, admin.form("/admin/settings/grants", url.Values{"threshold": {"75,000"}}), 303, "save threshold")
	if d, err := f.s.grants.Threshold(context.Background()); err != nil || d.String() != "75000.00" {
		t.Errorf("threshold %s, %v", d, err)
	}
	want(t, f.as("manager").form("/admin/settings/grants", url.Values{"threshold": {"1"}}), 403, "a manager sets the threshold")
}
