package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/audit"
	"hawker/donors"
	"hawker/grants"
	"hawker/money"
	"hawker/participants"
	"hawker/thai"
	"hawker/users"
	"hawker/valid"
)

// The grant pages (issue 11): the officers' list and form, the approvers'
// inbox, a grant with its releases and timeline, the fund dashboard, the
// equipment register, and the vendor's own grants. Each calls the same
// grants functions as its JSON twin in api_grants.go.

// newKey is a fresh Idempotency-Key for a form: a double click or a resent
// form releases once.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// refusal is a domain refusal shown on the page it came from, with its
// particulars (eligibility reasons, a shortfall, a condition).
type refusal struct {
	Key     string
	Reasons []string
	Short   *grants.InsufficientFundsError
	Cond    *grants.ConditionError
}

// refusalOf turns a 4xx domain error into what a page shows; other errors
// go to the error handler.
func refusalOf(err error) (*refusal, bool) {
	p := problemOf(err)
	if p.Status >= 500 || p.Status < 400 || len(p.Fields) > 0 {
		return nil, false
	}
	r := &refusal{Key: p.Key}
	var ne *grants.NotEligibleError
	if errors.As(err, &ne) {
		r.Reasons = ne.Reasons
	}
	errors.As(err, &r.Short)
	errors.As(err, &r.Cond)
	return r, true
}

// grantsPage is the officers' list of grants.
type grantsPage struct {
	State  string
	States []grants.State
	Rows   []grants.Row
	Role   users.Role
}

// listGrants: GET /grants?state=.
func (s *Server) listGrants(c *fiber.Ctx) error {
	st := grants.State(c.Query("state"))
	if st != "" && !slices.Contains(grants.States, st) {
		st = ""
	}
	rows, err := s.grants.List(c.UserContext(), grants.Filter{State: st})
	if err != nil {
		return err
	}
	return s.render(c, "grant_list", grantsPage{State: string(st), States: grants.States, Rows: rows, Role: currentUser(c).Role})
}

// grantForm is the draft form: the grant's input and the choices.
type grantForm struct {
	ID          int64
	In          grants.Input
	Funds       []grants.FundFigures
	Errors      valid.Errors
	Refusal     *refusal
	Conditions  []grants.Condition
	Bases       []grants.Basis
	FromPlan    bool
	Participant *participants.Participant
}

// blankRows pads the form so an officer can add tranches and items without script.
func (f *grantForm) blankRows() {
	for n := max(4, len(f.In.Tranches)+1); len(f.In.Tranches) < min(n, grants.MaxTranches); {
		f.In.Tranches = append(f.In.Tranches, grants.TrancheInput{})
	}
	for n := max(4, len(f.In.Equipment)+1); len(f.In.Equipment) < min(n, grants.MaxItems); {
		f.In.Equipment = append(f.In.Equipment, grants.ItemInput{})
	}
}

func (s *Server) renderGrantForm(c *fiber.Ctx, f grantForm) error {
	var err error
	if f.Funds, err = s.grants.Dashboard(c.UserContext(), 0); err != nil {
		return err
	}
	f.Conditions, f.Bases = grants.Conditions, grants.Bases
	f.blankRows()
	return s.render(c, "grant_form", f)
}

// newGrant: GET /grants/new?participant=CODE, with her approved plan's
// start-up items pre-filling the equipment list.
func (s *Server) newGrant(c *fiber.Ctx) error {
	f := grantForm{In: grants.Input{Participant: strings.ToUpper(strings.TrimSpace(c.Query("participant")))}}
	if id, err := strconv.ParseInt(c.Query("fund"), 10, 64); err == nil {
		f.In.Fund = id
	}
	if f.In.Participant != "" {
		p, err := s.participants.ByCode(c.UserContext(), f.In.Participant)
		if err == nil && s.mayViewParticipant(c, p.ID) == nil {
			f.Participant = &p
			plans, err := s.participants.Plans(c.UserContext(), p.ID)
			if err != nil {
				return err
			}
			for _, pl := range plans {
				if pl.State != participants.Approved {
					continue
				}
				f.FromPlan = true
				for _, it := range pl.Items {
					desc := it.Name
					if it.Quantity > 1 {
						desc += " ×" + strconv.Itoa(it.Quantity)
					}
					f.In.Equipment = append(f.In.Equipment, grants.ItemInput{Description: desc, Value: money.Text(it.Total().String()), Basis: string(grants.Invoice)})
				}
				break
			}
		}
	}
	return s.renderGrantForm(c, f)
}

// formInput reads the grant form: rows left blank are dropped. A tranche's
// date box is read in the page's language (readDate); the messages of
// those that did not read come back keyed as the domain keys the field
// ("tranches.0.after_date").
func (s *Server) formInput(c *fiber.Ctx) (grants.Input, valid.Errors) {
	bad := valid.Errors{}
	in := grants.Input{Participant: c.FormValue("participant"), Purpose: c.FormValue("purpose")}
	in.Fund, _ = strconv.ParseInt(c.FormValue("fund"), 10, 64)
	for i := 0; i < grants.MaxTranches; i++ {
		p := "t" + strconv.Itoa(i) + "_"
		t := grants.TrancheInput{Amount: money.Text(c.FormValue(p + "amount")), Condition: c.FormValue(p + "condition"),
			AfterDate: c.FormValue(p + "after_date"), Milestone: c.FormValue(p + "milestone")}
		if v := strings.TrimSpace(c.FormValue(p + "trading_days")); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				n = -1
			}
			t.TradingDays = &n
		}
		if strings.TrimSpace(string(t.Amount)) == "" && t.Condition == "" {
			continue
		}
		if t.Condition != string(grants.AfterDate) {
			t.AfterDate = ""
		} else {
			var key string
			t.AfterDate, key = s.readDate(c, t.AfterDate)
			if key != "" {
				bad.Add("tranches."+strconv.Itoa(len(in.Tranches))+".after_date", key)
			}
		}
		if t.Condition != string(grants.TradingDays) {
			t.TradingDays = nil
		}
		if t.Condition != string(grants.Milestone) {
			t.Milestone = ""
		}
		in.Tranches = append(in.Tranches, t)
	}
	for i := 0; i < grants.MaxItems; i++ {
		p := "e" + strconv.Itoa(i) + "_"
		it := grants.ItemInput{Description: c.FormValue(p + "description"), AssetTag: c.FormValue(p + "asset_tag"),
			Serial: c.FormValue(p + "serial"), Value: money.Text(c.FormValue(p + "value")), Basis: c.FormValue(p + "basis")}
		if strings.TrimSpace(it.Description+it.AssetTag+it.Serial+string(it.Value)) == "" {
			continue
		}
		in.Equipment = append(in.Equipment, it)
	}
	return in, bad
}

// saveGrant: POST /grants (new) and POST /grants/{id} (a draft edited).
func (s *Server) saveGrant(c *fiber.Ctx) error {
	in, bad := s.formInput(c)
	// The domain is given no date that did not read (its own reading is
	// wider than the page's), only what the page shows back keeps it.
	checked := in
	checked.Tranches = slices.Clone(in.Tranches)
	for i := range checked.Tranches {
		checked.Tranches[i].AfterDate = readOnly(checked.Tranches[i].AfterDate, bad, "tranches."+strconv.Itoa(i)+".after_date")
	}
	var g grants.Grant
	var err error
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	if id > 0 {
		g, err = s.grants.Update(c.UserContext(), actor(c), id, checked)
	} else {
		g, err = s.grants.Create(c.UserContext(), actor(c), checked)
	}
	err = withDateErrors(err, bad)
	var fields valid.Errors
	if errors.As(err, &fields) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderGrantForm(c, grantForm{ID: id, In: in, Errors: fields})
	}
	if r, ok := refusalOf(err); ok {
		c.Status(problemOf(err).Status)
		return s.renderGrantForm(c, grantForm{ID: id, In: in, Refusal: r})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/grants/"+strconv.FormatInt(g.ID, 10)+"?done=saved", http.StatusSeeOther)
}

// editGrant: GET /grants/{id}/edit, a draft's form.
func (s *Server) editGrant(c *fiber.Ctx) error {
	g, err := s.grantFrom(c)
	if err != nil {
		return err
	}
	if !g.State.Allows(grants.Edit) {
		return c.Redirect("/grants/"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
	}
	return s.renderGrantForm(c, grantForm{ID: g.ID, In: grants.InputOf(g)})
}

// grantPage is one grant: what it is, what can be done, and its timeline.
type grantPage struct {
	G           grants.Grant
	P           participants.Participant
	Fund        grants.FundFigures
	Eligibility participants.Eligibility
	Plan        *participants.Plan
	Timeline    []timelineStep
	Holders     map[int64]string
	Role        users.Role
	UserID      int64
	MayApprove  string // "" or the key of why not
	Key         string // the Idempotency-Key of this page's release forms
	Today       time.Time
	Notice      string
	Refusal     *refusal
	Errors      valid.Errors
	Failed      rowForm // the hand-over form that did not go through, keyed by its item's id
}

var grantNotices = map[string]string{
	"saved": "grant.notice_saved", "submitted": "grant.notice_submitted", "approved": "grant.notice_approved",
	"rejected": "grant.notice_rejected", "cancelled": "grant.notice_cancelled", "released": "grant.notice_released",
	"confirmed": "grant.notice_confirmed", "handed": "grant.notice_handed", "reversed": "grant.notice_reversed",
}

// showGrant: GET /grants/{id}.
func (s *Server) showGrant(c *fiber.Ctx) error {
	return s.renderGrant(c, nil, rowForm{})
}

func (s *Server) renderGrant(c *fiber.Ctx, r *refusal, failed rowForm) error {
	ctx := c.UserContext()
	g, err := s.grantFrom(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	pg := grantPage{G: g, Role: u.Role, UserID: u.ID, Key: newKey(), Today: s.today(), Notice: grantNotices[c.Query("done")],
		Refusal: r, Errors: failed.Errors, Failed: failed, Holders: map[int64]string{}}
	if pg.P, err = s.participants.ByID(ctx, g.ParticipantID); err != nil {
		return err
	}
	if pg.Eligibility, err = s.participants.Eligibility(ctx, s.db, pg.P.Code, pg.Today); err != nil {
		return err
	}
	f, err := s.grants.Fund(ctx, g.FundID)
	if err != nil {
		return err
	}
	fig, err := s.grants.Figures(ctx, f)
	if err != nil {
		return err
	}
	pg.Fund = grants.FundFigures{Fund: f, Figures: fig}
	if g.PlanID != nil {
		pl, err := s.participants.Plan(ctx, *g.PlanID)
		if err != nil {
			return err
		}
		pg.Plan = &pl
	}
	if u.Role != users.Vendor {
		es, err := s.grants.Timeline(ctx, g)
		if err != nil {
			return err
		}
		pg.Timeline = s.timeline(s.lang(c), es)
		if err := grants.MayApprove(g, actor(c)); err != nil {
			pg.MayApprove = problemOf(err).Key
		}
	}
	return s.render(c, "grant_show", pg)
}

// timelineStep is an event of a grant's audit trail as its timeline shows
// it: when, by which role, its label and what happened, in the reader's
// language.
type timelineStep struct {
	At    time.Time
	Role  string
	Label string // a catalogue key
	Text  string // "" when the event has no details (written before they were kept)
}

// timeline tells a grant's audit events in lang from each action's code and
// details, never from the stored English summary: an amount is written by
// money for the reader ("5,000.00 บาท", "฿5,000.00"), a date B.E. in Thai,
// a condition by its catalogue name.
func (s *Server) timeline(lang string, es []audit.Event) []timelineStep {
	out := make([]timelineStep, 0, len(es))
	for _, e := range es {
		st := timelineStep{At: e.At, Role: e.ActorRole, Label: timelineKey(e.Action)}
		if len(e.Details) > 0 {
			key := st.Label + "_detail"
			if e.Action == "grant.approve" && e.Details["total"] != "" {
				key = st.Label + "_committed" // the last approval, which commits the money
			}
			var args []any
			for k, v := range e.Details {
				switch k {
				case "amount", "total", "value":
					if a, err := money.Parse(v); err == nil {
						v = a.In(lang)
					}
				case "on":
					if d, err := time.Parse(time.DateOnly, v); err == nil {
						v = thai.DateIn(lang, d)
					}
				case "condition":
					v = s.views.tr.T(lang, "grant.cond_"+v)
				}
				args = append(args, strings.ToUpper(k[:1])+k[1:], v)
			}
			st.Text = s.views.tr.T(lang, key, args...)
		}
		out = append(out, st)
	}
	return out
}

// Figures are a plan's figures, for the page.
func (p grantPage) Figures() participants.Figures { return p.Plan.Figures() }

// Shortfall is how much the fund lacks for this grant now, or zero.
func (p grantPage) Shortfall() money.Amount { return p.Fund.ShortBy(p.G.Total) }

// actGrant answers the page's review buttons: POST /grants/{id}/{action}.
func (s *Server) actGrant(action grants.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		g, err := s.moveGrant(c, action, id, c.FormValue("reason"))
		if done, ok := s.pageRefused(c, err); ok {
			return done
		}
		if err != nil {
			return err
		}
		back := c.FormValue("back")
		if back != "/grants/inbox" {
			back = "/grants/" + strconv.FormatInt(g.ID, 10)
		}
		return c.Redirect(back+"?done="+string(g.State), http.StatusSeeOther)
	}
}

// pageRefused re-renders the grant page with a refusal or field errors; ok
// is false for errors that go to the error handler (and for none). failed,
// if given, is the form that was posted (its Errors are filled here).
func (s *Server) pageRefused(c *fiber.Ctx, err error, failed ...rowForm) (error, bool) {
	if err == nil {
		return nil, false
	}
	var row rowForm
	if len(failed) > 0 {
		row = failed[0]
	}
	var fields valid.Errors
	if errors.As(err, &fields) {
		c.Status(fiber.StatusUnprocessableEntity)
		row.Errors = fields
		return s.renderGrant(c, nil, row), true
	}
	if r, ok := refusalOf(err); ok && !errors.Is(err, grants.ErrNotFound) {
		c.Status(problemOf(err).Status)
		return s.renderGrant(c, r, row), true
	}
	return nil, false
}

// trancheStep parses a tranche's grant id and number, runs step on them,
// and answers as each tranche action does: the grant page again with the
// refusal, or back to the grant saying what was done.
func (s *Server) trancheStep(c *fiber.Ctx, done string, step func(id int64, n int) error) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := trancheParam(c)
	if err != nil {
		return err
	}
	err = step(id, n)
	if page, ok := s.pageRefused(c, err); ok {
		return page
	}
	if err != nil {
		return err
	}
	return c.Redirect("/grants/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
}

// releaseTranche: POST /grants/{id}/tranches/{n}/disburse, keyed by the form's key.
func (s *Server) releaseTranche(c *fiber.Ctx) error {
	key := strings.TrimSpace(c.FormValue("key"))
	if !validKey(key) {
		return errMalformed
	}
	return s.trancheStep(c, "released", func(id int64, n int) error {
		_, err := s.grants.Disburse(c.UserContext(), actor(c), grants.Release{Grant: id, N: n, Key: key, On: s.today()})
		return err
	})
}

// confirmTranche: POST /grants/{id}/tranches/{n}/confirm.
func (s *Server) confirmTranche(c *fiber.Ctx) error {
	return s.trancheStep(c, "confirmed", func(id int64, n int) error {
		_, err := s.grants.ConfirmMilestone(c.UserContext(), actor(c), id, n, c.FormValue("note"))
		return err
	})
}

// reverseTranche: POST /grants/{id}/tranches/{n}/reverse (managers).
func (s *Server) reverseTranche(c *fiber.Ctx) error {
	return s.trancheStep(c, "reversed", func(id int64, n int) error {
		_, err := s.grants.ReverseTranche(c.UserContext(), actor(c), id, n, c.FormValue("reason"), s.today())
		return err
	})
}

// handOverItem: POST /grants/{id}/equipment/{item}/handover.
func (s *Server) handOverItem(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	item, err := idParam(c, "item")
	if err != nil {
		return err
	}
	var on string
	bad := s.formDates(c, map[string]*string{"handed_over_on": &on})
	in := grants.HandOverInput{HandedOverOn: readOnly(on, bad, "handed_over_on"), ReceivedBy: c.FormValue("received_by"), Acceptance: c.FormValue("acceptance")}
	_, err = s.grants.HandOver(c.UserContext(), actor(c), id, item, in, s.today())
	err = withDateErrors(err, bad)
	row := postedRow(c, strconv.FormatInt(item, 10), map[string]string{"handed_over_on": on}, "received_by", "acceptance")
	if done, ok := s.pageRefused(c, err, row); ok {
		return done
	}
	if err != nil {
		return err
	}
	return c.Redirect("/grants/"+strconv.FormatInt(id, 10)+"?done=handed", http.StatusSeeOther)
}

// inboxItem is a submitted grant beside what its approver weighs.
type inboxItem struct {
	G           grants.Grant
	P           participants.Participant
	Plan        *participants.Plan
	Figures     participants.Figures
	Eligibility participants.Eligibility
	Fund        grants.FundFigures
	MayApprove  string
	Shortfall   money.Amount
}

type inboxPage struct {
	Items  []inboxItem
	Notice string
}

// showInbox: GET /grants/inbox, the approvers' inbox: each submitted grant
// with, side by side, the plan's summary, the eligibility reasons and the
// fund's availability.
func (s *Server) showInbox(c *fiber.Ctx) error {
	ctx := c.UserContext()
	rows, err := s.grants.List(ctx, grants.Filter{State: grants.Submitted})
	if err != nil {
		return err
	}
	dash, err := s.grants.Dashboard(ctx, 0)
	if err != nil {
		return err
	}
	funds := map[int64]grants.FundFigures{}
	for _, f := range dash {
		funds[f.ID] = f
	}
	page := inboxPage{Items: []inboxItem{}, Notice: grantNotices[c.Query("done")]}
	for i := len(rows) - 1; i >= 0; i-- { // oldest first: first come, first weighed
		g, err := s.grants.Grant(ctx, rows[i].ID)
		if err != nil {
			return err
		}
		it := inboxItem{G: g, Fund: funds[g.FundID]}
		if it.P, err = s.participants.ByID(ctx, g.ParticipantID); err != nil {
			return err
		}
		if it.Eligibility, err = s.participants.Eligibility(ctx, s.db, it.P.Code, s.today()); err != nil {
			return err
		}
		if g.PlanID != nil {
			pl, err := s.participants.Plan(ctx, *g.PlanID)
			if err != nil {
				return err
			}
			it.Plan, it.Figures = &pl, pl.Figures()
		}
		if err := grants.MayApprove(g, actor(c)); err != nil {
			it.MayApprove = problemOf(err).Key
		}
		it.Shortfall = it.Fund.ShortBy(g.Total)
		page.Items = append(page.Items, it)
	}
	return s.render(c, "grant_inbox", page)
}

// fundsPage is the fund dashboard: each fund's figures from the ledger.
type fundsPage struct {
	Funds   []grants.FundFigures
	Donors  []donorOption
	Role    users.Role
	Key     string
	Today   time.Time
	Notice  string
	Errors  valid.Errors
	Failed  rowForm // the receipt form that did not go through, keyed by its fund's id
	Refusal *refusal
	Total   grants.Figures
}

type donorOption struct {
	ID   int64
	Name string
}

var fundNotices = map[string]string{"received": "fund.notice_received", "opened": "fund.notice_opened", "donor": "fund.notice_donor"}

// showFunds: GET /funds. Staff see every fund; a donor user only their
// own donor's, and never a participant's name (the page shows none).
func (s *Server) showFunds(c *fiber.Ctx) error { return s.renderFunds(c, rowForm{}, nil) }

func (s *Server) renderFunds(c *fiber.Ctx, failed rowForm, r *refusal) error {
	u := currentUser(c)
	donor := int64(0)
	if u.Role == users.Donor {
		if u.DonorID == nil {
			return errForbidden
		}
		donor = *u.DonorID
	}
	fs, err := s.grants.Dashboard(c.UserContext(), donor)
	if err != nil {
		return err
	}
	page := fundsPage{Funds: fs, Role: u.Role, Key: newKey(), Today: s.today(), Notice: fundNotices[c.Query("done")], Errors: failed.Errors, Failed: failed, Refusal: r}
	for _, f := range fs {
		page.Total.Received = page.Total.Received.Add(f.Received)
		page.Total.Committed = page.Total.Committed.Add(f.Committed)
		page.Total.Disbursed = page.Total.Disbursed.Add(f.Disbursed)
		page.Total.Available = page.Total.Available.Add(f.Available)
	}
	if u.Role == users.Manager || u.Role == users.Admin {
		ds, err := s.donors.List(c.UserContext())
		if err != nil {
			return err
		}
		for _, d := range ds {
			page.Donors = append(page.Donors, donorOption{ID: d.ID, Name: d.Name})
		}
	}
	return s.render(c, "fund_list", page)
}

// fundsRefused re-renders the dashboard with field errors or a refusal;
// failed is the form that was posted (its Errors are filled here).
func (s *Server) fundsRefused(c *fiber.Ctx, err error, failed rowForm) (error, bool) {
	var fields valid.Errors
	if errors.As(err, &fields) {
		c.Status(fiber.StatusUnprocessableEntity)
		failed.Errors = fields
		return s.renderFunds(c, failed, nil), true
	}
	if r, ok := refusalOf(err); ok {
		c.Status(problemOf(err).Status)
		return s.renderFunds(c, failed, r), true
	}
	return nil, false
}

// receiveForm: POST /funds/{id}/receipts, keyed by the form's key.
func (s *Server) receiveForm(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	key := strings.TrimSpace(c.FormValue("key"))
	if !validKey(key) {
		return errMalformed
	}
	var on string
	bad := s.formDates(c, map[string]*string{"received_on": &on})
	in := grants.ReceiptInput{Amount: money.Text(c.FormValue("amount")), ReceivedOn: readOnly(on, bad, "received_on"), Note: c.FormValue("note")}
	_, err = s.grants.Receive(c.UserContext(), actor(c), id, key, in, s.today())
	err = withDateErrors(err, bad)
	row := postedRow(c, strconv.FormatInt(id, 10), map[string]string{"received_on": on}, "amount", "note")
	if done, ok := s.fundsRefused(c, err, row); ok {
		return done
	}
	if err != nil {
		return err
	}
	return c.Redirect("/funds?done=received", http.StatusSeeOther)
}

// openFund: POST /funds.
func (s *Server) openFund(c *fiber.Ctx) error {
	donor, _ := strconv.ParseInt(c.FormValue("donor"), 10, 64)
	_, err := s.grants.CreateFund(c.UserContext(), actor(c), grants.NewFund{Donor: donor, Name: c.FormValue("name"), Purpose: c.FormValue("purpose")})
	if done, ok := s.fundsRefused(c, err, rowForm{}); ok {
		return done
	}
	if err != nil {
		return err
	}
	return c.Redirect("/funds?done=opened", http.StatusSeeOther)
}

// addDonor: POST /donors.
func (s *Server) addDonor(c *fiber.Ctx) error {
	_, err := s.donors.Add(c.UserContext(), actor(c), donors.New{Name: c.FormValue("donor_name")})
	var fields valid.Errors
	if errors.As(err, &fields) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderFunds(c, rowForm{Errors: valid.Errors{"donor_name": fields["name"]}}, nil)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/funds?done=donor", http.StatusSeeOther)
}

// registerRow is an item of the register with its history.
type registerRow struct {
	grants.RegisterRow
	History []grants.ItemEvent
}

type registerPage struct {
	Status   string
	Statuses []grants.ItemStatus
	Rows     []registerRow
	Today    time.Time
	Notice   string
	Errors   valid.Errors
	Failed   rowForm // the form that did not go through, keyed "recover-ITEM" and so on
	Refusal  *refusal
	Role     users.Role
}

var registerNotices = map[string]string{"recover": "equipment.notice_recovered", "reassign": "equipment.notice_reassigned", "write-off": "equipment.notice_written_off"}

// showRegister: GET /equipment?status=.
func (s *Server) showRegister(c *fiber.Ctx) error { return s.renderRegister(c, rowForm{}, nil) }

func (s *Server) renderRegister(c *fiber.Ctx, failed rowForm, r *refusal) error {
	st := grants.ItemStatus(c.Query("status"))
	if !slices.Contains(grants.ItemStatuses, st) {
		st = ""
	}
	rows, err := s.grants.Register(c.UserContext(), grants.RegisterFilter{Status: st})
	if err != nil {
		return err
	}
	page := registerPage{Status: string(st), Statuses: grants.ItemStatuses[:5], Today: s.today(), Notice: registerNotices[c.Query("done")],
		Errors: failed.Errors, Failed: failed, Refusal: r, Role: currentUser(c).Role}
	for _, row := range rows {
		h, err := s.grants.History(c.UserContext(), row.ID)
		if err != nil {
			return err
		}
		page.Rows = append(page.Rows, registerRow{RegisterRow: row, History: h})
	}
	return s.render(c, "equipment", page)
}

// moveItemForm: POST /equipment/{item}/{recover|reassign|write-off}.
func (s *Server) moveItemForm(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		item, err := idParam(c, "item")
		if err != nil {
			return err
		}
		var on string
		bad := s.formDates(c, map[string]*string{"on": &on})
		in := grants.MoveInput{On: readOnly(on, bad, "on"), Note: c.FormValue("note"), Participant: c.FormValue("participant"),
			ReceivedBy: c.FormValue("received_by"), Acceptance: c.FormValue("acceptance")}
		_, err = s.moveItem(c, action, item, in)
		err = withDateErrors(err, bad)
		row := postedRow(c, action+"-"+strconv.FormatInt(item, 10), map[string]string{"on": on}, "note", "participant", "received_by", "acceptance")
		var fields valid.Errors
		if errors.As(err, &fields) {
			c.Status(fiber.StatusUnprocessableEntity)
			row.Errors = fields
			return s.renderRegister(c, row, nil)
		}
		if r, ok := refusalOf(err); ok {
			c.Status(problemOf(err).Status)
			return s.renderRegister(c, row, r)
		}
		if err != nil {
			return err
		}
		return c.Redirect("/equipment?done="+action, http.StatusSeeOther)
	}
}

// vendorGrantsPage is what a vendor sees of her own grants.
type vendorGrantsPage struct {
	Grants []grants.Grant
	Today  time.Time
}

// showOwnGrants: GET /books/grants: what was approved, what she has
// received, and what comes next on what condition.
func (s *Server) showOwnGrants(c *fiber.Ctx) error {
	u := currentUser(c)
	if u.ParticipantID == nil {
		return errForbidden
	}
	gs, err := s.grants.Grants(c.UserContext(), *u.ParticipantID)
	if err != nil {
		return err
	}
	shown := make([]grants.Grant, 0, len(gs))
	for _, g := range gs {
		if g.State == grants.Approved || g.State == grants.Completed || g.State == grants.Cancelled {
			shown = append(shown, g)
		}
	}
	return s.render(c, "vendor_grants", vendorGrantsPage{Grants: shown, Today: s.today()})
}
