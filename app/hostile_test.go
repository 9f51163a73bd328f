package app

import (
	stdjson "encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"hawker/thai"
)

// varied is n Thai letters that do not repeat in a pattern, so that
// PostgreSQL cannot compress them below its index row limit.
func varied(n int) string {
	var b strings.Builder
	x := uint32(12345)
	for range n {
		x = x*1664525 + 1013904223
		b.WriteRune(rune(0x0e01 + (x>>16)%46))
	}
	return b.String()
}

// TestHostileInputIsRefused: NUL bytes, bytes that are not UTF-8 and
// overlong values in paths, queries, forms and JSON are a 4xx, never a 500.
func TestHostileInputIsRefused(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	code := f.participant["vendor"].Code
	today := thai.Today(f.clock.Now()).Format(time.DateOnly)
	officer, vendor, admin := f.as("officer"), f.as("vendor"), f.as("admin")
	anon := f.anon()
	anon.page("/login")
	json := func(c *client, path, body string) func() (int, string) {
		return func() (int, string) {
			r := c.do("POST", path, strings.NewReader(body), map[string]string{
				"Content-Type": "application/json", "X-CSRF-Token": c.csrf, "Idempotency-Key": "hostile-1"})
			return r.StatusCode, readBody(t, r)
		}
	}
	form := func(c *client, path string, v url.Values) func() (int, string) {
		return func() (int, string) { r := c.form(path, v); return r.StatusCode, readBody(t, r) }
	}
	get := func(c *client, path string) func() (int, string) {
		return func() (int, string) { r := c.do("GET", path, nil, nil); return r.StatusCode, readBody(t, r) }
	}
	cases := []struct {
		name string
		do   func() (int, string)
		want int
	}{
		{"form login with NUL", form(anon, "/login", url.Values{"login": {"ad\x00min"}, "password": {"x"}}), 400},
		{"form login not UTF-8", form(anon, "/login", url.Values{"login": {"\xff\xfe"}, "password": {"x"}}), 400},
		{"overlong login", form(anon, "/login", url.Values{"login": {varied(5000)}, "password": {"x"}}), 401},
		{"API login with NUL", json(anon, "/api/v1/login", `{"login":"\u0000","password":"x"}`), 400},
		{"search with NUL", get(officer, "/participants?q=%00"), 400},
		{"search not UTF-8", get(officer, "/participants?q=%FF"), 400},
		{"cohort filter with NUL", get(officer, "/participants?cohort=%00"), 400},
		{"path not UTF-8", get(officer, "/participants/%FF%FE"), 400},
		{"audit filter with NUL", get(admin, "/admin/audit?object=%00"), 400},
		{"enrolment with NUL", json(officer, "/api/v1/participants",
			`{"name":"a\u0000","nickname":"b","phone":"0812345670","province":"x","district":"y","cohort":"z","enrolled_on":"2026-01-01","language":"th"}`), 400},
		{"training with NUL", json(officer, "/api/v1/participants/"+code+"/training",
			`{"module":1,"completed_on":"2026-01-01","passed":true,"score":85,"certificate_no":"\u0000"}`), 400},
		{"entry note with NUL", json(vendor, "/api/v1/entries", `{"kind":"sale","method":"cash","amount":"10","note":"\u0000"}`), 400},
		{"user form with NUL", form(admin, "/admin/users", url.Values{"login": {"x\x00"}, "role": {"officer"}}), 400},
		{"overlong form key", form(vendor, "/books/entries", url.Values{"kind": {"sale"}, "method": {"cash"}, "amount": {"10"}, "key": {varied(3000)}}), 400},
		{"Idempotency-Key not UTF-8", func() (int, string) {
			r := vendor.do("POST", "/api/v1/entries", strings.NewReader(`{"kind":"sale","method":"cash","amount":"10","date":"`+today+`"}`),
				map[string]string{"Content-Type": "application/json", "X-CSRF-Token": vendor.csrf, "Idempotency-Key": "\xff\xfe"})
			return r.StatusCode, readBody(t, r)
		}, 400},
		// An escaped backslash before "u0000" is no NUL.
		{"escaped backslash is fine", json(vendor, "/api/v1/entries", `{"kind":"sale","method":"cash","amount":"10","date":"`+today+`","note":"a\\u0000"}`), 201},
	}
	for _, tc := range cases {
		if got, body := tc.do(); got != tc.want {
			t.Errorf("%s: status %d, want %d; body %.200s", tc.name, got, tc.want, body)
		}
	}
}

func TestJSONHasNUL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		`{"a":"\u0000"}`:         true,
		`{"a":"x\u0000y"}`:       true,
		`{"a":"\\u0000"}`:        false,
		`{"a":"\\\u0000"}`:       true,
		`{"a":"\u00001"}`:        true,
		`{"a":"\u0001"}`:         false,
		`{"a":"\"","b":"u0000"}`: false,
	} {
		if got := jsonHasNUL([]byte(in)); got != want {
			t.Errorf("jsonHasNUL(%s) = %v, want %v", in, got, want)
		}
	}
}

// TestVoidReasonIsBounded: a void's reason goes to the ledger and the audit
// trail, both forever; it is required and at most 200 characters, on the
// API and on the page.
func TestVoidReasonIsBounded(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	v := f.as("vendor")
	today := thai.Today(f.clock.Now()).Format(time.DateOnly)
	resp := v.do("POST", "/api/v1/entries", strings.NewReader(`{"kind":"sale","method":"cash","amount":"10","date":"`+today+`"}`),
		map[string]string{"Content-Type": "application/json", "X-CSRF-Token": v.csrf, "Idempotency-Key": "bounded-1"})
	var e struct{ ID int64 }
	if err := stdjson.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != 201 {
		t.Fatalf("entry: %d %v", resp.StatusCode, err)
	}
	api, page := fmt.Sprintf("/api/v1/entries/%d/void", e.ID), fmt.Sprintf("/books/entries/%d/void", e.ID)
	if resp := v.api("POST", api, map[string]string{"reason": varied(201)}); resp.StatusCode != 422 || apiError(t, resp) != "invalid" {
		t.Errorf("API void with a 201-character reason: %d", resp.StatusCode)
	}
	if resp := v.api("POST", api, map[string]string{"reason": "  "}); resp.StatusCode != 422 {
		t.Errorf("API void with a blank reason: %d", resp.StatusCode)
	}
	resp = v.form(page, url.Values{"reason": {varied(201)}})
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "200") {
		t.Errorf("page void with a 201-character reason: %d", resp.StatusCode)
	}
	if resp := v.form(page, url.Values{"reason": {varied(200)}}); resp.StatusCode != 303 {
		t.Errorf("page void with a 200-character reason: %d", resp.StatusCode)
	}
}
