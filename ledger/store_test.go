package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"hawker/audit"
	"hawker/money"
	"hawker/pg"
	"hawker/pg/pgtest"
)

var ctx = context.Background()

// by is the actor of a close or reopen: a manager with that user id, or the
// system for 0.
func by(id int64) audit.Actor {
	if id == 0 {
		return audit.System
	}
	return audit.Actor{UserID: id, Role: "manager"}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// amt is s as money, for comparing with what the ledger reads back.
func amt(s string) money.Amount { return money.Round(dec(s)) }

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// fixture is a vendor book and a programme book with their accounts.
type fixture struct {
	s                     *Store
	db                    *sqlx.DB
	vendor, programme     Book
	cash, sales, expenses Account // vendor book; cash has no floor
	fund, grants          Account // programme book; fund has floor 0
	equity                Account // programme book
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db := pgtest.New(t)
	f := &fixture{s: NewStore(db), db: db}
	var err error
	if f.vendor, err = f.s.CreateBook(ctx, Vendor, "HSF-0001", "Somchai noodles"); err != nil {
		t.Fatal(err)
	}
	if f.programme, err = f.s.CreateBook(ctx, Programme, "programme", "Programme"); err != nil {
		t.Fatal(err)
	}
	mk := func(book int64, code string, typ AccountType, floor string) Account {
		a := Account{BookID: book, Code: code, Type: typ, NameTH: code, NameEN: code}
		if floor != "" {
			a.Floor = decimal.NewNullDecimal(dec(floor))
		}
		out, err := f.s.CreateAccount(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	f.cash = mk(f.vendor.ID, "1000", Asset, "")
	f.sales = mk(f.vendor.ID, "4000", Income, "")
	f.expenses = mk(f.vendor.ID, "5000", Expense, "")
	f.fund = mk(f.programme.ID, "1100", Asset, "0")
	f.grants = mk(f.programme.ID, "5100", Expense, "")
	f.equity = mk(f.programme.ID, "3000", Equity, "")
	return f
}

func (f *fixture) post(t testing.TB, book int64, date, key string, lines ...Line) Entry {
	t.Helper()
	e, err := f.s.Post(ctx, Posting{Book: book, BusinessDate: day(date), Memo: "m", IdempotencyKey: key, Lines: lines})
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	return e
}

func move(debit, credit Account, amount string) []Line {
	return []Line{{Account: debit.ID, Amount: dec(amount)}, {Account: credit.ID, Amount: dec(amount).Neg()}}
}

func (f *fixture) balance(t testing.TB, a Account) decimal.Decimal {
	t.Helper()
	b, err := f.s.Balance(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return b.Decimal()
}

// counts is the number of rows in each ledger table and every balance,
// to show that a refused request changed nothing.
func (f *fixture) state(t testing.TB) string {
	t.Helper()
	var s string
	err := f.db.GetContext(ctx, &s, `
		SELECT (SELECT count(*) FROM ledger_entries) || '/' || (SELECT count(*) FROM ledger_lines) || '/' ||
		       (SELECT count(*) FROM ledger_period_balances) || '/' || (SELECT count(*) FROM ledger_period_events) || '/' ||
		       (SELECT string_agg(account_id || '=' || balance, ',' ORDER BY account_id) FROM ledger_balances) || '/' ||
		       COALESCE((SELECT string_agg(book_id || ':' || month || ':' || (closed_at IS NOT NULL), ',' ORDER BY book_id, month) FROM ledger_periods), '')`)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPostWritesEntryLinesAndBalances(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.post(t, f.vendor.ID, "2025-03-01", "k1", move(f.cash, f.sales, "150.25")...)
	if len(e.Lines) != 2 || !e.Lines[0].BalanceAfter.Equal(amt("150.25")) || !e.Lines[1].BalanceAfter.Equal(amt("-150.25")) {
		t.Fatalf("lines = %+v", e.Lines)
	}
	e2, err := f.s.Post(ctx, Posting{Book: f.vendor.ID, BusinessDate: day("2025-03-02"), Lines: []Line{
		{Code: "5000", Amount: dec("40.10")}, {Code: "1000", Amount: dec("-40.10")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.balance(t, f.cash); !got.Equal(dec("110.15")) {
		t.Errorf("cash = %s", got)
	}
	read, err := f.s.Entry(ctx, e2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(read.Lines) != 2 || read.Lines[1].AccountID != f.cash.ID || !read.Lines[1].BalanceAfter.Equal(amt("110.15")) {
		t.Errorf("read back %+v", read.Lines)
	}
	if _, err := f.s.Entry(ctx, 999999); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing entry: %v", err)
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := Posting{Book: f.vendor.ID, BusinessDate: day("2025-03-01"), Memo: "sale", IdempotencyKey: "abc",
		Lines: move(f.cash, f.sales, "99.00")}
	first, err := f.s.Post(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	before := f.state(t)
	again, err := f.s.Post(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || !again.Replayed || len(again.Lines) != 2 {
		t.Errorf("replay = %+v, want entry %d replayed", again, first.ID)
	}
	if after := f.state(t); after != before {
		t.Errorf("replay wrote: %s -> %s", before, after)
	}
	p.Lines = move(f.cash, f.sales, "99.01")
	if _, err := f.s.Post(ctx, p); !errors.Is(err, ErrIdempotencyConflict) {
		t.Errorf("changed request: %v", err)
	}
	if after := f.state(t); after != before {
		t.Errorf("conflict wrote: %s -> %s", before, after)
	}
	// The key is per book: the same key in another book is a new request.
	if _, err := f.s.Post(ctx, Posting{Book: f.programme.ID, BusinessDate: day("2025-03-01"), IdempotencyKey: "abc",
		Lines: move(f.fund, f.equity, "5")}); err != nil {
		t.Errorf("same key, other book: %v", err)
	}
}

func TestConcurrentReplaysWriteOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := Posting{Book: f.vendor.ID, BusinessDate: day("2025-03-01"), IdempotencyKey: "race", Lines: move(f.cash, f.sales, "1")}
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	errs := make([]error, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := f.s.Post(ctx, p)
			ids[i], errs[i] = e.ID, err
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Errorf("poster %d: entry %d, %v; want %d", i, ids[i], errs[i], ids[0])
		}
	}
	if got := f.balance(t, f.cash); !got.Equal(dec("1")) {
		t.Errorf("cash = %s, want 1", got)
	}
}

func TestRefusedPostingsWriteNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.programme.ID, "2025-03-01", "", move(f.fund, f.equity, "100")...)
	before := f.state(t)
	tests := []struct {
		name string
		p    Posting
		err  error
	}{
		{"three decimals", Posting{Lines: move(f.cash, f.sales, "1.001")}, ErrInvalidAmount},
		{"unbalanced", Posting{Lines: []Line{{Account: f.cash.ID, Amount: dec("5")}, {Account: f.sales.ID, Amount: dec("-4")}}}, ErrUnbalanced},
		{"zero", Posting{Lines: []Line{{Account: f.cash.ID, Amount: dec("0")}, {Account: f.sales.ID, Amount: dec("0")}}}, ErrInvalidAmount},
		{"wrong book", Posting{Lines: move(f.cash, f.fund, "1")}, ErrWrongBook},
		{"unknown account", Posting{Lines: []Line{{Account: f.cash.ID, Amount: dec("1")}, {Account: 987654, Amount: dec("-1")}}}, ErrNotFound},
		{"unknown code", Posting{Lines: []Line{{Account: f.cash.ID, Amount: dec("1")}, {Code: "nope", Amount: dec("-1")}}}, ErrNotFound},
		{"too large", Posting{Lines: move(f.cash, f.sales, "10000000000000000")}, ErrInvalidAmount},
	}
	for _, tt := range tests {
		tt.p.Book, tt.p.BusinessDate, tt.p.IdempotencyKey = f.vendor.ID, day("2025-03-02"), "key-"+tt.name
		if _, err := f.s.Post(ctx, tt.p); !errors.Is(err, tt.err) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.err)
		}
	}
	// A refused request leaves its key free: the corrected retry is judged afresh.
	if _, err := f.s.Post(ctx, Posting{Book: f.vendor.ID, BusinessDate: day("2025-03-02"), IdempotencyKey: "key-unbalanced",
		Lines: move(f.cash, f.sales, "5")}); err != nil {
		t.Errorf("retry after refusal: %v", err)
	}
	f2 := f.state(t)
	if f2 == before {
		t.Error("retry wrote nothing")
	}
	_ = before
}

func TestReverseOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.post(t, f.vendor.ID, "2025-03-01", "", move(f.cash, f.sales, "80")...)
	r, err := f.s.Reverse(ctx, Reversal{Entry: e.ID, BusinessDate: day("2025-03-03"), Memo: "typo", IdempotencyKey: "void-1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Reverses == nil || *r.Reverses != e.ID || !r.Lines[0].Amount.Equal(amt("-80")) {
		t.Errorf("reversal = %+v", r)
	}
	if got := f.balance(t, f.cash); !got.IsZero() {
		t.Errorf("cash after reversal = %s", got)
	}
	before := f.state(t)
	replay, err := f.s.Reverse(ctx, Reversal{Entry: e.ID, BusinessDate: day("2025-03-03"), Memo: "typo", IdempotencyKey: "void-1"})
	if err != nil || replay.ID != r.ID {
		t.Errorf("replayed reversal = %d, %v; want %d", replay.ID, err, r.ID)
	}
	if _, err := f.s.Reverse(ctx, Reversal{Entry: e.ID, BusinessDate: day("2025-03-03"), Memo: "again"}); !errors.Is(err, ErrAlreadyReversed) {
		t.Errorf("second reversal: %v", err)
	}
	if _, err := f.s.Reverse(ctx, Reversal{Entry: e.ID, BusinessDate: day("2025-03-03"), Memo: "other", IdempotencyKey: "void-1"}); !errors.Is(err, ErrIdempotencyConflict) {
		t.Errorf("reversal with reused key: %v", err)
	}
	if after := f.state(t); after != before {
		t.Errorf("refused reversals wrote: %s -> %s", before, after)
	}
	if _, err := f.s.Reverse(ctx, Reversal{Entry: 424242}); !errors.Is(err, ErrNotFound) {
		t.Errorf("reverse missing: %v", err)
	}
}

func TestFloors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.programme.ID, "2025-03-01", "", move(f.fund, f.equity, "1000")...)
	f.post(t, f.programme.ID, "2025-03-02", "", move(f.grants, f.fund, "600")...)
	before := f.state(t)
	_, err := f.s.Post(ctx, Posting{Book: f.programme.ID, BusinessDate: day("2025-03-03"), Lines: move(f.grants, f.fund, "400.01")})
	var ife *InsufficientFundsError
	if !errors.Is(err, ErrInsufficientFunds) || !errors.As(err, &ife) {
		t.Fatalf("breach: %v", err)
	}
	if ife.Account != f.fund.ID || !ife.Balance.Equal(amt("400")) || !ife.Shortfall.Equal(amt("0.01")) {
		t.Errorf("error = %+v", ife)
	}
	if after := f.state(t); after != before {
		t.Errorf("refused posting wrote: %s -> %s", before, after)
	}
	f.post(t, f.programme.ID, "2025-03-03", "", move(f.grants, f.fund, "400")...)
	// A vendor's cash has no floor: incomplete records must still go in.
	f.post(t, f.vendor.ID, "2025-03-03", "", move(f.expenses, f.cash, "75")...)
	if got := f.balance(t, f.cash); !got.Equal(dec("-75")) {
		t.Errorf("vendor cash = %s", got)
	}
	// The database holds the floor too.
	_, err = f.db.ExecContext(ctx, `UPDATE ledger_balances SET balance = -1 WHERE account_id = $1`, f.fund.ID)
	if err == nil || !strings.Contains(err.Error(), "ledger_balances_floor_check") {
		t.Errorf("raw breach: %v", err)
	}
}

func TestPeriods(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.vendor.ID, "2025-01-15", "", move(f.cash, f.sales, "100")...)
	f.post(t, f.vendor.ID, "2025-02-03", "", move(f.cash, f.sales, "50")...)
	f.post(t, f.vendor.ID, "2025-02-20", "", move(f.expenses, f.cash, "30")...)
	f.post(t, f.vendor.ID, "2025-03-01", "", move(f.cash, f.sales, "7")...)
	open, err := f.s.Statement(ctx, f.cash.ID, day("2025-02-01"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.s.ClosePeriod(ctx, by(7), f.vendor.ID, day("2025-02-10"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if p.ClosedAt == nil || p.Month.Format("2006-01-02") != "2025-02-01" {
		t.Errorf("period = %+v", p)
	}
	var snap struct {
		Opening, Debits, Credits, Closing decimal.Decimal
	}
	if err := f.db.GetContext(ctx, &snap, `SELECT opening, debits, credits, closing FROM ledger_period_balances
		WHERE account_id = $1 AND month = '2025-02-01'`, f.cash.ID); err != nil {
		t.Fatal(err)
	}
	if !snap.Opening.Equal(dec("100")) || !snap.Debits.Equal(dec("50")) || !snap.Credits.Equal(dec("30")) || !snap.Closing.Equal(dec("120")) {
		t.Errorf("snapshot = %+v", snap)
	}
	closed, err := f.s.Statement(ctx, f.cash.ID, day("2025-02-01"))
	if err != nil {
		t.Fatal(err)
	}
	if !closed.Closed || fmt.Sprint(closed.Opening, closed.Closing, len(closed.Lines)) != fmt.Sprint(open.Opening, open.Closing, len(open.Lines)) {
		t.Errorf("closed statement %+v differs from open one %+v", closed, open)
	}
	before := f.state(t)
	for _, d := range []string{"2025-02-28", "2025-01-02"} {
		if _, err := f.s.Post(ctx, Posting{Book: f.vendor.ID, BusinessDate: day(d), Lines: move(f.cash, f.sales, "1")}); !errors.Is(err, ErrClosedPeriod) {
			t.Errorf("post on %s: %v", d, err)
		}
	}
	if _, err := f.s.ClosePeriod(ctx, by(7), f.vendor.ID, day("2025-02-01"), time.Now()); !errors.Is(err, ErrClosedPeriod) {
		t.Errorf("close twice: %v", err)
	}
	if after := f.state(t); after != before {
		t.Errorf("refused requests wrote: %s -> %s", before, after)
	}
	// The programme book's February is still open.
	f.post(t, f.programme.ID, "2025-02-10", "", move(f.fund, f.equity, "1")...)
	// Opening of March starts from February's snapshot.
	mar, err := f.s.Statement(ctx, f.cash.ID, day("2025-03-01"))
	if err != nil || !mar.Opening.Equal(amt("120")) || !mar.Closing.Equal(amt("127")) {
		t.Errorf("march = %+v, %v", mar, err)
	}
	if err := f.s.ReopenPeriod(ctx, by(8), f.vendor.ID, day("2025-02-01"), ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("reopen without reason: %v", err)
	}
	if err := f.s.ReopenPeriod(ctx, by(8), f.vendor.ID, day("2025-02-01"), "missed receipt"); err != nil {
		t.Fatal(err)
	}
	f.post(t, f.vendor.ID, "2025-02-28", "", move(f.cash, f.sales, "1")...)
	evs, err := f.s.PeriodEvents(ctx, f.vendor.ID)
	if err != nil || len(evs) != 2 || evs[1].Action != "reopen" || evs[1].Reason != "missed receipt" || evs[1].By == nil || *evs[1].By != 8 {
		t.Errorf("events = %+v, %v", evs, err)
	}
	if err := f.s.ReopenPeriod(ctx, by(8), f.vendor.ID, day("2025-02-01"), "again"); !errors.Is(err, ErrNotFound) {
		t.Errorf("reopen an open month: %v", err)
	}
	// CloseMonth closes every book, once; MonthCloses tells how far each
	// month's close has gone, before and after.
	closes := func(want ...int) {
		t.Helper()
		got, err := f.s.MonthCloses(ctx, []time.Time{day("2025-03-01"), day("2025-02-15")})
		if err != nil || len(got) != 2 || !got[1].Month.Equal(day("2025-02-01")) {
			t.Fatalf("MonthCloses = %+v, %v", got, err)
		}
		for i, m := range got {
			if m.Books != 2 || m.Closed != want[i] || m.Open() != 2-want[i] {
				t.Errorf("MonthCloses[%d] = %+v, want %d of 2 closed", i, m, want[i])
			}
		}
	}
	closes(0, 0)
	n, err := f.s.CloseMonth(ctx, by(1), day("2025-02-01"), time.Now())
	if err != nil || n != 2 {
		t.Errorf("CloseMonth = %d, %v; want 2", n, err)
	}
	if n, err := f.s.CloseMonth(ctx, by(1), day("2025-02-01"), time.Now()); err != nil || n != 0 {
		t.Errorf("CloseMonth again = %d, %v; want 0", n, err)
	}
	closes(0, 2)
	if _, err := f.s.ClosePeriod(ctx, by(1), f.vendor.ID, day("2025-03-01"), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := f.s.ReopenPeriod(ctx, by(8), f.vendor.ID, day("2025-02-01"), "out of order"); !errors.Is(err, ErrClosedPeriod) {
		t.Errorf("reopen below a closed month: %v", err)
	}
	mustVerify(t, f.s)
}

func mustVerify(t testing.TB, s *Store) {
	t.Helper()
	r, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("verify: %v", r.Err())
	}
}

func TestReads(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.vendor.ID, "2025-03-05", "", move(f.cash, f.sales, "100")...)
	f.post(t, f.vendor.ID, "2025-04-02", "", move(f.cash, f.sales, "20.50")...)
	f.post(t, f.vendor.ID, "2025-04-01", "", move(f.expenses, f.cash, "5.25")...) // backdated
	f.post(t, f.vendor.ID, "2025-04-30", "", move(f.cash, f.sales, "1")...)
	f.post(t, f.vendor.ID, "2025-05-01", "", move(f.cash, f.sales, "1000")...)
	for _, tt := range []struct{ day, want string }{
		{"2025-03-04", "0"}, {"2025-03-05", "100"}, {"2025-04-01", "94.75"}, {"2025-04-30", "116.25"}, {"2025-05-01", "1116.25"},
	} {
		got, err := f.s.BalanceAt(ctx, f.cash.ID, day(tt.day))
		if err != nil || !got.Equal(amt(tt.want)) {
			t.Errorf("BalanceAt(%s) = %s, %v; want %s", tt.day, got, err, tt.want)
		}
	}
	st, err := f.s.Statement(ctx, f.cash.ID, day("2025-04-15"))
	if err != nil {
		t.Fatal(err)
	}
	var running []string
	for _, l := range st.Lines {
		running = append(running, l.Running.String())
	}
	if got := strings.Join(running, " "); got != "94.75 115.25 116.25" || !st.Opening.Equal(amt("100")) ||
		!st.Closing.Equal(amt("116.25")) || !st.Debits.Equal(amt("21.5")) || !st.Credits.Equal(amt("5.25")) {
		t.Errorf("statement: opening %s, running %s, closing %s, debits %s, credits %s", st.Opening, got, st.Closing, st.Debits, st.Credits)
	}
	tb, err := f.s.TrialBalance(ctx, f.vendor.ID, day("2025-04-30"))
	if err != nil || !tb.Total.IsZero() || len(tb.Rows) != 3 || !tb.Rows[0].Balance.Equal(amt("116.25")) {
		t.Errorf("trial balance = %+v, %v", tb, err)
	}
	if _, err := f.s.Balance(ctx, 123456); !errors.Is(err, ErrNotFound) {
		t.Errorf("balance of missing account: %v", err)
	}
}

// TestStatementUsesIndex loads a long history and checks that the month's
// lines come from an index range scan.
func TestStatementUsesIndex(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var ps []Posting
	start := day("2023-01-01")
	for i := 0; i < 20000; i++ {
		ps = append(ps, Posting{Book: f.vendor.ID, BusinessDate: start.AddDate(0, 0, i/20), Lines: move(f.cash, f.sales, "1.25")})
	}
	if _, err := f.s.Bulk(ctx, ps); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ExecContext(ctx, `VACUUM ANALYZE ledger_lines`); err != nil {
		t.Fatal(err)
	}
	var plan []string
	if err := f.db.SelectContext(ctx, &plan, `EXPLAIN `+statementLinesSQL, f.cash.ID, "2024-02-01", "2024-03-01"); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "Index Only Scan using ledger_lines_account_date_idx") && !strings.Contains(text, "Index Scan using ledger_lines_account_date_idx") ||
		strings.Contains(text, "Seq Scan") || strings.Contains(text, "Sort") {
		t.Errorf("plan has no index range scan:\n%s", text)
	}
	st, err := f.s.Statement(ctx, f.cash.ID, day("2024-02-01"))
	if err != nil || len(st.Lines) != 29*20 || !st.Closing.Sub(st.Opening).Equal(amt("725")) {
		t.Errorf("statement: %d lines, %v", len(st.Lines), err)
	}
	mustVerify(t, f.s)
}

func TestConcurrentPostings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var accts []Account
	for i := 0; i < 5; i++ {
		a, err := f.s.CreateAccount(ctx, Account{BookID: f.vendor.ID, Code: fmt.Sprintf("9%03d", i), Type: Asset})
		if err != nil {
			t.Fatal(err)
		}
		accts = append(accts, a)
	}
	const workers, each = 8, 500
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				// Each posting moves w+1 baht from one shared account to another, in both
				// directions across workers so that lock orders would cross.
				from, to := accts[(w+i)%5], accts[(w+i+1+i%3)%5]
				if i%2 == 1 {
					from, to = to, from
				}
				_, err := f.s.Post(ctx, Posting{Book: f.vendor.ID, BusinessDate: day("2025-03-01"),
					IdempotencyKey: fmt.Sprintf("w%d-%d", w, i),
					Lines: []Line{{Account: to.ID, Amount: decimal.NewFromInt(int64(w + 1))}, {Account: from.ID, Amount: decimal.NewFromInt(int64(-w - 1))},
						{Account: f.cash.ID, Amount: dec("0.01")}, {Account: f.sales.ID, Amount: dec("-0.01")}}})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("posting: %v", err)
	}
	// Expected balances, computed the same way without the database.
	want := make([]decimal.Decimal, 5)
	for w := 0; w < workers; w++ {
		for i := 0; i < each; i++ {
			from, to := (w+i)%5, (w+i+1+i%3)%5
			if i%2 == 1 {
				from, to = to, from
			}
			want[to] = want[to].Add(decimal.NewFromInt(int64(w + 1)))
			want[from] = want[from].Sub(decimal.NewFromInt(int64(w + 1)))
		}
	}
	for i, a := range accts {
		if got := f.balance(t, a); !got.Equal(want[i]) {
			t.Errorf("account %d = %s, want %s", i, got, want[i])
		}
	}
	if got := f.balance(t, f.cash); !got.Equal(dec("40")) {
		t.Errorf("cash = %s, want 40.00", got)
	}
	mustVerify(t, f.s)
}

func TestDatabaseRefusesRawSQL(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.post(t, f.vendor.ID, "2025-01-10", "", move(f.cash, f.sales, "10")...)
	if _, err := f.s.ClosePeriod(ctx, by(0), f.vendor.ID, day("2025-01-01"), time.Now()); err != nil {
		t.Fatal(err)
	}
	hash := `'\x` + strings.Repeat("00", 32) + `'`
	tests := []struct {
		name, sql, want string
	}{
		{"update line", `UPDATE ledger_lines SET amount = 11 WHERE entry_id = ` + fmt.Sprint(e.ID), "append-only"},
		{"update entry", `UPDATE ledger_entries SET memo = 'x' WHERE id = ` + fmt.Sprint(e.ID), "append-only"},
		{"delete line", `DELETE FROM ledger_lines WHERE entry_id = ` + fmt.Sprint(e.ID), "append-only"},
		{"delete entry", `DELETE FROM ledger_entries WHERE id = ` + fmt.Sprint(e.ID), "append-only"},
		{"truncate", `TRUNCATE ledger_lines, ledger_entries CASCADE`, "append-only"},
		{"unbalanced entry", fmt.Sprintf(`WITH e AS (INSERT INTO ledger_entries (book_id, business_date, request_hash) VALUES (%d, '2025-03-01', %s) RETURNING id)
			INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after)
			SELECT id, %d, '2025-03-01'::date, 5, 0 FROM e UNION ALL SELECT id, %d, '2025-03-01', -4, 0 FROM e`, f.vendor.ID, hash, f.cash.ID, f.sales.ID), "unbalanced"},
		{"entry without lines", fmt.Sprintf(`INSERT INTO ledger_entries (book_id, business_date, request_hash) VALUES (%d, '2025-03-01', %s)`, f.vendor.ID, hash), "unbalanced"},
		{"line added to a committed entry", fmt.Sprintf(`INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after) VALUES (%d, %d, '2025-01-10', 1, 0)`, e.ID, f.cash.ID), "committed"},
		{"line in another book", fmt.Sprintf(`WITH e AS (INSERT INTO ledger_entries (book_id, business_date, request_hash) VALUES (%d, '2025-03-01', %s) RETURNING id)
			INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after)
			SELECT id, %d, '2025-03-01'::date, 5, 0 FROM e UNION ALL SELECT id, %d, '2025-03-01', -5, 0 FROM e`, f.vendor.ID, hash, f.cash.ID, f.fund.ID), "not in book"},
		{"closed period", fmt.Sprintf(`WITH e AS (INSERT INTO ledger_entries (book_id, business_date, request_hash) VALUES (%d, '2025-01-20', %s) RETURNING id)
			INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after)
			SELECT id, %d, '2025-01-20'::date, 5, 0 FROM e UNION ALL SELECT id, %d, '2025-01-20', -5, 0 FROM e`, f.vendor.ID, hash, f.cash.ID, f.sales.ID), "closed period"},
		{"three decimals", fmt.Sprintf(`WITH e AS (INSERT INTO ledger_entries (book_id, business_date, request_hash) VALUES (%d, '2025-03-01', %s) RETURNING id)
			INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after)
			SELECT id, %d, '2025-03-01'::date, 0.001, 0 FROM e UNION ALL SELECT id, %d, '2025-03-01', -0.001, 0 FROM e`, f.vendor.ID, hash, f.cash.ID, f.sales.ID), "ledger_lines_amount_check"},
		{"forged transaction", fmt.Sprintf(`WITH e AS (INSERT INTO ledger_entries (book_id, business_date, request_hash, txid) VALUES (%d, '2025-03-01', %s, '1') RETURNING id)
			INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after)
			SELECT id, %d, '2025-03-01'::date, 5, 0 FROM e UNION ALL SELECT id, %d, '2025-03-01', -5, 0 FROM e`, f.vendor.ID, hash, f.cash.ID, f.sales.ID), "another transaction"},
		{"line dated unlike its entry", fmt.Sprintf(`WITH e AS (INSERT INTO ledger_entries (book_id, business_date, request_hash) VALUES (%d, '2025-03-01', %s) RETURNING id)
			INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after)
			SELECT id, %d, '2025-03-01'::date, 5, 0 FROM e UNION ALL SELECT id, %d, '2025-03-02', -5, 0 FROM e`, f.vendor.ID, hash, f.cash.ID, f.sales.ID), "but entry"},
		{"entry naming no book", fmt.Sprintf(`WITH e AS (INSERT INTO ledger_entries (book_id, business_date, request_hash) VALUES (987654, '2025-03-01', %s) RETURNING id)
			INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after)
			SELECT id, %d, '2025-03-01'::date, 5, 0 FROM e UNION ALL SELECT id, %d, '2025-03-01', -5, 0 FROM e`, hash, f.cash.ID, f.sales.ID), "not in book 987654"},
		{"reversal of no entry", fmt.Sprintf(`WITH e AS (INSERT INTO ledger_entries (book_id, business_date, request_hash, reverses_entry_id) VALUES (%d, '2025-03-01', %s, 987654) RETURNING id)
			INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after)
			SELECT id, %d, '2025-03-01'::date, 5, 0 FROM e UNION ALL SELECT id, %d, '2025-03-01', -5, 0 FROM e`, f.vendor.ID, hash, f.cash.ID, f.sales.ID), "reverses entry 987654 that does not exist"},
		{"entry alone in a closed period", fmt.Sprintf(`INSERT INTO ledger_entries (book_id, business_date, request_hash) VALUES (%d, '2025-01-20', %s)`, f.vendor.ID, hash), "unbalanced"},
		{"line naming no entry", fmt.Sprintf(`INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after) VALUES (987654, %d, '2025-03-01', 1, 0)`, f.cash.ID), "does not exist"},
		{"reversed twice", fmt.Sprintf(`INSERT INTO ledger_entries (book_id, business_date, request_hash, reverses_entry_id) VALUES (%[1]d, '2025-03-01', %[2]s, %[3]d), (%[1]d, '2025-03-01', %[2]s, %[3]d)`, f.vendor.ID, hash, e.ID), "ledger_entries_reverses_key"},
	}
	for _, tt := range tests {
		_, err := f.db.ExecContext(ctx, tt.sql)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error about %q", tt.name, err, tt.want)
		}
	}
	mustVerify(t, f.s)
}

func TestVerifyFindsCorruption(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.vendor.ID, "2025-01-10", "", move(f.cash, f.sales, "10")...)
	f.post(t, f.vendor.ID, "2025-02-10", "", move(f.cash, f.sales, "5")...)
	if _, err := f.s.ClosePeriod(ctx, by(0), f.vendor.ID, day("2025-01-01"), time.Now()); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, f.s)
	// A superuser with triggers off can still write anything; verify sees it.
	conn, err := f.db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		`SET session_replication_role = replica`,
		fmt.Sprintf(`UPDATE ledger_balances SET balance = balance + 1 WHERE account_id = %d`, f.cash.ID),
		fmt.Sprintf(`UPDATE ledger_lines SET amount = -5.01 WHERE account_id = %d AND business_date = '2025-02-10'`, f.sales.ID),
		fmt.Sprintf(`UPDATE ledger_period_balances SET debits = 11, closing = 11 WHERE account_id = %d`, f.cash.ID),
		`RESET session_replication_role`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	r, err := f.s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range r.Mismatches {
		kinds[m.Kind]++
	}
	if kinds["balance"] != 2 || kinds["balance_after"] != 1 || kinds["entry"] != 1 || kinds["snapshot"] != 1 {
		t.Errorf("mismatches = %v\n%v", kinds, r.Err())
	}
	if r.Err() == nil || !strings.Contains(r.Err().Error(), fmt.Sprintf("balance %d: recomputed 15.00, stored 16.00", f.cash.ID)) {
		t.Errorf("report = %v", r.Err())
	}
	if r.Entries != 2 || r.Lines != 4 || r.Books != 2 {
		t.Errorf("summary = %s", r.Summary())
	}
}

func TestBulk(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.vendor.ID, "2025-01-01", "", move(f.cash, f.sales, "1")...)
	var ps []Posting
	for i := 0; i < 3000; i++ {
		ps = append(ps, Posting{Book: f.vendor.ID, BusinessDate: day("2025-02-01").AddDate(0, 0, i%28), IdempotencyKey: fmt.Sprint("b", i),
			Lines: []Line{{Account: f.cash.ID, Amount: dec("2.50")}, {Code: "4000", Amount: dec("-2")}, {Account: f.expenses.ID, Amount: dec("-0.5")}}})
		ps = append(ps, Posting{Book: f.programme.ID, BusinessDate: day("2025-02-01"), Lines: move(f.fund, f.equity, "3")})
	}
	r, err := f.s.Bulk(ctx, ps)
	if err != nil || r.Entries != 6000 || r.Lines != 15000 {
		t.Fatalf("bulk = %+v, %v", r, err)
	}
	if got := f.balance(t, f.cash); !got.Equal(dec("7501")) {
		t.Errorf("cash = %s", got)
	}
	mustVerify(t, f.s)
	before := f.state(t)
	bad := []Posting{{Book: f.programme.ID, BusinessDate: day("2025-02-02"), Lines: move(f.fund, f.equity, "1")},
		{Book: f.programme.ID, BusinessDate: day("2025-02-02"), Lines: move(f.grants, f.fund, "9002")}}
	if _, err := f.s.Bulk(ctx, bad); !errors.Is(err, ErrInsufficientFunds) {
		t.Errorf("bulk floor breach: %v", err)
	}
	if _, err := f.s.Bulk(ctx, ps[:1]); !errors.Is(err, ErrIdempotencyConflict) {
		t.Errorf("bulk reused key: %v", err)
	}
	if after := f.state(t); after != before {
		t.Errorf("refused bulk wrote: %s -> %s", before, after)
	}
	// The database refuses a closed month on the COPY path too.
	if _, err := f.s.ClosePeriod(ctx, by(0), f.programme.ID, day("2025-01-01"), time.Now()); err != nil {
		t.Fatal(err)
	}
	before = f.state(t)
	late := []Posting{{Book: f.vendor.ID, BusinessDate: day("2025-02-03"), Lines: move(f.cash, f.sales, "1")},
		{Book: f.programme.ID, BusinessDate: day("2025-01-31"), Lines: move(f.fund, f.equity, "1")}}
	if _, err := f.s.Bulk(ctx, late); !errors.Is(err, ErrClosedPeriod) {
		t.Errorf("bulk into a closed month: %v", err)
	}
	if after := f.state(t); after != before {
		t.Errorf("refused bulk wrote: %s -> %s", before, after)
	}
}

func TestCreateBookAndAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.s.CreateBook(ctx, "shop", "", "x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad kind: %v", err)
	}
	if _, err := f.s.CreateAccount(ctx, Account{BookID: 99999, Code: "1", Type: Asset}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing book: %v", err)
	}
	a, err := f.s.EnsureAccount(ctx, Account{BookID: f.vendor.ID, Code: "1000", Type: Asset})
	if err != nil || a.ID != f.cash.ID {
		t.Errorf("ensure existing = %+v, %v", a, err)
	}
	b, err := f.s.BookByOwner(ctx, Vendor, "HSF-0001")
	if err != nil || b.ID != f.vendor.ID {
		t.Errorf("book by owner = %+v, %v", b, err)
	}
	if _, err := f.s.CreateAccount(ctx, Account{BookID: f.vendor.ID, Code: "x", Type: Asset, Floor: decimal.NewNullDecimal(dec("0.001"))}); !errors.Is(err, ErrInvalidAmount) {
		t.Errorf("floor with 3 decimals: %v", err)
	}
}

// TestGrantAcrossBooks writes one entry in each book in one transaction,
// linked by a reference, as grants do; a failure in the second undoes both.
func TestGrantAcrossBooks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.programme.ID, "2025-03-01", "", move(f.fund, f.equity, "5000")...)
	grant := func(amount string) error {
		return pg.InTx(ctx, f.s.DB(), func(tx *sqlx.Tx) error {
			if _, err := f.s.In(tx).Post(ctx, Posting{Book: f.programme.ID, BusinessDate: day("2025-03-02"), Reference: "grant-1/1",
				Lines: move(f.grants, f.fund, amount)}); err != nil {
				return err
			}
			_, err := f.s.In(tx).Post(ctx, Posting{Book: f.vendor.ID, BusinessDate: day("2025-03-02"), Reference: "grant-1/1",
				Lines: []Line{{Account: f.cash.ID, Amount: dec(amount)}, {Account: f.sales.ID, Amount: dec(amount).Neg()}}})
			return err
		})
	}
	if err := grant("5000"); err != nil {
		t.Fatal(err)
	}
	es, err := f.s.EntriesByReference(ctx, "grant-1/1")
	if err != nil || len(es) != 2 || es[0].BookID == es[1].BookID {
		t.Errorf("linked entries = %+v, %v", es, err)
	}
	if err := grant("0.001"); !errors.Is(err, ErrInvalidAmount) {
		t.Errorf("bad grant: %v", err)
	}
}

// TestTxVariants posts and reverses inside a caller's transaction: a replay
// inside it answers the entry written earlier in the same transaction, and a
// rollback leaves nothing behind.
func TestTxVariants(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.state(t)
	errRollback := errors.New("roll back")
	err := pg.InTx(ctx, f.s.DB(), func(tx *sqlx.Tx) error {
		p := Posting{Book: f.vendor.ID, BusinessDate: day("2025-03-01"), IdempotencyKey: "tx-1", Lines: move(f.cash, f.sales, "12.34")}
		e, err := f.s.In(tx).Post(ctx, p)
		if err != nil {
			return err
		}
		again, err := f.s.In(tx).Post(ctx, p)
		if err != nil || again.ID != e.ID || !again.Replayed {
			t.Errorf("replay in tx = %+v, %v", again, err)
		}
		r, err := f.s.In(tx).Reverse(ctx, Reversal{Entry: e.ID, BusinessDate: day("2025-03-02"), IdempotencyKey: "tx-2"})
		if err != nil {
			return err
		}
		if len(r.Lines) != 2 || !r.Lines[0].BalanceAfter.IsZero() || r.Reverses == nil || *r.Reverses != e.ID {
			t.Errorf("reversal in tx = %+v", r)
		}
		if _, err := f.s.In(tx).Reverse(ctx, Reversal{Entry: e.ID, BusinessDate: day("2025-03-02")}); !errors.Is(err, ErrAlreadyReversed) {
			t.Errorf("second reversal in tx: %v", err)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if after := f.state(t); after != before {
		t.Errorf("rolled back transaction wrote: %s -> %s", before, after)
	}
	mustVerify(t, f.s)
}

// TestClosePeriods: the month-end close of many books at once takes the
// same snapshots as closing each book alone, records each book's close in
// the audit trail, and refuses, writing nothing, a set with a book whose
// month is closed already (CloseMonth then goes book by book).
func TestClosePeriods(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.vendor.ID, "2025-01-15", "", move(f.cash, f.sales, "100")...)
	f.post(t, f.vendor.ID, "2025-02-03", "", move(f.cash, f.sales, "50")...)
	f.post(t, f.vendor.ID, "2025-02-20", "", move(f.expenses, f.cash, "30")...)
	f.post(t, f.programme.ID, "2025-02-10", "", move(f.fund, f.equity, "5")...)
	if _, err := f.s.ClosePeriod(ctx, by(1), f.vendor.ID, day("2025-01-01"), time.Now()); err != nil {
		t.Fatal(err)
	}
	alone, err := f.s.Statement(ctx, f.cash.ID, day("2025-02-01")) // computed from the lines
	if err != nil {
		t.Fatal(err)
	}
	var audited int
	f.db.Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'ledger.close'`)
	books := []int64{f.vendor.ID, f.programme.ID}
	if err := pg.InTx(ctx, f.db, func(tx *sqlx.Tx) error { return closePeriods(ctx, tx, by(2), books, day("2025-02-01")) }); err != nil {
		t.Fatal(err)
	}
	snap, err := f.s.Statement(ctx, f.cash.ID, day("2025-02-01")) // from the snapshot
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Closed || !snap.Opening.Equal(alone.Opening) || !snap.Closing.Equal(alone.Closing) || !snap.Opening.Equal(amt("100")) || !snap.Closing.Equal(amt("120")) {
		t.Errorf("closed together: %+v; computed alone: %+v", snap, alone)
	}
	var now int
	f.db.Get(&now, `SELECT count(*) FROM audit_log WHERE action = 'ledger.close'`)
	if now != audited+2 {
		t.Errorf("audit rows of closes: %d, then %d; want 2 more", audited, now)
	}
	if _, err := f.s.Post(ctx, Posting{Book: f.programme.ID, BusinessDate: day("2025-02-28"), Lines: move(f.fund, f.equity, "1")}); !errors.Is(err, ErrClosedPeriod) {
		t.Errorf("post into the programme's closed February: %v", err)
	}
	before := f.state(t)
	err = pg.InTx(ctx, f.db, func(tx *sqlx.Tx) error { return closePeriods(ctx, tx, by(2), books, day("2025-02-01")) })
	if !errors.Is(err, ErrClosedPeriod) {
		t.Errorf("closing closed books again: %v", err)
	}
	if after := f.state(t); after != before {
		t.Errorf("a refused close wrote: %s -> %s", before, after)
	}
	// CloseMonth skips what is closed and closes the rest.
	f.post(t, f.vendor.ID, "2025-03-05", "", move(f.cash, f.sales, "7")...)
	if n, err := f.s.CloseMonth(ctx, by(1), day("2025-03-01"), time.Now()); err != nil || n != 2 {
		t.Errorf("CloseMonth = %d, %v; want 2", n, err)
	}
	f.post(t, f.vendor.ID, "2025-04-02", "", move(f.expenses, f.cash, "3")...)
	mustVerify(t, f.s)
	// The trial balance starts from the snapshots: on any day it is the sum
	// of every line to that day.
	for _, d := range []string{"2025-01-14", "2025-01-31", "2025-02-15", "2025-02-28", "2025-03-01", "2025-03-31", "2025-04-01", "2025-04-30"} {
		tb, err := f.s.TrialBalance(ctx, f.vendor.ID, day(d))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range tb.Rows {
			var want money.Amount
			if err := f.db.Get(&want, `SELECT COALESCE(sum(amount), 0) FROM ledger_lines WHERE account_id = $1 AND business_date <= $2`, r.Account, d); err != nil {
				t.Fatal(err)
			}
			if !r.Balance.Equal(want) {
				t.Errorf("trial balance on %s: %s holds %s; its lines sum to %s", d, r.Code, r.Balance, want)
			}
		}
	}
}
