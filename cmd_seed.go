package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"text/tabwriter"

	"github.com/jmoiron/sqlx"

	"hawker/demo"
)

// demoPassword is the demo logins' password unless --password says otherwise.
const demoPassword = "hawker-demo"

func runSeed(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "seed", "seed --demo [--password P]\n\nFills an empty database with a realistic demo programme and prints the logins.")
	isDemo := fs.Bool("demo", false, "load the demo programme")
	password := fs.String("password", demoPassword, "password for every demo login")
	ifEmpty := fs.Bool("if-empty", false, "do nothing, successfully, when the database already holds a programme")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*isDemo {
		return usageErr("seed: say --demo")
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
