package app

import (
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"hawker/users"
)

// rule says who may use a route. The zero rule allows no one, and a route
// registered with it fails the start: every route states its rule here.
type rule struct {
	public bool         // anyone, signed in or not
	roles  []users.Role // else: signed-in users with one of these roles
}

var (
	public   = rule{public: true}
	signedIn = rule{roles: users.Roles}
)

// only allows signed-in users with one of roles.
func only(roles ...users.Role) rule { return rule{roles: roles} }

func (r rule) defined() bool { return r.public || len(r.roles) > 0 }

// allows reports whether a signed-in user with role may pass.
func (r rule) allows(role users.Role) bool {
	if r.public {
		return true
	}
	for _, x := range r.roles {
		if x == role {
			return true
		}
	}
	return false
}

// route is one line of the sitemap: who may call it and what handles it.
// Object rules (a vendor sees only her own books, a donor only their own
// reports) are checked in the handler, by the helpers in authz.go.
type route struct {
	method  string
	path    string
	allow   rule
	handler fiber.Handler
}

// routes is every route Hawker serves, in one table that reads like a sitemap.
func (s *Server) routes() []route {
	return []route{
		// Operations.
		{"GET", "/healthz", public, s.healthz},
		{"GET", "/readyz", public, s.readyz},
		{"GET", "/metrics", public, s.showMetrics},

		// Pages.
		{"GET", "/", public, s.showHome},
		{"POST", "/language", public, s.setLanguage},
	}
}

func (s *Server) register() error {
	static, err := fsSub("static")
	if err != nil {
		return err
	}
	s.Fiber.Use("/static", filesystem.New(filesystem.Config{Root: static, MaxAge: 3600}))
	for _, r := range s.routes() {
		if r.handler == nil || !r.allow.defined() {
			return fmt.Errorf("app: route %s %s needs a handler and an access rule", r.method, r.path)
		}
		s.Fiber.Add(r.method, r.path, r.handler)
	}
	// Anything else is a 404 through the error handler.
	s.Fiber.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return nil
}
