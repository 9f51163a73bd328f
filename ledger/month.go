package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"hawker/money"

	"hawker/pg"
)

// AccountMonth is one account's month: what it held at the start, its
// debits and credits (each a positive sum) and what it held at the end.
type AccountMonth struct {
	Account
	Opening money.Amount `db:"opening"`
	Debits  money.Amount `db:"debits"`
	Credits money.Amount `db:"credits"`
	Closing money.Amount `db:"closing"`
}

// BookLine is a line of a book with its account's code and its entry's
// memo, reference and the entry it reverses, if any.
type BookLine struct {
	ID           int64        `db:"id"`
	EntryID      int64        `db:"entry_id"`
	AccountID    int64        `db:"account_id"`
	Code         string       `db:"code"`
	BusinessDate time.Time    `db:"business_date"`
	Amount       money.Amount `db:"amount"`
	Memo         string       `db:"memo"`
	Reference    string       `db:"reference"`
	Reverses     *int64       `db:"reverses_entry_id"`
}

// BookMonth is a book's month as a whole, read in one snapshot: every
// account's opening, debits, credits and closing, and every line dated in
// the month in business-date order. A closed month's account figures are
// its period snapshot, taken when it closed.
type BookMonth struct {
	Book     Book
	Month    time.Time
	Closed   bool
	ClosedAt *time.Time
	Accounts []AccountMonth // by code
	Lines    []BookLine
}

// Account is the month of the account with code, and false if the book has
// none.
func (m BookMonth) Account(code string) (AccountMonth, bool) {
	for _, a := range m.Accounts {
		if a.Code == code {
			return a, true
		}
	}
	return AccountMonth{}, false
}

// bookMonthOpenSQL computes every account's month of a book from the lines:
// the opening starts from the account's latest snapshot before the month
// (exact: nothing is posted into a closed month), as sumBefore does.
const bookMonthOpenSQL = `
	SELECT a.id, a.book_id, a.code, a.type, a.name_th, a.name_en, a.floor,
	       o.opening, m.debits, m.credits, o.opening + m.debits - m.credits AS closing
	FROM ledger_accounts a
	CROSS JOIN LATERAL (
		SELECT COALESCE(s.closing, 0) + COALESCE((
			SELECT sum(l.amount) FROM ledger_lines l
			WHERE l.account_id = a.id AND l.business_date < $2::date
			  AND l.business_date >= COALESCE(s.since, '-infinity'::date)), 0) AS opening
		FROM (SELECT 1) one LEFT JOIN LATERAL (
			SELECT (pb.month + interval '1 month')::date AS since, pb.closing
			FROM ledger_period_balances pb
			WHERE pb.account_id = a.id AND pb.month < $2::date
			ORDER BY pb.month DESC LIMIT 1) s ON true
	) o
	CROSS JOIN LATERAL (
		SELECT COALESCE(sum(l.amount) FILTER (WHERE l.amount > 0), 0) AS debits,
		       COALESCE(-sum(l.amount) FILTER (WHERE l.amount < 0), 0) AS credits
		FROM ledger_lines l
		WHERE l.account_id = a.id AND l.business_date >= $2::date AND l.business_date < $3::date
	) m
	WHERE a.book_id = $1
	ORDER BY a.code`

// booksMonthOpenSQL is bookMonthOpenSQL for the books in the array $1.
var booksMonthOpenSQL = func() string {
	q := strings.Replace(bookMonthOpenSQL, "WHERE a.book_id = $1", "WHERE a.book_id = ANY($1)", 1)
	if q == bookMonthOpenSQL {
		panic("ledger: bookMonthOpenSQL lost its book condition")
	}
	return q
}()

// bookMonthClosedSQL reads a closed month's snapshot: from the book's
// accounts to each one's snapshot row by its key (account, month), as the
// snapshots have no index by book (by book it is a scan of every book's).
const bookMonthClosedSQL = `
	SELECT a.id, a.book_id, a.code, a.type, a.name_th, a.name_en, a.floor,
	       pb.opening, pb.debits, pb.credits, pb.closing
	FROM ledger_accounts a JOIN ledger_period_balances pb ON pb.account_id = a.id AND pb.month = $2::date
	WHERE a.book_id = $1
	ORDER BY a.code`

const bookLinesSQL = `
	SELECT l.id, l.entry_id, l.account_id, a.code, l.business_date, l.amount,
	       e.memo, e.reference, e.reverses_entry_id
	FROM ledger_accounts a
	JOIN ledger_lines l ON l.account_id = a.id
	JOIN ledger_entries e ON e.id = l.entry_id
	WHERE a.book_id = $1 AND l.business_date >= $2::date AND l.business_date < $3::date
	ORDER BY l.business_date, l.entry_id, l.id`

// BookMonth reads a book's month holding month.
func (s *Store) BookMonth(ctx context.Context, book int64, month time.Time) (BookMonth, error) {
	month = MonthOf(month)
	wrap := func(err error) error {
		return fmt.Errorf("ledger: month %s of book %d: %w", month.Format("2006-01"), book, err)
	}
	bm := BookMonth{Month: month, Accounts: []AccountMonth{}, Lines: []BookLine{}}
	err := pg.InTx(ctx, s.q, func(tx *sqlx.Tx) error {
		if !pg.InCallerTx(s.q) {
			if _, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`); err != nil {
				return err
			}
		}
		if err := tx.GetContext(ctx, &bm.Book, `SELECT id, kind, owner_ref, name, created_at FROM ledger_books WHERE id = $1`, book); err != nil {
			return pg.NotFound(err, ErrNotFound)
		}
		var closed []*time.Time
		if err := tx.SelectContext(ctx, &closed, `
			SELECT closed_at FROM ledger_periods WHERE book_id = $1 AND month = $2::date AND closed_at IS NOT NULL`,
			book, dateString(month)); err != nil {
			return err
		}
		from, to := dateString(month), dateString(month.AddDate(0, 1, 0))
		bm.Accounts = bm.Accounts[:0]
		if len(closed) == 1 {
			bm.Closed, bm.ClosedAt = true, closed[0]
			if err := tx.SelectContext(ctx, &bm.Accounts, bookMonthClosedSQL, book, from); err != nil {
				return err
			}
		} else if err := tx.SelectContext(ctx, &bm.Accounts, bookMonthOpenSQL, book, from, to); err != nil {
			return err
		}
		bm.Lines = bm.Lines[:0]
		return tx.SelectContext(ctx, &bm.Lines, bookLinesSQL, book, from, to)
	})
	if err != nil {
		return BookMonth{}, wrap(err)
	}
	return bm, nil
}

// LinesThrough lists an account's lines dated on or before day, oldest
// first: what an asset account such as equipment was made of.
func (s *Store) LinesThrough(ctx context.Context, account int64, day time.Time) ([]BookLine, error) {
	ls := []BookLine{}
	err := s.q.SelectContext(ctx, &ls, `
		SELECT l.id, l.entry_id, l.account_id, a.code, l.business_date, l.amount,
		       e.memo, e.reference, e.reverses_entry_id
		FROM ledger_lines l
		JOIN ledger_accounts a ON a.id = l.account_id
		JOIN ledger_entries e ON e.id = l.entry_id
		WHERE l.account_id = $1 AND l.business_date <= $2::date
		ORDER BY l.business_date, l.entry_id, l.id`, account, dateString(Day(day)))
	if err != nil {
		return nil, fmt.Errorf("ledger: lines of %d through %s: %w", account, dateString(day), err)
	}
	return ls, nil
}
