package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/demo"
	"hawker/grants"
	"hawker/ledger"
	"hawker/money"
	"hawker/pg/pgtest"
	"hawker/reports"
	"hawker/thai"
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
	impactReport(t, ctx, db, now)
}

// impactReport: the first donor's report over the demo's ten ended months
// shows some figures and prints "<5" for others, and its trading days and
// sales, month by month, equal an independent count from the tables of
// consenting participants with an approved grant from that donor.
func impactReport(t *testing.T, ctx context.Context, db *sqlx.DB, now time.Time) {
	today := thai.Today(now)
	to := time.Date(today.Year(), today.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	from := to.AddDate(0, -9, 0)
	var donor int64
	if err := db.GetContext(ctx, &donor, `SELECT donor_id FROM users WHERE login = 'donor'`); err != nil {
		t.Fatal(err)
	}
	im, err := reports.NewStore(db, nil, "").Impact(ctx, donor, from, to, today)
	if err != nil {
		t.Fatal(err)
	}
	shown, hidden := 0, 0
	for _, m := range im.Months {
		for _, c := range []reports.Count{m.Active, m.TradingDays, m.Training, m.GrantsApproved} {
			if c.Hidden {
				hidden++
			} else {
				shown++
			}
		}
	}
	if shown == 0 || hidden == 0 || im.Survival[0].Percent() == "" {
		t.Fatalf("impact: %d shown, %d hidden, survival %+v", shown, hidden, im.Survival)
	}
	type row struct {
		Month time.Time    `db:"month"`
		Days  int          `db:"days"`
		Sales money.Amount `db:"sales"`
		Who   int          `db:"who"`
	}
	var rows []row
	err = db.SelectContext(ctx, &rows, `
		WITH people AS (
			SELECT DISTINCT g.participant_id FROM grants g JOIN funds f ON f.id = g.fund_id
			WHERE f.donor_id = $1 AND g.commit_entry_id IS NOT NULL
			  AND (SELECT c.given FROM consents c WHERE c.participant_id = g.participant_id AND c.purpose = 'donor_reports'
			       ORDER BY c.id DESC LIMIT 1)),
		days AS (
			SELECT ve.participant_id, date_trunc('month', ve.business_date)::date AS month,
			       count(DISTINCT ve.business_date) AS days, sum(ve.amount) AS sales
			FROM vendor_entries ve JOIN people USING (participant_id)
			WHERE ve.kind = 'sale' AND ve.business_date BETWEEN $2 AND $3
			  AND NOT EXISTS (SELECT 1 FROM vendor_voids v WHERE v.vendor_entry_id = ve.id)
			GROUP BY 1, 2)
		SELECT month, sum(days) AS days, sum(sales) AS sales, count(*) AS who FROM days GROUP BY 1 ORDER BY 1`,
		donor, from, to.AddDate(0, 1, -1))
	if err != nil {
		t.Fatal(err)
	}
	byMonth := map[string]row{}
	for _, r := range rows {
		byMonth[r.Month.Format("2006-01")] = r
	}
	for _, m := range im.Months {
		r := byMonth[m.Key]
		if r.Who < reports.MinCell {
			if !m.TradingDays.Hidden || !m.Sales.Hidden {
				t.Errorf("%s: %d traders, yet shown", m.Key, r.Who)
			}
			continue
		}
		if m.TradingDays.N() != r.Days || !m.Sales.V().Equal(r.Sales) {
			t.Errorf("%s: report %d days %s sales; tables %d days %s sales", m.Key, m.TradingDays.N(), m.Sales.V(), r.Days, r.Sales)
		}
	}
	// New businesses (IRIS+ PI4583): the same people, counted in the month
	// of their first live sale ever.
	var created []struct {
		Month time.Time `db:"month"`
		N     int       `db:"n"`
	}
	err = db.SelectContext(ctx, &created, `
		WITH people AS (
			SELECT DISTINCT g.participant_id FROM grants g JOIN funds f ON f.id = g.fund_id
			WHERE f.donor_id = $1 AND g.commit_entry_id IS NOT NULL
			  AND (SELECT c.given FROM consents c WHERE c.participant_id = g.participant_id AND c.purpose = 'donor_reports'
			       ORDER BY c.id DESC LIMIT 1)),
		firsts AS (
			SELECT ve.participant_id, min(ve.business_date) AS first
			FROM vendor_entries ve JOIN people USING (participant_id)
			WHERE ve.kind = 'sale' AND NOT EXISTS (SELECT 1 FROM vendor_voids v WHERE v.vendor_entry_id = ve.id)
			GROUP BY 1)
		SELECT date_trunc('month', first)::date AS month, count(*) AS n FROM firsts
		WHERE first BETWEEN $2 AND $3 GROUP BY 1`, donor, from, to.AddDate(0, 1, -1))
	if err != nil {
		t.Fatal(err)
	}
	newBy, sum := map[string]int{}, 0
	for _, c := range created {
		newBy[c.Month.Format("2006-01")] = c.N
		sum += c.N
	}
	hiddenMonth := false
	for _, m := range im.Months {
		n := newBy[m.Key]
		if n < reports.MinCell {
			hiddenMonth = true
			if !m.NewBusinesses.Hidden {
				t.Errorf("%s: %d new businesses, yet shown as %v", m.Key, n, m.NewBusinesses)
			}
		} else if m.NewBusinesses.Hidden || m.NewBusinesses.N() != n {
			t.Errorf("%s: report %v new businesses; tables %d", m.Key, m.NewBusinesses, n)
		}
	}
	if tot := im.Totals.NewBusinesses; tot.Hidden != hiddenMonth || (!tot.Hidden && tot.N() != sum) {
		t.Errorf("new businesses in total: report %v; tables %d (a month hidden: %v)", tot, sum, hiddenMonth)
	}
}
