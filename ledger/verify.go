package ledger

import (
	"context"
	"fmt"
	"strings"
)

// Mismatch is one thing Verify found wrong: what kind of row, which one,
// what the lines say it should be and what is stored.
type Mismatch struct {
	Kind string `db:"-"`    // "balance", "balance_after", "entry", "snapshot"
	ID   string `db:"id"`   // the account, line, entry or account@month
	Want string `db:"want"` // recomputed from the lines
	Got  string `db:"got"`  // stored
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s %s: recomputed %s, stored %s", m.Kind, m.ID, m.Want, m.Got)
}

// Counts is how many rows the ledger holds: books, accounts, entries,
// lines and the account snapshots of closed months.
type Counts struct {
	Books     int64 `db:"books"`
	Accounts  int64 `db:"accounts"`
	Entries   int64 `db:"entries"`
	Lines     int64 `db:"lines"`
	Snapshots int64 `db:"snapshots"`
}

const countsSQL = `
	SELECT (SELECT count(*) FROM ledger_books) AS books,
	       (SELECT count(*) FROM ledger_accounts) AS accounts,
	       (SELECT count(*) FROM ledger_entries) AS entries,
	       (SELECT count(*) FROM ledger_lines) AS lines,
	       (SELECT count(*) FROM ledger_period_balances pb JOIN ledger_periods p
	          ON p.book_id = pb.book_id AND p.month = pb.month AND p.closed_at IS NOT NULL) AS snapshots`

// Count counts the ledger's rows.
func (s *Store) Count(ctx context.Context) (Counts, error) {
	var c Counts
	if err := s.q.GetContext(ctx, &c, countsSQL); err != nil {
		return Counts{}, fmt.Errorf("ledger: count: %w", err)
	}
	return c, nil
}

// Report is what Verify checked and what it found.
type Report struct {
	Counts
	Mismatches []Mismatch
}

// OK reports a ledger without mismatches.
func (r Report) OK() bool { return len(r.Mismatches) == 0 }

// Summary is a one-line account of the report.
func (r Report) Summary() string {
	return fmt.Sprintf("%d books, %d accounts, %d entries, %d lines, %d period snapshots checked; %d mismatches",
		r.Books, r.Accounts, r.Entries, r.Lines, r.Snapshots, len(r.Mismatches))
}

// maxMismatches bounds each kind of mismatch in a report.
const maxMismatches = 1000

// Verify recomputes everything the ledger stores from its lines: every
// balance, every line's running balance (in posting order: entry id, then
// line id), every closed month's snapshot, and checks that every entry has
// two lines or more summing to zero. It reads one consistent snapshot.
func (s *Store) Verify(ctx context.Context) (Report, error) {
	var r Report
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return Report{}, fmt.Errorf("ledger: verify: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`); err != nil {
		return Report{}, fmt.Errorf("ledger: verify: %w", err)
	}
	if err := tx.GetContext(ctx, &r.Counts, countsSQL); err != nil {
		return Report{}, fmt.Errorf("ledger: verify: count: %w", err)
	}
	checks := []struct{ kind, sql string }{
		{"balance", `
			SELECT b.account_id::text AS id, COALESCE(s.total, 0)::text AS want, b.balance::text AS got
			FROM ledger_balances b
			LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_lines GROUP BY account_id) s
			  ON s.account_id = b.account_id
			WHERE b.balance <> COALESCE(s.total, 0)
			UNION ALL
			SELECT a.id::text, 'a balance row', 'none' FROM ledger_accounts a
			WHERE NOT EXISTS (SELECT 1 FROM ledger_balances b WHERE b.account_id = a.id)
			UNION ALL
			SELECT b.account_id::text, 'at least ' || b.floor::text, b.balance::text FROM ledger_balances b
			WHERE b.floor IS NOT NULL AND b.balance < b.floor
			ORDER BY 1 LIMIT 1000`},
		{"balance_after", `
			SELECT id::text, running::text AS want, balance_after::text AS got FROM (
				SELECT id, balance_after,
				       sum(amount) OVER (PARTITION BY account_id ORDER BY entry_id, id) AS running
				FROM ledger_lines) l
			WHERE balance_after <> running
			ORDER BY id LIMIT 1000`},
		{"entry", `
			SELECT e.id::text, '2+ lines summing to 0' AS want,
			       count(l.id)::text || ' lines summing to ' || COALESCE(sum(l.amount), 0)::text AS got
			FROM ledger_entries e LEFT JOIN ledger_lines l ON l.entry_id = e.id
			GROUP BY e.id
			HAVING count(l.id) < 2 OR COALESCE(sum(l.amount), 0) <> 0
			UNION ALL
			SELECT l.id::text, 'line dated like entry ' || e.id::text || ' in book ' || e.book_id::text,
			       'line in book ' || a.book_id::text || ' dated ' || l.business_date::text
			FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id JOIN ledger_accounts a ON a.id = l.account_id
			WHERE a.book_id <> e.book_id OR l.business_date <> e.business_date
			ORDER BY 1 LIMIT 1000`},
		// Each account's lines are summed once per month, and a month's
		// opening is the running sum of the months before it: summing every
		// line before each closed month again made the check grow with the
		// square of the history (minutes at 10,000 vendors' two years).
		{"snapshot", `
			WITH mon AS (
				SELECT account_id, date_trunc('month', business_date)::date AS month, sum(amount) AS total,
				       COALESCE(sum(amount) FILTER (WHERE amount > 0), 0) AS debits,
				       COALESCE(-sum(amount) FILTER (WHERE amount < 0), 0) AS credits
				FROM ledger_lines GROUP BY 1, 2
			), months AS (
				SELECT account_id, month, total, debits, credits, false AS closed FROM mon
				UNION ALL
				SELECT a.id, p.month, 0, 0, 0, true
				FROM ledger_periods p JOIN ledger_accounts a ON a.book_id = p.book_id
				WHERE p.closed_at IS NOT NULL
			), re AS (
				SELECT account_id, month, closed,
				       COALESCE(sum(total) OVER (PARTITION BY account_id ORDER BY month
				                                 RANGE BETWEEN UNBOUNDED PRECEDING AND '1 day' PRECEDING), 0) AS opening,
				       sum(debits) OVER (PARTITION BY account_id, month) AS debits,
				       sum(credits) OVER (PARTITION BY account_id, month) AS credits
				FROM months
			)
			SELECT re.account_id::text || '@' || to_char(re.month, 'YYYY-MM') AS id,
			       format('%s/%s/%s/%s', re.opening, re.debits, re.credits, re.opening + re.debits - re.credits) AS want,
			       COALESCE(format('%s/%s/%s/%s', pb.opening, pb.debits, pb.credits, pb.closing), 'no snapshot') AS got
			FROM re LEFT JOIN ledger_period_balances pb ON pb.account_id = re.account_id AND pb.month = re.month
			WHERE re.closed AND (
			      pb.account_id IS NULL AND (re.opening <> 0 OR re.debits <> 0 OR re.credits <> 0)
			   OR pb.opening <> re.opening OR pb.debits <> re.debits OR pb.credits <> re.credits
			   OR pb.closing <> re.opening + re.debits - re.credits)
			ORDER BY 1 LIMIT 1000`},
	}
	for _, c := range checks {
		var ms []Mismatch
		if err := tx.SelectContext(ctx, &ms, c.sql); err != nil {
			return Report{}, fmt.Errorf("ledger: verify %s: %w", c.kind, err)
		}
		for i := range ms {
			ms[i].Kind = c.kind
		}
		r.Mismatches = append(r.Mismatches, ms...)
	}
	return r, nil
}

// Err is nil for a sound ledger, else an error naming every mismatch.
func (r Report) Err() error {
	if r.OK() {
		return nil
	}
	parts := make([]string, len(r.Mismatches))
	for i, m := range r.Mismatches {
		parts[i] = m.String()
	}
	return fmt.Errorf("ledger: verify found %d mismatches: %s", len(r.Mismatches), strings.Join(parts, "; "))
}
