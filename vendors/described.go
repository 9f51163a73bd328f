package vendors

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Described is what a ledger entry of a vendor's book was in her own
// words: a sale, an expense, a drawing or her opening cash, with the date it happened (which
// a late entry keeps while it is booked in a later month). A void's
// reversal entry is described too, as Void of the entry it cancels.
type Described struct {
	EntryID  int64     `db:"entry_id"` // the ledger entry
	Kind     Kind      `db:"kind"`
	Method   *Method   `db:"method"`
	Category *Category `db:"category"`
	Note     string    `db:"note"`
	Date     time.Time `db:"business_date"` // when it happened
	OnBehalf bool      `db:"on_behalf"`
	Void     bool      `db:"void"`   // the reversal of a voided entry
	Reason   string    `db:"reason"` // why, for a void
}

// Describe reads what each of a participant's ledger entries was, by
// ledger entry id; entries that are not hers or not vendor entries (a
// grant's, say) are absent from the map.
func (s *Store) Describe(ctx context.Context, participantID int64, entryIDs []int64) (map[int64]Described, error) {
	rows := []Described{}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT ve.entry_id, ve.kind, ve.method, ve.category, ve.note, ve.business_date, ve.on_behalf,
		       false AS void, '' AS reason
		FROM vendor_entries ve
		WHERE ve.participant_id = $1 AND ve.entry_id = ANY($2)
		UNION ALL
		SELECT vv.reversal_entry_id, ve.kind, ve.method, ve.category, ve.note, ve.business_date, ve.on_behalf,
		       true, vv.reason
		FROM vendor_voids vv JOIN vendor_entries ve ON ve.id = vv.vendor_entry_id
		WHERE ve.participant_id = $1 AND vv.reversal_entry_id = ANY($2)
		UNION ALL
		SELECT vo.entry_id, 'opening', NULL, NULL, '', vo.business_date, vo.on_behalf, false, ''
		FROM vendor_openings vo
		WHERE vo.participant_id = $1 AND vo.entry_id = ANY($2)`, participantID, pq.Int64Array(entryIDs))
	if err != nil {
		return nil, fmt.Errorf("vendors: describe entries of %d: %w", participantID, err)
	}
	out := make(map[int64]Described, len(rows))
	for _, r := range rows {
		out[r.EntryID] = r
	}
	return out, nil
}

// Holder is a participant who has books.
type Holder struct {
	ParticipantID int64  `db:"participant_id"`
	Code          string `db:"code"`
	Book          int64  `db:"book_id"`
}

// Holders lists every participant with books, by code.
func (s *Store) Holders(ctx context.Context) ([]Holder, error) {
	hs := []Holder{}
	err := s.db.SelectContext(ctx, &hs, `
		SELECT participant_id, code, book_id FROM vendor_books ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("vendors: holders: %w", err)
	}
	return hs, nil
}
