package migrations_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"hawker/migrations"
	"hawker/pg"
	"hawker/pg/pgtest"
)

func TestApplyFreshThenNoop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	n, err := migrations.Apply(ctx, db, nil)
	if err != nil {
		t.Fatalf("first apply: %v", err)
	}
	if n != len(all) {
		t.Fatalf("first apply applied %d, want %d", n, len(all))
	}
	if v, _ := migrations.Current(ctx, db); v != migrations.Latest() {
		t.Fatalf("current = %d, want %d", v, migrations.Latest())
	}
	n, err = migrations.Apply(ctx, db, nil)
	if err != nil || n != 0 {
		t.Fatalf("second apply = %d, %v; want 0, nil", n, err)
	}
}

func TestConcurrentRunnersApplyEachFileOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewEmpty(t)
	const runners = 4
	var wg sync.WaitGroup
	applied := make([]int, runners)
	errs := make([]error, runners)
	for i := 0; i < runners; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Each runner is its own pool, as separate processes would be.
			db, err := pg.Open(ctx, url)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			applied[i], errs[i] = migrations.Apply(ctx, db, nil)
		}(i)
	}
	wg.Wait()
	total := 0
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("runner %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	all, _ := migrations.All()
	if total != len(all) {
		t.Fatalf("runners applied %d files in all, want exactly %d", total, len(all))
	}
	db, err := pg.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows int
	if err := db.GetContext(ctx, &rows, `SELECT count(*) FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	if rows != len(all) {
		t.Fatalf("schema_migrations holds %d rows, want %d", rows, len(all))
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'from_the_future.sql')`, migrations.Latest()+1); err != nil {
		t.Fatal(err)
	}
	_, err := migrations.Apply(ctx, db, nil)
	if !errors.Is(err, migrations.ErrSchemaTooNew) {
		t.Fatalf("apply on a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

// openEmpty connects to a new database with nothing in it, closed when t ends.
func openEmpty(t *testing.T) *sqlx.DB {
	t.Helper()
	db, err := pg.Open(context.Background(), pgtest.NewEmpty(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestBrokenMigrationLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	ms := []migrations.Migration{
		{Version: 1, Name: "0001_ok.sql", SQL: `CREATE TABLE ok (id int)`},
		{Version: 2, Name: "0002_broken.sql", SQL: `CREATE TABLE half_done (id int); SELECT no_such_function();`},
	}
	n, err := migrations.ApplySet(ctx, db, nil, ms)
	if err == nil || n != 1 {
		t.Fatalf("apply = %d, %v; want 1 applied and an error", n, err)
	}
	var half bool
	if err := db.GetContext(ctx, &half, `SELECT to_regclass('half_done') IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if half {
		t.Fatal("the broken migration left its table behind")
	}
	if v, _ := migrations.Current(ctx, db); v != 1 {
		t.Fatalf("current = %d, want 1 (the broken file not recorded)", v)
	}
	// Fixed, the file applies on the next run.
	ms[1].SQL = `CREATE TABLE half_done (id int)`
	if n, err := migrations.ApplySet(ctx, db, nil, ms); err != nil || n != 1 {
		t.Fatalf("re-run = %d, %v; want 1, nil", n, err)
	}
}
