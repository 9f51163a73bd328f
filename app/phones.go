package app

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/auth"
	"hawker/participants"
	"hawker/users"
	"hawker/valid"
	"hawker/vendors"
)

// A vendor's phone, set up by her officer (issue 14): the officer makes a
// one-time link on the participant's "phone" tab, shown as a QR code and a
// short address; her phone opens it (/d/{token}), she chooses her PIN, and
// the phone keeps a device token in a long-lived cookie. The sign-in page
// then asks that phone only for her PIN (login.go). The officer sees her
// phones on the same tab and revokes one. The rules are package auth's.

// deviceCookie carries a phone's device token. It outlives sessions and
// sign-outs: it is what makes the phone remember her.
const deviceCookie = "hawker_device"

// deviceCookieAge is how long a phone remembers her unless revoked: the
// longest a browser keeps a cookie (400 days), renewed at each sign-in.
const deviceCookieAge = 400 * 24 * time.Hour

func (s *Server) setDeviceCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{
		Name: deviceCookie, Value: token, Path: "/", MaxAge: int(deviceCookieAge.Seconds()),
		Expires: s.now().Add(deviceCookieAge), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: !s.deps.Dev,
	})
}

func (s *Server) clearDeviceCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: deviceCookie, Value: "", Path: "/", Expires: time.Unix(1, 0), MaxAge: -1,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: !s.deps.Dev,
	})
}

// phoneTab is the participant file's "phone" tab.
type phoneTab struct {
	User    *users.User // her vendor login; nil while she has none
	Devices []auth.Device
	Link    *phoneLink // a link just made, shown once
	Error   string     // a message key above the tab
}

// phoneLink is a one-time link as the officer's page shows it.
type phoneLink struct {
	URL     string
	QR      template.HTML
	Expires time.Time
}

// loadPhoneTab fills the phone tab of p's file.
func (s *Server) loadPhoneTab(c *fiber.Ctx, p participants.Participant, tab *phoneTab) error {
	if link, ok := c.Locals("phone.link").(*phoneLink); ok {
		tab.Link = link
	}
	if key, ok := c.Locals("phone.error").(string); ok {
		tab.Error = key
	}
	u, err := s.users.ForParticipant(c.UserContext(), p.ID)
	if errors.Is(err, users.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	tab.User = &u
	tab.Devices, err = s.auth.Devices(c.UserContext(), u.ID)
	return err
}

// publicURL is where people reach Hawker: HAWKER_PUBLIC_URL, or this
// request's own address.
func (s *Server) publicURL(c *fiber.Ctx) string {
	if u := strings.TrimRight(s.deps.PublicURL, "/"); u != "" {
		return u
	}
	return c.BaseURL()
}

// createPhoneLink: POST /participants/{code}/phone-link, an officer makes
// her phone's one-time link; the page shows it at once (its token is
// known only now, and is never stored).
func (s *Server) createPhoneLink(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	if p.Erased() {
		return participants.ErrErased
	}
	u, err := s.users.ForParticipant(c.UserContext(), p.ID)
	if errors.Is(err, users.ErrNotFound) {
		c.Locals("phone.error", "device.no_login")
		c.Status(fiber.StatusConflict)
		return s.renderFile(c, "phone", nil, "")
	}
	if err != nil {
		return err
	}
	link, err := s.auth.CreateLink(c.UserContext(), actor(c), u)
	if errors.Is(err, auth.ErrNotVendor) {
		c.Locals("phone.error", "device.not_vendor")
		c.Status(fiber.StatusConflict)
		return s.renderFile(c, "phone", nil, "")
	}
	if err != nil {
		return err
	}
	url := s.publicURL(c) + "/d/" + link.Token
	svg, err := vendors.QRSVG(url)
	if err != nil {
		return err
	}
	// The QR is drawn here, from the address alone: no text of anyone's.
	c.Locals("phone.link", &phoneLink{URL: url, QR: template.HTML(svg), Expires: link.ExpiresAt})
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.renderFile(c, "phone", nil, "")
}

// revokePhone: POST /participants/{code}/phones/{id}/revoke.
func (s *Server) revokePhone(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	u, err := s.users.ForParticipant(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	if err := s.auth.RevokeDevice(c.UserContext(), actor(c), u.ID, id); err != nil {
		return err
	}
	return c.Redirect("/participants/"+p.Code+"?tab=phone&done=phone_revoked", http.StatusSeeOther)
}

// phoneSetupPage is what a phone shows for a one-time link.
type phoneSetupPage struct {
	Token  string
	Name   string
	Errors valid.Errors
	// Refused says why the link does not work, in Thai and in English:
	// whose phone it is, and so her language, is not known.
	Refused []langText
}

// langText is one message in one language.
type langText struct {
	Lang, Text string
}

// showPhoneLink: GET /d/{token}, the page her phone opens from the QR code.
// Opening it does not spend the link.
func (s *Server) showPhoneLink(c *fiber.Ctx) error {
	token := c.Params("token")
	u, err := s.auth.CheckLink(c.UserContext(), token, clientIP(c))
	if err != nil {
		return s.refusePhoneLink(c, err)
	}
	c.Locals("lang", u.Language)
	return s.render(c, "phone_setup", phoneSetupPage{Token: token, Name: u.Name})
}

// usePhoneLink: POST /d/{token} with her PIN twice: the phone is set up and
// signed in, and goes to her books.
func (s *Server) usePhoneLink(c *fiber.Ctx) error {
	token := c.Params("token")
	sess, device, err := s.auth.UseLink(c.UserContext(), auth.PhoneSetup{
		Token: token, PIN: c.FormValue("pin"), Confirm: c.FormValue("pin_confirm"),
		Label: phoneLabel(c.Get(fiber.HeaderUserAgent)), IP: clientIP(c),
	})
	var fields valid.Errors
	if errors.As(err, &fields) {
		u, uerr := s.auth.CheckLink(c.UserContext(), token, clientIP(c))
		if uerr != nil {
			return s.refusePhoneLink(c, uerr)
		}
		c.Locals("lang", u.Language)
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "phone_setup", phoneSetupPage{Token: token, Name: u.Name, Errors: fields})
	}
	if err != nil {
		return s.refusePhoneLink(c, err)
	}
	c.ClearCookie(anonCookie)
	s.startSession(c, sess)
	s.setDeviceCookie(c, device)
	return c.Redirect("/books", http.StatusSeeOther)
}

// refusePhoneLink shows why a link does not work (used, expired, unknown,
// too many tries), in Thai and English; other errors go to the error page.
func (s *Server) refusePhoneLink(c *fiber.Ctx, err error) error {
	var locked *auth.LockedError
	page := phoneSetupPage{}
	say := func(key string, args ...any) {
		for _, lang := range []string{"th", "en"} {
			page.Refused = append(page.Refused, langText{Lang: lang, Text: s.views.tr.T(lang, key, args...)})
		}
	}
	switch {
	case errors.As(err, &locked):
		say("login.locked", "Count", s.lockMinutes(c, locked))
		c.Status(fiber.StatusTooManyRequests)
	case errors.Is(err, auth.ErrLinkUsed):
		say("device.link_used")
		c.Status(fiber.StatusGone)
	case errors.Is(err, auth.ErrLinkExpired):
		say("device.link_expired")
		c.Status(fiber.StatusGone)
	case errors.Is(err, auth.ErrLinkUnknown):
		say("device.link_unknown")
		c.Status(fiber.StatusNotFound)
	case errors.Is(err, auth.ErrNotVendor):
		say("device.not_vendor")
		c.Status(fiber.StatusConflict)
	default:
		return err
	}
	return s.render(c, "phone_setup", page)
}

// phoneLabel names a phone for her officer's list from its browser's
// description: "Chrome · Android", say. Nothing else of it is kept.
func phoneLabel(ua string) string {
	system := ""
	for _, os := range []struct{ in, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS", "Mac"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, os.in) {
			system = os.name
			break
		}
	}
	browser := ""
	for _, b := range []struct{ in, name string }{
		{"SamsungBrowser", "Samsung Internet"}, {"Firefox/", "Firefox"}, {"Edg/", "Edge"},
		{"HeadlessChrome", "Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.in) {
			browser = b.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	}
	return system
}

// rememberedPhone is the vendor this phone remembers, for the sign-in page
// to ask only her PIN; nil when it remembers no one. A device token that no
// longer works (revoked) says so in revoked; the sign-in page says so, and
// keeps saying so until someone signs in the usual way on this phone
// (forgetDeadPhone), however many pages asked for it in between.
func (s *Server) rememberedPhone(c *fiber.Ctx) (u *users.User, revoked bool, err error) {
	token := c.Cookies(deviceCookie)
	if token == "" {
		return nil, false, nil
	}
	found, err := s.auth.DeviceUser(c.UserContext(), token)
	if errors.Is(err, auth.ErrNoDevice) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &found, false, nil
}

// forgetDeadPhone drops the device cookie of a phone that no longer
// remembers anyone, once someone has signed in on it the usual way. A live
// one stays: "not me" on a shared phone does not make it forget her.
func (s *Server) forgetDeadPhone(c *fiber.Ctx) error {
	token := c.Cookies(deviceCookie)
	if token == "" {
		return nil
	}
	_, err := s.auth.DeviceUser(c.UserContext(), token)
	switch {
	case errors.Is(err, auth.ErrNoDevice):
		s.clearDeviceCookie(c)
	case err != nil:
		return err
	}
	return nil
}
