// Package pg holds the few PostgreSQL helpers every store shares: opening the
// pool, the one transaction runner (InTx and Do, on the pool or inside a
// caller's transaction, with Q for stores that serve both), retries,
// prepared statements, and reading constraint violations.
package pg

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"syscall"
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

// readOnlyPools are the pools OpenReadOnly opened.
var readOnlyPools sync.Map

// OpenReadOnly is Open for a read-only server, a streaming replica
// (HAWKER_READ_URL): InTx begins its transactions READ ONLY, so that the
// stores' reads, written once for the primary, run on it unchanged.
func OpenReadOnly(ctx context.Context, databaseURL string) (*sqlx.DB, error) {
	db, err := Open(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	readOnlyPools.Store(db, true)
	return db, nil
}

// Q is where a store runs its statements: the pool (*sqlx.DB), or a
// transaction (*sqlx.Tx) a caller began so that the store's writes commit
// with its own. A store holds a Q and offers In(tx) for the second case, so
// each of its methods is written once and serves both.
type Q interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

var (
	_ Q = (*sqlx.DB)(nil)
	_ Q = (*sqlx.Tx)(nil)
)

// InTx runs fn in one transaction. On the pool it begins one, commits it
// when fn returns nil and rolls it back otherwise; serialization failures
// and deadlocks are retried a few times, so callers never see them, and fn
// must therefore be safe to run again. Inside a transaction (q is a
// *sqlx.Tx) fn simply runs in it: the caller commits, and the caller's own
// InTx retries the whole of its work. This is Hawker's one transaction
// runner.
func InTx(ctx context.Context, q Q, fn func(tx *sqlx.Tx) error) error {
	switch q := q.(type) {
	case *sqlx.Tx:
		return fn(q)
	case *sqlx.DB:
		return Retry(ctx, func() error { return inTxOnce(ctx, q, fn) })
	}
	return fmt.Errorf("pg: transaction on %T", q)
}

// Do is InTx for a function with a result: a store method written once as
// Do(ctx, s.q, ...) runs alone in a transaction of its own, or inside the
// caller's when the store was bound to it.
func Do[T any](ctx context.Context, q Q, fn func(tx *sqlx.Tx) (T, error)) (T, error) {
	var out T
	err := InTx(ctx, q, func(tx *sqlx.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// InCallerTx reports whether q is a transaction someone else began: a
// statement run on it is not its own transaction, and is not retried.
func InCallerTx(q Q) bool {
	_, ok := q.(*sqlx.Tx)
	return ok
}

// Retry runs fn, and again after a short pause while it fails with a
// serialization failure or deadlock, a few times at most. fn is one whole
// transaction (a BEGIN…COMMIT, or one statement in autocommit).
func Retry(ctx context.Context, fn func() error) error {
	const attempts = 8
	var err error
	for i := 0; i < attempts; i++ {
		err = fn()
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
	var opts *sql.TxOptions
	if _, ok := readOnlyPools.Load(db); ok {
		// lib/pq begins every other transaction READ WRITE, which a
		// standby refuses.
		opts = &sql.TxOptions{ReadOnly: true}
	}
	tx, err := db.BeginTxx(ctx, opts)
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

// Unavailable reports an error that says the database cannot be reached
// now, rather than that a statement was wrong: a refused or dropped
// connection, a server shutting down or starting up, a connection or
// statement timeout. The request may be tried again later (503).
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var e *pq.Error
	if errors.As(err, &e) {
		switch {
		case e.Code.Class() == "08": // connection exception
			return true
		case e.Code == "57P01", e.Code == "57P02", e.Code == "57P03": // admin or crash shutdown, cannot connect now
			return true
		case e.Code == "57014": // query_canceled: statement_timeout
			return true
		case e.Code == "53300": // too_many_connections
			return true
		}
		return false
	}
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, sql.ErrConnDone) || errors.As(err, &ne)
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

// WithParam is databaseURL with a run-time parameter of the server set for
// its connections (lib/pq passes unknown keys to the server): for example
// synchronous_commit=off for a bulk load. An unparsable URL is returned as it is.
func WithParam(databaseURL, key, value string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return databaseURL
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
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

// AppRole is the PostgreSQL role `hawker serve` works as once migrated: it
// owns nothing and holds only the rights the migrations grant it
// (migrations/grants.go). The owner in DATABASE_URL runs the migrations.
const AppRole = "hawker_app"

// AppURL is ownerURL with AppRole as its user. When the owner's URL carries
// a password, AppRole's is derived from it (HMAC-SHA256, so that it reveals
// nothing of the owner's) and returned for `hawker migrate` to set; with no
// password (trust or peer authentication) there is none.
func AppURL(ownerURL string) (appURL, password string, err error) {
	u, err := url.Parse(ownerURL)
	if err != nil {
		return "", "", fmt.Errorf("pg: parse url: %w", err)
	}
	if owner, ok := u.User.Password(); ok && owner != "" {
		m := hmac.New(sha256.New, []byte(owner))
		m.Write([]byte("hawker application role\x00" + AppRole))
		password = hex.EncodeToString(m.Sum(nil))
		u.User = url.UserPassword(AppRole, password)
	} else {
		u.User = url.User(AppRole)
	}
	return u.String(), password, nil
}
