package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"hawker/grants"
	"hawker/ledger"
	"hawker/money"
	"hawker/thai"
)

// TestAmountAsJSONNumber: an amount sent as a JSON number is 422 invalid
// naming the field and showing the expected form, in Thai and in English,
// and writes nothing; the same entry with the amount as a string is taken.
func TestAmountAsJSONNumber(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	v := f.signIn("vendor")
	today := thai.Today(f.clock.Now()).Format(time.DateOnly)
	post := func(c *client, key, body string) *http.Response {
		return c.do("POST", "/api/v1/entries", strings.NewReader(body),
			map[string]string{"Content-Type": "application/json", "X-CSRF-Token": c.csrf, "Idempotency-Key": key})
	}
	for i, amount := range []string{`120.5`, `120`, `1.2e2`, `-5`, `true`, `{"baht":120}`} {
		resp := post(v, "k-number-"+string(rune('a'+i)), `{"date":"`+today+`","kind":"sale","amount":`+amount+`,"method":"cash"}`)
		code, fields := apiFields(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || code != "invalid" || !strings.Contains(fields["amount"], `"120.50"`) {
			t.Errorf("amount %s: %d %s %v, want 422 invalid naming amount with the form \"120.50\"", amount, resp.StatusCode, code, fields)
		}
		if len(fields) != 1 {
			t.Errorf("amount %s: fields %v, want only amount", amount, fields)
		}
	}
	if en := f.s.views.tr.T("en", money.KeyJSON); !strings.Contains(en, `such as "120.50"`) {
		t.Errorf("English message %q does not show the form", en)
	}
	if recent, err := f.s.vendors.Recent(context.Background(), f.participant["vendor"].ID, 10); err != nil || len(recent) != 0 {
		t.Fatalf("refused requests wrote %d entries (%v)", len(recent), err)
	}
	// Still malformed: a body that is not JSON, or a string field sent as a number.
	if resp := post(v, "k-broken", `{"amount":"120.50"`); resp.StatusCode != http.StatusBadRequest || apiError(t, resp) != "malformed" {
		t.Errorf("broken JSON: %d", resp.StatusCode)
	}
	if resp := post(v, "k-string", `{"date":"`+today+`","kind":"sale","amount":"120.50","method":"cash"}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("amount as a string: %d %s", resp.StatusCode, readBody(t, resp))
	}
}

// TestGrantAmountsAsJSONNumber: on the grants and funds API too, an amount
// sent as a JSON number (a receipt's amount, a tranche's amount, an item's
// value) is 422 invalid naming the field, with its index in a list, and
// writes nothing; every amount the API answers with is a JSON string.
func TestGrantAmountsAsJSONNumber(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	code := f.makeEligible("vendor")
	fund := f.setupFund("1000.00")
	manager, officer := f.as("manager"), f.as("officer")
	today := ledger.Day(f.clock.Now()).Format(time.DateOnly)
	refused := func(resp *http.Response, field, what string) {
		t.Helper()
		code, fields := apiFields(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || code != "invalid" || len(fields) != 1 || !strings.Contains(fields[field], `"120.50"`) {
			t.Errorf("%s: %d %s %v, want 422 invalid naming only %s with the form \"120.50\"", what, resp.StatusCode, code, fields, field)
		}
	}
	receipts := fmt.Sprintf("/api/v1/funds/%d/receipts", fund)
	refused(manager.keyed(receipts, "r-number", json.RawMessage(`{"amount":500.5,"received_on":"`+today+`"}`)), "amount", "receipt")
	refused(manager.keyed(receipts, "r-object", json.RawMessage(`{"amount":{"baht":500},"received_on":"`+today+`"}`)), "amount", "receipt")
	refused(officer.api("POST", "/api/v1/grants", json.RawMessage(`{"participant":"`+code+`","fund":`+strconv.FormatInt(fund, 10)+`,
		"tranches":[{"amount":"100.00","condition":"on_approval"},{"amount":100,"condition":"on_approval"}]}`)), "tranches.1.amount", "tranche")
	refused(officer.api("POST", "/api/v1/grants", json.RawMessage(`{"participant":"`+code+`","fund":`+strconv.FormatInt(fund, 10)+`,
		"equipment":[{"description":"รถเข็น","value":3000,"basis":"invoice"}]}`)), "equipment.0.value", "item")
	if gs, err := f.s.grants.List(context.Background(), grants.Filter{Fund: fund}); err != nil || len(gs) != 0 {
		t.Fatalf("refused requests drafted %d grants (%v)", len(gs), err)
	}
	// Nothing was received but the setup's 1000.00, and the figures are strings.
	resp := manager.api("GET", fmt.Sprintf("/api/v1/funds/%d", fund), nil)
	want(t, resp, 200, "fund")
	var fig map[string]any
	decode(t, resp, &fig)
	for _, k := range []string{"received", "committed", "disbursed", "available", "committed_cash", "equipment_in_stock", "cash_paid", "in_kind", "written_off"} {
		if _, ok := fig[k].(string); !ok {
			t.Errorf("fund %s is %T %v, want a string", k, fig[k], fig[k])
		}
	}
	if fig["received"] != "1000.00" || fig["available"] != "1000.00" {
		t.Errorf("fund after refused receipts: %v", fig)
	}
	// The same grant with its amounts as strings is drafted, and answered in strings.
	g := officer.createGrant(map[string]any{"participant": code, "fund": fund,
		"tranches":  []map[string]any{{"amount": "100.00", "condition": "on_approval"}},
		"equipment": []map[string]any{{"description": "รถเข็น", "value": "300.50", "basis": "invoice"}}})
	if g.Total != "400.50" {
		t.Errorf("grant total %q, want \"400.50\"", g.Total)
	}
}

// TestUnknownJSONField: a field the endpoint does not know, even beside a
// complete entry, is 422 invalid naming that field, in Thai and in English,
// and writes nothing; so is a second JSON value after the first. The same
// entry without it is taken.
func TestUnknownJSONField(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	v := f.signIn("vendor")
	today := thai.Today(f.clock.Now()).Format(time.DateOnly)
	post := func(key, body string) *http.Response {
		return v.do("POST", "/api/v1/entries", strings.NewReader(body),
			map[string]string{"Content-Type": "application/json", "X-CSRF-Token": v.csrf, "Idempotency-Key": key})
	}
	entry := `"date":"` + today + `","kind":"sale","amount":"120.50","method":"cash"`
	for key, c := range map[string]struct{ body, field string }{
		"k-misspelt": {`{"date":"` + today + `","kind":"sale","amuont":"120.50","method":"cash"}`, "amuont"},
		"k-extra":    {`{` + entry + `,"participant_id":7}`, "participant_id"},
		"k-nested":   {`{` + entry + `,"zzz":{"x":1}}`, "zzz"},
	} {
		resp := post(key, c.body)
		code, fields := apiFields(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || code != "invalid" || fields[c.field] == "" || len(fields) != 1 {
			t.Errorf("%s: %d %s %v, want 422 invalid naming only %q", c.body, resp.StatusCode, code, fields, c.field)
		}
	}
	for _, lang := range []string{"th", "en"} {
		if m := f.s.views.tr.T(lang, "error.unknown_field"); m == "" || m == "error.unknown_field" {
			t.Errorf("%s: no message for an unknown field", lang)
		}
	}
	if resp := post("k-two", `{`+entry+`}{"x":1}`); resp.StatusCode != http.StatusBadRequest || apiError(t, resp) != "malformed" {
		t.Errorf("two JSON values: %d, want 400 malformed", resp.StatusCode)
	}
	if recent, err := f.s.vendors.Recent(context.Background(), f.participant["vendor"].ID, 10); err != nil || len(recent) != 0 {
		t.Fatalf("refused requests wrote %d entries (%v)", len(recent), err)
	}
	if resp := post("k-good", `{`+entry+`}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("the entry without the unknown field: %d %s", resp.StatusCode, readBody(t, resp))
	}
}
