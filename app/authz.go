package app

import (
	"github.com/gofiber/fiber/v2"

	"hawker/audit"
	"hawker/users"
)

// currentUser is the signed-in user of the request, or nil. The session
// middleware puts it in c.Locals("user").
func currentUser(c *fiber.Ctx) *users.User {
	u, _ := c.Locals("user").(*users.User)
	return u
}

// actor is who the audit trail records for this request.
func actor(c *fiber.Ctx) audit.Actor {
	a := audit.Actor{IP: c.IP()}
	if u := currentUser(c); u != nil {
		a.UserID, a.Role = u.ID, string(u.Role)
	}
	return a
}
