// Package ledger is Hawker's book of record and the only way money moves: an
// append-only, double-entry ledger in baht on PostgreSQL. Every movement is
// an entry whose signed lines (debit positive, credit negative) sum to zero;
// the rules are checked here before writing and again by the database (see
// migrations/0002_ledger.sql), so no code path can unbalance the books.
//
// It owns the ledger_* tables and the ledger_post function, and only it names
// them (TestOneWayIntoTheLedger fails otherwise): other packages post through
// Post, PostAll, Reverse, Bulk or a Fused statement, and read balances, closed
// months, entries by idempotency key and statements through its functions.
// Its rules: balances, running balances and floors (ledger_post, and apply for
// the bulk path, held to one table of cases), closed periods (Closed, and the
// database's trigger), the month-end close (MayClose, audited). A Store runs
// alone or, through In, inside a caller's transaction (pg.InTx), so that the
// two books of a grant and the caller's own rows commit together.
// It imports pg, audit, thai and valid, and nothing that imports it.
//
// Dates: a business date is a calendar day in Asia/Bangkok, carried as a
// time.Time at midnight UTC of that day (Today turns an instant into one).
// A month is the first day of the month in the same form.
package ledger

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"hawker/money"
	"hawker/valid"
)

// Errors the ledger returns; match them with errors.Is.
var (
	ErrNotFound            = errors.New("ledger: not found")
	ErrUnbalanced          = errors.New("ledger: entry does not balance")
	ErrInsufficientFunds   = valid.NewError("ledger: insufficient funds", "error.insufficient_funds")
	ErrIdempotencyConflict = valid.NewError("ledger: idempotency key reused with a different request", "ledger.idempotency_conflict")
	ErrAlreadyReversed     = valid.NewError("ledger: entry already reversed", "ledger.already_reversed")
	ErrClosedPeriod        = valid.NewError("ledger: period is closed", "ledger.closed_period")
	ErrMonthNotEnded       = valid.NewError("ledger: the month has not ended in Bangkok", "period.not_ended")
	ErrInvalidAmount       = valid.NewError("ledger: invalid amount", "error.invalid")
	ErrWrongBook           = errors.New("ledger: account belongs to another book")
	ErrInvalid             = errors.New("ledger: invalid request")
)

// InsufficientFundsError is a posting refused because it would take Account
// below its floor: Balance is what the account holds before the posting and
// Shortfall how much is missing. It matches ErrInsufficientFunds.
type InsufficientFundsError struct {
	Account   int64
	Code      string
	Balance   money.Amount
	Shortfall money.Amount
}

func (e *InsufficientFundsError) Error() string {
	return fmt.Sprintf("ledger: insufficient funds in account %d (%s): balance %s, short by %s",
		e.Account, e.Code, e.Balance, e.Shortfall)
}

// Is makes errors.Is(err, ErrInsufficientFunds) true.
func (e *InsufficientFundsError) Is(target error) bool { return target == ErrInsufficientFunds }

// BookKind is what a book belongs to.
type BookKind string

// Book kinds.
const (
	Vendor    BookKind = "vendor"
	Programme BookKind = "programme"
)

// AccountType is the accounting class of an account.
type AccountType string

// Account types.
const (
	Asset     AccountType = "asset"
	Liability AccountType = "liability"
	Equity    AccountType = "equity"
	Income    AccountType = "income"
	Expense   AccountType = "expense"
)

// Book is one set of accounts: one per vendor business, one for the programme.
type Book struct {
	ID        int64     `db:"id"`
	Kind      BookKind  `db:"kind"`
	OwnerRef  *string   `db:"owner_ref"`
	Name      string    `db:"name"`
	CreatedAt time.Time `db:"created_at"`
}

// Account is one account in a book. A nil Floor means the balance may go
// anywhere (a vendor's own cash: incomplete records must still be enterable).
type Account struct {
	ID     int64               `db:"id"`
	BookID int64               `db:"book_id"`
	Code   string              `db:"code"`
	Type   AccountType         `db:"type"`
	NameTH string              `db:"name_th"`
	NameEN string              `db:"name_en"`
	Floor  decimal.NullDecimal `db:"floor"` // decimal in: the ledger holds it to money's rule itself (CreateAccount)
}

// Line is one leg of a posting: an account, named by ID or by its code in
// the posting's book, and a signed amount (debit positive).
type Line struct {
	Account int64
	Code    string
	Amount  decimal.Decimal // decimal in, as the COPY path's: checkAmount holds it to money's rule; reads give money.Amount
}

// Posting is a request to write one entry.
type Posting struct {
	Book           int64
	BusinessDate   time.Time // a Bangkok calendar day at midnight UTC; see thai.Today
	Memo           string
	Reference      string // links the entries of one movement across books
	IdempotencyKey string // unique per book; empty for none
	Lines          []Line
	CreatedBy      int64 // a user id, 0 for the system
}

// Entry is a written entry with its lines.
type Entry struct {
	ID             int64     `db:"id"`
	BookID         int64     `db:"book_id"`
	BusinessDate   time.Time `db:"business_date"`
	RecordedAt     time.Time `db:"recorded_at"`
	Memo           string    `db:"memo"`
	Reference      string    `db:"reference"`
	IdempotencyKey *string   `db:"idempotency_key"`
	RequestHash    []byte    `db:"request_hash"`
	Reverses       *int64    `db:"reverses_entry_id"`
	CreatedBy      *int64    `db:"created_by"`
	Lines          []EntryLine
	// Replayed is true when an idempotent retry returned an earlier entry.
	Replayed bool `db:"-"`
}

// EntryLine is a written line with the account's balance after it.
type EntryLine struct {
	ID           int64        `db:"id"`
	EntryID      int64        `db:"entry_id"`
	AccountID    int64        `db:"account_id"`
	BusinessDate time.Time    `db:"business_date"`
	Amount       money.Amount `db:"amount"`
	BalanceAfter money.Amount `db:"balance_after"`
}

// Day normalises t to its calendar day at midnight UTC (the date part as
// written, whatever t's zone).
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// MonthOf is the first day of t's month at midnight UTC.
func MonthOf(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// ParseMonth reads "YYYY-MM" within the dates Hawker accepts (valid.Month).
func ParseMonth(s string) (time.Time, error) {
	t, err := valid.Month(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: month %q: %w", ErrInvalid, s, err)
	}
	return t, nil
}

func dateString(t time.Time) string { return t.Format("2006-01-02") }

// checkAmount refuses a line amount of zero, and one that is not an amount
// of money (more than two decimals, or too large for NUMERIC(18,2)): the
// rule is money's, the ledger applies it to the decimals it is handed.
func checkAmount(d decimal.Decimal) error {
	if d.IsZero() {
		return fmt.Errorf("%w: zero", ErrInvalidAmount)
	}
	a, err := money.FromDecimal(d)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %s has more than 2 decimals", ErrInvalidAmount, d.String())
	case !a.Storable():
		return fmt.Errorf("%w: %s is too large", ErrInvalidAmount, d.String())
	}
	return nil
}

// Validate checks a posting without the database: a book, a date, two lines
// or more, each naming an account and a valid nonzero amount, summing to zero.
func (p Posting) Validate() error {
	if p.Book <= 0 {
		return fmt.Errorf("%w: no book", ErrInvalid)
	}
	if p.BusinessDate.IsZero() {
		return fmt.Errorf("%w: no business date", ErrInvalid)
	}
	if len(p.Lines) < 2 {
		return fmt.Errorf("%w: %d lines, need at least 2", ErrUnbalanced, len(p.Lines))
	}
	sum := decimal.Zero
	for i, l := range p.Lines {
		if l.Account <= 0 && l.Code == "" {
			return fmt.Errorf("%w: line %d names no account", ErrInvalid, i+1)
		}
		if err := checkAmount(l.Amount); err != nil {
			return fmt.Errorf("line %d: %w", i+1, err)
		}
		sum = sum.Add(l.Amount)
	}
	if !sum.IsZero() {
		return fmt.Errorf("%w: lines sum to %s", ErrUnbalanced, sum.StringFixed(2))
	}
	return nil
}

// RequestHash is the SHA-256 of a canonical encoding of the posting: every
// field that changes what is written, in a fixed order, amounts with exactly
// two decimals, strings length-prefixed so no two postings encode alike.
// Lines keep their order; an account named by code hashes differently from
// the same account named by ID.
func RequestHash(p Posting) []byte {
	var c canon
	c.field("v", "1")
	c.field("book", strconv.FormatInt(p.Book, 10))
	c.field("date", dateString(Day(p.BusinessDate)))
	c.field("memo", p.Memo)
	c.field("reference", p.Reference)
	c.field("created_by", strconv.FormatInt(p.CreatedBy, 10))
	c.field("lines", strconv.Itoa(len(p.Lines)))
	for _, l := range p.Lines {
		if l.Account > 0 {
			c.field("account", strconv.FormatInt(l.Account, 10))
		} else {
			c.field("code", l.Code)
		}
		c.field("amount", l.Amount.StringFixed(2))
	}
	return c.sum()
}

// canon is a canonical encoding: name:length:value lines.
type canon struct{ b strings.Builder }

func (c *canon) field(name, v string) {
	c.b.WriteString(name)
	c.b.WriteByte(':')
	c.b.WriteString(strconv.Itoa(len(v)))
	c.b.WriteByte(':')
	c.b.WriteString(v)
	c.b.WriteByte('\n')
}

func (c *canon) sum() []byte {
	s := sha256.Sum256([]byte(c.b.String()))
	return s[:]
}
