package app

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/ledger"
	"hawker/valid"
)

// periodsPage is the month-end close as a manager does it: which month,
// how many books, what is still open, then confirm. Closing calls the same
// ledger function as POST /api/v1/periods/{month}/close.
type periodsPage struct {
	Month   ledger.MonthClose   // the month to close
	Ended   bool                // it has ended in Bangkok: it may close (ledger.MayClose)
	Recent  []ledger.MonthClose // the last ended months, newest first
	Choices []time.Time         // months the manager may pick
	Closed  int                 // books just closed, after a close
	Done    bool
	Errors  valid.Errors
}

// periodsShown is how many ended months the page lists.
const periodsShown = 6

// showPeriods: GET /periods?month=YYYY-MM (by default the last ended month).
func (s *Server) showPeriods(c *fiber.Ctx) error {
	month := ledger.MonthOf(s.today()).AddDate(0, -1, 0)
	if q := c.Query("month"); q != "" {
		m, err := ledger.ParseMonth(q)
		if err != nil {
			return valid.Errors{"month": "period.month_invalid"}
		}
		month = m
	}
	pg := periodsPage{Done: c.Query("done") == "closed"}
	pg.Closed, _ = strconv.Atoi(c.Query("n"))
	return s.renderPeriods(c, month, pg)
}

func (s *Server) renderPeriods(c *fiber.Ctx, month time.Time, pg periodsPage) error {
	this := ledger.MonthOf(s.today())
	months := []time.Time{ledger.MonthOf(month)}
	for i := 1; i <= periodsShown; i++ {
		months = append(months, this.AddDate(0, -i, 0))
	}
	closes, err := s.vendors.Ledger().MonthCloses(c.UserContext(), months)
	if err != nil {
		return err
	}
	pg.Month, pg.Recent = closes[0], closes[1:]
	pg.Ended = ledger.MayClose(month, s.now()) == nil
	for i := 0; i <= periodsShown; i++ {
		pg.Choices = append(pg.Choices, this.AddDate(0, -i, 0))
	}
	return s.render(c, "periods", pg)
}

// closeMonthForm: POST /periods/{YYYY-MM}/close from the page, once the
// manager has ticked that she understands; the close is the ledger's
// CloseMonth, as in apiClosePeriod.
func (s *Server) closeMonthForm(c *fiber.Ctx) error {
	month, err := ledger.ParseMonth(c.Params("month"))
	if err != nil {
		return valid.Errors{"month": "period.month_invalid"}
	}
	if c.FormValue("confirm") != "yes" {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderPeriods(c, month, periodsPage{Errors: valid.Errors{"confirm": "period.confirm_required"}})
	}
	closed, err := s.vendors.Ledger().CloseMonth(c.UserContext(), actor(c), month, s.now())
	if errors.Is(err, ledger.ErrMonthNotEnded) {
		c.Status(fiber.StatusConflict)
		return s.renderPeriods(c, month, periodsPage{Errors: valid.Errors{"confirm": "period.not_ended"}})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/periods?month="+month.Format("2006-01")+"&done=closed&n="+strconv.Itoa(closed), http.StatusSeeOther)
}
