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

// MonthSums sums the books of the participants ids per month, for the
// months from the first of from to the end of to's month. A month without
// entries has no row.
func (s *Store) MonthSums(ctx context.Context, ids []int64, from, to time.Time) ([]MonthSum, error) {
	out := []MonthSum{}
	if len(ids) == 0 {
		return out, nil
	}
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(to.Year(), to.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	err := s.db.SelectContext(ctx, &out, `
		SELECT ve.participant_id, date_trunc('month', ve.business_date)::date AS month,
		       COALESCE(sum(ve.amount) FILTER (WHERE ve.kind = 'sale'), 0) AS sales,
		       COALESCE(sum(ve.amount) FILTER (WHERE ve.kind = 'expense'), 0) AS expenses,
		       count(DISTINCT ve.business_date) FILTER (WHERE ve.kind = 'sale') AS trading_days
		FROM vendor_entries ve
		WHERE ve.participant_id = ANY($1) AND ve.business_date BETWEEN $2::date AND $3::date
		  AND NOT EXISTS (SELECT 1 FROM vendor_voids vv WHERE vv.vendor_entry_id = ve.id)
		GROUP BY 1, 2 ORDER BY 1, 2`, pq.Array(ids), first.Format(time.DateOnly), last.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("vendors: month sums: %w", err)
	}
	return out, nil
}
