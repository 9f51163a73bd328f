package app

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"hawker/money"
	"hawker/participants"
	"hawker/users"
	"hawker/valid"
)

func urlQuery(s string) string { return url.QueryEscape(s) }

// planFormPage writes a new version or edits an open one.
type planFormPage struct {
	P      participants.Participant
	PlanID int64 // 0: a new version
	Form   participants.PlanForm
	Rows   []participants.ItemForm // the items plus empty rows to fill
	Errors valid.Errors
}

// ItemErr is the error key of item row i's field.
func (p planFormPage) ItemErr(i int, field string) string {
	return p.Errors["items."+strconv.Itoa(i)+"."+field]
}

// emptyRows is how many blank start-up item rows the form offers.
const emptyRows = 3

func (s *Server) renderPlanForm(c *fiber.Ctx, pg planFormPage) error {
	pg.Rows = append(append([]participants.ItemForm{}, pg.Form.Items...), make([]participants.ItemForm, emptyRows)...)
	return s.render(c, "plan_form", pg)
}

// newPlan offers the next version, starting as a copy of the latest.
func (s *Server) newPlan(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	ps, err := s.participants.Plans(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	var f participants.PlanForm
	if len(ps) > 0 {
		f = participants.FormOf(ps[0])
	} else {
		f = participants.PlanForm{DaysPerMonth: "24"}
	}
	return s.renderPlanForm(c, planFormPage{P: p, Form: f})
}

func planFormOf(c *fiber.Ctx) participants.PlanForm {
	f := participants.PlanForm{
		Business: c.FormValue("business"), Menu: c.FormValue("menu"), Location: c.FormValue("location"),
		TradingDays: c.FormValue("trading_days"), TradingHours: c.FormValue("trading_hours"),
		DaysPerMonth:       participants.Number(c.FormValue("days_per_month")),
		ExpectedDailySales: money.Text(c.FormValue("expected_daily_sales")),
		IngredientCostPct:  participants.Number(c.FormValue("ingredient_cost_pct")),
		MonthlyFixedCosts:  money.Text(c.FormValue("monthly_fixed_costs")),
	}
	args := c.Request().PostArgs()
	names, qtys, costs := args.PeekMulti("item_name"), args.PeekMulti("item_quantity"), args.PeekMulti("item_unit_cost")
	for i := range names {
		it := participants.ItemForm{Name: string(names[i])}
		if i < len(qtys) {
			it.Quantity = participants.Number(qtys[i])
		}
		if i < len(costs) {
			it.UnitCost = money.Text(costs[i])
		}
		if it.Name != "" || it.Quantity != "" || it.UnitCost != "" {
			f.Items = append(f.Items, it)
		}
	}
	return f
}

func (s *Server) createPlan(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	f := planFormOf(c)
	plan, err := f.Parse()
	if err == nil {
		plan, err = s.participants.CreatePlan(c.UserContext(), actor(c), p, plan)
	}
	var fields valid.Errors
	if errors.As(err, &fields) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderPlanForm(c, planFormPage{P: p, Form: f, Errors: fields})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/plans/"+strconv.FormatInt(plan.ID, 10)+"?done=saved", http.StatusSeeOther)
}

// planFrom loads the plan named by :id and its participant, checking the
// caller may see her.
func (s *Server) planFrom(c *fiber.Ctx) (participants.Plan, participants.Participant, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return participants.Plan{}, participants.Participant{}, errNotFound
	}
	store := s.participants
	pl, err := store.Plan(c.UserContext(), id)
	if err != nil {
		return pl, participants.Participant{}, err
	}
	if err := s.mayViewParticipant(c, pl.ParticipantID); err != nil {
		return participants.Plan{}, participants.Participant{}, err
	}
	p, err := store.ByID(c.UserContext(), pl.ParticipantID)
	return pl, p, err
}

// planPage shows one version with its figures and the review buttons.
type planPage struct {
	P       participants.Participant
	Plan    participants.Plan
	Figures participants.Figures
	Notice  string
	Errors  valid.Errors
	Role    string
	// MayApprove: the reader is a manager the four-eyes rule lets approve it.
	MayApprove bool
	People     map[int64]string // user id → name: who wrote, submitted, reviewed
}

// Who names user id for the plan's history: their name, or "—".
func (p planPage) Who(id *int64) string { return homePage{People: p.People}.Who(id) }

var planNotices = map[string]string{
	"saved": "plan.notice_saved", "submitted": "plan.notice_submitted", "returned": "plan.notice_returned", "approved": "plan.notice_approved",
}

func (s *Server) showPlan(c *fiber.Ctx) error { return s.renderPlan(c, nil) }

func (s *Server) renderPlan(c *fiber.Ctx, fields valid.Errors) error {
	pl, p, err := s.planFrom(c)
	if err != nil {
		return err
	}
	if _, err := s.participants.View(c.UserContext(), actor(c), p.Code, "plan:"+strconv.Itoa(pl.Version)); err != nil {
		return err
	}
	pg := planPage{P: p, Plan: pl, Figures: pl.Figures(), Notice: planNotices[c.Query("done")], Errors: fields}
	if pg.People, err = s.userNames(c); err != nil {
		return err
	}
	if u := currentUser(c); u != nil {
		pg.Role = string(u.Role)
		if u.Role == users.Manager && pl.State == participants.Submitted {
			if pg.MayApprove, err = s.participants.MayApprove(c.UserContext(), p, pl, u.ID); err != nil {
				return err
			}
		}
	}
	return s.render(c, "plan_show", pg)
}

func (s *Server) editPlan(c *fiber.Ctx) error {
	pl, p, err := s.planFrom(c)
	if err != nil {
		return err
	}
	if !pl.State.Editable() {
		return participants.ErrWrongState
	}
	if err := s.auditStaffView(c, p, "plan:"+strconv.Itoa(pl.Version)); err != nil {
		return err
	}
	return s.renderPlanForm(c, planFormPage{P: p, PlanID: pl.ID, Form: participants.FormOf(pl)})
}

func (s *Server) updatePlan(c *fiber.Ctx) error {
	pl, p, err := s.planFrom(c)
	if err != nil {
		return err
	}
	f := planFormOf(c)
	plan, err := f.Parse()
	if err == nil {
		_, err = s.participants.UpdatePlan(c.UserContext(), actor(c), p, pl.ID, plan)
	}
	var fields valid.Errors
	if errors.As(err, &fields) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderPlanForm(c, planFormPage{P: p, PlanID: pl.ID, Form: f, Errors: fields})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/plans/"+strconv.FormatInt(pl.ID, 10)+"?done=saved", http.StatusSeeOther)
}

// reviewPlan is submit, approve and return from the plan page; the notice
// names the state the plan reached.
func (s *Server) reviewPlan(step participants.Review) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pl, _, err := s.planFrom(c)
		if err != nil {
			return err
		}
		if step == participants.Approve && c.FormValue("confirm") != "yes" {
			// Approving is asked twice: the box beside the button says what it commits to.
			c.Status(fiber.StatusUnprocessableEntity)
			return s.renderPlan(c, valid.Errors{"confirm": "plan.approve_confirm_required"})
		}
		pl, err = s.participants.ReviewPlan(c.UserContext(), actor(c), pl.ID, step, c.FormValue("comment"))
		var fields valid.Errors
		if errors.As(err, &fields) {
			c.Status(fiber.StatusUnprocessableEntity)
			return s.renderPlan(c, fields)
		}
		if err != nil {
			return err
		}
		return c.Redirect("/plans/"+strconv.FormatInt(pl.ID, 10)+"?done="+string(pl.State), http.StatusSeeOther)
	}
}
