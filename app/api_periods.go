package app

import (
	"github.com/gofiber/fiber/v2"

	"hawker/ledger"
	"hawker/valid"
)

// apiClosePeriod: POST /api/v1/periods/{YYYY-MM}/close, the month-end close
// of every book (managers). The ledger keeps the rules (only an ended month
// closes) and audits each book's close.
func (s *Server) apiClosePeriod(c *fiber.Ctx) error {
	month, err := ledger.ParseMonth(c.Params("month"))
	if err != nil {
		return valid.Errors{"month": "period.month_invalid"}
	}
	closed, err := s.vendors.Ledger().CloseMonth(c.UserContext(), actor(c), month, s.now())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"month": month.Format("2006-01"), "closed": closed})
}
