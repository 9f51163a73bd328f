package migrations_test

import (
	"context"
	"testing"

	"hawker/migrations"
	"hawker/pg"
	"hawker/pg/pgtest"
)

func TestBrokenMigrationLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := pg.Open(ctx, pgtest.NewEmpty(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
