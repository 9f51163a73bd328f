package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/ledger"
	"hawker/vendors"
)

const ledgerUsage = `Usage: hawker ledger verify|close

  hawker ledger verify               recompute every balance, running balance and period
                                     snapshot from the lines; exit 1 on any mismatch
  hawker ledger close --month YYYY-MM  close that month in every book
`

func runLedger(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErr("ledger: expected: hawker ledger verify|close (see hawker ledger --help)")
	}
	switch args[0] {
	case "verify":
		return runLedgerVerify(ctx, e, args[1:])
	case "close":
		return runLedgerClose(ctx, e, args[1:])
	case "-h", "--help", "-help", "help":
		fmt.Fprint(e.stdout, ledgerUsage)
		return nil
	}
	return usageErr("ledger: unknown subcommand %q (see hawker ledger --help)", args[0])
}

func runLedgerVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ledger verify", "ledger verify\n\nRecomputes every balance, running balance and closed month's snapshot from the\nledger lines and checks that every entry sums to zero. Exit status 1 on any mismatch.")
	if err := parse(fs, args); err != nil {
		return err
	}
	return e.withDB(ctx, func(db *sqlx.DB) error {
		r, err := ledger.NewStore(db).Verify(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "ledger verify: %s\n", r.Summary())
		for _, m := range r.Mismatches {
			fmt.Fprintf(e.stdout, "  mismatch: %s\n", m)
		}
		// The vendors' rows must say what their ledger entries say.
		n, vm, err := vendors.NewStore(db).Verify(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "ledger verify: %d vendor entries checked against their ledger entries; %d mismatches\n", n, len(vm))
		for _, m := range vm {
			fmt.Fprintf(e.stdout, "  mismatch: %s\n", m)
		}
		if err := r.Err(); err != nil {
			return err
		}
		if len(vm) > 0 {
			return fmt.Errorf("ledger verify: %d vendor entries disagree with the ledger (first: %s)", len(vm), vm[0])
		}
		return nil
	})
}

func runLedgerClose(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ledger close", "ledger close --month YYYY-MM\n\nCloses the month in every book: snapshots each account's opening, debits,\ncredits and closing; later postings dated in the month or before are refused.")
	month := fs.String("month", "", "the month to close, YYYY-MM")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *month == "" {
		return usageErr("ledger close: --month YYYY-MM is required")
	}
	m, err := ledger.ParseMonth(*month)
	if err != nil {
		return usageErr("ledger close: --month %q is not YYYY-MM", *month)
	}
	return e.withDB(ctx, func(db *sqlx.DB) error {
		n, err := ledger.NewStore(db).CloseMonth(ctx, audit.System, m, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "ledger close: %s closed in %d books\n", m.Format("2006-01"), n)
		return nil
	})
}
