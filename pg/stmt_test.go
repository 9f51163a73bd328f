package pg_test

import (
	"context"
	"testing"

	"hawker/pg"
	"hawker/pg/pgtest"
)

// TestStmtRetriesAFailedPreparation: a statement that could not be prepared
// (the database was down, or not yet migrated) is prepared again on next use
// rather than failing for the life of the process.
func TestStmtRetriesAFailedPreparation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	st := pg.NewStmt(db, `SELECT count(*) FROM later WHERE id > $1`)
	if _, err := st.Get(ctx); err == nil {
		t.Fatal("prepared a statement on a table that does not exist")
	}
	if _, err := db.Exec(`CREATE TABLE later (id int)`); err != nil {
		t.Fatal(err)
	}
	s, err := st.Get(ctx)
	if err != nil {
		t.Fatalf("second use: %v", err)
	}
	var n int
	if err := s.GetContext(ctx, &n, 0); err != nil || n != 0 {
		t.Fatalf("count = %d, %v", n, err)
	}
	if again, _ := st.Get(ctx); again != s {
		t.Fatal("the statement was prepared twice")
	}
}
