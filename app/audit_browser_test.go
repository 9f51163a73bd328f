package app_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/browsertest"
	"hawker/pg"
	"hawker/users"
)

// TestAuditPagePhotographed: the administrator's audit trail at 1280 px in
// Thai, with events of many kinds as their recording sites keep them: every
// row a Thai sentence, no code, no key name, nothing shown as recorded.
func TestAuditPagePhotographed(t *testing.T) {
	t.Parallel()
	srv := browsertest.Start(t)
	ctx := context.Background()
	admin, err := users.NewStore(srv.DB).Add(ctx, users.New{Login: "admin", Name: "ผู้ดูแล ระบบ", Role: users.Admin, Password: browserPassword})
	if err != nil {
		t.Fatal(err)
	}
	events := []struct {
		action, object, summary string
		details                 audit.Details
	}{
		{"auth.sign_in", "user:4", "method=device device=3", audit.Details{"method": "device", "device": "3"}},
		{"auth.device_link.use", "user:4", "link made by user 1; device 3", audit.Details{"by": "1", "device": "3"}},
		{"user.set_pin", "user:4", "set on her phone with a one-time link; one-time password retired", audit.Details{"how": "phone_link_retired"}},
		{"user.create", "user:4", "login=vendor41 role=vendor", audit.Details{"login": "vendor41", "role": "vendor"}},
		{"user.set_language", "user:4", "language=en", audit.Details{"lang": "en"}},
		{"auth.lock", "login:vendor41", "10 failed sign-ins from 203.0.113.9", audit.Details{"count": "10", "ip": "203.0.113.9"}},
		{"participant.view", "participant:HSF-2026-0001", "days:2026-11", audit.Details{"what": "days", "month": "2026-11"}},
		{"participant.list", "participants", "search; 1 shown: HSF-2026-0001", audit.Details{"count": "1", "codes": "HSF-2026-0001", "how": "search"}},
		{"participant.erase", "participant:HSF-2026-0002", "name, nickname, phone and PromptPay id erased", audit.Details{"held": "1"}},
		{"training.module_update", "training_module:2", "Family (required=false, active=true, validity=24 months)", audit.Details{"name_th": "ครอบครัวและความสัมพันธ์", "name_en": "Family", "required": "false", "active": "true", "validity": "24"}},
		{"vendor.opening.record", "participant:HSF-2026-0001", "opening cash 1500.00 on 2026-11-02 on her behalf", audit.Details{"amount": "1500.00", "on": "2026-11-02", "how": "officer"}},
		{"vendor.entry.void", "participant:HSF-2026-0001", "entry 41 (sale 1250.50 on 2026-11-02) voided: พิมพ์ผิด", audit.Details{"entry": "41", "kind": "sale", "amount": "1250.50", "on": "2026-11-02", "reason": "พิมพ์ผิด"}},
		{"vendor.promptpay.set", "participant:HSF-2026-0001", "PromptPay id set (mobile)", audit.Details{"id_kind": "mobile"}},
		{"ledger.close", "book:7", "month 2026-10", audit.Details{"month": "2026-10"}},
		{"statement.download", "participant:HSF-2026-0001", "month=2026-10 file=pdf lang=th fingerprint=7F3A9C21", audit.Details{"month": "2026-10", "file": "pdf", "lang": "th", "fingerprint": "7F3A9C21"}},
		{"fund.receipt", "fund:1", "received 50000.00 on 2026-11-02", audit.Details{"amount": "50000.00", "on": "2026-11-02"}},
		{"grant.disburse", "grant:3", "tranche 1: 5000.00 (on_approval) on 2026-11-02; entries 10, 11", audit.Details{"tranche": "1", "amount": "5000.00", "condition": "on_approval", "on": "2026-11-02", "entries": "10, 11"}},
		{"grant.complete", "grant:3", "every tranche released and every item handed over", audit.Details{"state": "completed"}},
		{"donor.contact_add", "donor:2", "contact=5 language=en", audit.Details{"contact": "5", "lang": "en"}},
	}
	err = pg.InTx(ctx, srv.DB, func(tx *sqlx.Tx) error {
		for _, e := range events {
			if err := audit.RecordDetails(ctx, tx, audit.Actor{UserID: admin.ID, Role: "admin", IP: "127.0.0.1"}, e.action, e.object, e.summary, e.details); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t)
	if err := chromedp.Do(b, chromedp.EmulateViewport(1280, 900), signIn(srv, "admin", browserPassword, "p.who"),
		chromedp.Navigate(srv.URL+"/admin/audit"), chromedp.WaitVisible(chromedp.CSS("table.audit tbody tr"))); err != nil {
		t.Fatal(err)
	}
	if raw, err := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll('table.audit .raw').length`)); err != nil || raw != 0 {
		t.Errorf("%d rows shown as recorded (%v)", raw, err)
	}
	body := text(t, b, "table.audit tbody")
	if m := regexp.MustCompile(`[a-z]+_[a-z_]+|[a-z]+=|<no value>|auditlog\.|timeline\.`).FindString(body); m != "" {
		t.Errorf("the Thai audit page shows %q", m)
	}
	for _, want := range []string{"ด้วยรหัส PIN บนโทรศัพท์ที่จำไว้", "ภาษาอังกฤษ", "เจ้าหน้าที่บันทึกแทน", "ลิงก์ที่ admin สร้างไว้", "ตั้งด้วยเบอร์โทรศัพท์", "จ่ายเงินครบทุกงวด"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(body) {
			t.Errorf("the Thai audit page lacks %q", want)
		}
	}
	browsertest.Screenshot(t, b, "testdata/audit-details-1280.png")
}
