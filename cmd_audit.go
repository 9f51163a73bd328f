package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
)

func runAudit(ctx context.Context, e *env, args []string) error {
	args, err := e.subcommand(args, "audit verify", "Usage: hawker audit verify")
	if err != nil {
		return err
	}
	fs := newFlags(e, "audit verify", "audit verify\n\nChecks the audit trail's hash chain; exits 1 naming each break.")
	if err := parse(fs, args); err != nil {
		return err
	}
	return e.withDB(ctx, func(db *sqlx.DB) error {
		r, err := audit.Verify(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "audit trail: %d rows checked\n", r.Rows)
		if len(r.Breaks) == 0 {
			fmt.Fprintln(e.stdout, "audit trail: the chain holds")
			return nil
		}
		names := make([]string, len(r.Breaks))
		for i, b := range r.Breaks {
			fmt.Fprintf(e.stdout, "audit trail: row %d %s\n", b.ID, b.Reason)
			names[i] = fmt.Sprintf("row %d %s", b.ID, b.Reason)
		}
		return fmt.Errorf("audit verify: %d breaks in the chain: %s", len(r.Breaks), strings.Join(names, "; "))
	})
}
