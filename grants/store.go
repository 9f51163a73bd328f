package grants

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"hawker/money"

	"hawker/audit"
	"hawker/donors"
	"hawker/ledger"
	"hawker/participants"
	"hawker/pg"
	"hawker/valid"
	"hawker/vendors"
)

// Store reads and writes grants, funds and the equipment register.
type Store struct {
	db      *sqlx.DB
	ledger  *ledger.Store
	vendors *vendors.Store
	people  *participants.Store
	donors  *donors.Store
}

// NewStore returns a Store on db that posts vendors' sides through v (which
// keeps the participant → book cache and the ledger's statements).
func NewStore(db *sqlx.DB, v *vendors.Store) *Store {
	return &Store{db: db, ledger: v.Ledger(), vendors: v, people: participants.NewStore(db), donors: donors.NewStore(db)}
}

// DefaultThreshold is the grant total above which a manager's second
// approval is needed, until an administrator changes it.
var DefaultThreshold = money.Baht(50000)

// Threshold is the current setting.
func (s *Store) Threshold(ctx context.Context) (money.Amount, error) {
	var d money.Amount
	if err := s.db.GetContext(ctx, &d, `SELECT manager_threshold FROM grant_settings`); err != nil {
		return money.Amount{}, fmt.Errorf("grants: threshold: %w", err)
	}
	return d, nil
}

// SetThreshold changes the threshold (administrators).
func (s *Store) SetThreshold(ctx context.Context, a audit.Actor, d money.Amount) error {
	if !d.IsPositive() || !d.LessThan(maxTotal) {
		return valid.Errors{"manager_threshold": "grant.amount_invalid"}
	}
	return pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE grant_settings SET manager_threshold = $1, updated_at = now(), updated_by = $2`, d.String(), a.User()); err != nil {
			return fmt.Errorf("grants: set threshold: %w", err)
		}
		return audit.RecordDetails(ctx, tx, a, "grant.settings.threshold", "settings:grants", "manager threshold "+d.String(),
			audit.Details{"amount": d.String()})
	})
}

// approvalsFor is how many approvals a grant of total needs.
func approvalsFor(total, threshold money.Amount) int {
	if total.GreaterThan(threshold) {
		return 2
	}
	return 1
}

// isStaff reports an officer or a manager: the programme officers who
// draft, approve and release grants.
func isStaff(a audit.Actor) bool { return a.Role == "officer" || a.Role == "manager" }

// checkEligible refuses a participant who is not eligible today, with
// every reason. It reads through q, the caller's transaction, so that the
// check and the grant's step see one state of her file.
func (s *Store) checkEligible(ctx context.Context, q sqlx.QueryerContext, code string, today time.Time) error {
	e, err := s.people.Eligibility(ctx, q, code, today)
	if err != nil {
		return fmt.Errorf("grants: eligibility of %s: %w", code, err)
	}
	if !e.Eligible {
		return &NotEligibleError{Reasons: e.Reasons}
	}
	return nil
}

// Create stores a new draft grant for the participant in.Participant,
// drafted by a, starting from her approved plan (kept with the grant).
func (s *Store) Create(ctx context.Context, a audit.Actor, in Input) (Grant, error) {
	d, p, f, err := s.checkDraft(ctx, a, in)
	if err != nil {
		return Grant{}, err
	}
	plan, err := s.approvedPlan(ctx, p)
	if err != nil {
		return Grant{}, err
	}
	var id int64
	err = pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &id, `
			INSERT INTO grants (participant_id, fund_id, plan_id, total, purpose, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, p.ID, f.ID, plan, d.Total(), d.Purpose, a.User())
		if err != nil {
			return fmt.Errorf("grants: create: %w", err)
		}
		if err := s.writeLines(ctx, tx, id, f, d); err != nil {
			return err
		}
		return recordDraft(ctx, tx, a, "grant.create", fmt.Sprintf("grant:%d", id), d, p, f)
	})
	if err != nil {
		return Grant{}, err
	}
	return s.Grant(ctx, id)
}

// checkDraft is what Create and Update read before they write: a staff
// member's checked input, with its participant and its fund.
func (s *Store) checkDraft(ctx context.Context, a audit.Actor, in Input) (Checked, participants.Participant, Fund, error) {
	if !isStaff(a) {
		return Checked{}, participants.Participant{}, Fund{}, ErrForbidden
	}
	d, err := in.Check()
	if err != nil {
		return Checked{}, participants.Participant{}, Fund{}, err
	}
	p, f, err := s.parties(ctx, d)
	return d, p, f, err
}

// recordDraft audits a draft written (grant.create, grant.edit).
func recordDraft(ctx context.Context, tx *sqlx.Tx, a audit.Actor, action, object string, d Checked, p participants.Participant, f Fund) error {
	return audit.RecordDetails(ctx, tx, a, action, object, fmt.Sprintf("%s from fund %d, total %s", p.Code, f.ID, d.Total().String()),
		audit.Details{"participant": p.Code, "fund": f.Name, "total": d.Total().String()})
}

// approvedPlan is the latest approved version of p's plan, which the grant
// rests on, or nil.
func (s *Store) approvedPlan(ctx context.Context, p participants.Participant) (*int64, error) {
	ps, err := s.people.Plans(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("grants: plan of %s: %w", p.Code, err)
	}
	for _, pl := range ps { // newest first
		if pl.State == participants.Approved {
			id := pl.ID
			return &id, nil
		}
	}
	return nil, nil
}

// codes maps participant ids to their codes.
func (s *Store) codes(ctx context.Context, ids ...int64) (map[int64]string, error) {
	m, err := s.people.Codes(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("grants: %w", err)
	}
	return m, nil
}

// parties resolves a draft's participant and fund; unknown ones are field errors.
func (s *Store) parties(ctx context.Context, d Checked) (participants.Participant, Fund, error) {
	p, err := s.people.ByCode(ctx, d.Participant)
	if errors.Is(err, participants.ErrNotFound) {
		return p, Fund{}, valid.Errors{"participant": "grant.participant_unknown"}
	}
	if err != nil {
		return p, Fund{}, err
	}
	if p.Erased() {
		return p, Fund{}, ErrErased
	}
	f, err := s.Fund(ctx, d.Fund)
	if errors.Is(err, ErrNotFound) {
		return p, f, valid.Errors{"fund": "grant.fund_unknown"}
	}
	return p, f, err
}

// writeLines writes a draft's tranches and items (the grant's own rows).
func (s *Store) writeLines(ctx context.Context, tx *sqlx.Tx, id int64, f Fund, d Checked) error {
	for _, t := range d.Tranches {
		var after *string
		if t.AfterDate != nil {
			a := t.AfterDate.Format(time.DateOnly)
			after = &a
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO grant_tranches (grant_id, n, amount, condition, after_date, trading_days, milestone)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, t.N, t.Amount, t.Condition, after, t.TradingDays, t.Milestone)
		if err != nil {
			return fmt.Errorf("grants: tranche %d: %w", t.N, err)
		}
	}
	for _, it := range d.Items {
		donor := it.DonorID
		if donor == 0 {
			donor = f.DonorID
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO grant_items (grant_id, position, description, asset_tag, serial, value, basis, donor_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, it.Position, it.Description, it.AssetTag, it.Serial, it.Value, it.Basis, donor)
		if pg.Constraint(err) == "grant_items_donor_id_fkey" {
			return valid.Errors{fmt.Sprintf("equipment.%d.donor", it.Position-1): "grant.donor_unknown"}
		}
		if err != nil {
			return fmt.Errorf("grants: item %d: %w", it.Position, err)
		}
	}
	return nil
}

// Update replaces a draft's fields, tranches and items. Whoever edits a
// draft she did not draft becomes one of its editors, and may not approve it.
func (s *Store) Update(ctx context.Context, a audit.Actor, id int64, in Input) (Grant, error) {
	d, p, f, err := s.checkDraft(ctx, a, in)
	if err != nil {
		return Grant{}, err
	}
	return s.changeGrant(ctx, id, Edit, func(tx *sqlx.Tx, g Grant, _ State) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM grant_tranches WHERE grant_id = $1`, id); err != nil {
			return fmt.Errorf("grants: update %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM grant_items WHERE grant_id = $1`, id); err != nil {
			return fmt.Errorf("grants: update %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE grants SET participant_id = $2, fund_id = $3, total = $4, purpose = $5, updated_at = now() WHERE id = $1`,
			id, p.ID, f.ID, d.Total(), d.Purpose); err != nil {
			return fmt.Errorf("grants: update %d: %w", id, err)
		}
		if err := s.writeLines(ctx, tx, id, f, d); err != nil {
			return err
		}
		if a.UserID != 0 && !sameUser(g.CreatedBy, a.UserID) {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO grant_editors (grant_id, user_id) VALUES ($1, $2)
				ON CONFLICT (grant_id, user_id) DO UPDATE SET edited_at = now()`, id, a.UserID); err != nil {
				return fmt.Errorf("grants: update %d: %w", id, err)
			}
		}
		return recordDraft(ctx, tx, a, "grant.edit", g.Object(), d, p, f)
	})
}

func sameUser(id *int64, user int64) bool { return id != nil && *id == user }

// grantColumns reads a grant with its fund's name and donor.
const grantColumns = `g.id, g.participant_id, g.fund_id, f.name AS fund_name, f.donor_id,
	g.plan_id, g.state, g.total, g.purpose, g.created_by, g.created_at, g.updated_at, g.submitted_at, g.submitted_by,
	g.approvals_needed, g.approved_at, g.commit_entry_id, g.rejected_at, g.rejected_by, g.cancelled_at, g.cancelled_by,
	g.release_entry_id, g.reason, g.completed_at`
const grantFrom = ` FROM grants g JOIN funds f ON f.id = g.fund_id`

// inGrant runs fn in one transaction on grant id, locked, once action is
// allowed in its state (ErrWrongState otherwise); to is where it leads.
func (s *Store) inGrant(ctx context.Context, id int64, action Action, fn func(tx *sqlx.Tx, g Grant, to State) error) error {
	return pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		g, err := s.lockGrant(ctx, tx, id)
		if err != nil {
			return err
		}
		to, err := Next(g.State, action)
		if err != nil {
			return err
		}
		return fn(tx, g, to)
	})
}

// changeGrant is inGrant that reads the changed grant back.
func (s *Store) changeGrant(ctx context.Context, id int64, action Action, fn func(tx *sqlx.Tx, g Grant, to State) error) (Grant, error) {
	if err := s.inGrant(ctx, id, action, fn); err != nil {
		return Grant{}, err
	}
	return s.Grant(ctx, id)
}

// required reads a reason or a note that must be given.
func required(field, v string) (string, error) {
	errs := valid.Errors{}
	v = checkText(errs, field, v, true, MaxText)
	return v, errs.Err()
}

// lockGrant reads a grant with its lines and locks its row for the
// transaction: every change to a grant, its tranches and its items queues here.
func (s *Store) lockGrant(ctx context.Context, tx *sqlx.Tx, id int64) (Grant, error) {
	var g Grant
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM grants WHERE id = $1 FOR UPDATE`, id); err != nil {
		return Grant{}, fmt.Errorf("grants: lock %d: %w", id, err)
	}
	if err := tx.GetContext(ctx, &g, `SELECT `+grantColumns+grantFrom+` WHERE g.id = $1`, id); err != nil {
		return Grant{}, fmt.Errorf("grants: grant %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	if err := lines(ctx, tx, &g); err != nil {
		return Grant{}, err
	}
	return g, s.fillCode(ctx, &g)
}

// fillCode sets the grant's participant's code.
func (s *Store) fillCode(ctx context.Context, g *Grant) error {
	m, err := s.codes(ctx, g.ParticipantID)
	if err != nil {
		return err
	}
	g.Participant = m[g.ParticipantID]
	return nil
}

// lines reads a grant's tranches, items, approvals and editors.
func lines(ctx context.Context, q sqlx.QueryerContext, g *Grant) error {
	g.Tranches, g.Items, g.Approvals, g.Editors = []Tranche{}, []Item{}, []Approval{}, []int64{}
	if err := sqlx.SelectContext(ctx, q, &g.Tranches, `SELECT * FROM grant_tranches WHERE grant_id = $1 ORDER BY n`, g.ID); err != nil {
		return fmt.Errorf("grants: tranches of %d: %w", g.ID, err)
	}
	if err := sqlx.SelectContext(ctx, q, &g.Items, `SELECT * FROM grant_items WHERE grant_id = $1 ORDER BY position`, g.ID); err != nil {
		return fmt.Errorf("grants: items of %d: %w", g.ID, err)
	}
	if err := sqlx.SelectContext(ctx, q, &g.Approvals, `SELECT seq, approved_by, role, approved_at FROM grant_approvals WHERE grant_id = $1 ORDER BY seq`, g.ID); err != nil {
		return fmt.Errorf("grants: approvals of %d: %w", g.ID, err)
	}
	if err := sqlx.SelectContext(ctx, q, &g.Editors, `SELECT user_id FROM grant_editors WHERE grant_id = $1 ORDER BY user_id`, g.ID); err != nil {
		return fmt.Errorf("grants: editors of %d: %w", g.ID, err)
	}
	return nil
}

// Grant reads a grant with its tranches, items, approvals and editors.
func (s *Store) Grant(ctx context.Context, id int64) (Grant, error) {
	var g Grant
	if err := s.db.GetContext(ctx, &g, `SELECT `+grantColumns+grantFrom+` WHERE g.id = $1`, id); err != nil {
		return Grant{}, fmt.Errorf("grants: grant %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	if err := lines(ctx, s.db, &g); err != nil {
		return Grant{}, err
	}
	return g, s.fillCode(ctx, &g)
}

// participantOf reads the grant's participant.
func (s *Store) participantOf(ctx context.Context, id int64) (Grant, participants.Participant, error) {
	g, err := s.Grant(ctx, id)
	if err != nil {
		return g, participants.Participant{}, err
	}
	p, err := s.people.ByID(ctx, g.ParticipantID)
	return g, p, err
}

// Submit sends a draft to the approvers' inbox once the participant is eligible.
func (s *Store) Submit(ctx context.Context, a audit.Actor, id int64, today time.Time) (Grant, error) {
	if !isStaff(a) {
		return Grant{}, ErrForbidden
	}
	g, p, err := s.participantOf(ctx, id)
	if err != nil {
		return Grant{}, err
	}
	if _, err := Next(g.State, Submit); err != nil {
		return Grant{}, err
	}
	if err := s.checkEligible(ctx, s.db, p.Code, today); err != nil {
		return Grant{}, err
	}
	threshold, err := s.Threshold(ctx)
	if err != nil {
		return Grant{}, err
	}
	return s.changeGrant(ctx, id, Submit, func(tx *sqlx.Tx, g Grant, to State) error {
		needed := approvalsFor(g.Total, threshold)
		if _, err := tx.ExecContext(ctx, `
			UPDATE grants SET state = $2, submitted_at = now(), submitted_by = $3, approvals_needed = $4, updated_at = now()
			WHERE id = $1`, id, to, a.User(), needed); err != nil {
			return fmt.Errorf("grants: submit %d: %w", id, err)
		}
		return audit.RecordDetails(ctx, tx, a, "grant.submit", g.Object(), fmt.Sprintf("total %s, %d approval(s) needed", g.Total.String(), needed),
			audit.Details{"total": g.Total.String(), "needed": strconv.Itoa(needed)})
	})
}

// MayApprove reports whether user may approve g (the inbox's buttons):
// nil, or the error Approve would give.
func MayApprove(g Grant, a audit.Actor) error {
	if !isStaff(a) {
		return ErrForbidden
	}
	if _, err := Next(g.State, Approve); err != nil {
		return err
	}
	if sameUser(g.CreatedBy, a.UserID) || slices.Contains(g.Editors, a.UserID) {
		return ErrFourEyes
	}
	for _, ap := range g.Approvals {
		if ap.ApprovedBy == a.UserID {
			return fmt.Errorf("%w: approved it already", ErrFourEyes)
		}
	}
	if len(g.Approvals) >= 1 && g.ApprovalsNeeded == 2 && a.Role != "manager" {
		return ErrManagerRequired
	}
	return nil
}

// Approve records a's approval. Who drafted or edited the grant is refused
// with ErrFourEyes. A grant above the threshold needs a second approval, by a
// manager; the last approval commits the grant's total to its fund in the
// same transaction, which the ledger refuses when the fund's available money
// is short (InsufficientFundsError, with the shortfall). The participant must
// still be eligible.
func (s *Store) Approve(ctx context.Context, a audit.Actor, id int64, today time.Time) (Grant, error) {
	g, err := s.Grant(ctx, id)
	if err != nil {
		return Grant{}, err
	}
	if err := MayApprove(g, a); err != nil {
		return Grant{}, err
	}
	threshold, err := s.Threshold(ctx)
	if err != nil {
		return Grant{}, err
	}
	f, err := s.Fund(ctx, g.FundID)
	if err != nil {
		return Grant{}, err
	}
	return s.changeGrant(ctx, id, Approve, func(tx *sqlx.Tx, g Grant, _ State) error {
		// The threshold may have changed since submission: the stricter rule holds.
		if n := approvalsFor(g.Total, threshold); n > g.ApprovalsNeeded {
			g.ApprovalsNeeded = n
		}
		if err := MayApprove(g, a); err != nil {
			return err
		}
		if err := s.checkEligible(ctx, tx, g.Participant, today); err != nil {
			return err
		}
		seq := len(g.Approvals) + 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO grant_approvals (grant_id, seq, approved_by, role) VALUES ($1, $2, $3, $4)`,
			id, seq, a.UserID, a.Role); err != nil {
			return fmt.Errorf("grants: approve %d: %w", id, err)
		}
		if seq < g.ApprovalsNeeded {
			if _, err := tx.ExecContext(ctx, `UPDATE grants SET approvals_needed = $2, updated_at = now() WHERE id = $1`, id, g.ApprovalsNeeded); err != nil {
				return fmt.Errorf("grants: approve %d: %w", id, err)
			}
			return audit.RecordDetails(ctx, tx, a, "grant.approve", g.Object(), fmt.Sprintf("approval %d of %d", seq, g.ApprovalsNeeded),
				audit.Details{"seq": strconv.Itoa(seq), "needed": strconv.Itoa(g.ApprovalsNeeded)})
		}
		cash, equipment := g.CashTotal(), g.EquipmentTotal()
		post := fundPosting(f.BookID, f.ID, fmt.Sprintf("Grant %d to %s approved", g.ID, g.Participant), g.Object(),
			g.Object()+":commit", a.UserID,
			leg{acctCommitted, cash}, leg{acctStock, equipment}, leg{acctAvailable, g.Total.Neg()})
		post.BusinessDate = today
		e, err := s.ledger.In(tx).Post(ctx, post)
		var short *ledger.InsufficientFundsError
		if errors.As(err, &short) {
			return &InsufficientFundsError{Fund: f.ID, Available: short.Balance, Shortfall: short.Shortfall}
		}
		if err != nil {
			return fmt.Errorf("grants: commit grant %d to fund %d: %w", id, f.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE grants SET state = 'approved', approved_at = now(), commit_entry_id = $2, approvals_needed = $3, updated_at = now()
			WHERE id = $1`, id, e.ID, g.ApprovalsNeeded); err != nil {
			return fmt.Errorf("grants: approve %d: %w", id, err)
		}
		for _, it := range g.Items {
			if err := moveItem(ctx, tx, a, it, itemMove{action: "stock", to: InStock, on: today, programmeEntry: &e.ID}); err != nil {
				return err
			}
		}
		return audit.RecordDetails(ctx, tx, a, "grant.approve", g.Object(),
			fmt.Sprintf("approval %d of %d; committed %s to fund %d (entry %d)", seq, g.ApprovalsNeeded, g.Total.String(), f.ID, e.ID),
			audit.Details{"seq": strconv.Itoa(seq), "needed": strconv.Itoa(g.ApprovalsNeeded), "total": g.Total.String(),
				"fund": f.Name, "entries": strconv.FormatInt(e.ID, 10)})
	})
}

// Reject refuses a submitted grant with a reason. Who drafted or edited it
// may not reject it either.
func (s *Store) Reject(ctx context.Context, a audit.Actor, id int64, reason string) (Grant, error) {
	if !isStaff(a) {
		return Grant{}, ErrForbidden
	}
	reason, err := required("reason", reason)
	if err != nil {
		return Grant{}, err
	}
	return s.changeGrant(ctx, id, Reject, func(tx *sqlx.Tx, g Grant, to State) error {
		if sameUser(g.CreatedBy, a.UserID) || slices.Contains(g.Editors, a.UserID) {
			return ErrFourEyes
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE grants SET state = $2, rejected_at = now(), rejected_by = $3, reason = $4, updated_at = now() WHERE id = $1`,
			id, to, a.User(), reason); err != nil {
			return fmt.Errorf("grants: reject %d: %w", id, err)
		}
		return audit.RecordDetails(ctx, tx, a, "grant.reject", g.Object(), "reason: "+reason, audit.Details{"reason": reason})
	})
}

// Cancel ends an approved grant with a reason: the tranches not yet released
// and the items not yet handed over go back to the fund's available money in
// one ledger entry. What was released stays with the participant. Only an
// officer or manager other than the drafter may cancel.
func (s *Store) Cancel(ctx context.Context, a audit.Actor, id int64, reason string, today time.Time) (Grant, error) {
	if !isStaff(a) {
		return Grant{}, ErrForbidden
	}
	reason, err := required("reason", reason)
	if err != nil {
		return Grant{}, err
	}
	return s.changeGrant(ctx, id, Cancel, func(tx *sqlx.Tx, g Grant, to State) error {
		if sameUser(g.CreatedBy, a.UserID) {
			return ErrFourEyes
		}
		f, err := fundTx(ctx, tx, g.FundID)
		if err != nil {
			return err
		}
		cash, stock := money.Zero, money.Zero
		for _, t := range g.Tranches {
			if t.State == TranchePending {
				cash = cash.Add(t.Amount)
			}
		}
		var back []Item
		for _, it := range g.Items {
			if it.Status == InStock {
				stock = stock.Add(it.Value)
				back = append(back, it)
			}
		}
		var entry *int64
		if rem := cash.Add(stock); rem.IsPositive() {
			post := fundPosting(f.BookID, f.ID, fmt.Sprintf("Grant %d cancelled: remainder back to the fund", g.ID), g.Object(),
				g.Object()+":release", a.UserID,
				leg{acctAvailable, rem}, leg{acctCommitted, cash.Neg()}, leg{acctStock, stock.Neg()})
			post.BusinessDate = today
			e, err := s.ledger.In(tx).Post(ctx, post)
			if err != nil {
				return fmt.Errorf("grants: cancel %d: %w", id, err)
			}
			entry = &e.ID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE grant_tranches SET state = 'cancelled' WHERE grant_id = $1 AND state = 'pending'`, id); err != nil {
			return fmt.Errorf("grants: cancel %d: %w", id, err)
		}
		for _, it := range back {
			if err := moveItem(ctx, tx, a, it, itemMove{action: "cancel", to: ItemCancel, on: today, programmeEntry: entry, note: reason}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE grants SET state = $2, cancelled_at = now(), cancelled_by = $3, reason = $4, release_entry_id = $5, updated_at = now()
			WHERE id = $1`, id, to, a.User(), reason, entry); err != nil {
			return fmt.Errorf("grants: cancel %d: %w", id, err)
		}
		return audit.RecordDetails(ctx, tx, a, "grant.cancel", g.Object(),
			fmt.Sprintf("reason: %s; %s back to fund %d", reason, cash.Add(stock).String(), f.ID),
			audit.Details{"reason": reason, "amount": cash.Add(stock).String(), "fund": f.Name})
	})
}

func fundTx(ctx context.Context, tx *sqlx.Tx, id int64) (Fund, error) {
	var f Fund
	if err := tx.GetContext(ctx, &f, `SELECT `+fundColumns+fundFrom+` WHERE f.id = $1`, id); err != nil {
		return Fund{}, fmt.Errorf("grants: fund %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return f, nil
}

// completeIfDone marks an approved grant completed once nothing is left to
// release: every tranche disbursed, every item handed over.
func completeIfDone(ctx context.Context, tx *sqlx.Tx, a audit.Actor, id int64) error {
	var left int
	err := tx.GetContext(ctx, &left, `
		SELECT (SELECT count(*) FROM grant_tranches WHERE grant_id = $1 AND state = 'pending')
		     + (SELECT count(*) FROM grant_items WHERE grant_id = $1 AND status = 'in_stock')`, id)
	if err != nil || left > 0 {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE grants SET state = 'completed', completed_at = now(), updated_at = now() WHERE id = $1 AND state = 'approved'`, id); err != nil {
		return fmt.Errorf("grants: complete %d: %w", id, err)
	}
	return audit.RecordDetails(ctx, tx, a, "grant.complete", fmt.Sprintf("grant:%d", id), "every tranche released and every item handed over",
		audit.Details{"state": "completed"})
}
