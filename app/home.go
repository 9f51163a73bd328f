package app

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) showHome(c *fiber.Ctx) error {
	return s.render(c, "home", nil)
}

// setLanguage switches the reader's language and returns to the page they were on.
func (s *Server) setLanguage(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if lang != "th" && lang != "en" {
		return &Problem{Status: fiber.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid"}
	}
	c.Cookie(&fiber.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HTTPOnly: true, SameSite: "Lax", Secure: !s.deps.Dev})
	back := c.FormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	return c.Redirect(back, http.StatusSeeOther)
}
