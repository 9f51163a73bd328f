package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestImpactAccess: a donor reads their own report as JSON, PDF and CSV;
// another donor's id and a guessed one answer 404; a vendor is refused;
// a manager reads any donor's; a bad month is a 422 with its field.
func TestImpactAccess(t *testing.T) {
	f := newAccessFixture(t)
	own := fmt.Sprintf("/api/v1/donors/%d/impact", f.donor["donor"].ID)
	other := fmt.Sprintf("/api/v1/donors/%d/impact", f.donor["donor2"].ID)
	q := "?from=2026-01&to=2026-03"
	d := f.as("donor")
	for _, tc := range []struct {
		c      *client
		path   string
		status int
		ctype  string
	}{
		{d, own + q, http.StatusOK, "application/json"},
		{d, strings.Replace(own, "/impact", "/impact.pdf", 1) + q, http.StatusOK, "application/pdf"},
		{d, strings.Replace(own, "/impact", "/impact.csv", 1) + q, http.StatusOK, "text/csv"},
		{d, other + q, http.StatusNotFound, ""},
		{d, strings.Replace(other, "/impact", "/impact.pdf", 1) + q, http.StatusNotFound, ""},
		{d, "/api/v1/donors/999999/impact" + q, http.StatusNotFound, ""},
		{f.as("manager"), other + q, http.StatusOK, "application/json"},
		{f.as("manager"), "/api/v1/donors/999999/impact" + q, http.StatusNotFound, ""},
		{f.as("vendor"), own + q, http.StatusForbidden, ""},
		{d, own + "?from=2026-13&to=2026-03", http.StatusUnprocessableEntity, ""},
		{d, own + "?from=2026-04&to=2026-03", http.StatusUnprocessableEntity, ""},
	} {
		res := tc.c.api("GET", tc.path, nil)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != tc.status || !strings.HasPrefix(res.Header.Get("Content-Type"), tc.ctype) {
			t.Fatalf("%s: %d %s %s", tc.path, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if tc.status == http.StatusNotFound && strings.Contains(string(body), "มูลนิธิ") {
			t.Fatalf("%s: a 404 names the donor: %s", tc.path, body)
		}
		if tc.ctype == "application/json" {
			var im map[string]any
			if err := json.Unmarshal(body, &im); err != nil || im["participants_supported"] != "<5" {
				t.Fatalf("%s: %v %s", tc.path, err, body)
			}
		}
	}

	// The page: a donor's own, never another's.
	for _, tc := range []struct {
		c      *client
		path   string
		status int
		has    string
	}{
		{d, "/impact", http.StatusOK, f.donor["donor"].Name},
		{d, "/impact", http.StatusOK, f.s.views.tr.T("th", "impact.new_businesses")},
		{d, "/impact", http.StatusOK, f.s.views.tr.T("th", "impact.grants_disbursed")},
		{d, "/impact?donor=" + fmt.Sprint(f.donor["donor"].ID) + "&from=2026-01&to=2026-02", http.StatusOK, "impact.pdf?from=2026-01"},
		{d, "/impact?donor=" + fmt.Sprint(f.donor["donor2"].ID), http.StatusNotFound, ""},
		{d, "/impact?donor=abc", http.StatusNotFound, ""},
		{d, "/impact?from=2026-13", http.StatusUnprocessableEntity, "aria-invalid"},
		{f.as("manager"), "/impact?donor=" + fmt.Sprint(f.donor["donor2"].ID), http.StatusOK, f.donor["donor2"].Name},
		{f.as("vendor"), "/impact", http.StatusForbidden, ""},
	} {
		res := tc.c.page(tc.path)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != tc.status || !strings.Contains(string(body), tc.has) {
			t.Fatalf("%s: %d, want %d with %q", tc.path, res.StatusCode, tc.status, tc.has)
		}
		if tc.c == d && strings.Contains(string(body), f.donor["donor2"].Name) {
			t.Fatalf("%s: the donor sees another donor's name", tc.path)
		}
	}
}
