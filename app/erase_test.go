package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// TestEraseRemovesPromptPay: a vendor's PromptPay id is her mobile or
// national id number. The export carries it; erasure removes it, and an
// erased file takes no new one.
func TestEraseRemovesPromptPay(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	code := f.participant["vendor"].Code
	v, m, o := f.as("vendor"), f.as("manager"), f.as("officer")
	if resp := v.form("/books/promptpay", url.Values{"promptpay": {"081-234-5678"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save promptpay: %d", resp.StatusCode)
	}
	export := func() map[string]any {
		t.Helper()
		resp := o.do("GET", "/api/v1/participants/"+code+"/export", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export: %d", resp.StatusCode)
		}
		var x map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	if pp, _ := export()["promptpay"].(map[string]any); pp["value"] != "0812345678" {
		t.Errorf("export's promptpay = %v, want the saved id", pp)
	}

	if resp := m.form("/participants/"+code+"/erase", url.Values{"confirm": {code}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("erase: %d", resp.StatusCode)
	}
	if pp := export()["promptpay"]; pp != nil {
		t.Errorf("erased file's export still holds promptpay %v", pp)
	}
	if resp := o.do("GET", "/vendors/"+code+"/promptpay.svg", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("QR of an erased file: %d, want 404", resp.StatusCode)
	}
	var n int
	if err := f.db.Get(&n, `SELECT count(*) FROM vendor_promptpay`); err != nil || n != 0 {
		t.Errorf("vendor_promptpay rows after erase: %d (%v)", n, err)
	}
	if resp := o.form("/vendors/"+code+"/promptpay", url.Values{"promptpay": {"0812345678"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("saving promptpay on an erased file: %d, want 409", resp.StatusCode)
	}
}
