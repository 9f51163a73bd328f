// Package migrations holds Hawker's schema as numbered SQL files, embedded in
// the binary and applied forward-only, each in its own transaction, under a
// PostgreSQL advisory lock so that processes starting together apply each
// file exactly once.
//
// Each table belongs to one package, named in ownership_test.go, and only
// that package's code names it; migrations are the one place every table is
// written about. It imports pg.
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

//go:embed *.sql
var files embed.FS

// lockKey is the advisory lock that serialises migration runners ("hawk").
const lockKey = 0x6861776b

// ErrSchemaTooNew means the database was migrated by a newer Hawker.
var ErrSchemaTooNew = errors.New("migrations: the database schema is newer than this binary knows")

// Migration is one numbered SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// All returns the embedded migrations in order.
func All() ([]Migration, error) {
	entries, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, name := range entries {
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migrations: %s: name must start with a number and _", name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations: %s and %s share version %d", other, name, v)
		}
		seen[v] = name
		body, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Latest is the highest version this binary knows.
func Latest() int {
	ms, err := All()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// Current is the highest version applied to the database (0 for none).
func Current(ctx context.Context, db sqlx.QueryerContext) (int, error) {
	var v int
	err := sqlx.GetContext(ctx, db, &v, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`)
	if err != nil {
		if strings.Contains(err.Error(), `relation "schema_migrations" does not exist`) {
			return 0, nil
		}
		return 0, fmt.Errorf("migrations: read version: %w", err)
	}
	return v, nil
}

// Apply brings the database up to Latest and returns how many files it applied.
func Apply(ctx context.Context, db *sqlx.DB, log *slog.Logger) (int, error) {
	ms, err := All()
	if err != nil {
		return 0, err
	}
	return ApplySet(ctx, db, log, ms)
}

// ApplySet applies ms (sorted by version) as Apply does; Apply passes the embedded files.
func ApplySet(ctx context.Context, db *sqlx.DB, log *slog.Logger, ms []Migration) (int, error) {
	// One connection holds the session-level advisory lock for the whole run.
	conn, err := db.Connx(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrations: connect: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return 0, fmt.Errorf("migrations: lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, lockKey)

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, fmt.Errorf("migrations: create table: %w", err)
	}
	current, err := Current(ctx, conn)
	if err != nil {
		return 0, err
	}
	if len(ms) > 0 && current > ms[len(ms)-1].Version {
		return 0, fmt.Errorf("%w (database at %d, binary at %d)", ErrSchemaTooNew, current, ms[len(ms)-1].Version)
	}
	applied := 0
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		if err := applyOne(ctx, conn, m); err != nil {
			return applied, err
		}
		applied++
		if log != nil {
			log.Info("migration applied", "version", m.Version, "name", m.Name)
		}
	}
	if err := grantApp(ctx, conn); err != nil {
		return applied, err
	}
	return applied, nil
}

func applyOne(ctx context.Context, conn *sqlx.Conn, m Migration) error {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrations: begin %s: %w", m.Name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migrations: apply %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
		return fmt.Errorf("migrations: record %s: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrations: commit %s: %w", m.Name, err)
	}
	return nil
}
