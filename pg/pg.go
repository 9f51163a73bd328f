// Package pg holds the few PostgreSQL helpers every store shares: opening the
// pool, the one transaction runner, and reading constraint violations.
package pg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Open connects to PostgreSQL and checks that it answers.
func Open(ctx context.Context, databaseURL string) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("pg: open: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("pg: connect to %s: %w", Redact(databaseURL), err)
	}
	return db, nil
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled back
// otherwise. Serialization failures and deadlocks are retried a few times, so
// callers never see them; fn must therefore be safe to run again.
func InTx(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	const attempts = 8
	var err error
	for i := 0; i < attempts; i++ {
		err = inTxOnce(ctx, db, fn)
		if !Retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(i+1) * 3 * time.Millisecond):
		}
	}
	return err
}

func inTxOnce(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("pg: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("pg: commit: %w", err)
	}
	return nil
}

// Retryable reports a serialization failure or deadlock.
func Retryable(err error) bool {
	var e *pq.Error
	if errors.As(err, &e) {
		return e.Code == "40001" || e.Code == "40P01"
	}
	return false
}

// Constraint returns the name of the violated constraint, or "".
func Constraint(err error) string {
	var e *pq.Error
	if errors.As(err, &e) && e.Code.Class() == "23" {
		return e.Constraint
	}
	return ""
}

// IsUnique reports a unique violation of the named constraint.
func IsUnique(err error, constraint string) bool {
	var e *pq.Error
	return errors.As(err, &e) && e.Code == "23505" && e.Constraint == constraint
}

// NotFound turns sql.ErrNoRows into the caller's not-found error.
func NotFound(err, notFound error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound
	}
	return err
}

// Redact hides the password in a database URL for messages.
func Redact(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return u.String()
}

// WithDatabase returns databaseURL pointing at another database name.
func WithDatabase(databaseURL, name string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("pg: parse url: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// DatabaseName is the database a URL names.
func DatabaseName(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// CreateDatabase creates the database named in databaseURL when it is
// missing, connecting to the server's "postgres" database to do so.
func CreateDatabase(ctx context.Context, databaseURL string) (created bool, err error) {
	name := DatabaseName(databaseURL)
	adminURL, err := WithDatabase(databaseURL, "postgres")
	if err != nil {
		return false, err
	}
	admin, err := Open(ctx, adminURL)
	if err != nil {
		return false, err
	}
	defer admin.Close()
	var exists bool
	if err := admin.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		return false, fmt.Errorf("pg: look up database: %w", err)
	}
	if exists {
		return false, nil
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		var e *pq.Error
		if errors.As(err, &e) && e.Code == "42P04" { // created meanwhile by another process
			return false, nil
		}
		return false, fmt.Errorf("pg: create database %s: %w", name, err)
	}
	return true, nil
}
