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
	a := audit.Actor{IP: clientIP(c)}
	if u := currentUser(c); u != nil {
		a.UserID, a.Role = u.ID, string(u.Role)
	}
	return a
}

// The object rules. Route rules say which roles may call a route; these say
// which objects a caller may reach through it. Handlers call them after
// resolving the object and before reading anything else about it. A caller
// who may not see an object gets 404, as if it did not exist, so that ids and
// codes cannot be probed; a role that never sees such objects gets 403.

// mayViewParticipant: officers and managers see every participant; a vendor
// only her own; administrators (users, catalogue, settings) and donors none.
func (s *Server) mayViewParticipant(c *fiber.Ctx, participantID int64) error {
	u := currentUser(c)
	switch {
	case u == nil:
		return errUnauthenticated
	case u.Role == users.Officer || u.Role == users.Manager:
		return nil
	case u.Role == users.Vendor:
		if u.ParticipantID != nil && *u.ParticipantID == participantID {
			return nil
		}
		return errNotFound
	}
	return errForbidden
}

// mayViewDonor: staff see every donor; a donor user only their own; a
// vendor none.
func (s *Server) mayViewDonor(c *fiber.Ctx, donorID int64) error {
	u := currentUser(c)
	switch {
	case u == nil:
		return errUnauthenticated
	case u.Role == users.Officer || u.Role == users.Manager || u.Role == users.Admin:
		return nil
	case u.Role == users.Donor:
		if u.DonorID != nil && *u.DonorID == donorID {
			return nil
		}
		return errNotFound
	}
	return errForbidden
}
