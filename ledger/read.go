package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"hawker/money"

	"hawker/pg"
)

// Balance is an account's balance now (debit positive).
func (s *Store) Balance(ctx context.Context, account int64) (money.Amount, error) {
	var b money.Amount
	err := s.q.GetContext(ctx, &b, `SELECT balance FROM ledger_balances WHERE account_id = $1`, account)
	if err != nil {
		return money.Amount{}, fmt.Errorf("ledger: balance of %d: %w", account, pg.NotFound(err, ErrNotFound))
	}
	return b, nil
}

// BalanceOf is the balance now of the account with code in book; zero when
// the book has no such account (nothing was ever posted to it).
func (s *Store) BalanceOf(ctx context.Context, book int64, code string) (money.Amount, error) {
	bs, err := s.BalancesByCode(ctx, book, []string{code})
	if err != nil {
		return money.Amount{}, err
	}
	if b, ok := bs[code]; ok {
		return b, nil
	}
	return money.Zero, nil
}

// EntryByKey reads the entry written in book under an idempotency key.
func (s *Store) EntryByKey(ctx context.Context, book int64, key string) (Entry, error) {
	var id int64
	err := s.q.GetContext(ctx, &id, `SELECT id FROM ledger_entries WHERE book_id = $1 AND idempotency_key = $2`, book, key)
	if err == nil {
		var e Entry
		if e, err = s.entry(ctx, id); err == nil {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("ledger: entry of book %d under key %q: %w", book, key, pg.NotFound(err, ErrNotFound))
}

// BalanceAt is an account's balance at the end of a business day: the sum of
// its lines dated on or before it.
func (s *Store) BalanceAt(ctx context.Context, account int64, day time.Time) (money.Amount, error) {
	if _, err := s.Account(ctx, account); err != nil {
		return money.Amount{}, err
	}
	b, err := sumBefore(ctx, s.q, account, Day(day).AddDate(0, 0, 1))
	if err != nil {
		return money.Amount{}, fmt.Errorf("ledger: balance of %d at %s: %w", account, dateString(day), err)
	}
	return b, nil
}

// sumBefore is the sum of an account's lines dated before day. It starts
// from the latest closed month's snapshot that ends before day (nothing can
// be posted on or before a closed month, so the snapshot is exact) and adds
// the lines since, so its cost follows the open months, not the history.
func sumBefore(ctx context.Context, q sqlx.QueryerContext, account int64, day time.Time) (money.Amount, error) {
	var b money.Amount
	err := sqlx.GetContext(ctx, q, &b, `
		WITH snap AS (
			SELECT (month + interval '1 month')::date AS since, closing
			FROM ledger_period_balances
			WHERE account_id = $1 AND month + interval '1 month' <= $2::date
			ORDER BY month DESC LIMIT 1
		)
		SELECT COALESCE((SELECT closing FROM snap), 0) + COALESCE((
			SELECT sum(amount) FROM ledger_lines
			WHERE account_id = $1 AND business_date < $2::date
			  AND business_date >= COALESCE((SELECT since FROM snap), '-infinity'::date)), 0)`,
		account, dateString(day))
	return b, err
}

// StatementLine is a line of an account's statement with the entry's text
// and the running balance in business-date order.
type StatementLine struct {
	EntryLine
	Memo      string       `db:"memo"`
	Reference string       `db:"reference"`
	Running   money.Amount `db:"-"`
}

// Statement is an account's month: opening, lines with running balance,
// closing. Debits are the positive lines, Credits the negative ones as a
// positive sum. A closed month is printed from its snapshot.
type Statement struct {
	Account Account
	Month   time.Time
	Closed  bool
	Opening money.Amount
	Debits  money.Amount
	Credits money.Amount
	Closing money.Amount
	Lines   []StatementLine
}

// statementLinesSQL reads an account's lines of a month; it is a range scan
// of ledger_lines_account_date_idx however long the history.
const statementLinesSQL = `
	SELECT l.id, l.entry_id, l.account_id, l.business_date, l.amount, l.balance_after,
	       (SELECT e.memo FROM ledger_entries e WHERE e.id = l.entry_id) AS memo,
	       (SELECT e.reference FROM ledger_entries e WHERE e.id = l.entry_id) AS reference
	FROM ledger_lines l
	WHERE l.account_id = $1 AND l.business_date >= $2::date AND l.business_date < $3::date
	ORDER BY l.business_date, l.entry_id, l.id`

// Statement reads the lines of an account for the month holding month.
func (s *Store) Statement(ctx context.Context, account int64, month time.Time) (Statement, error) {
	month = MonthOf(month)
	a, err := s.Account(ctx, account)
	if err != nil {
		return Statement{}, err
	}
	st := Statement{Account: a, Month: month, Lines: []StatementLine{}}
	// One read-only snapshot, so the opening and the lines agree (a
	// caller's transaction keeps its own isolation).
	err = pg.InTx(ctx, s.q, func(tx *sqlx.Tx) error {
		if !pg.InCallerTx(s.q) {
			if _, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`); err != nil {
				return err
			}
		}
		var snap []struct {
			Opening money.Amount `db:"opening"`
			Closing money.Amount `db:"closing"`
		}
		if err := tx.SelectContext(ctx, &snap, `
			SELECT pb.opening, pb.closing FROM ledger_period_balances pb
			JOIN ledger_periods p ON p.book_id = pb.book_id AND p.month = pb.month
			WHERE pb.account_id = $1 AND pb.month = $2::date AND p.closed_at IS NOT NULL`,
			account, dateString(month)); err != nil {
			return err
		}
		if len(snap) == 1 {
			st.Closed, st.Opening = true, snap[0].Opening
		} else {
			st.Opening, err = sumBefore(ctx, tx, account, month)
			if err != nil {
				return err
			}
		}
		st.Lines = st.Lines[:0]
		return tx.SelectContext(ctx, &st.Lines, statementLinesSQL, account, dateString(month), dateString(month.AddDate(0, 1, 0)))
	})
	if err != nil {
		return Statement{}, fmt.Errorf("ledger: statement of %d for %s: %w", account, month.Format("2006-01"), err)
	}
	running := st.Opening
	st.Debits, st.Credits = money.Zero, money.Zero
	for i := range st.Lines {
		amt := st.Lines[i].Amount
		running = running.Add(amt)
		st.Lines[i].Running = running
		if amt.IsPositive() {
			st.Debits = st.Debits.Add(amt)
		} else {
			st.Credits = st.Credits.Sub(amt)
		}
	}
	st.Closing = running
	return st, nil
}

// TrialBalanceRow is one account's balance in a trial balance.
type TrialBalanceRow struct {
	Account int64        `db:"account_id"`
	Code    string       `db:"code"`
	Type    AccountType  `db:"type"`
	NameEN  string       `db:"name_en"`
	NameTH  string       `db:"name_th"`
	Balance money.Amount `db:"balance"`
}

// TrialBalance lists every account of a book with its balance at the end of
// a business day; Total is their sum, zero in a sound ledger.
type TrialBalance struct {
	Book  int64
	Date  time.Time
	Rows  []TrialBalanceRow
	Total money.Amount
}

// TrialBalance reads a book's trial balance at the end of day.
func (s *Store) TrialBalance(ctx context.Context, book int64, day time.Time) (TrialBalance, error) {
	day = Day(day)
	if _, err := s.Book(ctx, book); err != nil {
		return TrialBalance{}, err
	}
	tb := TrialBalance{Book: book, Date: day, Rows: []TrialBalanceRow{}, Total: money.Zero}
	// Each balance is sumBefore's: the latest closed month's snapshot
	// ending before the day, and the lines since, so that the cost follows
	// the open months and not the book's history (summing every line, the
	// programme's trial balance grew with every grant ever made).
	err := s.q.SelectContext(ctx, &tb.Rows, `
		SELECT a.id AS account_id, a.code, a.type, a.name_en, a.name_th,
		       COALESCE(snap.closing, 0) + COALESCE((SELECT sum(l.amount) FROM ledger_lines l
		                 WHERE l.account_id = a.id AND l.business_date <= $2::date
		                   AND l.business_date >= COALESCE(snap.since, '-infinity'::date)), 0) AS balance
		FROM ledger_accounts a
		LEFT JOIN LATERAL (
			SELECT (pb.month + interval '1 month')::date AS since, pb.closing
			FROM ledger_period_balances pb
			WHERE pb.account_id = a.id AND pb.month + interval '1 month' <= $2::date + 1
			ORDER BY pb.month DESC LIMIT 1) snap ON true
		WHERE a.book_id = $1 ORDER BY a.code`, book, dateString(day))
	if err != nil {
		return TrialBalance{}, fmt.Errorf("ledger: trial balance of book %d: %w", book, err)
	}
	for _, r := range tb.Rows {
		tb.Total = tb.Total.Add(r.Balance)
	}
	return tb, nil
}

// Entries reads the entries ids name, with their lines, in two queries (an
// id with no entry is left out); for checks that walk many, such as the
// vendors' agreement with the ledger.
func (s *Store) Entries(ctx context.Context, ids []int64) (map[int64]Entry, error) {
	var es []Entry
	err := s.q.SelectContext(ctx, &es, `
		SELECT id, book_id, business_date, recorded_at, memo, reference, idempotency_key,
		       request_hash, reverses_entry_id, created_by
		FROM ledger_entries WHERE id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("ledger: entries: %w", err)
	}
	var ls []EntryLine
	err = s.q.SelectContext(ctx, &ls, `
		SELECT id, entry_id, account_id, business_date, amount, balance_after
		FROM ledger_lines WHERE entry_id = ANY($1) ORDER BY id`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("ledger: entries' lines: %w", err)
	}
	out := make(map[int64]Entry, len(es))
	for _, e := range es {
		out[e.ID] = e
	}
	for _, l := range ls {
		e := out[l.EntryID]
		e.Lines = append(e.Lines, l)
		out[l.EntryID] = e
	}
	return out, nil
}

// Reversals maps each of ids that has been reversed to its reversal's id.
func (s *Store) Reversals(ctx context.Context, ids []int64) (map[int64]int64, error) {
	var rows []struct {
		Original int64 `db:"reverses_entry_id"`
		Reversal int64 `db:"id"`
	}
	err := s.q.SelectContext(ctx, &rows, `SELECT reverses_entry_id, id FROM ledger_entries WHERE reverses_entry_id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("ledger: reversals: %w", err)
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.Original] = r.Reversal
	}
	return out, nil
}
