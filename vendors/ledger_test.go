package vendors_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"hawker/audit"
	"hawker/ledger"
	"hawker/pg"
	"hawker/pg/pgtest"
	"hawker/vendors"
)

// TestPostToHerBookInACallersTransaction is what a grant's disbursement
// does: in one transaction of the caller's, the vendor's book is made if
// need be and one entry is posted in the programme's book and one in hers,
// through the ledger. A rollback leaves neither, nor a remembered book; after
// a commit her own entries land in the same book.
func TestPostToHerBookInACallersTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	vs := vendors.NewStore(db)
	l := vs.Ledger()
	p := enrol(t, db, 1)
	prog, err := l.CreateBook(ctx, ledger.Programme, "programme", "Programme")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []ledger.Account{
		{BookID: prog.ID, Code: "fund", Type: ledger.Asset, Floor: decimal.NewNullDecimal(decimal.Zero)},
		{BookID: prog.ID, Code: "donations", Type: ledger.Income},
		{BookID: prog.ID, Code: "grants", Type: ledger.Expense},
	} {
		if _, err := l.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Post(ctx, ledger.Posting{Book: prog.ID, BusinessDate: today, Lines: []ledger.Line{
		{Code: "fund", Amount: dec("10000").Decimal()}, {Code: "donations", Amount: dec("-10000").Decimal()}}}); err != nil {
		t.Fatal(err)
	}
	disburse := func(amount string, commit bool) error {
		errRollback := errors.New("roll back")
		err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
			book, err := vs.In(tx).EnsureBook(ctx, p.ID, p.Code)
			if err != nil {
				return err
			}
			if _, err := l.In(tx).PostAll(ctx,
				ledger.Posting{Book: prog.ID, BusinessDate: today, Reference: "grant-1/1", IdempotencyKey: "grant-1/1",
					Lines: []ledger.Line{{Code: "grants", Amount: dec(amount).Decimal()}, {Code: "fund", Amount: dec(amount).Neg().Decimal()}}},
				ledger.Posting{Book: book, BusinessDate: today, Reference: "grant-1/1", IdempotencyKey: "grant-1/1",
					Lines: []ledger.Line{{Code: vendors.AccountCash, Amount: dec(amount).Decimal()}, {Code: vendors.AccountGrantIncome, Amount: dec(amount).Neg().Decimal()}}},
			); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, audit.System, "grant.disburse", "participant:"+p.Code, amount); err != nil {
				return err
			}
			if !commit {
				return errRollback
			}
			return nil
		})
		if errors.Is(err, errRollback) {
			return nil
		}
		return err
	}
	if err := disburse("5000", false); err != nil {
		t.Fatal(err)
	}
	if _, err := vs.Book(ctx, p.ID); !errors.Is(err, vendors.ErrNotFound) {
		t.Fatalf("a rolled-back disbursement left her a book: %v", err)
	}
	if entries, _ := ledgerRows(t, db); entries != 1 {
		t.Fatalf("a rolled-back disbursement left %d entries, want the donation alone", entries)
	}
	if err := disburse("12000", true); !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("beyond the fund: %v", err)
	}
	if err := disburse("5000", true); err != nil {
		t.Fatal(err)
	}
	cash, err := vs.CashOnHand(ctx, p.ID)
	if err != nil || !cash.Equal(dec("5000")) {
		t.Fatalf("her cash after the grant = %s, %v", cash, err)
	}
	if _, err := vs.Record(ctx, audit.System, request(p, "own-1", sale("2026-03-14", "120", "cash"))); err != nil {
		t.Fatal(err)
	}
	book, err := vs.Book(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := l.BalanceOf(ctx, book, vendors.AccountCash); err != nil || !c.Equal(dec("5120")) {
		t.Fatalf("her cash in her one book = %s, %v", c, err)
	}
}
