package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
)

const auditUsage = `Usage:
  hawker audit verify [--checkpoints FILE]   check the hash chain, and hold it to the latest signed checkpoint
  hawker audit checkpoint                    sign a checkpoint of the chain now and print it`

func runAudit(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "checkpoint" {
		return runAuditCheckpoint(ctx, e, args[1:])
	}
	args, err := e.subcommand(args, "audit verify", auditUsage)
	if err != nil {
		return err
	}
	fs := newFlags(e, "audit verify", "audit verify [--checkpoints FILE]\n\n"+
		"Checks the audit trail's hash chain; exits 1 naming each break. With HAWKER_AUDIT_KEY, the chain is\n"+
		"also held to the latest signed checkpoint: the newest in the database, or in FILE (the server's log,\n"+
		"or any file of checkpoints kept outside the database), whichever covers more rows.")
	file := fs.String("checkpoints", "", "a file holding checkpoints (such as the server's log)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var kept []audit.Checkpoint
	if *file != "" {
		b, err := os.ReadFile(*file)
		if err != nil {
			return fmt.Errorf("audit verify: %w", err)
		}
		if kept = audit.FindCheckpoints(string(b)); len(kept) == 0 {
			return fmt.Errorf("audit verify: no checkpoint in %s", *file)
		}
		if len(e.cfg.AuditKey) == 0 {
			return fmt.Errorf("audit verify: HAWKER_AUDIT_KEY is needed to check the checkpoints of %s", *file)
		}
	}
	return e.withDB(ctx, func(db *sqlx.DB) error { return verifyAudit(ctx, e, db, kept) })
}

// verifyAudit checks the chain, held to the latest of kept and of the
// database's own checkpoints when the audit key is at hand.
func verifyAudit(ctx context.Context, e *env, db *sqlx.DB, kept []audit.Checkpoint) error {
	var anchor *audit.Checkpoint
	if len(e.cfg.AuditKey) > 0 {
		inDB, ok, err := audit.LatestCheckpoint(ctx, db)
		if err != nil {
			return err
		}
		if ok {
			kept = append(kept, inDB)
		}
		// A checkpoint not signed with the key is a forgery, or another
		// installation's: either way the trail is not what it claims.
		var good []audit.Checkpoint
		for _, c := range kept {
			if err := c.Check(e.cfg.AuditKey); err != nil {
				return fmt.Errorf("audit verify: the checkpoint of %s (%d rows): %w", c.At.Format("2006-01-02 15:04:05Z07:00"), c.Rows, err)
			}
			good = append(good, c)
		}
		if c, ok := audit.Latest(good...); ok {
			anchor = &c
		}
	}
	r, err := audit.VerifyAgainst(ctx, db, anchor)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "audit trail: %d rows checked\n", r.Rows)
	switch {
	case anchor != nil:
		fmt.Fprintf(e.stdout, "audit trail: held to the signed checkpoint of %s (%d rows)\n", anchor.At.Format("2006-01-02 15:04:05Z07:00"), anchor.Rows)
	case len(e.cfg.AuditKey) == 0:
		fmt.Fprintln(e.stdout, "audit trail: no checkpoint checked (HAWKER_AUDIT_KEY is not set)")
	default:
		fmt.Fprintln(e.stdout, "audit trail: no checkpoint yet")
	}
	if len(r.Breaks) == 0 {
		fmt.Fprintln(e.stdout, "audit trail: the chain holds")
		return nil
	}
	names := make([]string, len(r.Breaks))
	for i, b := range r.Breaks {
		what := fmt.Sprintf("row %d %s", b.ID, b.Reason)
		if b.ID == 0 {
			what = b.Reason
		}
		fmt.Fprintf(e.stdout, "audit trail: %s\n", what)
		names[i] = what
	}
	return fmt.Errorf("audit verify: %d breaks in the chain: %s", len(r.Breaks), strings.Join(names, "; "))
}

func runAuditCheckpoint(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "audit checkpoint", "audit checkpoint\n\n"+
		"Signs a checkpoint of the audit trail with HAWKER_AUDIT_KEY, keeps it in the database and prints it:\n"+
		"keep the printed line outside the database (serve also logs one every 10 minutes).")
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(e.cfg.AuditKey) == 0 {
		return errors.New("audit checkpoint: HAWKER_AUDIT_KEY is not set")
	}
	return e.withDB(ctx, func(db *sqlx.DB) error {
		c, err := audit.WriteCheckpoint(ctx, db, e.cfg.AuditKey)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, c.String())
		return nil
	})
}
