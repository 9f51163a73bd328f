package vendors

import (
	"context"
	"database/sql"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"hawker/ledger"
)

// oneSQL records a vendor's own entry in one statement, so that in
// autocommit it is its own transaction and one round trip instead of six
// (BEGIN, the checks, the posting, the vendor row, COMMIT). It writes only
// when record would write the same rows without asking anything else:
// the participant exists and is not erased, no entry holds the key, the
// amount is within the ceiling, and ledger_post answers 'ok'. Otherwise it
// writes nothing (no row from ins) and Record runs record, which answers
// the replay, the conflict or the refusal exactly as before. A race on the
// key (either unique index) fails the statement as a whole, ledger entry
// included, and record then finds the winner's entry.
//
// The posting is the ledger's own function with the arguments
// ledger.Store.Post would pass it (book, date, memo, reference, key, hash,
// reverses, created_by, account ids, codes, amounts); the filter on pre is
// on pre's rows alone, so ledger_post runs only when every check passed.
const oneSQL = `
	WITH pre AS MATERIALIZED (` + preSQL + `
	), post AS MATERIALIZED (
		SELECT lp.status, lp.entry_id
		FROM pre, LATERAL ledger_post($3, $4::date, $5, '', $1, $6, NULL, $7, $8::bigint[], $9::text[], $10::numeric[]) lp
		WHERE pre.prior_id IS NULL AND pre.code IS NOT NULL AND NOT pre.erased AND $11::numeric <= pre.ceiling
	), ins AS (
		INSERT INTO vendor_entries (entry_id, participant_id, business_date, kind, amount, category, method,
		                            note, on_behalf, recorded_by, idempotency_key, request_hash)
		SELECT post.entry_id, $2, $4::date, $12, $11::numeric, $13, $14, $15, false, $7, $1, $16
		FROM post WHERE post.status = 'ok'
		RETURNING id, entry_id, recorded_at
	)
	SELECT pre.code, ins.id, ins.entry_id, ins.recorded_at FROM pre LEFT JOIN ins ON true`

// noCeiling stands in for the ceiling while the input is checked before
// the statement: the statement compares the amount with the setting itself.
var noCeiling = decimal.New(1, 16)

// recordOne tries r as one statement (oneSQL). ok is false when it wrote
// nothing, for whatever reason: the caller then runs record, whose
// answer (replay, conflict, refusal, error) stands.
func (s *Store) recordOne(ctx context.Context, r Request) (Recorded, bool) {
	if r.Key == "" || r.OnBehalf {
		return Recorded{}, false // refused, or audited in the transaction
	}
	bookID, ok := s.books.Load(r.ParticipantID)
	if !ok {
		return Recorded{}, false // the book may need making
	}
	book := bookID.(int64)
	e, err := r.Input.Check(r.Today, noCeiling)
	if err != nil {
		return Recorded{}, false
	}
	oneStmt, err := s.oneStmt.Get(ctx)
	if err != nil {
		return Recorded{}, false
	}
	hash := requestHash(r.ParticipantID, r.Input)
	e.ParticipantID, e.RecordedBy, e.Key, e.hash = r.ParticipantID, r.RecordedBy, r.Key, hash
	p := e.posting(book)
	p.BusinessDate = ledger.Day(p.BusinessDate)
	if p.Validate() != nil {
		return Recorded{}, false
	}
	// The lines name accounts by code, as record's posting does, and the
	// request hash is that posting's; the ids, when known, spare
	// ledger_post a lookup per line (it still checks they are in the book).
	accts := s.bookAccounts(ctx, book)
	ids := make(pq.Int64Array, len(p.Lines))
	codes := make(pq.StringArray, len(p.Lines))
	amounts := make(pq.StringArray, len(p.Lines))
	for i, l := range p.Lines {
		ids[i], codes[i], amounts[i] = accts[l.Code], l.Code, l.Amount.StringFixed(2)
	}
	out := Recorded{
		ParticipantID: e.ParticipantID, Date: e.Date, Kind: e.Kind,
		Amount: e.Amount, Note: e.Note, Key: e.Key, RequestHash: hash,
	}
	if e.Category != "" {
		out.Category = &e.Category
	}
	if e.Method != "" {
		out.Method = &e.Method
	}
	if e.RecordedBy != 0 {
		out.RecordedBy = &e.RecordedBy
	}
	var (
		code sql.NullString
		id   sql.NullInt64
		eid  sql.NullInt64
		at   sql.NullTime
	)
	err = oneStmt.QueryRowContext(ctx, e.Key, e.ParticipantID, book, p.BusinessDate.Format(time.DateOnly), p.Memo,
		ledger.RequestHash(p), out.RecordedBy, ids, codes, amounts, e.Amount.StringFixed(2), e.Kind,
		out.Category, out.Method, e.Note, hash).Scan(&code, &id, &eid, &at)
	if err != nil || !id.Valid || !code.Valid {
		return Recorded{}, false
	}
	out.ID, out.EntryID, out.RecordedAt, out.Participant = id.Int64, eid.Int64, at.Time, code.String
	return out, true
}

// bookAccounts is the book's account ids by code, read once per book; nil
// (every line then named by code alone) if it cannot be read.
func (s *Store) bookAccounts(ctx context.Context, book int64) map[string]int64 {
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
