package app

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"hawker/money"
	"hawker/thai"
)

func TestAdminSetsTheCeiling(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	admin := f.as("admin")
	if resp := admin.page("/admin/settings"); resp.StatusCode != 200 || !strings.Contains(readBody(t, resp), `value="100,000.00"`) {
		t.Fatalf("settings page: %d, want the default ceiling shown", resp.StatusCode)
	}
	for _, bad := range []string{"", "0", "-5", "12.345", "abc", "20000000"} {
		resp := admin.form("/admin/settings", url.Values{"ceiling": {bad}})
		if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "field-error") {
			t.Errorf("ceiling %q: %d, want 422 with a message", bad, resp.StatusCode)
		}
	}
	resp := admin.form("/admin/settings", url.Values{"ceiling": {"50,000"}})
	if resp.StatusCode != 303 {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	got, err := f.s.vendors.Ceiling(context.Background())
	if err != nil || !got.Equal(money.Baht(50000)) {
		t.Fatalf("ceiling now %s, %v; want 50000", got, err)
	}
	if acts := f.auditActions("settings:vendors"); len(acts) != 1 || acts[0] != "vendor.settings.ceiling" {
		t.Fatalf("audit rows %v", acts)
	}
	// The new ceiling holds for entries at once.
	vendor := f.as("vendor")
	today := thai.Today(f.clock.Now()).Format("2006-01-02")
	r := vendor.do("POST", "/api/v1/entries", strings.NewReader(`{"date":"`+today+`","kind":"sale","amount":"60000.00","method":"cash"}`),
		map[string]string{"Content-Type": "application/json", "X-CSRF-Token": vendor.csrf, "Idempotency-Key": "5f0c3f0e-8a55-4c1e-9d8e-2b9b8f1a0c11"})
	if code, fields := apiFields(t, r); r.StatusCode != 422 || code != "invalid" || fields["amount"] == "" {
		t.Fatalf("a sale above the new ceiling: %d %s %v, want 422 on amount", r.StatusCode, code, fields)
	}
}
