package app

import (
	"net/http"
	"strings"
	"testing"

	"hawker/thai"
)

// TestMonthEndClose: a manager closes a month that has ended, in every book;
// from then on a vendor entry dated in it is booked late in the first open month. The month
// still running cannot close.
func TestMonthEndClose(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	today := thai.Today(f.clock.Now())
	thisMonth := today.AddDate(0, 0, 1-today.Day())
	lastMonth := thisMonth.AddDate(0, -1, 0)
	vendor, manager, officer := f.as("vendor"), f.as("manager"), f.as("officer")
	key := 0
	sale := func(date string) *http.Response {
		key++
		body := `{"date":"` + date + `","kind":"sale","amount":"150.00","method":"cash"}`
		return vendor.do("POST", "/api/v1/entries", strings.NewReader(body), map[string]string{
			"Content-Type": "application/json", "X-CSRF-Token": vendor.csrf,
			"Idempotency-Key": "7d1f3c2a-0000-4000-8000-00000000000" + string(rune('0'+key)),
		})
	}
	if resp := sale(lastMonth.AddDate(0, 0, 9).Format("2006-01-02")); resp.StatusCode != http.StatusCreated {
		t.Fatalf("a sale last month: %d %s", resp.StatusCode, readBody(t, resp))
	}

	if resp := officer.api("POST", "/api/v1/periods/"+lastMonth.Format("2006-01")+"/close", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an officer closing the month: %d, want 403", resp.StatusCode)
	}
	if resp := manager.api("POST", "/api/v1/periods/2026-13/close", nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("month 2026-13: %d, want 422", resp.StatusCode)
	}
	if resp := manager.api("POST", "/api/v1/periods/"+thisMonth.Format("2006-01")+"/close", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("closing the month still running: %d, want 409", resp.StatusCode)
	}
	resp := manager.api("POST", "/api/v1/periods/"+lastMonth.Format("2006-01")+"/close", nil)
	var out struct {
		Month  string `json:"month"`
		Closed int    `json:"closed"`
	}
	decode(t, resp, &out)
	if resp.StatusCode != http.StatusOK || out.Month != lastMonth.Format("2006-01") || out.Closed < 1 {
		t.Fatalf("close: %d %+v", resp.StatusCode, out)
	}
	if acts := f.auditActions("book:"); len(acts) != out.Closed {
		t.Errorf("audit rows for the close: %v, want %d", acts, out.Closed)
	}

	// A sale dated in the closed month is booked late in the first open
	// month, never refused (interfaces.md).
	resp = sale(lastMonth.AddDate(0, 0, 20).Format("2006-01-02"))
	var late struct {
		Date     string `json:"date"`
		Late     bool   `json:"late"`
		BookedOn string `json:"booked_on"`
	}
	decode(t, resp, &late)
	if resp.StatusCode != http.StatusCreated || !late.Late || late.Date != lastMonth.AddDate(0, 0, 20).Format("2006-01-02") ||
		late.BookedOn != lastMonth.AddDate(0, 1, 0).Format("2006-01-02") {
		t.Errorf("a sale in the closed month: %d %+v, want 201 booked late", resp.StatusCode, late)
	}
	if resp := sale(today.Format("2006-01-02")); resp.StatusCode != http.StatusCreated {
		t.Errorf("a sale today after the close: %d", resp.StatusCode)
	}
	// Closing it again closes nothing more.
	resp = manager.api("POST", "/api/v1/periods/"+lastMonth.Format("2006-01")+"/close", nil)
	decode(t, resp, &out)
	if resp.StatusCode != http.StatusOK || out.Closed != 0 {
		t.Errorf("second close: %d %+v, want 200 and 0", resp.StatusCode, out)
	}
}
