package app

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"hawker/valid"
	"hawker/vendors"
)

type settingsPage struct {
	Ceiling string
	Saved   bool
	Errors  valid.Errors
}

// showSettings shows the programme's settings to administrators.
func (s *Server) showSettings(c *fiber.Ctx) error {
	ceiling, err := s.vendors.Ceiling(c.UserContext())
	if err != nil {
		return err
	}
	return s.render(c, "admin_settings", settingsPage{Ceiling: ceiling.StringFixed(2), Saved: c.Query("saved") == "1"})
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
		return s.render(c, "admin_settings", settingsPage{Ceiling: strings.TrimSpace(raw), Errors: fields})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/settings?saved=1", http.StatusSeeOther)
}
