package grants

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"hawker/money"

	"hawker/audit"
	"hawker/pg"
	"hawker/valid"
)

// Fund is a donor's restricted fund.
type Fund struct {
	ID        int64     `db:"id" json:"id"`
	DonorID   int64     `db:"donor_id" json:"donor"`
	DonorName string    `db:"-" json:"-"`
	Name      string    `db:"name" json:"name"`
	Purpose   string    `db:"purpose" json:"purpose"`
	BookID    int64     `db:"book_id" json:"-"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	CreatedBy *int64    `db:"created_by" json:"-"`
}

// Object is the fund's name in the audit trail.
func (f Fund) Object() string { return fmt.Sprintf("fund:%d", f.ID) }

// NewFund is what opening a fund needs.
type NewFund struct {
	Donor   int64  `json:"donor"`
	Name    string `json:"name"`
	Purpose string `json:"purpose"`
}

// Check validates a new fund's fields.
func (n NewFund) Check() (NewFund, error) {
	errs := valid.Errors{}
	if n.Donor <= 0 {
		errs.Add("donor", "fund.donor_required")
	}
	n.Name = checkText(errs, "name", n.Name, true, 200)
	n.Purpose = checkText(errs, "purpose", n.Purpose, false, MaxText)
	return n, errs.Err()
}

const fundColumns = `f.id, f.donor_id, f.name, f.purpose, f.book_id, f.created_at, f.created_by`
const fundFrom = ` FROM funds f`

// CreateFund opens a fund for a donor, with its accounts in the programme's book.
func (s *Store) CreateFund(ctx context.Context, a audit.Actor, n NewFund) (Fund, error) {
	n, err := n.Check()
	if err != nil {
		return Fund{}, err
	}
	var f Fund
	err = pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		book, err := s.programmeBookTx(ctx, tx)
		if err != nil {
			return err
		}
		var id int64
		err = tx.GetContext(ctx, &id, `
			INSERT INTO funds (donor_id, name, purpose, book_id, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			n.Donor, n.Name, n.Purpose, book, a.User())
		if pg.Constraint(err) == "funds_donor_id_fkey" {
			return valid.Errors{"donor": "fund.donor_unknown"}
		}
		if err != nil {
			return fmt.Errorf("grants: create fund: %w", err)
		}
		if err := s.createFundAccountsTx(ctx, tx, book, id, n.Name); err != nil {
			return fmt.Errorf("grants: create fund %d: %w", id, err)
		}
		if err := tx.GetContext(ctx, &f, `SELECT `+fundColumns+fundFrom+` WHERE f.id = $1`, id); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "fund.create", f.Object(), fmt.Sprintf("donor %d, %s", n.Donor, n.Name),
			audit.Details{"donor": strconv.FormatInt(n.Donor, 10), "name": n.Name})
	})
	return f, err
}

// Fund reads a fund.
func (s *Store) Fund(ctx context.Context, id int64) (Fund, error) {
	var f Fund
	if err := s.db.GetContext(ctx, &f, `SELECT `+fundColumns+fundFrom+` WHERE f.id = $1`, id); err != nil {
		return Fund{}, fmt.Errorf("grants: fund %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	d, err := s.donors.ByID(ctx, f.DonorID)
	if err != nil {
		return Fund{}, fmt.Errorf("grants: fund %d: %w", id, err)
	}
	f.DonorName = d.Name
	return f, nil
}

// Funds lists funds by donor and name; a donor above 0 lists only theirs.
func (s *Store) Funds(ctx context.Context, donor int64) ([]Fund, error) {
	fs := []Fund{}
	err := s.db.SelectContext(ctx, &fs, `SELECT `+fundColumns+fundFrom+`
		WHERE $1 = 0 OR f.donor_id = $1 ORDER BY f.name, f.id`, donor)
	if err != nil {
		return nil, fmt.Errorf("grants: funds: %w", err)
	}
	names, err := s.donorNames(ctx)
	if err != nil {
		return nil, err
	}
	for i := range fs {
		fs[i].DonorName = names[fs[i].DonorID]
	}
	// By donor, then fund (the sort is stable: funds stay by name).
	slices.SortStableFunc(fs, func(a, b Fund) int { return strings.Compare(a.DonorName, b.DonorName) })
	return fs, nil
}

// donorNames maps donor ids to names, from the donors' own store.
func (s *Store) donorNames(ctx context.Context) (map[int64]string, error) {
	ds, err := s.donors.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("grants: donors: %w", err)
	}
	out := make(map[int64]string, len(ds))
	for _, d := range ds {
		out[d.ID] = d.Name
	}
	return out, nil
}

// Figures reads a fund's figures from its ledger accounts.
func (s *Store) Figures(ctx context.Context, f Fund) (Figures, error) {
	bal, err := s.ledger.BalancesByCode(ctx, f.BookID, fundCodes(f.ID))
	if err != nil {
		return Figures{}, fmt.Errorf("grants: figures of fund %d: %w", f.ID, err)
	}
	return figuresOf(f.ID, bal), nil
}

// FiguresFromLines recomputes a fund's figures from the ledger's lines alone,
// without the stored balances: a check that the two agree.
func (s *Store) FiguresFromLines(ctx context.Context, f Fund) (Figures, error) {
	sums, err := s.ledger.SumsByCode(ctx, f.BookID, fundCodes(f.ID))
	if err != nil {
		return Figures{}, fmt.Errorf("grants: figures of fund %d from lines: %w", f.ID, err)
	}
	return figuresOf(f.ID, sums), nil
}

// FundFigures is a fund and its figures, for the dashboard.
type FundFigures struct {
	Fund
	Figures
}

// Dashboard lists funds (a donor's only, when donor > 0) with their figures.
func (s *Store) Dashboard(ctx context.Context, donor int64) ([]FundFigures, error) {
	fs, err := s.Funds(ctx, donor)
	if err != nil {
		return nil, err
	}
	out := make([]FundFigures, 0, len(fs))
	byBook := map[int64][]string{}
	for _, f := range fs {
		byBook[f.BookID] = append(byBook[f.BookID], fundCodes(f.ID)...)
	}
	bal := map[string]money.Amount{}
	for book, codes := range byBook {
		b, err := s.ledger.BalancesByCode(ctx, book, codes)
		if err != nil {
			return nil, fmt.Errorf("grants: dashboard: %w", err)
		}
		for k, v := range b {
			bal[k] = v
		}
	}
	for _, f := range fs {
		out = append(out, FundFigures{Fund: f, Figures: figuresOf(f.ID, bal)})
	}
	return out, nil
}

// Receipt is money received into a fund.
type Receipt struct {
	ID             int64        `db:"id" json:"id"`
	FundID         int64        `db:"fund_id" json:"fund"`
	Amount         money.Amount `db:"amount" json:"amount"`
	ReceivedOn     time.Time    `db:"received_on" json:"received_on"`
	Note           string       `db:"note" json:"note"`
	EntryID        int64        `db:"entry_id" json:"entry_id"`
	IdempotencyKey string       `db:"idempotency_key" json:"-"`
	RequestHash    []byte       `db:"request_hash" json:"-"`
	RecordedBy     *int64       `db:"recorded_by" json:"-"`
	RecordedAt     time.Time    `db:"recorded_at" json:"recorded_at"`
	Replayed       bool         `db:"-" json:"-"`
}

// ReceiptInput is a receipt as a client sends it.
type ReceiptInput struct {
	Amount     money.Text `json:"amount"` // a JSON string such as "100000.00"; a number is refused
	ReceivedOn string     `json:"received_on"`
	Note       string     `json:"note"`
}

// checkedReceipt is a valid receipt request.
type checkedReceipt struct {
	amount money.Amount
	on     time.Time
	note   string
}

func (in ReceiptInput) check(today time.Time) (checkedReceipt, error) {
	errs := valid.Errors{}
	var r checkedReceipt
	if a, err := in.Amount.Parse(); amountKey(a, err) != "" {
		errs.Add("amount", amountKey(a, err))
	} else if !a.LessThan(maxTotal) {
		errs.Add("amount", "grant.amount_invalid")
	} else {
		r.amount = a
	}
	if d, key := ParseDate(in.ReceivedOn); key != "" {
		errs.Add("received_on", key)
	} else if d.After(today) {
		errs.Add("received_on", "grant.date_future")
	} else {
		r.on = d
	}
	r.note = checkText(errs, "note", in.Note, false, MaxText)
	return r, errs.Err()
}

func (r checkedReceipt) hash(fund int64) []byte {
	h := sha256.Sum256([]byte(strings.Join([]string{"v1", strconv.FormatInt(fund, 10), r.amount.String(),
		r.on.Format(time.DateOnly), strconv.Itoa(len(r.note)), r.note}, "\n")))
	return h[:]
}

const receiptColumns = `id, fund_id, amount, received_on, note, entry_id, idempotency_key, request_hash, recorded_by, recorded_at`

// Receive records money received into a fund, posted to the programme's
// book (available / received). The same key with the same request returns
// the first receipt with Replayed set; with another request it is
// ErrIdempotencyConflict.
func (s *Store) Receive(ctx context.Context, a audit.Actor, fundID int64, key string, in ReceiptInput, today time.Time) (Receipt, error) {
	r, err := in.check(today)
	if err != nil {
		return Receipt{}, err
	}
	f, err := s.Fund(ctx, fundID)
	if err != nil {
		return Receipt{}, err
	}
	hash := r.hash(f.ID)
	var out Receipt
	err = pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &out, `SELECT `+receiptColumns+` FROM fund_receipts WHERE idempotency_key = $1`, key)
		switch {
		case err == nil:
			if out.FundID != f.ID || string(out.RequestHash) != string(hash) {
				return fmt.Errorf("%w: receipt key %q", ErrIdempotencyConflict, key)
			}
			out.Replayed = true
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		p := fundPosting(f.BookID, f.ID, "Receipt into fund "+f.Name, f.Object()+":receipt", "receipt:"+key, a.UserID,
			leg{acctAvailable, r.amount}, leg{acctReceived, r.amount.Neg()})
		p.BusinessDate = r.on
		e, err := s.ledger.In(tx).Post(ctx, p)
		if err != nil {
			return fmt.Errorf("grants: receipt into fund %d: %w", f.ID, err)
		}
		err = tx.GetContext(ctx, &out, `
			INSERT INTO fund_receipts (fund_id, amount, received_on, note, entry_id, idempotency_key, request_hash, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+receiptColumns,
			f.ID, r.amount, r.on.Format(time.DateOnly), r.note, e.ID, key, hash, a.User())
		if pg.IsUnique(err, "fund_receipts_idempotency_key") {
			return retry
		}
		if err != nil {
			return fmt.Errorf("grants: receipt into fund %d: %w", f.ID, err)
		}
		return audit.RecordDetails(ctx, tx, a, "fund.receipt", f.Object(), fmt.Sprintf("received %s on %s", r.amount.String(), r.on.Format(time.DateOnly)),
			audit.Details{"amount": r.amount.String(), "on": r.on.Format(time.DateOnly)})
	})
	if err != nil {
		return Receipt{}, err
	}
	return out, nil
}

// retry is a race lost on a unique key: it carries PostgreSQL's
// serialization-failure code, so pg.InTx runs the transaction again, which
// then finds the winner's row.
var retry = &pq.Error{Code: "40001", Message: "grants: key taken concurrently"}

// Receipts lists a fund's receipts, newest first.
func (s *Store) Receipts(ctx context.Context, fundID int64) ([]Receipt, error) {
	rs := []Receipt{}
	err := s.db.SelectContext(ctx, &rs, `SELECT `+receiptColumns+` FROM fund_receipts WHERE fund_id = $1 ORDER BY received_on DESC, id DESC`, fundID)
	if err != nil {
		return nil, fmt.Errorf("grants: receipts of fund %d: %w", fundID, err)
	}
	return rs, nil
}
