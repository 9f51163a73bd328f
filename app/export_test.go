package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// TestExportCarriesTheBooks: the personal-data export is everything Hawker
// holds about her, her books included, entry by entry, voids marked; after
// erasure the figures stay under her code.
func TestExportCarriesTheBooks(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	code := f.participant["vendor"].Code
	v, o, m := f.as("vendor"), f.as("officer"), f.as("manager")
	for _, e := range []url.Values{
		{"kind": {"sale"}, "amount": {"250"}, "method": {"cash"}},
		{"kind": {"expense"}, "amount": {"80.50"}, "category": {"ice"}},
	} {
		if resp := v.form("/books/entries", e); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("record %v: %d", e, resp.StatusCode)
		}
	}
	type book struct {
		Kind   string `json:"kind"`
		Amount string `json:"amount"`
	}
	export := func(c *client) (x struct {
		Participant struct {
			Code string `json:"code"`
			Name string `json:"name"`
		} `json:"participant"`
		Books []book `json:"books"`
	}) {
		t.Helper()
		resp := c.do("GET", "/api/v1/participants/"+code+"/export", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export: %d", resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(&x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	want := []book{{"sale", "250.00"}, {"expense", "80.50"}}
	x := export(v)
	if x.Participant.Code != code || len(x.Books) != 2 || x.Books[0] != want[0] || x.Books[1] != want[1] {
		t.Fatalf("vendor's own export: %+v, want her code and books %v", x, want)
	}
	if resp := m.form("/participants/"+code+"/erase", url.Values{"confirm": {code}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("erase: %d", resp.StatusCode)
	}
	x = export(o)
	if x.Participant.Name != "" || len(x.Books) != 2 {
		t.Fatalf("after erasure: name %q and %d entries; want no name and the figures kept", x.Participant.Name, len(x.Books))
	}
}
