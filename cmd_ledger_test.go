package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"hawker/audit"
	"hawker/ledger"
	"hawker/ledger/ledgertest"
	"hawker/pg/pgtest"
	"hawker/thai"
)

func TestLedgerCommands(t *testing.T) {
	t.Parallel()
	db, url := pgtest.NewURL(t)
	ctx := context.Background()
	s := ledger.NewStore(db)
	b, err := s.CreateBook(ctx, ledger.Vendor, "HSF-0009", "test")
	if err != nil {
		t.Fatal(err)
	}
	cash, _ := s.CreateAccount(ctx, ledger.Account{BookID: b.ID, Code: "1000", Type: ledger.Asset})
	sales, _ := s.CreateAccount(ctx, ledger.Account{BookID: b.ID, Code: "4000", Type: ledger.Income})
	d, _ := ledger.ParseMonth("2025-01")
	if _, err := s.Post(ctx, ledger.Posting{Book: b.ID, BusinessDate: d.AddDate(0, 0, 4), Lines: []ledger.Line{
		{Account: cash.ID, Amount: decimal.RequireFromString("12.50")}, {Account: sales.ID, Amount: decimal.RequireFromString("-12.50")}}}); err != nil {
		t.Fatal(err)
	}
	hawker := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errb, func(k string) string {
			if k == "DATABASE_URL" {
				return url
			}
			if k == "HAWKER_DEV" {
				return "1"
			}
			return ""
		})
		return code, out.String(), errb.String()
	}
	for _, args := range [][]string{{"ledger", "verify", "--help"}, {"ledger", "close", "--help"}, {"ledger", "--help"}} {
		if code, out, _ := hawker(args...); code != 0 || !strings.Contains(out, "Usage") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	if code, _, _ := hawker("ledger", "close"); code != 2 {
		t.Errorf("close without month: exit %d", code)
	}
	if code, _, _ := hawker("ledger", "close", "--month", "2025-13"); code != 2 {
		t.Errorf("close with a bad month: exit %d", code)
	}
	if code, out, errs := hawker("ledger", "close", "--month", "2025-01"); code != 0 || !strings.Contains(out, "closed in 1 books") {
		t.Errorf("close: exit %d, %q %q", code, out, errs)
	}
	// The close is audited, by the system, one row per book.
	evs, err := audit.List(ctx, db, audit.Filter{Action: "ledger.close"})
	if err != nil || len(evs) != 1 || evs[0].Object != "book:"+strconv.FormatInt(b.ID, 10) || evs[0].Summary != "month 2025-01" || evs[0].ActorRole != "system" {
		t.Errorf("audit of the close: %+v, %v", evs, err)
	}
	// A month still running in Bangkok does not close, from the CLI either,
	// which says so as the page does.
	running := thai.Today(time.Now()).Format("2006-01")
	if code, out, errs := hawker("ledger", "close", "--month", running); code != 1 || errs != "hawker: A month can be closed only once it has ended\n" || strings.Contains(out, "closed in") {
		t.Errorf("close of the running month %s: exit %d, %q %q", running, code, out, errs)
	}
	if code, out, errs := hawker("ledger", "verify"); code != 0 || !strings.Contains(out, "1 entries, 2 lines") || !strings.Contains(out, "0 vendor entries checked") {
		t.Errorf("verify: exit %d, %q %q", code, out, errs)
	}
	ledgertest.CorruptBalance(t, db, cash.ID, "99")
	code, out, errs := hawker("ledger", "verify")
	if code != 1 || !strings.Contains(out, "1 mismatches") || !strings.Contains(errs, "recomputed 12.50, stored 99.00") || strings.Count(errs, "\n") != 1 {
		t.Errorf("verify of a corrupted ledger: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
