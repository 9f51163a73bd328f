package app

import (
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

// route is one line of the sitemap.
type route struct {
	method  string
	path    string
	handler fiber.Handler
}

// routes is every route Hawker serves, in one table that reads like a sitemap.
func (s *Server) routes() []route {
	return []route{
		// Operations.
		{"GET", "/healthz", s.healthz},
		{"GET", "/readyz", s.readyz},
		{"GET", "/metrics", s.showMetrics},

		// Pages.
		{"GET", "/", s.showHome},
		{"POST", "/language", s.setLanguage},
	}
}

func (s *Server) register() error {
	static, err := fsSub("static")
	if err != nil {
		return err
	}
	s.Fiber.Use("/static", filesystem.New(filesystem.Config{Root: static, MaxAge: 3600}))
	for _, r := range s.routes() {
		if r.handler == nil {
			return fmt.Errorf("app: route %s %s has no handler", r.method, r.path)
		}
		s.Fiber.Add(r.method, r.path, r.handler)
	}
	// Anything else is a 404 through the error handler.
	s.Fiber.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return nil
}
