package demo_test

import (
	"context"
	"testing"
	"time"

	"hawker/audit"
	"hawker/demo"
	"hawker/pg/pgtest"
	"hawker/vendors"
)

// TestSeedScale: a small scale programme through the real stores: every
// participant trained, with an approved plan and a grant from one of the
// donors' funds, about three entries a trading day, a rest day a week, some
// businesses closed, a few entries booked late, every month closed, and the
// ledger verifies.
func TestSeedScale(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	start := time.Now()
	stages := map[string]int{}
	res, err := demo.SeedScale(ctx, db, demo.ScaleOptions{Vendors: 40, Months: 7, Password: "scale-password", Now: now,
		Progress: func(stage string, done, total int) {
			if done > total {
				t.Errorf("%s: %d of %d", stage, done, total)
			}
			stages[stage] = done
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %s: %+v", time.Since(start).Round(time.Millisecond), res)
	if stages["participants"] != 2 || stages["grants"] != 40 || stages["entries"] != 7 {
		t.Errorf("progress = %v", stages)
	}
	if res.Participants != 40 || res.Grants != 40 || res.From.Format("2006-01") != "2026-04" || res.To.Format("2006-01") != "2026-10" {
		t.Errorf("result = %+v", res)
	}
	if res.Closed < 1 || res.Late < 1 {
		t.Errorf("closed businesses %d, late entries %d; want some of each", res.Closed, res.Late)
	}
	var f struct {
		Entries  int `db:"entries"`
		Days     int `db:"days"`
		Late     int `db:"late"`
		Vendors  int `db:"vendors"`
		Weekend  int `db:"weekend"` // sales per weekend day, baht
		Weekday  int `db:"weekday"`
		Grants   int `db:"grants"`
		Funds    int `db:"funds"`
		Donors   int `db:"donors"`
		Items    int `db:"items"`
		Trained  int `db:"trained"`
		Approved int `db:"approved"`
	}
	err = db.GetContext(ctx, &f, `
		SELECT (SELECT count(*) FROM vendor_entries) AS entries,
		       (SELECT count(DISTINCT (participant_id, business_date)) FROM vendor_entries) AS days,
		       (SELECT count(*) FROM vendor_entries WHERE booked_on IS NOT NULL) AS late,
		       (SELECT count(DISTINCT participant_id) FROM vendor_entries) AS vendors,
		       (SELECT (sum(amount) / count(DISTINCT (participant_id, business_date)))::int FROM vendor_entries
		         WHERE kind = 'sale' AND extract(isodow FROM business_date) >= 6) AS weekend,
		       (SELECT (sum(amount) / count(DISTINCT (participant_id, business_date)))::int FROM vendor_entries
		         WHERE kind = 'sale' AND extract(isodow FROM business_date) < 6) AS weekday,
		       (SELECT count(*) FROM grants WHERE state IN ('approved', 'completed')) AS grants,
		       (SELECT count(DISTINCT fund_id) FROM grants) AS funds,
		       (SELECT count(DISTINCT f.donor_id) FROM grants g JOIN funds f ON f.id = g.fund_id) AS donors,
		       (SELECT count(*) FROM grant_items WHERE status = 'handed_over') AS items,
		       (SELECT count(DISTINCT participant_id) FROM training_completions WHERE passed) AS trained,
		       (SELECT count(DISTINCT participant_id) FROM plans WHERE state = 'approved') AS approved`)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("figures: %+v", f)
	if perDay := float64(f.Entries) / float64(f.Days); perDay < 2.7 || perDay > 3.1 {
		t.Errorf("%.2f entries a trading day; want about 3", perDay)
	}
	if f.Late != res.Late || f.Vendors != 40 || f.Entries != res.Entries {
		t.Errorf("late %d (result %d), vendors %d, entries %d (result %d)", f.Late, res.Late, f.Vendors, f.Entries, res.Entries)
	}
	// A weekly rhythm: a rest day, busier weekends. Seven months of about
	// 30 days: without rest days nor missed ones 40 vendors would trade
	// about 7,500 days.
	if f.Weekend <= f.Weekday || f.Days > 40*190*6/7 {
		t.Errorf("sales a day %d on weekends, %d on weekdays; %d trading days", f.Weekend, f.Weekday, f.Days)
	}
	if f.Grants != 40 || f.Funds != 10 || f.Donors != 5 || f.Items != 24 || f.Trained != 40 || f.Approved != 40 {
		t.Errorf("programme: %+v", f)
	}
	vs := vendors.NewStore(db)
	v, err := vs.Ledger().Verify(ctx)
	if err != nil || !v.OK() {
		t.Fatalf("ledger verify: %v, %v", v.Err(), err)
	}
	if v.Counts.Snapshots == 0 {
		t.Errorf("no month closed: %+v", v.Counts)
	}
	// The loaders append to the audit trail at once; its chain still holds.
	ar, err := audit.Verify(ctx, db)
	if err != nil || len(ar.Breaks) > 0 || ar.Rows == 0 {
		t.Fatalf("audit verify: %d rows, breaks %v, %v", ar.Rows, ar.Breaks, err)
	}
	if _, err := demo.SeedScale(ctx, db, demo.ScaleOptions{Vendors: 1, Months: 1, Now: now}); err != demo.ErrNotEmpty {
		t.Errorf("second seed: %v", err)
	}
}
