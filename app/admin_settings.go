package app

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"hawker/money"
	"hawker/valid"
	"hawker/vendors"
)

type settingsPage struct {
	Ceiling   string
	Threshold string // grants above it need a manager's second approval
	Saved     bool
	Errors    valid.Errors
}

// showSettings shows the programme's settings to administrators.
func (s *Server) showSettings(c *fiber.Ctx) error {
	return s.renderSettings(c, settingsPage{Saved: c.Query("saved") == "1"})
}

// renderSettings fills what the page does not carry from the stored settings.
func (s *Server) renderSettings(c *fiber.Ctx, page settingsPage) error {
	if page.Ceiling == "" {
		ceiling, err := s.vendors.Ceiling(c.UserContext())
		if err != nil {
			return err
		}
		page.Ceiling = ceiling.Format() // "50,000.00": read back by ParseCeiling
	}
	if page.Threshold == "" {
		threshold, err := s.grants.Threshold(c.UserContext())
		if err != nil {
			return err
		}
		page.Threshold = threshold.Format()
	}
	return s.render(c, "admin_settings", page)
}

// saveGrantSettings changes the grant total above which a manager's second
// approval is needed.
func (s *Server) saveGrantSettings(c *fiber.Ctx) error {
	raw := strings.TrimSpace(c.FormValue("threshold"))
	d, err := money.ParseGrouped(raw) // "75,000" as people write it
	key, _ := valid.KeyOf(err)
	if err == nil {
		err := s.grants.SetThreshold(c.UserContext(), actor(c), d)
		var fields valid.Errors
		if errors.As(err, &fields) {
			key = fields["manager_threshold"]
		} else if err != nil {
			return err
		} else {
			return c.Redirect("/admin/settings?saved=1", http.StatusSeeOther)
		}
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return s.renderSettings(c, settingsPage{Threshold: raw, Errors: valid.Errors{"threshold": key}})
}

// saveSettings changes the largest amount one bookkeeping line may carry.
func (s *Server) saveSettings(c *fiber.Ctx) error {
	raw := c.FormValue("ceiling")
	d, err := vendors.ParseCeiling(raw)
	if err == nil {
		err = s.vendors.SetCeiling(c.UserContext(), actor(c), d)
	}
	var fields valid.Errors
	if errors.As(err, &fields) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderSettings(c, settingsPage{Ceiling: strings.TrimSpace(raw), Errors: fields})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/settings?saved=1", http.StatusSeeOther)
}
