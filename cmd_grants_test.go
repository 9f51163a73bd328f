package main

import (
	"bytes"
	"strings"
	"testing"

	"hawker/pg/pgtest"
)

// TestLedgerVerifyAfterDemo: `hawker seed --demo` (grants and all) then
// `hawker ledger verify` finds nothing amiss.
func TestLedgerVerifyAfterDemo(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewURL(t)
	hawker := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errb, func(k string) string {
			switch k {
			case "DATABASE_URL":
				return url
			case "HAWKER_DEV":
				return "1"
			}
			return ""
		})
		return code, out.String(), errb.String()
	}
	if code, _, errs := hawker("seed", "--demo", "--password", "demo-pass-1"); code != 0 {
		t.Fatalf("seed: exit %d: %s", code, errs)
	}
	code, out, errs := hawker("ledger", "verify")
	if code != 0 || !strings.Contains(out, "0 mismatches") {
		t.Fatalf("ledger verify after the demo: exit %d: %s %s", code, out, errs)
	}
}
