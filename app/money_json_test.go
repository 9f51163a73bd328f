package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

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
