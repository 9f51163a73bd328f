package app

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/auth"
)

// loginPage is what the sign-in page shows.
type loginPage struct {
	Login string
	PIN   bool // the vendor's PIN form instead of the password form
	// Device: this phone remembers its vendor (Name): only her PIN is asked.
	Device  bool
	Name    string
	Next    string // where to go after signing in
	Message string // key of the message above the form
	Minutes int    // for the lock message
}

func (s *Server) showLogin(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/", http.StatusSeeOther)
	}
	p := loginPage{PIN: c.Query("pin") == "1", Next: safeNext(c.Query("next"))}
	// A phone her officer set up asks only for her PIN ("other" is the way
	// to the usual form, for someone else at this phone).
	if c.Query("other") != "1" {
		if err := s.rememberPhone(c, &p); err != nil {
			return err
		}
	}
	return s.render(c, "login", p)
}

// rememberPhone turns p into the PIN-only form of the vendor this phone
// remembers; a revoked phone gets the usual form, saying why.
func (s *Server) rememberPhone(c *fiber.Ctx, p *loginPage) error {
	u, revoked, err := s.rememberedPhone(c)
	switch {
	case err != nil:
		return err
	case revoked:
		p.Device, p.Message = false, "device.revoked"
	case u != nil:
		p.Device, p.PIN, p.Name = true, true, u.Name
		if p.Name == "" {
			p.Name = u.Login
		}
	}
	return nil
}

// signIn checks the form's login and password (or PIN) and starts a
// session; a failure re-renders the form with a message and 401 or 429.
func (s *Server) signIn(c *fiber.Ctx) error {
	p := loginPage{
		Login: strings.TrimSpace(c.FormValue("login")),
		PIN:   c.FormValue("method") == "pin",
		Next:  safeNext(c.FormValue("next")),
	}
	var sess auth.Session
	var err error
	switch {
	case c.FormValue("method") == "device":
		sess, err = s.auth.SignInDevice(c.UserContext(), c.Cookies(deviceCookie), c.FormValue("pin"), clientIP(c))
		if errors.Is(err, auth.ErrNoDevice) {
			// Revoked while the form was open: the usual form, saying why.
			p.Message = "device.revoked"
			c.Status(fiber.StatusUnauthorized)
			return s.render(c, "login", p)
		}
		if rerr := s.rememberPhone(c, &p); rerr != nil {
			return rerr
		}
	case p.PIN:
		sess, err = s.auth.SignInPIN(c.UserContext(), p.Login, c.FormValue("pin"), clientIP(c))
	default:
		sess, err = s.auth.SignIn(c.UserContext(), p.Login, c.FormValue("password"), clientIP(c))
	}
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		p.Message, p.Minutes = "login.locked", s.lockMinutes(c, locked)
		c.Status(fiber.StatusTooManyRequests)
		return s.render(c, "login", p)
	case errors.Is(err, auth.ErrBadCredentials):
		switch {
		case p.Device:
			p.Message = "device.bad_pin"
		case p.PIN:
			p.Message = "login.bad_pin"
		default:
			p.Message = "login.bad_credentials"
		}
		c.Status(fiber.StatusUnauthorized)
		return s.render(c, "login", p)
	case err != nil:
		return err
	}
	c.ClearCookie(anonCookie)
	s.startSession(c, sess)
	if p.Device {
		s.setDeviceCookie(c, c.Cookies(deviceCookie)) // remembered another 400 days
	} else if err := s.forgetDeadPhone(c); err != nil {
		return err
	}
	if sess.User.MustChangePassword {
		return c.Redirect("/account", http.StatusSeeOther)
	}
	return c.Redirect(p.Next, http.StatusSeeOther)
}

// lockMinutes is how many whole minutes remain of a lock, and sets Retry-After.
func (s *Server) lockMinutes(c *fiber.Ctx, l *auth.LockedError) int {
	left := max(l.Until.Sub(s.now()), time.Second)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(left.Seconds()))))
	return int(math.Ceil(left.Minutes()))
}

// signOut ends the session and returns to the sign-in page.
func (s *Server) signOut(c *fiber.Ctx) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	return c.Redirect("/login", http.StatusSeeOther)
}

func (s *Server) endSession(c *fiber.Ctx) error {
	err := s.auth.End(c.UserContext(), actor(c), c.Cookies(sessionCookie))
	if err != nil && !errors.Is(err, auth.ErrNoSession) {
		return err
	}
	s.clearSessionCookie(c)
	// On a shared phone the next person must not find this person's pages
	// in the browser's cache. ("storage" is left alone: it holds entries
	// still waiting to be sent, which are only ever sent for their owner.)
	c.Set("Clear-Site-Data", `"cache"`)
	return nil
}

// safeNext keeps a redirect target on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// apiUser is a user as the API shows them.
type apiUser struct {
	ID                 int64  `json:"id"`
	Login              string `json:"login"`
	Role               string `json:"role"`
	Name               string `json:"name"`
	Language           string `json:"language"`
	ParticipantID      *int64 `json:"participant_id,omitempty"`
	DonorID            *int64 `json:"donor_id,omitempty"`
	MustChangePassword bool   `json:"must_change_password"`
}

func (s *Server) apiSession(c *fiber.Ctx) fiber.Map {
	u := currentUser(c)
	csrf, _ := c.Locals("csrf").(string)
	return fiber.Map{"user": apiUser{
		ID: u.ID, Login: u.Login, Role: string(u.Role), Name: u.Name, Language: u.Language,
		ParticipantID: u.ParticipantID, DonorID: u.DonorID, MustChangePassword: u.MustChangePassword,
	}, "csrf_token": csrf}
}

// apiLogin: POST /api/v1/login {"login", "password"} (or "pin" for a vendor).
// Only a JSON body is read, so that a cross-site form cannot post here.
func (s *Server) apiLogin(c *fiber.Ctx) error {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return &Problem{Status: fiber.StatusBadRequest, Code: "malformed", Key: "error.malformed"}
	}
	var body struct {
		Login    string `json:"login"`
		Password string `json:"password"`
		PIN      string `json:"pin"`
	}
	if err := readJSON(c, &body); err != nil {
		return err
	}
	var sess auth.Session
	var err error
	if body.PIN != "" && body.Password == "" {
		sess, err = s.auth.SignInPIN(c.UserContext(), body.Login, body.PIN, clientIP(c))
	} else {
		sess, err = s.auth.SignIn(c.UserContext(), body.Login, body.Password, clientIP(c))
	}
	if locked := (*auth.LockedError)(nil); errors.As(err, &locked) {
		s.lockMinutes(c, locked)
	}
	if err != nil {
		return err
	}
	s.startSession(c, sess)
	return c.JSON(s.apiSession(c))
}

func (s *Server) apiLogout(c *fiber.Ctx) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiMe(c *fiber.Ctx) error { return c.JSON(s.apiSession(c)) }
