package demo_test

import (
	"context"
	"testing"
	"time"

	"hawker/demo"
	"hawker/pg/pgtest"
	"hawker/reports"
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
	// Every demo vendor starts with her opening cash, on her first day.
	var vendorsWithLogin, openings, early int
	db.Get(&vendorsWithLogin, `SELECT count(*) FROM users WHERE role = 'vendor'`)
	db.Get(&openings, `SELECT count(*) FROM vendor_openings WHERE amount > 0`)
	db.Get(&early, `SELECT count(*) FROM vendor_openings vo WHERE vo.business_date <= (SELECT min(business_date) FROM vendor_entries ve WHERE ve.participant_id = vo.participant_id)`)
	if vendorsWithLogin < 3 || openings != vendorsWithLogin || early != openings {
		t.Fatalf("%d demo vendors, %d openings, %d dated before her first entry", vendorsWithLogin, openings, early)
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

// TestSeedStatements: the demo's ended months are closed: a vendor's
// statement of one prints as a final, verifiable statement, and this
// month's is provisional; the donor reports of the last three ended months
// wait on the outbox page.
func TestSeedStatements(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	if _, err := demo.Seed(ctx, db, demo.Options{Password: "demo-password", Now: now}); err != nil {
		t.Fatal(err)
	}
	vs := vendors.NewStore(db)
	holders, err := vs.Holders(ctx)
	if err != nil || len(holders) == 0 {
		t.Fatalf("holders %v %v", holders, err)
	}
	rs := reports.NewStore(db, vs, "https://hawker.example.org")
	granted := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	doc, err := rs.Print(ctx, holders[0].Code, granted, "th", now)
	if err != nil {
		t.Fatal(err)
	}
	st := doc.Statement
	if !st.Closed || !st.Sales.IsPositive() || len(st.Rows) < 20 {
		t.Errorf("July: closed %v, sales %s, %d rows", st.Closed, st.Sales, len(st.Rows))
	}
	if v, err := rs.Verify(ctx, doc.PDF, now); err != nil || !v.OK() {
		t.Errorf("verify: %v %v", v, err)
	}
	open, err := rs.Statement(ctx, holders[0].Code, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), thai.Today(now))
	if err != nil || open.Closed {
		t.Errorf("this month: closed %v, %v", open.Closed, err)
	}
	if v, err := vs.Ledger().Verify(ctx); err != nil || !v.OK() {
		t.Fatalf("ledger verify: %+v, %v", v, err)
	}

	// The outbox: each donor's reports of August, September and October,
	// kept (no mail server) for each of its contacts, the first donor's to two.
	out, err := rs.Outbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	months := map[string]int{}
	for _, m := range out {
		months[m.Month.Format("2006-01")]++
		if m.State != reports.MailKept || m.Attempts != 1 {
			t.Errorf("demo mail %d: %s after %d attempts", m.ID, m.State, m.Attempts)
		}
	}
	for _, m := range []string{"2026-08", "2026-09", "2026-10"} {
		if months[m] < 2 {
			t.Errorf("%d messages for %s, want the first donor's two and more", months[m], m)
		}
	}
	if len(months) != 3 {
		t.Errorf("demo mail for months %v", months)
	}
}
