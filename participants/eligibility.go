package participants

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/training"
)

// Reasons a participant is not yet eligible for a grant.
const (
	ReasonErased          = "erased"
	ReasonNoConsent       = "no_programme_consent"
	ReasonTrainingMissing = "training_missing"
	ReasonTrainingExpired = "training_expired"
	ReasonNoApprovedPlan  = "no_approved_plan"
)

// Eligibility says whether a participant may receive a grant and, if not,
// every reason why.
type Eligibility struct {
	Eligible bool                    `json:"eligible"`
	Reasons  []string                `json:"reasons"`
	Training []training.ModuleStatus `json:"-"` // required modules not current
}

// States a participant's file can be in, for the list's filter.
const (
	StateEnrolled      = "enrolled"
	StateInTraining    = "in_training"
	StatePlanDraft     = "plan_draft"
	StatePlanSubmitted = "plan_submitted"
	StatePlanReturned  = "plan_returned"
	StatePlanApproved  = "plan_approved" // but something else is missing
	StateEligible      = "eligible"
	StateErased        = "erased"
)

// States lists the file states in the order of the programme.
var States = []string{StateEnrolled, StateInTraining, StatePlanDraft, StatePlanSubmitted, StatePlanReturned, StatePlanApproved, StateEligible, StateErased}

// Facts are what a participant's eligibility and state are decided from,
// as her file stands on one day.
type Facts struct {
	Erased       bool
	Consent      bool                    // to take part: recorded and not withdrawn
	Standing     []training.ModuleStatus // every active module, on the day
	TrainedAny   bool                    // any completion recorded, passed or not
	PlanState    PlanState               // the latest version's; "" when she has none
	PlanApproved bool                    // some version was approved
}

// Eligibility is the grant rule, written once: her file not erased,
// consent to take part recorded and not withdrawn, every required module
// passed and current, and an approved plan. The reasons come in that order.
func (f Facts) Eligibility() Eligibility {
	e := Eligibility{Reasons: []string{}}
	if f.Erased {
		e.Reasons = append(e.Reasons, ReasonErased)
	}
	if !f.Consent {
		e.Reasons = append(e.Reasons, ReasonNoConsent)
	}
	var missing, expired bool
	for _, m := range f.Standing {
		if !m.Module.Required || m.Status == training.Current {
			continue
		}
		e.Training = append(e.Training, m)
		missing = missing || m.Status == training.Missing
		expired = expired || m.Status == training.Expired
	}
	if missing {
		e.Reasons = append(e.Reasons, ReasonTrainingMissing)
	}
	if expired {
		e.Reasons = append(e.Reasons, ReasonTrainingExpired)
	}
	if !f.PlanApproved {
		e.Reasons = append(e.Reasons, ReasonNoApprovedPlan)
	}
	e.Eligible = len(e.Reasons) == 0
	return e
}

// State is where her file stands in the programme: erased, eligible, else
// her latest plan's state, else in training once any result is recorded.
func (f Facts) State() string {
	switch {
	case f.Erased:
		return StateErased
	case f.Eligibility().Eligible:
		return StateEligible
	case f.PlanState != "":
		return "plan_" + string(f.PlanState)
	case f.TrainedAny:
		return StateInTraining
	}
	return StateEnrolled
}

// Eligibility works out whether the participant with code is eligible on
// day today, reading through q: the store's database, or the caller's
// transaction (a grant's approval checks it inside its own).
func (s *Store) Eligibility(ctx context.Context, q sqlx.QueryerContext, code string, today time.Time) (Eligibility, error) {
	p, err := byCode(ctx, q, code)
	if err != nil {
		return Eligibility{Reasons: []string{}}, err
	}
	return eligibility(ctx, q, p, today)
}

func eligibility(ctx context.Context, q sqlx.QueryerContext, p Participant, today time.Time) (Eligibility, error) {
	fs, err := factsOf(ctx, q, []Participant{p}, today)
	if err != nil {
		return Eligibility{Reasons: []string{}}, err
	}
	return fs[p.ID].Eligibility(), nil
}

// factsOf reads the facts of every participant in ps on day today, in four
// queries whatever their number.
func factsOf(ctx context.Context, q sqlx.QueryerContext, ps []Participant, today time.Time) (map[int64]Facts, error) {
	ids := make([]int64, len(ps))
	fs := make(map[int64]Facts, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
		fs[p.ID] = Facts{Erased: p.Erased()}
	}
	var consents []struct {
		ID    int64 `db:"participant_id"`
		Given bool  `db:"given"`
	}
	err := sqlx.SelectContext(ctx, q, &consents, `
		SELECT DISTINCT ON (participant_id) participant_id, given FROM consents
		WHERE participant_id = ANY($1) AND purpose = $2 ORDER BY participant_id, id DESC`, pq.Array(ids), TakingPart)
	if err != nil {
		return nil, fmt.Errorf("participants: eligibility: consents: %w", err)
	}
	for _, c := range consents {
		f := fs[c.ID]
		f.Consent = c.Given
		fs[c.ID] = f
	}
	modules, err := training.Modules(ctx, q, false)
	if err != nil {
		return nil, err
	}
	done, err := training.CompletionsOf(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for id, f := range fs {
		f.Standing = training.Standing(modules, done[id], today)
		f.TrainedAny = len(done[id]) > 0
		fs[id] = f
	}
	var versions []struct {
		ID    int64     `db:"participant_id"`
		State PlanState `db:"state"`
	}
	err = sqlx.SelectContext(ctx, q, &versions, `
		SELECT participant_id, state FROM plans WHERE participant_id = ANY($1) ORDER BY participant_id, version`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("participants: eligibility: plans: %w", err)
	}
	for _, v := range versions {
		f := fs[v.ID]
		f.PlanState = v.State // the last one read is the latest version
		f.PlanApproved = f.PlanApproved || v.State == Approved
		fs[v.ID] = f
	}
	return fs, nil
}

// Filter narrows the participant list; empty fields do not filter.
type Filter struct {
	Query    string // part of a name, nickname, code or phone
	Cohort   string
	State    string
	Eligible string // "yes" or "no"
	Limit    int
}

// Row is one line of the participant list.
type Row struct {
	Participant
	State    string
	Eligible bool
}

// List returns the participants matching f on day today, by code. Each
// row's state and eligibility come from the same Facts as Eligibility's.
func (s *Store) List(ctx context.Context, f Filter, today time.Time) ([]Row, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(q) + "%"
		cond := "name ILIKE " + arg(like) + " OR nickname ILIKE " + arg(like) + " OR code ILIKE " + arg(like)
		if digits := onlyDigits(q); len(digits) >= 3 {
			if strings.HasPrefix(digits, "66") && len(digits) == 11 {
				digits = "0" + digits[2:]
			}
			cond += " OR phone LIKE " + arg("%"+digits+"%")
		}
		where = append(where, "("+cond+")")
	}
	if f.Cohort != "" {
		where = append(where, "cohort = "+arg(f.Cohort))
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 500
	}
	query := `SELECT * FROM participants`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	var ps []Participant
	if err := s.db.SelectContext(ctx, &ps, query+` ORDER BY code`, args...); err != nil {
		return nil, fmt.Errorf("participants: list: %w", err)
	}
	fs, err := factsOf(ctx, s.db, ps, today)
	if err != nil {
		return nil, err
	}
	rows := []Row{}
	for _, p := range ps {
		r := Row{Participant: p, State: fs[p.ID].State(), Eligible: fs[p.ID].Eligibility().Eligible}
		switch {
		case f.State != "" && r.State != f.State,
			f.Eligible == "yes" && !r.Eligible,
			f.Eligible == "no" && r.Eligible:
			continue
		}
		if rows = append(rows, r); len(rows) == f.Limit {
			break
		}
	}
	return rows, nil
}
