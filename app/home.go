package app

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"hawker/grants"
	"hawker/participants"
	"hawker/users"
	"hawker/vendors"
)

// homePage is the home page's data: the programme's part and, for
// officers and managers, the vendors who need a call (issue 6); a
// manager's inbox (plans and grants waiting for her approval) and an
// officer's plans returned to be fixed (issue 14).
type homePage struct {
	programmeHome
	Calls    []vendors.Call
	Review   []participants.PlanRow // submitted plans, oldest first
	Grants   []grants.Row           // submitted grants
	Returned []participants.PlanRow // plans returned for changes
	People   map[int64]string       // user id → name, for "submitted by"
}

// Who names user id for "written by", "submitted by": their name, or "—".
func (h homePage) Who(id *int64) string {
	if id == nil {
		return "—"
	}
	if n, ok := h.People[*id]; ok {
		return n
	}
	return "—"
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
	ctx := c.UserContext()
	if hasRole(c, users.Officer, users.Manager) {
		// The vendors to ring: the early warning that a business is failing.
		if page.Calls, err = s.vendors.Calls(ctx, s.today()); err != nil {
			return err
		}
		if page.People, err = s.userNames(c); err != nil {
			return err
		}
	}
	switch {
	case hasRole(c, users.Manager):
		if page.Review, err = s.participants.PlansIn(ctx, participants.Submitted); err != nil {
			return err
		}
		if page.Grants, err = s.grants.List(ctx, grants.Filter{State: grants.Submitted}); err != nil {
			return err
		}
	case hasRole(c, users.Officer):
		if page.Returned, err = s.participants.PlansIn(ctx, participants.Returned); err != nil {
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

// userNames maps every user's id to the name staff know them by (their
// login when they have none).
func (s *Server) userNames(c *fiber.Ctx) (map[int64]string, error) {
	us, err := s.users.List(c.UserContext())
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(us))
	for _, u := range us {
		names[u.ID] = u.Name
		if u.Name == "" {
			names[u.ID] = u.Login
		}
	}
	return names, nil
}
