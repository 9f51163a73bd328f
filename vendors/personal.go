package vendors

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// EntryDoc is a vendor entry as the API and the personal-data export show
// it. A replay of a request answers with exactly the first answer's body.
type EntryDoc struct {
	ID          int64      `json:"id"`
	EntryID     int64      `json:"entry_id"`
	Participant string     `json:"participant"`
	Date        string     `json:"date"`
	Kind        string     `json:"kind"`
	Amount      string     `json:"amount"`
	Category    string     `json:"category,omitempty"`
	Method      string     `json:"method,omitempty"`
	Note        string     `json:"note"`
	OnBehalf    bool       `json:"on_behalf"`
	Late        bool       `json:"late"`                // booked late: its month had closed
	BookedOn    string     `json:"booked_on,omitempty"` // a late entry's ledger date
	RecordedAt  time.Time  `json:"recorded_at"`
	Voided      bool       `json:"voided"`
	VoidReason  string     `json:"void_reason,omitempty"`
	ReversalID  *int64     `json:"reversal_entry_id,omitempty"`
	VoidedAt    *time.Time `json:"voided_at,omitempty"`
}

// Doc is r as the API and the export show it.
func (r Recorded) Doc() EntryDoc {
	out := EntryDoc{
		ID: r.ID, EntryID: r.EntryID, Participant: r.Participant, Date: r.Date.Format(time.DateOnly),
		Kind: string(r.Kind), Amount: r.Amount.String(), Note: r.Note, OnBehalf: r.OnBehalf,
		RecordedAt: r.RecordedAt.UTC(), Voided: r.Voided(), ReversalID: r.ReversalID,
	}
	if r.BookedOn != nil {
		out.Late, out.BookedOn = true, r.BookedOn.Format(time.DateOnly)
	}
	if r.Category != nil {
		out.Category = string(*r.Category)
	}
	if r.Method != nil {
		out.Method = string(*r.Method)
	}
	if r.VoidReason != nil {
		out.VoidReason = *r.VoidReason
	}
	if r.VoidedAt != nil {
		t := r.VoidedAt.UTC()
		out.VoidedAt = &t
	}
	return out
}

// OpeningDoc is her opening cash as the export shows it.
type OpeningDoc struct {
	Date       string    `json:"date"`
	Amount     string    `json:"amount"`
	OnBehalf   bool      `json:"on_behalf"`
	RecordedAt time.Time `json:"recorded_at"`
}

// PromptPayDoc is the PromptPay id a vendor saved for her customers' QR.
type PromptPayDoc struct {
	Kind  string `json:"kind" db:"id_kind"`
	Value string `json:"value" db:"id_value"`
}

// ExportPersonal gives a participant's export her "promptpay" id (null
// when none is saved), her "books", entry by entry, voids marked, and her
// "opening_cash" (null when none) (participants.PersonalData).
func (s *Store) ExportPersonal(ctx context.Context, tx *sqlx.Tx, participantID int64) (map[string]any, error) {
	var pp []PromptPayDoc
	if err := tx.SelectContext(ctx, &pp, `SELECT id_kind, id_value FROM vendor_promptpay WHERE participant_id = $1`, participantID); err != nil {
		return nil, fmt.Errorf("vendors: promptpay of %d: %w", participantID, err)
	}
	var promptpay *PromptPayDoc
	if len(pp) > 0 {
		promptpay = &pp[0]
	}
	var rs []Recorded
	if err := tx.SelectContext(ctx, &rs, `SELECT `+recordedColumns+recordedFrom+`
		WHERE ve.participant_id = $1 ORDER BY ve.business_date, ve.id`, participantID); err != nil {
		return nil, fmt.Errorf("vendors: entries of %d: %w", participantID, err)
	}
	books := make([]EntryDoc, len(rs))
	for i, r := range rs {
		books[i] = r.Doc()
	}
	var os []Opening
	if err := tx.SelectContext(ctx, &os, `SELECT participant_id, entry_id, business_date, amount, on_behalf, recorded_by, recorded_at
		FROM vendor_openings WHERE participant_id = $1`, participantID); err != nil {
		return nil, fmt.Errorf("vendors: opening of %d: %w", participantID, err)
	}
	var opening *OpeningDoc
	if len(os) > 0 {
		opening = &OpeningDoc{Date: os[0].Date.Format(time.DateOnly), Amount: os[0].Amount.String(), OnBehalf: os[0].OnBehalf, RecordedAt: os[0].RecordedAt.UTC()}
	}
	return map[string]any{"promptpay": promptpay, "books": books, "opening_cash": opening}, nil
}

// ErasePersonal deletes an erased participant's PromptPay id (her mobile
// or national id number) and marks her book erased, so that it takes no
// new entry. Her books stay: they are figures, under her code
// (participants.PersonalData).
func (s *Store) ErasePersonal(ctx context.Context, tx *sqlx.Tx, participantID int64) (string, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE vendor_books SET erased_at = now() WHERE participant_id = $1`, participantID); err != nil {
		return "", fmt.Errorf("vendors: erase book of %d: %w", participantID, err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM vendor_promptpay WHERE participant_id = $1`, participantID)
	if err != nil {
		return "", fmt.Errorf("vendors: erase promptpay of %d: %w", participantID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", fmt.Errorf("vendors: erase promptpay of %d: %w", participantID, err)
	} else if n == 0 {
		return "", nil
	}
	return "PromptPay id", nil
}

// PersonalTables names this package's tables that refer to a participant.
func (s *Store) PersonalTables() []string {
	return []string{"vendor_books", "vendor_entries", "vendor_promptpay", "vendor_openings", "vendor_month_sums"}
}
