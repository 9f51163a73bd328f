package demo_test

import (
	"context"
	"testing"
	"time"

	"hawker/demo"
	"hawker/pg/pgtest"
	"hawker/thai"
	"hawker/vendors"
)

// TestSeedVendorBooks: six months of entries for the demo vendors, with the
// stopped business and the falling one on the officers' call list.
func TestSeedVendorBooks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	start := time.Now()
	if _, err := demo.Seed(ctx, db, demo.Options{Password: "demo-password", Now: now}); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %s", time.Since(start).Round(time.Millisecond))
	var n, books int
	db.Get(&n, `SELECT count(*) FROM vendor_entries`)
	db.Get(&books, `SELECT count(*) FROM vendor_books`)
	if books < 3 || n < books*100 {
		t.Fatalf("%d entries in %d books", n, books)
	}
	s := vendors.NewStore(db)
	calls, err := s.Calls(ctx, thai.Today(now))
	if err != nil {
		t.Fatal(err)
	}
	var silent, falling int
	for _, c := range calls {
		if c.Silent {
			silent++
		}
		if c.Declining && !c.Silent {
			falling++
		}
	}
	if silent < 1 || falling < 1 {
		t.Fatalf("calls: %d silent, %d falling: %+v", silent, falling, calls)
	}
	if v, err := s.Ledger().Verify(ctx); err != nil || !v.OK() {
		t.Fatalf("ledger verify: %+v, %v", v, err)
	}
}
