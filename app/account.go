package app

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"hawker/users"
	"hawker/valid"
)

// accountPage is the signed-in user's own account: password, PIN, language.
type accountPage struct {
	Notice string // key of a message after a change
	Errors valid.Errors
}

// notices are the messages a redirect back to /account may ask for.
var accountNotices = map[string]string{"password": "account.password_changed", "pin": "account.pin_set"}

func (s *Server) showAccount(c *fiber.Ctx) error {
	return s.render(c, "account", accountPage{Notice: accountNotices[c.Query("done")]})
}

// renderAccount re-renders the account page with a form's field errors (422).
func (s *Server) renderAccount(c *fiber.Ctx, err error) error {
	var fields valid.Errors
	if !errors.As(err, &fields) {
		return err
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return s.render(c, "account", accountPage{Errors: fields})
}

// changePassword sets the user's own password. Changing it ends every
// session of the user (the database does so), this one included; a fresh
// session continues here.
func (s *Server) changePassword(c *fiber.Ctx) error {
	u := currentUser(c)
	err := users.NewStore(s.db).ChangePassword(c.UserContext(), actor(c), u.ID, users.PasswordChange{
		Current: c.FormValue("current"), New: c.FormValue("new"), Confirm: c.FormValue("confirm"),
	})
	if err != nil {
		return s.renderAccount(c, err)
	}
	fresh, err := users.NewStore(s.db).ByID(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	sess, err := s.auth.Renew(c.UserContext(), fresh, c.IP())
	if err != nil {
		return err
	}
	s.startSession(c, sess)
	return c.Redirect("/account?done=password", http.StatusSeeOther)
}

// setPIN sets a vendor's 6-digit sign-in PIN.
func (s *Server) setPIN(c *fiber.Ctx) error {
	u := currentUser(c)
	err := users.NewStore(s.db).ChangePIN(c.UserContext(), actor(c), u.ID, c.FormValue("pin_current"), c.FormValue("pin"), c.FormValue("pin_confirm"))
	if err != nil {
		return s.renderAccount(c, err)
	}
	return c.Redirect("/account?done=pin", http.StatusSeeOther)
}
