package grants

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"hawker/money"

	"hawker/ledger"
)

// The programme's book holds every fund's accounts. For fund N:
//
//	fund.N.received   equity   credit: money received from the donor
//	fund.N.available  asset    uncommitted cash; floor 0, so never over-committed
//	fund.N.committed  asset    cash committed to approved grants, not yet paid out
//	fund.N.stock      asset    equipment bought for approved grants or returned, not with anyone
//	fund.N.grants     expense  cash grants paid out
//	fund.N.inkind     expense  equipment handed over (in-kind grants)
//	fund.N.writeoff   expense  equipment written off
//
// Every fund entry stays within these accounts, so they always sum to zero:
// received = available + committed (cash and stock) + disbursed (cash,
// in kind, written off). A vendor's side of a release is her own book: cash
// or equipment, against grant capital.
const (
	ProgrammeRef = "programme"

	acctReceived  = "received"
	acctAvailable = "available"
	acctCommitted = "committed"
	acctStock     = "stock"
	acctGrants    = "grants"
	acctInKind    = "inkind"
	acctWriteOff  = "writeoff"

	// The vendor's accounts (see package vendors).
	vendorCash         = "cash"
	vendorEquipment    = "equipment"
	vendorGrantCapital = "grant_capital"
)

// fundChart is each fund's accounts; available, committed and stock hold
// real money or goods and may never go below zero.
var fundChart = []struct {
	suffix string
	typ    ledger.AccountType
	floor  bool
	th, en string
}{
	{acctReceived, ledger.Equity, false, "เงินทุนที่ได้รับจากผู้บริจาค", "Restricted contributions received"},
	{acctAvailable, ledger.Asset, true, "เงินกองทุนที่ยังไม่ผูกพัน", "Fund cash not committed"},
	{acctCommitted, ledger.Asset, true, "เงินกองทุนที่ผูกพันกับทุนที่อนุมัติแล้ว", "Fund cash committed to approved grants"},
	{acctStock, ledger.Asset, true, "อุปกรณ์ในคลัง", "Equipment stock"},
	{acctGrants, ledger.Expense, false, "ทุนเงินสดที่จ่ายแล้ว", "Cash grants paid"},
	{acctInKind, ledger.Expense, false, "ทุนสิ่งของที่ส่งมอบแล้ว", "In-kind grants (equipment handed over)"},
	{acctWriteOff, ledger.Expense, false, "อุปกรณ์ที่ตัดจำหน่าย", "Equipment written off"},
}

// code is the ledger code of one of fund's accounts.
func code(fund int64, suffix string) string { return fmt.Sprintf("fund.%d.%s", fund, suffix) }

func fundCodes(fund int64) []string {
	cs := make([]string, len(fundChart))
	for i, a := range fundChart {
		cs[i] = code(fund, a.suffix)
	}
	return cs
}

// programmeLock is the advisory lock class under which the programme's book is made.
const programmeLock = 0x67726e74 // "grnt"

// programmeBookTx returns the programme's book, creating it on first use.
// Creators queue on an advisory lock held until their commit, so a second
// one finds the first one's book.
func (s *Store) programmeBookTx(ctx context.Context, tx *sqlx.Tx) (int64, error) {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, 0)`, programmeLock); err != nil {
		return 0, err
	}
	b, err := s.ledger.BookByOwner(ctx, ledger.Programme, ProgrammeRef)
	if err == nil {
		return b.ID, nil
	}
	if !errors.Is(err, ledger.ErrNotFound) {
		return 0, err
	}
	b, err = s.ledger.In(tx).CreateBook(ctx, ledger.Programme, ProgrammeRef, "Programme")
	if err != nil {
		return 0, err
	}
	return b.ID, nil
}

// createFundAccountsTx opens fund's accounts in book.
func (s *Store) createFundAccountsTx(ctx context.Context, tx *sqlx.Tx, book, fund int64, name string) error {
	for _, a := range fundChart {
		acct := ledger.Account{BookID: book, Code: code(fund, a.suffix), Type: a.typ,
			NameTH: a.th + " — " + name, NameEN: a.en + " — " + name}
		if a.floor {
			acct.Floor = decimal.NullDecimal{Valid: true} // zero; the ledger takes a floor as a decimal
		}
		if _, err := s.ledger.In(tx).CreateAccount(ctx, acct); err != nil {
			return err
		}
	}
	return nil
}

// leg is one line of a fund posting: an account suffix and a signed amount.
type leg struct {
	suffix string
	amount money.Amount
}

// fundPosting is a programme-book entry on fund's accounts; zero legs are
// left out (the ledger refuses zero lines).
func fundPosting(book, fund int64, memo, ref, key string, by int64, legs ...leg) ledger.Posting {
	p := ledger.Posting{Book: book, Memo: memo, Reference: ref, IdempotencyKey: key, CreatedBy: by}
	for _, l := range legs {
		if l.amount.IsZero() {
			continue
		}
		p.Lines = append(p.Lines, ledger.Line{Code: code(fund, l.suffix), Amount: l.amount.Decimal()})
	}
	return p
}

// Figures are a fund's money, read from its ledger accounts.
type Figures struct {
	Received  money.Amount `json:"received"`
	Committed money.Amount `json:"committed"` // cash committed to approved grants and equipment in stock
	Disbursed money.Amount `json:"disbursed"` // cash paid, equipment handed over or written off
	Available money.Amount `json:"available"`
	// The parts of the figures above.
	CommittedCash money.Amount `json:"committed_cash"`
	Stock         money.Amount `json:"equipment_in_stock"`
	CashPaid      money.Amount `json:"cash_paid"`
	InKind        money.Amount `json:"in_kind"`
	WrittenOff    money.Amount `json:"written_off"`
}

// figuresOf turns the fund's balances (debit positive) into its figures.
func figuresOf(fund int64, bal map[string]money.Amount) Figures {
	b := func(suffix string) money.Amount { return bal[code(fund, suffix)] }
	f := Figures{
		Received:      b(acctReceived).Neg(),
		Available:     b(acctAvailable),
		CommittedCash: b(acctCommitted),
		Stock:         b(acctStock),
		CashPaid:      b(acctGrants),
		InKind:        b(acctInKind),
		WrittenOff:    b(acctWriteOff),
	}
	f.Committed = f.CommittedCash.Add(f.Stock)
	f.Disbursed = f.CashPaid.Add(f.InKind).Add(f.WrittenOff)
	return f
}

// ShortBy is how much the fund's available money lacks to carry total now,
// or zero when it can.
func (f Figures) ShortBy(total money.Amount) money.Amount {
	return money.Greatest(money.Zero, total.Sub(f.Available))
}

// Balanced reports whether available = received − committed − disbursed.
func (f Figures) Balanced() bool {
	return f.Available.Equal(f.Received.Sub(f.Committed).Sub(f.Disbursed))
}
