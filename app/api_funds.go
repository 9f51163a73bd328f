package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/donors"
	"hawker/grants"
)

// fundFrom loads the route's fund: staff see every fund; a donor only their own.
func (s *Server) fundFrom(c *fiber.Ctx) (grants.Fund, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return grants.Fund{}, err
	}
	f, err := s.grants.Fund(c.UserContext(), id)
	if err != nil {
		return f, err
	}
	if err := s.mayViewDonor(c, f.DonorID); err != nil {
		return grants.Fund{}, err
	}
	return f, nil
}

// fundJSON is a fund with its figures.
func fundJSON(f grants.Fund, fig grants.Figures) fiber.Map {
	return fiber.Map{"id": f.ID, "donor": f.DonorID, "name": f.Name, "purpose": f.Purpose,
		"received": fig.Received.String(), "committed": fig.Committed.String(),
		"disbursed": fig.Disbursed.String(), "available": fig.Available.String(),
		"committed_cash": fig.CommittedCash.String(), "equipment_in_stock": fig.Stock.String(),
		"cash_paid": fig.CashPaid.String(), "in_kind": fig.InKind.String(), "written_off": fig.WrittenOff.String()}
}

// apiCreateDonor: POST /api/v1/donors {"name"}.
func (s *Server) apiCreateDonor(c *fiber.Ctx) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	d, err := s.donors.Add(c.UserContext(), actor(c), donors.New{Name: in.Name})
	if err != nil {
		return err
	}
	c.Location("/api/v1/donors/" + strconv.FormatInt(d.ID, 10))
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": d.ID, "name": d.Name})
}

// apiDonor: GET /api/v1/donors/{id}: the donor and their funds' figures.
func (s *Server) apiDonor(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.mayViewDonor(c, id); err != nil {
		return err
	}
	d, err := s.donors.ByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	rows, err := s.grants.Dashboard(c.UserContext(), id)
	if err != nil {
		return err
	}
	funds := make([]fiber.Map, 0, len(rows))
	for _, r := range rows {
		funds = append(funds, fundJSON(r.Fund, r.Figures))
	}
	return c.JSON(fiber.Map{"id": d.ID, "name": d.Name, "funds": funds})
}

// apiCreateFund: POST /api/v1/funds {"donor", "name", "purpose"}.
func (s *Server) apiCreateFund(c *fiber.Ctx) error {
	var in grants.NewFund
	if err := readJSON(c, &in); err != nil {
		return err
	}
	f, err := s.grants.CreateFund(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/funds/" + strconv.FormatInt(f.ID, 10))
	return c.Status(fiber.StatusCreated).JSON(fundJSON(f, grants.Figures{}))
}

// apiFund: GET /api/v1/funds/{id} with its figures from the ledger.
func (s *Server) apiFund(c *fiber.Ctx) error {
	f, err := s.fundFrom(c)
	if err != nil {
		return err
	}
	fig, err := s.grants.Figures(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(fundJSON(f, fig))
}

// apiReceive: POST /api/v1/funds/{id}/receipts with an Idempotency-Key.
func (s *Server) apiReceive(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	key := strings.TrimSpace(c.Get("Idempotency-Key"))
	if !validKey(key) {
		return &Problem{Status: fiber.StatusBadRequest, Code: "malformed", Key: "grant.key_required"}
	}
	var in grants.ReceiptInput
	if err := readJSON(c, &in); err != nil {
		return err
	}
	r, err := s.grants.Receive(c.UserContext(), actor(c), id, key, in, s.today())
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if r.Replayed {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(fiber.Map{"id": r.ID, "fund": r.FundID, "amount": r.Amount.String(),
		"received_on": r.ReceivedOn.Format(time.DateOnly), "note": r.Note, "entry_id": r.EntryID})
}
