package participants

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
)

func planObject(p Participant, version int) string {
	return p.Object() + "/plan:" + strconv.Itoa(version)
}

// Plans lists a participant's plan versions with their items, newest first.
func (s *Store) Plans(ctx context.Context, participantID int64) ([]Plan, error) {
	return plans(ctx, s.db, participantID)
}

func plans(ctx context.Context, q sqlx.QueryerContext, participantID int64) ([]Plan, error) {
	ps := []Plan{}
	if err := sqlx.SelectContext(ctx, q, &ps, `SELECT * FROM plans WHERE participant_id = $1 ORDER BY version DESC`, participantID); err != nil {
		return nil, fmt.Errorf("participants: plans: %w", err)
	}
	var items []Item
	err := sqlx.SelectContext(ctx, q, &items, `
		SELECT i.* FROM plan_items i JOIN plans p ON p.id = i.plan_id
		WHERE p.participant_id = $1 ORDER BY i.plan_id, i.position`, participantID)
	if err != nil {
		return nil, fmt.Errorf("participants: plan items: %w", err)
	}
	byPlan := map[int64][]Item{}
	for _, it := range items {
		byPlan[it.PlanID] = append(byPlan[it.PlanID], it)
	}
	for i := range ps {
		ps[i].Items = byPlan[ps[i].ID]
	}
	return ps, nil
}

// Plan finds one plan with its items.
func (s *Store) Plan(ctx context.Context, id int64) (Plan, error) {
	return plan(ctx, s.db, id, false)
}

func plan(ctx context.Context, q sqlx.QueryerContext, id int64, lock bool) (Plan, error) {
	var p Plan
	query := `SELECT * FROM plans WHERE id = $1`
	if lock {
		query += ` FOR UPDATE`
	}
	if err := sqlx.GetContext(ctx, q, &p, query, id); err != nil {
		return Plan{}, fmt.Errorf("participants: plan %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	p.Items = []Item{}
	if err := sqlx.SelectContext(ctx, q, &p.Items, `SELECT * FROM plan_items WHERE plan_id = $1 ORDER BY position`, id); err != nil {
		return Plan{}, fmt.Errorf("participants: plan %d items: %w", id, err)
	}
	return p, nil
}

// CreatePlan adds the next version of a participant's plan as a draft. A
// version still open (draft, submitted or returned) must be finished first:
// only one plan is under way at a time.
func (s *Store) CreatePlan(ctx context.Context, a audit.Actor, pt Participant, p Plan) (Plan, error) {
	if pt.Erased() {
		return Plan{}, ErrErased
	}
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		// Lock the participant so that two officers cannot both add version n.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM participants WHERE id = $1 FOR UPDATE`, pt.ID); err != nil {
			return fmt.Errorf("participants: create plan: %w", err)
		}
		var open int
		if err := tx.GetContext(ctx, &open, `SELECT count(*) FROM plans WHERE participant_id = $1 AND state <> 'approved'`, pt.ID); err != nil {
			return fmt.Errorf("participants: create plan: %w", err)
		}
		if open > 0 {
			return fmt.Errorf("participants: create plan for %s: a version is still open: %w", pt.Code, ErrWrongState)
		}
		p.ParticipantID, p.State, p.WrittenBy = pt.ID, Draft, a.User()
		items := p.Items
		err := tx.GetContext(ctx, &p, `
			INSERT INTO plans (participant_id, version, state, business, menu, location, trading_days, trading_hours,
			                   days_per_month, expected_daily_sales, ingredient_cost_pct, monthly_fixed_costs, written_by)
			VALUES ($1, (SELECT COALESCE(max(version), 0) + 1 FROM plans WHERE participant_id = $1), 'draft',
			        $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			RETURNING *`, pt.ID, p.Business, p.Menu, p.Location, p.TradingDays, p.TradingHours,
			p.DaysPerMonth, p.ExpectedDailySales, p.IngredientCostPct, p.MonthlyFixedCosts, p.WrittenBy)
		if pg.IsUnique(err, "plans_version_key") {
			return fmt.Errorf("participants: create plan: %w", ErrWrongState)
		}
		if err != nil {
			return fmt.Errorf("participants: create plan: %w", err)
		}
		if p.Items, err = insertItems(ctx, tx, p.ID, items); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "plan.create", planObject(pt, p.Version), "draft", audit.Details{"state": "draft"})
	})
	return p, err
}

func insertItems(ctx context.Context, tx *sqlx.Tx, planID int64, items []Item) ([]Item, error) {
	out := make([]Item, 0, len(items))
	for i, it := range items {
		it.PlanID, it.Position = planID, i+1
		err := tx.GetContext(ctx, &it, `
			INSERT INTO plan_items (plan_id, position, name, quantity, unit_cost)
			VALUES ($1, $2, $3, $4, $5) RETURNING *`, it.PlanID, it.Position, it.Name, it.Quantity, it.UnitCost)
		if err != nil {
			return nil, fmt.Errorf("participants: plan item: %w", frozen(err))
		}
		out = append(out, it)
	}
	return out, nil
}

// frozen turns the database's refusal to touch an approved plan into ErrWrongState.
func frozen(err error) error {
	if pg.Constraint(err) == "plans_frozen" || strings.Contains(fmt.Sprint(err), "plans_frozen") {
		return ErrWrongState
	}
	return err
}

// UpdatePlan replaces a draft or returned plan's fields and items.
func (s *Store) UpdatePlan(ctx context.Context, a audit.Actor, pt Participant, id int64, p Plan) (Plan, error) {
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		cur, err := plan(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if cur.ParticipantID != pt.ID {
			return fmt.Errorf("participants: plan %d: %w", id, ErrNotFound)
		}
		if !cur.State.Editable() {
			return fmt.Errorf("participants: update plan %d (%s): %w", id, cur.State, ErrWrongState)
		}
		items := p.Items
		err = tx.GetContext(ctx, &p, `
			UPDATE plans SET business = $2, menu = $3, location = $4, trading_days = $5, trading_hours = $6,
			       days_per_month = $7, expected_daily_sales = $8, ingredient_cost_pct = $9, monthly_fixed_costs = $10,
			       updated_at = now()
			WHERE id = $1 RETURNING *`, id, p.Business, p.Menu, p.Location, p.TradingDays, p.TradingHours,
			p.DaysPerMonth, p.ExpectedDailySales, p.IngredientCostPct, p.MonthlyFixedCosts)
		if err != nil {
			return fmt.Errorf("participants: update plan %d: %w", id, frozen(err))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM plan_items WHERE plan_id = $1`, id); err != nil {
			return fmt.Errorf("participants: update plan %d: %w", id, frozen(err))
		}
		if p.Items, err = insertItems(ctx, tx, id, items); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "plan.update", planObject(pt, p.Version), string(p.State), audit.Details{"state": string(p.State)})
	})
	return p, err
}

// Review is a step of a plan's review.
type Review string

// The review steps: an officer submits, a manager approves or returns.
const (
	Submit  Review = "submit"
	Approve Review = "approve"
	Return  Review = "return" // with a comment
)

// ReviewPlan takes plan id one step through its review; comment is the
// reason a plan is returned. The plan page and the API both call it.
func (s *Store) ReviewPlan(ctx context.Context, a audit.Actor, id int64, step Review, comment string) (Plan, error) {
	switch step {
	case Submit:
		return s.SubmitPlan(ctx, a, id)
	case Approve:
		return s.ApprovePlan(ctx, a, id)
	case Return:
		return s.ReturnPlan(ctx, a, id, comment)
	}
	return Plan{}, fmt.Errorf("participants: plan %d: no review step %q: %w", id, step, ErrWrongState)
}

// SubmitPlan sends a draft or returned plan to a manager for review.
func (s *Store) SubmitPlan(ctx context.Context, a audit.Actor, id int64) (Plan, error) {
	return s.move(ctx, a, id, "plan.submit", func(_ *sqlx.Tx, _ Participant, p Plan) (string, []any, error) {
		if !p.State.Editable() {
			return "", nil, ErrWrongState
		}
		return `state = 'submitted', submitted_at = now(), submitted_by = $2, review_comment = ''`, []any{a.User()}, nil
	})
}

// ApprovePlan approves a submitted plan. The manager may not be one who
// wrote, edited or submitted it (four eyes). The approved version is then frozen.
func (s *Store) ApprovePlan(ctx context.Context, a audit.Actor, id int64) (Plan, error) {
	return s.move(ctx, a, id, "plan.approve", func(tx *sqlx.Tx, pt Participant, p Plan) (string, []any, error) {
		if p.State != Submitted {
			return "", nil, ErrWrongState
		}
		if ok, err := mayApprove(ctx, tx, pt, p, a.UserID); err != nil {
			return "", nil, err
		} else if !ok {
			return "", nil, ErrFourEyes
		}
		return `state = 'approved', reviewed_by = $2, reviewed_at = now(), approved_at = now()`, []any{a.User()}, nil
	})
}

// MayApprove reports whether user may approve plan p of participant pt by
// the four-eyes rule (the plan page shows the button only then).
func (s *Store) MayApprove(ctx context.Context, pt Participant, p Plan, user int64) (bool, error) {
	return mayApprove(ctx, s.db, pt, p, user)
}

// mayApprove is the four-eyes rule: the approver is none of those who
// wrote, edited or submitted the version. Editing a version is writing it
// too; the audit trail is the record of who changed it.
func mayApprove(ctx context.Context, q sqlx.QueryerContext, pt Participant, p Plan, user int64) (bool, error) {
	if user == 0 || sameUser(p.WrittenBy, user) || sameUser(p.SubmittedBy, user) {
		return false, nil
	}
	edited, err := audit.Did(ctx, q, user, "plan.update", planObject(pt, p.Version))
	if err != nil {
		return false, fmt.Errorf("participants: editors of plan %d: %w", p.ID, err)
	}
	return !edited, nil
}

// MaxComment is the longest review comment, in characters.
const MaxComment = 2000

// ReturnPlan sends a submitted plan back to its writer with a comment.
func (s *Store) ReturnPlan(ctx context.Context, a audit.Actor, id int64, comment string) (Plan, error) {
	comment = strings.TrimSpace(comment)
	switch {
	case comment == "":
		return Plan{}, validErr("comment", "plan.comment_required")
	case utf8.RuneCountInString(comment) > MaxComment:
		return Plan{}, validErr("comment", "input.too_long")
	}
	return s.move(ctx, a, id, "plan.return", func(_ *sqlx.Tx, _ Participant, p Plan) (string, []any, error) {
		if p.State != Submitted {
			return "", nil, ErrWrongState
		}
		return `state = 'returned', reviewed_by = $2, reviewed_at = now(), review_comment = $3`, []any{a.User(), comment}, nil
	})
}

func sameUser(id *int64, user int64) bool { return id != nil && *id == user }

// move changes a plan's state in one transaction: the plan is locked, step
// checks it (in tx, with its participant) and returns the SET clause (its
// arguments start at $2).
func (s *Store) move(ctx context.Context, a audit.Actor, id int64, action string, step func(*sqlx.Tx, Participant, Plan) (string, []any, error)) (Plan, error) {
	var p Plan
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		cur, err := plan(ctx, tx, id, true)
		if err != nil {
			return err
		}
		pt, err := byID(ctx, tx, cur.ParticipantID)
		if err != nil {
			return err
		}
		if pt.Erased() {
			return ErrErased
		}
		set, args, err := step(tx, pt, cur)
		if err != nil {
			return fmt.Errorf("participants: %s %d (%s): %w", action, id, cur.State, err)
		}
		if err := tx.GetContext(ctx, &p, `UPDATE plans SET `+set+` WHERE id = $1 RETURNING *`, append([]any{id}, args...)...); err != nil {
			return fmt.Errorf("participants: %s %d: %w", action, id, frozen(err))
		}
		p.Items = cur.Items
		summary, details := string(p.State), audit.Details{"state": string(p.State)}
		if p.ReviewComment != "" {
			summary += ": " + p.ReviewComment
			details["comment"] = p.ReviewComment
		}
		return audit.RecordDetails(ctx, tx, a, action, planObject(pt, p.Version), summary, details)
	})
	return p, err
}

func byID(ctx context.Context, q sqlx.QueryerContext, id int64) (Participant, error) {
	var p Participant
	if err := sqlx.GetContext(ctx, q, &p, `SELECT * FROM participants WHERE id = $1`, id); err != nil {
		return Participant{}, fmt.Errorf("participants: id %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return p, nil
}

// PlanRow is a plan version in a work list (a manager's inbox of plans to
// review, an officer's of plans returned to fix), with its participant and
// the people who wrote, submitted and reviewed it.
type PlanRow struct {
	ID            int64      `db:"id"`
	Version       int        `db:"version"`
	State         PlanState  `db:"state"`
	Business      string     `db:"business"`
	Code          string     `db:"code"`
	Name          string     `db:"name"`
	Nickname      string     `db:"nickname"`
	WrittenBy     *int64     `db:"written_by"`
	SubmittedBy   *int64     `db:"submitted_by"`
	SubmittedAt   *time.Time `db:"submitted_at"`
	ReviewedBy    *int64     `db:"reviewed_by"`
	ReviewedAt    *time.Time `db:"reviewed_at"`
	ReviewComment string     `db:"review_comment"`
}

// PlansIn lists the plan versions in state of participants not erased:
// submitted ones oldest first (first come, first reviewed), others most
// recently reviewed first.
func (s *Store) PlansIn(ctx context.Context, state PlanState) ([]PlanRow, error) {
	order := `p.submitted_at, p.id`
	if state != Submitted {
		order = `p.reviewed_at DESC NULLS LAST, p.id DESC`
	}
	rows := []PlanRow{}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT p.id, p.version, p.state, p.business, t.code, t.name, t.nickname, p.written_by,
		       p.submitted_by, p.submitted_at, p.reviewed_by, p.reviewed_at, p.review_comment
		FROM plans p JOIN participants t ON t.id = p.participant_id
		WHERE p.state = $1 AND t.erased_at IS NULL
		ORDER BY `+order, state)
	if err != nil {
		return nil, fmt.Errorf("participants: plans %s: %w", state, err)
	}
	return rows, nil
}
