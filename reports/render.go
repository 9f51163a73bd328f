package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/skip2/go-qrcode"

	"hawker/money"
	"hawker/thai"
)

// PDFOptions say how a statement is printed.
type PDFOptions struct {
	Lang string // "th" (the default) or "en"
	// VerifyURL is the verification address printed and drawn as a QR
	// code; a provisional statement has none, and one given is ignored.
	VerifyURL string
	// Created is the document's creation date: the month's close for a
	// closed month, so that every print of it is the same bytes.
	Created time.Time
}

// Page geometry, in millimetres.
const (
	pageW, pageH  = 210.0, 297.0
	margin        = 15.0
	contentW      = pageW - 2*margin
	footerY       = 284.0
	bodyBottom    = 276.0
	rowH          = 6.0
	tableFontSize = 12.0
)

// Columns of the cash receipts and payments table.
var cols = [5]float64{27, 79, 24, 24, 26}

// statementPDF is a statement being printed.
type statementPDF struct {
	*doc
	st   Statement
	o    PDFOptions
	lang string
}

// PDF prints the statement: A4, Laksaman, in o.Lang.
func (st Statement) PDF(o PDFOptions) ([]byte, error) {
	lang := "th"
	if o.Lang == "en" {
		lang = "en"
	}
	if !st.Closed {
		o.VerifyURL = ""
	}
	p := &statementPDF{doc: newDoc(word(lang, "statement.doc_title")+" "+st.Number, o.Created), st: st, o: o, lang: lang}
	p.pdf.SetSubject(st.Number, false)
	// What `hawker statements verify` reads back: number, language and
	// the full fingerprint, in the document's information dictionary.
	p.pdf.SetKeywords(fmt.Sprintf("hawker-statement v1 number=%s lang=%s closed=%t fingerprint=%s",
		st.Number, lang, st.Closed, st.Fingerprint), false)
	p.pdf.AddPage()
	p.header()
	p.summary()
	p.chart()
	p.cashbook()
	p.equipment()
	p.footers()
	return p.bytes()
}

func (p *statementPDF) w(key string, args ...any) string { return word(p.lang, key, args...) }

func (p *statementPDF) money(a money.Amount) string { return a.Format() }

func (p *statementPDF) date(t time.Time) string { return thai.DateIn(p.lang, t) }

// y is the current vertical position; need starts a new page when h more
// millimetres do not fit.
func (p *statementPDF) y() float64 { return p.pdf.GetY() }

func (p *statementPDF) need(h float64) bool {
	if p.y()+h <= bodyBottom {
		return false
	}
	p.pdf.AddPage()
	p.pdf.SetY(margin)
	return true
}

func (p *statementPDF) header() {
	st := p.st
	p.font(true, 15)
	p.text(margin, 20, p.w("statement.doc_programme"))
	p.font(true, 20)
	p.text(margin, 30, p.w("statement.doc_title")+"  "+thai.MonthIn(p.lang, st.Month))
	p.font(false, 14)
	name := st.Name
	if name == "" {
		name = "—"
	}
	p.text(margin, 39, fmt.Sprintf("%s: %s   %s: %s", p.w("statement.doc_vendor"), name, p.w("statement.doc_code"), st.Code))
	if st.Business != "" {
		p.text(margin, 45.5, fmt.Sprintf("%s: %s", p.w("statement.doc_business"), st.Business))
	}
	status := p.w("statement.doc_closed")
	if !st.Closed {
		status = p.w("statement.doc_provisional_mark")
	}
	p.text(margin, 52, fmt.Sprintf("%s: %s   %s: %s   (%s)", p.w("statement.doc_number"), st.Number, p.w("statement.doc_fingerprint"), st.Short(), status))
	if p.o.VerifyURL != "" {
		p.qr(p.o.VerifyURL, pageW-margin-27, 10, 27)
		p.font(false, 11)
		p.text(margin, 58, p.w("statement.doc_verify")+" "+p.o.VerifyURL)
		p.pdf.SetY(61)
	} else {
		p.stamp(pageW-margin-52, 12)
		p.pdf.SetY(56)
	}
}

// stamp draws the provisional mark in a red box.
func (p *statementPDF) stamp(x, y float64) {
	p.pdf.SetDrawColor(190, 30, 30)
	p.pdf.SetTextColor(190, 30, 30)
	p.pdf.SetLineWidth(0.6)
	p.font(true, 16)
	p.pdf.SetXY(x, y)
	p.cell(52, 11, p.w("statement.doc_provisional_mark"), "1", "C", false, 0)
	p.pdf.SetLineWidth(0.2)
	p.pdf.SetDrawColor(0, 0, 0)
	p.pdf.SetTextColor(0, 0, 0)
}

// qr draws a QR code of s as filled squares, size mm wide, at (x, y).
func (p *statementPDF) qr(s string, x, y, size float64) {
	q, err := qrcode.New(s, qrcode.Medium)
	if err != nil {
		return // a URL too long for a QR code is printed as text alone
	}
	bm := q.Bitmap()
	cell := size / float64(len(bm))
	p.pdf.SetFillColor(0, 0, 0)
	for r, row := range bm {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			run := c
			for run < len(row) && row[run] {
				run++
			}
			p.pdf.Rect(x+float64(c)*cell, y+float64(r)*cell, float64(run-c)*cell, cell, "F")
			c = run
		}
	}
	p.pdf.SetFillColor(255, 255, 255)
}

// summaryRow prints a label and an amount; bold rows also get the amount
// in Thai words.
func (p *statementPDF) summaryRow(label string, d money.Amount, bold, indent bool) {
	p.font(bold, 13)
	x := margin
	if indent {
		x += 6
	}
	p.pdf.SetX(x)
	p.cell(64-(x-margin), 6, label, "", "L", false, 0)
	p.cell(30, 6, p.money(d), "", "R", false, 0)
	if bold {
		p.font(false, 11)
		p.pdf.SetX(margin + 96)
		p.cell(contentW-96, 6, "("+thai.BahtText(d.Decimal())+")", "", "L", false, 0)
	}
	p.pdf.Ln(6)
}

func (p *statementPDF) sectionTitle(key string) {
	p.font(true, 15)
	p.pdf.SetX(margin)
	p.cell(contentW, 8, p.w(key), "B", "L", false, 1)
	p.pdf.Ln(1)
}

func (p *statementPDF) summary() {
	st := p.st
	p.sectionTitle("statement.doc_summary")
	p.summaryRow(p.w("statement.doc_opening"), st.Opening, true, false)
	for _, a := range st.SalesBy {
		p.summaryRow(p.w("statement.doc_sales_"+a.Key), a.Amount, false, true)
	}
	p.summaryRow(p.w("statement.doc_sales"), st.Sales, true, false)
	for _, a := range st.ExpensesBy {
		if !a.Amount.IsZero() {
			p.summaryRow(p.w("statement.doc_cat_"+a.Key), a.Amount, false, true)
		}
	}
	p.summaryRow(p.w("statement.doc_expenses"), st.Expenses, true, false)
	p.summaryRow(p.w("statement.doc_profit"), st.Profit, true, false)
	p.summaryRow(p.w("statement.doc_drawings"), st.Drawings, false, false)
	p.summaryRow(p.w("statement.doc_grants"), st.GrantsTotal, false, false)
	for _, g := range st.Grants {
		p.item(g)
	}
	p.summaryRow(p.w("statement.doc_closing"), st.Closing, true, false)
	p.pdf.Ln(2)
}

// itemText names a grant line or an equipment item: a grant's cash by
// the grant's number, an item by its description.
func (p *statementPDF) itemText(it Item) string {
	switch it.GrantKind {
	case "cash":
		return p.w("statement.doc_grant_cash", "Grant", strconv.FormatInt(it.Grant, 10))
	case "returned":
		return p.w("statement.doc_grant_returned", "Item", it.Text)
	}
	return it.Text
}

// item prints a dated line under a summary row.
func (p *statementPDF) item(it Item) {
	p.font(false, 11)
	p.pdf.SetX(margin + 6)
	p.cell(58, 5, p.date(it.Date)+"  "+p.itemText(it), "", "L", false, 0)
	p.cell(30, 5, p.money(it.Amount), "", "R", false, 1)
}

// chart draws the daily sales as bars with a labelled scale.
func (p *statementPDF) chart() {
	st := p.st
	const h = 38.0
	p.need(h + 16)
	p.sectionTitle("statement.doc_chart")
	top := p.y() + 2
	left, width := margin+16, contentW-16
	base := top + h
	maxSale := money.Greatest(money.Zero, st.DailySales...)
	scale := niceCeiling(maxSale.Decimal())
	p.pdf.SetDrawColor(160, 160, 160)
	p.pdf.SetLineWidth(0.1)
	p.font(false, 9)
	for i := 0; i <= 4; i++ {
		y := base - h*float64(i)/4
		p.pdf.Line(left, y, left+width, y)
		v := scale.Mul(decimal.NewFromInt(int64(i))).Div(decimal.NewFromInt(4))
		p.pdf.SetXY(margin, y-2)
		p.cell(15, 4, money.Round(v.Round(0)).FormatWhole(), "", "R", false, 0)
	}
	n := len(st.DailySales)
	slot := width / float64(n)
	p.pdf.SetFillColor(46, 110, 160)
	sf, _ := scale.Float64() // drawing only: the figures printed are decimals
	for i, d := range st.DailySales {
		if !d.IsPositive() || sf == 0 {
			continue
		}
		v, _ := d.Decimal().Float64()
		bh := h * v / sf
		p.pdf.Rect(left+float64(i)*slot+slot*0.15, base-bh, slot*0.7, bh, "F")
	}
	p.pdf.SetFillColor(255, 255, 255)
	p.pdf.SetDrawColor(0, 0, 0)
	p.pdf.SetLineWidth(0.2)
	p.pdf.Line(left, base, left+width, base)
	for i := 0; i < n; i++ {
		if i == 0 || (i+1)%5 == 0 {
			p.pdf.SetXY(left+float64(i)*slot-2, base+0.5)
			p.cell(slot+4, 4, fmt.Sprint(i+1), "", "C", false, 0)
		}
	}
	p.pdf.SetY(base + 7)
}

// niceCeiling is a round number at or above d for the chart's scale: the
// chart's arithmetic (multiples, quarters) is decimal's, not money's.
func niceCeiling(d decimal.Decimal) decimal.Decimal {
	if !d.IsPositive() {
		return decimal.NewFromInt(100)
	}
	step := decimal.NewFromInt(100)
	for step.Mul(decimal.NewFromInt(10)).LessThan(d) {
		step = step.Mul(decimal.NewFromInt(10))
	}
	for _, m := range []int64{1, 2, 4, 5, 8, 10} {
		if c := step.Mul(decimal.NewFromInt(m)); c.GreaterThanOrEqual(d) {
			return c
		}
	}
	return step.Mul(decimal.NewFromInt(10))
}

func (p *statementPDF) tableHeader() {
	p.font(true, tableFontSize)
	p.pdf.SetFillColor(230, 236, 242)
	p.pdf.SetX(margin)
	for i, k := range []string{"statement.doc_col_date", "statement.doc_col_item", "statement.doc_col_receipts", "statement.doc_col_payments", "statement.doc_col_balance"} {
		align := "R"
		if i < 2 {
			align = "L"
		}
		p.cell(cols[i], rowH+1, p.w(k), "1", align, true, 0)
	}
	p.pdf.Ln(rowH + 1)
	p.pdf.SetFillColor(255, 255, 255)
	p.font(false, tableFontSize)
}

// describe is a row's item text.
func (p *statementPDF) describe(r Row) string {
	var b strings.Builder
	if r.Late {
		b.WriteString("[" + p.w("statement.doc_late", "Date", p.date(r.Own)) + "] ")
	}
	if r.Void {
		b.WriteString(p.w("statement.doc_void") + ": ")
	}
	if r.GrantKind != "" {
		b.WriteString(p.itemText(Item{Text: r.Note, Grant: r.Grant, GrantKind: r.GrantKind}))
		return b.String()
	}
	b.WriteString(p.w("statement.doc_kind_" + r.Kind))
	switch r.Kind {
	case "sale":
		b.WriteString(" " + p.w("statement.doc_method_"+r.What))
	case "expense":
		b.WriteString(" " + p.w("statement.doc_cat_"+r.What))
	}
	if r.Note != "" {
		b.WriteString(" · " + r.Note)
	}
	return b.String()
}

func (p *statementPDF) tableRow(date, item string, receipt, payment, balance string, bold bool) {
	p.font(bold, tableFontSize)
	p.pdf.SetX(margin)
	p.cell(cols[0], rowH, date, "LR", "L", false, 0)
	p.font(bold, tableFontSize-1)
	p.cell(cols[1], rowH, item, "LR", "L", false, 0)
	p.font(bold, tableFontSize)
	p.cell(cols[2], rowH, receipt, "LR", "R", false, 0)
	p.cell(cols[3], rowH, payment, "LR", "R", false, 0)
	p.cell(cols[4], rowH, balance, "LR", "R", false, 1)
}

// closeTable draws the line under a page's part of the table.
func (p *statementPDF) closeTable() {
	p.pdf.Line(margin, p.y(), margin+contentW, p.y())
}

func (p *statementPDF) cashbook() {
	st := p.st
	p.need(8 + 9 + 3*rowH)
	p.sectionTitle("statement.doc_cashbook")
	p.font(false, 11)
	p.pdf.SetX(margin)
	p.cell(contentW, 5, p.w("statement.doc_cashbook_note"), "", "L", false, 1)
	p.tableHeader()
	p.tableRow(p.date(st.Month), p.w("statement.doc_brought"), "", "", p.money(st.Opening), false)
	for _, r := range st.Rows {
		if p.y()+rowH > bodyBottom {
			p.closeTable()
			p.need(bodyBottom) // always a new page
			p.tableHeader()
		}
		rec, pay := "", ""
		if !r.Receipt.IsZero() {
			rec = p.money(r.Receipt)
		}
		if !r.Payment.IsZero() {
			pay = p.money(r.Payment)
		}
		p.tableRow(p.date(r.Date), p.describe(r), rec, pay, p.money(r.Balance), false)
	}
	if len(st.Rows) == 0 {
		p.tableRow("", p.w("statement.doc_none"), "", "", "", false)
	}
	if p.y()+rowH > bodyBottom {
		p.closeTable()
		p.need(bodyBottom)
		p.tableHeader()
	}
	p.pdf.Line(margin, p.y(), margin+contentW, p.y())
	p.tableRow("", p.w("statement.doc_total"), p.money(st.Receipts), p.money(st.Payments), p.money(st.Closing), true)
	p.closeTable()
	p.pdf.Ln(4)
}

func (p *statementPDF) equipment() {
	st := p.st
	p.need(8 + 2*rowH)
	p.sectionTitle("statement.doc_equipment")
	if len(st.Equipment) == 0 {
		p.font(false, 13)
		p.pdf.SetX(margin)
		p.cell(contentW, rowH, p.w("statement.doc_equipment_none"), "", "L", false, 1)
		return
	}
	for _, it := range st.Equipment {
		p.need(rowH)
		p.font(false, 13)
		p.pdf.SetX(margin)
		p.cell(cols[0], rowH, p.date(it.Date), "", "L", false, 0)
		p.cell(cols[1]+cols[2]+cols[3], rowH, p.itemText(it), "", "L", false, 0)
		p.cell(cols[4], rowH, p.money(it.Amount), "", "R", false, 1)
	}
	p.need(rowH)
	p.font(true, 13)
	p.pdf.SetX(margin)
	p.cell(cols[0]+cols[1]+cols[2]+cols[3], rowH, p.w("statement.doc_equipment_total"), "T", "L", false, 0)
	p.cell(cols[4], rowH, p.money(st.EquipmentVal), "T", "R", false, 1)
}

// footers writes every page's foot once the page count is known: page x
// of y, the number and the short fingerprint, and on a provisional
// statement the provisional notice.
func (p *statementPDF) footers() {
	n := p.pdf.PageCount()
	for i := 1; i <= n; i++ {
		p.pdf.SetPage(i)
		p.pdf.SetDrawColor(120, 120, 120)
		p.pdf.Line(margin, footerY-1, pageW-margin, footerY-1)
		p.pdf.SetDrawColor(0, 0, 0)
		p.font(false, 10)
		p.pdf.SetXY(margin, footerY)
		p.cell(contentW*0.7, 5, fmt.Sprintf("%s %s · %s %s", p.w("statement.doc_number"), p.st.Number, p.w("statement.doc_fingerprint"), p.st.Short()), "", "L", false, 0)
		p.cell(contentW*0.3, 5, p.w("statement.doc_page", "Page", i, "Pages", n), "", "R", false, 0)
		if !p.st.Closed {
			p.pdf.SetTextColor(190, 30, 30)
			p.font(true, 11)
			p.pdf.SetXY(margin, footerY+5)
			p.cell(contentW, 5, p.w("statement.doc_provisional"), "", "C", false, 0)
			p.pdf.SetTextColor(0, 0, 0)
		}
	}
}
