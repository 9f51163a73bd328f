package app

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"hawker/valid"
	"hawker/vendors"
)

// maxCeiling bounds the per-line ceiling an administrator may set.
var maxCeiling = decimal.New(10_000_000, 0)

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
	raw := strings.ReplaceAll(strings.TrimSpace(c.FormValue("ceiling")), ",", "")
	d, key := vendors.ParseAmount(raw, maxCeiling)
	if key == "" {
		if err := s.vendors.SetCeiling(c.UserContext(), actor(c), d); err != nil {
			return err
		}
		return c.Redirect("/admin/settings?saved=1", http.StatusSeeOther)
	}
	if key == "vendor.amount_ceiling" {
		key = "settings.ceiling_too_large"
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return s.render(c, "admin_settings", settingsPage{Ceiling: raw, Errors: valid.Errors{"ceiling": key}})
}
