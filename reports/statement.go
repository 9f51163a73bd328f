package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"hawker/grants"
	"hawker/ledger"
	"hawker/money"
	"hawker/vendors"
)

// Amount is a labelled figure of a statement's summary: Key is a sale's
// method or an expense's category.
type Amount struct {
	Key    string
	Amount money.Amount
}

// Item is a dated line with its own text: a grant or an equipment item.
type Item struct {
	Date   time.Time
	Text   string
	Amount money.Amount
	Entry  int64 // the ledger entry it comes from
	// Grant and GrantKind ("cash", "equipment", "returned") name what the
	// grants package recorded for the entry, when it did.
	Grant     int64
	GrantKind string
}

// Row is one line of the cash receipts and payments table: one ledger
// entry's effect on the money the vendor holds (cash on hand and her
// PromptPay/bank account). Date is the day it was booked; Own the day it
// happened, which differs for an entry booked late because its own month
// had closed.
type Row struct {
	Entry    int64
	Date     time.Time
	Own      time.Time
	Late     bool
	Kind     string // sale, expense, drawing, grant, other
	What     string // method or category
	Note     string // the vendor's note or the ledger's memo
	Void     bool   // the reversal of a voided entry
	Receipt  money.Amount
	Payment  money.Amount
	Balance  money.Amount
	Reversed bool // voided later in the month (its reversal is its own row)
	// Grant and GrantKind: as Item's, for a grant's row.
	Grant     int64
	GrantKind string
}

// Statement is a vendor's month: every figure a statement shows, computed
// from the ledger alone (BuildStatement). Its fingerprint is the SHA-256 of
// those figures, the same in Thai and English.
type Statement struct {
	Number   string // <CODE>-<YYYY-MM>: one per vendor and month
	Code     string
	Name     string
	Business string
	Month    time.Time
	Closed   bool // built from a closed month's snapshot; else provisional

	Opening      money.Amount // cash on hand + PromptPay/bank
	SalesBy      []Amount     // by method, every method
	Sales        money.Amount
	ExpensesBy   []Amount // by category, every category
	Expenses     money.Amount
	Drawings     money.Amount
	Profit       money.Amount // sales less expenses
	Grants       []Item       // grant money and capital received
	GrantsTotal  money.Amount
	EquipmentIn  []Item // equipment received this month
	Closing      money.Amount
	Receipts     money.Amount // the table's totals
	Payments     money.Amount
	Rows         []Row
	DailySales   []money.Amount // index 0 is the 1st
	Equipment    []Item         // held at the month's end
	EquipmentVal money.Amount

	Fingerprint string // hex SHA-256 of the figures
}

// Short is the fingerprint as printed: its first 16 hex digits in groups.
func (s Statement) Short() string { return ShortFingerprint(s.Fingerprint) }

// ShortFingerprint groups the first 16 hex digits of a fingerprint by four.
func ShortFingerprint(fp string) string {
	if len(fp) < 16 {
		return strings.ToUpper(fp)
	}
	fp = strings.ToUpper(fp[:16])
	return fp[0:4] + "-" + fp[4:8] + "-" + fp[8:12] + "-" + fp[12:16]
}

// StatementNumber is the number of a vendor's statement for a month.
func StatementNumber(code string, month time.Time) string {
	return code + "-" + month.Format("2006-01")
}

// Vendor is who a statement is for.
type Vendor struct {
	Code     string
	Name     string
	Business string
}

// Money accounts: what the cash receipts and payments table follows.
var moneyAccounts = []string{vendors.AccountCash, vendors.AccountPromptPay}

// salesMethodOf is the method of a sale by the account that took the money.
var salesMethodOf = map[string]vendors.Method{
	vendors.AccountCash:       vendors.Cash,
	vendors.AccountPromptPay:  vendors.PromptPay,
	vendors.AccountReceivable: vendors.Credit,
}

// BuildStatement computes a vendor's statement from her book's month (bm),
// the descriptions of its vendor entries (vendors.Describe) and the lines of
// her equipment account through the month's end. Every figure comes from
// ledger lines or, for a closed month, its snapshot; descriptions only name
// rows and mark late ones.
func BuildStatement(v Vendor, bm ledger.BookMonth, described map[int64]vendors.Described, equipment []ledger.BookLine) (Statement, error) {
	st := Statement{
		Number: StatementNumber(v.Code, bm.Month), Code: v.Code, Name: v.Name, Business: v.Business,
		Month: bm.Month, Closed: bm.Closed,
	}
	acct := func(code string) ledger.AccountMonth {
		a, _ := bm.Account(code)
		return a
	}
	for _, c := range moneyAccounts {
		st.Opening = st.Opening.Add(acct(c).Opening)
		st.Closing = st.Closing.Add(acct(c).Closing)
	}
	sales := acct(vendors.AccountSales)
	st.Sales = sales.Credits.Sub(sales.Debits)
	st.Expenses = money.Zero
	for _, c := range vendors.Categories {
		a := acct(vendors.ExpenseAccount(c))
		amt := a.Debits.Sub(a.Credits)
		st.ExpensesBy = append(st.ExpensesBy, Amount{string(c), amt})
		st.Expenses = st.Expenses.Add(amt)
	}
	dr := acct(vendors.AccountDrawings)
	st.Drawings = dr.Debits.Sub(dr.Credits)
	st.Profit = st.Sales.Sub(st.Expenses)

	// Entries of the month, in the ledger's order.
	type entry struct {
		id    int64
		date  time.Time
		memo  string
		rev   *int64
		lines []ledger.BookLine
	}
	var entries []*entry
	byID := map[int64]*entry{}
	for _, l := range bm.Lines {
		e := byID[l.EntryID]
		if e == nil {
			e = &entry{id: l.EntryID, date: l.BusinessDate, memo: l.Memo, rev: l.Reverses}
			byID[l.EntryID] = e
			entries = append(entries, e)
		}
		e.lines = append(e.lines, l)
	}
	days := bm.Month.AddDate(0, 1, -1).Day()
	st.DailySales = make([]money.Amount, days)
	byMethod := map[vendors.Method]money.Amount{}
	reversedInMonth := map[int64]bool{}
	for _, e := range entries {
		if e.rev != nil {
			reversedInMonth[*e.rev] = true
		}
	}
	running := st.Opening
	st.Receipts, st.Payments, st.GrantsTotal = money.Zero, money.Zero, money.Zero
	for _, e := range entries {
		held, sale := money.Zero, money.Zero // what the entry moves in cash and bank; its sale
		saleAcct := ""
		grant := false
		for _, l := range e.lines {
			switch l.Code {
			case vendors.AccountCash, vendors.AccountPromptPay:
				held = held.Add(l.Amount)
			case vendors.AccountSales:
				sale = sale.Sub(l.Amount)
			case vendors.AccountGrantIncome, vendors.AccountGrantCapital:
				grant = true
				st.Grants = append(st.Grants, Item{Date: l.BusinessDate, Text: e.memo, Amount: l.Amount.Neg(), Entry: e.id})
				st.GrantsTotal = st.GrantsTotal.Sub(l.Amount)
			case vendors.AccountEquipment:
				st.EquipmentIn = append(st.EquipmentIn, Item{Date: l.BusinessDate, Text: e.memo, Amount: l.Amount, Entry: e.id})
			}
			if _, ok := salesMethodOf[l.Code]; ok && saleAcct == "" {
				saleAcct = l.Code
			}
		}
		if !sale.IsZero() {
			m := salesMethodOf[saleAcct]
			if m == "" {
				return Statement{}, fmt.Errorf("reports: %s: sale entry %d takes money into no known account", st.Number, e.id)
			}
			byMethod[m] = byMethod[m].Add(sale)
			st.DailySales[e.date.Day()-1] = st.DailySales[e.date.Day()-1].Add(sale)
		}
		if held.IsZero() {
			continue
		}
		r := Row{Entry: e.id, Date: e.date, Own: e.date, Note: e.memo, Reversed: reversedInMonth[e.id]}
		switch d, ok := described[e.id]; {
		case ok:
			r.Kind, r.Note, r.Own, r.Void = string(d.Kind), d.Note, d.Date, d.Void
			if d.Method != nil {
				r.What = string(*d.Method)
			}
			if d.Category != nil {
				r.What = string(*d.Category)
			}
			if d.Void {
				r.Note = d.Reason
			}
		case grant:
			r.Kind = "grant"
		default:
			r.Kind = "other"
		}
		r.Late = r.Own.Before(bm.Month)
		if held.IsPositive() {
			r.Receipt = held
			st.Receipts = st.Receipts.Add(held)
		} else {
			r.Payment = held.Neg()
			st.Payments = st.Payments.Add(r.Payment)
		}
		running = running.Add(held)
		r.Balance = running
		st.Rows = append(st.Rows, r)
	}
	for _, m := range vendors.Methods {
		st.SalesBy = append(st.SalesBy, Amount{string(m), byMethod[m].Add(money.Zero)})
	}
	if !running.Equal(st.Closing) {
		return Statement{}, fmt.Errorf("reports: %s: the lines end at %s but the month closes at %s", st.Number, running.String(), st.Closing.String())
	}
	var methods money.Amount
	for _, a := range st.SalesBy {
		methods = methods.Add(a.Amount)
	}
	if !methods.Equal(st.Sales) {
		return Statement{}, fmt.Errorf("reports: %s: sales by method sum to %s, the sales account to %s", st.Number, methods.String(), st.Sales.String())
	}

	// Equipment held: what the account was made of, less what was reversed.
	reversed := map[int64]bool{}
	for _, l := range equipment {
		if l.Reverses != nil {
			reversed[*l.Reverses] = true
		}
	}
	st.EquipmentVal = money.Zero
	for _, l := range equipment {
		if l.Reverses != nil || reversed[l.EntryID] {
			continue
		}
		st.Equipment = append(st.Equipment, Item{Date: l.BusinessDate, Text: l.Memo, Amount: l.Amount, Entry: l.EntryID})
		st.EquipmentVal = st.EquipmentVal.Add(l.Amount)
	}
	if eq, ok := bm.Account(vendors.AccountEquipment); ok && !eq.Closing.Equal(st.EquipmentVal) {
		return Statement{}, fmt.Errorf("reports: %s: equipment items sum to %s, the account to %s", st.Number, st.EquipmentVal.String(), eq.Closing.String())
	}
	st.Fingerprint = st.fingerprint()
	return st, nil
}

// NameGrants names the grant lines, the table's rows and the equipment by
// what the grants package recorded for their ledger entries (the grant,
// cash or the item handed over). Names are not figures: the fingerprint
// stays.
func (s *Statement) NameGrants(lines []grants.ReceivedLine) {
	by := map[int64]grants.ReceivedLine{}
	for _, l := range lines {
		by[l.EntryID] = l
	}
	for _, items := range [][]Item{s.Grants, s.EquipmentIn, s.Equipment} {
		for i := range items {
			if l, ok := by[items[i].Entry]; ok {
				items[i].Grant, items[i].GrantKind = l.Grant, l.Kind
				if l.Kind != "cash" {
					items[i].Text = l.Description
				}
			}
		}
	}
	for i := range s.Rows {
		if l, ok := by[s.Rows[i].Entry]; ok {
			s.Rows[i].Grant, s.Rows[i].GrantKind = l.Grant, l.Kind
			if l.Kind != "cash" {
				s.Rows[i].Note = l.Description
			}
		}
	}
}

// fingerprint is the SHA-256 of the statement's figures in a fixed text
// form: who, which month, whether closed, every total and every row. Words
// and language are not in it, so the Thai and the English print share it.
func (s Statement) fingerprint() string {
	var b strings.Builder
	f := func(name string, v any) {
		switch x := v.(type) {
		case money.Amount:
			v = x.String() // "1234.50", as decimal's StringFixed(2) wrote it: fingerprints stay
		case time.Time:
			v = x.Format(time.DateOnly)
		}
		fmt.Fprintf(&b, "%s=%v\n", name, v)
	}
	f("v", 1)
	f("number", s.Number)
	f("code", s.Code)
	f("month", s.Month)
	f("closed", s.Closed)
	f("opening", s.Opening)
	for _, a := range s.SalesBy {
		f("sales."+a.Key, a.Amount)
	}
	f("sales", s.Sales)
	for _, a := range s.ExpensesBy {
		f("expenses."+a.Key, a.Amount)
	}
	f("expenses", s.Expenses)
	f("drawings", s.Drawings)
	f("profit", s.Profit)
	for _, g := range s.Grants {
		f("grant", g.Date.Format(time.DateOnly)+" "+g.Amount.String())
	}
	f("grants", s.GrantsTotal)
	for _, e := range s.EquipmentIn {
		f("equipment_in", e.Date.Format(time.DateOnly)+" "+e.Amount.String())
	}
	f("closing", s.Closing)
	for _, r := range s.Rows {
		f("row", fmt.Sprintf("%d %s %s %s %s %s", r.Entry, r.Date.Format(time.DateOnly), r.Own.Format(time.DateOnly),
			r.Receipt.String(), r.Payment.String(), r.Balance.String()))
	}
	f("equipment", s.EquipmentVal)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Totals are the figures a verification page shows: a statement's month
// and totals, nothing that names the vendor.
type Totals struct {
	Opening  money.Amount `json:"opening"`
	Sales    money.Amount `json:"sales"`
	Expenses money.Amount `json:"expenses"`
	Drawings money.Amount `json:"drawings"`
	Profit   money.Amount `json:"profit"`
	Grants   money.Amount `json:"grants"`
	Closing  money.Amount `json:"closing"`
}

// Totals are s's totals.
func (s Statement) Totals() Totals {
	return Totals{Opening: s.Opening, Sales: s.Sales, Expenses: s.Expenses, Drawings: s.Drawings, Profit: s.Profit,
		Grants: s.GrantsTotal, Closing: s.Closing}
}

// activeDays counts the days with sales, for the chart's caption.
func (s Statement) activeDays() int {
	return len(s.DailySales) - len(slices.DeleteFunc(slices.Clone(s.DailySales), func(d money.Amount) bool { return !d.IsZero() }))
}
