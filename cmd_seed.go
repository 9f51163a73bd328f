package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"text/tabwriter"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/demo"
	"hawker/pg"
)

// demoPassword is the demo logins' password unless --password says otherwise.
const demoPassword = "hawker-demo"

func runSeed(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "seed", "seed --demo [--password P] | seed --scale --vendors N --months M\n\n"+
		"--demo fills an empty database with a realistic demo programme and prints the logins.\n"+
		"--scale fills an empty database with a synthetic programme of N vendors over M months, for benchmarks.")
	isDemo := fs.Bool("demo", false, "load the demo programme")
	isScale := fs.Bool("scale", false, "load a synthetic programme of --vendors over --months")
	nVendors := fs.Int("vendors", 10000, "with --scale: how many vendors")
	nMonths := fs.Int("months", 24, "with --scale: how many months of trading, up to last month")
	workers := fs.Int("workers", 2, "with --scale: loaders at once")
	password := fs.String("password", demoPassword, "password for every demo login")
	ifEmpty := fs.Bool("if-empty", false, "do nothing, successfully, when the database already holds a programme")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *isScale && !*isDemo {
		if *nVendors < 1 || *nMonths < 1 || *workers < 1 {
			return usageErr("seed: --vendors, --months and --workers must be at least 1")
		}
		return e.withSchema(ctx, func(*sqlx.DB) error {
			// A bulk load commits without waiting for the disk: if the
			// machine fails half-way, the seed is run again on a new
			// database anyway (the database stays consistent either way).
			db, err := pg.Open(ctx, pg.WithParam(e.cfg.DatabaseURL, "synchronous_commit", "off"))
			if err != nil {
				return err
			}
			defer db.Close()
			return seedScale(ctx, e, db, demo.ScaleOptions{Vendors: *nVendors, Months: *nMonths, Workers: *workers, Password: *password})
		})
	}
	if !*isDemo || *isScale {
		return usageErr("seed: say --demo or --scale")
	}
	return e.withSchema(ctx, func(db *sqlx.DB) error {
		logins, err := demo.Seed(ctx, db, demo.Options{Password: *password})
		if errors.Is(err, demo.ErrNotEmpty) && *ifEmpty {
			fmt.Fprintf(e.stdout, "The database already holds a programme; demo not loaded again.\nIf it is the demo, sign in as admin, officer, officer2, manager, donor or vendor1…vendor5 with password %q.\n", *password)
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Demo programme loaded. Sign in at %s with password %q:\n", siteURL(e.cfg.Addr), *password)
		w := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		for _, l := range logins {
			fmt.Fprintf(w, "  %s\t%s\t%s\n", l.Login, l.Role, l.Name)
		}
		return w.Flush()
	})
}

// seedScale loads the scale programme with a progress bar per stage and
// prints what it wrote and how long it took.
func seedScale(ctx context.Context, e *env, db *sqlx.DB, o demo.ScaleOptions) error {
	var bar *progress
	stage, since := "", time.Now()
	endStage := func() {
		if bar != nil {
			bar.end()
			fmt.Fprintf(e.stderr, "%s: done in %s\n", stage, time.Since(since).Round(time.Second))
		}
	}
	o.Progress = func(what string, done, total int) {
		if what != stage {
			endStage()
			stage, bar, since = what, newProgress(e.stderr), time.Now()
			bar.what = what
		}
		bar.show(done, total)
	}
	start := time.Now()
	res, err := demo.SeedScale(ctx, db, o)
	endStage()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Scale programme loaded in %s: %d participants, %d grants, %d entries (%d booked late) from %s to %s, every month closed; %d businesses closed.\n",
		time.Since(start).Round(time.Second), res.Participants, res.Grants, res.Entries, res.Late,
		res.From.Format("2006-01"), res.To.Format("2006-01"), res.Closed)
	fmt.Fprintf(e.stdout, "Staff logins (password %q):", o.Password)
	for _, l := range res.Logins {
		fmt.Fprintf(e.stdout, " %s", l.Login)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// siteURL is where a person on this machine reaches a server listening on
// addr (":8080" → http://localhost:8080).
func siteURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
