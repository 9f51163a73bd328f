package reports

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"hawker/ledger"
	"hawker/money"
	"hawker/vendors"
)

// SampleMonth is a made-up vendor month of n entries in November 2026, as
// the ledger would return it: sales by every method, expenses, drawings, a
// void, a late entry, a grant tranche and a cart handed over. The benchmark
// (`make bench-pdf`) and the layout tests print it; nothing else uses it.
func SampleMonth(n int, closed bool) (Vendor, ledger.BookMonth, map[int64]vendors.Described, []ledger.BookLine) {
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	v := Vendor{Code: "HSF-0042", Name: "นางสาวปิ่นแก้ว ฟุ้งเฟื่องฟู", Business: "ก๋วยเตี๋ยวเรือน้ำใส ปากซอยวัดญาณเวศกวัน"}
	accounts := map[string]int64{}
	var ams []ledger.AccountMonth
	codes := []string{vendors.AccountCash, vendors.AccountPromptPay, vendors.AccountReceivable, vendors.AccountEquipment,
		vendors.AccountDrawings, vendors.AccountGrantCapital, vendors.AccountSales, vendors.AccountGrantIncome}
	for _, c := range vendors.Categories {
		codes = append(codes, vendors.ExpenseAccount(c))
	}
	for i, c := range codes {
		accounts[c] = int64(i + 1)
	}
	bm := ledger.BookMonth{Book: ledger.Book{ID: 1, Kind: ledger.Vendor}, Month: month, Closed: closed}
	described := map[int64]vendors.Described{}
	var id, lineID int64
	post := func(day int, memo string, rev *int64, legs ...any) int64 {
		id++
		for i := 0; i < len(legs); i += 2 {
			lineID++
			bm.Lines = append(bm.Lines, ledger.BookLine{ID: lineID, EntryID: id, AccountID: accounts[legs[i].(string)],
				Code: legs[i].(string), BusinessDate: month.AddDate(0, 0, day-1), Amount: legs[i+1].(money.Amount),
				Memo: memo, Reverses: rev})
		}
		return id
	}
	amt := money.Satang
	meth := func(m vendors.Method) *vendors.Method { return &m }
	cat := func(c vendors.Category) *vendors.Category { return &c }
	grant := post(1, "ทุนงวดที่ 1 กองทุนอาหารปลอดภัย", nil, vendors.AccountCash, amt(500000), vendors.AccountGrantIncome, amt(-500000))
	_ = grant
	cart := post(2, "รถเข็นสแตนเลส AT-0042", nil, vendors.AccountEquipment, amt(3000000), vendors.AccountGrantCapital, amt(-3000000))
	_ = cart
	for i := 0; len(bm.Lines) < 2*n; i++ {
		day := 1 + i*29/max(n, 1)%30
		if day > 30 {
			day = 30
		}
		switch i % 6 {
		case 0, 1, 3:
			m := []vendors.Method{vendors.Cash, vendors.PromptPay, vendors.Cash, vendors.Credit}[i%4]
			debit := map[vendors.Method]string{vendors.Cash: vendors.AccountCash, vendors.PromptPay: vendors.AccountPromptPay, vendors.Credit: vendors.AccountReceivable}[m]
			a := amt(int64(85000 + (i*7919)%90000))
			e := post(day, "sale", nil, debit, a, vendors.AccountSales, a.Neg())
			described[e] = vendors.Described{EntryID: e, Kind: vendors.Sale, Method: meth(m), Date: month.AddDate(0, 0, day-1), Note: "ขายหน้าตลาด"}
		case 2, 4:
			c := vendors.Categories[i%len(vendors.Categories)]
			a := amt(int64(12000 + (i*3571)%40000))
			e := post(day, "expense", nil, vendors.ExpenseAccount(c), a, vendors.AccountCash, a.Neg())
			described[e] = vendors.Described{EntryID: e, Kind: vendors.Expense, Category: cat(c), Date: month.AddDate(0, 0, day-1)}
		case 5:
			a := amt(int64(30000 + (i*1237)%20000))
			e := post(day, "drawing", nil, vendors.AccountDrawings, a, vendors.AccountCash, a.Neg())
			described[e] = vendors.Described{EntryID: e, Kind: vendors.Drawing, Date: month.AddDate(0, 0, day-1), Note: "ค่าเทอมลูก"}
		}
	}
	// A late sale (it happened on 30 October, whose month had closed) and
	// a void of a sale.
	late := post(3, "sale", nil, vendors.AccountCash, amt(64050), vendors.AccountSales, amt(-64050))
	described[late] = vendors.Described{EntryID: late, Kind: vendors.Sale, Method: meth(vendors.Cash), Date: month.AddDate(0, 0, -2), Note: "ส่งไม่ได้ตอนออฟไลน์"}
	wrong := post(20, "sale", nil, vendors.AccountCash, amt(99900), vendors.AccountSales, amt(-99900))
	described[wrong] = vendors.Described{EntryID: wrong, Kind: vendors.Sale, Method: meth(vendors.Cash), Date: month.AddDate(0, 0, 19)}
	void := post(20, "void: typed twice", &wrong, vendors.AccountCash, amt(-99900), vendors.AccountSales, amt(99900))
	described[void] = vendors.Described{EntryID: void, Kind: vendors.Sale, Method: meth(vendors.Cash), Date: month.AddDate(0, 0, 19), Void: true, Reason: "บันทึกซ้ำ"}
	sortLines(bm.Lines)

	opening := map[string]money.Amount{vendors.AccountCash: amt(321075), vendors.AccountPromptPay: amt(125000)}
	sums := map[string][2]money.Amount{}
	for _, l := range bm.Lines {
		s := sums[l.Code]
		if l.Amount.IsPositive() {
			s[0] = s[0].Add(l.Amount)
		} else {
			s[1] = s[1].Sub(l.Amount)
		}
		sums[l.Code] = s
	}
	for _, c := range codes {
		o := opening[c]
		s := sums[c]
		ams = append(ams, ledger.AccountMonth{Account: ledger.Account{ID: accounts[c], BookID: 1, Code: c},
			Opening: o, Debits: s[0], Credits: s[1], Closing: o.Add(s[0]).Sub(s[1])})
	}
	bm.Accounts = ams
	equipment := []ledger.BookLine{
		{ID: 9001, EntryID: 9001, Code: vendors.AccountEquipment, BusinessDate: month.AddDate(0, -3, 4), Amount: amt(450000), Memo: "ตู้แช่น้ำแข็ง ICE-17"},
	}
	for _, l := range bm.Lines {
		if l.Code == vendors.AccountEquipment {
			equipment = append(equipment, l)
		}
	}
	// The equipment account opened with the cooler.
	for i := range bm.Accounts {
		if bm.Accounts[i].Code == vendors.AccountEquipment {
			bm.Accounts[i].Opening = amt(450000)
			bm.Accounts[i].Closing = bm.Accounts[i].Closing.Add(amt(450000))
		}
	}
	return v, bm, described, equipment
}

// sortLines orders lines as the ledger does: date, entry, line.
func sortLines(ls []ledger.BookLine) {
	slices.SortStableFunc(ls, func(a, b ledger.BookLine) int {
		if c := a.BusinessDate.Compare(b.BusinessDate); c != 0 {
			return c
		}
		return cmp.Compare(a.EntryID, b.EntryID)
	})
}

// SampleStatement is SampleMonth built into a statement.
func SampleStatement(n int, closed bool) Statement {
	st, err := BuildStatement(SampleMonth(n, closed))
	if err != nil {
		panic(fmt.Sprintf("reports: sample statement: %v", err))
	}
	return st
}
