package vendors_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"hawker/audit"
	"hawker/pg/pgtest"
	"hawker/valid"
	"hawker/vendors"
)

// TestOpeningCash: a new vendor's cash on hand starts at her opening cash,
// so her first expense does not take it below zero; the opening is one
// ledger entry (cash against owner's equity), described as her opening,
// audited, and recorded once: a second, or two at once, is refused with
// ErrOpeningExists and changes nothing.
func TestOpeningCash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	s := vendors.NewStore(db)
	p := enrol(t, db, 1)

	for _, c := range []struct{ amount, key string }{
		{"", "vendor.amount_required"},
		{"0", "vendor.amount_positive"},
		{"1,50", "vendor.amount_invalid"},
		{"12.345", "vendor.amount_decimals"},
		{"100,000.01", "vendor.amount_ceiling"},
	} {
		_, err := s.RecordOpening(ctx, audit.System, vendors.OpeningRequest{ParticipantID: p.ID, Code: p.Code, Amount: c.amount, Date: today})
		var fields valid.Errors
		if !errors.As(err, &fields) || fields["amount"] != c.key {
			t.Errorf("opening %q: %v, want amount error %s", c.amount, err, c.key)
		}
	}
	if _, err := s.OpeningOf(ctx, p.ID); !errors.Is(err, vendors.ErrNotFound) {
		t.Fatalf("opening before any: %v", err)
	}

	// Two tries at once, as a double tap from two phones: one wins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.RecordOpening(ctx, audit.Actor{UserID: 0, IP: "127.0.0.1"}, vendors.OpeningRequest{
				ParticipantID: p.ID, Code: p.Code, Amount: "1,500.00", Date: today,
			})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, vendors.ErrOpeningExists):
			t.Fatalf("racing opening: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d openings won the race, want 1", won)
	}
	o, err := s.OpeningOf(ctx, p.ID)
	if err != nil || !o.Amount.Equal(dec("1500")) || !o.Date.Equal(today) {
		t.Fatalf("opening %+v, %v", o, err)
	}
	// A second, whatever its amount, is refused.
	if _, err := s.RecordOpening(ctx, audit.System, vendors.OpeningRequest{ParticipantID: p.ID, Code: p.Code, Amount: "900", Date: today}); !errors.Is(err, vendors.ErrOpeningExists) {
		t.Fatalf("second opening: %v", err)
	}

	cash, err := s.CashOnHand(ctx, p.ID)
	if err != nil || !cash.Equal(dec("1500")) {
		t.Fatalf("cash on hand after the opening: %s, %v", cash, err)
	}
	// Her first expense comes out of it.
	if _, err := s.Record(ctx, audit.System, request(p, "first-expense", vendors.Input{
		Date: today.Format("2006-01-02"), Kind: "expense", Amount: "320", Category: "ingredients",
	})); err != nil {
		t.Fatal(err)
	}
	if cash, _ := s.CashOnHand(ctx, p.ID); !cash.Equal(dec("1180")) {
		t.Fatalf("cash on hand after an expense of 320: %s, want 1180", cash)
	}
	// Sales and expenses do not count it: it is not trading.
	tot, err := s.Totals(ctx, p.ID, today, today)
	if err != nil || !tot.Sales.IsZero() || !tot.Expenses.Equal(dec("320")) {
		t.Fatalf("totals %+v, %v", tot, err)
	}

	// In her ledger: cash against owner's equity, described as her opening.
	book, err := s.Book(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Ledger().Entry(ctx, o.EntryID)
	if err != nil || e.BookID != book || len(e.Lines) != 2 {
		t.Fatalf("opening entry %+v, %v", e, err)
	}
	equity, err := s.Ledger().BalanceOf(ctx, book, vendors.AccountEquity)
	if err != nil || !equity.Equal(dec("-1500")) {
		t.Fatalf("owner's equity %s, %v", equity, err)
	}
	d, err := s.Describe(ctx, p.ID, []int64{o.EntryID})
	if err != nil || d[o.EntryID].Kind != vendors.OpeningKind {
		t.Fatalf("described as %+v, %v", d, err)
	}
	var audited int
	if err := db.Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'vendor.opening.record' AND object = $1`, "participant:"+p.Code); err != nil || audited != 1 {
		t.Fatalf("%d audit rows of the opening, want 1 (%v)", audited, err)
	}
	if v, err := s.Ledger().Verify(ctx); err != nil || !v.OK() {
		t.Fatalf("ledger verify: %+v, %v", v, err)
	}
}
