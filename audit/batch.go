package audit

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Batch holds the events of a bulk load until Flush appends them to the
// trail, chained in the order they were recorded, under one lock and in one
// COPY: what the scale seed does with the tens of thousands of store calls
// that set up its participants, where taking the chain's lock once an event
// made every loader wait on every other. It is for loads into a database
// that is thrown away when the load fails: the changes commit as they go,
// their events only at Flush, so a load that stops half-way leaves changes
// without their events. Keep one Batch per loader and flush it often, so
// that memory stays flat.
type Batch struct {
	mu     sync.Mutex
	events []Event
}

type batchKey struct{}

// WithBatch returns ctx under which Record, RecordDetails and RecordMany
// hold their events in b instead of writing them, and Did sees them too.
func WithBatch(ctx context.Context, b *Batch) context.Context {
	return context.WithValue(ctx, batchKey{}, b)
}

func batchOf(ctx context.Context) *Batch {
	b, _ := ctx.Value(batchKey{}).(*Batch)
	return b
}

// Len is how many events wait for Flush.
func (b *Batch) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.events)
}

func (b *Batch) add(es ...Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, es...)
}

// did reports whether an event held in b matches.
func (b *Batch) did(user int64, action, object string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.ContainsFunc(b.events, func(e Event) bool {
		return e.ActorID != nil && *e.ActorID == user && e.Action == action && e.Object == object
	})
}

// Flush appends the held events to the trail in one transaction and
// empties b; it returns how many it wrote.
func (b *Batch) Flush(ctx context.Context, db *sqlx.DB) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.events) == 0 {
		return 0, nil
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("audit: flush: %w", err)
	}
	defer tx.Rollback()
	if err := appendEvents(ctx, tx, b.events); err != nil {
		return 0, fmt.Errorf("audit: flush: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("audit: flush: %w", err)
	}
	n := len(b.events)
	b.events = nil
	return n, nil
}

// appendEvents chains es, in order, to the last row of the trail and
// writes them by COPY inside tx, under the chain's lock.
func appendEvents(ctx context.Context, tx *sqlx.Tx, es []Event) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, chainLock); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	var prev string
	if err := tx.GetContext(ctx, &prev, `SELECT COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), $1)`, genesis); err != nil {
		return fmt.Errorf("previous hash: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("audit_log", "at", "actor_id", "actor_role", "action", "object", "summary", "details", "ip", "prev_hash", "hash"))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range es {
		e.PrevHash = prev
		e.Hash = e.computeHash()
		details, err := e.Details.Value()
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx, e.At, e.ActorID, e.ActorRole, e.Action, e.Object, e.Summary, details, e.IP, e.PrevHash, e.Hash); err != nil {
			return fmt.Errorf("%s: %w", e.Action, err)
		}
		prev = e.Hash
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return err
	}
	return nil
}

// newEvent is an event of a at now, not yet chained.
func newEvent(a Actor, action, object, summary string, details Details) Event {
	return Event{At: time.Now().UTC().Truncate(time.Microsecond), ActorID: a.User(), ActorRole: a.Role, Action: action,
		Object: object, Summary: summary, Details: details, IP: a.IP}
}
