package reports

import (
	"fmt"
	"time"

	"hawker/money"
	"hawker/thai"
)

// chartFrame draws a chart's title and axes box and returns the plot area.
func chartFrame(d *doc, title string, x, y, w, h float64) (px, py, pw, ph float64) {
	return chartFrameAt(d, title, x, y, w, h, 22)
}

// chartFrameAt is chartFrame with gutter millimetres left of the plot for labels.
func chartFrameAt(d *doc, title string, x, y, w, h, gutter float64) (px, py, pw, ph float64) {
	d.font(true, 11)
	d.text(x, y+4, title)
	px, py, pw, ph = x+gutter, y+8, w-gutter-4, h-16
	d.pdf.SetDrawColor(120, 120, 120)
	d.pdf.SetLineWidth(0.2)
	d.pdf.Line(px, py, px, py+ph)
	d.pdf.Line(px, py+ph, px+pw, py+ph)
	return
}

// ratio is v/max as a float for drawing only: a position on paper, never
// money that is added or printed (money has no division, so it is done in
// decimal).
func ratio(v, max money.Amount) float64 {
	if !max.IsPositive() {
		return 0
	}
	f, _ := v.Decimal().Div(max.Decimal()).Float64()
	return f
}

// impactSalesChart is the line of monthly sales of supported businesses;
// a hidden month breaks the line.
func impactSalesChart(d *doc, im Impact, lang string, x, y float64) {
	px, py, pw, ph := chartFrame(d, word(lang, "impact.chart_sales"), x, y, contentW, 70)
	max := money.Zero
	for _, m := range im.Months {
		if !m.Sales.Hidden && m.Sales.v.GreaterThan(max) {
			max = m.Sales.v
		}
	}
	d.font(false, 8)
	d.text(x, py+2, max.Format())
	d.text(x, py+ph, "0")
	n := len(im.Months)
	if n == 0 {
		return
	}
	step := pw / float64(n)
	d.pdf.SetDrawColor(20, 110, 60)
	d.pdf.SetFillColor(20, 110, 60)
	d.pdf.SetLineWidth(0.6)
	var lastX, lastY float64
	have := false
	for i, m := range im.Months {
		cx := px + step*(float64(i)+0.5)
		if n <= 12 || i%((n+11)/12) == 0 {
			d.font(false, 7)
			d.text(cx-5, py+ph+4, shortMonth(lang, m.Month))
		}
		if m.Sales.Hidden {
			d.font(false, 7)
			d.text(cx-2, py+ph-2, "<5")
			have = false
			continue
		}
		cy := py + ph - ph*ratio(m.Sales.v, max)
		if have {
			d.pdf.Line(lastX, lastY, cx, cy)
		}
		d.pdf.Circle(cx, cy, 0.8, "F")
		lastX, lastY, have = cx, cy, true
	}
	d.pdf.SetLineWidth(0.2)
	d.pdf.SetDrawColor(0, 0, 0)
}

// impactSurvivalChart is a bar per horizon: the published survival rate.
func impactSurvivalChart(d *doc, im Impact, lang string, x, y float64) {
	px, py, pw, ph := chartFrame(d, word(lang, "impact.chart_survival"), x, y, contentW/2-4, 62)
	d.font(false, 8)
	d.text(x+10, py+2, "100%")
	d.text(x+16, py+ph, "0")
	bw := pw / float64(len(im.Survival)) * 0.6
	for i, s := range im.Survival {
		cx := px + pw/float64(len(im.Survival))*(float64(i)+0.2)
		d.font(false, 9)
		d.text(cx, py+ph+4, fmt.Sprintf("%d", s.Months))
		p := s.Percent()
		if p == "" {
			d.text(cx, py+ph-2, word(lang, "impact.withheld"))
			continue
		}
		h := ph * float64(s.Active.n) / float64(s.Eligible.n)
		d.pdf.SetFillColor(40, 100, 170)
		d.pdf.Rect(cx, py+ph-h, bw, h, "F")
		d.text(cx, py+ph-h-1, p)
	}
}

// impactFundsChart is one stacked bar of the period's money: disbursed in
// cash, given in kind, and committed but not yet released, beside what was
// received.
func impactFundsChart(d *doc, im Impact, lang string, x, y float64) {
	if y > bodyBottom-50 {
		return
	}
	px, py, pw, _ := chartFrameAt(d, word(lang, "impact.chart_funds"), x, y, contentW, 46, 62)
	max := money.Greatest(im.Received, im.Committed, im.DisbursedCash.Add(im.InKind))
	bars := []struct {
		label string
		parts []money.Amount
	}{
		{word(lang, "impact.received"), []money.Amount{im.Received}},
		{word(lang, "impact.committed"), []money.Amount{im.DisbursedCash, im.InKind, money.Greatest(money.Zero, im.Committed.Sub(im.DisbursedCash).Sub(im.InKind))}},
	}
	colours := [][3]int{{20, 110, 60}, {230, 150, 30}, {170, 170, 170}}
	d.font(false, 9)
	for i, b := range bars {
		by := py + 4 + float64(i)*12
		d.pdf.SetXY(x, by)
		d.cell(px-x-2, 7, b.label, "", "L", false, 0)
		bx := px
		for j, v := range b.parts {
			wd := pw * ratio(v, max)
			c := colours[j]
			if len(b.parts) == 1 {
				c = [3]int{40, 100, 170}
			}
			d.pdf.SetFillColor(c[0], c[1], c[2])
			d.pdf.Rect(bx, by, wd, 7, "F")
			bx += wd
		}
	}
	ly := py + 30
	for j, k := range []string{"impact.disbursed", "impact.in_kind", "impact.undisbursed"} {
		c := colours[j]
		d.pdf.SetFillColor(c[0], c[1], c[2])
		d.pdf.Rect(x+float64(j)*60, ly, 4, 4, "F")
		d.pdf.SetXY(x+5+float64(j)*60, ly-1)
		d.cell(54, 6, word(lang, k), "", "L", false, 0)
	}
}

// shortMonth labels a chart's month: "ม.ค. 69" in Thai, "Jan 26" in English.
func shortMonth(lang string, t time.Time) string {
	if lang == "en" {
		return t.Format("Jan 06")
	}
	return fmt.Sprintf("%s %02d", thai.ShortMonthName(t.Month()), thai.Year(t)%100)
}
