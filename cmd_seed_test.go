package main

import (
	"bytes"
	"strings"
	"testing"

	"hawker/pg/pgtest"
)

// TestSeedScaleCommand: `hawker seed --scale` loads a small programme,
// tells each stage's end (the stages run at once) and what it wrote, and
// the result passes `ledger verify` and `audit verify`.
func TestSeedScaleCommand(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewURL(t)
	hawker := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errb, func(k string) string {
			if k == "DATABASE_URL" {
				return url
			}
			return ""
		})
		return code, out.String(), errb.String()
	}
	code, out, errs := hawker("seed", "--scale", "--vendors", "25", "--months", "2")
	if code != 0 || !strings.Contains(out, "Scale programme loaded in") || !strings.Contains(out, "25 participants, 25 grants") {
		t.Fatalf("seed: exit %d: %s %s", code, out, errs)
	}
	for _, want := range []string{"participants: 2 done in ", "grants: 25 done in ", "entries: 2 done in ", "tables analysed: 1 done in "} {
		if !strings.Contains(errs, want) {
			t.Errorf("progress lacks %q:\n%s", want, errs)
		}
	}
	if code, out, errs := hawker("ledger", "verify"); code != 0 || !strings.Contains(out, "0 mismatches") {
		t.Errorf("ledger verify: exit %d: %s %s", code, out, errs)
	}
	if code, out, errs := hawker("audit", "verify"); code != 0 || !strings.Contains(out, "the chain holds") {
		t.Errorf("audit verify: exit %d: %s %s", code, out, errs)
	}
}

// TestStagesBar: off a terminal, each stage's tenths and its end, whatever
// the order the stages report in.
func TestStagesBar(t *testing.T) {
	var w bytes.Buffer
	b := newStagesBar(&w)
	b.show("participants", 1, 2)
	b.show("grants", 1, 20)
	b.show("participants", 2, 2)
	b.show("grants", 2, 20)
	b.show("grants", 3, 20)
	b.end()
	got := w.String()
	for _, want := range []string{"participants: 1/2 (50%)\n", "grants: 1/20 (5%)\n", "participants: 2 done in 0s\n", "grants: 2/20 (10%)\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "grants: 3/20") {
		t.Errorf("a line for a stage within its tenth:\n%s", got)
	}
}
