package main

import (
	"context"
	"fmt"
	"strings"

	"hawker/audit"
)

func runAudit(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		if wantsHelp(args) {
			fmt.Fprintln(e.stdout, "Usage: hawker audit verify")
			return nil
		}
		return usageErr("audit: expected: hawker audit verify")
	}
	fs := newFlags(e, "audit verify", "audit verify\n\nChecks the audit trail's hash chain; exits 1 naming each break.")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := e.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
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
}
