package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/app"
	"hawker/audit"
	"hawker/migrations"
)

// shutdownGrace is how long requests in flight may take to finish on SIGTERM.
const shutdownGrace = 20 * time.Second

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "serve\n\nMigrates the database, then serves HTTP on HAWKER_ADDR (and /metrics on\nHAWKER_METRICS_ADDR) until SIGTERM or SIGINT.")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := e.cfg.RequireSecret(); err != nil {
		return err
	}
	return e.withAppDB(ctx, func(db *sqlx.DB) error {
		if len(e.cfg.AuditKey) > 0 {
			stop := checkpoints(ctx, e, db)
			defer stop()
		} else if !e.cfg.Dev {
			e.log.Warn("HAWKER_AUDIT_KEY is not set: the audit trail gets no signed checkpoints, and a rewrite of it by someone holding the database's superuser would go unnoticed")
		}
		read, closeRead, err := e.readDB(ctx, true)
		if err != nil {
			return err
		}
		defer closeRead()
		srv, err := app.New(app.Deps{DB: db, ReadDB: read, Log: e.log, Secret: e.cfg.Secret, Dev: e.cfg.Dev, TrustedProxies: e.cfg.TrustedProxies,
			PublicURL: e.cfg.PublicURL, JobStaleAfter: e.cfg.JobStaleAfter, SMTP: e.cfg.SMTPURL})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", e.cfg.Addr)
		if err != nil {
			return fmt.Errorf("serve: listen on HAWKER_ADDR %s: %w", e.cfg.Addr, err)
		}
		if e.cfg.MetricsAddr != "" {
			stop, err := serveMetrics(e, srv.Metrics())
			if err != nil {
				ln.Close()
				return err
			}
			defer stop()
		}
		e.log.Info("serving", "addr", ln.Addr().String(), "schema", migrations.Latest(), "dev", e.cfg.Dev)
		return srv.Serve(ctx, ln, shutdownGrace)
	})
}

// checkpointEvery is how often serve signs a checkpoint of the audit trail.
const checkpointEvery = 10 * time.Minute

// checkpoints signs a checkpoint of the audit trail now, every
// checkpointEvery and when stopped, each kept in the database and written
// to the log, where the operator keeps it outside the database's reach.
func checkpoints(ctx context.Context, e *env, db *sqlx.DB) (stop func()) {
	write := func() {
		c, err := audit.WriteCheckpoint(context.WithoutCancel(ctx), db, e.cfg.AuditKey)
		if err != nil {
			e.log.Error("audit checkpoint failed", "err", err)
			return
		}
		e.log.Info("audit checkpoint", "rows", c.Rows, "checkpoint", c.String())
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		write()
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				write()
			case <-done:
				write()
				return
			}
		}
	}()
	return func() { close(done); <-finished }
}

// serveMetrics answers GET /metrics, and nothing else, on HAWKER_METRICS_ADDR.
func serveMetrics(e *env, h http.Handler) (stop func(), err error) {
	ln, err := net.Listen("tcp", e.cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("serve: listen on HAWKER_METRICS_ADDR %s: %w", e.cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("metrics listener stopped", "err", err)
		}
	}()
	e.log.Info("serving metrics", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
	}, nil
}
