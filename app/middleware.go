package app

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"hawker/auth"
	"hawker/users"
)

// Cookie names.
const (
	sessionCookie = "hawker_session"
	// anonCookie carries a random nonce for visitors who are not signed in;
	// their forms (sign-in, language) carry its HMAC as the CSRF token.
	anonCookie = "hawker_csrf"
)

// csp allows nothing inline: every script and style comes from /static.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// clientIP is the address of the request's client: the peer's, or, when
// the peer is a trusted proxy, the one it names (findClient).
func clientIP(c *fiber.Ctx) string {
	if ip, ok := c.Locals("ip").(string); ok {
		return ip
	}
	return c.IP()
}

// findClient sets the client address that clientIP returns. X-Forwarded-For
// is believed only from HAWKER_TRUSTED_PROXIES, and read from its right
// end: each trusted proxy appends the address it received from, so the
// first untrusted address from the right is the client; what is to its
// left, anyone could have written.
func (s *Server) findClient(c *fiber.Ctx) error {
	c.Locals("ip", s.clientOf(c.Context().RemoteIP().String(), c.Request().Header.PeekAll(fiber.HeaderXForwardedFor)))
	return c.Next()
}

func (s *Server) clientOf(peer string, forwarded [][]byte) string {
	if !s.trusted(peer) {
		return peer
	}
	var hops []string
	for _, h := range forwarded {
		for _, f := range strings.Split(string(h), ",") {
			hops = append(hops, strings.TrimSpace(f))
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			return peer // a garbled header: believe only what we saw
		}
		if !s.trusted(a.String()) {
			return a.Unmap().String()
		}
	}
	return peer
}

// trusted reports whether ip is one of HAWKER_TRUSTED_PROXIES.
func (s *Server) trusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.deps.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// securityHeaders sets the headers every response carries. Nothing is
// stored by browsers or proxies unless its handler says otherwise (static
// files, the service worker): nearly every page and answer carries personal
// or financial data, and a page that forgets to say so must not be the one
// left in a shared phone's cache. Outside development, browsers are told to
// use HTTPS only.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", csp)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set(fiber.HeaderCacheControl, "no-store")
	if !s.deps.Dev {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=63072000; includeSubDomains")
	}
	return c.Next()
}

// refuseJunk answers 400 to a request whose path, query or form values carry
// a NUL byte or bytes that are not UTF-8. PostgreSQL stores neither in text,
// so such a value would fail deep in a store as a 500; no person's browser
// sends them. JSON bodies are checked by readJSON.
func refuseJunk(c *fiber.Ctx) error {
	req := c.Request()
	ok := cleanText(req.URI().Path())
	visit := func(k, v []byte) { ok = ok && cleanText(k) && cleanText(v) }
	req.URI().QueryArgs().VisitAll(visit)
	switch ct := string(req.Header.ContentType()); {
	case strings.HasPrefix(ct, fiber.MIMEApplicationForm):
		req.PostArgs().VisitAll(visit)
	case strings.HasPrefix(ct, fiber.MIMEMultipartForm):
		if form, err := c.MultipartForm(); err == nil {
			for k, vs := range form.Value {
				ok = ok && cleanText([]byte(k))
				for _, v := range vs {
					ok = ok && cleanText([]byte(v))
				}
			}
		}
	}
	if !ok {
		return errMalformed
	}
	return c.Next()
}

// cleanText reports whether b is UTF-8 without NUL bytes.
func cleanText(b []byte) bool { return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 }

// loadSession finds the request's session, if any, and puts the user, their
// language and the CSRF token where handlers and templates read them.
func (s *Server) loadSession(c *fiber.Ctx) error {
	if token := c.Cookies(sessionCookie); token != "" {
		sess, err := s.auth.Lookup(c.UserContext(), token)
		switch {
		case err == nil:
			s.useSession(c, sess)
		case errors.Is(err, auth.ErrNoSession):
			s.clearSessionCookie(c)
		default:
			return err
		}
	}
	if currentUser(c) == nil && !isAPI(c) {
		s.anonCSRF(c)
	}
	return c.Next()
}

// useSession makes sess the request's session.
func (s *Server) useSession(c *fiber.Ctx, sess auth.Session) {
	u := sess.User
	c.Locals("user", &u)
	c.Locals("lang", u.Language)
	c.Locals("csrf", sess.CSRF)
	c.Locals("view.user", &u)
	c.Locals("view.csrf", sess.CSRF)
}

// startSession sets the cookie of a session that has just started and makes
// it the request's session.
func (s *Server) startSession(c *fiber.Ctx, sess auth.Session) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: sess.Token, Path: "/",
		Expires: sess.ExpiresAt, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: !s.deps.Dev,
	})
	s.useSession(c, sess)
}

func (s *Server) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: "", Path: "/", Expires: time.Unix(1, 0), MaxAge: -1,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: !s.deps.Dev,
	})
	c.Locals("user", nil)
	c.Locals("view.user", nil)
	c.Locals("csrf", nil)
	c.Locals("view.csrf", nil)
}

// anonCSRF gives a visitor who is not signed in a nonce cookie (once) and
// the token their forms must carry: the HMAC of the nonce under the secret.
func (s *Server) anonCSRF(c *fiber.Ctx) {
	nonce := c.Cookies(anonCookie)
	if nonce == "" {
		if !(c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead) {
			return // a state-changing request without one is refused
		}
		b := make([]byte, 24)
		rand.Read(b)
		nonce = base64.RawURLEncoding.EncodeToString(b)
		c.Cookie(&fiber.Cookie{
			Name: anonCookie, Value: nonce, Path: "/", HTTPOnly: true,
			SameSite: fiber.CookieSameSiteLaxMode, Secure: !s.deps.Dev,
		})
	}
	token := s.anonToken(nonce)
	c.Locals("csrf", token)
	c.Locals("view.csrf", token)
}

func (s *Server) anonToken(nonce string) string {
	m := hmac.New(sha256.New, s.deps.Secret)
	m.Write([]byte("hawker csrf\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// bodyField is a field of the request's form body only: unlike
// c.FormValue, never the query string, where a token would be written to
// logs and Referer headers.
func bodyField(c *fiber.Ctx, name string) string {
	switch ct := string(c.Request().Header.ContentType()); {
	case strings.HasPrefix(ct, fiber.MIMEApplicationForm):
		return string(c.Request().PostArgs().Peek(name))
	case strings.HasPrefix(ct, fiber.MIMEMultipartForm):
		if form, err := c.MultipartForm(); err == nil && len(form.Value[name]) > 0 {
			return form.Value[name][0]
		}
	}
	return ""
}

// checkCSRF refuses a state-changing request that does not carry the
// session's token (header X-CSRF-Token, or form field _csrf in the body). An API call
// without a session has nothing a forger could use and passes; its route's
// rule still applies.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	want, _ := c.Locals("csrf").(string)
	if want == "" && isAPI(c) && currentUser(c) == nil {
		return c.Next()
	}
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = bodyField(c, "_csrf")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return &Problem{Status: fiber.StatusForbidden, Code: "csrf", Key: "error.csrf"}
	}
	return c.Next()
}

// guard applies r's rule before its handler: a visitor who is not signed in
// is sent to sign in (pages) or refused with 401 (API); a wrong role is 403;
// a user holding a one-time password is sent to change it first.
func (s *Server) guard(r route) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if r.allow.public {
			return r.handler(c)
		}
		u := currentUser(c)
		if u == nil {
			if isAPI(c) || c.Method() != fiber.MethodGet {
				return errUnauthenticated
			}
			return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), http.StatusSeeOther)
		}
		if !r.allow.allows(u.Role) {
			return errForbidden
		}
		if u.MustChangePassword && !r.allow.pending {
			if isAPI(c) {
				return &Problem{Status: fiber.StatusForbidden, Code: "forbidden", Key: "account.must_change"}
			}
			return c.Redirect("/account", http.StatusSeeOther)
		}
		return r.handler(c)
	}
}

var (
	errUnauthenticated = &Problem{Status: fiber.StatusUnauthorized, Code: "unauthenticated", Key: "error.unauthenticated"}
	errForbidden       = &Problem{Status: fiber.StatusForbidden, Code: "forbidden", Key: "error.forbidden"}
	errNotFound        = &Problem{Status: fiber.StatusNotFound, Code: "not_found", Key: "error.not_found"}
	errMalformed       = &Problem{Status: fiber.StatusBadRequest, Code: "malformed", Key: "error.malformed"}
)

// hasRole reports whether the signed-in user has one of roles.
func hasRole(c *fiber.Ctx, roles ...users.Role) bool {
	u := currentUser(c)
	return u != nil && rule{roles: roles}.allows(u.Role)
}
