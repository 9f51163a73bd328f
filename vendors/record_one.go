package vendors

import (
	"context"
	"database/sql"
	"time"

	"hawker/money"
)

// oneCheck and oneWrite record a vendor's own entry in the same statement as
// its ledger entry (ledger.Fused), so that in autocommit it is its own
// transaction and one round trip instead of six (BEGIN, the checks, the
// posting, the vendor row, COMMIT). The posting is written only when record
// would write the same rows without asking anything else: the participant
// exists and is not erased, no entry holds the key and the amount is within
// the ceiling (oneCheck), and the ledger accepts it. Otherwise nothing is
// written and Record runs record, which answers the replay, the conflict or
// the refusal exactly as before. A race on the key (either unique index)
// fails the statement as a whole, ledger entry included, and record then
// finds the winner's entry.
//
// Parameters: $1 key, $2 participant, $3 amount, $4 date, $5 kind,
// $6 category, $7 method, $8 note, $9 recorded_by, $10 request hash.
const (
	oneCheck = `
		SELECT pre.code, (pre.prior_id IS NULL AND pre.code IS NOT NULL AND NOT pre.erased
		                  AND $3::numeric <= pre.ceiling) AS ok
		FROM (` + preSQL + `) pre`
	oneWrite = `
		INSERT INTO vendor_entries (entry_id, participant_id, business_date, kind, amount, category, method,
		                            note, on_behalf, recorded_by, idempotency_key, request_hash)
		SELECT posted.entry_id, $2, $4::date, $5, $3::numeric, $6, $7, $8, false, $9, $1, $10
		FROM posted
		RETURNING id, recorded_at`
	oneArgs = 10
)

// noCeiling stands in for the ceiling while the input is checked before
// the statement: the statement compares the amount with the setting itself.
var noCeiling = money.Max

// recordOne tries r as one statement (oneCheck, oneWrite). ok is false when
// it wrote nothing, for whatever reason: the caller then runs record, whose
// answer (replay, conflict, refusal, error) stands.
func (s *Store) recordOne(ctx context.Context, r Request) (Recorded, bool) {
	if r.Key == "" || r.OnBehalf {
		return Recorded{}, false // refused, or audited in the transaction
	}
	bookID, ok := s.books.Load(r.ParticipantID)
	if !ok {
		return Recorded{}, false // the book may need making
	}
	// The statement compares the amount with the ceiling setting itself.
	e, err := r.Input.Check(r.Today, noCeiling)
	if err != nil {
		return Recorded{}, false
	}
	e.ParticipantID, e.RecordedBy, e.Key, e.hash = r.ParticipantID, r.RecordedBy, r.Key, requestHash(r.ParticipantID, r.Input)
	out := e.recorded()
	var (
		code   sql.NullString
		passed bool
		id     sql.NullInt64
		at     sql.NullTime
	)
	entryID, written, err := s.one.Post(ctx, e.posting(bookID.(int64)),
		[]any{e.Key, e.ParticipantID, e.Amount.String(), e.Date.Format(time.DateOnly), e.Kind,
			out.Category, out.Method, e.Note, out.RecordedBy, e.hash},
		&code, &passed, &id, &at)
	if err != nil || !written || !id.Valid || !code.Valid {
		return Recorded{}, false
	}
	out.ID, out.EntryID, out.RecordedAt, out.Participant = id.Int64, entryID, at.Time, code.String
	return out, true
}
