package migrations

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/pg"
)

// AppRole is the PostgreSQL role `hawker serve` works as once it has
// migrated (pg.AppRole). It owns nothing, so it cannot ALTER or DROP a
// table, disable a trigger or TRUNCATE; it is not a superuser, so it cannot
// set session_replication_role and slip past the append-only triggers. What
// it may do, grantApp grants after every migration run.
const AppRole = pg.AppRole

// appendOnly are the tables whose rows, once written, stay: the app role
// may not DELETE from them (and their triggers refuse UPDATE and DELETE to
// everyone). It keeps UPDATE only because SELECT … FOR UPDATE, which locks
// a row before a reversal, needs it. A migration that adds such a table adds
// its name here.
var appendOnly = []string{
	"audit_log", "audit_checkpoints",
	"ledger_entries", "ledger_lines", "ledger_period_events",
	"vendor_entries", "vendor_voids", "vendor_openings",
}

// readOnly are tables the app role reads but never writes.
var readOnly = []string{"schema_migrations"}

// grantApp gives AppRole exactly its rights on every table and sequence
// there is now: it runs at the end of every Apply, in one transaction, so
// a table a later migration adds is covered without a grant of its own.
// The role is created (without a password: set one with SetAppPassword)
// when missing, which needs CREATEROLE.
func grantApp(ctx context.Context, conn *sqlx.Conn) error {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrations: grant: %w", err)
	}
	defer tx.Rollback()
	role := pq.QuoteIdentifier(AppRole)
	var exists bool
	if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, AppRole); err != nil {
		return fmt.Errorf("migrations: grant: %w", err)
	}
	if !exists {
		// Roles belong to the whole server: another database's migration
		// may create it at the same moment.
		_, err := tx.ExecContext(ctx, `DO $$ BEGIN
			CREATE ROLE `+role+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
		EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
		END $$`)
		if err != nil {
			return fmt.Errorf("migrations: create role %s (the owner in DATABASE_URL needs CREATEROLE, or create it yourself: CREATE ROLE %s LOGIN): %w", AppRole, AppRole, err)
		}
	}
	var db string
	if err := tx.GetContext(ctx, &db, `SELECT current_database()`); err != nil {
		return fmt.Errorf("migrations: grant: %w", err)
	}
	stmts := []string{
		`GRANT CONNECT, TEMPORARY ON DATABASE ` + pq.QuoteIdentifier(db) + ` TO ` + role,
		// Before PostgreSQL 15 everyone may create in public; no one but
		// the owner should.
		`REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
		`GRANT USAGE ON SCHEMA public TO ` + role,
		// Start from nothing, so that a right taken away here goes.
		`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ` + role,
		`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ` + role,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ` + role,
		`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ` + role,
	}
	// Tables of the lists that no migration has created yet are skipped.
	var present []string
	if err := tx.SelectContext(ctx, &present, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`); err != nil {
		return fmt.Errorf("migrations: grant: %w", err)
	}
	for _, t := range appendOnly {
		if slices.Contains(present, t) {
			stmts = append(stmts, `REVOKE DELETE ON TABLE `+pq.QuoteIdentifier(t)+` FROM `+role)
		}
	}
	for _, t := range readOnly {
		if slices.Contains(present, t) {
			stmts = append(stmts, `REVOKE INSERT, UPDATE, DELETE ON TABLE `+pq.QuoteIdentifier(t)+` FROM `+role)
		}
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("migrations: grant: %s: %w", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrations: grant: %w", err)
	}
	return nil
}

// SetAppPassword sets AppRole's password, for servers that ask for one
// over TCP; `hawker` derives it from the owner's (config.AppDatabaseURL).
func SetAppPassword(ctx context.Context, db *sqlx.DB, password string) error {
	// ALTER ROLE takes no parameters: quote the literal.
	_, err := db.ExecContext(ctx, `ALTER ROLE `+pq.QuoteIdentifier(AppRole)+` PASSWORD `+pq.QuoteLiteral(password))
	if err != nil {
		return fmt.Errorf("migrations: set the password of %s: %w", AppRole, err)
	}
	return nil
}
