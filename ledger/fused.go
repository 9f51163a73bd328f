package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"hawker/pg"
)

// Fused is a posting written in the same statement as the caller's own row
// that records it (a vendor's entry beside its ledger entry): in autocommit
// the statement is its own transaction and one round trip, where Post in a
// transaction with the caller's insert costs BEGIN, the caller's checks, the
// posting, the insert and COMMIT. It is a fast path: when the caller's check
// fails or ledger_post refuses the posting (a replay, a conflict, a closed
// month, a floor), the statement writes nothing and the caller takes its
// ordinary path, a transaction with Post, whose answer stands.
type Fused struct {
	s     *Store
	nargs int
	stmt  *pg.Stmt
}

// Fuse prepares (on first use) the statement
//
//	WITH pre AS MATERIALIZED (check),
//	     posted AS MATERIALIZED (the posting, when pre.ok: entry_id, recorded_at),
//	     written AS (write)
//	SELECT posted.entry_id, pre.*, written.* …
//
// check is a query of one row with a boolean column ok: the posting is
// written only when it is true. write is the caller's data-modifying
// statement; it reads the posted entry from the CTE posted (entry_id,
// recorded_at), which holds a row only when the entry was written, and
// returns its own columns. Both name the caller's parameters $1…$nargs; the
// ledger's own follow them. Neither may name the ledger's tables.
func (s *Store) Fuse(check, write string, nargs int) *Fused {
	p := func(i int) string { return fmt.Sprintf("$%d", nargs+i) }
	query := `
	WITH pre AS MATERIALIZED (` + check + `
	), posted AS MATERIALIZED (
		SELECT lp.entry_id, lp.recorded_at
		FROM pre, LATERAL ledger_post(` + p(1) + `, ` + p(2) + `::date, ` + p(3) + `, ` + p(4) + `, ` + p(5) + `, ` + p(6) + `,
		                              NULL, ` + p(7) + `, ` + p(8) + `::bigint[], ` + p(9) + `::text[], ` + p(10) + `::numeric[]) lp
		WHERE pre.ok AND lp.status = 'ok'
	), written AS (` + write + `
	)
	SELECT posted.entry_id, pre.*, written.* FROM pre LEFT JOIN posted ON true LEFT JOIN written ON true`
	return &Fused{s: s, nargs: nargs, stmt: pg.NewStmt(s.db, query)}
}

// Post runs the fused statement for p (not a reversal) with the caller's
// args ($1…$nargs), in autocommit. It answers the ledger entry's id and true
// when the posting was written; false, with nothing written, when the check
// failed, the posting is invalid or ledger_post refused it. dest receives
// check's columns, then write's (NULL when nothing was written). A race on
// a unique key fails the statement as a whole, the ledger entry included.
func (f *Fused) Post(ctx context.Context, p Posting, args []any, dest ...any) (int64, bool, error) {
	if len(args) != f.nargs {
		return 0, false, fmt.Errorf("ledger: fused post: %d arguments for %d parameters", len(args), f.nargs)
	}
	p.BusinessDate = Day(p.BusinessDate)
	if err := p.Validate(); err != nil {
		return 0, false, nil
	}
	stmt, err := f.stmt.Get(ctx)
	if err != nil {
		return 0, false, err
	}
	// The lines keep their codes (the request hash is the one Post makes of
	// the same posting); the ids, when known, spare ledger_post a lookup per
	// line, and it still checks that they are in the book.
	ids := make(pq.Int64Array, len(p.Lines))
	codes := make(pq.StringArray, len(p.Lines))
	amounts := make(pq.StringArray, len(p.Lines))
	byCode := f.s.accountIDs(ctx, p.Book)
	for i, l := range p.Lines {
		ids[i], codes[i], amounts[i] = l.Account, l.Code, l.Amount.StringFixed(2)
		if ids[i] <= 0 {
			ids[i] = byCode[l.Code]
		}
	}
	var key, createdBy any
	if p.IdempotencyKey != "" {
		key = p.IdempotencyKey
	}
	if p.CreatedBy != 0 {
		createdBy = p.CreatedBy
	}
	all := append(args[:len(args):len(args)], p.Book, p.BusinessDate.Format(time.DateOnly), p.Memo, p.Reference,
		key, RequestHash(p), createdBy, ids, codes, amounts)
	var entryID sql.NullInt64
	if err := stmt.QueryRowContext(ctx, all...).Scan(append([]any{&entryID}, dest...)...); err != nil {
		return 0, false, fmt.Errorf("ledger: fused post: %w", translate(err))
	}
	return entryID.Int64, entryID.Valid, nil
}

// accountIDs is a book's account ids by code, read once per book (accounts
// are never deleted and their codes never change); nil, every line then
// named by its code alone, when it cannot be read. An account added to the
// book later is missing from the map until the process restarts, which
// costs ledger_post one lookup by code, nothing more.
func (s *Store) accountIDs(ctx context.Context, book int64) map[string]int64 {
	if m, ok := s.accounts.Load(book); ok {
		return m.(map[string]int64)
	}
	var rows []struct {
		Code string `db:"code"`
		ID   int64  `db:"id"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT code, id FROM ledger_accounts WHERE book_id = $1`, book); err != nil {
		return nil
	}
	m := make(map[string]int64, len(rows))
	for _, r := range rows {
		m[r.Code] = r.ID
	}
	s.accounts.Store(book, m)
	return m
}
