package vendors

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"hawker/money"
)

// MonthSum is one participant's business over one month: live entries only.
type MonthSum struct {
	ParticipantID int64        `db:"participant_id"`
	Month         time.Time    `db:"month"`
	Sales         money.Amount `db:"sales"`
	Expenses      money.Amount `db:"expenses"`
	TradingDays   int          `db:"trading_days"` // days with at least one sale
}

// Profit is sales less expenses.
func (m MonthSum) Profit() money.Amount { return m.Sales.Sub(m.Expenses) }

// MonthSums reads the books of the participants ids per month, for the
// months from the first of from to the end of to's month, from their
// monthly sums (vendor_month_sums, which triggers keep with every entry and
// void): one row per participant and month, by the month the entries
// happened in. A month without live sales or expenses has no row.
func (s *Store) MonthSums(ctx context.Context, ids []int64, from, to time.Time) ([]MonthSum, error) {
	out := []MonthSum{}
	if len(ids) == 0 {
		return out, nil
	}
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
	err := s.db.SelectContext(ctx, &out, `
		SELECT participant_id, month, sales, expenses, trading_days
		FROM vendor_month_sums
		WHERE participant_id = ANY($1) AND month BETWEEN $2::date AND $3::date
		  AND (sales <> 0 OR expenses <> 0 OR trading_days <> 0)
		ORDER BY 1, 2`, pq.Array(ids), first.Format(time.DateOnly), last.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("vendors: month sums: %w", err)
	}
	return out, nil
}

// FirstTradingMonths answers, for each of the participants ids who has ever
// had a live sale, the first day of the month of her first trading day.
func (s *Store) FirstTradingMonths(ctx context.Context, ids []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID    int64     `db:"participant_id"`
		Month time.Time `db:"month"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT participant_id, min(month) AS month FROM vendor_month_sums
		WHERE participant_id = ANY($1) AND trading_days > 0 GROUP BY 1`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("vendors: first trading months: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Month
	}
	return out, nil
}
