// Package grants turns donors' money into the carts and start-up capital of
// participants: donors' restricted funds and their receipts, grants of cash
// tranches and equipment drawn on one fund, the four-eyes approval that
// commits a grant's total to its fund, the release of each tranche once its
// condition holds, the hand-over of equipment, and the equipment register.
//
// Money moves only through the ledger (package ledger). Every fund has its
// accounts in the programme's book (see ledger.go), so that a fund's figures
// are account balances and a fund can never be over-committed: the account
// of what is still available has a floor of zero, and the ledger refuses,
// inside the approval's transaction, a commitment that would take it below.
// A cash release posts the programme's entry and the vendor's entry in one
// transaction; so does a hand-over, with the equipment's in-kind value.
//
// Rules live here, not in the pages: the state machine (Next), four eyes
// (who drafted or edited a grant never approves it), the manager's second
// approval above the threshold, eligibility at submit, approval and every
// release.
//
// It owns funds, fund_receipts, grant_settings, grants, grant_editors,
// grant_approvals, grant_tranches, grant_items and grant_item_events. What it
// holds about a participant joins her export and erasure through its
// PersonalData hook (wired in app.New). It imports ledger, participants
// (eligibility, codes), vendors (her book), donors, audit, pg and valid.
package grants

import (
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
	"hawker/money"

	"hawker/valid"
)

// Errors of this package; match them with errors.Is.
var (
	ErrNotFound            = valid.NewError("grants: not found", "error.not_found")
	ErrWrongState          = valid.NewError("grants: not allowed in the grant's state", "grant.wrong_state")
	ErrFourEyes            = valid.NewError("grants: who drafted or edited a grant may not approve it", "grant.four_eyes")
	ErrManagerRequired     = valid.NewError("grants: the second approval must be a manager's", "grant.manager_required")
	ErrForbidden           = valid.NewError("grants: this role may not do this", "error.forbidden")
	ErrNotEligible         = valid.NewError("grants: participant not eligible", "grant.not_eligible")
	ErrInsufficientFunds   = valid.NewError("grants: insufficient funds", "grant.insufficient_funds")
	ErrIdempotencyConflict = valid.NewError("grants: idempotency key reused with a different request", "grant.idempotency_conflict")
	ErrConditionNotMet     = valid.NewError("grants: the tranche's release condition does not hold yet", "grant.condition_not_met")
	ErrAlreadyDisbursed    = valid.NewError("grants: tranche already disbursed", "grant.already_disbursed")
	ErrItemUnavailable     = valid.NewError("grants: the item is not in a state to do this", "grant.item_unavailable")
	ErrErased              = valid.NewError("grants: the participant's file was erased", "participant.erased_conflict")
)

// NotEligibleError is a refusal for eligibility, with every reason (the
// participants package's reason codes). It matches ErrNotEligible.
type NotEligibleError struct{ Reasons []string }

func (e *NotEligibleError) Error() string {
	return "grants: participant not eligible: " + strings.Join(e.Reasons, ", ")
}

// Is makes errors.Is(err, ErrNotEligible) true.
func (e *NotEligibleError) Is(target error) bool { return target == ErrNotEligible }

// InsufficientFundsError is an approval refused because the fund cannot carry
// the grant: Available is what the fund had uncommitted, Shortfall what was
// missing. It matches ErrInsufficientFunds.
type InsufficientFundsError struct {
	Fund      int64
	Available money.Amount
	Shortfall money.Amount
}

func (e *InsufficientFundsError) Error() string {
	return fmt.Sprintf("grants: fund %d has %s available, short by %s", e.Fund, e.Available.String(), e.Shortfall.String())
}

// Is makes errors.Is(err, ErrInsufficientFunds) true.
func (e *InsufficientFundsError) Is(target error) bool { return target == ErrInsufficientFunds }

// ConditionError says why a tranche may not be released yet (a message key
// and its argument). It matches ErrConditionNotMet.
type ConditionError struct {
	Key string // grant.condition_*
	Arg string
}

func (e *ConditionError) Error() string { return "grants: condition not met: " + e.Key + " " + e.Arg }

// Is makes errors.Is(err, ErrConditionNotMet) true.
func (e *ConditionError) Is(target error) bool { return target == ErrConditionNotMet }

// State is where a grant stands.
type State string

// The states of a grant.
const (
	Draft     State = "draft"
	Submitted State = "submitted" // waiting in the approvers' inbox
	Approved  State = "approved"  // committed to its fund; tranches and items being released
	Rejected  State = "rejected"
	Cancelled State = "cancelled" // the undisbursed remainder went back to the fund
	Completed State = "completed" // every tranche released, every item handed over
)

// States lists the states in the order of a grant's life.
var States = []State{Draft, Submitted, Approved, Completed, Rejected, Cancelled}

// Action is something done to a grant.
type Action string

// The actions on a grant.
const (
	Edit     Action = "edit"
	Submit   Action = "submit"
	Approve  Action = "approve"
	Reject   Action = "reject"
	Cancel   Action = "cancel"
	Disburse Action = "disburse"
	HandOver Action = "handover"
	Confirm  Action = "confirm" // an officer confirms a tranche's milestone
)

// Actions lists every action.
var Actions = []Action{Edit, Submit, Approve, Reject, Cancel, Disburse, HandOver, Confirm}

// transitions is the state machine: the actions each state allows and the
// state they lead to. Approving a grant that needs two approvals leaves it
// submitted after the first (see Store.Approve); releasing the last tranche
// or item completes it. Anything not here is refused with ErrWrongState.
var transitions = map[State]map[Action]State{
	Draft:     {Edit: Draft, Submit: Submitted},
	Submitted: {Approve: Approved, Reject: Rejected},
	Approved:  {Cancel: Cancelled, Disburse: Approved, HandOver: Approved, Confirm: Approved},
}

// Next is the state action leads to from s, or ErrWrongState.
func Next(s State, a Action) (State, error) {
	if to, ok := transitions[s][a]; ok {
		return to, nil
	}
	return "", fmt.Errorf("%w: cannot %s a grant that is %s", ErrWrongState, a, s)
}

// Allows reports whether action a is allowed in state s.
func (s State) Allows(a Action) bool { _, ok := transitions[s][a]; return ok }

// Condition is what must hold before a tranche is released.
type Condition string

// Release conditions.
const (
	OnApproval  Condition = "on_approval"
	AfterDate   Condition = "after_date"   // on or after a date
	TradingDays Condition = "trading_days" // N trading days recorded in the last 30 days
	Milestone   Condition = "milestone"    // an officer confirms it with a note
)

// Conditions lists the conditions in display order.
var Conditions = []Condition{OnApproval, AfterDate, TradingDays, Milestone}

// Basis is how an item's value was set.
type Basis string

// Valuation bases.
const (
	Invoice   Basis = "invoice"
	FairValue Basis = "fair_value"
)

// Bases lists the bases in display order.
var Bases = []Basis{Invoice, FairValue}

// ItemStatus is where an item of equipment is.
type ItemStatus string

// Item statuses. Planned items belong to a grant not approved yet; an
// approved grant's items are in stock until handed over; a cancelled grant's
// items never handed over are cancelled.
const (
	Planned    ItemStatus = "planned"
	InStock    ItemStatus = "in_stock"
	HandedOver ItemStatus = "handed_over"
	Returned   ItemStatus = "returned"
	Reassigned ItemStatus = "reassigned"
	WrittenOff ItemStatus = "written_off"
	ItemCancel ItemStatus = "cancelled"
)

// ItemStatuses lists the statuses in register order.
var ItemStatuses = []ItemStatus{InStock, HandedOver, Returned, Reassigned, WrittenOff, Planned, ItemCancel}

// Grant is a grant with its tranches and items.
type Grant struct {
	ID              int64        `db:"id"`
	ParticipantID   int64        `db:"participant_id"`
	Participant     string       `db:"-"` // her code
	FundID          int64        `db:"fund_id"`
	FundName        string       `db:"fund_name"`
	DonorID         int64        `db:"donor_id"`
	PlanID          *int64       `db:"plan_id"`
	State           State        `db:"state"`
	Total           money.Amount `db:"total"`
	Purpose         string       `db:"purpose"`
	CreatedBy       *int64       `db:"created_by"`
	CreatedAt       time.Time    `db:"created_at"`
	UpdatedAt       time.Time    `db:"updated_at"`
	SubmittedAt     *time.Time   `db:"submitted_at"`
	SubmittedBy     *int64       `db:"submitted_by"`
	ApprovalsNeeded int          `db:"approvals_needed"`
	ApprovedAt      *time.Time   `db:"approved_at"`
	CommitEntryID   *int64       `db:"commit_entry_id"`
	RejectedAt      *time.Time   `db:"rejected_at"`
	RejectedBy      *int64       `db:"rejected_by"`
	CancelledAt     *time.Time   `db:"cancelled_at"`
	CancelledBy     *int64       `db:"cancelled_by"`
	ReleaseEntryID  *int64       `db:"release_entry_id"`
	Reason          string       `db:"reason"`
	CompletedAt     *time.Time   `db:"completed_at"`
	Tranches        []Tranche    `db:"-"`
	Items           []Item       `db:"-"`
	Approvals       []Approval   `db:"-"`
	Editors         []int64      `db:"-"`
}

// Object is the grant's name in the audit trail.
func (g Grant) Object() string { return fmt.Sprintf("grant:%d", g.ID) }

// CashTotal is the sum of the tranches.
func (g Grant) CashTotal() money.Amount {
	sum := money.Zero
	for _, t := range g.Tranches {
		sum = sum.Add(t.Amount)
	}
	return sum
}

// EquipmentTotal is the sum of the items' values.
func (g Grant) EquipmentTotal() money.Amount {
	sum := money.Zero
	for _, i := range g.Items {
		sum = sum.Add(i.Value)
	}
	return sum
}

// Released is what the participant has received: tranches disbursed and
// items handed over (whatever happened to them since).
func (g Grant) Released() money.Amount {
	sum := money.Zero
	for _, t := range g.Tranches {
		if t.State == TrancheDisbursed {
			sum = sum.Add(t.Amount)
		}
	}
	for _, i := range g.Items {
		if i.Status != Planned && i.Status != InStock && i.Status != ItemCancel {
			sum = sum.Add(i.Value)
		}
	}
	return sum
}

// Tranche states.
const (
	TranchePending   = "pending"
	TrancheDisbursed = "disbursed"
	TrancheCancelled = "cancelled"
	TrancheReversed  = "reversed" // released, then explicitly reversed
)

// Tranche is one cash release of a grant.
type Tranche struct {
	GrantID          int64         `db:"grant_id"`
	N                int           `db:"n"`
	Amount           money.Amount  `db:"amount"`
	Condition        Condition     `db:"condition"`
	AfterDate        *time.Time    `db:"after_date"`
	TradingDays      *int          `db:"trading_days"`
	Milestone        string        `db:"milestone"`
	State            string        `db:"state"`
	ConfirmedAt      *time.Time    `db:"confirmed_at"`
	ConfirmedBy      *int64        `db:"confirmed_by"`
	ConfirmNote      string        `db:"confirm_note"`
	DisbursedOn      *time.Time    `db:"disbursed_on"`
	DisbursedAt      *time.Time    `db:"disbursed_at"`
	DisbursedBy      *int64        `db:"disbursed_by"`
	ProgrammeEntryID *int64        `db:"programme_entry_id"`
	VendorEntryID    *int64        `db:"vendor_entry_id"`
	IdempotencyKey   *string       `db:"idempotency_key"`
	ReversedOn       *time.Time    `db:"reversed_on"`
	ReversedAt       *time.Time    `db:"reversed_at"`
	ReversedBy       *int64        `db:"reversed_by"`
	ReverseReason    string        `db:"reverse_reason"`
	ReversalEntryIDs pq.Int64Array `db:"reversal_entry_ids"`
	// Replayed is true when an idempotent retry returned an earlier release.
	Replayed bool `db:"-"`
}

// Item is one piece of equipment of a grant, and its place in the register.
type Item struct {
	ID          int64        `db:"id"`
	GrantID     int64        `db:"grant_id"`
	Position    int          `db:"position"`
	Description string       `db:"description"`
	AssetTag    string       `db:"asset_tag"`
	Serial      string       `db:"serial"`
	Value       money.Amount `db:"value"`
	Basis       Basis        `db:"basis"`
	DonorID     int64        `db:"donor_id"`
	Status      ItemStatus   `db:"status"`
	HolderID    *int64       `db:"holder_id"`
}

// Approval is one approval of a grant.
type Approval struct {
	Seq        int       `db:"seq"`
	ApprovedBy int64     `db:"approved_by"`
	Role       string    `db:"role"`
	ApprovedAt time.Time `db:"approved_at"`
}
