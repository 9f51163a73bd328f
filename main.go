// Command hawker runs the Hygiene Street Food Project's platform: the web
// application, its migrations, demo data and the operator's tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/jmoiron/sqlx"
	"golang.org/x/term"

	"hawker/catalog"
	"hawker/config"
	"hawker/migrations"
	"hawker/pg"
	"hawker/reports"
	"hawker/vendors"
)

const usage = `hawker — the Hygiene Street Food Project's platform

Usage:
  hawker serve                     migrate, then serve HTTP on HAWKER_ADDR
  hawker migrate                   apply pending database migrations
  hawker db create                 create the database named in DATABASE_URL if missing
  hawker seed --demo [--password P]  load the demo programme into an empty database
  hawker seed --scale --vendors N --months M
                                   load a synthetic programme of N vendors over M months (benchmarks)
  hawker user add --login L --role R [--name N] [--participant CODE] [--donor ID]
                                   create a user; the password is read from standard input
  hawker ledger verify|close       check or close the books (see hawker ledger --help)
  hawker audit verify              check the audit trail's hash chain; exit 1 on a break
  hawker statements --month YYYY-MM --out DIR [--participant CODE]
                                   write vendors' monthly statements (PDF and CSV)
  hawker statements verify FILE.pdf  check a statement against the ledger; exit 1 on a mismatch
  hawker impact --donor ID --from YYYY-MM --to YYYY-MM --out FILE.pdf
                                   write a donor's impact report (and FILE.csv beside it)

Configuration comes from the environment: DATABASE_URL, HAWKER_ADDR,
HAWKER_METRICS_ADDR, HAWKER_SECRET (serve only), HAWKER_DEV,
HAWKER_TRUSTED_PROXIES, HAWKER_SMTP_URL, HAWKER_PUBLIC_URL, HAWKER_READ_URL,
LOG_LEVEL, LOG_FORMAT.
Run "hawker COMMAND --help" for a command's flags.
`

// env is what every command receives: configuration, logger and the
// process's standard streams, passed explicitly rather than kept in globals.
type env struct {
	cfg    config.Config
	log    *slog.Logger
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usageErr(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command runs one subcommand with the arguments after its name.
type command func(ctx context.Context, e *env, args []string) error

func commands() map[string]command {
	return map[string]command{
		"serve":      runServe,
		"migrate":    runMigrate,
		"db":         runDB,
		"seed":       runSeed,
		"user":       runUser,
		"ledger":     runLedger,
		"audit":      runAudit,
		"statements": runStatements,
		"impact":     runImpact,
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "hawker: unknown command %q (run hawker --help)\n", args[0])
		return 2
	}
	if wantsHelp(args[1:]) {
		// Commands print their own help through the flag package, which needs no config.
		err := cmd(context.Background(), &env{stdin: stdin, stdout: stdout, stderr: stderr, log: slog.New(slog.DiscardHandler)}, args[1:])
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "hawker: %v\n", err)
			return 2
		}
		return 0
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "hawker: %v\n", err)
		return 2
	}
	e := &env{cfg: cfg, stdin: stdin, stdout: stdout, stderr: stderr, log: newLogger(cfg, stderr)}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err = cmd(ctx, e, args[1:])
	var ue usageError
	var ce *config.Error
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue) || errors.As(err, &ce):
		fmt.Fprintf(stderr, "hawker: %v\n", err)
		return 2
	default:
		printError(stderr, getenv, err)
		return 1
	}
}

// printError tells the operator why a command failed. What the domain
// refused (a field, a taken login, a closed month) is said the way the
// pages say it, in Thai when the locale (LC_ALL, LC_MESSAGES, LANG) is
// Thai and in English otherwise, one line per field; anything else is its
// error text on one line.
func printError(w io.Writer, getenv func(string) string, err error) {
	if cat, lerr := catalog.Load(); lerr == nil {
		if lines, ok := cat.Explain(catalog.FromEnv(getenv), err); ok {
			fmt.Fprintf(w, "hawker: %s\n", lines[0])
			for _, l := range lines[1:] {
				fmt.Fprintf(w, "  %s\n", l)
			}
			return
		}
	}
	fmt.Fprintf(w, "hawker: %s\n", oneLine(err.Error()))
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			return true
		}
	}
	return false
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	format := cfg.LogFormat
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// newFlags makes a command's flag set; errors are returned, not fatal.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("hawker "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: hawker %s\n\n", synopsis)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	return fs
}

// parse parses args and turns flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageErr("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// subcommand is the start of a command that has one subcommand (hawker
// audit verify): it returns the arguments after the subcommand's name, the
// second word of synopsis. A bare --help prints help; anything else is a
// usage error naming synopsis.
func (e *env) subcommand(args []string, synopsis, help string) ([]string, error) {
	words := strings.Fields(synopsis)
	if len(args) > 0 && args[0] == words[1] {
		return args[1:], nil
	}
	if wantsHelp(args) {
		fmt.Fprintln(e.stdout, help)
		return nil, flag.ErrHelp
	}
	return nil, usageErr("%s: expected: hawker %s", words[0], synopsis)
}

// withDB is every command's way to the database: it connects to
// DATABASE_URL, runs fn on the pool and closes it.
func (e *env) withDB(ctx context.Context, fn func(db *sqlx.DB) error) error {
	db, err := pg.Open(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

// withSchema is withDB on a database first migrated to the latest schema.
func (e *env) withSchema(ctx context.Context, fn func(db *sqlx.DB) error) error {
	return e.withDB(ctx, func(db *sqlx.DB) error {
		if _, err := e.migrate(ctx, db); err != nil {
			return err
		}
		return fn(db)
	})
}

// withAppDB migrates as the owner in DATABASE_URL, lets that connection go,
// and runs fn on a pool of the application role (pg.AppRole), which owns
// nothing: what serves requests cannot rewrite history.
func (e *env) withAppDB(ctx context.Context, fn func(db *sqlx.DB) error) error {
	if err := e.withDB(ctx, func(owner *sqlx.DB) error {
		_, err := e.migrate(ctx, owner)
		return err
	}); err != nil {
		return err
	}
	appURL, _, err := pg.AppURL(e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	db, err := pg.Open(ctx, appURL)
	if err != nil {
		return fmt.Errorf("connect as %s: %w", pg.AppRole, err)
	}
	defer db.Close()
	var role string
	if err := db.GetContext(ctx, &role, `SELECT current_user`); err != nil {
		return fmt.Errorf("connect as %s: %w", pg.AppRole, err)
	}
	e.log.Info("database connected", "db_role", role)
	return fn(db)
}

// readDB connects to the replica in HAWKER_READ_URL, as the application
// role when asApp (serve), and returns nil when none is set.
func (e *env) readDB(ctx context.Context, asApp bool) (*sqlx.DB, func(), error) {
	if e.cfg.ReadURL == "" {
		return nil, func() {}, nil
	}
	u := e.cfg.ReadURL
	if asApp {
		var err error
		if u, _, err = pg.AppURL(u); err != nil {
			return nil, nil, err
		}
	}
	db, err := pg.OpenReadOnly(ctx, u)
	if err != nil {
		return nil, nil, fmt.Errorf("HAWKER_READ_URL: %w", err)
	}
	e.log.Info("reports read from a replica", "read_url", pg.Redact(u))
	return db, func() { db.Close() }, nil
}

// reportsStore is the reports store of a command: reading from the replica
// in HAWKER_READ_URL when one is set.
func (e *env) reportsStore(ctx context.Context, db *sqlx.DB) (*reports.Store, func(), error) {
	read, done, err := e.readDB(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	if read == nil {
		return reports.NewStore(db, vendors.NewStore(db), e.cfg.PublicURL), done, nil
	}
	return reports.NewReadStore(db, read, e.cfg.PublicURL), done, nil
}

// migrate applies the migrations as the owner in DATABASE_URL, which also
// grants the application role its rights, and gives that role the password
// serve will use (derived from the owner's; none when the owner has none).
func (e *env) migrate(ctx context.Context, db *sqlx.DB) (int, error) {
	n, err := migrations.Apply(ctx, db, e.log)
	if err != nil {
		return n, err
	}
	_, password, err := pg.AppURL(e.cfg.DatabaseURL)
	if err != nil {
		return n, err
	}
	if password != "" {
		if err := migrations.SetAppPassword(ctx, db, password); err != nil {
			return n, err
		}
	}
	return n, nil
}
