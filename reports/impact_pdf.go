package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"

	"hawker/money"
	"hawker/thai"
)

// impactMetric is one figure of the report: its catalogue key, its IRIS+
// code where one exists, and its one-line definition's key.
type impactMetric struct {
	key, iris, def string
	value          func(Impact) string
}

func moneyCell(a money.Amount) string { return a.Format() }

func sumCell(s Sum) string {
	if s.Hidden {
		return "<5"
	}
	return s.v.Format()
}

// impactMetrics are the report's headline figures, in print order. A code
// is given only where the figure is what IRIS+ defines: PI4583 (new
// businesses created) is the businesses that began trading, not the grants
// approved. No standard IRIS+ code exists for survival, training, money or
// grant counts.
var impactMetrics = []impactMetric{
	{"impact.received", "", "impact.def_received", func(im Impact) string { return moneyCell(im.Received) }},
	{"impact.committed", "", "impact.def_committed", func(im Impact) string { return moneyCell(im.Committed) }},
	{"impact.disbursed", "", "impact.def_disbursed", func(im Impact) string { return moneyCell(im.DisbursedCash) }},
	{"impact.in_kind", "", "impact.def_in_kind", func(im Impact) string { return moneyCell(im.InKind) }},
	{"impact.supported", "PI4060", "impact.def_supported", func(im Impact) string { return im.Supported.String() }},
	{"impact.training", "", "impact.def_training", func(im Impact) string { return im.Totals.Training.String() }},
	{"impact.new_businesses", "PI4583", "impact.def_new_businesses", func(im Impact) string { return im.Totals.NewBusinesses.String() }},
	{"impact.grants_approved", "", "impact.def_grants_approved", func(im Impact) string { return im.Totals.GrantsApproved.String() }},
	{"impact.grants_disbursed", "", "impact.def_grants_disbursed", func(im Impact) string { return im.Totals.GrantsDisbursed.String() }},
	{"impact.equipment", "", "impact.def_equipment", func(im Impact) string { return im.Totals.Equipment.String() }},
	{"impact.trading_days", "", "impact.def_trading_days", func(im Impact) string { return im.Totals.TradingDays.String() }},
	{"impact.active", "PI9327", "impact.def_active", nil},
	{"impact.median_sales", "", "impact.def_median_sales", nil},
	{"impact.median_profit", "PI8021", "impact.def_median_profit", nil},
	{"impact.survival", "", "impact.def_survival", nil},
}

// PDF prints the report in lang ("th" unless "en"). Its bytes depend only
// on the figures: the same figures make the same file.
func (im Impact) PDF(lang string) ([]byte, error) {
	if lang != "en" {
		lang = "th"
	}
	w := func(k string, a ...any) string { return word(lang, k, a...) }
	d := newDoc(w("impact.doc_title"), fixedTime)
	d.pdf.SetSubject(fmt.Sprintf("donor=%d from=%s to=%s", im.Donor, im.From, im.To), false)
	d.pdf.AddPage()
	d.font(true, 15)
	d.text(margin, 20, w("statement.doc_programme"))
	d.font(true, 20)
	d.text(margin, 30, w("impact.doc_title"))
	d.font(false, 14)
	d.text(margin, 39, fmt.Sprintf("%s: %s", w("impact.donor"), im.DonorName))
	d.text(margin, 45.5, fmt.Sprintf("%s: %s – %s", w("impact.period"), thai.MonthIn(lang, im.from), thai.MonthIn(lang, im.to)))
	status := w("impact.closed")
	if !im.Closed {
		status = w("impact.provisional")
	}
	d.text(margin, 52, status)
	d.font(false, 11)
	d.pdf.SetXY(margin, 55)
	d.marked(w("impact.privacy"), func(t string) { d.pdf.MultiCell(contentW, 5, t, "", "L", false) })

	// Headline figures with IRIS+ codes and definitions.
	y := d.pdf.GetY() + 3
	d.font(true, 13)
	d.text(margin, y+4, w("impact.money")+" · "+w("impact.people"))
	y += 7
	for _, m := range impactMetrics {
		if m.value == nil {
			continue
		}
		d.font(true, 12)
		d.pdf.SetXY(margin, y)
		d.cell(95, 5.5, w(m.key), "", "L", false, 0)
		d.cell(20, 5.5, m.iris, "", "C", false, 0)
		d.cell(contentW-115, 5.5, m.value(im), "", "R", false, 1)
		d.font(false, 10)
		d.pdf.SetX(margin + 3)
		d.cell(contentW-3, 4.5, w(m.def), "", "L", false, 1)
		y = d.pdf.GetY() + 0.8
	}
	for _, m := range impactMetrics {
		if m.value != nil {
			continue
		}
		d.font(false, 10)
		d.pdf.SetXY(margin, y)
		code := ""
		if m.iris != "" {
			code = " (IRIS+ " + m.iris + ")"
		}
		d.marked(w(m.key)+code+": "+w(m.def), func(t string) { d.pdf.MultiCell(contentW, 4.5, t, "", "L", false) })
		y = d.pdf.GetY()
	}
	impactFundsChart(d, im, lang, margin, y+4)

	// Page 2: month by month, survival, charts.
	d.pdf.AddPage()
	d.font(true, 14)
	d.text(margin, 20, w("impact.monthly"))
	cw := []float64{26, 22, 22, 32, 30, 30, 18}
	heads := []string{w("impact.month"), w("impact.active"), w("impact.trading_days"), w("impact.sales"),
		w("impact.median_sales"), w("impact.median_profit"), w("impact.training")}
	d.font(true, 9)
	d.pdf.SetXY(margin, 24)
	d.pdf.SetFillColor(230, 236, 230)
	for i, h := range heads {
		d.cell(cw[i], 6, h, "1", "C", true, 0)
	}
	d.pdf.Ln(6)
	row := func(label string, m MonthFigures, total bool) {
		d.font(total, 10)
		d.pdf.SetX(margin)
		cells := []string{label, m.Active.String(), m.TradingDays.String(), sumCell(m.Sales), sumCell(m.MedianSales), sumCell(m.MedianProfit), m.Training.String()}
		if total {
			cells[1], cells[4], cells[5] = "", "", ""
		}
		for i, c := range cells {
			al := "R"
			if i == 0 {
				al = "L"
			}
			d.cell(cw[i], 5.5, c, "1", al, false, 0)
		}
		d.pdf.Ln(5.5)
	}
	shown := im.Months
	if len(shown) > 24 {
		shown = shown[len(shown)-24:] // the table keeps to one page; the CSV has every month
	}
	for _, m := range shown {
		row(thai.MonthIn(lang, m.Month), m, false)
	}
	row(w("impact.total"), im.Totals, true)
	y = d.pdf.GetY() + 4
	d.font(true, 12)
	d.text(margin, y+3, w("impact.survival"))
	d.font(false, 11)
	y += 5
	for _, s := range im.Survival {
		pct := s.Percent()
		if pct == "" {
			pct = w("impact.withheld")
		}
		d.text(margin, y+4, fmt.Sprintf("%s: %s (%s %s, %s %s)", w("impact.survival_n", "Months", s.Months), pct,
			s.Active.String(), w("impact.still_active"), s.Eligible.String(), w("impact.eligible")))
		y += 5.5
	}
	y += 3
	impactSalesChart(d, im, lang, margin, y)
	impactSurvivalChart(d, im, lang, margin, y+75)
	d.pdf.SetFooterFunc(nil)
	return d.bytes()
}

// CSV is the report's twin for a spreadsheet: the same figures as the PDF,
// hidden cells as "<5" (counts) or empty (sums and medians).
func (im Impact) CSV(lang string) []byte {
	if lang != "en" {
		lang = "th"
	}
	w := func(k string, a ...any) string { return word(lang, k, a...) }
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	amt := func(s Sum) string {
		if s.Hidden {
			return "<5"
		}
		return s.v.String()
	}
	rows := [][]string{
		{w("impact.doc_title")},
		{w("impact.donor"), im.DonorName},
		{w("impact.period"), im.From, im.To},
		{},
		{w("impact.col_metric"), w("impact.col_value"), w("impact.col_iris"), ""},
	}
	for _, m := range impactMetrics {
		if m.value == nil {
			rows = append(rows, []string{w(m.key), "", m.iris, w(m.def)})
			continue
		}
		v := m.value(im)
		switch m.key {
		case "impact.received":
			v = im.Received.String()
		case "impact.committed":
			v = im.Committed.String()
		case "impact.disbursed":
			v = im.DisbursedCash.String()
		case "impact.in_kind":
			v = im.InKind.String()
		}
		rows = append(rows, []string{w(m.key), v, m.iris, w(m.def)})
	}
	rows = append(rows, []string{}, []string{w("impact.month"), w("impact.active"), w("impact.trading_days"), w("impact.sales"),
		w("impact.median_sales"), w("impact.median_profit"), w("impact.training"), w("impact.new_businesses"), w("impact.grants_approved"),
		w("impact.grants_disbursed"), w("impact.equipment")})
	for _, m := range append(append([]MonthFigures{}, im.Months...), im.Totals) {
		act, ms, mp := m.Active.String(), amt(m.MedianSales), amt(m.MedianProfit)
		if m.Key == "total" {
			act, ms, mp = "", "", ""
		}
		rows = append(rows, []string{m.Key, act, m.TradingDays.String(), amt(m.Sales), ms, mp, m.Training.String(),
			m.NewBusinesses.String(), m.GrantsApproved.String(), m.GrantsDisbursed.String(), m.Equipment.String()})
	}
	rows = append(rows, []string{}, []string{w("impact.survival"), w("impact.eligible"), w("impact.still_active"), "%"})
	for _, s := range im.Survival {
		rows = append(rows, []string{w("impact.survival_n", "Months", s.Months), s.Eligible.String(), s.Active.String(), s.Percent()})
	}
	rows = append(rows, []string{}, []string{w("impact.privacy")})
	_ = writeSafe(cw, rows)
	return b.Bytes()
}
