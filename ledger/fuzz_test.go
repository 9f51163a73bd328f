package ledger

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"hawker/pg/pgtest"
)

// FuzzLedger runs random sequences of postings, reversals, replays,
// conflicting replays, floor breaches and period closes against the real
// database, and after every step checks the invariants: refused operations
// and replays changed nothing, balances equal a model kept in Go and the sum
// of the lines, every running balance and entry is sound, floors hold.
func FuzzLedger(f *testing.F) {
	f.Add([]byte{0, 10, 20, 30, 1, 200, 3, 0, 4, 0, 2, 0, 2, 0, 5, 9, 6, 1, 7, 1, 0, 7, 70})
	f.Add([]byte{1, 255, 255, 1, 3, 3, 5, 0, 2, 1, 6, 0, 6, 0, 7, 0, 0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 6, 2, 0, 6, 7, 2, 3, 1, 4, 1, 2, 3, 2, 3})
	f.Add([]byte{1, 9, 1, 8, 5, 250, 2, 1, 3, 1, 6, 3, 6, 4, 7, 3, 1, 77, 0, 99, 4, 3})
	f.Add([]byte("posting, reversal, replay: any bytes make a run"))
	db := pgtest.New(f)
	s := NewStore(db)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 120 {
			data = data[:120]
		}
		(&fuzzRun{t: t, s: s, data: data}).run()
	})
}

type fuzzRun struct {
	t      *testing.T
	s      *Store
	data   []byte
	pos    int
	books  [2]int64     // vendor, programme
	accts  [2][]Account // per book; programme's first account has floor 0
	model  map[int64]decimal.Decimal
	posted []Posting // successful postings, for replays
	ids    []int64   // their entries
	n      int
}

func (r *fuzzRun) byte() int {
	if r.pos >= len(r.data) {
		return 0
	}
	b := r.data[r.pos]
	r.pos++
	return int(b)
}

func (r *fuzzRun) run() {
	t := r.t
	r.model = map[int64]decimal.Decimal{}
	for i, kind := range []BookKind{Vendor, Programme} {
		b, err := r.s.CreateBook(ctx, kind, "", "fuzz")
		if err != nil {
			t.Fatal(err)
		}
		r.books[i] = b.ID
		for j, typ := range []AccountType{Asset, Income, Expense} {
			a := Account{BookID: b.ID, Code: fmt.Sprint(j), Type: typ}
			if kind == Programme && j == 0 {
				a.Floor = decimal.NewNullDecimal(decimal.Zero)
			}
			a, err = r.s.CreateAccount(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			r.accts[i] = append(r.accts[i], a)
			r.model[a.ID] = decimal.Zero
		}
	}
	for step := 0; r.pos < len(r.data) && step < 40; step++ {
		before := r.state()
		op := r.byte() % 8
		desc, err := r.step(op)
		after := r.state()
		if err != nil && after != before {
			t.Fatalf("step %d (%s) refused with %v but changed %s -> %s", step, desc, err, before, after)
		}
		r.check(step, desc)
	}
}

// posting builds a balanced posting in a book from the next bytes.
func (r *fuzzRun) posting(book int) Posting {
	r.n++
	p := Posting{Book: r.books[book], BusinessDate: r.date(), Memo: "fuzz", IdempotencyKey: fmt.Sprintf("k%d", r.n)}
	n := 2 + r.byte()%3
	sum := decimal.Zero
	accts := r.accts[book]
	for i := 0; i < n-1; i++ {
		amt := decimal.New(int64(1+r.byte()*37), -2)
		if r.byte()%2 == 0 {
			amt = amt.Neg()
		}
		if sum.Add(amt).IsZero() {
			amt = amt.Add(decimal.New(1, -2))
		}
		sum = sum.Add(amt)
		p.Lines = append(p.Lines, Line{Account: accts[r.byte()%len(accts)].ID, Amount: amt})
	}
	p.Lines = append(p.Lines, Line{Account: accts[r.byte()%len(accts)].ID, Amount: sum.Neg()})
	return p
}

func (r *fuzzRun) date() time.Time {
	return time.Date(2025, time.Month(1+r.byte()%6), 1+r.byte()%28, 0, 0, 0, 0, time.UTC)
}

// step runs one operation and checks its outcome against the model.
func (r *fuzzRun) step(op int) (string, error) {
	t := r.t
	allowed := func(err error, ok ...error) {
		t.Helper()
		if err == nil {
			return
		}
		for _, e := range ok {
			if errors.Is(err, e) {
				return
			}
		}
		t.Fatalf("op %d: unexpected error %v", op, err)
	}
	switch op {
	case 0, 1: // post in the vendor or the programme book; every 5th with 3 decimals
		p := r.posting(op)
		bad := r.byte()%5 == 0
		if bad {
			p.Lines[0].Amount = p.Lines[0].Amount.Add(decimal.New(1, -3))
			p.Lines[1].Amount = p.Lines[1].Amount.Sub(decimal.New(1, -3))
		}
		e, err := r.s.Post(ctx, p)
		if bad && !errors.Is(err, ErrInvalidAmount) {
			t.Fatalf("posting with 3 decimals: %v", err)
		}
		allowed(err, ErrInvalidAmount, ErrClosedPeriod, ErrInsufficientFunds, ErrUnbalanced)
		if err == nil {
			r.applied(p, e)
		}
		return "post", err
	case 2: // reverse an earlier entry
		if len(r.ids) == 0 {
			return "reverse nothing", nil
		}
		id := r.ids[r.byte()%len(r.ids)]
		r.n++
		e, err := r.s.Reverse(ctx, Reversal{Entry: id, BusinessDate: r.date(), Memo: "undo", IdempotencyKey: fmt.Sprintf("k%d", r.n)})
		allowed(err, ErrAlreadyReversed, ErrClosedPeriod, ErrInsufficientFunds)
		if err == nil {
			for _, l := range e.Lines {
				r.model[l.AccountID] = r.model[l.AccountID].Add(l.Amount.Decimal())
			}
		}
		return "reverse", err
	case 3: // replay: same entry, nothing written
		if len(r.posted) == 0 {
			return "replay nothing", nil
		}
		i := r.byte() % len(r.posted)
		before := r.state()
		e, err := r.s.Post(ctx, r.posted[i])
		if err != nil || e.ID != r.ids[i] || !e.Replayed {
			t.Fatalf("replay of entry %d = %d, %v", r.ids[i], e.ID, err)
		}
		if after := r.state(); after != before {
			t.Fatalf("replay wrote: %s -> %s", before, after)
		}
		return "replay", nil
	case 4: // the same key with another request
		if len(r.posted) == 0 {
			return "conflict nothing", nil
		}
		p := r.posted[r.byte()%len(r.posted)]
		p.Memo += "!"
		_, err := r.s.Post(ctx, p)
		if !errors.Is(err, ErrIdempotencyConflict) {
			t.Fatalf("conflicting replay: %v", err)
		}
		return "conflict", err
	case 5: // take more from the floored fund than it holds
		fund, other := r.accts[1][0], r.accts[1][2]
		amt := r.model[fund.ID].Add(decimal.New(int64(1+r.byte()), -2))
		r.n++
		_, err := r.s.Post(ctx, Posting{Book: r.books[1], BusinessDate: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC),
			Lines: []Line{{Account: other.ID, Amount: amt}, {Account: fund.ID, Amount: amt.Neg()}}})
		if !errors.Is(err, ErrInsufficientFunds) {
			t.Fatalf("floor breach: %v", err)
		}
		return "breach", err
	case 6: // close a month of one book
		book := r.books[r.byte()%2]
		_, err := r.s.ClosePeriod(ctx, by(1), book, time.Date(2025, time.Month(1+r.byte()%6), 1, 0, 0, 0, 0, time.UTC), time.Now())
		allowed(err, ErrClosedPeriod)
		return "close", err
	default: // post into a closed month
		var closed []struct {
			Book  int64     `db:"book_id"`
			Month time.Time `db:"month"`
		}
		if err := r.s.db.SelectContext(ctx, &closed, `SELECT book_id, month FROM ledger_periods
			WHERE book_id = ANY(ARRAY[$1, $2]::bigint[]) AND closed_at IS NOT NULL ORDER BY 1, 2`, r.books[0], r.books[1]); err != nil {
			t.Fatal(err)
		}
		if len(closed) == 0 {
			return "post into no closed month", nil
		}
		c := closed[r.byte()%len(closed)]
		book := 0
		if c.Book == r.books[1] {
			book = 1
		}
		p := r.posting(book)
		p.BusinessDate = c.Month.AddDate(0, 0, r.byte()%28)
		_, err := r.s.Post(ctx, p)
		if !errors.Is(err, ErrClosedPeriod) {
			t.Fatalf("post into closed %s: %v", c.Month, err)
		}
		return "post into closed", err
	}
}

func (r *fuzzRun) applied(p Posting, e Entry) {
	for _, l := range p.Lines {
		r.model[l.Account] = r.model[l.Account].Add(l.Amount)
	}
	r.posted = append(r.posted, p)
	r.ids = append(r.ids, e.ID)
}

// state is every row count and balance of this run's books.
func (r *fuzzRun) state() string {
	var s string
	err := r.s.db.GetContext(ctx, &s, `
		SELECT (SELECT count(*) FROM ledger_entries WHERE book_id IN ($1, $2)) || '/' ||
		       (SELECT count(*) FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id WHERE a.book_id IN ($1, $2)) || '/' ||
		       (SELECT count(*) FROM ledger_period_balances WHERE book_id IN ($1, $2)) || '/' ||
		       (SELECT string_agg(b.account_id || '=' || b.balance, ',' ORDER BY b.account_id)
		          FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id WHERE a.book_id IN ($1, $2))`,
		r.books[0], r.books[1])
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// check holds every invariant after a step.
func (r *fuzzRun) check(step int, desc string) {
	t := r.t
	for id, want := range r.model {
		got, err := r.s.Balance(ctx, id)
		if err != nil || !got.Decimal().Equal(want) {
			t.Fatalf("step %d (%s): account %d = %s, %v; model says %s", step, desc, id, got, err, want)
		}
	}
	var bad []string
	err := r.s.db.SelectContext(ctx, &bad, `
		WITH acct AS (SELECT id FROM ledger_accounts WHERE book_id IN ($1, $2))
		SELECT 'balance ' || b.account_id FROM ledger_balances b JOIN acct ON acct.id = b.account_id
		WHERE b.balance <> COALESCE((SELECT sum(amount) FROM ledger_lines l WHERE l.account_id = b.account_id), 0)
		   OR b.balance < COALESCE(b.floor, b.balance)
		UNION ALL
		SELECT 'balance_after ' || id FROM (
			SELECT l.id, l.balance_after, sum(l.amount) OVER (PARTITION BY l.account_id ORDER BY l.entry_id, l.id) AS running
			FROM ledger_lines l JOIN acct ON acct.id = l.account_id) x
		WHERE balance_after <> running
		UNION ALL
		SELECT 'entry ' || e.id FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id
		WHERE e.book_id IN ($1, $2) GROUP BY e.id HAVING count(*) < 2 OR sum(l.amount) <> 0
		UNION ALL
		SELECT 'snapshot ' || pb.account_id || '@' || pb.month FROM ledger_period_balances pb
		WHERE pb.book_id IN ($1, $2) AND pb.closing <> COALESCE((SELECT sum(amount) FROM ledger_lines l
			WHERE l.account_id = pb.account_id AND l.business_date < (pb.month + interval '1 month')::date), 0)`,
		r.books[0], r.books[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("step %d (%s): invariants broken: %v", step, desc, bad)
	}
}
