package app

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"hawker/auth"
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
	status := fiber.StatusUnprocessableEntity
	for _, key := range fields {
		if key == "error.rate_limited" {
			status = fiber.StatusTooManyRequests // reauthenticate set Retry-After
		}
	}
	c.Status(status)
	return s.render(c, "account", accountPage{Errors: fields})
}

// reauthenticate checks the current password (or PIN) typed into field
// under the sign-in limits: nil, a field error with key, or a lock.
func (s *Server) reauthenticate(c *fiber.Ctx, field, key string, pin bool) error {
	u := currentUser(c)
	err := s.auth.Reauthenticate(c.UserContext(), *u, c.FormValue(field), clientIP(c), pin)
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		s.lockMinutes(c, locked)
		return valid.Errors{field: "error.rate_limited"}
	case errors.Is(err, auth.ErrBadCredentials):
		return valid.Errors{field: key}
	}
	return err
}

// changePassword sets the user's own password. Changing it ends every
// session of the user (the database does so), this one included; a fresh
// session continues here.
func (s *Server) changePassword(c *fiber.Ctx) error {
	u := currentUser(c)
	p := users.PasswordChange{Current: c.FormValue("current"), New: c.FormValue("new"), Confirm: c.FormValue("confirm")}
	if err := s.reauthenticate(c, "current", "user.password_wrong", false); err != nil {
		return s.renderAccount(c, mergeFields(err, p.Validate(*u)))
	}
	err := s.users.ChangePassword(c.UserContext(), actor(c), u.ID, p)
	if err != nil {
		return s.renderAccount(c, err)
	}
	fresh, err := s.users.ByID(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	sess, err := s.auth.Renew(c.UserContext(), fresh, clientIP(c))
	if err != nil {
		return err
	}
	s.startSession(c, sess)
	return c.Redirect("/account?done=password", http.StatusSeeOther)
}

// setPIN sets a vendor's 6-digit sign-in PIN once she has given her
// current password or PIN.
func (s *Server) setPIN(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := s.reauthenticate(c, "pin_current", "user.pin_current_wrong", true); err != nil {
		return s.renderAccount(c, err)
	}
	err := s.users.SetPIN(c.UserContext(), actor(c), u.ID, c.FormValue("pin"), c.FormValue("pin_confirm"))
	if err != nil {
		return s.renderAccount(c, err)
	}
	return c.Redirect("/account?done=pin", http.StatusSeeOther)
}

// mergeFields adds more's field errors to err's when err is field errors;
// any other error is returned as it is.
func mergeFields(err error, more valid.Errors) error {
	var fields valid.Errors
	if !errors.As(err, &fields) {
		return err
	}
	for k, v := range more {
		if _, ok := fields[k]; !ok {
			fields[k] = v
		}
	}
	return fields
}
