package app

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"hawker/reports"
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
