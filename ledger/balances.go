package ledger

import (
	"context"
	"fmt"

	"github.com/lib/pq"
	"hawker/money"
)

// BalancesByCode reads the current balances of a book's accounts named by
// codes, keyed by code; a code the book does not have is missing from the map.
func (s *Store) BalancesByCode(ctx context.Context, book int64, codes []string) (map[string]money.Amount, error) {
	var rows []struct {
		Code    string       `db:"code"`
		Balance money.Amount `db:"balance"`
	}
	err := s.q.SelectContext(ctx, &rows, `
		SELECT a.code, b.balance FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id
		WHERE a.book_id = $1 AND a.code = ANY ($2)`, book, pq.StringArray(codes))
	if err != nil {
		return nil, fmt.Errorf("ledger: balances in book %d: %w", book, err)
	}
	out := make(map[string]money.Amount, len(rows))
	for _, r := range rows {
		out[r.Code] = r.Balance
	}
	return out, nil
}

// SumsByCode recomputes, from the lines alone, the balances of a book's
// accounts named by codes at the end of the latest business day: what
// BalancesByCode must equal. It is for checks and tests, not for pages.
func (s *Store) SumsByCode(ctx context.Context, book int64, codes []string) (map[string]money.Amount, error) {
	var rows []struct {
		Code string       `db:"code"`
		Sum  money.Amount `db:"sum"`
	}
	err := s.q.SelectContext(ctx, &rows, `
		SELECT a.code, COALESCE((SELECT sum(l.amount) FROM ledger_lines l WHERE l.account_id = a.id), 0) AS sum
		FROM ledger_accounts a WHERE a.book_id = $1 AND a.code = ANY ($2)`, book, pq.StringArray(codes))
	if err != nil {
		return nil, fmt.Errorf("ledger: sums in book %d: %w", book, err)
	}
	out := make(map[string]money.Amount, len(rows))
	for _, r := range rows {
		out[r.Code] = r.Sum
	}
	return out, nil
}
