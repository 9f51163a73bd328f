// Package app wires Hawker's HTTP side: routes, handlers, templates, static
// files and the one error handler. Domain rules live in the domain packages.
//
// It owns no table and names none in SQL. New creates each domain store once
// and wires the participants' PersonalData holders (personalData); handlers
// parse a request, call one domain function (a page and its JSON twin the
// same one) and render the result or the error. It may import every domain
// package; none imports it.
package app

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"

	"hawker/auth"
	"hawker/donors"
	"hawker/grants"
	"hawker/participants"
	"hawker/reports"
	"hawker/training"
	"hawker/users"
	"hawker/vendors"
)

//go:embed templates static
var assets embed.FS

// Deps is what the application needs from main.
type Deps struct {
	DB *sqlx.DB
	// ReadDB, when set, is a streaming replica of DB (HAWKER_READ_URL)
	// that statements and impact reports are read from.
	ReadDB *sqlx.DB
	Log    *slog.Logger
	Secret []byte
	Dev    bool
	// Now is the clock; tests may fix it. Nil means time.Now.
	Now func() time.Time
	// Auth sets session timeouts and sign-in limits; zero fields take defaults.
	Auth auth.Config
	// TrustedProxies are the addresses whose X-Forwarded-For names the
	// client (HAWKER_TRUSTED_PROXIES); from anyone else it is ignored.
	TrustedProxies []netip.Prefix
	// PublicURL is where people reach Hawker (HAWKER_PUBLIC_URL): the
	// statements' verification addresses point under it.
	PublicURL string
	// JobWorkers is how many statements a background job makes at once;
	// zero means every core.
	JobWorkers int
	// JobStaleAfter is how long a job's worker may miss its heartbeat
	// before another process takes the job over; zero: the queue's default.
	JobStaleAfter time.Duration
	// SMTP is HAWKER_SMTP_URL: donor reports are e-mailed through it. Nil:
	// the messages are kept for the outbox page.
	SMTP *url.URL

	// testRoutes are mounted with the others, for tests of the serving
	// machinery itself (a deliberately slow handler).
	testRoutes []route
}

// Server is the HTTP application: the Fiber app and what its handlers share.
type Server struct {
	deps  Deps
	db    *sqlx.DB
	log   *slog.Logger
	views *views
	stats *metrics
	// The domain stores, created once here and shared by every request.
	auth         *auth.Store
	users        *users.Store
	participants *participants.Store
	training     *training.Store
	donors       *donors.Store
	// vendors keeps the ledger's prepared posting statements and the
	// participant → book cache.
	vendors *vendors.Store
	// reports builds statements; jobs is the background job queue that
	// Serve works on, shared with every other serve process.
	reports *reports.Store
	jobs    *reports.Queue
	// delivery makes each donor's report when a month ends and mails it.
	delivery *reports.Delivery
	// static is the hashed, compressed static files.
	static *staticSet
	// grants posts through vendors' store (the same ledger statements and book cache).
	grants *grants.Store
	Fiber  *fiber.App
}

// BodyLimit is the largest request body accepted (CSV imports are the largest).
const BodyLimit = 8 << 20

// New builds the application. A broken template fails here, at start.
func New(deps Deps) (*Server, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	st, err := loadStatic()
	if err != nil {
		return nil, err
	}
	v, err := parseViews(st)
	if err != nil {
		return nil, err
	}
	if deps.Auth.Now == nil {
		deps.Auth.Now = deps.Now
	}
	s := &Server{deps: deps, db: deps.DB, log: deps.Log, views: v, static: st, stats: newMetrics(deps.DB), auth: auth.NewStore(deps.DB, deps.Auth),
		users: users.NewStore(deps.DB), training: training.NewStore(deps.DB), donors: donors.NewStore(deps.DB),
		vendors: vendors.NewStore(deps.DB)}
	s.grants = grants.NewStore(deps.DB, s.vendors)
	s.participants = participants.NewStore(deps.DB, s.personalData()...)
	s.reports = reports.NewStore(deps.DB, s.vendors, deps.PublicURL)
	if deps.ReadDB != nil {
		s.reports = reports.NewReadStore(deps.DB, deps.ReadDB, deps.PublicURL)
	}
	s.jobs = reports.NewQueue(deps.DB)
	s.jobs.Log = deps.Log
	if d := deps.JobStaleAfter; d > 0 {
		s.jobs.StaleAfter, s.jobs.Beat, s.jobs.Poll = d, max(d/6, 100*time.Millisecond), min(s.jobs.Poll, d/2)
	}
	s.delivery = reports.NewDelivery(s.reports, s.jobs, deps.SMTP)
	s.delivery.Now = deps.Now
	bulk := reports.NewBulk(s.reports, s.jobs)
	bulk.Now = deps.Now
	if deps.JobWorkers > 0 {
		bulk.Workers = deps.JobWorkers
	}
	s.Fiber = fiber.New(fiber.Config{
		AppName:               "hawker",
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		BodyLimit:             BodyLimit,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		// Handlers keep strings past the request (forms, logs): no buffer reuse surprises.
		Immutable: true,
	})
	s.Fiber.Use(s.stats.middleware)
	if err := s.register(); err != nil {
		return nil, err
	}
	return s, nil
}

// personalData lists every package that keeps a participant's personal data
// in its own tables, for her export and erasure (participants.PersonalData).
// A package that adds such data implements the interface and joins here.
func (s *Server) personalData() []participants.PersonalData {
	return []participants.PersonalData{
		s.users,   // her logins; erasure blanks their display names
		s.vendors, // her PromptPay id (erased) and her books (kept)
		s.grants,  // her grants and what she received (kept); hand-over acceptances (erased)
		s.auth,    // the phones that remember her logins (revoked) and her sessions (ended)
	}
}

func (s *Server) now() time.Time { return s.deps.Now() }

// Serve serves on ln until ctx ends, then shuts down gracefully: requests in
// flight get up to grace to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- s.Fiber.Listener(ln) }()
	// Background jobs (statements in bulk, each month's donor reports) run
	// beside the requests; a job cut short by the shutdown is taken up again
	// by the next worker. The delivery enqueues the month's donor reports
	// when a month begins and sends their e-mails.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{}, 2)
	go func() { defer func() { jobsDone <- struct{}{} }(); s.jobs.Work(jobsCtx) }()
	go func() { defer func() { jobsDone <- struct{}{} }(); s.delivery.Run(jobsCtx) }()
	defer func() { stopJobs(); <-jobsDone; <-jobsDone }()
	select {
	case err := <-errc:
		return fmt.Errorf("app: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := s.Fiber.ShutdownWithContext(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("app: shutdown: %w", err)
	}
	return <-errc
}
