package vendors_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/money"
	"hawker/participants"
	"hawker/pg/pgtest"
	"hawker/vendors"
)

// monthRow is a vendor's month as the report reads it.
type monthRow struct {
	ID    int64  `db:"participant_id"`
	Month string `db:"month"`
	Sales string `db:"sales"`
	Exp   string `db:"expenses"`
	Days  int    `db:"trading_days"`
}

// recomputed sums every live entry again, by the month it happened in: the
// definition the kept sums must equal.
func recomputed(t *testing.T, db *sqlx.DB) []monthRow {
	t.Helper()
	var out []monthRow
	err := db.Select(&out, `
		SELECT ve.participant_id, to_char(date_trunc('month', ve.business_date), 'YYYY-MM') AS month,
		       COALESCE(sum(ve.amount) FILTER (WHERE ve.kind = 'sale'), 0)::numeric(20,2)::text AS sales,
		       COALESCE(sum(ve.amount) FILTER (WHERE ve.kind = 'expense'), 0)::numeric(20,2)::text AS expenses,
		       count(DISTINCT ve.business_date) FILTER (WHERE ve.kind = 'sale') AS trading_days
		FROM vendor_entries ve
		WHERE ve.kind IN ('sale', 'expense')
		  AND NOT EXISTS (SELECT 1 FROM vendor_voids vv WHERE vv.vendor_entry_id = ve.id)
		GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// kept is what MonthSums answers for every participant over every month.
func kept(t *testing.T, s *vendors.Store, ids ...int64) []monthRow {
	t.Helper()
	sums, err := s.MonthSums(context.Background(), ids, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var out []monthRow
	for _, m := range sums {
		out = append(out, monthRow{m.ParticipantID, m.Month.Format("2006-01"), m.Sales.String(), m.Expenses.String(), m.TradingDays})
	}
	return out
}

func sameSums(t *testing.T, step string, db *sqlx.DB, s *vendors.Store, ids ...int64) {
	t.Helper()
	want, got := recomputed(t, db), kept(t, s, ids...)
	// Months whose every entry was voided keep a row of zeros, which
	// MonthSums leaves out, as the recomputation does.
	var nonzero []monthRow
	for _, w := range want {
		if w.Sales != "0.00" || w.Exp != "0.00" || w.Days != 0 {
			nonzero = append(nonzero, w)
		}
	}
	if !reflect.DeepEqual(nonzero, got) {
		t.Fatalf("%s: kept sums\n%+v\nwant, from the entries,\n%+v", step, got, nonzero)
	}
}

// TestMonthSumsKeptWithEveryWrite: whatever writes entries and voids (a
// vendor's entry, an officer's, a CSV import's COPY, a late entry into a
// closed month, a void of one of two sales of a day, of a day's only
// sale, of an expense), the kept monthly sums equal the entries summed
// again, by the month the entries happened in.
func TestMonthSumsKeptWithEveryWrite(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := vendors.NewStore(db)
	p, q := enrol(t, db, 1), enrol(t, db, 2)
	rec := func(who participants.Participant, key string, in vendors.Input, onBehalf bool) vendors.Recorded {
		t.Helper()
		r := request(who, key, in)
		r.OnBehalf = onBehalf
		out, err := s.Record(ctx, audit.System, r)
		if err != nil {
			t.Fatalf("record %s: %v", key, err)
		}
		return out
	}
	void := func(r vendors.Recorded) {
		t.Helper()
		if _, err := s.Void(ctx, audit.System, r.ID, "typed wrong", 0); err != nil {
			t.Fatalf("void %d: %v", r.ID, err)
		}
	}
	a := rec(p, "a", sale("2026-02-10", "120.50", "cash"), false)
	sameSums(t, "first sale", db, s, p.ID, q.ID)
	rec(p, "b", sale("2026-02-10", "80", "promptpay"), false)
	rec(p, "c", vendors.Input{Date: "2026-02-10", Kind: "expense", Amount: "40", Category: "ingredients"}, false)
	rec(p, "d", vendors.Input{Date: "2026-02-11", Kind: "drawing", Amount: "100"}, false)
	rec(p, "e", sale("2026-02-12", "200", "credit"), true)
	only := rec(p, "f", sale("2026-03-02", "60", "cash"), false)
	exp := rec(p, "g", vendors.Input{Date: "2026-03-02", Kind: "expense", Amount: "15.25", Category: "ice"}, false)
	sameSums(t, "a month of entries", db, s, p.ID, q.ID)
	void(a) // one of two sales of the 10th: still a trading day
	sameSums(t, "void of one of two sales", db, s, p.ID, q.ID)
	void(only) // the 2nd of March has no sale left
	void(exp)
	sameSums(t, "void of a day's only sale and of an expense", db, s, p.ID, q.ID)
	rec(p, "h", sale("2026-03-02", "70", "cash"), false) // the day trades again
	sameSums(t, "a sale on a day whose sale was voided", db, s, p.ID, q.ID)

	// A CSV import writes by COPY: one statement of many rows, several
	// vendors, months and days, with days that already trade.
	var entries []vendors.Entry
	for i, x := range []struct {
		who  participants.Participant
		day  string
		kind vendors.Kind
		amt  string
		what string
	}{
		{p, "2026-02-10", vendors.Sale, "10", "cash"}, {p, "2026-02-13", vendors.Sale, "11", "cash"},
		{p, "2026-02-13", vendors.Sale, "12", "promptpay"}, {q, "2026-02-13", vendors.Sale, "13", "cash"},
		{q, "2026-01-31", vendors.Sale, "14", "cash"}, {q, "2026-01-31", vendors.Expense, "5", "gas"},
		{q, "2026-03-01", vendors.Drawing, "50", ""},
	} {
		d, _ := time.Parse(time.DateOnly, x.day)
		e, err := vendors.NewEntry(x.who.ID, x.who.Code, d, x.kind, money.MustParse(x.amt), x.what, "", fmt.Sprintf("bulk-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	if _, err := s.RecordBulk(ctx, entries, nil); err != nil {
		t.Fatal(err)
	}
	sameSums(t, "a bulk import", db, s, p.ID, q.ID)

	// February closes; an entry dated in it is booked late in March and
	// counts in February, the month it happened in.
	book, err := s.Book(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Ledger().ClosePeriod(ctx, audit.System, book, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Now()); err != nil {
		t.Fatal(err)
	}
	late := rec(p, "late", sale("2026-02-20", "300", "cash"), false)
	if !late.Late() {
		t.Fatal("the entry into the closed month is not late")
	}
	sameSums(t, "a late entry", db, s, p.ID, q.ID)
	feb := kept(t, s, p.ID)[0]
	if feb.Month != "2026-02" || feb.Sales != "613.00" || feb.Days != 4 {
		t.Fatalf("February with its late entry: %+v", feb)
	}
	void(late) // voided in its booking month, out of February's sums
	sameSums(t, "a late entry voided", db, s, p.ID, q.ID)

	first, err := s.FirstTradingMonths(ctx, []int64{p.ID, q.ID, 999999})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || first[p.ID].Format("2006-01") != "2026-02" || first[q.ID].Format("2006-01") != "2026-01" {
		t.Fatalf("first trading months %v", first)
	}
}

// TestMonthSumsUnderConcurrentWrites: vendors' phones and officers write
// sales of the same days and void them at once; each day is a trading day
// exactly while it has a live sale.
func TestMonthSumsUnderConcurrentWrites(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := vendors.NewStore(db)
	p := enrol(t, db, 1)
	days := []string{"2026-03-01", "2026-03-02", "2026-03-03"}
	var mu sync.Mutex
	var made []vendors.Recorded
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 12 {
				r, err := s.Record(ctx, audit.System, request(p, fmt.Sprintf("w%d-%d", w, i), sale(days[(w+i)%len(days)], "10", "cash")))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				made = append(made, r)
				var victim *vendors.Recorded
				if i%2 == 1 {
					victim = &made[len(made)-2]
				}
				mu.Unlock()
				if victim != nil {
					if _, err := s.Void(ctx, audit.System, victim.ID, "twice", 0); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	sameSums(t, "concurrent writers", db, s, p.ID)
}
