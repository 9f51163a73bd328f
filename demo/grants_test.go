package demo_test

import (
	"context"
	"testing"
	"time"

	"hawker/demo"
	"hawker/grants"
	"hawker/ledger"
	"hawker/pg/pgtest"
	"hawker/vendors"
)

// TestSeedGrants: the demo holds two donors, three funds whose figures equal
// their ledger lines, grants in every state, tranches released on each kind
// of condition, equipment handed over and one item recovered; and the
// whole ledger verifies.
func TestSeedGrants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	if _, err := demo.Seed(ctx, db, demo.Options{Password: "demo-password", Now: now}); err != nil {
		t.Fatal(err)
	}
	store := grants.NewStore(db, vendors.NewStore(db))
	funds, err := store.Dashboard(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	donors := map[int64]bool{}
	for _, f := range funds {
		donors[f.DonorID] = true
		lines, err := store.FiguresFromLines(ctx, f.Fund)
		if err != nil {
			t.Fatal(err)
		}
		if !lines.Received.Equal(f.Received) || !lines.Committed.Equal(f.Committed) || !lines.Disbursed.Equal(f.Disbursed) ||
			!lines.Available.Equal(f.Available) || !f.Balanced() || f.Available.IsNegative() {
			t.Errorf("fund %s: %+v, from lines %+v", f.Name, f.Figures, lines)
		}
	}
	if len(funds) != 3 || len(donors) != 2 {
		t.Errorf("%d funds of %d donors", len(funds), len(donors))
	}
	for _, st := range grants.States {
		rows, err := store.List(ctx, grants.Filter{State: st})
		if err != nil || len(rows) == 0 {
			t.Errorf("no %s grant (%v)", st, err)
		}
	}
	var conditions = map[grants.Condition]bool{}
	rows, _ := store.List(ctx, grants.Filter{})
	for _, r := range rows {
		g, err := store.Grant(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range g.Tranches {
			if tr.State == grants.TrancheDisbursed {
				conditions[tr.Condition] = true
			}
		}
	}
	if len(conditions) != len(grants.Conditions) {
		t.Errorf("tranches released on %v, want every condition", conditions)
	}
	reg, err := store.Register(ctx, grants.RegisterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	status := map[grants.ItemStatus]int{}
	for _, r := range reg {
		status[r.Status]++
	}
	if status[grants.HandedOver] < 2 || status[grants.Returned] != 1 {
		t.Errorf("register: %v", status)
	}
	r, err := ledger.NewStore(db).Verify(ctx)
	if err != nil || !r.OK() {
		t.Fatalf("ledger verify: %v %v", err, r.Err())
	}
}
