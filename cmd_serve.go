package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"hawker/app"
	"hawker/migrations"
)

// shutdownGrace is how long requests in flight may take to finish on SIGTERM.
const shutdownGrace = 20 * time.Second

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "serve\n\nMigrates the database, then serves HTTP on HAWKER_ADDR until SIGTERM or SIGINT.")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := migrations.Apply(ctx, db, e.log); err != nil {
		return err
	}
	srv, err := app.New(app.Deps{DB: db, Log: e.log, Secret: e.cfg.Secret, Dev: e.cfg.Dev, TrustedProxies: e.cfg.TrustedProxies})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: listen on HAWKER_ADDR %s: %w", e.cfg.Addr, err)
	}
	e.log.Info("serving", "addr", ln.Addr().String(), "schema", migrations.Latest(), "dev", e.cfg.Dev)
	return srv.Serve(ctx, ln, shutdownGrace)
}
