package reports

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/grants"
	"hawker/ledger"
	"hawker/participants"
	"hawker/pg"
	"hawker/thai"
	"hawker/valid"
	"hawker/vendors"
)

// Errors of this package.
var (
	ErrNotFound    = valid.NewError("reports: not found", "error.not_found")
	ErrFutureMonth = valid.NewError("reports: the month has not started", "statement.month_future")
	ErrNotIssued   = errors.New("reports: no such statement was issued")
)

// Store builds statements from the ledger, the vendors' books and the
// participants' files, and keeps the register of issued statements
// (report_statements) that verification reads.
type Store struct {
	db           *sqlx.DB
	ledger       *ledger.Store
	vendors      *vendors.Store
	participants *participants.Store
	grants       *grants.Store
	// PublicURL is the address the verification QR codes point under,
	// such as https://hawker.example.org.
	PublicURL string
}

// NewStore returns a Store on db; vs may be the process's shared vendors
// store (nil makes one).
func NewStore(db *sqlx.DB, vs *vendors.Store, publicURL string) *Store {
	if vs == nil {
		vs = vendors.NewStore(db)
	}
	return &Store{db: db, ledger: vs.Ledger(), vendors: vs, participants: participants.NewStore(db),
		grants: grants.NewStore(db, vs), PublicURL: strings.TrimRight(publicURL, "/")}
}

// NewReadStore is NewStore reading statements and impact figures from
// replica, a streaming replica of primary (HAWKER_READ_URL), while the
// register of issued statements and the audit trail are written to, and
// read from, primary. A closed month is the same on either: nothing is
// posted into it, and the replica has replayed its close before it serves
// it (a month closes long before its statements are asked for).
func NewReadStore(primary, replica *sqlx.DB, publicURL string) *Store {
	s := NewStore(replica, vendors.NewStore(replica), publicURL)
	s.db = primary
	return s
}

// CheckMonth refuses a month that has not started at now (in Bangkok).
func CheckMonth(month, now time.Time) error {
	if ledger.MonthOf(month).After(ledger.MonthOf(thai.Today(now))) {
		return ErrFutureMonth
	}
	return nil
}

// Statement builds a vendor's statement for month from the ledger. A month
// that has not started is ErrFutureMonth; a participant without books is
// ErrNotFound.
func (s *Store) Statement(ctx context.Context, code string, month time.Time, today time.Time) (Statement, error) {
	month = ledger.MonthOf(month)
	if err := CheckMonth(month, today); err != nil {
		return Statement{}, fmt.Errorf("reports: statement %s: %w", StatementNumber(code, month), err)
	}
	p, err := s.participants.ByCode(ctx, code)
	if err != nil {
		if errors.Is(err, participants.ErrNotFound) {
			return Statement{}, fmt.Errorf("reports: statement of %s: %w", code, ErrNotFound)
		}
		return Statement{}, err
	}
	return s.statementOf(ctx, p, month)
}

func (s *Store) statementOf(ctx context.Context, p participants.Participant, month time.Time) (Statement, error) {
	book, err := s.vendors.Book(ctx, p.ID)
	if err != nil {
		if errors.Is(err, vendors.ErrNotFound) {
			return Statement{}, fmt.Errorf("reports: statement of %s: no books: %w", p.Code, ErrNotFound)
		}
		return Statement{}, err
	}
	bm, err := s.ledger.BookMonth(ctx, book, month)
	if err != nil {
		return Statement{}, err
	}
	ids := make([]int64, 0, len(bm.Lines)/2)
	for i, l := range bm.Lines {
		if i == 0 || bm.Lines[i-1].EntryID != l.EntryID {
			ids = append(ids, l.EntryID)
		}
	}
	described, err := s.vendors.Describe(ctx, p.ID, ids)
	if err != nil {
		return Statement{}, err
	}
	var equipment []ledger.BookLine
	if eq, ok := bm.Account(vendors.AccountEquipment); ok {
		if equipment, err = s.ledger.LinesThrough(ctx, eq.ID, month.AddDate(0, 1, -1)); err != nil {
			return Statement{}, err
		}
	}
	v := Vendor{Code: p.Code}
	if !p.Erased() {
		v.Name = p.Name
		v.Business = s.business(ctx, p.ID)
	}
	st, err := BuildStatement(v, bm, described, equipment)
	if err != nil {
		return Statement{}, err
	}
	// What the grants package calls what she received this month.
	received, err := s.grants.ReceivedIn(ctx, p.ID, month)
	if err != nil {
		return Statement{}, err
	}
	st.NameGrants(received.Lines)
	return st, nil
}

// business is the business of the participant's latest approved plan.
func (s *Store) business(ctx context.Context, participantID int64) string {
	plans, err := s.participants.Plans(ctx, participantID)
	if err != nil {
		return ""
	}
	business := ""
	for _, pl := range plans {
		if pl.State == participants.Approved {
			business = pl.Business
		}
	}
	return business
}

// Issued is a statement in the register: what a verification address
// answers. It names no one.
type Issued struct {
	Number      string    `db:"number"`
	Month       time.Time `db:"month"`
	Fingerprint string    `db:"fingerprint"`
	Token       string    `db:"token"`
	Totals      Totals    `db:"-"`
	TotalsJSON  []byte    `db:"totals"`
	IssuedAt    time.Time `db:"issued_at"`
}

// newToken is 20 random bytes in lower-case base32: 160 bits, unguessable.
func newToken() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// Issue enters a closed month's statement in the register and returns its
// verification token: the same token every time the same figures are
// issued, so that every print is the same document.
func (s *Store) Issue(ctx context.Context, st Statement) (string, error) {
	if !st.Closed {
		return "", fmt.Errorf("reports: issue %s: a provisional statement is not issued", st.Number)
	}
	token, err := newToken()
	if err != nil {
		return "", fmt.Errorf("reports: issue %s: %w", st.Number, err)
	}
	totals, err := json.Marshal(st.Totals())
	if err != nil {
		return "", err
	}
	var got string
	err = s.db.GetContext(ctx, &got, `
		WITH ins AS (
			INSERT INTO report_statements (number, participant_code, month, fingerprint, token, totals)
			VALUES ($1, $2, $3::date, $4, $5, $6)
			ON CONFLICT (number, fingerprint) DO NOTHING
			RETURNING token)
		SELECT token FROM ins
		UNION ALL
		SELECT token FROM report_statements WHERE number = $1 AND fingerprint = $4
		LIMIT 1`, st.Number, st.Code, st.Month.Format(time.DateOnly), st.Fingerprint, token, totals)
	if err != nil {
		return "", fmt.Errorf("reports: issue %s: %w", st.Number, err)
	}
	return got, nil
}

// VerifyURL is the verification address of a token.
func (s *Store) VerifyURL(token string) string { return s.PublicURL + "/verify/" + token }

// Lookup reads the register by token; a token never issued (or malformed)
// is ErrNotIssued.
func (s *Store) Lookup(ctx context.Context, token string) (Issued, error) {
	var is Issued
	if len(token) != 32 || strings.Trim(token, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		return Issued{}, ErrNotIssued
	}
	err := s.db.GetContext(ctx, &is, `
		SELECT number, month, fingerprint, token, totals, issued_at FROM report_statements WHERE token = $1`, token)
	if err != nil {
		return Issued{}, fmt.Errorf("reports: lookup: %w", pg.NotFound(err, ErrNotIssued))
	}
	if err := json.Unmarshal(is.TotalsJSON, &is.Totals); err != nil {
		return Issued{}, fmt.Errorf("reports: lookup %s: %w", is.Number, err)
	}
	return is, nil
}

// IssuedAs reads the register by number and fingerprint.
func (s *Store) IssuedAs(ctx context.Context, number, fingerprint string) (Issued, error) {
	var token string
	err := s.db.GetContext(ctx, &token, `SELECT token FROM report_statements WHERE number = $1 AND fingerprint = $2`, number, fingerprint)
	if errors.Is(err, sql.ErrNoRows) {
		return Issued{}, ErrNotIssued
	}
	if err != nil {
		return Issued{}, fmt.Errorf("reports: register %s: %w", number, err)
	}
	return s.Lookup(ctx, token)
}

// Document is a printed statement: the PDF and its CSV twin.
type Document struct {
	Statement Statement
	PDF       []byte
	CSV       []byte
}

// Print builds, issues (closed months) and prints a vendor's statement in
// lang. A closed month prints as the same bytes every time.
func (s *Store) Print(ctx context.Context, code string, month time.Time, lang string, now time.Time) (Document, error) {
	st, err := s.Statement(ctx, code, month, thai.Today(now))
	if err != nil {
		return Document{}, err
	}
	return s.print(ctx, st, lang, now)
}

func (s *Store) print(ctx context.Context, st Statement, lang string, now time.Time) (Document, error) {
	o := PDFOptions{Lang: lang, Created: now}
	if st.Closed {
		token, err := s.Issue(ctx, st)
		if err != nil {
			return Document{}, err
		}
		o.VerifyURL = s.VerifyURL(token)
		o.Created = s.closedAt(ctx, st)
	}
	pdf, err := st.PDF(o)
	if err != nil {
		return Document{}, err
	}
	return Document{Statement: st, PDF: pdf, CSV: st.CSV(lang)}, nil
}

// closedAt is the fixed creation date of a closed month's statement: the
// last day of the month, at noon in Bangkok. (The close's own time would
// change if the month were reopened and closed again with the same figures.)
func (s *Store) closedAt(_ context.Context, st Statement) time.Time {
	return time.Date(st.Month.Year(), st.Month.Month()+1, 0, 12, 0, 0, 0, thai.Bangkok)
}
