package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/audit"
	"hawker/pg"
	"hawker/thai"
)

// Period is a month of a book; ClosedAt is set while it is closed.
type Period struct {
	Book     int64      `db:"book_id"`
	Month    time.Time  `db:"month"`
	ClosedAt *time.Time `db:"closed_at"`
	ClosedBy *int64     `db:"closed_by"`
}

// PeriodEvent is a close or a reopen of a month, with who and why.
type PeriodEvent struct {
	ID     int64     `db:"id"`
	Book   int64     `db:"book_id"`
	Month  time.Time `db:"month"`
	Action string    `db:"action"`
	Reason string    `db:"reason"`
	By     *int64    `db:"done_by"`
	At     time.Time `db:"done_at"`
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// MayClose is the rule of the month-end close: only a month that has ended
// in Bangkok at now may close, since a closed month refuses every entry
// dated in it or before it, and a month still running has entries to come.
// Otherwise it is ErrMonthNotEnded.
func MayClose(month, now time.Time) error {
	if MonthOf(month).AddDate(0, 1, 0).After(thai.Today(now)) {
		return fmt.Errorf("%w: %s", ErrMonthNotEnded, MonthOf(month).Format("2006-01"))
	}
	return nil
}

// ClosePeriod closes a month of a book for a: it snapshots every account's
// opening, debits, credits and closing, and from then on the database
// refuses entries dated in that month or before it. The close is recorded
// in the audit trail in the same transaction. Only an ended month may close
// (MayClose, at now); closing a closed month is ErrClosedPeriod.
func (s *Store) ClosePeriod(ctx context.Context, a audit.Actor, book int64, month, now time.Time) (Period, error) {
	if err := MayClose(month, now); err != nil {
		return Period{}, fmt.Errorf("ledger: close book %d: %w", book, err)
	}
	return pg.Do(ctx, s.q, func(tx *sqlx.Tx) (Period, error) { return closePeriod(ctx, tx, a, book, month) })
}

// closePeriod is ClosePeriod in transaction tx.
func closePeriod(ctx context.Context, tx *sqlx.Tx, a audit.Actor, book int64, month time.Time) (Period, error) {
	by := a.UserID
	month = MonthOf(month)
	wrap := func(err error) error {
		return fmt.Errorf("ledger: close %s of book %d: %w", month.Format("2006-01"), book, err)
	}
	// Lock the book's balance rows in the posting order: postings in flight
	// finish first, and later ones wait and then see the month closed.
	var n int
	if err := tx.GetContext(ctx, &n, `
		SELECT count(*) FROM (
			SELECT b.account_id FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
			WHERE a.book_id = $1 ORDER BY b.account_id FOR UPDATE OF b) locked`, book); err != nil {
		return Period{}, wrap(err)
	}
	var p Period
	err := tx.GetContext(ctx, &p, `
		INSERT INTO ledger_periods (book_id, month, closed_at, closed_by) VALUES ($1, $2::date, now(), $3)
		ON CONFLICT (book_id, month) DO UPDATE SET closed_at = now(), closed_by = $3
			WHERE ledger_periods.closed_at IS NULL
		RETURNING book_id, month, closed_at, closed_by`, book, dateString(month), nullID(by))
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Period{}, wrap(fmt.Errorf("%w: already closed", ErrClosedPeriod))
		}
		if pg.Constraint(err) == "ledger_periods_book_id_fkey" {
			return Period{}, wrap(ErrNotFound)
		}
		return Period{}, wrap(err)
	}
	// The snapshot is the month as BookMonth computes an open one.
	_, err = tx.ExecContext(ctx, `
		INSERT INTO ledger_period_balances (book_id, month, account_id, opening, debits, credits, closing)
		SELECT $1, $2::date, m.id, m.opening, m.debits, m.credits, m.closing
		FROM (`+bookMonthOpenSQL+`) m`, book, dateString(month), dateString(month.AddDate(0, 1, 0)))
	if err != nil {
		return Period{}, wrap(err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO ledger_period_events (book_id, month, action, done_by) VALUES ($1, $2::date, 'close', $3)`,
		book, dateString(month), nullID(by)); err != nil {
		return Period{}, wrap(err)
	}
	if err := audit.RecordDetails(ctx, tx, a, "ledger.close", "book:"+strconv.FormatInt(book, 10), "month "+month.Format("2006-01"),
		audit.Details{"month": month.Format("2006-01")}); err != nil {
		return Period{}, wrap(err)
	}
	return p, nil
}

// ReopenPeriod reopens a closed month of a book for a, recording why in the
// book's period events and in the audit trail, and drops its snapshot. A
// month can be reopened only while no later month of the book is closed
// (ErrClosedPeriod), and only with a reason.
func (s *Store) ReopenPeriod(ctx context.Context, a audit.Actor, book int64, month time.Time, reason string) error {
	month, by := MonthOf(month), a.UserID
	wrap := func(err error) error {
		return fmt.Errorf("ledger: reopen %s of book %d: %w", month.Format("2006-01"), book, err)
	}
	if strings.TrimSpace(reason) == "" {
		return wrap(fmt.Errorf("%w: a reason is required", ErrInvalid))
	}
	return pg.InTx(ctx, s.q, func(tx *sqlx.Tx) error {
		var later bool
		if err := tx.GetContext(ctx, &later, `
			SELECT EXISTS (SELECT 1 FROM ledger_periods
			WHERE book_id = $1 AND month > $2::date AND closed_at IS NOT NULL)`, book, dateString(month)); err != nil {
			return wrap(err)
		}
		if later {
			return wrap(fmt.Errorf("%w: a later month is closed; reopen it first", ErrClosedPeriod))
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE ledger_periods SET closed_at = NULL, closed_by = NULL
			WHERE book_id = $1 AND month = $2::date AND closed_at IS NOT NULL`, book, dateString(month))
		if err != nil {
			return wrap(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return wrap(fmt.Errorf("%w: no closed period", ErrNotFound))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ledger_period_balances WHERE book_id = $1 AND month = $2::date`,
			book, dateString(month)); err != nil {
			return wrap(err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO ledger_period_events (book_id, month, action, reason, done_by)
			VALUES ($1, $2::date, 'reopen', $3, $4)`, book, dateString(month), reason, nullID(by)); err != nil {
			return wrap(err)
		}
		return audit.RecordDetails(ctx, tx, a, "ledger.reopen", "book:"+strconv.FormatInt(book, 10),
			"month "+month.Format("2006-01")+": "+reason, audit.Details{"month": month.Format("2006-01"), "reason": reason})
	})
}

// CloseMonth is the programme's month-end close: it closes month in every
// book that has not closed it yet, each book with its audit row (see
// ClosePeriod), up to closeChunk books a transaction, and returns how many
// it closed.
// Only a month that has ended in Bangkok at now may close (MayClose).
func (s *Store) CloseMonth(ctx context.Context, a audit.Actor, month, now time.Time) (int, error) {
	if err := MayClose(month, now); err != nil {
		return 0, fmt.Errorf("ledger: close: %w", err)
	}
	month = MonthOf(month)
	var books []int64
	if err := s.q.SelectContext(ctx, &books, `
		SELECT id FROM ledger_books b
		WHERE NOT EXISTS (SELECT 1 FROM ledger_periods p
		                  WHERE p.book_id = b.id AND p.month = $1::date AND p.closed_at IS NOT NULL)
		ORDER BY id`, dateString(month)); err != nil {
		return 0, fmt.Errorf("ledger: close %s: %w", month.Format("2006-01"), err)
	}
	return s.closeBooks(ctx, a, books, month)
}

// CloseBooks is CloseMonth for the given books only, those of them that
// have not closed month yet: a loader that writes a group of books month
// after month (the scale seed) closes each month of its group as soon as
// the group's entries of that month are in, beside the other groups.
func (s *Store) CloseBooks(ctx context.Context, a audit.Actor, books []int64, month, now time.Time) (int, error) {
	if err := MayClose(month, now); err != nil {
		return 0, fmt.Errorf("ledger: close: %w", err)
	}
	month = MonthOf(month)
	var open []int64
	if err := s.q.SelectContext(ctx, &open, `
		SELECT b.id FROM unnest($2::bigint[]) AS b(id)
		WHERE NOT EXISTS (SELECT 1 FROM ledger_periods p
		                  WHERE p.book_id = b.id AND p.month = $1::date AND p.closed_at IS NOT NULL)
		ORDER BY b.id`, dateString(month), pq.Array(books)); err != nil {
		return 0, fmt.Errorf("ledger: close %s: %w", month.Format("2006-01"), err)
	}
	return s.closeBooks(ctx, a, open, month)
}

// closeBooks closes month in books, in id order, up to closeChunk books a
// transaction, and returns how many it closed.
func (s *Store) closeBooks(ctx context.Context, a audit.Actor, books []int64, month time.Time) (int, error) {
	closed := 0
	for len(books) > 0 {
		chunk := books[:min(closeChunk, len(books))]
		books = books[len(chunk):]
		// A chunk of books in one transaction and a few statements: closed
		// book by book, planning the snapshot's query alone took 15-20 ms a
		// book on the loaded machine (10,000 books: minutes a month).
		err := pg.InTx(ctx, s.q, func(tx *sqlx.Tx) error { return closePeriods(ctx, tx, a, chunk, month) })
		if err == nil {
			closed += len(chunk)
			continue
		}
		if !errors.Is(err, ErrClosedPeriod) {
			return closed, err
		}
		// A book was closed meanwhile: this chunk book by book.
		for _, b := range chunk {
			err := pg.InTx(ctx, s.q, func(tx *sqlx.Tx) error {
				_, err := closePeriod(ctx, tx, a, b, month)
				return err
			})
			switch {
			case err == nil:
				closed++
			case errors.Is(err, ErrClosedPeriod): // closed meanwhile
			default:
				return closed, err
			}
		}
	}
	return closed, nil
}

// closeChunk is how many books CloseMonth closes in one transaction.
const closeChunk = 200

// MonthClose is how far a month's close has gone: how many books there
// are and how many of them have closed the month.
type MonthClose struct {
	Month  time.Time `db:"month"`
	Books  int       `db:"books"`
	Closed int       `db:"closed"`
}

// Open is how many books still have the month open.
func (m MonthClose) Open() int { return m.Books - m.Closed }

// MonthCloses reports how far the close of each of months has gone, in
// the order given: what the manager reads before CloseMonth.
func (s *Store) MonthCloses(ctx context.Context, months []time.Time) ([]MonthClose, error) {
	days := make([]string, len(months))
	for i, m := range months {
		days[i] = dateString(MonthOf(m))
	}
	out := []MonthClose{}
	err := s.q.SelectContext(ctx, &out, `
		SELECT m.month, (SELECT count(*) FROM ledger_books) AS books,
		       (SELECT count(*) FROM ledger_periods p WHERE p.month = m.month AND p.closed_at IS NOT NULL) AS closed
		FROM unnest($1::date[]) WITH ORDINALITY AS m(month, n) ORDER BY m.n`, pq.Array(days))
	if err != nil {
		return nil, fmt.Errorf("ledger: month closes: %w", err)
	}
	for i := range out {
		out[i].Month = MonthOf(out[i].Month)
	}
	return out, nil
}

// LatestClosed is, for each of books that has a closed month, the latest
// one: nothing may be posted in that book dated in it or before it (see
// Closed). Books without a closed month are absent.
func (s *Store) LatestClosed(ctx context.Context, books []int64) (map[int64]time.Time, error) {
	var rows []struct {
		Book  int64     `db:"book_id"`
		Month time.Time `db:"month"`
	}
	if err := s.q.SelectContext(ctx, &rows, `
		SELECT book_id, max(month) AS month FROM ledger_periods
		WHERE book_id = ANY($1) AND closed_at IS NOT NULL GROUP BY book_id`, pq.Array(books)); err != nil {
		return nil, fmt.Errorf("ledger: closed months: %w", err)
	}
	out := make(map[int64]time.Time, len(rows))
	for _, r := range rows {
		out[r.Book] = MonthOf(r.Month)
	}
	return out, nil
}

// Closed reports whether day lies in a closed period of a book whose latest
// closed month is latest (zero: none closed): in that month or before it.
// It is the rule the database keeps for every line written (the trigger
// ledger_lines_check, constraint ledger_entries_closed_period), for those
// who check a request before writing it; TestClosedPeriodRule holds both to
// one table of cases.
func Closed(day, latest time.Time) bool {
	return !latest.IsZero() && !MonthOf(day).After(MonthOf(latest))
}

// Period reads a month of a book; a month never closed is ErrNotFound.
func (s *Store) Period(ctx context.Context, book int64, month time.Time) (Period, error) {
	var p Period
	err := s.q.GetContext(ctx, &p, `
		SELECT book_id, month, closed_at, closed_by FROM ledger_periods
		WHERE book_id = $1 AND month = $2::date`, book, dateString(MonthOf(month)))
	if err != nil {
		return Period{}, fmt.Errorf("ledger: period %s of book %d: %w", MonthOf(month).Format("2006-01"), book, pg.NotFound(err, ErrNotFound))
	}
	return p, nil
}

// PeriodEvents lists a book's closes and reopens, oldest first.
func (s *Store) PeriodEvents(ctx context.Context, book int64) ([]PeriodEvent, error) {
	es := []PeriodEvent{}
	err := s.q.SelectContext(ctx, &es, `
		SELECT id, book_id, month, action, reason, done_by, done_at
		FROM ledger_period_events WHERE book_id = $1 ORDER BY id`, book)
	if err != nil {
		return nil, fmt.Errorf("ledger: period events of book %d: %w", book, err)
	}
	return es, nil
}

// closePeriods is closePeriod for many books in transaction tx, each
// statement once for all of them: the same locks (balance rows in account
// order), snapshot, events and an audit row per book. A book whose month is
// closed already makes it ErrClosedPeriod.
func closePeriods(ctx context.Context, tx *sqlx.Tx, a audit.Actor, books []int64, month time.Time) error {
	by := a.UserID
	month = MonthOf(month)
	wrap := func(err error) error {
		return fmt.Errorf("ledger: close %s of %d books: %w", month.Format("2006-01"), len(books), err)
	}
	var n int
	if err := tx.GetContext(ctx, &n, `
		SELECT count(*) FROM (
			SELECT b.account_id FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
			WHERE a.book_id = ANY($1) ORDER BY b.account_id FOR UPDATE OF b) locked`, pq.Array(books)); err != nil {
		return wrap(err)
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO ledger_periods (book_id, month, closed_at, closed_by)
		SELECT b, $2::date, now(), $3 FROM unnest($1::bigint[]) b
		ON CONFLICT (book_id, month) DO UPDATE SET closed_at = now(), closed_by = $3
			WHERE ledger_periods.closed_at IS NULL`, pq.Array(books), dateString(month), nullID(by))
	if err != nil {
		if pg.Constraint(err) == "ledger_periods_book_id_fkey" {
			return wrap(ErrNotFound)
		}
		return wrap(err)
	}
	if got, _ := res.RowsAffected(); got != int64(len(books)) {
		return wrap(fmt.Errorf("%w: already closed in %d books", ErrClosedPeriod, int64(len(books))-got))
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO ledger_period_balances (book_id, month, account_id, opening, debits, credits, closing)
		SELECT m.book_id, $2::date, m.id, m.opening, m.debits, m.credits, m.closing
		FROM (`+booksMonthOpenSQL+`) m`, pq.Array(books), dateString(month), dateString(month.AddDate(0, 1, 0))); err != nil {
		return wrap(err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO ledger_period_events (book_id, month, action, done_by)
		SELECT b, $2::date, 'close', $3 FROM unnest($1::bigint[]) b`, pq.Array(books), dateString(month), nullID(by)); err != nil {
		return wrap(err)
	}
	objects, summaries := make([]string, len(books)), make([]string, len(books))
	for i, b := range books {
		objects[i], summaries[i] = "book:"+strconv.FormatInt(b, 10), "month "+month.Format("2006-01")
	}
	if err := audit.RecordManyDetails(ctx, tx, a, "ledger.close", objects, summaries, audit.Details{"month": month.Format("2006-01")}); err != nil {
		return wrap(err)
	}
	return nil
}
