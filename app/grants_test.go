package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"hawker/ledger"
	"hawker/users"
)

// keyed sends JSON with the CSRF header and an Idempotency-Key.
func (c *client) keyed(path, key string, body any) *http.Response {
	c.f.t.Helper()
	b, _ := json.Marshal(body)
	h := map[string]string{"Content-Type": "application/json", "X-CSRF-Token": c.csrf}
	if key != "" {
		h["Idempotency-Key"] = key
	}
	return c.do("POST", path, bytes.NewReader(b), h)
}

// want checks a response's status, showing the body when it differs.
func want(t *testing.T, resp *http.Response, status int, what string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: %d, want %d: %s", what, resp.StatusCode, status, readBody(t, resp))
	}
}

// addUser adds a staff user to the fixture.
func (f *accessFixture) addUser(key string, role users.Role) {
	f.t.Helper()
	u, err := users.NewStore(f.db).Add(context.Background(), users.New{Login: key, Name: "ทดสอบ " + key, Role: role, Password: fixturePassword})
	if err != nil {
		f.t.Fatal(err)
	}
	f.users[key] = u
}

// makeEligible gives the fixture participant key consent and an approved
// plan, through the API.
func (f *accessFixture) makeEligible(key string) string {
	f.t.Helper()
	code := f.participant[key].Code
	officer, manager := f.as("officer"), f.as("manager")
	want(f.t, officer.api("POST", "/api/v1/participants/"+code+"/consents", map[string]any{"purpose": "programme", "given": true}), 201, "consent")
	resp := officer.api("POST", "/api/v1/participants/"+code+"/plans", map[string]any{"business": "ข้าวมันไก่", "menu": "ข้าวมันไก่",
		"location": "ตลาด", "days_per_month": 24, "expected_daily_sales": "1500.00", "ingredient_cost_pct": "40",
		"monthly_fixed_costs": "2000.00", "startup_items": []map[string]any{{"name": "รถเข็น", "quantity": 1, "unit_cost": "30000.00"}}})
	want(f.t, resp, 201, "plan")
	var plan struct {
		ID int64 `json:"id"`
	}
	decode(f.t, resp, &plan)
	want(f.t, officer.api("POST", fmt.Sprintf("/api/v1/plans/%d/submit", plan.ID), nil), 200, "submit plan")
	want(f.t, manager.api("POST", fmt.Sprintf("/api/v1/plans/%d/approve", plan.ID), nil), 200, "approve plan")
	return code
}

type grantResp struct {
	ID       int64  `json:"id"`
	State    string `json:"state"`
	Total    string `json:"total"`
	Tranches []struct {
		N     int    `json:"n"`
		State string `json:"state"`
	} `json:"tranches"`
	Equipment []struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	} `json:"equipment"`
}

type fundResp struct {
	ID                                        int64
	Received, Committed, Disbursed, Available string
}

func (c *client) fund(id int64) fundResp {
	c.f.t.Helper()
	resp := c.api("GET", fmt.Sprintf("/api/v1/funds/%d", id), nil)
	want(c.f.t, resp, 200, "fund")
	var f fundResp
	decode(c.f.t, resp, &f)
	return f
}

// setupFund makes a fund of the fixture's donor holding amount, through the API.
func (f *accessFixture) setupFund(amount string) int64 {
	f.t.Helper()
	manager := f.as("manager")
	resp := manager.api("POST", "/api/v1/funds", map[string]any{"donor": f.donor["donor"].ID, "name": "กองทุนรถเข็น", "purpose": "รถเข็น"})
	want(f.t, resp, 201, "fund")
	var fund fundResp
	decode(f.t, resp, &fund)
	want(f.t, manager.keyed(fmt.Sprintf("/api/v1/funds/%d/receipts", fund.ID), "receipt-"+amount, map[string]string{"amount": amount,
		"received_on": ledger.Day(f.clock.Now()).Format("2006-01-02")}), 201, "receipt")
	return fund.ID
}

func (c *client) createGrant(body map[string]any) grantResp {
	c.f.t.Helper()
	resp := c.api("POST", "/api/v1/grants", body)
	want(c.f.t, resp, 201, "create grant")
	var g grantResp
	decode(c.f.t, resp, &g)
	return g
}

// TestOverCommitmentRaceThroughAPI: 20 approvals at once against a fund that
// can carry 10 of the grants: exactly 10 are approved, the others refused
// with insufficient_funds, and the fund never goes below zero.
func TestOverCommitmentRaceThroughAPI(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	f.addUser("officer2", users.Officer)
	code := f.makeEligible("vendor")
	fund := f.setupFund("50000.00")
	officer := f.as("officer")
	ids := make([]int64, 20)
	for i := range ids {
		g := officer.createGrant(map[string]any{"participant": code, "fund": fund,
			"tranches": []map[string]any{{"amount": "5000.00", "condition": "on_approval"}}})
		want(t, officer.api("POST", fmt.Sprintf("/api/v1/grants/%d/submit", g.ID), nil), 200, "submit")
		ids[i] = g.ID
	}
	// The drafter may not approve her own grant.
	resp := officer.api("POST", fmt.Sprintf("/api/v1/grants/%d/approve", ids[0]), nil)
	if resp.StatusCode != 403 || apiError(t, resp) != "four_eyes" {
		t.Fatalf("drafter approves: %d", resp.StatusCode)
	}
	clients := make([]*client, len(ids))
	for i := range clients {
		clients[i] = f.as("officer2")
	}
	statuses := make([]int, len(ids))
	codes := make([]string, len(ids))
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp := clients[i].api("POST", fmt.Sprintf("/api/v1/grants/%d/approve", ids[i]), nil)
			statuses[i] = resp.StatusCode
			if resp.StatusCode != 200 {
				var body struct {
					Error struct {
						Code      string `json:"code"`
						Shortfall string `json:"shortfall"`
					} `json:"error"`
				}
				_ = json.NewDecoder(resp.Body).Decode(&body)
				codes[i] = body.Error.Code + " " + body.Error.Shortfall
			}
		}(i)
	}
	wg.Wait()
	approved, refused := 0, 0
	for i, st := range statuses {
		switch {
		case st == 200:
			approved++
		case st == 409 && codes[i] == "insufficient_funds 5000.00":
			refused++
		default:
			t.Errorf("approval %d: %d %s", i, st, codes[i])
		}
	}
	if approved != 10 || refused != 10 {
		t.Errorf("%d approved, %d refused; want 10 and 10", approved, refused)
	}
	fig := f.as("manager").fund(fund)
	if fig.Available != "0.00" || fig.Committed != "50000.00" || fig.Received != "50000.00" || fig.Disbursed != "0.00" {
		t.Errorf("fund after the race: %+v", fig)
	}
	r, err := ledger.NewStore(f.db).Verify(context.Background())
	if err != nil || !r.OK() {
		t.Fatalf("ledger verify: %v %v", err, r.Err())
	}
}

func TestGrantAPI(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	f.addUser("officer2", users.Officer)
	code := f.makeEligible("vendor")
	fund := f.setupFund("100000.00")
	officer, officer2, manager := f.as("officer"), f.as("officer2"), f.as("manager")
	today := ledger.Day(f.clock.Now()).Format("2006-01-02")

	// Receipts are idempotent: the same key and body again is 200, another body 409.
	receipt := map[string]string{"amount": "100000.00", "received_on": today}
	want(t, manager.keyed(fmt.Sprintf("/api/v1/funds/%d/receipts", fund), "receipt-100000.00", receipt), 200, "receipt replay")
	receipt["amount"] = "1.00"
	resp := manager.keyed(fmt.Sprintf("/api/v1/funds/%d/receipts", fund), "receipt-100000.00", receipt)
	if resp.StatusCode != 409 || apiError(t, resp) != "idempotency_conflict" {
		t.Errorf("receipt with another body: %d", resp.StatusCode)
	}
	resp = manager.keyed(fmt.Sprintf("/api/v1/funds/%d/receipts", fund), "", receipt)
	want(t, resp, 400, "receipt without a key")

	// Hostile input: clear 422 with fields, or 400 for what cannot be read.
	resp = officer.api("POST", "/api/v1/grants", map[string]any{"participant": code, "fund": fund,
		"tranches": []map[string]any{{"amount": "12.345", "condition": "on_approval"}, {"amount": "10", "condition": "someday"}}})
	if st, fields := apiFields(t, resp); resp.StatusCode != 422 || st != "invalid" || fields["tranches.0.amount"] == "" || fields["tranches.1.condition"] == "" {
		t.Errorf("bad tranches: %d %s %v", resp.StatusCode, st, fields)
	}
	resp = officer.api("POST", "/api/v1/grants", map[string]any{"participant": "HSF-0000-9999", "fund": 999999,
		"tranches": []map[string]any{{"amount": "10", "condition": "on_approval"}}})
	if st, fields := apiFields(t, resp); resp.StatusCode != 422 || fields["participant"] == "" {
		t.Errorf("unknown participant: %d %s %v", resp.StatusCode, st, fields)
	}
	resp = officer.do("POST", "/api/v1/grants", bytes.NewReader([]byte(`{"fund": "one"}`)), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": officer.csrf})
	want(t, resp, 400, "fund as a string")

	// A grant above the threshold: cash on approval, a milestone, and a cart.
	g := officer.createGrant(map[string]any{"participant": code, "fund": fund, "purpose": "ทุนตั้งต้น",
		"tranches": []map[string]any{{"amount": "10000.00", "condition": "on_approval"},
			{"amount": "5000.00", "condition": "milestone", "milestone": "ได้ใบอนุญาตจำหน่ายอาหาร"}},
		"equipment": []map[string]any{{"description": "รถเข็นสแตนเลส", "asset_tag": "HSF-CART-001", "serial": "SN-1", "value": "45000.00", "basis": "invoice"}}})
	if g.State != "draft" || g.Total != "60000.00" {
		t.Fatalf("created %+v", g)
	}
	base := fmt.Sprintf("/api/v1/grants/%d", g.ID)
	// Illegal transitions: 409 conflict.
	for _, a := range []string{"approve", "reject", "cancel"} {
		resp := manager.api("POST", base+"/"+a, map[string]string{"reason": "x"})
		if resp.StatusCode != 409 || apiError(t, resp) != "conflict" {
			t.Errorf("%s a draft: %d", a, resp.StatusCode)
		}
	}
	want(t, officer.api("POST", base+"/submit", nil), 200, "submit")
	resp = officer.api("POST", base+"/submit", nil)
	if resp.StatusCode != 409 || apiError(t, resp) != "conflict" {
		t.Errorf("submit twice: %d", resp.StatusCode)
	}
	want(t, officer2.api("POST", base+"/approve", nil), 200, "first approval")
	resp = f.as("officer2").api("POST", base+"/approve", nil)
	if resp.StatusCode != 403 || apiError(t, resp) != "four_eyes" {
		t.Errorf("approve twice: %d", resp.StatusCode)
	}
	if fig := manager.fund(fund); fig.Committed != "0.00" {
		t.Errorf("committed after one of two approvals: %s", fig.Committed)
	}
	want(t, manager.api("POST", base+"/approve", nil), 200, "manager's approval")
	if fig := manager.fund(fund); fig.Committed != "60000.00" || fig.Available != "40000.00" {
		t.Errorf("after approval: %+v", fig)
	}

	// Release: without a key 400; the same key twice once; another key for the same tranche 409.
	want(t, officer.keyed(base+"/tranches/1/disburse", "", nil), 400, "no key")
	resp = officer.keyed(base+"/tranches/1/disburse", "k-1", nil)
	want(t, resp, 201, "disburse")
	first := readBody(t, resp)
	resp = officer.keyed(base+"/tranches/1/disburse", "k-1", nil)
	want(t, resp, 200, "retry")
	if again := readBody(t, resp); again != first {
		t.Errorf("retry body %s, first %s", again, first)
	}
	resp = officer.keyed(base+"/tranches/1/disburse", "k-2", nil)
	if resp.StatusCode != 409 || apiError(t, resp) != "conflict" {
		t.Errorf("second release: %d", resp.StatusCode)
	}
	resp = officer.keyed(base+"/tranches/2/disburse", "k-1", nil)
	if resp.StatusCode != 409 || apiError(t, resp) != "idempotency_conflict" {
		t.Errorf("key reused on another tranche: %d", resp.StatusCode)
	}
	resp = officer.keyed(base+"/tranches/2/disburse", "k-3", nil)
	if resp.StatusCode != 409 || apiError(t, resp) != "conflict" {
		t.Errorf("milestone not confirmed: %d", resp.StatusCode)
	}
	want(t, officer2.api("POST", base+"/tranches/2/confirm", map[string]string{"note": "เห็นใบอนุญาตแล้ว"}), 200, "confirm")
	want(t, officer.keyed(base+"/tranches/2/disburse", "k-3", nil), 201, "milestone released")
	want(t, officer.keyed(base+"/tranches/9/disburse", "k-9", nil), 404, "no such tranche")

	// Hand-over.
	item := g.Equipment[0].ID
	resp = officer.api("POST", fmt.Sprintf("%s/equipment/%d/handover", base, item), map[string]string{"handed_over_on": today})
	if st, fields := apiFields(t, resp); resp.StatusCode != 422 || fields["received_by"] == "" {
		t.Errorf("hand-over without receiver: %d %s %v", resp.StatusCode, st, fields)
	}
	want(t, officer.api("POST", fmt.Sprintf("%s/equipment/%d/handover", base, item), map[string]string{"handed_over_on": today, "received_by": "ผู้เข้าร่วม vendor"}), 200, "hand over")
	resp = officer.api("POST", fmt.Sprintf("%s/equipment/%d/handover", base, item), map[string]string{"handed_over_on": today, "received_by": "someone else"})
	if resp.StatusCode != 409 || apiError(t, resp) != "conflict" {
		t.Errorf("hand the item over twice: %d", resp.StatusCode)
	}
	if fig := manager.fund(fund); fig.Disbursed != "60000.00" || fig.Committed != "0.00" || fig.Available != "40000.00" {
		t.Errorf("after release: %+v", fig)
	}
	resp = officer.api("GET", base, nil)
	var done grantResp
	decode(t, resp, &done)
	if done.State != "completed" {
		t.Errorf("state %s", done.State)
	}

	// A release stays unless a manager reverses it, with a reason.
	want(t, officer.api("POST", base+"/tranches/1/reverse", map[string]string{"reason": "x"}), 403, "an officer reverses")
	want(t, manager.api("POST", base+"/tranches/1/reverse", map[string]string{"reason": "โอนผิดบัญชี"}), 200, "reverse")
	resp = manager.api("POST", base+"/tranches/1/reverse", map[string]string{"reason": "again"})
	if resp.StatusCode != 409 || apiError(t, resp) != "conflict" {
		t.Errorf("reverse twice: %d", resp.StatusCode)
	}
	if fig := manager.fund(fund); fig.Disbursed != "50000.00" || fig.Available != "50000.00" {
		t.Errorf("after the reversal: %+v", fig)
	}

	// Who may see what: the vendor her own grant, another vendor nothing; a
	// donor their own fund, another donor nothing.
	want(t, f.as("vendor").api("GET", base, nil), 200, "vendor's own grant")
	want(t, f.as("vendor2").api("GET", base, nil), 404, "another vendor's grant")
	want(t, f.as("donor").api("GET", fmt.Sprintf("/api/v1/funds/%d", fund), nil), 200, "donor's own fund")
	want(t, f.as("donor2").api("GET", fmt.Sprintf("/api/v1/funds/%d", fund), nil), 404, "another donor's fund")
	want(t, f.as("donor").api("POST", "/api/v1/grants", map[string]any{}), 403, "donor drafts a grant")

	// Over-commitment answers the shortfall; not eligible answers the reasons.
	big := officer.createGrant(map[string]any{"participant": code, "fund": fund,
		"tranches": []map[string]any{{"amount": "55000.00", "condition": "on_approval"}}})
	want(t, officer.api("POST", fmt.Sprintf("/api/v1/grants/%d/submit", big.ID), nil), 200, "submit big")
	want(t, officer2.api("POST", fmt.Sprintf("/api/v1/grants/%d/approve", big.ID), nil), 200, "first approval of big")
	resp = manager.api("POST", fmt.Sprintf("/api/v1/grants/%d/approve", big.ID), nil)
	var short struct {
		Error struct {
			Code      string `json:"code"`
			Shortfall string `json:"shortfall"`
			Available string `json:"available"`
		} `json:"error"`
	}
	decode(t, resp, &short)
	if resp.StatusCode != 409 || short.Error.Code != "insufficient_funds" || short.Error.Shortfall != "5000.00" || short.Error.Available != "50000.00" {
		t.Errorf("over-commitment: %d %+v", resp.StatusCode, short)
	}
	other := f.participant["vendor2"].Code
	resp = officer.api("POST", "/api/v1/grants", map[string]any{"participant": other, "fund": fund,
		"tranches": []map[string]any{{"amount": "1000.00", "condition": "on_approval"}}})
	want(t, resp, 201, "draft for someone not eligible")
	var g2 grantResp
	decode(t, resp, &g2)
	resp = officer.api("POST", fmt.Sprintf("/api/v1/grants/%d/submit", g2.ID), nil)
	var ne struct {
		Error struct {
			Code    string   `json:"code"`
			Reasons []string `json:"reasons"`
		} `json:"error"`
	}
	decode(t, resp, &ne)
	if resp.StatusCode != 409 || ne.Error.Code != "not_eligible" || len(ne.Error.Reasons) != 2 {
		t.Errorf("not eligible: %d %+v", resp.StatusCode, ne)
	}
	r, err := ledger.NewStore(f.db).Verify(context.Background())
	if err != nil || !r.OK() {
		t.Fatalf("ledger verify: %v %v", err, r.Err())
	}
}
