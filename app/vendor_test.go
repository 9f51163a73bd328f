package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"hawker/audit"
	"hawker/catalog"
	"hawker/thai"
	"hawker/vendors"
)

// signIn signs key in through POST /api/v1/login, as a phone does.
func (f *accessFixture) signIn(key string) *client {
	f.t.Helper()
	c := f.anon()
	resp := c.api("POST", "/api/v1/login", map[string]string{"login": key, "password": fixturePassword})
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("sign in %s: %d %s", key, resp.StatusCode, readBody(f.t, resp))
	}
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.CSRF == "" {
		f.t.Fatalf("sign in %s: no csrf token (%v)", key, err)
	}
	c.csrf = body.CSRF
	return c
}

// entry posts an entry under an idempotency key.
func (c *client) entry(key string, body map[string]string) *http.Response {
	c.f.t.Helper()
	b, _ := json.Marshal(body)
	h := map[string]string{"Content-Type": "application/json", "X-CSRF-Token": c.csrf}
	if key != "" {
		h["Idempotency-Key"] = key
	}
	return c.do("POST", "/api/v1/entries", bytes.NewReader(b), h)
}

func TestEntriesAPI(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	v := f.signIn("vendor")
	code := f.participant["vendor"].Code
	day := thai.Today(f.clock.Now())
	today, tomorrow, month := day.Format(time.DateOnly), day.AddDate(0, 0, 1).Format(time.DateOnly), day.Format("2006-01")

	sale := map[string]string{"date": today, "kind": "sale", "amount": "120.50", "method": "cash"}
	resp := v.entry("11111111-1111-4111-8111-111111111111", sale)
	first := readBody(t, resp)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("first post: %d %s", resp.StatusCode, first)
	}
	var got struct {
		ID          int64  `json:"id"`
		EntryID     int64  `json:"entry_id"`
		Participant string `json:"participant"`
		Amount      string `json:"amount"`
		OnBehalf    bool   `json:"on_behalf"`
	}
	if err := json.Unmarshal([]byte(first), &got); err != nil || got.ID == 0 || got.EntryID == 0 || got.Participant != code || got.Amount != "120.50" || got.OnBehalf {
		t.Fatalf("first body %s (%v)", first, err)
	}
	// The same key and body: 200 and the same body; naming herself is the same request.
	sale["participant"] = code
	resp = v.entry("11111111-1111-4111-8111-111111111111", sale)
	if again := readBody(t, resp); resp.StatusCode != http.StatusOK || again != first {
		t.Fatalf("replay: %d\n%s\nwant\n%s", resp.StatusCode, again, first)
	}
	// The key with another body: 409 idempotency_conflict, nothing written.
	sale["amount"] = "121"
	if resp := v.entry("11111111-1111-4111-8111-111111111111", sale); resp.StatusCode != http.StatusConflict || apiError(t, resp) != "idempotency_conflict" {
		t.Fatalf("other body: %d", resp.StatusCode)
	}
	// Invalid: 422 with the field.
	resp = v.entry("k-bad", map[string]string{"date": tomorrow, "kind": "sale", "amount": "1.005", "method": "cash"})
	var bad struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || bad.Error.Code != "invalid" || bad.Error.Fields["amount"] == "" || bad.Error.Fields["date"] == "" {
		t.Fatalf("invalid: %d %+v", resp.StatusCode, bad)
	}
	// No key: 400.
	if resp := v.entry("", map[string]string{"date": today, "kind": "drawing", "amount": "5"}); resp.StatusCode != http.StatusBadRequest || apiError(t, resp) != "malformed" {
		t.Fatalf("no key: %d", resp.StatusCode)
	}
	// No CSRF header: 403.
	noCSRF := *v
	noCSRF.csrf = ""
	if resp := noCSRF.entry("k-csrf", map[string]string{"date": today, "kind": "drawing", "amount": "5"}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("no csrf: %d", resp.StatusCode)
	}
	// Another vendor's books are not found for her.
	other := map[string]string{"participant": f.participant["vendor2"].Code, "date": today, "kind": "sale", "amount": "5", "method": "cash"}
	if resp := v.entry("k-other", other); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another vendor's books: %d", resp.StatusCode)
	}
	// An officer records on her behalf and must name her.
	o := f.signIn("officer")
	if resp := o.entry("k-officer-0", map[string]string{"date": today, "kind": "drawing", "amount": "5"}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("officer without participant: %d", resp.StatusCode)
	}
	resp = o.entry("k-officer", map[string]string{"participant": code, "date": today, "kind": "expense", "amount": "45", "category": "ice", "note": "ใบบันทึก 12"})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"on_behalf":true`) {
		t.Fatalf("officer entry: %d %s", resp.StatusCode, body)
	}
	if acts := f.auditActions("participant:" + code); len(acts) == 0 || acts[len(acts)-1] != "vendor.entry.record" {
		t.Fatalf("on-behalf entry not audited: %v", acts)
	}
	// A manager may look but not record; a donor may not look.
	if resp := f.signIn("manager").entry("k-m", map[string]string{"participant": code, "date": today, "kind": "drawing", "amount": "5"}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("manager records: %d", resp.StatusCode)
	}

	// Void, then again.
	voidURL := fmt.Sprintf("/api/v1/entries/%d/void", got.ID)
	if resp := v.api("POST", voidURL, map[string]string{"reason": ""}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("void without reason: %d", resp.StatusCode)
	}
	resp = v.api("POST", voidURL, map[string]string{"reason": "กดผิด"})
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"voided":true`) || !strings.Contains(body, "reversal_entry_id") {
		t.Fatalf("void: %d %s", resp.StatusCode, body)
	}
	if resp := v.api("POST", voidURL, map[string]string{"reason": "again"}); resp.StatusCode != http.StatusConflict || apiError(t, resp) != "conflict" {
		t.Fatalf("second void: %d", resp.StatusCode)
	}
	if resp := f.signIn("vendor2").api("POST", voidURL, map[string]string{"reason": "x"}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another vendor voids: %d", resp.StatusCode)
	}

	// Days.
	if resp := v.entry("k-2", map[string]string{"date": today, "kind": "sale", "amount": "300", "method": "promptpay"}); resp.StatusCode != http.StatusCreated {
		t.Fatal(resp.StatusCode)
	}
	resp = v.do("GET", "/api/v1/participants/"+code+"/days?month="+month, nil, nil)
	var days struct {
		Month string `json:"month"`
		Days  []struct {
			Date     string            `json:"date"`
			Sales    string            `json:"sales"`
			ByMethod map[string]string `json:"sales_by_method"`
			Expenses string            `json:"expenses"`
			Net      string            `json:"net"`
		} `json:"days"`
		Totals struct {
			Sales       string `json:"sales"`
			Profit      string `json:"profit"`
			TradingDays int    `json:"trading_days"`
		} `json:"totals"`
		Cash string `json:"cash_on_hand"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&days); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("days: %d %v", resp.StatusCode, err)
	}
	if len(days.Days) != 1 || days.Days[0].Date != today || days.Days[0].Expenses != "45.00" || days.Days[0].ByMethod["promptpay"] != "300.00" ||
		days.Totals.Sales != "300.00" || days.Totals.Profit != "255.00" || days.Totals.TradingDays != 1 || days.Cash != "-45.00" {
		t.Fatalf("days = %+v", days)
	}
	if resp := f.signIn("vendor2").do("GET", "/api/v1/participants/"+code+"/days", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another vendor's days: %d", resp.StatusCode)
	}
	if resp := f.signIn("donor").do("GET", "/api/v1/participants/"+code+"/days", nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("donor reads days: %d", resp.StatusCode)
	}
}

func TestEntriesImportAPI(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	o := f.signIn("officer")
	code := f.participant["vendor"].Code
	d := thai.Today(f.clock.Now()).AddDate(0, 0, -3).Format(time.DateOnly)
	csv := "date,participant,kind,amount,category_or_method,note\n" +
		d + "," + code + ",sale,1200,cash,\n" +
		d + "," + code + ",expense,12.345,gas,\n" +
		d + ",HSF-1999-0001,sale,5,cash,\n"
	h := map[string]string{"Content-Type": "text/csv", "X-CSRF-Token": o.csrf}
	resp := o.do("POST", "/api/v1/entries/import", strings.NewReader(csv), h)
	var refused struct {
		Error struct {
			Code  string `json:"code"`
			Lines []struct {
				Line    int    `json:"line"`
				Column  string `json:"column"`
				Message string `json:"message"`
			} `json:"lines"`
		} `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&refused)
	if resp.StatusCode != http.StatusUnprocessableEntity || len(refused.Error.Lines) != 2 ||
		refused.Error.Lines[0].Line != 3 || refused.Error.Lines[0].Column != "amount" || refused.Error.Lines[1].Column != "participant" ||
		refused.Error.Lines[0].Message == "" {
		t.Fatalf("refused import: %d %+v", resp.StatusCode, refused)
	}
	var n int
	f.db.Get(&n, `SELECT count(*) FROM vendor_entries`)
	if n != 0 {
		t.Fatalf("a refused import wrote %d entries", n)
	}
	good := strings.Replace(strings.Replace(csv, "12.345", "12.35", 1), "HSF-1999-0001", f.participant["vendor2"].Code, 1)
	resp = o.do("POST", "/api/v1/entries/import", strings.NewReader(good), h)
	if body := readBody(t, resp); resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"imported":3`) {
		t.Fatalf("import: %d %s", resp.StatusCode, body)
	}
	// The page form, as a multipart upload.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("_csrf", o.csrf)
	fw, _ := mw.CreateFormFile("file", "forms.csv")
	fw.Write([]byte(good))
	mw.Close()
	resp = o.do("POST", "/vendors/import", &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "เคยนำเข้าแล้ว") {
		t.Fatalf("re-import page: %d", resp.StatusCode)
	}
	if resp := f.signIn("vendor").do("POST", "/api/v1/entries/import", strings.NewReader(good), h); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a vendor imports: %d", resp.StatusCode)
	}
}

func TestVendorPages(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	v := f.as("vendor")
	code := f.participant["vendor"].Code
	if resp := v.do("GET", "/", nil, nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/books" {
		t.Fatalf("vendor's home: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp := v.do("GET", "/books", nil, nil)
	page := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="csrf-token"`) || !strings.Contains(page, `inputmode="decimal"`) ||
		!strings.Contains(page, `rel="manifest"`) || !strings.Contains(page, "/static/vendor.") {
		t.Fatalf("books page: %d", resp.StatusCode)
	}
	if regexp.MustCompile(`<script>|style="`).MatchString(page) {
		t.Fatal("the books page carries an inline script or style")
	}
	// The no-JavaScript form: one entry however often it is sent.
	form := url.Values{"kind": {"sale"}, "amount": {"250"}, "method": {"promptpay"}, "key": {"page-key"}}
	for i := 0; i < 2; i++ {
		if resp := v.form("/books/entries", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("form post: %d %s", resp.StatusCode, readBody(t, resp))
		}
	}
	form = url.Values{"kind": {"expense"}, "amount": {"abc"}, "category": {"gas"}, "key": {"page-key-2"}}
	if resp := v.form("/books/entries", form); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(readBody(t, resp), "field-error") {
		t.Fatalf("bad form: %d", resp.StatusCode)
	}
	recent, err := f.s.vendors.Recent(context.Background(), f.participant["vendor"].ID, 10)
	if err != nil || len(recent) != 1 {
		t.Fatalf("recent = %d, %v", len(recent), err)
	}
	page = readBody(t, v.do("GET", "/books", nil, nil))
	if !strings.Contains(page, "250") || !strings.Contains(page, "พร้อมเพย์") {
		t.Fatal("the entry is not on the page")
	}
	if resp := v.form(fmt.Sprintf("/books/entries/%d/void", recent[0].ID), url.Values{"reason": {"ผิด"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("void form: %d", resp.StatusCode)
	}
	// Another vendor's books: not found; a donor: forbidden.
	if resp := f.as("vendor2").do("GET", "/vendors/"+code, nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("vendor2 opens vendor's books: %d", resp.StatusCode)
	}
	if resp := f.as("donor").do("GET", "/vendors/"+code, nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("donor opens books: %d", resp.StatusCode)
	}
	// PromptPay: save, then the QR.
	if resp := v.form("/books/promptpay", url.Values{"promptpay": {"12345"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad promptpay: %d", resp.StatusCode)
	}
	if resp := v.form("/books/promptpay", url.Values{"promptpay": {"081-234-5678"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save promptpay: %d", resp.StatusCode)
	}
	resp = v.do("GET", "/books/promptpay.svg?amount=35.50", nil, nil)
	if svg := readBody(t, resp); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(svg, "<svg") {
		t.Fatalf("qr: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp := v.do("GET", "/books/promptpay?amount=35.50", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("promptpay page: %d", resp.StatusCode)
	}
	// The officer sees the vendor's books and the call list.
	o := f.as("officer")
	if resp := o.do("GET", "/vendors/"+code, nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("officer opens books: %d", resp.StatusCode)
	}
	// vendor2 joined today and has recorded nothing: no call yet. A week
	// on (her enrolment moved back), she is one.
	home := readBody(t, o.do("GET", "/", nil, nil))
	if strings.Contains(home, "/vendors/"+f.participant["vendor2"].Code) {
		t.Fatal("a vendor enrolled today is listed as never having recorded")
	}
	if _, err := f.db.Exec(`UPDATE participants SET enrolled_on = enrolled_on - 30 WHERE id = $1`, f.participant["vendor2"].ID); err != nil {
		t.Fatal(err)
	}
	home = readBody(t, o.do("GET", "/", nil, nil))
	if !strings.Contains(home, `id="calls"`) || !strings.Contains(home, "/vendors/"+f.participant["vendor2"].Code) || !strings.Contains(home, "tel:") {
		t.Fatal("the officer's home page lists no calls")
	}
	// The service worker and the manifest.
	resp = f.anon().do("GET", "/sw.js", nil, nil)
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") || !strings.Contains(body, "addEventListener('fetch'") {
		t.Fatalf("sw.js: %d", resp.StatusCode)
	}
	if resp := f.anon().do("GET", "/manifest.webmanifest", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("manifest: %d", resp.StatusCode)
	}
}

// TestVendorMessageKeysExist: every message key the vendors package returns
// is in the table.
func TestVendorMessageKeysExist(t *testing.T) {
	tr, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../vendors/*.go")
	lit := regexp.MustCompile(`"(vendor\.[a-z_]+)"`)
	n := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			n++
			if !tr.Has(m[1]) {
				t.Errorf("%s: %q is in no table", file, m[1])
			}
		}
	}
	for _, k := range scriptText {
		if !tr.Has(k) {
			t.Errorf("vendor.js key %q is in no table", k)
		}
	}
	if n < 15 {
		t.Fatalf("found only %d keys", n)
	}
	_ = vendors.Kinds
	_ = audit.System
}
