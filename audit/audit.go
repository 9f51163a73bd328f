// Package audit keeps Hawker's audit trail: who did what to which object,
// when and from where, written in the same transaction as the change, and
// chained by SHA-256 so that `hawker audit verify` detects a broken chain.
//
// It owns audit_log and audit_checkpoints; other packages write through
// Record in their own transaction and read through List and Did. It imports no other Hawker
// package.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Actor is who acts: a signed-in user with a role, from an address.
// The zero Actor is the system itself (seeding, command-line tools).
type Actor struct {
	UserID int64
	Role   string
	IP     string
}

// User is the actor's user id for a "by" column: nil for the system.
func (a Actor) User() *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

// System is the actor of command-line tools.
var System = Actor{Role: "system"}

// Event is one row of the trail.
type Event struct {
	ID        int64     `db:"id"`
	At        time.Time `db:"at"`
	ActorID   *int64    `db:"actor_id"`
	ActorRole string    `db:"actor_role"`
	Action    string    `db:"action"`
	Object    string    `db:"object"`
	Summary   string    `db:"summary"`
	Details   Details   `db:"details"`
	IP        string    `db:"ip"`
	PrevHash  string    `db:"prev_hash"`
	Hash      string    `db:"hash"`
}

// Details are an event's facts as named values, kept beside its summary so
// that a page can tell what happened in its reader's language (the summary
// is English, for the administrators' trail). Values are plain text: an
// amount as money writes it for JSON ("5000.00"), a date as YYYY-MM-DD.
type Details map[string]string

// Value stores the details as a JSON object.
func (d Details) Value() (driver.Value, error) {
	if len(d) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]string(d))
	return string(b), err
}

// Scan reads the JSON object back; an empty one is nil.
func (d *Details) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*d = nil
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("audit: details from %T", src)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("audit: details: %w", err)
	}
	if len(m) == 0 {
		m = nil
	}
	*d = m
	return nil
}

// chainLock serialises appends so each row chains to the one before. Append
// late in a transaction: the lock is held until it commits.
const chainLock = 0x61756474 // "audt"

// genesis is the previous hash of the first row.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Record appends one event inside tx. action is a dotted verb such as
// "participant.enrol"; object names the thing ("participant:HSF-2026-0042");
// summary says what changed, never a password or other secret.
func Record(ctx context.Context, tx *sqlx.Tx, a Actor, action, object, summary string) error {
	return RecordDetails(ctx, tx, a, action, object, summary, nil)
}

// RecordDetails is Record with the event's facts as details, for a page
// that tells the event in its reader's language from action and details.
func RecordDetails(ctx context.Context, tx *sqlx.Tx, a Actor, action, object, summary string, details Details) error {
	e := newEvent(a, action, object, summary, details)
	if b := batchOf(ctx); b != nil {
		b.add(e)
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, chainLock); err != nil {
		return fmt.Errorf("audit: lock: %w", err)
	}
	var prev string
	err := tx.GetContext(ctx, &prev, `SELECT COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), $1)`, genesis)
	if err != nil {
		return fmt.Errorf("audit: previous hash: %w", err)
	}
	e.PrevHash = prev
	e.Hash = e.computeHash()
	_, err = tx.NamedExecContext(ctx, `
		INSERT INTO audit_log (at, actor_id, actor_role, action, object, summary, details, ip, prev_hash, hash)
		VALUES (:at, :actor_id, :actor_role, :action, :object, :summary, :details, :ip, :prev_hash, :hash)`, e)
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", action, err)
	}
	return nil
}

// RecordMany appends one event per object inside tx, all of one action by
// a, summaries[i] for objects[i]: what a bulk operation (the month-end close
// of thousands of books) records, chained like Record's in one lock and one
// COPY instead of three statements an event.
func RecordMany(ctx context.Context, tx *sqlx.Tx, a Actor, action string, objects, summaries []string) error {
	return RecordManyDetails(ctx, tx, a, action, objects, summaries, nil)
}

// RecordManyDetails is RecordMany with details shared by every event (the
// month a bulk close closed).
func RecordManyDetails(ctx context.Context, tx *sqlx.Tx, a Actor, action string, objects, summaries []string, details Details) error {
	if len(objects) != len(summaries) {
		return fmt.Errorf("audit: record %s: %d objects, %d summaries", action, len(objects), len(summaries))
	}
	if len(objects) == 0 {
		return nil
	}
	es := make([]Event, len(objects))
	for i, obj := range objects {
		es[i] = newEvent(a, action, obj, summaries[i], details)
		es[i].At = es[0].At
	}
	if b := batchOf(ctx); b != nil {
		b.add(es...)
		return nil
	}
	if err := appendEvents(ctx, tx, es); err != nil {
		return fmt.Errorf("audit: record %s: %w", action, err)
	}
	return nil
}

// computeHash is SHA-256 over the previous hash and every field, each
// length-prefixed so that no two different rows encode alike. Details, when
// there are any, come last as their JSON (keys sorted): rows written before
// details existed hash as they always did.
func (e Event) computeHash() string {
	actor := ""
	if e.ActorID != nil {
		actor = strconv.FormatInt(*e.ActorID, 10)
	}
	h := sha256.New()
	fields := []string{e.PrevHash, e.At.UTC().Format(time.RFC3339Nano), actor, e.ActorRole, e.Action, e.Object, e.Summary, e.IP}
	if len(e.Details) > 0 {
		d, _ := json.Marshal(map[string]string(e.Details)) // a map of strings always encodes
		fields = append(fields, string(d))
	}
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Break is one place where the chain does not hold.
type Break struct {
	ID     int64
	Reason string
}

// Report is what Verify found.
type Report struct {
	Rows   int
	Breaks []Break
}

// Verify walks the whole trail in order and checks every link and hash.
func Verify(ctx context.Context, db *sqlx.DB) (Report, error) { return VerifyAgainst(ctx, db, nil) }

// VerifyAgainst is Verify that also holds the chain to a checkpoint: the
// trail must be at least as long, and its row at the checkpoint's length
// must be the one the checkpoint names, with the same hash. A chain edited
// and re-hashed, or cut short, passes Verify but not this. The caller has
// checked the checkpoint's signature.
func VerifyAgainst(ctx context.Context, db *sqlx.DB, cp *Checkpoint) (Report, error) {
	var r Report
	rows, err := db.QueryxContext(ctx, `SELECT * FROM audit_log ORDER BY id`)
	if err != nil {
		return r, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	prev := genesis
	var atRow *Event
	for rows.Next() {
		var e Event
		if err := rows.StructScan(&e); err != nil {
			return r, fmt.Errorf("audit: verify: %w", err)
		}
		r.Rows++
		if e.PrevHash != prev {
			r.Breaks = append(r.Breaks, Break{e.ID, "does not link to the row before it (a row was removed or inserted)"})
		}
		if e.computeHash() != e.Hash {
			r.Breaks = append(r.Breaks, Break{e.ID, "its contents do not match its hash (the row was altered)"})
		}
		if cp != nil && int64(r.Rows) == cp.Rows {
			atRow = &e
		}
		prev = e.Hash
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("audit: verify: %w", err)
	}
	if cp != nil {
		r.Breaks = append(r.Breaks, anchorBreaks(*cp, int64(r.Rows), atRow)...)
	}
	return r, nil
}

// Filter narrows a listing of the trail; empty fields do not filter.
type Filter struct {
	ActorID int64
	Action  string // prefix, e.g. "participant."
	Object  string // prefix, e.g. "participant:HSF-2026-0042"
	From    time.Time
	To      time.Time // exclusive
	Before  int64     // id, for paging back
	Limit   int
}

// List returns events matching f, newest first.
func List(ctx context.Context, db *sqlx.DB, f Filter) ([]Event, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.ActorID != 0 {
		where = append(where, "actor_id = "+arg(f.ActorID))
	}
	if f.Action != "" {
		where = append(where, "starts_with(action, "+arg(f.Action)+")")
	}
	if f.Object != "" {
		where = append(where, "starts_with(object, "+arg(f.Object)+")")
	}
	if !f.From.IsZero() {
		where = append(where, "at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "at < "+arg(f.To))
	}
	if f.Before != 0 {
		where = append(where, "id < "+arg(f.Before))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := `SELECT * FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ` + arg(f.Limit)
	var es []Event
	if err := db.SelectContext(ctx, &es, q, args...); err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return es, nil
}

// Did reports whether the user recorded action on object (both exact),
// reading through q: a caller's transaction sees its own events, and one
// under WithBatch the batch's. Rules such as four eyes ask it who touched
// a record.
func Did(ctx context.Context, q sqlx.QueryerContext, user int64, action, object string) (bool, error) {
	if b := batchOf(ctx); b != nil && b.did(user, action, object) {
		return true, nil
	}
	var did bool
	err := sqlx.GetContext(ctx, q, &did, `SELECT EXISTS (SELECT 1 FROM audit_log
		WHERE object = $1 AND action = $2 AND actor_id = $3)`, object, action, user)
	if err != nil {
		return false, fmt.Errorf("audit: did %d %s %s: %w", user, action, object, err)
	}
	return did, nil
}
