package ledger

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"hawker/money"
	"hawker/pg"
)

// BulkResult is what Bulk wrote.
type BulkResult struct {
	Entries int
	Lines   int
	FirstID int64   // the first entry's id; ids rise in the order given
	IDs     []int64 // each posting's entry id, in the order given
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
	var accts []*lockedAccount
	for i, p := range ps {
		accts = accts[:0]
		for _, l := range p.Lines {
			if l.Account > 0 {
				accts = append(accts, byID[l.Account])
			} else {
				accts = append(accts, byCode[key{p.Book, l.Code}])
			}
		}
		after, err := apply(p, accts)
		if err != nil {
			return BulkResult{}, wrap(fmt.Errorf("posting %d: %w", i+1, err))
		}
		date := dateString(p.BusinessDate)
		for j, l := range p.Lines {
			if _, err := lstmt.ExecContext(ctx, entryIDs[i], accts[j].ID, date, l.Amount.StringFixed(2), after[j].StringFixed(2)); err != nil {
				return BulkResult{}, wrap(bulkTranslate(err))
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
	return BulkResult{Entries: len(ps), Lines: nLines, FirstID: entryIDs[0], IDs: entryIDs}, nil
}

// apply is the posting rule both write paths keep: ledger_post in SQL
// (migrations/0002_ledger.sql) for Post, and this for Bulk, held to one
// table of cases by TestPostingRules. accts[i] is the account line i names
// (nil: none such), its Balance what it holds before the posting. Each line
// must name an account of the posting's book; the account's balance moves by
// the line, lines in order, and the balance after each line is its running
// balance. Floors hold after the whole posting: the first account, in id
// order, left below its floor refuses the posting with what it held before
// it and what is missing. On success the accounts hold their new balances;
// on a refusal they are not to be used again.
func apply(p Posting, accts []*lockedAccount) ([]decimal.Decimal, error) {
	after := make([]decimal.Decimal, len(p.Lines))
	var touched []*lockedAccount
	var start []decimal.Decimal
	for i, l := range p.Lines {
		a := accts[i]
		switch {
		case a == nil && l.Account > 0:
			return nil, fmt.Errorf("%w: account %d", ErrNotFound, l.Account)
		case a == nil:
			return nil, fmt.Errorf("%w: account %q in book %d", ErrNotFound, l.Code, p.Book)
		case a.BookID != p.Book:
			return nil, fmt.Errorf("%w: account %d is in book %d, not %d", ErrWrongBook, a.ID, a.BookID, p.Book)
		}
		if !slices.Contains(touched, a) {
			touched = append(touched, a)
			start = append(start, a.Balance)
		}
		a.Balance = a.Balance.Add(l.Amount)
		after[i] = a.Balance
	}
	var short *InsufficientFundsError
	for k, a := range touched {
		if a.Floor.Valid && a.Balance.LessThan(a.Floor.Decimal) && (short == nil || a.ID < short.Account) {
			short = &InsufficientFundsError{Account: a.ID, Code: a.Code, Balance: money.Round(start[k]), Shortfall: money.Round(a.Floor.Decimal.Sub(a.Balance))}
		}
	}
	if short != nil {
		return nil, short
	}
	return after, nil
}

func bulkTranslate(err error) error {
	if pg.IsUnique(err, "ledger_entries_idempotency_key") {
		return err
	}
	return translate(err)
}
