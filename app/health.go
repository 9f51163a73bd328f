package app

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/migrations"
)

// healthz answers while the process lives.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.SendString("ok\n")
}

// readyz answers 200 only when the database answers and its schema is the
// one this binary expects; the pool reconnects by itself, so it recovers
// without a restart.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	v, err := migrations.Current(ctx, s.db)
	switch {
	case err != nil:
		s.log.Warn("readyz: database unreachable", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unreachable\n")
	case v != migrations.Latest():
		return c.Status(fiber.StatusServiceUnavailable).SendString("schema not current\n")
	}
	return c.SendString("ready\n")
}
