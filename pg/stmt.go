package pg

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// Stmt is a statement prepared on first use and kept for the life of the
// pool: a prepared statement costs one round trip instead of two and is
// planned once per connection. A failed preparation (the database was down)
// is not kept; the next use tries again.
type Stmt struct {
	db    *sqlx.DB
	query string
	mu    sync.Mutex
	stmt  atomic.Pointer[sqlx.Stmt]
}

// NewStmt returns query, to be prepared on db when first used.
func NewStmt(db *sqlx.DB, query string) *Stmt { return &Stmt{db: db, query: query} }

// Get returns the prepared statement, preparing it if need be.
func (s *Stmt) Get(ctx context.Context) (*sqlx.Stmt, error) {
	if st := s.stmt.Load(); st != nil {
		return st, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.stmt.Load(); st != nil {
		return st, nil
	}
	// A request's cancellation must not close a statement others will share.
	st, err := s.db.PreparexContext(context.WithoutCancel(ctx), s.query)
	if err != nil {
		return nil, fmt.Errorf("pg: prepare: %w", err)
	}
	s.stmt.Store(st)
	return st, nil
}

// In returns the prepared statement to run on q: as it is on the pool, or
// bound to q when q is a transaction.
func (s *Stmt) In(ctx context.Context, q Q) (*sqlx.Stmt, error) {
	st, err := s.Get(ctx)
	if err != nil {
		return nil, err
	}
	if tx, ok := q.(*sqlx.Tx); ok {
		return tx.StmtxContext(ctx, st), nil
	}
	return st, nil
}
