package app

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
)

// auditCases are the details each action is recorded with, as its
// recording site writes them (one case per variant). Free text (a reason,
// a name) is Thai, as people type it.
var auditCases = []struct {
	action  string
	summary string
	details audit.Details
}{
	{"auth.sign_in", "method=password", audit.Details{"method": "password"}},
	{"auth.sign_in", "method=pin", audit.Details{"method": "pin"}},
	{"auth.sign_in", "method=device device=3", audit.Details{"method": "device", "device": "3"}},
	{"auth.sign_in", "method=device_link device=3", audit.Details{"method": "device_link", "device": "3"}},
	{"auth.sign_out", "", nil},
	{"auth.renew", "", nil},
	{"auth.lock", "10 failed sign-ins from 203.0.113.9", audit.Details{"count": "10", "ip": "203.0.113.9"}},
	{"auth.end_sessions", "2 sessions ended", audit.Details{"count": "2"}},
	{"auth.device_link.create", "one-time phone sign-in link, expires 2026-11-30T08:15:00Z", audit.Details{"expires": "2026-11-30T08:15:00Z"}},
	{"auth.device_link.use", "link made by user 2; device 3", audit.Details{"by": "2", "device": "3"}},
	{"auth.device.add", "device 3: โทรศัพท์ของใจ", audit.Details{"device": "3", "label": "โทรศัพท์ของใจ"}},
	{"auth.device.revoke", "device 3; 1 sessions ended", audit.Details{"device": "3", "count": "1"}},
	{"user.create", "login=vendor41 role=vendor", audit.Details{"login": "vendor41", "role": "vendor"}},
	{"user.disable", "", nil},
	{"user.enable", "", nil},
	{"user.reset_password", "one-time password issued, PIN cleared", audit.Details{"pin": "cleared"}},
	{"user.change_password", "", nil},
	{"user.set_pin", "", audit.Details{"how": "account"}},
	{"user.set_pin", "set on her phone with a one-time link", audit.Details{"how": "phone_link"}},
	{"user.set_pin", "set on her phone with a one-time link; one-time password retired", audit.Details{"how": "phone_link_retired"}},
	{"user.set_language", "language=en", audit.Details{"lang": "en"}},
	{"participant.enrol", "cohort รุ่น 1/2569", audit.Details{"cohort": "รุ่น 1/2569"}},
	{"participant.view", "file:consent", audit.Details{"what": "file", "tab": "consent"}},
	{"participant.view", "plan:2", audit.Details{"what": "plan", "version": "2"}},
	{"participant.view", "entry:41", audit.Details{"what": "entry", "entry": "41"}},
	{"participant.view", "days:2026-11", audit.Details{"what": "days", "month": "2026-11"}},
	{"participant.view", "books", audit.Details{"what": "books"}},
	{"participant.view", "promptpay", audit.Details{"what": "promptpay"}},
	{"participant.view", "eligibility", audit.Details{"what": "eligibility"}},
	{"participant.view", "api", audit.Details{"what": "api"}},
	{"participant.list", "2 shown: HSF-2569-0001 HSF-2569-0002", audit.Details{"count": "2", "codes": "HSF-2569-0001 HSF-2569-0002", "how": "browse"}},
	{"participant.list", "search; 1 shown: HSF-2569-0001", audit.Details{"count": "1", "codes": "HSF-2569-0001", "how": "search"}},
	{"participant.consent", "story withheld", audit.Details{"purpose": "story", "given": "withheld"}},
	{"participant.export", "hawker.participant/v1", audit.Details{"format": "hawker.participant/v1"}},
	{"participant.erase", "name, nickname, phone and PromptPay id erased", audit.Details{"held": "1"}},
	{"training.module_add", "Food handler (required=true, active=true, validity=24 months)", audit.Details{"name_th": "ผู้สัมผัสอาหาร", "name_en": "Food handler", "required": "true", "active": "true", "validity": "24"}},
	{"training.module_update", "Family (required=false, active=false, validity=none)", audit.Details{"name_th": "ครอบครัว", "name_en": "Family", "required": "false", "active": "false", "validity": "none"}},
	{"training.record", "module 3 on 2026-11-02, passed=true", audit.Details{"module": "3", "on": "2026-11-02", "passed": "true"}},
	{"training.record", "module 3 on 2026-11-02, passed=false (class 4)", audit.Details{"module": "3", "on": "2026-11-02", "passed": "false", "class": "4"}},
	{"plan.create", "draft", audit.Details{"state": "draft"}},
	{"plan.update", "submitted", audit.Details{"state": "submitted"}},
	{"plan.submit", "submitted", audit.Details{"state": "submitted"}},
	{"plan.approve", "approved", audit.Details{"state": "approved"}},
	{"plan.return", "returned: เพิ่มค่าเช่า", audit.Details{"state": "returned", "comment": "เพิ่มค่าเช่า"}},
	{"vendor.opening.record", "opening cash 1500.00 on 2026-11-02", audit.Details{"amount": "1500.00", "on": "2026-11-02", "how": "herself"}},
	{"vendor.opening.record", "opening cash 1500.00 on 2026-11-02 on her behalf", audit.Details{"amount": "1500.00", "on": "2026-11-02", "how": "officer"}},
	{"vendor.entry.record", "entry 41: sale cash (paper form) 1250.50 on 2026-11-02 from a paper form", audit.Details{"entry": "41", "kind": "sale", "amount": "1250.50", "on": "2026-11-02"}},
	{"vendor.entry.void", "entry 41 (sale 1250.50 on 2026-11-02) voided: พิมพ์ผิด", audit.Details{"entry": "41", "kind": "sale", "amount": "1250.50", "on": "2026-11-02", "reason": "พิมพ์ผิด"}},
	{"vendor.entries.import", "12 entries for 3 vendors imported from a CSV file", audit.Details{"entries": "12", "vendors": "3"}},
	{"vendor.promptpay.set", "PromptPay id set (mobile)", audit.Details{"id_kind": "mobile"}},
	{"vendor.promptpay.set", "PromptPay id set (national_id)", audit.Details{"id_kind": "national_id"}},
	{"vendor.settings.ceiling", "line ceiling 100000.00", audit.Details{"amount": "100000.00"}},
	{"ledger.close", "month 2026-10", audit.Details{"month": "2026-10"}},
	{"ledger.reopen", "month 2026-10: ใบเสร็จมาช้า", audit.Details{"month": "2026-10", "reason": "ใบเสร็จมาช้า"}},
	{"statement.download", "month=2026-10 file=pdf lang=th fingerprint=7F3A9C21", audit.Details{"month": "2026-10", "file": "pdf", "lang": "th", "fingerprint": "7F3A9C21"}},
	{"statement.download_all", "month=2026-10 statements=40", audit.Details{"month": "2026-10", "count": "40"}},
	{"donor.add", "name=มูลนิธิรักษ์", audit.Details{"name": "มูลนิธิรักษ์"}},
	{"donor.contact_add", "contact=5 language=en", audit.Details{"contact": "5", "lang": "en"}},
	{"donor.contact_remove", "contact=5", audit.Details{"contact": "5"}},
	{"fund.create", "donor 2, กองทุนรถเข็น", audit.Details{"donor": "2", "name": "กองทุนรถเข็น"}},
	{"fund.receipt", "received 50000.00 on 2026-11-02", audit.Details{"amount": "50000.00", "on": "2026-11-02"}},
	{"grant.create", "HSF-2569-0001 from fund 1, total 12000.00", audit.Details{"participant": "HSF-2569-0001", "fund": "กองทุนรถเข็น", "total": "12000.00"}},
	{"grant.edit", "HSF-2569-0001 from fund 1, total 13000.00", audit.Details{"participant": "HSF-2569-0001", "fund": "กองทุนรถเข็น", "total": "13000.00"}},
	{"grant.submit", "total 13000.00, 2 approval(s) needed", audit.Details{"total": "13000.00", "needed": "2"}},
	{"grant.approve", "approval 1 of 2", audit.Details{"seq": "1", "needed": "2"}},
	{"grant.approve", "approval 2 of 2; committed 13000.00 to fund 1 (entry 9)", audit.Details{"seq": "2", "needed": "2", "total": "13000.00", "fund": "กองทุนรถเข็น", "entries": "9"}},
	{"grant.reject", "reason: ไม่มีแผน", audit.Details{"reason": "ไม่มีแผน"}},
	{"grant.cancel", "cancelled", audit.Details{"reason": "ย้ายจังหวัด", "amount": "13000.00", "fund": "กองทุนรถเข็น"}},
	{"grant.complete", "every tranche released and every item handed over", audit.Details{"state": "completed"}},
	{"grant.disburse", "tranche 1: 5000.00 (on_approval) on 2026-11-02; entries 10, 11", audit.Details{"tranche": "1", "amount": "5000.00", "condition": "on_approval", "on": "2026-11-02", "entries": "10, 11"}},
	{"grant.milestone", "tranche 2 milestone confirmed: ขายครบ", audit.Details{"tranche": "2", "note": "ขายครบ"}},
	{"grant.reverse", "tranche 1: 5000.00 reversed on 2026-11-03 (entries 12, 13, 14): ผิดบัญชี", audit.Details{"tranche": "1", "amount": "5000.00", "on": "2026-11-03", "entries": "12, 13, 14", "reason": "ผิดบัญชี"}},
	{"grant.handover", "handed over", audit.Details{"item": "รถเข็น", "tag": "EQ-0001", "value": "8000.00", "participant": "HSF-2569-0001", "amount": "8000.00", "on": "2026-11-02"}},
	{"grant.item.recover", "recovered", audit.Details{"item": "รถเข็น", "tag": "EQ-0001", "value": "8000.00", "participant": "HSF-2569-0001", "on": "2026-11-05", "note": "เลิกขาย"}},
	{"grant.item.reassign", "reassigned", audit.Details{"item": "รถเข็น", "tag": "EQ-0001", "value": "8000.00", "participant": "HSF-2569-0002", "on": "2026-11-06"}},
	{"grant.item.write_off", "written off", audit.Details{"item": "รถเข็น", "tag": "EQ-0001", "value": "8000.00", "on": "2026-11-07", "note": "ชำรุด"}},
	{"grant.settings.threshold", "manager threshold 20000.00", audit.Details{"amount": "20000.00"}},
}

// TestAuditDescribesEveryAction records each action as its recording site
// does and reads it back as the audit page tells it: in Thai, with no code,
// no machine word and no English left (the data typed by people aside),
// and in English, with no code either. Every action recorded anywhere in
// the repository is in the table and in the page's filter.
func TestAuditDescribesEveryAction(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	ctx := context.Background()
	admin := f.users["admin"]
	err := pg.InTx(ctx, f.db, func(tx *sqlx.Tx) error {
		for _, c := range auditCases {
			if err := audit.RecordDetails(ctx, tx, audit.Actor{UserID: admin.ID, Role: "admin"}, c.action, "user:"+itoa(admin.ID), c.summary, c.details); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	events, err := audit.List(ctx, f.db, audit.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	logins := map[int64]string{2: "officer1"}
	// Codes, key names, "<no value>" of a missing argument, a key echoed back.
	machine := regexp.MustCompile(`[a-z]+_[a-z_]+|[a-z]+=|<no value>|auditlog\.|timeline\.|\b[a-z]+\.[a-z]+\b`)
	// What people typed or the system names (logins, codes, an IP, a
	// fingerprint) may be Latin; any other Latin word on a Thai page is English.
	data := regexp.MustCompile(`vendor41|officer1|HSF-\d{4}-\d{4}|EQ-\d{4}|7F3A9C21|\b(PIN|PDF|CSV)\b`)
	latin := regexp.MustCompile(`[A-Za-z]{2,}`)
	seen := map[string]bool{}
	for _, e := range events {
		if e.ActorID == nil || *e.ActorID != admin.ID || e.Object != "user:"+itoa(admin.ID) {
			continue // the fixture's own rows
		}
		seen[e.Action] = true
		if !slices.Contains(auditActions, e.Action) {
			t.Errorf("%s is not in the audit page's filter (auditActions)", e.Action)
		}
		if !f.s.views.tr.Has(auditActionKey(e.Action)) {
			t.Errorf("%s has no description %s", e.Action, auditActionKey(e.Action))
		}
		th, thRaw := f.s.auditDetail("th", e, logins)
		en, enRaw := f.s.auditDetail("en", e, logins)
		if thRaw || enRaw {
			t.Errorf("%s %v: shown as recorded: %q / %q", e.Action, e.Details, th, en)
			continue
		}
		if len(e.Details) > 0 && (th == "" || en == "") {
			t.Errorf("%s %v: no description: %q / %q", e.Action, e.Details, th, en)
		}
		if m := machine.FindString(th); m != "" {
			t.Errorf("%s %v: Thai %q shows %q", e.Action, e.Details, th, m)
		}
		if m := latin.FindString(data.ReplaceAllString(th, "")); m != "" {
			t.Errorf("%s %v: Thai %q has the English word %q", e.Action, e.Details, th, m)
		}
		if m := machine.FindString(en); m != "" {
			t.Errorf("%s %v: English %q shows %q", e.Action, e.Details, en, m)
		}
		if len(e.Details) > 0 && th == en {
			t.Errorf("%s: the same text in both languages: %q", e.Action, th)
		}
	}
	for _, a := range auditActions {
		if !seen[a] {
			t.Errorf("%s is in the filter but has no case here", a)
		}
	}
	for _, a := range recordedActions(t) {
		if !seen[a] {
			t.Errorf("%s is recorded in the code but has no case here (nor, likely, a description)", a)
		}
	}

	// Details tell in the reader's words: an amount, a B.E. date, a role.
	for _, c := range []struct {
		e      audit.Event
		th, en string
	}{
		{audit.Event{Action: "vendor.entry.void", Details: audit.Details{"entry": "41", "kind": "sale", "amount": "1250.50", "on": "2026-11-02", "reason": "พิมพ์ผิด"}}, "รายการที่ 41 (รายรับ 1,250.50 บาท วันที่ 2 พ.ย. 2569) · เหตุผล: พิมพ์ผิด", "entry 41 (sale ฿1,250.50 on 2 Nov 2026) · reason: พิมพ์ผิด"},
		{audit.Event{Action: "user.create", Details: audit.Details{"login": "vendor41", "role": "vendor"}}, "ชื่อผู้ใช้ vendor41 · บทบาทผู้ค้า", ""},
		{audit.Event{Action: "auth.device_link.use", Details: audit.Details{"by": "2", "device": "3"}}, "ลิงก์ที่ officer1 สร้างไว้ · โทรศัพท์เครื่องที่ 3", "link made by officer1 · phone no. 3"},
	} {
		if got, _ := f.s.auditDetail("th", c.e, logins); got != c.th {
			t.Errorf("%s in Thai: %q, want %q", c.e.Action, got, c.th)
		}
		if got, _ := f.s.auditDetail("en", c.e, logins); c.en != "" && got != c.en {
			t.Errorf("%s in English: %q, want %q", c.e.Action, got, c.en)
		}
	}
	// An object is named for people, even a user since removed, or a login
	// no user has.
	if got := f.s.auditObject("th", "user:999999", logins); got != "ผู้ใช้หมายเลข 999999" {
		t.Errorf("a removed user: %q", got)
	}
	if got := f.s.auditObject("th", "login:nobody", logins); got != "ชื่อผู้ใช้ nobody" {
		t.Errorf("a login no user has: %q", got)
	}
	// A row written before details were kept is still read from its summary.
	old := audit.Event{Action: "user.create", Summary: "login=vendor41 role=vendor"}
	if got, raw := f.s.auditDetail("th", old, logins); raw || got != "ชื่อผู้ใช้ vendor41 · บทบาทผู้ค้า" {
		t.Errorf("an old row without details: %q (raw %v)", got, raw)
	}
	// So is every summary of the table that has words to tell, in Thai
	// with no code or English left.
	for _, c := range auditCases {
		if c.summary == "" || c.action == "participant.erase" || strings.HasPrefix(c.action, "training.module_") ||
			strings.HasPrefix(c.action, "grant.") && c.action != "grant.complete" && c.action != "grant.settings.threshold" {
			continue // a grant's steps kept details since the column exists; the others' English is the record
		}
		e := audit.Event{Action: c.action, Summary: c.summary}
		th, raw := f.s.auditDetail("th", e, logins)
		if raw || machine.MatchString(th) || latin.MatchString(data.ReplaceAllString(th, "")) {
			t.Errorf("%s written before details (%q): Thai %q (raw %v)", c.action, c.summary, th, raw)
		}
	}

	// The page itself: no row shown as recorded text, in either language.
	body := readBody(t, f.as("admin").do("GET", "/admin/audit?action=vendor.", nil, nil))
	if strings.Contains(body, `class="raw"`) || !strings.Contains(body, "เจ้าหน้าที่บันทึกแทน") {
		t.Errorf("the Thai audit page shows a row as recorded, or lacks the opening on her behalf")
	}
}

// recordedActions are the actions the repository's code records with a
// literal action: audit.Record*, recordDraft and the users store's update.
func recordedActions(t *testing.T) []string {
	t.Helper()
	call := regexp.MustCompile(`(?:audit\.Record(?:Details|Many|ManyDetails)?\(ctx, tx, [^,]+|recordDraft\(ctx, tx, a|s\.update\(ctx, a, id), "([a-z_]+\.[a-z_.]+)"`)
	var out []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != ".." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Ext(path) != ".go" || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 40 {
		t.Fatalf("found only %d recorded actions: the scan is wrong", len(out))
	}
	return out
}
