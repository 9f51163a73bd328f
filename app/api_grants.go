package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/grants"
	"hawker/users"
)

// trancheJSON is a tranche as the API shows it.
type trancheJSON struct {
	N                int     `json:"n"`
	Amount           string  `json:"amount"`
	Condition        string  `json:"condition"`
	AfterDate        string  `json:"after_date,omitempty"`
	TradingDays      *int    `json:"trading_days,omitempty"`
	Milestone        string  `json:"milestone,omitempty"`
	State            string  `json:"state"`
	Confirmed        bool    `json:"milestone_confirmed,omitempty"`
	ConfirmNote      string  `json:"confirm_note,omitempty"`
	DisbursedOn      string  `json:"disbursed_on,omitempty"`
	ProgrammeEntryID *int64  `json:"programme_entry_id,omitempty"`
	VendorEntryID    *int64  `json:"vendor_entry_id,omitempty"`
	Grant            int64   `json:"grant"`
	Key              *string `json:"-"`
}

func toTrancheJSON(t grants.Tranche) trancheJSON {
	out := trancheJSON{N: t.N, Amount: t.Amount.String(), Condition: string(t.Condition), TradingDays: t.TradingDays,
		Milestone: t.Milestone, State: t.State, Confirmed: t.ConfirmedAt != nil, ConfirmNote: t.ConfirmNote,
		ProgrammeEntryID: t.ProgrammeEntryID, VendorEntryID: t.VendorEntryID, Grant: t.GrantID}
	if t.AfterDate != nil {
		out.AfterDate = t.AfterDate.Format(time.DateOnly)
	}
	if t.DisbursedOn != nil {
		out.DisbursedOn = t.DisbursedOn.Format(time.DateOnly)
	}
	return out
}

// itemJSON is an item of equipment as the API shows it.
type itemJSON struct {
	ID          int64   `json:"id"`
	Grant       int64   `json:"grant"`
	Description string  `json:"description"`
	AssetTag    string  `json:"asset_tag"`
	Serial      string  `json:"serial"`
	Value       string  `json:"value"`
	Basis       string  `json:"basis"`
	Donor       int64   `json:"donor"`
	Status      string  `json:"status"`
	Holder      *string `json:"holder,omitempty"`
}

func toItemJSON(i grants.Item, holder *string) itemJSON {
	return itemJSON{ID: i.ID, Grant: i.GrantID, Description: i.Description, AssetTag: i.AssetTag, Serial: i.Serial,
		Value: i.Value.String(), Basis: string(i.Basis), Donor: i.DonorID, Status: string(i.Status), Holder: holder}
}

// approvalJSON is one approval.
type approvalJSON struct {
	Seq  int       `json:"seq"`
	By   int64     `json:"by"`
	Role string    `json:"role"`
	At   time.Time `json:"at"`
}

// grantJSON is a grant as the API shows it.
type grantJSON struct {
	ID              int64          `json:"id"`
	State           string         `json:"state"`
	Participant     string         `json:"participant"`
	Fund            int64          `json:"fund"`
	Total           string         `json:"total"`
	Cash            string         `json:"cash"`
	Equipment       string         `json:"equipment_value"`
	Released        string         `json:"released"`
	Purpose         string         `json:"purpose"`
	ApprovalsNeeded int            `json:"approvals_needed"`
	Approvals       []approvalJSON `json:"approvals"`
	Reason          string         `json:"reason,omitempty"`
	Tranches        []trancheJSON  `json:"tranches"`
	Items           []itemJSON     `json:"equipment"`
	CreatedAt       time.Time      `json:"created_at"`
}

func toGrantJSON(g grants.Grant) grantJSON {
	out := grantJSON{ID: g.ID, State: string(g.State), Participant: g.Participant, Fund: g.FundID, Total: g.Total.String(),
		Cash: g.CashTotal().String(), Equipment: g.EquipmentTotal().String(), Released: g.Released().String(),
		Purpose: g.Purpose, ApprovalsNeeded: g.ApprovalsNeeded, Reason: g.Reason, CreatedAt: g.CreatedAt,
		Approvals: []approvalJSON{}, Tranches: []trancheJSON{}, Items: []itemJSON{}}
	for _, a := range g.Approvals {
		out.Approvals = append(out.Approvals, approvalJSON{Seq: a.Seq, By: a.ApprovedBy, Role: a.Role, At: a.ApprovedAt})
	}
	for _, t := range g.Tranches {
		out.Tranches = append(out.Tranches, toTrancheJSON(t))
	}
	for _, i := range g.Items {
		out.Items = append(out.Items, toItemJSON(i, nil))
	}
	return out
}

// idParam reads a positive integer route parameter; anything else is 404.
func idParam(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// grantFrom loads the route's grant and checks the caller may see it: staff
// every grant, a vendor only her own.
func (s *Server) grantFrom(c *fiber.Ctx) (grants.Grant, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return grants.Grant{}, err
	}
	g, err := s.grants.Grant(c.UserContext(), id)
	if err != nil {
		return g, err
	}
	if err := s.mayViewParticipant(c, g.ParticipantID); err != nil {
		return grants.Grant{}, err
	}
	return g, nil
}

// apiCreateGrant: POST /api/v1/grants → 201 with the draft.
func (s *Server) apiCreateGrant(c *fiber.Ctx) error {
	var in grants.Input
	if err := readJSON(c, &in); err != nil {
		return err
	}
	g, err := s.grants.Create(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/grants/" + strconv.FormatInt(g.ID, 10))
	return c.Status(fiber.StatusCreated).JSON(toGrantJSON(g))
}

// apiUpdateGrant: PUT /api/v1/grants/{id}, a draft's new content.
func (s *Server) apiUpdateGrant(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in grants.Input
	if err := readJSON(c, &in); err != nil {
		return err
	}
	g, err := s.grants.Update(c.UserContext(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(toGrantJSON(g))
}

// apiGrant: GET /api/v1/grants/{id}.
func (s *Server) apiGrant(c *fiber.Ctx) error {
	g, err := s.grantFrom(c)
	if err != nil {
		return err
	}
	return c.JSON(toGrantJSON(g))
}

// apiGrants: GET /api/v1/grants?state=&participant=&fund=.
func (s *Server) apiGrants(c *fiber.Ctx) error {
	f := grants.Filter{State: grants.State(c.Query("state"))}
	if v := c.Query("fund"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errMalformed
		}
		f.Fund = id
	}
	if code := strings.TrimSpace(c.Query("participant")); code != "" {
		p, err := s.participants.ByCode(c.UserContext(), code)
		if err != nil {
			return err
		}
		f.Participant = p.ID
	}
	rows, err := s.grants.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := make([]fiber.Map, 0, len(rows))
	for _, r := range rows {
		out = append(out, fiber.Map{"id": r.ID, "participant": r.Participant, "fund": r.FundID, "state": r.State,
			"total": r.Total.String(), "released": r.Released.String(), "approvals": r.Approvals, "approvals_needed": r.Needed})
	}
	return c.JSON(out)
}

// apiMoveGrant answers POST /api/v1/grants/{id}/{submit|approve|reject|cancel}.
func (s *Server) apiMoveGrant(action grants.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var body struct {
			Reason string `json:"reason"`
		}
		if len(c.Body()) > 0 {
			if err := readJSON(c, &body); err != nil {
				return err
			}
		}
		g, err := s.moveGrant(c, action, id, body.Reason)
		if err != nil {
			return err
		}
		return c.JSON(toGrantJSON(g))
	}
}

// moveGrant runs one of the review actions: the page and the API share it.
func (s *Server) moveGrant(c *fiber.Ctx, action grants.Action, id int64, reason string) (grants.Grant, error) {
	ctx, a := c.UserContext(), actor(c)
	switch action {
	case grants.Submit:
		return s.grants.Submit(ctx, a, id, s.today())
	case grants.Approve:
		return s.grants.Approve(ctx, a, id, s.today())
	case grants.Reject:
		return s.grants.Reject(ctx, a, id, reason)
	case grants.Cancel:
		return s.grants.Cancel(ctx, a, id, reason, s.today())
	}
	return grants.Grant{}, errNotFound
}

// trancheParam reads the route's tranche number.
func trancheParam(c *fiber.Ctx) (int, error) {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 || n > grants.MaxTranches {
		return 0, errNotFound
	}
	return n, nil
}

// apiDisburse: POST /api/v1/grants/{id}/tranches/{n}/disburse with an
// Idempotency-Key → 201 with the tranche, 200 with the same body on a retry.
func (s *Server) apiDisburse(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := trancheParam(c)
	if err != nil {
		return err
	}
	key := strings.TrimSpace(c.Get("Idempotency-Key"))
	if !validKey(key) {
		return &Problem{Status: fiber.StatusBadRequest, Code: "malformed", Key: "grant.key_required"}
	}
	t, err := s.grants.Disburse(c.UserContext(), actor(c), grants.Release{Grant: id, N: n, Key: key, On: s.today()})
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if t.Replayed {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(toTrancheJSON(t))
}

// apiConfirmMilestone: POST /api/v1/grants/{id}/tranches/{n}/confirm {"note"}.
func (s *Server) apiConfirmMilestone(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := trancheParam(c)
	if err != nil {
		return err
	}
	var body struct {
		Note string `json:"note"`
	}
	if err := readJSON(c, &body); err != nil {
		return err
	}
	t, err := s.grants.ConfirmMilestone(c.UserContext(), actor(c), id, n, body.Note)
	if err != nil {
		return err
	}
	return c.JSON(toTrancheJSON(t))
}

// apiReverseTranche: POST /api/v1/grants/{id}/tranches/{n}/reverse {"reason"}.
func (s *Server) apiReverseTranche(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := trancheParam(c)
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := readJSON(c, &body); err != nil {
		return err
	}
	t, err := s.grants.ReverseTranche(c.UserContext(), actor(c), id, n, body.Reason, s.today())
	if err != nil {
		return err
	}
	return c.JSON(toTrancheJSON(t))
}

// apiHandOver: POST /api/v1/grants/{id}/equipment/{item}/handover.
func (s *Server) apiHandOver(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	item, err := idParam(c, "item")
	if err != nil {
		return err
	}
	var in grants.HandOverInput
	if err := readJSON(c, &in); err != nil {
		return err
	}
	it, err := s.grants.HandOver(c.UserContext(), actor(c), id, item, in, s.today())
	if err != nil {
		return err
	}
	return c.JSON(toItemJSON(it, nil))
}

// apiMoveItem answers POST /api/v1/equipment/{item}/{recover|reassign|write-off}.
func (s *Server) apiMoveItem(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		item, err := idParam(c, "item")
		if err != nil {
			return err
		}
		var in grants.MoveInput
		if err := readJSON(c, &in); err != nil {
			return err
		}
		it, err := s.moveItem(c, action, item, in)
		if err != nil {
			return err
		}
		return c.JSON(toItemJSON(it, nil))
	}
}

// moveItem runs a register action; the page and the API share it.
func (s *Server) moveItem(c *fiber.Ctx, action string, item int64, in grants.MoveInput) (grants.Item, error) {
	ctx, a := c.UserContext(), actor(c)
	switch action {
	case "recover":
		return s.grants.Recover(ctx, a, item, in, s.today())
	case "reassign":
		return s.grants.Reassign(ctx, a, item, in, s.today())
	case "write-off":
		return s.grants.WriteOff(ctx, a, item, in, s.today())
	}
	return grants.Item{}, errNotFound
}

// staffRoles are who run grants: programme officers and managers.
var staffRoles = []users.Role{users.Officer, users.Manager}

// timelineKey is the catalogue key that labels an audit action on a grant's
// timeline: "grant.approve" → "timeline.grant_approve".
func timelineKey(action string) string { return "timeline." + strings.ReplaceAll(action, ".", "_") }
