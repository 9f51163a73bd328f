package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"hawker/donors"
	"hawker/participants"
	"hawker/users"
	"hawker/valid"
)

// usersPage lists every account for an administrator.
type usersPage struct {
	Users  []users.User
	Me     int64
	Notice string
	Query  string // search: part of a login or name
	Status string // "", "active", "disabled" or "pending"
	Total  int    // accounts before the search
	// Statuses are the status filter's choices.
	Statuses []string
}

// userStatus is what the list says of u: disabled, waiting for a new
// password (a one-time one was issued), or active.
func userStatus(u users.User) string {
	switch {
	case u.DisabledAt != nil:
		return "disabled"
	case u.MustChangePassword:
		return "pending"
	}
	return "active"
}

var usersNotices = map[string]string{
	"disabled": "admin.user_disabled",
	"enabled":  "admin.user_enabled",
	"sessions": "admin.sessions_ended",
}

func (s *Server) listUsers(c *fiber.Ctx) error {
	us, err := s.users.List(c.UserContext())
	if err != nil {
		return err
	}
	page := usersPage{Me: currentUser(c).ID, Notice: usersNotices[c.Query("done")], Total: len(us),
		Query: strings.TrimSpace(c.Query("q")), Status: c.Query("status"), Statuses: []string{"active", "pending", "disabled"}}
	q := strings.ToLower(page.Query)
	for _, u := range us {
		if q != "" && !strings.Contains(strings.ToLower(u.Login), q) && !strings.Contains(strings.ToLower(u.Name), q) {
			continue
		}
		if page.Status != "" && userStatus(u) != page.Status {
			continue
		}
		page.Users = append(page.Users, u)
	}
	return s.render(c, "admin_users", page)
}

// userForm is the new-user form as typed, to re-render on a mistake.
type userForm struct {
	Login       string
	Name        string
	Role        string
	Participant string // participant code, for a vendor
	Donor       string // donor id, for a donor
	Language    string
	Roles       []users.Role
	Donors      []donors.Donor
	Errors      valid.Errors
}

func (s *Server) renderUserForm(c *fiber.Ctx, f userForm) error {
	ds, err := s.donors.List(c.UserContext())
	if err != nil {
		return err
	}
	f.Roles, f.Donors = users.Roles, ds
	if f.Language == "" {
		f.Language = "th"
	}
	return s.render(c, "admin_user_new", f)
}

func (s *Server) newUser(c *fiber.Ctx) error { return s.renderUserForm(c, userForm{}) }

// createUser adds an account with a one-time password, shown once.
func (s *Server) createUser(c *fiber.Ctx) error {
	f := userForm{
		Login:       strings.ToLower(strings.TrimSpace(c.FormValue("login"))),
		Name:        strings.TrimSpace(c.FormValue("name")),
		Role:        c.FormValue("role"),
		Participant: strings.ToUpper(strings.TrimSpace(c.FormValue("participant"))),
		Donor:       c.FormValue("donor"),
		Language:    c.FormValue("language"),
	}
	n := users.New{Login: f.Login, Name: f.Name, Role: users.Role(f.Role), Language: f.Language}
	err := s.userLinks(c, f, &n)
	if err == nil {
		var u users.User
		var otp string
		u, otp, err = s.users.Create(c.UserContext(), actor(c), n)
		if err == nil {
			return s.showOneTime(c, oneTimePage{User: u, Password: otp, Created: true})
		}
	}
	if errors.Is(err, users.ErrLoginTaken) {
		err = valid.Errors{"login": "user.login_taken"}
	}
	var fields valid.Errors
	if !errors.As(err, &fields) {
		return err
	}
	f.Errors = fields
	c.Status(fiber.StatusUnprocessableEntity)
	return s.renderUserForm(c, f)
}

// userLinks resolves the form's participant code (vendors) or donor (donors).
func (s *Server) userLinks(c *fiber.Ctx, f userForm, n *users.New) error {
	switch n.Role {
	case users.Vendor:
		if f.Participant == "" {
			return nil // Validate says it is missing
		}
		p, err := s.participants.ByCode(c.UserContext(), f.Participant)
		if errors.Is(err, participants.ErrNotFound) {
			return valid.Errors{"participant": "user.participant_unknown"}
		}
		if err != nil {
			return err
		}
		n.ParticipantID = &p.ID
	case users.Donor:
		if f.Donor == "" {
			return nil
		}
		id, err := strconv.ParseInt(f.Donor, 10, 64)
		if err != nil {
			return valid.Errors{"donor": "user.donor_unknown"}
		}
		n.DonorID = &id
	}
	return nil
}

// oneTimePage shows a new one-time password, once: it is never stored in
// clear, and the page is not cached.
type oneTimePage struct {
	User     users.User
	Password string
	Created  bool
}

func (s *Server) showOneTime(c *fiber.Ctx, p oneTimePage) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, "admin_user_password", p)
}

// userID reads the :id of an /admin/users/:id/... route.
func userID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

func (s *Server) disableUser(c *fiber.Ctx) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	if err := s.users.Disable(c.UserContext(), actor(c), id); err != nil {
		return err
	}
	return c.Redirect("/admin/users?done=disabled", http.StatusSeeOther)
}

func (s *Server) enableUser(c *fiber.Ctx) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	if err := s.users.Enable(c.UserContext(), actor(c), id); err != nil {
		return err
	}
	return c.Redirect("/admin/users?done=enabled", http.StatusSeeOther)
}

func (s *Server) resetPassword(c *fiber.Ctx) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	store := s.users
	otp, err := store.ResetPassword(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	u, err := store.ByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return s.showOneTime(c, oneTimePage{User: u, Password: otp})
}

func (s *Server) endSessions(c *fiber.Ctx) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	if _, err := s.users.ByID(c.UserContext(), id); err != nil {
		return err
	}
	if _, err := s.auth.EndAll(c.UserContext(), actor(c), id); err != nil {
		return err
	}
	return c.Redirect("/admin/users?done=sessions", http.StatusSeeOther)
}
