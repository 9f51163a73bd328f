package app

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/ledger"
	"hawker/thai"
	"hawker/valid"
)

// apiClosePeriod: POST /api/v1/periods/{YYYY-MM}/close, the month-end close
// of every book (managers). Only a month that has ended in Bangkok may close:
// a closed month refuses every entry dated in it or before it.
func (s *Server) apiClosePeriod(c *fiber.Ctx) error {
	month, err := ledger.ParseMonth(c.Params("month"))
	if err != nil {
		return valid.Errors{"month": "period.month_invalid"}
	}
	if month.AddDate(0, 1, 0).After(thai.Today(s.now())) {
		return &Problem{Status: fiber.StatusConflict, Code: "conflict", Key: "period.not_ended"}
	}
	a := actor(c)
	closed, err := s.vendors.Ledger().CloseMonthThen(c.UserContext(), month, a.UserID,
		func(ctx context.Context, tx *sqlx.Tx, p ledger.Period) error {
			return audit.Record(ctx, tx, a, "ledger.close", "book:"+strconv.FormatInt(p.Book, 10), "month "+month.Format("2006-01"))
		})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"month": month.Format("2006-01"), "closed": closed})
}
