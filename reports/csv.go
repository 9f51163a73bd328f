package reports

import (
	"bytes"
	"encoding/csv"
	"time"

	"hawker/money"
	"hawker/thai"
)

// CSV is the statement's twin for a spreadsheet: the same figures as the
// PDF, in lang, UTF-8 with a byte-order mark so that Excel reads the Thai.
// Amounts are plain decimals (1234.50) and dates ISO (2026-11-30), so
// that a spreadsheet reads them as numbers and dates.
func (st Statement) CSV(lang string) []byte {
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	amt := func(a money.Amount) string { return a.String() }
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	status := word(lang, "statement.doc_closed")
	if !st.Closed {
		status = word(lang, "statement.doc_provisional_mark")
	}
	p := &statementPDF{lang: lang, st: st}
	rows := [][]string{
		{word(lang, "statement.doc_programme")},
		{word(lang, "statement.doc_title"), thai.MonthIn(lang, st.Month)},
		{word(lang, "statement.doc_number"), st.Number},
		{word(lang, "statement.doc_code"), st.Code},
		{word(lang, "statement.doc_vendor"), st.Name},
		{word(lang, "statement.doc_business"), st.Business},
		{word(lang, "statement.doc_month"), st.Month.Format("2006-01")},
		{status},
		{word(lang, "statement.doc_fingerprint"), st.Fingerprint},
		{},
		{word(lang, "statement.doc_summary")},
		{word(lang, "statement.doc_opening"), amt(st.Opening), thai.BahtText(st.Opening.Decimal())},
	}
	for _, a := range st.SalesBy {
		rows = append(rows, []string{word(lang, "statement.doc_sales_"+a.Key), amt(a.Amount)})
	}
	rows = append(rows, []string{word(lang, "statement.doc_sales"), amt(st.Sales), thai.BahtText(st.Sales.Decimal())})
	for _, a := range st.ExpensesBy {
		rows = append(rows, []string{word(lang, "statement.doc_cat_"+a.Key), amt(a.Amount)})
	}
	rows = append(rows,
		[]string{word(lang, "statement.doc_expenses"), amt(st.Expenses), thai.BahtText(st.Expenses.Decimal())},
		[]string{word(lang, "statement.doc_profit"), amt(st.Profit), thai.BahtText(st.Profit.Decimal())},
		[]string{word(lang, "statement.doc_drawings"), amt(st.Drawings)},
		[]string{word(lang, "statement.doc_grants"), amt(st.GrantsTotal)})
	for _, g := range st.Grants {
		rows = append(rows, []string{"", amt(g.Amount), day(g.Date), p.itemText(g)})
	}
	rows = append(rows, []string{word(lang, "statement.doc_closing"), amt(st.Closing), thai.BahtText(st.Closing.Decimal())}, []string{},
		[]string{word(lang, "statement.doc_cashbook")},
		[]string{word(lang, "statement.doc_col_date"), word(lang, "statement.doc_col_item"), word(lang, "statement.doc_col_receipts"), word(lang, "statement.doc_col_payments"), word(lang, "statement.doc_col_balance"), word(lang, "statement.doc_col_late")},
		[]string{day(st.Month), word(lang, "statement.doc_brought"), "", "", amt(st.Opening), ""})
	for _, r := range st.Rows {
		rec, pay, own := "", "", ""
		if !r.Receipt.IsZero() {
			rec = amt(r.Receipt)
		}
		if !r.Payment.IsZero() {
			pay = amt(r.Payment)
		}
		if r.Late {
			own = day(r.Own)
		}
		r.Late = false // the own date has a column of its own here
		rows = append(rows, []string{day(r.Date), p.describe(r), rec, pay, amt(r.Balance), own})
	}
	rows = append(rows, []string{"", word(lang, "statement.doc_total"), amt(st.Receipts), amt(st.Payments), amt(st.Closing), ""}, []string{},
		[]string{word(lang, "statement.doc_equipment")})
	for _, e := range st.Equipment {
		rows = append(rows, []string{day(e.Date), p.itemText(e), amt(e.Amount)})
	}
	rows = append(rows, []string{word(lang, "statement.doc_equipment_total"), "", amt(st.EquipmentVal)})
	_ = writeSafe(w, rows) // a bytes.Buffer does not fail
	return b.Bytes()
}
