package grants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/audit"
	"hawker/ledger"
	"hawker/pg"
	"hawker/valid"
)

// TradingWindow is how many days, ending on the day of release, count for a
// trading-days condition.
const TradingWindow = 30

// Holds reports whether tranche t's condition holds on day on, given the
// participant's trading days in the window ending then; a refusal says why.
func (t Tranche) Holds(on time.Time, tradingDays int) error {
	switch t.Condition {
	case OnApproval:
		return nil
	case AfterDate:
		if t.AfterDate != nil && !on.Before(*t.AfterDate) {
			return nil
		}
		return &ConditionError{Key: "grant.condition_after_date", Arg: t.AfterDate.Format(time.DateOnly)}
	case TradingDays:
		if t.TradingDays != nil && tradingDays >= *t.TradingDays {
			return nil
		}
		return &ConditionError{Key: "grant.condition_trading_days", Arg: fmt.Sprintf("%d/%d", tradingDays, *t.TradingDays)}
	case Milestone:
		if t.ConfirmedAt != nil {
			return nil
		}
		return &ConditionError{Key: "grant.condition_milestone", Arg: t.Milestone}
	}
	return &ConditionError{Key: "grant.condition_invalid", Arg: string(t.Condition)}
}

// tranche finds tranche n of g.
func (g Grant) tranche(n int) (Tranche, error) {
	for _, t := range g.Tranches {
		if t.N == n {
			return t, nil
		}
	}
	return Tranche{}, fmt.Errorf("grants: grant %d has no tranche %d: %w", g.ID, n, ErrNotFound)
}

// tradingDays counts the days with sales the participant recorded in the
// window ending on.
func (s *Store) tradingDays(ctx context.Context, participantID int64, on time.Time) (int, error) {
	t, err := s.vendors.Totals(ctx, participantID, on.AddDate(0, 0, -(TradingWindow-1)), on)
	if err != nil {
		return 0, err
	}
	return t.TradingDays, nil
}

// Release is a request to disburse a tranche.
type Release struct {
	Grant int64
	N     int
	Key   string    // the client's Idempotency-Key
	On    time.Time // the business day of the release (today, or earlier for the demo's history)
}

// Disburse releases tranche n of an approved grant once its condition holds
// and the participant is still eligible. One transaction posts the
// programme's entry (cash grants / committed cash of the fund) and the
// vendor's entry (cash / grant capital) and marks the tranche disbursed. The
// same key again returns the first release with Replayed set; a key used for
// another tranche is ErrIdempotencyConflict; a second release of the tranche
// under another key is ErrAlreadyDisbursed.
func (s *Store) Disburse(ctx context.Context, a audit.Actor, r Release) (Tranche, error) {
	if !isStaff(a) {
		return Tranche{}, ErrForbidden
	}
	if r.Key == "" {
		return Tranche{}, valid.Errors{"idempotency_key": "grant.key_required"}
	}
	if t, ok, err := s.replay(ctx, s.db, r); ok || err != nil {
		return t, err
	}
	g, p, err := s.participantOf(ctx, r.Grant)
	if err != nil {
		return Tranche{}, err
	}
	if _, err := Next(g.State, Disburse); err != nil {
		return Tranche{}, err
	}
	t, err := g.tranche(r.N)
	if err != nil {
		return Tranche{}, err
	}
	if err := s.checkEligible(ctx, s.db, p.Code, r.On); err != nil {
		return Tranche{}, err
	}
	days := 0
	if t.Condition == TradingDays {
		if days, err = s.tradingDays(ctx, g.ParticipantID, r.On); err != nil {
			return Tranche{}, err
		}
	}
	var out Tranche
	err = pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		g, err := s.lockGrant(ctx, tx, r.Grant)
		if err != nil {
			return err
		}
		// A retry that queued behind the first release finds it here.
		if t, ok, err := s.replay(ctx, tx, r); ok || err != nil {
			out = t
			return err
		}
		if _, err := Next(g.State, Disburse); err != nil {
			return err
		}
		t, err := g.tranche(r.N)
		if err != nil {
			return err
		}
		if t.State == TrancheDisbursed {
			return fmt.Errorf("%w: tranche %d of grant %d", ErrAlreadyDisbursed, r.N, g.ID)
		}
		if t.State != TranchePending {
			return fmt.Errorf("%w: tranche %d is %s", ErrWrongState, r.N, t.State)
		}
		if err := t.Holds(r.On, days); err != nil {
			return err
		}
		if err := s.checkEligible(ctx, tx, g.Participant, r.On); err != nil {
			return err
		}
		f, err := fundTx(ctx, tx, g.FundID)
		if err != nil {
			return err
		}
		book, err := s.vendors.In(tx).EnsureBook(ctx, g.ParticipantID, g.Participant)
		if err != nil {
			return err
		}
		ref := fmt.Sprintf("%s:tranche:%d", g.Object(), t.N)
		memo := fmt.Sprintf("Grant %d tranche %d to %s", g.ID, t.N, g.Participant)
		prog := fundPosting(f.BookID, f.ID, memo, ref, ref, a.UserID, leg{acctGrants, t.Amount}, leg{acctCommitted, t.Amount.Neg()})
		prog.BusinessDate = r.On
		es, err := s.ledger.In(tx).PostAll(ctx, prog, ledger.Posting{Book: book, BusinessDate: r.On, Memo: memo, Reference: ref,
			IdempotencyKey: ref, CreatedBy: a.UserID, Lines: []ledger.Line{
				{Code: vendorCash, Amount: t.Amount.Decimal()}, {Code: vendorGrantCapital, Amount: t.Amount.Neg().Decimal()}}})
		if err != nil {
			return fmt.Errorf("grants: release %s: %w", ref, err)
		}
		pe, ve := es[0], es[1]
		err = tx.GetContext(ctx, &out, `
			UPDATE grant_tranches SET state = 'disbursed', disbursed_on = $3, disbursed_at = now(), disbursed_by = $4,
			       programme_entry_id = $5, vendor_entry_id = $6, idempotency_key = $7
			WHERE grant_id = $1 AND n = $2 RETURNING *`,
			g.ID, t.N, r.On.Format(time.DateOnly), a.User(), pe.ID, ve.ID, r.Key)
		if pg.IsUnique(err, "grant_tranches_idempotency_key") {
			return fmt.Errorf("%w: key %q", ErrIdempotencyConflict, r.Key)
		}
		if err != nil {
			return fmt.Errorf("grants: release %s: %w", ref, err)
		}
		if err := completeIfDone(ctx, tx, a, g.ID); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "grant.disburse", g.Object(),
			fmt.Sprintf("tranche %d: %s (%s) on %s; entries %d, %d", t.N, t.Amount.String(), t.Condition, r.On.Format(time.DateOnly), pe.ID, ve.ID),
			audit.Details{"tranche": strconv.Itoa(t.N), "amount": t.Amount.String(), "condition": string(t.Condition),
				"on": r.On.Format(time.DateOnly), "entries": fmt.Sprintf("%d, %d", pe.ID, ve.ID)})
	})
	if err != nil {
		return Tranche{}, err
	}
	return out, nil
}

// replay answers a release whose key was used before: the same tranche is a
// replay (ok), another is ErrIdempotencyConflict.
func (s *Store) replay(ctx context.Context, q sqlx.QueryerContext, r Release) (Tranche, bool, error) {
	var t Tranche
	err := sqlx.GetContext(ctx, q, &t, `SELECT * FROM grant_tranches WHERE idempotency_key = $1`, r.Key)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Tranche{}, false, nil
	case err != nil:
		return Tranche{}, false, fmt.Errorf("grants: release key: %w", err)
	case t.GrantID != r.Grant || t.N != r.N:
		return Tranche{}, false, fmt.Errorf("%w: key %q released tranche %d of grant %d", ErrIdempotencyConflict, r.Key, t.N, t.GrantID)
	}
	t.Replayed = true
	return t, true, nil
}

// ConfirmMilestone records an officer's confirmation, with a note, that a
// milestone tranche's milestone was reached; the tranche may then be released.
func (s *Store) ConfirmMilestone(ctx context.Context, a audit.Actor, id int64, n int, note string) (Tranche, error) {
	if !isStaff(a) {
		return Tranche{}, ErrForbidden
	}
	note, err := required("note", note)
	if err != nil {
		return Tranche{}, err
	}
	var out Tranche
	err = s.inGrant(ctx, id, Confirm, func(tx *sqlx.Tx, g Grant, _ State) error {
		t, err := g.tranche(n)
		if err != nil {
			return err
		}
		if t.Condition != Milestone || t.State != TranchePending || t.ConfirmedAt != nil {
			return fmt.Errorf("%w: tranche %d is %s, %s", ErrWrongState, n, t.Condition, t.State)
		}
		err = tx.GetContext(ctx, &out, `
			UPDATE grant_tranches SET confirmed_at = now(), confirmed_by = $3, confirm_note = $4
			WHERE grant_id = $1 AND n = $2 RETURNING *`, id, n, a.User(), note)
		if err != nil {
			return fmt.Errorf("grants: confirm tranche %d of %d: %w", n, id, err)
		}
		return audit.RecordDetails(ctx, tx, a, "grant.milestone", g.Object(), "tranche "+strconv.Itoa(n)+" milestone confirmed: "+note,
			audit.Details{"tranche": strconv.Itoa(n), "note": note})
	})
	return out, err
}

// ReverseTranche undoes a released tranche, explicitly and with a reason:
// one transaction reverses the programme's entry and the vendor's (the
// ledger's own reversals, each once only) and returns the amount to the
// fund's available money. The grant's state does not change.
func (s *Store) ReverseTranche(ctx context.Context, a audit.Actor, id int64, n int, reason string, on time.Time) (Tranche, error) {
	if a.Role != "manager" {
		return Tranche{}, ErrForbidden
	}
	reason, err := required("reason", reason)
	if err != nil {
		return Tranche{}, err
	}
	var out Tranche
	err = pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		g, err := s.lockGrant(ctx, tx, id)
		if err != nil {
			return err
		}
		t, err := g.tranche(n)
		if err != nil {
			return err
		}
		if t.State != TrancheDisbursed {
			return fmt.Errorf("%w: tranche %d is %s", ErrWrongState, n, t.State)
		}
		f, err := fundTx(ctx, tx, g.FundID)
		if err != nil {
			return err
		}
		l := s.ledger.In(tx)
		ref := fmt.Sprintf("%s:tranche:%d", g.Object(), t.N)
		memo := fmt.Sprintf("Reversal of grant %d tranche %d: %s", g.ID, t.N, reason)
		pr, err := l.Reverse(ctx, ledger.Reversal{Entry: *t.ProgrammeEntryID, BusinessDate: on, Memo: memo, IdempotencyKey: ref + ":reverse", CreatedBy: a.UserID})
		if err != nil {
			return fmt.Errorf("grants: reverse %s: %w", ref, err)
		}
		vr, err := l.Reverse(ctx, ledger.Reversal{Entry: *t.VendorEntryID, BusinessDate: on, Memo: memo, IdempotencyKey: ref + ":reverse", CreatedBy: a.UserID})
		if err != nil {
			return fmt.Errorf("grants: reverse %s in the vendor's book: %w", ref, err)
		}
		back := fundPosting(f.BookID, f.ID, memo, ref, ref+":reverse:release", a.UserID, leg{acctAvailable, t.Amount}, leg{acctCommitted, t.Amount.Neg()})
		back.BusinessDate = on
		be, err := l.Post(ctx, back)
		if err != nil {
			return fmt.Errorf("grants: reverse %s: %w", ref, err)
		}
		err = tx.GetContext(ctx, &out, `
			UPDATE grant_tranches SET state = 'reversed', reversed_on = $3, reversed_at = now(), reversed_by = $4, reverse_reason = $5,
			       reversal_entry_ids = $6
			WHERE grant_id = $1 AND n = $2 RETURNING *`,
			g.ID, t.N, on.Format(time.DateOnly), a.User(), reason, pq.Int64Array{pr.ID, vr.ID, be.ID})
		if err != nil {
			return fmt.Errorf("grants: reverse %s: %w", ref, err)
		}
		return audit.RecordDetails(ctx, tx, a, "grant.reverse", g.Object(),
			fmt.Sprintf("tranche %d: %s reversed on %s (entries %d, %d, %d): %s", t.N, t.Amount.String(), on.Format(time.DateOnly), pr.ID, vr.ID, be.ID, reason),
			audit.Details{"tranche": strconv.Itoa(t.N), "amount": t.Amount.String(), "on": on.Format(time.DateOnly),
				"entries": fmt.Sprintf("%d, %d, %d", pr.ID, vr.ID, be.ID), "reason": reason})
	})
	return out, err
}
