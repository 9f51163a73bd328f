package vendors

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/audit"
	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/pg"
	"hawker/valid"
)

// Store reads and writes vendors' books. Keep one per process: it holds the
// ledger store (whose posting statements are prepared once) and a cache of
// participant → book, which never changes once made. In binds it to a
// caller's transaction.
type Store struct {
	db     pg.Q // the pool, or the caller's transaction (In)
	ledger *ledger.Store
	books  *sync.Map // participant id → book id

	// The recording path's own statements, prepared on first use: lib/pq
	// spends a round trip preparing every unprepared statement that has
	// parameters.
	preStmt, insertStmt *pg.Stmt
	one                 *ledger.Fused // see recordOne
}

// preSQL reads, in one round trip, the ceiling setting, an earlier request
// under the key, and from her book the participant's code and whether her
// file was erased (code is NULL while she has no book yet).
const preSQL = `
	SELECT (SELECT line_ceiling FROM vendor_settings) AS ceiling,
	       ve.id AS prior_id, ve.request_hash AS prior_hash,
	       vb.code, COALESCE(vb.erased_at IS NOT NULL, false) AS erased
	FROM (SELECT 1) one
	LEFT JOIN vendor_entries ve ON ve.idempotency_key = $1
	LEFT JOIN vendor_books vb ON vb.participant_id = $2`

const insertSQL = `
	INSERT INTO vendor_entries (entry_id, participant_id, business_date, kind, amount, category, method,
	                            note, on_behalf, recorded_by, idempotency_key, request_hash, booked_on)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
	RETURNING id, recorded_at`

// NewStore returns a Store on db.
func NewStore(db *sqlx.DB) *Store {
	l := ledger.NewStore(db)
	return &Store{db: db, ledger: l, books: &sync.Map{},
		preStmt: pg.NewStmt(db, preSQL), insertStmt: pg.NewStmt(db, insertSQL), one: l.Fuse(oneCheck, oneWrite, oneArgs)}
}

// In returns the store bound to the caller's transaction tx: its writes
// (and the ledger entries under them) commit or roll back with tx.
func (s *Store) In(tx *sqlx.Tx) *Store {
	c := *s
	c.db, c.ledger = tx, s.ledger.In(tx)
	return &c
}

// Ledger is the ledger the books live in.
func (s *Store) Ledger() *ledger.Store { return s.ledger }

// Recorded is an entry as stored, with its void if any.
type Recorded struct {
	ID            int64        `db:"id" json:"id"`
	EntryID       int64        `db:"entry_id" json:"entry_id"`
	ParticipantID int64        `db:"participant_id" json:"-"`
	Participant   string       `db:"code" json:"participant"`
	Date          time.Time    `db:"business_date" json:"-"`
	Kind          Kind         `db:"kind" json:"kind"`
	Amount        money.Amount `db:"amount" json:"-"`
	Category      *Category    `db:"category" json:"category,omitempty"`
	Method        *Method      `db:"method" json:"method,omitempty"`
	Note          string       `db:"note" json:"note"`
	OnBehalf      bool         `db:"on_behalf" json:"on_behalf"`
	RecordedBy    *int64       `db:"recorded_by" json:"recorded_by,omitempty"`
	RecordedAt    time.Time    `db:"recorded_at" json:"recorded_at"`
	Key           string       `db:"idempotency_key" json:"idempotency_key"`
	RequestHash   []byte       `db:"request_hash" json:"-"`
	BookedOn      *time.Time   `db:"booked_on" json:"-"` // booked late: the ledger entry's day (see Entry.BookedOn)
	VoidedAt      *time.Time   `db:"voided_at" json:"voided_at,omitempty"`
	VoidReason    *string      `db:"void_reason" json:"void_reason,omitempty"`
	ReversalID    *int64       `db:"reversal_entry_id" json:"reversal_entry_id,omitempty"`
	// Replayed is true when an idempotent retry returned this earlier entry.
	Replayed bool `db:"-" json:"-"`
}

// Late reports whether the entry was booked late, in a month after the
// one it happened in, because that month had closed.
func (r Recorded) Late() bool { return r.BookedOn != nil }

// LedgerDate is the day its ledger entry is dated: the day it happened, or
// for a late entry the day it was booked.
func (r Recorded) LedgerDate() time.Time {
	if r.BookedOn != nil {
		return *r.BookedOn
	}
	return r.Date
}

// Voided reports whether the entry was voided.
func (r Recorded) Voided() bool { return r.VoidedAt != nil }

// What is the entry's method or category, whichever it has.
func (r Recorded) What() string {
	switch {
	case r.Method != nil:
		return string(*r.Method)
	case r.Category != nil:
		return string(*r.Category)
	}
	return ""
}

const recordedColumns = `
	ve.id, ve.entry_id, ve.participant_id, vb.code, ve.business_date, ve.kind, ve.amount, ve.category,
	ve.method, ve.note, ve.on_behalf, ve.recorded_by, ve.recorded_at, ve.idempotency_key, ve.request_hash, ve.booked_on,
	vv.voided_at, vv.reason AS void_reason, vv.reversal_entry_id`

const recordedFrom = `
	FROM vendor_entries ve
	JOIN vendor_books vb ON vb.participant_id = ve.participant_id
	LEFT JOIN vendor_voids vv ON vv.vendor_entry_id = ve.id`

// Entry reads a vendor entry by its id.
func (s *Store) Entry(ctx context.Context, id int64) (Recorded, error) {
	var r Recorded
	err := s.db.GetContext(ctx, &r, `SELECT `+recordedColumns+recordedFrom+` WHERE ve.id = $1`, id)
	if err != nil {
		return Recorded{}, fmt.Errorf("vendors: entry %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return r, nil
}

// Recent lists a participant's latest n entries, newest first (by business
// date, then by when they were recorded), voided ones included and marked.
func (s *Store) Recent(ctx context.Context, participantID int64, n int) ([]Recorded, error) {
	rs := []Recorded{}
	err := s.db.SelectContext(ctx, &rs, `SELECT `+recordedColumns+recordedFrom+`
		WHERE ve.participant_id = $1 ORDER BY ve.business_date DESC, ve.id DESC LIMIT $2`, participantID, n)
	if err != nil {
		return nil, fmt.Errorf("vendors: recent entries of %d: %w", participantID, err)
	}
	return rs, nil
}

// All lists every entry of a participant, oldest first, voided ones
// included and marked: her books as a whole, for the personal-data export.
func (s *Store) All(ctx context.Context, participantID int64) ([]Recorded, error) {
	rs := []Recorded{}
	err := s.db.SelectContext(ctx, &rs, `SELECT `+recordedColumns+recordedFrom+`
		WHERE ve.participant_id = $1 ORDER BY ve.business_date, ve.id`, participantID)
	if err != nil {
		return nil, fmt.Errorf("vendors: entries of %d: %w", participantID, err)
	}
	return rs, nil
}

// Ceiling is the largest amount a line may carry (a setting).
func (s *Store) Ceiling(ctx context.Context) (money.Amount, error) {
	var d money.Amount
	if err := s.db.GetContext(ctx, &d, `SELECT line_ceiling FROM vendor_settings`); err != nil {
		return money.Amount{}, fmt.Errorf("vendors: ceiling: %w", err)
	}
	return d, nil
}

// SetCeiling changes the largest amount a line may carry: more than zero,
// at most MaxCeiling (ParseCeiling reads it from a form).
func (s *Store) SetCeiling(ctx context.Context, a audit.Actor, d money.Amount) error {
	if !d.IsPositive() {
		return fmt.Errorf("vendors: ceiling %s: %w", d, ledger.ErrInvalidAmount)
	}
	if d.GreaterThan(MaxCeiling) {
		return valid.Errors{"ceiling": "settings.ceiling_too_large"}
	}
	return pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE vendor_settings SET line_ceiling = $1, updated_at = now(), updated_by = $2`, d, a.User()); err != nil {
			return fmt.Errorf("vendors: set ceiling: %w", err)
		}
		return audit.RecordDetails(ctx, tx, a, "vendor.settings.ceiling", "settings:vendors", "line ceiling "+d.String(),
			audit.Details{"amount": d.String()})
	})
}

// bookTx returns the participant's book, creating it with its chart of
// accounts on first use. Two first entries racing for one participant queue
// on an advisory lock, so the book is made once.
func (s *Store) bookTx(ctx context.Context, tx *sqlx.Tx, participantID int64, code string) (int64, error) {
	if id, ok := s.books.Load(participantID); ok {
		return id.(int64), nil
	}
	var book int64
	err := tx.GetContext(ctx, &book, `SELECT book_id FROM vendor_books WHERE participant_id = $1`, participantID)
	if errors.Is(err, sql.ErrNoRows) {
		// Not cached: this transaction may still roll back.
		book, err = s.createBookTx(ctx, tx, participantID, code)
		if err != nil {
			return 0, fmt.Errorf("vendors: book of %s: %w", code, err)
		}
		return book, nil
	}
	if err != nil {
		return 0, fmt.Errorf("vendors: book of %s: %w", code, err)
	}
	if !pg.InCallerTx(s.db) {
		// Found in a transaction of the store's own before it wrote
		// anything: committed by an earlier one. (In a caller's transaction
		// it may have been made earlier in it, and may still roll back.)
		s.books.Store(participantID, book)
	}
	return book, nil
}

// bookLock is the advisory lock class under which a participant's book is made.
const bookLock = 0x76626b // "vbk"

func (s *Store) createBookTx(ctx context.Context, tx *sqlx.Tx, participantID int64, code string) (int64, error) {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2::int)`, bookLock, int32(participantID)); err != nil {
		return 0, err
	}
	var book int64
	err := tx.GetContext(ctx, &book, `SELECT book_id FROM vendor_books WHERE participant_id = $1`, participantID)
	if err == nil {
		return book, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	l := s.ledger.In(tx)
	b, err := l.CreateBook(ctx, ledger.Vendor, code, "Vendor book "+code)
	if err != nil {
		return 0, err
	}
	for _, a := range chart {
		if _, err := l.EnsureAccount(ctx, ledger.Account{BookID: b.ID, Code: a.code, Type: a.typ, NameTH: a.th, NameEN: a.en}); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO vendor_books (participant_id, book_id, code) VALUES ($1, $2, $3)`, participantID, b.ID, code); err != nil {
		return 0, err
	}
	return b.ID, nil
}

// Book returns the participant's ledger book id, or ErrNotFound when she
// has recorded nothing yet.
func (s *Store) Book(ctx context.Context, participantID int64) (int64, error) {
	if id, ok := s.books.Load(participantID); ok {
		return id.(int64), nil
	}
	var book int64
	err := s.db.GetContext(ctx, &book, `SELECT book_id FROM vendor_books WHERE participant_id = $1`, participantID)
	if err != nil {
		return 0, fmt.Errorf("vendors: book of %d: %w", participantID, pg.NotFound(err, ErrNotFound))
	}
	if !pg.InCallerTx(s.db) { // a caller's transaction may still roll back
		s.books.Store(participantID, book)
	}
	return book, nil
}

// EnsureBook returns the participant's ledger book id, making the book and
// its chart of accounts when she has none yet: for those who post to her
// book besides her own entries (a grant's disbursement), through the ledger,
// in their own transaction with In.
func (s *Store) EnsureBook(ctx context.Context, participantID int64, code string) (int64, error) {
	return pg.Do(ctx, s.db, func(tx *sqlx.Tx) (int64, error) { return s.bookTx(ctx, tx, participantID, code) })
}

// Request is one entry to record: the participant it belongs to, what the
// client sent, who sends it and under which idempotency key.
type Request struct {
	ParticipantID int64
	Code          string // read from the database when empty
	Input         Input
	RecordedBy    int64
	OnBehalf      bool
	Key           string
	Today         time.Time // the Bangkok business day now
}

// Record checks and writes one entry: a ledger entry in the participant's
// book and its vendor_entries row. A replay of an earlier request under the
// same key returns the earlier entry with Replayed set; the key with another
// request is ErrIdempotencyConflict; an invalid request is valid.Errors. The
// vendor's own entries are not copied to the audit trail: the ledger is their
// record (who, when, append-only), and the trail's chain lock would make every
// stall in the programme wait on one another. Entries an officer makes on a
// vendor's behalf are audited.
//
// Alone, the common case (a vendor's own valid entry under a new key, in a
// book already made) is one statement in autocommit (see recordOne);
// everything else, and anything that statement declines, runs in a
// transaction, the caller's when the store is bound to one.
func (s *Store) Record(ctx context.Context, a audit.Actor, r Request) (Recorded, error) {
	if !pg.InCallerTx(s.db) {
		if out, ok := s.recordOne(ctx, r); ok {
			return out, nil
		}
	}
	return pg.Do(ctx, s.db, func(tx *sqlx.Tx) (Recorded, error) { return s.record(ctx, tx, a, r) })
}

// errKeyRace is two requests with one key for different participants
// committing at once: the loser's transaction runs again (pg.InTx retries
// serialization failures) and then answers as a replay or a conflict.
var errKeyRace = &pq.Error{Code: "40001", Message: "vendors: idempotency key taken concurrently"}

// record is Record in transaction tx: the store's own, or the caller's
// when the store is bound to it.
func (s *Store) record(ctx context.Context, tx *sqlx.Tx, a audit.Actor, r Request) (Recorded, error) {
	if r.Key == "" {
		return Recorded{}, fmt.Errorf("vendors: record: %w", ErrNoKey)
	}
	hash := requestHash(r.ParticipantID, r.Input)
	var pre struct {
		Ceiling   money.Amount `db:"ceiling"`
		PriorID   *int64       `db:"prior_id"`
		PriorHash []byte       `db:"prior_hash"`
		Erased    bool         `db:"erased"`
		Code      *string      `db:"code"`
	}
	preStmt, err := s.preStmt.Get(ctx)
	if err != nil {
		return Recorded{}, fmt.Errorf("vendors: record: %w", err)
	}
	err = tx.StmtxContext(ctx, preStmt).GetContext(ctx, &pre, r.Key, r.ParticipantID)
	if err != nil {
		return Recorded{}, fmt.Errorf("vendors: record: %w", err)
	}
	if pre.Code == nil {
		// No book yet: her file says who she is, and whether it was erased.
		p, err := participants.Get(ctx, tx, r.ParticipantID)
		if errors.Is(err, participants.ErrNotFound) {
			return Recorded{}, fmt.Errorf("vendors: record for participant %d: %w", r.ParticipantID, ErrNotFound)
		} else if err != nil {
			return Recorded{}, fmt.Errorf("vendors: record: %w", err)
		}
		pre.Code, pre.Erased = &p.Code, p.Erased()
	}
	r.Code = *pre.Code
	if pre.PriorID != nil {
		if !bytes.Equal(pre.PriorHash, hash) {
			return Recorded{}, fmt.Errorf("vendors: record key %q: %w", r.Key, ErrIdempotencyConflict)
		}
		var out Recorded
		if err := tx.GetContext(ctx, &out, `SELECT `+recordedColumns+recordedFrom+` WHERE ve.id = $1`, *pre.PriorID); err != nil {
			return Recorded{}, fmt.Errorf("vendors: replay %q: %w", r.Key, err)
		}
		out.Replayed = true
		return out, nil
	}
	if pre.Erased {
		return Recorded{}, fmt.Errorf("vendors: record for %s: %w", r.Code, ErrErased)
	}
	e, err := r.Input.Check(r.Today, pre.Ceiling)
	if err != nil {
		return Recorded{}, err
	}
	e.ParticipantID, e.Code, e.RecordedBy, e.OnBehalf, e.Key, e.hash = r.ParticipantID, r.Code, r.RecordedBy, r.OnBehalf, r.Key, hash
	book, err := s.bookTx(ctx, tx, e.ParticipantID, e.Code)
	if err != nil {
		return Recorded{}, err
	}
	closed, err := s.ledger.In(tx).LatestClosed(ctx, []int64{book})
	if err != nil {
		return Recorded{}, fmt.Errorf("vendors: record: %w", err)
	}
	e.bookLate(closed[book])
	le, err := s.ledger.In(tx).Post(ctx, e.posting(book))
	if err != nil {
		if errors.Is(err, ledger.ErrIdempotencyConflict) {
			err = errKeyRace
		}
		return Recorded{}, fmt.Errorf("vendors: record: %w", err)
	}
	if le.Replayed {
		// Another request under this key committed after this one looked:
		// run again, to answer from its vendor entry.
		return Recorded{}, fmt.Errorf("vendors: record: %w", errKeyRace)
	}
	out := e.recorded()
	out.EntryID = le.ID
	insertStmt, err := s.insertStmt.Get(ctx)
	if err != nil {
		return Recorded{}, fmt.Errorf("vendors: record: %w", err)
	}
	err = tx.StmtxContext(ctx, insertStmt).QueryRowxContext(ctx,
		le.ID, e.ParticipantID, e.Date.Format(time.DateOnly), e.Kind, e.Amount.String(), out.Category, out.Method,
		e.Note, e.OnBehalf, out.RecordedBy, e.Key, hash, out.BookedOn).Scan(&out.ID, &out.RecordedAt)
	if pg.IsUnique(err, "vendor_entries_idempotency_key") {
		return Recorded{}, fmt.Errorf("vendors: record: %w", errKeyRace)
	}
	if err != nil {
		return Recorded{}, fmt.Errorf("vendors: record: %w", err)
	}
	if e.OnBehalf {
		summary := fmt.Sprintf("entry %d: %s %s on %s from a paper form", out.ID, e.memo(), e.Amount.String(), e.Date.Format(time.DateOnly))
		details := audit.Details{"entry": strconv.FormatInt(out.ID, 10), "kind": string(e.Kind), "amount": e.Amount.String(), "on": e.Date.Format(time.DateOnly)}
		if err := audit.RecordDetails(ctx, tx, a, "vendor.entry.record", "participant:"+e.Code, summary, details); err != nil {
			return Recorded{}, err
		}
	}
	return out, nil
}

// ErrNoKey means a request came without an idempotency key.
var ErrNoKey = errors.New("vendors: an idempotency key is required")

// Void cancels an entry with a reversal in the ledger, dated on the day its
// ledger entry is (a late entry's booking day) so that the day's figures and the ledger agree (a closed
// month therefore refuses the void with ledger.ErrClosedPeriod). An entry is
// voided once: a second void is ErrAlreadyVoided.
func (s *Store) Void(ctx context.Context, a audit.Actor, id int64, reason string, by int64) (Recorded, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Recorded{}, valid.Errors{"reason": "vendor.reason_required"}
	case utf8.RuneCountInString(reason) > MaxNote:
		return Recorded{}, valid.Errors{"reason": "vendor.reason_too_long"}
	}
	var out Recorded
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var r Recorded
		err := tx.GetContext(ctx, &r, `SELECT `+recordedColumns+recordedFrom+` WHERE ve.id = $1 FOR UPDATE OF ve`, id)
		if err != nil {
			return fmt.Errorf("vendors: void %d: %w", id, pg.NotFound(err, ErrNotFound))
		}
		if r.Voided() {
			return fmt.Errorf("vendors: void %d: %w", id, ErrAlreadyVoided)
		}
		rev, err := s.ledger.In(tx).Reverse(ctx, ledger.Reversal{
			Entry: r.EntryID, BusinessDate: r.LedgerDate(), Memo: "void: " + reason,
			IdempotencyKey: fmt.Sprintf("void:%d", r.ID), CreatedBy: by,
		})
		if err != nil {
			return fmt.Errorf("vendors: void %d: %w", id, err)
		}
		var byp *int64
		if by != 0 {
			byp = &by
		}
		var at time.Time
		if err := tx.GetContext(ctx, &at, `
			INSERT INTO vendor_voids (vendor_entry_id, reversal_entry_id, reason, voided_by)
			VALUES ($1, $2, $3, $4) RETURNING voided_at`, r.ID, rev.ID, reason, byp); err != nil {
			if pg.IsUnique(err, "vendor_voids_pkey") {
				err = ErrAlreadyVoided
			}
			return fmt.Errorf("vendors: void %d: %w", id, err)
		}
		r.VoidedAt, r.VoidReason, r.ReversalID = &at, &reason, &rev.ID
		out = r
		return audit.RecordDetails(ctx, tx, a, "vendor.entry.void", "participant:"+r.Participant,
			fmt.Sprintf("entry %d (%s %s on %s) voided: %s", r.ID, r.Kind, r.Amount.String(), r.Date.Format(time.DateOnly), reason),
			audit.Details{"entry": strconv.FormatInt(r.ID, 10), "kind": string(r.Kind), "amount": r.Amount.String(), "on": r.Date.Format(time.DateOnly), "reason": reason})
	})
	return out, err
}
