package participants

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// Consenting is those of ids whose standing decision for purpose is given.
// A withdrawn consent is the latest row, so she drops out at once.
func (s *Store) Consenting(ctx context.Context, ids []int64, purpose Purpose) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []int64
	err := s.db.SelectContext(ctx, &rows, `
		SELECT participant_id FROM (
			SELECT DISTINCT ON (c.participant_id) c.participant_id, c.given
			FROM consents c JOIN participants p ON p.id = c.participant_id
			WHERE c.participant_id = ANY($1) AND c.purpose = $2 AND p.erased_at IS NULL
			ORDER BY c.participant_id, c.id DESC) latest
		WHERE given`, pq.Array(ids), string(purpose))
	if err != nil {
		return nil, fmt.Errorf("participants: consenting: %w", err)
	}
	for _, id := range rows {
		out[id] = true
	}
	return out, nil
}
