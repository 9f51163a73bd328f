package vendors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/ledger"
	"hawker/money"
	"hawker/pg"
	"hawker/valid"
)

// ErrOpeningExists refuses a second opening cash: a book starts once.
var ErrOpeningExists = valid.NewError("vendors: opening cash already recorded", "vendor.opening_exists")

// OpeningKind describes the ledger entry of her opening cash (Describe);
// it is no kind of entry she records every day, so it is not in Kinds.
const OpeningKind Kind = "opening"

// Opening is the cash a vendor had when she started keeping her books: one
// ledger entry in her book (cash debited, owner's equity credited), recorded
// once, by her or by her officer on her behalf. Her cash on hand starts
// there; a grant's disbursements add to it later.
type Opening struct {
	ParticipantID int64        `db:"participant_id"`
	EntryID       int64        `db:"entry_id"`
	Date          time.Time    `db:"business_date"`
	Amount        money.Amount `db:"amount"`
	OnBehalf      bool         `db:"on_behalf"`
	RecordedBy    *int64       `db:"recorded_by"`
	RecordedAt    time.Time    `db:"recorded_at"`
}

// OpeningRequest is an opening cash to record: whose, how much as typed
// (money.ParseGrouped: "1,500.00" as people write it), who writes it down
// and the day she starts with it (today in Bangkok; the demo's first day).
type OpeningRequest struct {
	ParticipantID int64
	Code          string
	Amount        string
	RecordedBy    int64
	OnBehalf      bool
	Date          time.Time
}

// openingKey is the ledger idempotency key of a book's opening entry: the
// ledger itself holds a book to one.
const openingKey = "opening"

// RecordOpening records p's opening cash once. The amount follows the
// rules of any amount she records (more than zero, at most the per-line
// ceiling; field errors under "amount"); a second opening is
// ErrOpeningExists, whatever its amount, and so is one racing the first.
// It is audited, her own as well as an officer's: it happens once.
func (s *Store) RecordOpening(ctx context.Context, a audit.Actor, r OpeningRequest) (Opening, error) {
	return pg.Do(ctx, s.db, func(tx *sqlx.Tx) (Opening, error) {
		var ceiling money.Amount
		if err := tx.GetContext(ctx, &ceiling, `SELECT line_ceiling FROM vendor_settings`); err != nil {
			return Opening{}, fmt.Errorf("vendors: opening: %w", err)
		}
		amount, err := money.ParseGrouped(r.Amount)
		if key := AmountKey(amount, err, ceiling); key != "" {
			return Opening{}, valid.Errors{"amount": key}
		}
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM vendor_openings WHERE participant_id = $1`, r.ParticipantID); err != nil {
			return Opening{}, fmt.Errorf("vendors: opening: %w", err)
		}
		if n > 0 {
			return Opening{}, fmt.Errorf("vendors: opening of %s: %w", r.Code, ErrOpeningExists)
		}
		book, err := s.bookTx(ctx, tx, r.ParticipantID, r.Code)
		if err != nil {
			return Opening{}, err
		}
		day := ledger.Day(r.Date)
		closed, err := s.ledger.In(tx).LatestClosed(ctx, []int64{book})
		if err != nil {
			return Opening{}, fmt.Errorf("vendors: opening: %w", err)
		}
		if ledger.Closed(day, closed[book]) {
			day = ledger.MonthOf(closed[book]).AddDate(0, 1, 0)
		}
		memo := "opening cash"
		if r.OnBehalf {
			memo += " (recorded by officer)"
		}
		le, err := s.ledger.In(tx).Post(ctx, ledger.Posting{
			Book: book, BusinessDate: day, Memo: memo, IdempotencyKey: openingKey, CreatedBy: r.RecordedBy,
			Lines: []ledger.Line{{Code: AccountCash, Amount: amount.Decimal()}, {Code: AccountEquity, Amount: amount.Neg().Decimal()}},
		})
		switch {
		case errors.Is(err, ledger.ErrIdempotencyConflict):
			return Opening{}, fmt.Errorf("vendors: opening of %s: %w", r.Code, ErrOpeningExists)
		case err != nil:
			return Opening{}, fmt.Errorf("vendors: opening of %s: %w", r.Code, err)
		case le.Replayed:
			return Opening{}, fmt.Errorf("vendors: opening of %s: %w", r.Code, ErrOpeningExists)
		}
		var by *int64
		if r.RecordedBy != 0 {
			by = &r.RecordedBy
		}
		var o Opening
		err = tx.GetContext(ctx, &o, `
			INSERT INTO vendor_openings (participant_id, entry_id, business_date, amount, on_behalf, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING participant_id, entry_id, business_date, amount, on_behalf, recorded_by, recorded_at`,
			r.ParticipantID, le.ID, day.Format(time.DateOnly), amount.String(), r.OnBehalf, by)
		if pg.IsUnique(err, "vendor_openings_pkey") {
			return Opening{}, fmt.Errorf("vendors: opening of %s: %w", r.Code, ErrOpeningExists)
		}
		if err != nil {
			return Opening{}, fmt.Errorf("vendors: opening of %s: %w", r.Code, err)
		}
		summary := fmt.Sprintf("opening cash %s on %s", amount.String(), day.Format(time.DateOnly))
		details := audit.Details{"amount": amount.String(), "on": day.Format(time.DateOnly), "how": "herself"}
		if r.OnBehalf {
			summary += " on her behalf"
			details["how"] = "officer"
		}
		return o, audit.RecordDetails(ctx, tx, a, "vendor.opening.record", "participant:"+r.Code, summary, details)
	})
}

// OpeningOf is the participant's opening cash, or ErrNotFound while she
// has recorded none.
func (s *Store) OpeningOf(ctx context.Context, participantID int64) (Opening, error) {
	var o Opening
	err := s.db.GetContext(ctx, &o, `
		SELECT participant_id, entry_id, business_date, amount, on_behalf, recorded_by, recorded_at
		FROM vendor_openings WHERE participant_id = $1`, participantID)
	if err != nil {
		return Opening{}, fmt.Errorf("vendors: opening of %d: %w", participantID, pg.NotFound(err, ErrNotFound))
	}
	return o, nil
}
