package app

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"hawker/reports"
	"hawker/users"
	"hawker/valid"
)

// apiImpact: GET /api/v1/donors/{id}/impact?from=&to= (JSON), and the same
// path ending .pdf or .csv for the documents. A donor reads only their own:
// another donor's id answers 404, as a guessed one does.
func (s *Server) apiImpact(c *fiber.Ctx) error {
	raw := c.Params("id")
	ext := ""
	for _, e := range []string{".pdf", ".csv"} {
		if strings.HasSuffix(c.Path(), "/impact"+e) {
			ext = e[1:]
		}
	}
	id, err := idParam(c, "id")
	if err != nil || raw == "" {
		return errNotFound
	}
	if err := s.mayViewDonor(c, id); err != nil {
		return err
	}
	from, to, err := reports.ParseImpactRange(c.Query("from"), c.Query("to"), s.today())
	if err != nil {
		return err
	}
	im, err := s.reports.Impact(c.UserContext(), id, from, to, s.today())
	if err != nil {
		return err
	}
	lang := c.Query("lang")
	if lang != "en" && lang != "th" {
		lang = s.lang(c)
	}
	name := fmt.Sprintf("impact-%d-%s-%s", id, im.From, im.To)
	c.Set("Cache-Control", "private, no-cache")
	switch ext {
	case "pdf":
		pdf, err := im.PDF(lang)
		if err != nil {
			return err
		}
		c.Set("Content-Type", "application/pdf")
		c.Set("Content-Disposition", `inline; filename="`+name+`.pdf"`)
		return c.Send(pdf)
	case "csv":
		c.Set("Content-Type", "text/csv; charset=utf-8")
		c.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		return c.Send(im.CSV(lang))
	}
	return c.JSON(im)
}

// impactPage is the donor report page: the figures of one donor and range,
// with the PDF and CSV to download.
type impactPage struct {
	Donor    int64
	Donors   []donorOption // staff choose any donor
	From, To string
	Months   []monthOption // the months a range can start or end in, newest first
	Errors   valid.Errors
	Report   *reports.Impact
}

// monthOption is a month in a list to choose from: its value as the API
// takes it (2026-10) and its first day, which the page writes in the
// reader's language and era (ตุลาคม 2569).
type monthOption struct {
	Value string
	Time  time.Time
}

// impactMonths are the months a report may cover, newest first: this
// month and the reportable span before it. A list, not the browser's
// month box, which writes months in the browser's language and the
// Christian year whatever the page's language.
func impactMonths(today time.Time) []monthOption {
	this := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]monthOption, 0, reports.MaxImpactMonths)
	for i := range reports.MaxImpactMonths {
		m := this.AddDate(0, -i, 0)
		out = append(out, monthOption{Value: m.Format("2006-01"), Time: m})
	}
	return out
}

// MonthsFor is the list with chosen first when it is not in it (a month
// typed into the address that the page refused), shown as typed.
func (p impactPage) MonthsFor(chosen string) []monthOption {
	for _, m := range p.Months {
		if m.Value == chosen {
			return p.Months
		}
	}
	return append([]monthOption{{Value: chosen}}, p.Months...)
}

// showImpact: GET /impact?donor=&from=&to=. A donor sees their own report
// only (another donor's id is 404); staff choose any donor. The default
// range is the twelve months that ended last.
func (s *Server) showImpact(c *fiber.Ctx) error {
	u := currentUser(c)
	last := time.Date(s.today().Year(), s.today().Month()-1, 1, 0, 0, 0, 0, time.UTC)
	page := impactPage{From: c.Query("from", last.AddDate(0, -11, 0).Format("2006-01")), To: c.Query("to", last.Format("2006-01")),
		Months: impactMonths(s.today())}
	page.From, page.To = utils.CopyString(page.From), utils.CopyString(page.To)
	if u.Role == users.Donor {
		if u.DonorID == nil {
			return errForbidden
		}
		page.Donor = *u.DonorID
	} else {
		ds, err := s.donors.List(c.UserContext())
		if err != nil {
			return err
		}
		for _, d := range ds {
			page.Donors = append(page.Donors, donorOption{ID: d.ID, Name: d.Name})
		}
		if len(ds) > 0 {
			page.Donor = ds[0].ID
		}
	}
	if q := c.Query("donor"); q != "" {
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil || id <= 0 {
			return errNotFound
		}
		page.Donor = id
	}
	if page.Donor == 0 {
		return s.render(c, "impact", page)
	}
	if err := s.mayViewDonor(c, page.Donor); err != nil {
		return err
	}
	from, to, err := reports.ParseImpactRange(page.From, page.To, s.today())
	var fields valid.Errors
	if errors.As(err, &fields) {
		page.Errors = fields
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "impact", page)
	} else if err != nil {
		return err
	}
	im, err := s.reports.Impact(c.UserContext(), page.Donor, from, to, s.today())
	if err != nil {
		return err
	}
	page.Report = &im
	return s.render(c, "impact", page)
}
