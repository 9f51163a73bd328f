package training

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// MonthCount is how many modules a participant passed in a month.
type MonthCount struct {
	ParticipantID int64     `db:"participant_id"`
	Month         time.Time `db:"month"`
	Passed        int       `db:"passed"`
}

// PassedByMonth counts the passed completions of the participants ids per
// month, from the first of from to the end of to's month.
func (s *Store) PassedByMonth(ctx context.Context, ids []int64, from, to time.Time) ([]MonthCount, error) {
	out := []MonthCount{}
	if len(ids) == 0 {
		return out, nil
	}
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(to.Year(), to.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	err := s.db.SelectContext(ctx, &out, `
		SELECT participant_id, date_trunc('month', completed_on)::date AS month, count(*) AS passed
		FROM training_completions
		WHERE participant_id = ANY($1) AND passed AND completed_on BETWEEN $2::date AND $3::date
		GROUP BY 1, 2 ORDER BY 1, 2`, pq.Array(ids), first.Format(time.DateOnly), last.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("training: passed by month: %w", err)
	}
	return out, nil
}
