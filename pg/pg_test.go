package pg_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/pg"
	"hawker/pg/pgtest"
)

// TestInTxAloneOrInside: on the pool InTx is a transaction of its own,
// committed on success and rolled back on error; on a caller's transaction
// it runs inside it, so the caller's rollback undoes it too. Do is the same
// with a result, and answers the zero value with an error.
func TestInTxAloneOrInside(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := db.Exec(`CREATE TABLE things (n int)`); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM things`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := func(q pg.Q) (int, error) {
		return pg.Do(ctx, q, func(tx *sqlx.Tx) (int, error) {
			_, err := tx.ExecContext(ctx, `INSERT INTO things VALUES (1)`)
			return 1, err
		})
	}
	if n, err := insert(db); err != nil || n != 1 || count() != 1 {
		t.Fatalf("alone: %d, %v, %d rows", n, err, count())
	}
	errBoom := errors.New("boom")
	if err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO things VALUES (2)`); err != nil {
			return err
		}
		return errBoom
	}); !errors.Is(err, errBoom) || count() != 1 {
		t.Fatalf("failed alone: %v, %d rows", err, count())
	}
	err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
		if pg.InCallerTx(db) || !pg.InCallerTx(tx) {
			t.Error("InCallerTx mistakes the pool and a transaction")
		}
		if _, err := insert(tx); err != nil {
			return err
		}
		var inside int
		if err := tx.Get(&inside, `SELECT count(*) FROM things`); err != nil || inside != 2 {
			t.Errorf("inside the caller's transaction: %d rows, %v", inside, err)
		}
		if count() != 1 {
			t.Error("the inner call committed on its own")
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) || count() != 1 {
		t.Fatalf("inside a rolled-back transaction: %v, %d rows", err, count())
	}
	n, err := pg.Do(ctx, db, func(tx *sqlx.Tx) (int, error) { return 7, errBoom })
	if n != 0 || !errors.Is(err, errBoom) {
		t.Fatalf("Do on error = %d, %v; want 0 and the error", n, err)
	}
}

// TestRetry: serialization failures and deadlocks are run again, anything
// else is answered at once.
func TestRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	calls := 0
	err := pg.Retry(ctx, func() error {
		calls++
		switch calls {
		case 1:
			return &pq.Error{Code: "40001"}
		case 2:
			return &pq.Error{Code: "40P01"}
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("Retry = %v after %d calls; want nil after 3", err, calls)
	}
	calls = 0
	errOther := &pq.Error{Code: "23505"}
	if err := pg.Retry(ctx, func() error { calls++; return errOther }); err != errOther || calls != 1 {
		t.Fatalf("Retry of a unique violation = %v after %d calls", err, calls)
	}
}
