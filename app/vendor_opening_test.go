package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestOpeningCashPages: a vendor records the cash she starts with from her
// books page, once; the page then shows it under her cash on hand and
// offers the form no more, and a second try is 409 with its message at the
// top. Her officer records another vendor's on her behalf (through the
// API, the page's JSON twin), which her books and the officer's view mark;
// a manager may not; an amount the page refuses comes back with its
// message beside the box.
func TestOpeningCashPages(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	v := f.as("vendor")

	body := readBody(t, v.page("/books"))
	if !strings.Contains(body, `id="opening-form"`) || !strings.Contains(body, "เงินสดตั้งต้น") {
		t.Fatal("a new vendor's books do not offer her opening cash")
	}
	resp := v.form("/books/opening", url.Values{"amount": {"1,2"}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="opening-amount-error"`) || !strings.Contains(body, "ใส่เป็นตัวเลข") {
		t.Fatalf("a bad amount: %d", resp.StatusCode)
	}
	if resp := v.form("/books/opening", url.Values{"amount": {"1,500.50"}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/books?done=opening" {
		t.Fatalf("opening: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	body = readBody(t, v.page("/books?done=opening"))
	for _, want := range []string{"บันทึกเงินสดตั้งต้นแล้ว", "เริ่มต้นด้วยเงินสด ฿1,500.50", `<dd class="num" data-amount="1500.50">฿1,500.50</dd>`} {
		if !strings.Contains(body, want) {
			t.Errorf("her books after the opening lack %q", want)
		}
	}
	if strings.Contains(body, `id="opening-form"`) {
		t.Error("the opening form is still offered")
	}
	resp = v.form("/books/opening", url.Values{"amount": {"200"}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, `id="opening-refused"`) || !strings.Contains(body, "บันทึกได้ครั้งเดียวเท่านั้น") {
		t.Fatalf("a second opening: %d", resp.StatusCode)
	}

	// Her officer, for vendor2, on her behalf; a manager may not.
	code2 := f.participant["vendor2"].Code
	if resp := f.as("manager").api("POST", "/api/v1/participants/"+code2+"/opening", map[string]string{"amount": "800"}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a manager records an opening: %d", resp.StatusCode)
	}
	o := f.as("officer")
	resp = o.api("POST", "/api/v1/participants/"+code2+"/opening", map[string]string{"amount": "800.00"})
	if got := readBody(t, resp); resp.StatusCode != http.StatusCreated || !strings.Contains(got, `"amount":"800.00"`) || !strings.Contains(got, `"on_behalf":true`) {
		t.Fatalf("officer's opening: %d %s", resp.StatusCode, got)
	}
	if resp := o.api("POST", "/api/v1/participants/"+code2+"/opening", map[string]string{"amount": "800.00"}); resp.StatusCode != http.StatusConflict || apiError(t, resp) != "conflict" {
		t.Fatalf("officer's second opening: %d", resp.StatusCode)
	}
	// Another vendor's opening is not hers to record.
	if resp := v.api("POST", "/api/v1/participants/"+code2+"/opening", map[string]string{"amount": "5"}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a vendor records another's opening: %d", resp.StatusCode)
	}
	body = readBody(t, o.page("/vendors/"+code2))
	if !strings.Contains(body, "เริ่มต้นด้วยเงินสด ฿800.00") || !strings.Contains(body, "บันทึกแทน") {
		t.Error("the officer's view does not show the opening recorded on her behalf")
	}
	body = readBody(t, f.as("vendor2").page("/books"))
	if !strings.Contains(body, `<dd class="num" data-amount="800.00">฿800.00</dd>`) {
		t.Error("vendor2's cash on hand does not start at her opening")
	}
	if got := f.auditActions("participant:" + code2); !strings.Contains(strings.Join(got, " "), "vendor.opening.record") {
		t.Errorf("audit of vendor2: %v", got)
	}
}
