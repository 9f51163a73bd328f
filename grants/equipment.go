package grants

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/ledger"
	"hawker/participants"
	"hawker/pg"
	"hawker/valid"
)

// itemMove is one change of an item's status, for its history.
type itemMove struct {
	action         string
	to             ItemStatus
	holder         *int64 // who has it afterwards
	participant    *int64 // whom the move concerns (the receiver, or who gave it back)
	on             time.Time
	receivedBy     string
	acceptance     string
	note           string
	programmeEntry *int64
	vendorEntry    *int64
}

// moveItem sets it's status and holder and appends the move to its history.
func moveItem(ctx context.Context, tx *sqlx.Tx, a audit.Actor, it Item, m itemMove) error {
	if _, err := tx.ExecContext(ctx, `UPDATE grant_items SET status = $2, holder_id = $3 WHERE id = $1`, it.ID, m.to, m.holder); err != nil {
		if pg.IsUnique(err, "grant_items_asset_tag_key") {
			return valid.Errors{fmt.Sprintf("equipment.%d.asset_tag", it.Position-1): "grant.asset_tag_taken"}
		}
		return fmt.Errorf("grants: item %d to %s: %w", it.ID, m.to, err)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO grant_item_events (item_id, action, from_status, to_status, participant_id, business_date,
		                               received_by, acceptance, note, programme_entry_id, vendor_entry_id, done_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		it.ID, m.action, it.Status, m.to, m.participant, m.on.Format(time.DateOnly), m.receivedBy, m.acceptance, m.note,
		m.programmeEntry, m.vendorEntry, a.User())
	if err != nil {
		return fmt.Errorf("grants: item %d history: %w", it.ID, err)
	}
	return nil
}

// HandOverInput is a hand-over as a client sends it.
type HandOverInput struct {
	HandedOverOn string `json:"handed_over_on"`
	ReceivedBy   string `json:"received_by"`
	Acceptance   string `json:"acceptance"` // what she said or signed on accepting it
}

func (in HandOverInput) check(today time.Time) (time.Time, string, string, error) {
	errs := valid.Errors{}
	on, key := ParseDate(in.HandedOverOn)
	if key != "" {
		errs.Add("handed_over_on", key)
	} else if on.After(today) {
		errs.Add("handed_over_on", "grant.date_future")
	}
	by := checkText(errs, "received_by", in.ReceivedBy, true, 200)
	acc := checkText(errs, "acceptance", in.Acceptance, false, MaxText)
	return on, by, acc, errs.Err()
}

// itemOf finds item id among g's items.
func (g Grant) item(id int64) (Item, error) {
	for _, it := range g.Items {
		if it.ID == id {
			return it, nil
		}
	}
	return Item{}, fmt.Errorf("grants: grant %d has no item %d: %w", g.ID, id, ErrNotFound)
}

// HandOver gives an approved grant's item to its participant, who accepts
// it. One transaction posts the in-kind value in the programme's book
// (in-kind grants / equipment stock) and in hers (equipment / grant
// capital). An item not in stock (already with someone) is refused.
func (s *Store) HandOver(ctx context.Context, a audit.Actor, grantID, itemID int64, in HandOverInput, today time.Time) (Item, error) {
	if !isStaff(a) {
		return Item{}, ErrForbidden
	}
	on, by, acc, err := in.check(today)
	if err != nil {
		return Item{}, err
	}
	g, p, err := s.participantOf(ctx, grantID)
	if err != nil {
		return Item{}, err
	}
	if _, err := g.item(itemID); err != nil {
		return Item{}, err
	}
	if err := s.checkEligible(ctx, s.db, p.Code, on); err != nil {
		return Item{}, err
	}
	var out Item
	err = pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if err := s.checkEligible(ctx, tx, p.Code, on); err != nil {
			return err
		}
		g, err := s.lockGrant(ctx, tx, grantID)
		if err != nil {
			return err
		}
		if _, err := Next(g.State, HandOver); err != nil {
			return err
		}
		it, _, err := lockItem(ctx, tx, itemID)
		if err != nil {
			return err
		}
		if it.GrantID != g.ID {
			return fmt.Errorf("grants: grant %d has no item %d: %w", g.ID, itemID, ErrNotFound)
		}
		if it.Status != InStock {
			return fmt.Errorf("%w: item %d is %s", ErrItemUnavailable, it.ID, it.Status)
		}
		if it.AssetTag == "" {
			return valid.Errors{"asset_tag": "grant.asset_tag_required"}
		}
		pe, ve, err := s.postInKind(ctx, tx, a, g.FundID, p, it, on, "Hand-over", true)
		if err != nil {
			return err
		}
		holder := p.ID
		if err := moveItem(ctx, tx, a, it, itemMove{action: "handover", to: HandedOver, holder: &holder, participant: &holder,
			on: on, receivedBy: by, acceptance: acc, programmeEntry: &pe, vendorEntry: &ve}); err != nil {
			return err
		}
		if err := completeIfDone(ctx, tx, a, g.ID); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &out, `SELECT * FROM grant_items WHERE id = $1`, it.ID); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "grant.handover", g.Object(),
			fmt.Sprintf("item %d (%s) %s to %s on %s", it.ID, it.AssetTag, it.Value.String(), p.Code, on.Format(time.DateOnly)),
			itemDetails(it, p.Code, audit.Details{"amount": it.Value.String(), "on": on.Format(time.DateOnly)}))
	})
	return out, err
}

// postInKind posts an item's value in the programme's book and in p's:
// given (hand-over, reassignment: in-kind grants / stock; equipment / grant
// capital) or taken back (recovery: the reverse lines).
func (s *Store) postInKind(ctx context.Context, tx *sqlx.Tx, a audit.Actor, fundID int64, p participants.Participant, it Item, on time.Time, what string, give bool) (int64, int64, error) {
	f, err := fundTx(ctx, tx, fundID)
	if err != nil {
		return 0, 0, err
	}
	book, err := s.vendors.In(tx).EnsureBook(ctx, p.ID, p.Code)
	if err != nil {
		return 0, 0, err
	}
	v := it.Value
	if !give {
		v = v.Neg()
	}
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM grant_item_events WHERE item_id = $1`, it.ID); err != nil {
		return 0, 0, err
	}
	ref := fmt.Sprintf("item:%d:%d", it.ID, n+1)
	memo := fmt.Sprintf("%s of %s (%s) to %s", what, it.Description, it.AssetTag, p.Code)
	if !give {
		memo = fmt.Sprintf("%s of %s (%s) from %s", what, it.Description, it.AssetTag, p.Code)
	}
	prog := fundPosting(f.BookID, f.ID, memo, ref, ref, a.UserID, leg{acctInKind, v}, leg{acctStock, v.Neg()})
	prog.BusinessDate = on
	es, err := s.ledger.In(tx).PostAll(ctx, prog, ledger.Posting{Book: book, BusinessDate: on, Memo: memo, Reference: ref, IdempotencyKey: ref,
		CreatedBy: a.UserID, Lines: []ledger.Line{{Code: vendorEquipment, Amount: v.Decimal()}, {Code: vendorGrantCapital, Amount: v.Neg().Decimal()}}})
	if err != nil {
		return 0, 0, fmt.Errorf("grants: %s: %w", ref, err)
	}
	pe, ve := es[0], es[1]
	return pe.ID, ve.ID, nil
}

// lockItem reads an item and locks it (and so its grant's history) for the transaction.
func lockItem(ctx context.Context, tx *sqlx.Tx, id int64) (Item, int64, error) {
	var it Item
	if err := tx.GetContext(ctx, &it, `SELECT * FROM grant_items WHERE id = $1 FOR UPDATE`, id); err != nil {
		return Item{}, 0, fmt.Errorf("grants: item %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	var fund int64
	if err := tx.GetContext(ctx, &fund, `SELECT fund_id FROM grants WHERE id = $1`, it.GrantID); err != nil {
		return Item{}, 0, err
	}
	return it, fund, nil
}

// MoveInput is a recovery, reassignment or write-off as a client sends it.
type MoveInput struct {
	On          string `json:"on"`
	Note        string `json:"note"`
	Participant string `json:"participant"` // reassignment: to whom
	ReceivedBy  string `json:"received_by"` // reassignment: who received it
	Acceptance  string `json:"acceptance"`
}

func (in MoveInput) check(today time.Time, needNote bool) (time.Time, string, error) {
	errs := valid.Errors{}
	on, key := ParseDate(in.On)
	if key != "" {
		errs.Add("on", key)
	} else if on.After(today) {
		errs.Add("on", "grant.date_future")
	}
	note := checkText(errs, "note", in.Note, needNote, MaxText)
	return on, note, errs.Err()
}

// Recover takes an item back from whoever has it (her business closed): the
// return is posted in both books, the reverse of the hand-over, and the
// item is back in stock as returned.
func (s *Store) Recover(ctx context.Context, a audit.Actor, itemID int64, in MoveInput, today time.Time) (Item, error) {
	if !isStaff(a) {
		return Item{}, ErrForbidden
	}
	on, note, err := in.check(today, true)
	if err != nil {
		return Item{}, err
	}
	held := func(it Item) bool { return (it.Status == HandedOver || it.Status == Reassigned) && it.HolderID != nil }
	return s.changeItem(ctx, itemID, held, func(tx *sqlx.Tx, it Item, fund int64) error {
		p, err := s.people.ByID(ctx, *it.HolderID)
		if err != nil {
			return err
		}
		pe, ve, err := s.postInKind(ctx, tx, a, fund, p, it, on, "Recovery", false)
		if err != nil {
			return err
		}
		if err := moveItem(ctx, tx, a, it, itemMove{action: "recover", to: Returned, participant: &p.ID, on: on, note: note,
			programmeEntry: &pe, vendorEntry: &ve}); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "grant.item.recover", fmt.Sprintf("grant:%d", it.GrantID),
			fmt.Sprintf("item %d (%s) recovered from %s: %s", it.ID, it.AssetTag, p.Code, note),
			itemDetails(it, p.Code, audit.Details{"on": on.Format(time.DateOnly), "note": note}))
	})
}

// Reassign hands a returned item to another eligible participant, posted
// like a hand-over in the programme's book and in hers.
func (s *Store) Reassign(ctx context.Context, a audit.Actor, itemID int64, in MoveInput, today time.Time) (Item, error) {
	if !isStaff(a) {
		return Item{}, ErrForbidden
	}
	on, note, err := in.check(today, false)
	if err != nil {
		return Item{}, err
	}
	errs := valid.Errors{}
	by := checkText(errs, "received_by", in.ReceivedBy, true, 200)
	acc := checkText(errs, "acceptance", in.Acceptance, false, MaxText)
	p, perr := s.people.ByCode(ctx, strings.ToUpper(strings.TrimSpace(in.Participant)))
	if errors.Is(perr, participants.ErrNotFound) {
		errs.Add("participant", "grant.participant_unknown")
	} else if perr != nil {
		return Item{}, perr
	}
	if err := errs.Err(); err != nil {
		return Item{}, err
	}
	if err := s.checkEligible(ctx, s.db, p.Code, on); err != nil {
		return Item{}, err
	}
	return s.changeItem(ctx, itemID, returned, func(tx *sqlx.Tx, it Item, fund int64) error {
		pe, ve, err := s.postInKind(ctx, tx, a, fund, p, it, on, "Reassignment", true)
		if err != nil {
			return err
		}
		if err := moveItem(ctx, tx, a, it, itemMove{action: "reassign", to: Reassigned, holder: &p.ID, participant: &p.ID, on: on,
			receivedBy: by, acceptance: acc, note: note, programmeEntry: &pe, vendorEntry: &ve}); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "grant.item.reassign", fmt.Sprintf("grant:%d", it.GrantID),
			fmt.Sprintf("item %d (%s) reassigned to %s", it.ID, it.AssetTag, p.Code),
			itemDetails(it, p.Code, audit.Details{"on": on.Format(time.DateOnly)}))
	})
}

// WriteOff removes a returned item from stock for good (lost, broken),
// posted as a write-off of the fund.
func (s *Store) WriteOff(ctx context.Context, a audit.Actor, itemID int64, in MoveInput, today time.Time) (Item, error) {
	if !isStaff(a) {
		return Item{}, ErrForbidden
	}
	on, note, err := in.check(today, true)
	if err != nil {
		return Item{}, err
	}
	return s.changeItem(ctx, itemID, returned, func(tx *sqlx.Tx, it Item, fund int64) error {
		f, err := fundTx(ctx, tx, fund)
		if err != nil {
			return err
		}
		ref := fmt.Sprintf("item:%d:writeoff", it.ID)
		post := fundPosting(f.BookID, f.ID, fmt.Sprintf("Write-off of %s (%s)", it.Description, it.AssetTag), ref, ref, a.UserID,
			leg{acctWriteOff, it.Value}, leg{acctStock, it.Value.Neg()})
		post.BusinessDate = on
		e, err := s.ledger.In(tx).Post(ctx, post)
		if err != nil {
			return fmt.Errorf("grants: %s: %w", ref, err)
		}
		if err := moveItem(ctx, tx, a, it, itemMove{action: "write_off", to: WrittenOff, on: on, note: note, programmeEntry: &e.ID}); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "grant.item.write_off", fmt.Sprintf("grant:%d", it.GrantID),
			fmt.Sprintf("item %d (%s) written off: %s", it.ID, it.AssetTag, note),
			itemDetails(it, "", audit.Details{"on": on.Format(time.DateOnly), "note": note}))
	})
}

func returned(it Item) bool { return it.Status == Returned }

// changeItem runs fn in one transaction on item itemID, locked, once ok
// accepts its status (ErrItemUnavailable otherwise), and reads the item back.
func (s *Store) changeItem(ctx context.Context, itemID int64, ok func(Item) bool, fn func(tx *sqlx.Tx, it Item, fund int64) error) (Item, error) {
	var out Item
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		it, fund, err := lockItem(ctx, tx, itemID)
		if err != nil {
			return err
		}
		if !ok(it) {
			return fmt.Errorf("%w: item %d is %s", ErrItemUnavailable, it.ID, it.Status)
		}
		if err := fn(tx, it, fund); err != nil {
			return err
		}
		return tx.GetContext(ctx, &out, `SELECT * FROM grant_items WHERE id = $1`, it.ID)
	})
	return out, err
}

// RegisterRow is an item in the equipment register.
type RegisterRow struct {
	Item
	FundID        int64   `db:"fund_id"`
	FundName      string  `db:"fund_name"`
	ParticipantID int64   `db:"grant_participant_id"`
	DonorName     string  `db:"-"`
	Participant   string  `db:"-"` // the grant's participant's code
	HolderCode    *string `db:"-"`
}

// RegisterFilter narrows the register; empty fields do not filter.
type RegisterFilter struct {
	Status ItemStatus
	Donor  int64
}

// Register lists the items that entered the register (approved grants'),
// by asset tag.
func (s *Store) Register(ctx context.Context, f RegisterFilter) ([]RegisterRow, error) {
	rows := []RegisterRow{}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT i.*, g.fund_id, f.name AS fund_name, g.participant_id AS grant_participant_id
		FROM grant_items i
		JOIN grants g ON g.id = i.grant_id
		JOIN funds f ON f.id = g.fund_id
		WHERE i.status <> 'planned' AND ($1 = '' OR i.status = $1) AND ($2 = 0 OR i.donor_id = $2)
		ORDER BY i.asset_tag, i.id`, string(f.Status), f.Donor)
	if err != nil {
		return nil, fmt.Errorf("grants: register: %w", err)
	}
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.ParticipantID)
		if r.HolderID != nil {
			ids = append(ids, *r.HolderID)
		}
	}
	codes, err := s.codes(ctx, ids...)
	if err != nil {
		return nil, err
	}
	names, err := s.donorNames(ctx)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Participant, rows[i].DonorName = codes[rows[i].ParticipantID], names[rows[i].DonorID]
		if h := rows[i].HolderID; h != nil {
			c := codes[*h]
			rows[i].HolderCode = &c
		}
	}
	return rows, nil
}

// ItemEvent is one move in an item's history.
type ItemEvent struct {
	ID               int64     `db:"id"`
	ItemID           int64     `db:"item_id"`
	Action           string    `db:"action"`
	FromStatus       string    `db:"from_status"`
	ToStatus         string    `db:"to_status"`
	ParticipantID    *int64    `db:"participant_id"`
	Participant      *string   `db:"-"` // her code
	BusinessDate     time.Time `db:"business_date"`
	ReceivedBy       string    `db:"received_by"`
	Acceptance       string    `db:"acceptance"`
	Note             string    `db:"note"`
	ProgrammeEntryID *int64    `db:"programme_entry_id"`
	VendorEntryID    *int64    `db:"vendor_entry_id"`
	DoneBy           *int64    `db:"done_by"`
	DoneAt           time.Time `db:"done_at"`
}

// History lists an item's moves, oldest first.
func (s *Store) History(ctx context.Context, itemID int64) ([]ItemEvent, error) {
	es := []ItemEvent{}
	err := s.db.SelectContext(ctx, &es, `
		SELECT e.* FROM grant_item_events e WHERE e.item_id = $1 ORDER BY e.id`, itemID)
	if err != nil {
		return nil, fmt.Errorf("grants: history of item %d: %w", itemID, err)
	}
	var ids []int64
	for _, e := range es {
		if e.ParticipantID != nil {
			ids = append(ids, *e.ParticipantID)
		}
	}
	codes, err := s.codes(ctx, ids...)
	if err != nil {
		return nil, err
	}
	for i, e := range es {
		if e.ParticipantID != nil {
			c := codes[*e.ParticipantID]
			es[i].Participant = &c
		}
	}
	return es, nil
}

// Item reads one item.
func (s *Store) Item(ctx context.Context, id int64) (Item, error) {
	var it Item
	if err := s.db.GetContext(ctx, &it, `SELECT * FROM grant_items WHERE id = $1`, id); err != nil {
		return Item{}, fmt.Errorf("grants: item %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return it, nil
}

// itemDetails are an item's facts for its audit events (the grant's
// timeline): what it is, its tag and value, and whom it went to or came
// from, with the step's own facts d.
func itemDetails(it Item, participant string, d audit.Details) audit.Details {
	d["item"], d["tag"], d["value"] = it.Description, it.AssetTag, it.Value.String()
	if participant != "" {
		d["participant"] = participant
	}
	return d
}
