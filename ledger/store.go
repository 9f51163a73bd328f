package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"hawker/money"
	"hawker/pg"
	"hawker/thai"
)

// Store reads and writes the ledger. Each method is written once and runs
// either on the pool, as a transaction of its own (retried on serialization
// failure or deadlock), or, on the Store that In returns, inside a caller's
// transaction, so that a ledger entry and the caller's rows (an audit record,
// the other book of a grant) commit together. The caller then runs its
// transaction through pg.InTx, which retries it as a whole.
type Store struct {
	db       *sqlx.DB
	q        pg.Q      // db, or the caller's transaction
	postStmt *pg.Stmt  // postSQL
	accounts *sync.Map // book id → account code → id, for Fused
}

// NewStore returns a Store on db.
func NewStore(db *sqlx.DB) *Store {
	return &Store{db: db, q: db, postStmt: pg.NewStmt(db, postSQL), accounts: &sync.Map{}}
}

// In returns the store bound to the caller's transaction tx: its reads see
// tx's writes, and its writes commit or roll back with tx. On any error the
// caller's transaction is unusable and must be rolled back (pg.InTx does).
func (s *Store) In(tx *sqlx.Tx) *Store {
	c := *s
	c.q = tx
	return &c
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

// CreateBook makes a book. ownerRef (a participant code, "programme") may
// be empty; a non-empty one is unique per kind.
func (s *Store) CreateBook(ctx context.Context, kind BookKind, ownerRef, name string) (Book, error) {
	var ref *string
	if ownerRef != "" {
		ref = &ownerRef
	}
	var b Book
	err := s.q.GetContext(ctx, &b, `
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
	err := s.q.GetContext(ctx, &b, `SELECT id, kind, owner_ref, name, created_at FROM ledger_books WHERE id = $1`, id)
	if err != nil {
		return Book{}, fmt.Errorf("ledger: book %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return b, nil
}

// BookByOwner finds the book of kind owned by ownerRef.
func (s *Store) BookByOwner(ctx context.Context, kind BookKind, ownerRef string) (Book, error) {
	var b Book
	err := s.q.GetContext(ctx, &b, `
		SELECT id, kind, owner_ref, name, created_at FROM ledger_books
		WHERE kind = $1 AND owner_ref = $2`, kind, ownerRef)
	if err != nil {
		return Book{}, fmt.Errorf("ledger: book of %s %q: %w", kind, ownerRef, pg.NotFound(err, ErrNotFound))
	}
	return b, nil
}

// CreateAccount adds an account to a book; its balance starts at zero.
func (s *Store) CreateAccount(ctx context.Context, a Account) (Account, error) {
	if _, err := money.FromDecimal(a.Floor.Decimal); a.Floor.Valid && err != nil {
		return Account{}, fmt.Errorf("ledger: account %s: %w: floor has more than 2 decimals", a.Code, ErrInvalidAmount)
	}
	var out Account
	err := s.q.GetContext(ctx, &out, `
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
	return pg.Do(ctx, s.q, func(tx *sqlx.Tx) (Account, error) {
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
		return s.In(tx).CreateAccount(ctx, a)
	})
}

// Account reads an account.
func (s *Store) Account(ctx context.Context, id int64) (Account, error) {
	var a Account
	err := s.q.GetContext(ctx, &a, `
		SELECT id, book_id, code, type, name_th, name_en, floor FROM ledger_accounts WHERE id = $1`, id)
	if err != nil {
		return Account{}, fmt.Errorf("ledger: account %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return a, nil
}

// AccountByCode finds an account by its code in a book.
func (s *Store) AccountByCode(ctx context.Context, book int64, code string) (Account, error) {
	var a Account
	err := s.q.GetContext(ctx, &a, `
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
	err := s.q.SelectContext(ctx, &as, `
		SELECT id, book_id, code, type, name_th, name_en, floor
		FROM ledger_accounts WHERE book_id = $1 ORDER BY code`, book)
	if err != nil {
		return nil, fmt.Errorf("ledger: accounts of book %d: %w", book, err)
	}
	return as, nil
}

// Post writes one entry. Alone it is one call of the database's
// ledger_post in autocommit, a single round trip, retried on serialization
// failure or deadlock; inside a caller's transaction (In) it commits with
// it. A replay (same book, key and request) returns the original entry with
// Replayed set and writes nothing; the same key with another request is
// ErrIdempotencyConflict. On any error nothing was written by Post.
func (s *Store) Post(ctx context.Context, p Posting) (Entry, error) {
	p.BusinessDate = Day(p.BusinessDate)
	if err := p.Validate(); err != nil {
		return Entry{}, fmt.Errorf("ledger: post %q: %w", p.Reference, err)
	}
	e, err := s.post(ctx, p, RequestHash(p), nil)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger: post %q: %w", p.Reference, err)
	}
	return e, nil
}

// PostAll writes several entries in one transaction, all or nothing: the
// movement of one amount across books (a grant's disbursement debits the
// programme's fund and credits the vendor's book) under one reference. Each
// posting is judged as Post judges it; a replay of all of them returns the
// original entries.
func (s *Store) PostAll(ctx context.Context, ps ...Posting) ([]Entry, error) {
	return pg.Do(ctx, s.q, func(tx *sqlx.Tx) ([]Entry, error) {
		in := s.In(tx)
		out := make([]Entry, len(ps))
		for i, p := range ps {
			e, err := in.Post(ctx, p)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	})
}

// lockedAccount is an account's balance row, locked for this transaction.
type lockedAccount struct {
	ID      int64               `db:"id"`
	BookID  int64               `db:"book_id"`
	Code    string              `db:"code"`
	Balance decimal.Decimal     `db:"balance"`
	Floor   decimal.NullDecimal `db:"floor"`
}

// postSQL is the one write path for entries: ledger_post (in
// migrations/0002_ledger.sql) checks the key, locks the balances in id
// order, writes the entry, its lines and the new balances, or answers a
// refusal without writing.
const postSQL = `
	SELECT status, entry_id, recorded_at, account_ids, line_ids, balances_after,
	       err_account, err_code, err_book, err_balance, err_shortfall
	FROM ledger_post($1, $2::date, $3, $4, $5, $6, $7, $8, $9, $10, $11)`

// post runs postSQL on the store's pool or transaction. Alone the call is
// its own transaction (autocommit), retried like pg.InTx, so callers never
// see serialization failures or deadlocks; in a caller's transaction the
// caller's pg.InTx retries.
func (s *Store) post(ctx context.Context, p Posting, hash []byte, reverses *int64) (Entry, error) {
	stmt, err := s.postStmt.In(ctx, s.q)
	if err != nil {
		return Entry{}, err
	}
	if pg.InCallerTx(s.q) {
		return s.postOnce(ctx, stmt, p, hash, reverses)
	}
	var e Entry
	err = pg.Retry(ctx, func() error {
		var err error
		e, err = s.postOnce(ctx, stmt, p, hash, reverses)
		return err
	})
	return e, err
}

// postOnce writes a valid posting through stmt (postSQL, on the pool or in
// a transaction).
func (s *Store) postOnce(ctx context.Context, stmt *sqlx.Stmt, p Posting, hash []byte, reverses *int64) (Entry, error) {
	n := len(p.Lines)
	ids := make(pq.Int64Array, n)
	var codes pq.StringArray
	amounts := make(pq.StringArray, n)
	for i, l := range p.Lines {
		if l.Account > 0 {
			ids[i] = l.Account
		} else {
			if codes == nil {
				codes = make(pq.StringArray, n)
			}
			codes[i] = l.Code
		}
		amounts[i] = l.Amount.StringFixed(2)
	}
	var key, createdBy any
	if p.IdempotencyKey != "" {
		key = p.IdempotencyKey
	}
	if p.CreatedBy != 0 {
		createdBy = p.CreatedBy
	}
	var rev any
	if reverses != nil {
		rev = *reverses
	}
	var (
		status                   string
		entryID, errAcct, errBk  sql.NullInt64
		recordedAt               sql.NullTime
		accounts, lineIDs        pq.Int64Array
		after                    pq.StringArray
		errCode                  sql.NullString
		errBalance, errShortfall decimal.NullDecimal
	)
	err := stmt.QueryRowContext(ctx, p.Book, dateString(p.BusinessDate), p.Memo, p.Reference, key, hash, rev, createdBy,
		ids, codes, amounts).Scan(&status, &entryID, &recordedAt, &accounts, &lineIDs, &after,
		&errAcct, &errCode, &errBk, &errBalance, &errShortfall)
	if err != nil {
		return Entry{}, translate(err)
	}
	switch status {
	case "ok":
	case "replay":
		e, err := s.entry(ctx, entryID.Int64)
		e.Replayed = true
		return e, err
	case "conflict":
		return Entry{}, fmt.Errorf("%w: key %q", ErrIdempotencyConflict, p.IdempotencyKey)
	case "reversed":
		return Entry{}, ErrAlreadyReversed
	case "not_found":
		if errCode.Valid {
			return Entry{}, fmt.Errorf("%w: account %q in book %d", ErrNotFound, errCode.String, p.Book)
		}
		return Entry{}, fmt.Errorf("%w: account %d", ErrNotFound, errAcct.Int64)
	case "wrong_book":
		return Entry{}, fmt.Errorf("%w: account %d is in book %d, not %d", ErrWrongBook, errAcct.Int64, errBk.Int64, p.Book)
	case "funds":
		return Entry{}, &InsufficientFundsError{
			Account: errAcct.Int64, Code: errCode.String,
			Balance: money.Round(errBalance.Decimal), Shortfall: money.Round(errShortfall.Decimal),
		}
	default:
		return Entry{}, fmt.Errorf("ledger: unexpected answer %q from ledger_post", status)
	}
	if len(lineIDs) != n || len(accounts) != n || len(after) != n {
		return Entry{}, fmt.Errorf("ledger: ledger_post answered %d lines for %d", len(lineIDs), n)
	}
	var createdByp *int64
	if p.CreatedBy != 0 {
		createdByp = &p.CreatedBy
	}
	var keyStr *string
	if p.IdempotencyKey != "" {
		k := p.IdempotencyKey
		keyStr = &k
	}
	e := Entry{
		ID: entryID.Int64, BookID: p.Book, BusinessDate: p.BusinessDate, RecordedAt: recordedAt.Time,
		Memo: p.Memo, Reference: p.Reference, IdempotencyKey: keyStr, RequestHash: hash,
		Reverses: reverses, CreatedBy: createdByp, Lines: make([]EntryLine, n),
	}
	for i := range p.Lines {
		var bal money.Amount
		if err := bal.Scan(after[i]); err != nil {
			return Entry{}, fmt.Errorf("ledger: balance after line %d: %w", i+1, err)
		}
		e.Lines[i] = EntryLine{
			ID: lineIDs[i], EntryID: e.ID, AccountID: accounts[i], BusinessDate: p.BusinessDate,
			Amount: money.Round(p.Lines[i].Amount), BalanceAfter: bal, // Validate held it to money's rule
		}
	}
	return e, nil
}

// Entry reads an entry and its lines.
func (s *Store) Entry(ctx context.Context, id int64) (Entry, error) {
	e, err := s.entry(ctx, id)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger: entry %d: %w", id, err)
	}
	return e, nil
}

func (s *Store) entry(ctx context.Context, id int64) (Entry, error) {
	var e Entry
	err := s.q.GetContext(ctx, &e, `
		SELECT id, book_id, business_date, recorded_at, memo, reference, idempotency_key,
		       request_hash, reverses_entry_id, created_by
		FROM ledger_entries WHERE id = $1`, id)
	if err != nil {
		return Entry{}, pg.NotFound(err, ErrNotFound)
	}
	err = s.q.SelectContext(ctx, &e.Lines, `
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
	if err := s.q.SelectContext(ctx, &ids, `SELECT id FROM ledger_entries WHERE reference = $1 ORDER BY id`, reference); err != nil {
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

// Reverse writes the reversal of an entry. An entry is reversed once only:
// a second reversal is ErrAlreadyReversed, unless it replays the first
// one's idempotency key and request.
func (s *Store) Reverse(ctx context.Context, r Reversal) (Entry, error) {
	// The original is read before the posting, outside its transaction when
	// alone: entries and their lines never change once committed.
	p, r, err := s.reversal(ctx, r)
	if err == nil {
		var e Entry
		if e, err = s.post(ctx, p, r.hash(), &r.Entry); err == nil {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("ledger: reverse entry %d: %w", r.Entry, err)
}

// reversal is the posting that reverses r.Entry: the same book and
// reference, every line negated. A replay of an earlier reversal under the
// same key is answered by ledger_post before the once-only rule.
func (s *Store) reversal(ctx context.Context, r Reversal) (Posting, Reversal, error) {
	if r.BusinessDate.IsZero() {
		r.BusinessDate = thai.Today(time.Now())
	}
	r.BusinessDate = Day(r.BusinessDate)
	orig, err := s.entry(ctx, r.Entry)
	if err != nil {
		return Posting{}, r, err
	}
	p := Posting{
		Book: orig.BookID, BusinessDate: r.BusinessDate, Memo: r.Memo, Reference: orig.Reference,
		IdempotencyKey: r.IdempotencyKey, CreatedBy: r.CreatedBy,
	}
	for _, l := range orig.Lines {
		p.Lines = append(p.Lines, Line{Account: l.AccountID, Amount: l.Amount.Neg().Decimal()})
	}
	return p, r, nil
}
