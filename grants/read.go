package grants

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"hawker/money"

	"hawker/audit"
	"hawker/ledger"
)

// Row is a grant in a list.
type Row struct {
	ID            int64        `db:"id"`
	ParticipantID int64        `db:"participant_id"`
	Participant   string       `db:"-"` // her code
	FundID        int64        `db:"fund_id"`
	FundName      string       `db:"fund_name"`
	State         State        `db:"state"`
	Total         money.Amount `db:"total"`
	Released      money.Amount `db:"released"`
	CreatedBy     *int64       `db:"created_by"`
	UpdatedAt     time.Time    `db:"updated_at"`
	Approvals     int          `db:"approvals"`
	Needed        int          `db:"approvals_needed"`
}

// Filter narrows a list of grants; empty fields do not filter.
type Filter struct {
	State       State
	Participant int64
	Fund        int64
}

// List returns grants matching f, most recently changed first.
func (s *Store) List(ctx context.Context, f Filter) ([]Row, error) {
	rows := []Row{}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT g.id, g.participant_id, g.fund_id, f.name AS fund_name, g.state, g.total,
		       COALESCE((SELECT sum(t.amount) FROM grant_tranches t WHERE t.grant_id = g.id AND t.state = 'disbursed'), 0)
		     + COALESCE((SELECT sum(i.value) FROM grant_items i WHERE i.grant_id = g.id
		                 AND i.status IN ('handed_over', 'returned', 'reassigned', 'written_off')), 0) AS released,
		       g.created_by, g.updated_at, g.approvals_needed,
		       (SELECT count(*) FROM grant_approvals a WHERE a.grant_id = g.id) AS approvals
		FROM grants g JOIN funds f ON f.id = g.fund_id
		WHERE ($1 = '' OR g.state = $1) AND ($2 = 0 OR g.participant_id = $2) AND ($3 = 0 OR g.fund_id = $3)
		ORDER BY g.updated_at DESC, g.id DESC LIMIT 500`, string(f.State), f.Participant, f.Fund)
	if err != nil {
		return nil, fmt.Errorf("grants: list: %w", err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ParticipantID
	}
	codes, err := s.codes(ctx, ids...)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Participant = codes[rows[i].ParticipantID]
	}
	return rows, nil
}

// Grants reads the full grants of a participant, newest first.
func (s *Store) Grants(ctx context.Context, participantID int64) ([]Grant, error) {
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM grants WHERE participant_id = $1 ORDER BY id DESC`, participantID); err != nil {
		return nil, fmt.Errorf("grants: of participant %d: %w", participantID, err)
	}
	out := make([]Grant, 0, len(ids))
	for _, id := range ids {
		g, err := s.Grant(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// Timeline is a grant's audit trail, oldest first.
func (s *Store) Timeline(ctx context.Context, g Grant) ([]audit.Event, error) {
	es, err := audit.List(ctx, s.db, audit.Filter{Object: g.Object(), Limit: 500})
	if err != nil {
		return nil, err
	}
	out := make([]audit.Event, 0, len(es))
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Object == g.Object() { // the prefix also matches grant:1 for grant:10
			out = append(out, es[i])
		}
	}
	return out, nil
}

// ReceivedLine is one thing a participant received from (or gave back to)
// the programme in a month.
type ReceivedLine struct {
	Date        time.Time    `json:"date"`
	Grant       int64        `json:"grant"`
	Kind        string       `json:"kind"` // "cash", "equipment", "returned"
	Description string       `json:"description"`
	Amount      money.Amount `json:"amount"` // negative for what went back
	EntryID     int64        `json:"entry_id"`
}

// Received is what a participant received from grants in a month. Cash and
// Equipment are the month's debits of her cash and equipment accounts
// against grant capital, read from the ledger's statement of her grant
// capital account; Lines say what each was.
type Received struct {
	Month     time.Time      `json:"month"`
	Cash      money.Amount   `json:"cash"`
	Equipment money.Amount   `json:"equipment"`
	Returned  money.Amount   `json:"returned"`
	Lines     []ReceivedLine `json:"lines"`
}

// ReceivedIn is what participant received from grants (cash tranches and
// equipment, less equipment recovered) in the month holding month: for her
// monthly statement. Amounts come from her book's ledger entries.
func (s *Store) ReceivedIn(ctx context.Context, participantID int64, month time.Time) (Received, error) {
	month = ledger.MonthOf(month)
	r := Received{Month: month, Cash: money.Zero, Equipment: money.Zero, Returned: money.Zero, Lines: []ReceivedLine{}}
	type ref struct {
		Date    time.Time `db:"business_date"`
		Grant   int64     `db:"grant_id"`
		Kind    string    `db:"kind"`
		What    string    `db:"what"`
		EntryID int64     `db:"vendor_entry_id"`
	}
	var refs []ref
	err := s.db.SelectContext(ctx, &refs, `
		SELECT t.disbursed_on AS business_date, t.grant_id, 'cash' AS kind, 'tranche ' || t.n AS what, t.vendor_entry_id
		FROM grant_tranches t JOIN grants g ON g.id = t.grant_id
		WHERE g.participant_id = $1 AND t.state IN ('disbursed', 'reversed') AND t.disbursed_on >= $2::date AND t.disbursed_on < $3::date
		UNION ALL
		SELECT t.reversed_on, t.grant_id, 'returned', 'tranche ' || t.n || ' reversed', t.reversal_entry_ids[2]
		FROM grant_tranches t JOIN grants g ON g.id = t.grant_id
		WHERE g.participant_id = $1 AND t.state = 'reversed' AND t.reversed_on >= $2::date AND t.reversed_on < $3::date
		UNION ALL
		SELECT e.business_date, i.grant_id, CASE WHEN e.action = 'recover' THEN 'returned' ELSE 'equipment' END,
		       i.description || CASE WHEN i.asset_tag <> '' THEN ' (' || i.asset_tag || ')' ELSE '' END, e.vendor_entry_id
		FROM grant_item_events e JOIN grant_items i ON i.id = e.item_id
		WHERE e.participant_id = $1 AND e.action IN ('handover', 'reassign', 'recover') AND e.vendor_entry_id IS NOT NULL
		  AND e.business_date >= $2::date AND e.business_date < $3::date
		ORDER BY 1, 5`, participantID, month.Format(time.DateOnly), month.AddDate(0, 1, 0).Format(time.DateOnly))
	if err != nil {
		return Received{}, fmt.Errorf("grants: received by %d in %s: %w", participantID, month.Format("2006-01"), err)
	}
	for _, x := range refs {
		e, err := s.ledger.Entry(ctx, x.EntryID)
		if err != nil {
			return Received{}, err
		}
		// The entry's debit line is what came in (cash or equipment); a
		// recovery's credit line on equipment is what went back.
		amount := money.Zero
		for _, l := range e.Lines {
			if l.Amount.IsPositive() {
				amount = l.Amount
			}
		}
		line := ReceivedLine{Date: x.Date, Grant: x.Grant, Kind: x.Kind, Description: x.What, EntryID: x.EntryID, Amount: amount}
		switch x.Kind {
		case "cash":
			r.Cash = r.Cash.Add(amount)
		case "equipment":
			r.Equipment = r.Equipment.Add(amount)
		case "returned":
			line.Amount = amount.Neg()
			r.Returned = r.Returned.Add(amount)
		}
		r.Lines = append(r.Lines, line)
	}
	return r, nil
}

// ParticipantDoc is a participant's grants in her personal-data export:
// what was granted, what she received, and her hand-over acceptances.
type ParticipantDoc struct {
	Grants    []GrantDoc    `json:"grants"`
	HandOvers []HandOverDoc `json:"handovers"`
}

// GrantDoc is one grant in the export.
type GrantDoc struct {
	ID       int64        `json:"id"`
	Fund     string       `json:"fund"`
	State    State        `json:"state"`
	Total    money.Amount `json:"total"`
	Received []TrancheDoc `json:"received"`
}

// TrancheDoc is a tranche she received.
type TrancheDoc struct {
	N      int          `json:"n"`
	Amount money.Amount `json:"amount"`
	On     string       `json:"on"`
}

// HandOverDoc is an item handed to her (or recovered from her), with her acceptance.
type HandOverDoc struct {
	Item        int64        `db:"item" json:"item"`
	Description string       `db:"description" json:"description"`
	AssetTag    string       `db:"asset_tag" json:"asset_tag"`
	Value       money.Amount `db:"value" json:"value"`
	Action      string       `db:"action" json:"action"`
	On          string       `db:"on_date" json:"on"`
	ReceivedBy  string       `db:"received_by" json:"received_by"`
	Acceptance  string       `db:"acceptance" json:"acceptance"`
}

// ExportPersonal is the grants part of a participant's personal-data
// export (participants.PersonalData): her grants, what she received, and
// each hand-over with who received it and her acceptance.
func (s *Store) ExportPersonal(ctx context.Context, tx *sqlx.Tx, participantID int64) (map[string]any, error) {
	doc := ParticipantDoc{Grants: []GrantDoc{}, HandOvers: []HandOverDoc{}}
	var gs []struct {
		ID    int64        `db:"id"`
		Fund  string       `db:"fund"`
		State State        `db:"state"`
		Total money.Amount `db:"total"`
	}
	if err := tx.SelectContext(ctx, &gs, `
		SELECT g.id, f.name AS fund, g.state, g.total FROM grants g JOIN funds f ON f.id = g.fund_id
		WHERE g.participant_id = $1 ORDER BY g.id`, participantID); err != nil {
		return nil, fmt.Errorf("grants: export of %d: %w", participantID, err)
	}
	var ts []struct {
		Grant  int64        `db:"grant_id"`
		N      int          `db:"n"`
		Amount money.Amount `db:"amount"`
		On     string       `db:"on_date"`
	}
	if err := tx.SelectContext(ctx, &ts, `
		SELECT t.grant_id, t.n, t.amount, to_char(t.disbursed_on, 'YYYY-MM-DD') AS on_date
		FROM grant_tranches t JOIN grants g ON g.id = t.grant_id
		WHERE g.participant_id = $1 AND t.state = 'disbursed' ORDER BY t.grant_id, t.n`, participantID); err != nil {
		return nil, fmt.Errorf("grants: export of %d: %w", participantID, err)
	}
	for _, g := range gs {
		gd := GrantDoc{ID: g.ID, Fund: g.Fund, State: g.State, Total: g.Total, Received: []TrancheDoc{}}
		for _, t := range ts {
			if t.Grant == g.ID {
				gd.Received = append(gd.Received, TrancheDoc{N: t.N, Amount: t.Amount, On: t.On})
			}
		}
		doc.Grants = append(doc.Grants, gd)
	}
	err := tx.SelectContext(ctx, &doc.HandOvers, `
		SELECT i.id AS item, i.description, i.asset_tag, i.value, e.action, to_char(e.business_date, 'YYYY-MM-DD') AS on_date,
		       e.received_by, e.acceptance
		FROM grant_item_events e JOIN grant_items i ON i.id = e.item_id
		WHERE e.participant_id = $1 ORDER BY e.id`, participantID)
	if err != nil {
		return nil, fmt.Errorf("grants: export of %d: %w", participantID, err)
	}
	return map[string]any{"grants": doc.Grants, "equipment_received": doc.HandOvers}, nil
}

// ErasePersonal removes the personal data grants hold about a participant
// (who received each item, and her acceptance in her words) inside the
// erasure's transaction. The amounts, dates and ledger entries stay, under
// her code.
func (s *Store) ErasePersonal(ctx context.Context, tx *sqlx.Tx, participantID int64) (string, error) {
	res, err := tx.ExecContext(ctx, `
		UPDATE grant_item_events SET received_by = '', acceptance = ''
		WHERE participant_id = $1 AND (received_by <> '' OR acceptance <> '')`, participantID)
	if err != nil {
		return "", fmt.Errorf("grants: erase %d: %w", participantID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return "", err
	}
	return "equipment hand-over acceptances", nil
}

// PersonalTables are grants' tables that refer to a participant.
func (s *Store) PersonalTables() []string {
	return []string{"grants", "grant_items", "grant_item_events"}
}
