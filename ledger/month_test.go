package ledger

import (
	"testing"
	"time"
)

// TestBookMonth reads a month open and then closed: the closed month's
// figures are its snapshot and equal what the open month computed; the
// next month opens where it closed; a reversal counts in its own month.
func TestBookMonth(t *testing.T) {
	f := newFixture(t)
	f.post(t, f.vendor.ID, "2026-09-30", "sep", move(f.cash, f.sales, "100.00")...)
	a := f.post(t, f.vendor.ID, "2026-10-02", "a", move(f.cash, f.sales, "250.50")...)
	f.post(t, f.vendor.ID, "2026-10-03", "b", move(f.expenses, f.cash, "40.25")...)
	if _, err := f.s.Reverse(ctx, Reversal{Entry: a.ID, BusinessDate: day("2026-10-04"), Memo: "void"}); err != nil {
		t.Fatal(err)
	}
	f.post(t, f.vendor.ID, "2026-10-31", "c", move(f.cash, f.sales, "10.00")...)
	f.post(t, f.vendor.ID, "2026-11-01", "nov", move(f.cash, f.sales, "7.00")...)

	open, err := f.s.BookMonth(ctx, f.vendor.ID, day("2026-10-15"))
	if err != nil {
		t.Fatal(err)
	}
	cash, ok := open.Account("1000")
	if !ok || open.Closed {
		t.Fatalf("cash account %v, closed %v", ok, open.Closed)
	}
	if !cash.Opening.Equal(amt("100")) || !cash.Debits.Equal(amt("260.50")) || !cash.Credits.Equal(amt("290.75")) || !cash.Closing.Equal(amt("69.75")) {
		t.Errorf("cash month %+v", cash)
	}
	if len(open.Lines) != 8 {
		t.Fatalf("%d lines, want 8 (4 entries × 2)", len(open.Lines))
	}
	rev := 0
	for i, l := range open.Lines {
		if i > 0 && l.BusinessDate.Before(open.Lines[i-1].BusinessDate) {
			t.Errorf("lines out of date order at %d", i)
		}
		if l.Reverses != nil {
			rev++
			if *l.Reverses != a.ID || l.Memo != "void" {
				t.Errorf("reversal line %+v", l)
			}
		}
	}
	if rev != 2 {
		t.Errorf("%d reversal lines, want 2", rev)
	}

	if _, err := f.s.ClosePeriod(ctx, by(0), f.vendor.ID, day("2026-09-01"), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ClosePeriod(ctx, by(0), f.vendor.ID, day("2026-10-01"), time.Now()); err != nil {
		t.Fatal(err)
	}
	closed, err := f.s.BookMonth(ctx, f.vendor.ID, day("2026-10-01"))
	if err != nil {
		t.Fatal(err)
	}
	if !closed.Closed || closed.ClosedAt == nil {
		t.Fatal("October should read as closed")
	}
	for _, am := range open.Accounts {
		cm, ok := closed.Account(am.Code)
		if !ok || !cm.Opening.Equal(am.Opening) || !cm.Debits.Equal(am.Debits) || !cm.Credits.Equal(am.Credits) || !cm.Closing.Equal(am.Closing) {
			t.Errorf("%s: snapshot %+v, computed %+v", am.Code, cm, am)
		}
	}
	nov, err := f.s.BookMonth(ctx, f.vendor.ID, day("2026-11-01"))
	if err != nil {
		t.Fatal(err)
	}
	nc, _ := nov.Account("1000")
	if !nc.Opening.Equal(cash.Closing) || !nc.Closing.Equal(amt("76.75")) {
		t.Errorf("November cash %+v, want opening %s", nc, cash.Closing)
	}
	if _, err := f.s.BookMonth(ctx, 999999, day("2026-11-01")); err == nil {
		t.Error("a missing book should be an error")
	}

	through, err := f.s.LinesThrough(ctx, f.cash.ID, day("2026-10-03"))
	if err != nil {
		t.Fatal(err)
	}
	if len(through) != 3 || through[2].Code != "1000" || !through[2].Amount.Equal(amt("-40.25")) {
		t.Errorf("lines through 3 Oct: %+v", through)
	}
}
