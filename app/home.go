package app

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"hawker/users"
	"hawker/vendors"
)

// homePage is the home page's data: the programme's part and, for
// officers and managers, the vendors who need a call (issue 6).
type homePage struct {
	programmeHome
	Calls []vendors.Call
}

func (s *Server) showHome(c *fiber.Ctx) error {
	// A vendor's home is her books.
	if hasRole(c, users.Vendor) {
		return c.Redirect("/books", http.StatusSeeOther)
	}
	// A phone her officer set up opens at her PIN.
	if currentUser(c) == nil && c.Cookies(deviceCookie) != "" {
		return c.Redirect("/login", http.StatusSeeOther)
	}
	work, err := s.programmeHome(c)
	if err != nil {
		return err
	}
	page := homePage{programmeHome: work}
	if hasRole(c, users.Officer, users.Manager) {
		// The vendors to ring: the early warning that a business is failing.
		if page.Calls, err = s.vendors.Calls(c.UserContext(), s.today()); err != nil {
			return err
		}
	}
	return s.render(c, "home", page)
}

// setLanguage switches the reader's language and returns to the page they
// were on. A signed-in user's choice is saved with their account, so it
// follows them to any device; a visitor's lives in a cookie.
func (s *Server) setLanguage(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if lang != "th" && lang != "en" {
		return &Problem{Status: fiber.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid"}
	}
	if u := currentUser(c); u != nil && u.Language != lang {
		if err := s.users.SetLanguage(c.UserContext(), actor(c), u.ID, lang); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HTTPOnly: true, SameSite: "Lax", Secure: !s.deps.Dev})
	return c.Redirect(safeNext(c.FormValue("back")), http.StatusSeeOther)
}
