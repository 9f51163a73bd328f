package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"hawker/pg"
)

// Store reads and writes the ledger. Methods without a Tx suffix run in a
// transaction of their own, retried on serialization failure or deadlock;
// the Tx variants run inside the caller's transaction so that a ledger entry
// and the caller's rows (an audit record, the other book of a grant) commit
// together — the caller then runs its transaction through pg.InTx.
type Store struct {
	db *sqlx.DB

	// The posting path's statements, prepared once per pooled connection:
	// a prepared statement costs one round trip instead of two.
	prepOnce sync.Once
	prepErr  error
	lockStmt *sqlx.Stmt
	postStmt *sqlx.Stmt
}

// NewStore returns a Store on db.
func NewStore(db *sqlx.DB) *Store { return &Store{db: db} }

func (s *Store) prepare(ctx context.Context) error {
	s.prepOnce.Do(func() {
		if s.lockStmt, s.prepErr = s.db.PreparexContext(context.WithoutCancel(ctx), lockSQL); s.prepErr != nil {
			return
		}
		s.postStmt, s.prepErr = s.db.PreparexContext(context.WithoutCancel(ctx), postSQL)
	})
	return s.prepErr
}

// DB is the store's database.
func (s *Store) DB() *sqlx.DB { return s.db }

// translate turns the database's refusals, by constraint name, into the
// ledger's errors.
func translate(err error) error {
	if err == nil {
		return nil
	}
	switch pg.Constraint(err) {
	case "ledger_entries_balanced":
		return fmt.Errorf("%w: %v", ErrUnbalanced, err)
	case "ledger_entries_closed_period":
		return fmt.Errorf("%w: %v", ErrClosedPeriod, err)
	case "ledger_entries_reverses_key":
		return fmt.Errorf("%w: %v", ErrAlreadyReversed, err)
	case "ledger_entries_idempotency_key":
		return fmt.Errorf("%w: %w", errIdempotencyRace, err)
	case "ledger_lines_same_book":
		return fmt.Errorf("%w: %v", ErrWrongBook, err)
	case "ledger_balances_floor_check":
		return fmt.Errorf("%w: %v", ErrInsufficientFunds, err)
	case "ledger_lines_amount_check":
		return fmt.Errorf("%w: %v", ErrInvalidAmount, err)
	case "ledger_books_kind_check", "ledger_accounts_type_check", "ledger_accounts_code_check":
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "22003" { // numeric_value_out_of_range
		return fmt.Errorf("%w: %v", ErrInvalidAmount, err)
	}
	return err
}

// errIdempotencyRace is two requests with one key racing. It carries
// PostgreSQL's serialization-failure code, so pg.InTx (the store's or the
// caller's) runs the loser's transaction again, which then finds the
// winner's entry and answers as a replay or a conflict.
var errIdempotencyRace = &pq.Error{Code: "40001", Message: "ledger: idempotency key taken concurrently"}

// inTx is the store's one transaction runner.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return pg.InTx(ctx, s.db, fn)
}

// CreateBook makes a book. ownerRef (a participant code, "programme") may
// be empty; a non-empty one is unique per kind.
func (s *Store) CreateBook(ctx context.Context, kind BookKind, ownerRef, name string) (Book, error) {
	var b Book
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		b, err = s.CreateBookTx(ctx, tx, kind, ownerRef, name)
		return err
	})
	return b, err
}

// CreateBookTx is CreateBook inside the caller's transaction.
func (s *Store) CreateBookTx(ctx context.Context, tx *sqlx.Tx, kind BookKind, ownerRef, name string) (Book, error) {
	var ref *string
	if ownerRef != "" {
		ref = &ownerRef
	}
	var b Book
	err := tx.GetContext(ctx, &b, `
		INSERT INTO ledger_books (kind, owner_ref, name) VALUES ($1, $2, $3)
		RETURNING id, kind, owner_ref, name, created_at`, kind, ref, name)
	if err != nil {
		return Book{}, fmt.Errorf("ledger: create book %q: %w", name, translate(err))
	}
	return b, nil
}

// Book reads a book.
func (s *Store) Book(ctx context.Context, id int64) (Book, error) {
	var b Book
	err := s.db.GetContext(ctx, &b, `SELECT id, kind, owner_ref, name, created_at FROM ledger_books WHERE id = $1`, id)
	if err != nil {
		return Book{}, fmt.Errorf("ledger: book %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return b, nil
}

// BookByOwner finds the book of kind owned by ownerRef.
func (s *Store) BookByOwner(ctx context.Context, kind BookKind, ownerRef string) (Book, error) {
	var b Book
	err := s.db.GetContext(ctx, &b, `
		SELECT id, kind, owner_ref, name, created_at FROM ledger_books
		WHERE kind = $1 AND owner_ref = $2`, kind, ownerRef)
	if err != nil {
		return Book{}, fmt.Errorf("ledger: book of %s %q: %w", kind, ownerRef, pg.NotFound(err, ErrNotFound))
	}
	return b, nil
}

// CreateAccount adds an account to a book; its balance starts at zero.
func (s *Store) CreateAccount(ctx context.Context, a Account) (Account, error) {
	var out Account
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = s.CreateAccountTx(ctx, tx, a)
		return err
	})
	return out, err
}

// CreateAccountTx is CreateAccount inside the caller's transaction.
func (s *Store) CreateAccountTx(ctx context.Context, tx *sqlx.Tx, a Account) (Account, error) {
	if a.Floor.Valid && !a.Floor.Decimal.Equal(a.Floor.Decimal.Truncate(2)) {
		return Account{}, fmt.Errorf("ledger: account %s: %w: floor has more than 2 decimals", a.Code, ErrInvalidAmount)
	}
	var out Account
	err := tx.GetContext(ctx, &out, `
		INSERT INTO ledger_accounts (book_id, code, type, name_th, name_en, floor)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id, book_id, code, type, name_th, name_en, floor`,
		a.BookID, a.Code, a.Type, a.NameTH, a.NameEN, a.Floor)
	if err != nil {
		if pg.Constraint(err) == "ledger_accounts_book_id_fkey" {
			err = ErrNotFound
		}
		return Account{}, fmt.Errorf("ledger: create account %s in book %d: %w", a.Code, a.BookID, translate(err))
	}
	return out, nil
}

// EnsureAccount returns the account with a's book and code, creating it
// from a when it does not exist yet.
func (s *Store) EnsureAccount(ctx context.Context, a Account) (Account, error) {
	var out Account
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = s.EnsureAccountTx(ctx, tx, a)
		return err
	})
	return out, err
}

// EnsureAccountTx is EnsureAccount inside the caller's transaction.
func (s *Store) EnsureAccountTx(ctx context.Context, tx *sqlx.Tx, a Account) (Account, error) {
	var out Account
	err := tx.GetContext(ctx, &out, `
		SELECT id, book_id, code, type, name_th, name_en, floor
		FROM ledger_accounts WHERE book_id = $1 AND code = $2`, a.BookID, a.Code)
	if err == nil {
		return out, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("ledger: find account %s: %w", a.Code, err)
	}
	return s.CreateAccountTx(ctx, tx, a)
}

// Account reads an account.
func (s *Store) Account(ctx context.Context, id int64) (Account, error) {
	var a Account
	err := s.db.GetContext(ctx, &a, `
		SELECT id, book_id, code, type, name_th, name_en, floor FROM ledger_accounts WHERE id = $1`, id)
	if err != nil {
		return Account{}, fmt.Errorf("ledger: account %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return a, nil
}

// AccountByCode finds an account by its code in a book.
func (s *Store) AccountByCode(ctx context.Context, book int64, code string) (Account, error) {
	var a Account
	err := s.db.GetContext(ctx, &a, `
		SELECT id, book_id, code, type, name_th, name_en, floor
		FROM ledger_accounts WHERE book_id = $1 AND code = $2`, book, code)
	if err != nil {
		return Account{}, fmt.Errorf("ledger: account %s in book %d: %w", code, book, pg.NotFound(err, ErrNotFound))
	}
	return a, nil
}

// Accounts lists a book's accounts by code.
func (s *Store) Accounts(ctx context.Context, book int64) ([]Account, error) {
	as := []Account{}
	err := s.db.SelectContext(ctx, &as, `
		SELECT id, book_id, code, type, name_th, name_en, floor
		FROM ledger_accounts WHERE book_id = $1 ORDER BY code`, book)
	if err != nil {
		return nil, fmt.Errorf("ledger: accounts of book %d: %w", book, err)
	}
	return as, nil
}

// Post writes one entry in a transaction of its own.
func (s *Store) Post(ctx context.Context, p Posting) (Entry, error) {
	var e Entry
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		e, err = s.PostTx(ctx, tx, p)
		return err
	})
	return e, err
}

// PostTx writes one entry inside the caller's transaction. A replay (same
// book, key and request) returns the original entry with Replayed set and
// writes nothing; the same key with another request is
// ErrIdempotencyConflict. On any error nothing was written by PostTx, but the
// caller's transaction is unusable and must be rolled back.
func (s *Store) PostTx(ctx context.Context, tx *sqlx.Tx, p Posting) (Entry, error) {
	p.BusinessDate = Day(p.BusinessDate)
	if err := p.Validate(); err != nil {
		return Entry{}, fmt.Errorf("ledger: post %q: %w", p.Reference, err)
	}
	e, err := s.post(ctx, tx, p, RequestHash(p), nil)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger: post %q: %w", p.Reference, err)
	}
	return e, nil
}

// lockedAccount is an account's balance row, locked for this transaction.
type lockedAccount struct {
	ID      int64               `db:"id"`
	BookID  int64               `db:"book_id"`
	Code    string              `db:"code"`
	Balance decimal.Decimal     `db:"balance"`
	Floor   decimal.NullDecimal `db:"floor"`

	PriorID   *int64 `db:"prior_id"`
	PriorHash []byte `db:"prior_hash"`
}

// lockSQL locks the balance rows of a posting's accounts (by id, or by code
// in the posting's book) in id order, and finds the entry already written
// under the posting's idempotency key, if any.
const lockSQL = `
	WITH prior AS (
		SELECT id, request_hash FROM ledger_entries
		WHERE book_id = $2 AND idempotency_key = $4
	)
	SELECT a.id, a.book_id, a.code, b.balance, b.floor,
	       (SELECT id FROM prior) AS prior_id, (SELECT request_hash FROM prior) AS prior_hash
	FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id
	WHERE a.id = ANY($1) OR (a.book_id = $2 AND a.code = ANY($3))
	ORDER BY a.id
	FOR UPDATE OF b`

// postSQL writes an entry, its lines and the new balances in one statement.
const postSQL = `
	WITH e AS (
		INSERT INTO ledger_entries (book_id, business_date, memo, reference, idempotency_key, request_hash, reverses_entry_id, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		RETURNING id, recorded_at
	), l AS (
		INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after)
		SELECT e.id, v.account_id, $2, v.amount, v.balance_after
		FROM e, unnest($9::bigint[], $10::numeric[], $11::numeric[]) WITH ORDINALITY AS v(account_id, amount, balance_after, n)
		ORDER BY v.n
		RETURNING id
	), u AS (
		UPDATE ledger_balances b SET balance = v.balance, updated_at = now()
		FROM unnest($12::bigint[], $13::numeric[]) AS v(account_id, balance)
		WHERE b.account_id = v.account_id
	)
	SELECT e.id, e.recorded_at, (SELECT array_agg(id ORDER BY id) FROM l) AS line_ids FROM e`

// post is the one write path for entries; p is valid.
func (s *Store) post(ctx context.Context, tx *sqlx.Tx, p Posting, hash []byte, reverses *int64) (Entry, error) {
	var key *string
	if p.IdempotencyKey != "" {
		key = &p.IdempotencyKey
	}
	if err := s.prepare(ctx); err != nil {
		return Entry{}, err
	}
	// Lock every balance row the posting touches, in account-id order, so
	// that concurrent postings queue instead of deadlocking; the same
	// statement looks up an earlier entry under the idempotency key.
	ids := make([]int64, 0, len(p.Lines))
	var codes []string
	for _, l := range p.Lines {
		if l.Account > 0 {
			ids = append(ids, l.Account)
		} else {
			codes = append(codes, l.Code)
		}
	}
	var locked []lockedAccount
	err := tx.StmtxContext(ctx, s.lockStmt).SelectContext(ctx, &locked, pq.Array(ids), p.Book, pq.Array(codes), key)
	if err != nil {
		return Entry{}, fmt.Errorf("lock balances: %w", err)
	}
	if len(locked) > 0 && locked[0].PriorID != nil {
		if !bytes.Equal(locked[0].PriorHash, hash) {
			return Entry{}, fmt.Errorf("%w: key %q", ErrIdempotencyConflict, p.IdempotencyKey)
		}
		e, err := s.entry(ctx, tx, *locked[0].PriorID)
		e.Replayed = true
		return e, err
	}
	byID := make(map[int64]*lockedAccount, len(locked))
	byCode := make(map[string]*lockedAccount, len(locked))
	for i := range locked {
		a := &locked[i]
		byID[a.ID] = a
		if a.BookID == p.Book {
			byCode[a.Code] = a
		}
	}

	// Running balances in line order, then the floors.
	n := len(p.Lines)
	lineAccounts := make([]int64, n)
	amounts := make([]string, n)
	after := make([]string, n)
	start := make(map[int64]decimal.Decimal, len(locked))
	for i, l := range p.Lines {
		var a *lockedAccount
		if l.Account > 0 {
			a = byID[l.Account]
		} else {
			a = byCode[l.Code]
		}
		switch {
		case a == nil && l.Account > 0:
			return Entry{}, fmt.Errorf("%w: account %d", ErrNotFound, l.Account)
		case a == nil:
			return Entry{}, fmt.Errorf("%w: account %q in book %d", ErrNotFound, l.Code, p.Book)
		case a.BookID != p.Book:
			return Entry{}, fmt.Errorf("%w: account %d is in book %d, not %d", ErrWrongBook, a.ID, a.BookID, p.Book)
		}
		if _, ok := start[a.ID]; !ok {
			start[a.ID] = a.Balance
		}
		a.Balance = a.Balance.Add(l.Amount)
		lineAccounts[i] = a.ID
		amounts[i] = l.Amount.StringFixed(2)
		after[i] = a.Balance.StringFixed(2)
	}
	balIDs := make([]int64, 0, len(start))
	for id := range start {
		balIDs = append(balIDs, id)
	}
	sort.Slice(balIDs, func(i, j int) bool { return balIDs[i] < balIDs[j] })
	balances := make([]string, len(balIDs))
	for i, id := range balIDs {
		a := byID[id]
		if a.Floor.Valid && a.Balance.LessThan(a.Floor.Decimal) {
			return Entry{}, &InsufficientFundsError{
				Account: id, Code: a.Code, Balance: start[id],
				Shortfall: a.Floor.Decimal.Sub(a.Balance),
			}
		}
		balances[i] = a.Balance.StringFixed(2)
	}

	var createdBy *int64
	if p.CreatedBy != 0 {
		createdBy = &p.CreatedBy
	}
	// One statement writes the entry, its lines and the new balances.
	var row struct {
		ID         int64         `db:"id"`
		RecordedAt time.Time     `db:"recorded_at"`
		LineIDs    pq.Int64Array `db:"line_ids"`
	}
	err = tx.StmtxContext(ctx, s.postStmt).GetContext(ctx, &row,
		p.Book, dateString(p.BusinessDate), p.Memo, p.Reference, key, hash, reverses, createdBy,
		pq.Array(lineAccounts), pq.Array(amounts), pq.Array(after),
		pq.Array(balIDs), pq.Array(balances))
	if err != nil {
		return Entry{}, translate(err)
	}
	e := Entry{
		ID: row.ID, BookID: p.Book, BusinessDate: p.BusinessDate, RecordedAt: row.RecordedAt,
		Memo: p.Memo, Reference: p.Reference, IdempotencyKey: key, RequestHash: hash,
		Reverses: reverses, CreatedBy: createdBy, Lines: make([]EntryLine, n),
	}
	for i := range p.Lines {
		e.Lines[i] = EntryLine{
			ID: row.LineIDs[i], EntryID: row.ID, AccountID: lineAccounts[i], BusinessDate: p.BusinessDate,
			Amount: p.Lines[i].Amount, BalanceAfter: decimal.RequireFromString(after[i]),
		}
	}
	return e, nil
}

// Entry reads an entry and its lines.
func (s *Store) Entry(ctx context.Context, id int64) (Entry, error) {
	e, err := s.entry(ctx, s.db, id)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger: entry %d: %w", id, err)
	}
	return e, nil
}

func (s *Store) entry(ctx context.Context, q sqlx.QueryerContext, id int64) (Entry, error) {
	var e Entry
	err := sqlx.GetContext(ctx, q, &e, `
		SELECT id, book_id, business_date, recorded_at, memo, reference, idempotency_key,
		       request_hash, reverses_entry_id, created_by
		FROM ledger_entries WHERE id = $1`, id)
	if err != nil {
		return Entry{}, pg.NotFound(err, ErrNotFound)
	}
	err = sqlx.SelectContext(ctx, q, &e.Lines, `
		SELECT id, entry_id, account_id, business_date, amount, balance_after
		FROM ledger_lines WHERE entry_id = $1 ORDER BY id`, id)
	if err != nil {
		return Entry{}, err
	}
	return e, nil
}

// EntriesByReference lists the entries sharing a reference, in every book.
func (s *Store) EntriesByReference(ctx context.Context, reference string) ([]Entry, error) {
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM ledger_entries WHERE reference = $1 ORDER BY id`, reference); err != nil {
		return nil, fmt.Errorf("ledger: entries of %q: %w", reference, err)
	}
	out := make([]Entry, 0, len(ids))
	for _, id := range ids {
		e, err := s.Entry(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Reversal is a request to reverse an entry: a new entry in the same book
// with every line negated, naming the original. A zero BusinessDate means
// today in Bangkok.
type Reversal struct {
	Entry          int64
	BusinessDate   time.Time
	Memo           string
	IdempotencyKey string
	CreatedBy      int64
}

// hash is the SHA-256 of the reversal's canonical encoding.
func (r Reversal) hash() []byte {
	var c canon
	c.field("v", "1")
	c.field("reverse", strconv.FormatInt(r.Entry, 10))
	c.field("date", dateString(Day(r.BusinessDate)))
	c.field("memo", r.Memo)
	c.field("created_by", strconv.FormatInt(r.CreatedBy, 10))
	return c.sum()
}

// Reverse writes the reversal of an entry in a transaction of its own. An
// entry is reversed once only: a second reversal is ErrAlreadyReversed,
// unless it replays the first one's idempotency key and request.
func (s *Store) Reverse(ctx context.Context, r Reversal) (Entry, error) {
	var e Entry
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		e, err = s.ReverseTx(ctx, tx, r)
		return err
	})
	return e, err
}

// ReverseTx is Reverse inside the caller's transaction.
func (s *Store) ReverseTx(ctx context.Context, tx *sqlx.Tx, r Reversal) (Entry, error) {
	if r.BusinessDate.IsZero() {
		r.BusinessDate = Today(time.Now())
	}
	r.BusinessDate = Day(r.BusinessDate)
	orig, err := s.entry(ctx, tx, r.Entry)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger: reverse entry %d: %w", r.Entry, err)
	}
	p := Posting{
		Book: orig.BookID, BusinessDate: r.BusinessDate, Memo: r.Memo, Reference: orig.Reference,
		IdempotencyKey: r.IdempotencyKey, CreatedBy: r.CreatedBy,
	}
	for _, l := range orig.Lines {
		p.Lines = append(p.Lines, Line{Account: l.AccountID, Amount: l.Amount.Neg()})
	}
	// A replay of this very reversal is answered before the once-only rule.
	if r.IdempotencyKey == "" || !s.isReplay(ctx, tx, orig.BookID, r.IdempotencyKey) {
		var exists bool
		if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE reverses_entry_id = $1)`, r.Entry); err != nil {
			return Entry{}, fmt.Errorf("ledger: reverse entry %d: %w", r.Entry, err)
		}
		if exists {
			return Entry{}, fmt.Errorf("ledger: reverse entry %d: %w", r.Entry, ErrAlreadyReversed)
		}
	}
	e, err := s.post(ctx, tx, p, r.hash(), &r.Entry)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger: reverse entry %d: %w", r.Entry, err)
	}
	return e, nil
}

func (s *Store) isReplay(ctx context.Context, tx *sqlx.Tx, book int64, key string) bool {
	var exists bool
	err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE book_id = $1 AND idempotency_key = $2)`, book, key)
	return err == nil && exists
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
