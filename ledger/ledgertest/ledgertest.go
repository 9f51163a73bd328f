// Package ledgertest lets the tests of other packages put the ledger in a
// state no code path can reach, to see that the ledger's checks notice,
// without naming the ledger's tables themselves.
package ledgertest

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
)

// CorruptBalance overwrites an account's stored balance behind the ledger's
// back (triggers off, on a connection of its own), as a faulty restore or a
// hand-edited row would.
func CorruptBalance(t testing.TB, db *sqlx.DB, account int64, balance string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `SET session_replication_role = DEFAULT`)
	if _, err := conn.ExecContext(ctx, `UPDATE ledger_balances SET balance = $2 WHERE account_id = $1`, account, balance); err != nil {
		t.Fatal(err)
	}
}
