package main

import "context"

// runLedger is filled in by the ledger work (issue 3).
func runLedger(ctx context.Context, e *env, args []string) error {
	return usageErr("ledger: not built yet")
}
