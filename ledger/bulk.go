package ledger

import (
	"context"
	"fmt"
	"sort"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"hawker/pg"
)

// BulkResult is what Bulk wrote.
type BulkResult struct {
	Entries int
	Lines   int
	FirstID int64 // the first entry's id; ids rise in the order given
}

// Bulk writes many valid postings in one transaction through COPY, for
// imports and the scale seed: all or nothing. Balances, floors, running
// balances and the database's checks hold exactly as for Post; an
// idempotency key already used makes the whole batch fail with
// ErrIdempotencyConflict (a batch is not a replay). Postings may name
// accounts by ID or by code.
func (s *Store) Bulk(ctx context.Context, ps []Posting) (BulkResult, error) {
	if len(ps) == 0 {
		return BulkResult{}, nil
	}
	return pg.Do(ctx, s.q, func(tx *sqlx.Tx) (BulkResult, error) { return bulk(ctx, tx, ps) })
}

// bulk is Bulk in transaction tx.
func bulk(ctx context.Context, tx *sqlx.Tx, ps []Posting) (BulkResult, error) {
	wrap := func(err error) error {
		// In a batch a used key is not a race to retry but a conflict.
		if pg.IsUnique(err, "ledger_entries_idempotency_key") {
			err = fmt.Errorf("%w: %v", ErrIdempotencyConflict, err)
		}
		return fmt.Errorf("ledger: bulk: %w", err)
	}
	nLines := 0
	var codeBooks []int64
	var codes []string
	idSet := map[int64]bool{}
	for i := range ps {
		ps[i].BusinessDate = Day(ps[i].BusinessDate)
		if err := ps[i].Validate(); err != nil {
			return BulkResult{}, wrap(fmt.Errorf("posting %d: %w", i+1, err))
		}
		nLines += len(ps[i].Lines)
		for _, l := range ps[i].Lines {
			if l.Account > 0 {
				idSet[l.Account] = true
			} else {
				codeBooks = append(codeBooks, ps[i].Book)
				codes = append(codes, l.Code)
			}
		}
	}
	ids := make([]int64, 0, len(idSet))
	for id := range idSet {
		ids = append(ids, id)
	}

	// Lock every balance the batch touches, in account-id order.
	var locked []lockedAccount
	if err := tx.SelectContext(ctx, &locked, `
		SELECT a.id, a.book_id, a.code, b.balance, b.floor
		FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id
		WHERE a.id = ANY($1)
		   OR (a.book_id, a.code) IN (SELECT * FROM unnest($2::bigint[], $3::text[]))
		ORDER BY a.id
		FOR UPDATE OF b`, pq.Array(ids), pq.Array(codeBooks), pq.Array(codes)); err != nil {
		return BulkResult{}, wrap(err)
	}
	type key struct {
		book int64
		code string
	}
	byID := make(map[int64]*lockedAccount, len(locked))
	byCode := make(map[key]*lockedAccount, len(locked))
	start := make(map[int64]decimal.Decimal, len(locked))
	for i := range locked {
		a := &locked[i]
		byID[a.ID] = a
		byCode[key{a.BookID, a.Code}] = a
		start[a.ID] = a.Balance
	}

	// Entry ids are taken now, after the locks, so that they rise in the
	// order the running balances are computed.
	var entryIDs []int64
	if err := tx.SelectContext(ctx, &entryIDs, `
		SELECT nextval('ledger_entries_id_seq') FROM generate_series(1, $1)`, len(ps)); err != nil {
		return BulkResult{}, wrap(err)
	}
	sort.Slice(entryIDs, func(i, j int) bool { return entryIDs[i] < entryIDs[j] })

	estmt, err := tx.PrepareContext(ctx, pq.CopyIn("ledger_entries",
		"id", "book_id", "business_date", "memo", "reference", "idempotency_key", "request_hash", "created_by"))
	if err != nil {
		return BulkResult{}, wrap(err)
	}
	defer estmt.Close()
	for i, p := range ps {
		var key, createdBy any
		if p.IdempotencyKey != "" {
			key = p.IdempotencyKey
		}
		if p.CreatedBy != 0 {
			createdBy = p.CreatedBy
		}
		if _, err := estmt.ExecContext(ctx, entryIDs[i], p.Book, dateString(p.BusinessDate), p.Memo, p.Reference,
			key, RequestHash(p), createdBy); err != nil {
			return BulkResult{}, wrap(bulkTranslate(err))
		}
	}
	if _, err := estmt.ExecContext(ctx); err != nil {
		return BulkResult{}, wrap(bulkTranslate(err))
	}

	lstmt, err := tx.PrepareContext(ctx, pq.CopyIn("ledger_lines",
		"entry_id", "account_id", "business_date", "amount", "balance_after"))
	if err != nil {
		return BulkResult{}, wrap(err)
	}
	defer lstmt.Close()
	for i, p := range ps {
		date := dateString(p.BusinessDate)
		for _, l := range p.Lines {
			var a *lockedAccount
			if l.Account > 0 {
				a = byID[l.Account]
			} else {
				a = byCode[key{p.Book, l.Code}]
			}
			switch {
			case a == nil:
				return BulkResult{}, wrap(fmt.Errorf("posting %d: %w: account %d%s", i+1, ErrNotFound, l.Account, l.Code))
			case a.BookID != p.Book:
				return BulkResult{}, wrap(fmt.Errorf("posting %d: %w: account %d", i+1, ErrWrongBook, a.ID))
			}
			a.Balance = a.Balance.Add(l.Amount)
			if _, err := lstmt.ExecContext(ctx, entryIDs[i], a.ID, date, l.Amount.StringFixed(2), a.Balance.StringFixed(2)); err != nil {
				return BulkResult{}, wrap(bulkTranslate(err))
			}
		}
		// Floors hold after every entry, as if each had been posted alone.
		for _, l := range p.Lines {
			a := byID[l.Account]
			if a == nil {
				a = byCode[key{p.Book, l.Code}]
			}
			if a.Floor.Valid && a.Balance.LessThan(a.Floor.Decimal) {
				return BulkResult{}, wrap(&InsufficientFundsError{Account: a.ID, Code: a.Code,
					Balance: a.Balance.Sub(sumFor(p, a)), Shortfall: a.Floor.Decimal.Sub(a.Balance)})
			}
		}
	}
	if _, err := lstmt.ExecContext(ctx); err != nil {
		return BulkResult{}, wrap(bulkTranslate(err))
	}

	balIDs := make([]int64, 0, len(locked))
	balances := make([]string, 0, len(locked))
	for _, a := range locked {
		if !a.Balance.Equal(start[a.ID]) {
			balIDs = append(balIDs, a.ID)
			balances = append(balances, a.Balance.StringFixed(2))
		}
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE ledger_balances b SET balance = v.balance, updated_at = now()
		FROM unnest($1::bigint[], $2::numeric[]) AS v(account_id, balance)
		WHERE b.account_id = v.account_id`, pq.Array(balIDs), pq.Array(balances)); err != nil {
		return BulkResult{}, wrap(bulkTranslate(err))
	}
	return BulkResult{Entries: len(ps), Lines: nLines, FirstID: entryIDs[0]}, nil
}

// sumFor is what posting p moves on account a.
func sumFor(p Posting, a *lockedAccount) decimal.Decimal {
	sum := decimal.Zero
	for _, l := range p.Lines {
		if l.Account == a.ID || (l.Account <= 0 && l.Code == a.Code && p.Book == a.BookID) {
			sum = sum.Add(l.Amount)
		}
	}
	return sum
}

func bulkTranslate(err error) error {
	if pg.IsUnique(err, "ledger_entries_idempotency_key") {
		return err
	}
	return translate(err)
}
