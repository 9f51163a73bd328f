package migrations_test

import (
	"context"
	"strings"
	"testing"

	"hawker/migrations"
	"hawker/pg"
	"hawker/pg/pgtest"
)

// TestAppRoleCannotRewriteHistory: the role serve works as owns nothing,
// may read and write every table the migrations made (a table added later
// included), and can neither switch the triggers off, nor truncate, alter,
// create, nor delete from an append-only table.
func TestAppRoleCannotRewriteHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	owner, url := pgtest.NewURL(t)
	// A table a later migration might add is covered by the next run.
	if _, err := migrations.ApplySet(ctx, owner, nil, append(mustAll(t), migrations.Migration{
		Version: 9000, Name: "9000_later.sql", SQL: `CREATE TABLE later_things (id bigserial PRIMARY KEY, name text)`}),
	); err != nil {
		t.Fatal(err)
	}
	app := pgtest.App(t, url)

	var owned int
	if err := app.GetContext(ctx, &owned, `SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)`, pg.AppRole); err != nil || owned != 0 {
		t.Fatalf("the app role owns %d relations (%v)", owned, err)
	}
	var tables []string
	if err := owner.SelectContext(ctx, &tables, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		var read, truncate bool
		if err := owner.QueryRowxContext(ctx, `SELECT has_table_privilege($1, $2, 'SELECT'), has_table_privilege($1, $2, 'TRUNCATE')`,
			pg.AppRole, table).Scan(&read, &truncate); err != nil {
			t.Fatal(err)
		}
		if !read || truncate {
			t.Errorf("%s: SELECT %v, TRUNCATE %v; want reading only without truncating", table, read, truncate)
		}
	}
	if _, err := app.ExecContext(ctx, `INSERT INTO later_things (name) VALUES ('x')`); err != nil {
		t.Errorf("the later table: %v", err)
	}
	for _, q := range []string{
		`SET session_replication_role = replica`,
		`TRUNCATE audit_log`,
		`TRUNCATE ledger_lines CASCADE`,
		`ALTER TABLE audit_log DISABLE TRIGGER ALL`,
		`DROP TRIGGER audit_log_no_update ON audit_log`,
		`DELETE FROM vendor_voids`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_checkpoints`,
		`UPDATE schema_migrations SET name = 'x'`,
		`CREATE TABLE mine (id int)`,
		`CREATE FUNCTION mine() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
	} {
		if _, err := app.ExecContext(ctx, q); err == nil {
			t.Errorf("the app role may: %s", q)
		} else if !strings.Contains(err.Error(), "permission denied") && !strings.Contains(err.Error(), "must be owner") {
			t.Errorf("%s: refused, but not for want of rights: %v", q, err)
		}
	}
}

func mustAll(t *testing.T) []migrations.Migration {
	t.Helper()
	ms, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	return ms
}
