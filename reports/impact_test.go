package reports

import (
	"bytes"
	"encoding/csv"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"

	"hawker/money"
)

// randomFacts is a small random programme: up to 20 people over a year.
func randomFacts(r *rand.Rand) ImpactFacts {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f := ImpactFacts{From: start, To: start.AddDate(0, 11, 0),
		GrantsApproved: map[time.Time]int{}, GrantsDisbursed: map[time.Time]int{}, Equipment: map[time.Time]int{}}
	n := r.Intn(20) + 1
	for id := int64(1); id <= int64(n); id++ {
		a := start.AddDate(0, r.Intn(8), 0)
		p := ImpactPerson{ID: id, FirstApproved: a}
		if r.Intn(4) > 0 {
			p.FirstDisbursed = a.AddDate(0, r.Intn(2), 0)
		}
		f.GrantsApproved[a]++
		for m := a; !m.After(f.To); m = m.AddDate(0, 1, 0) {
			d := r.Intn(26)
			f.Months = append(f.Months, ImpactMonth{ID: id, Month: m, TradingDays: d, Trained: r.Intn(2),
				Sales: money.Baht(int64(d * 500)), Profit: money.Baht(int64(d * 200))})
			if d > 0 && p.FirstTraded.IsZero() {
				p.FirstTraded = m
			}
		}
		if r.Intn(5) == 0 {
			p.FirstTraded = start.AddDate(0, -r.Intn(6)-1, 0) // began trading before the report's first month
		}
		f.People = append(f.People, p)
	}
	return f
}

// cellRows are the per-month count rows an attacker reads, by name.
func cellRows(m MonthFigures) map[string]Count {
	return map[string]Count{"days": m.TradingDays, "training": m.Training, "new": m.NewBusinesses, "approved": m.GrantsApproved,
		"disbursed": m.GrantsDisbursed, "equipment": m.Equipment, "active": m.Active}
}

// determined reports whether unknown x_i is fixed by the equations rows·x
// = b (any b): whether e_i lies in the rows' span. Gaussian elimination on
// small integer matrices, in a test: floats are exact enough here.
func determined(rows [][]float64, i int) bool {
	rank := func(m [][]float64) int {
		m = clone(m)
		rk := 0
		for c := 0; c < len(m[0]) && rk < len(m); c++ {
			p := -1
			for r := rk; r < len(m); r++ {
				if math.Abs(m[r][c]) > 1e-9 {
					p = r
					break
				}
			}
			if p < 0 {
				continue
			}
			m[rk], m[p] = m[p], m[rk]
			for r := range m {
				if r != rk && math.Abs(m[r][c]) > 1e-9 {
					k := m[r][c] / m[rk][c]
					for j := range m[r] {
						m[r][j] -= k * m[rk][j]
					}
				}
			}
			rk++
		}
		return rk
	}
	if len(rows) == 0 {
		return false
	}
	e := make([]float64, len(rows[0]))
	e[i] = 1
	return rank(append(clone(rows), e)) == rank(rows)
}

func clone(m [][]float64) [][]float64 {
	out := make([][]float64, len(m))
	for i := range m {
		out[i] = append([]float64(nil), m[i]...)
	}
	return out
}

// TestImpactSuppressionProperty publishes, for many random small
// programmes, every single-month report and every range report, as a donor
// would collect them month after month, and checks that no suppressed
// month cell can be recovered from all of them together (shown cells and
// totals as linear equations), that cells agree between reports, and that
// the cumulative figures never move by 1 to 4 between published values.
func TestImpactSuppressionProperty(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	for trial := 0; trial < 300; trial++ {
		f := randomFacts(r)
		months := monthsOf(f.From, f.To)
		var reports []Impact
		for i := range months {
			for j := i; j < len(months); j++ {
				g := f
				g.From, g.To = months[i], months[j]
				reports = append(reports, ComputeImpact(g))
			}
		}
		for _, row := range []string{"days", "training", "new", "approved", "disbursed", "equipment", "active"} {
			var eqs [][]float64
			hidden := map[int]bool{}
			for _, im := range reports {
				lo := 0
				for k, m := range months {
					if m.Equal(im.from) {
						lo = k
					}
				}
				for k, m := range im.Months {
					c := cellRows(m)[row]
					if c.Hidden {
						hidden[lo+k] = true
						if c.N() != 0 || c.String() != "<5" {
							t.Fatalf("trial %d: a hidden cell carries a value", trial)
						}
						continue
					}
					if c.n < MinCell {
						t.Fatalf("trial %d: %s %s shows %d", trial, row, m.Key, c.n)
					}
					e := make([]float64, len(months))
					e[lo+k] = 1
					eqs = append(eqs, e)
				}
				if tc := cellRows(im.Totals)[row]; !tc.Hidden {
					e := make([]float64, len(months))
					for k := range im.Months {
						e[lo+k] = 1
					}
					eqs = append(eqs, e)
				}
			}
			for i := range hidden {
				if determined(eqs, i) {
					t.Fatalf("trial %d: hidden %s of %s is recoverable", trial, row, months[i].Format("2006-01"))
				}
			}
		}
		// Cumulative figures: consecutive published values of each part move
		// by 0 or at least MinCell, and never show a part below MinCell.
		var last *Impact
		for _, im := range reports {
			if im.From != months[0].Format("2006-01") {
				continue
			}
			im := im
			if !im.Supported.Hidden && im.Supported.n < MinCell {
				t.Fatalf("trial %d: supported %d shown", trial, im.Supported.n)
			}
			for _, s := range im.Survival {
				if !s.Active.Hidden && (s.Active.n < MinCell || s.Eligible.n-s.Active.n < MinCell) {
					t.Fatalf("trial %d: survival %d of %d shown", trial, s.Active.n, s.Eligible.n)
				}
			}
			if last != nil {
				for k, s := range im.Survival {
					p := last.Survival[k]
					if s.Active.Hidden || p.Active.Hidden {
						continue
					}
					for _, d := range []int{s.Active.n - p.Active.n, (s.Eligible.n - s.Active.n) - (p.Eligible.n - p.Active.n)} {
						if d != 0 && d > -MinCell && d < MinCell {
							t.Fatalf("trial %d: survival moved by %d between months", trial, d)
						}
					}
				}
			}
			last = &im
		}
	}
}

// TestImpactMedians: a median only where n ≥ 5, and it is the middle value.
func TestImpactMedians(t *testing.T) {
	m := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	f := ImpactFacts{From: m, To: m}
	for id, days := range []int{8, 9, 10, 20, 3} {
		f.Months = append(f.Months, ImpactMonth{ID: int64(id), Month: m, TradingDays: days,
			Sales: money.Baht(int64(days * 100)), Profit: money.Baht(int64(days * 10))})
	}
	im := ComputeImpact(f)
	if got := im.Months[0]; !got.MedianSales.Hidden || got.Active.String() != "<5" || got.Sales.Hidden || got.TradingDays.String() != "50" {
		t.Fatalf("4 active, 5 trading: %+v", got)
	}
	f.Months = append(f.Months, ImpactMonth{ID: 9, Month: m, TradingDays: 12, Sales: money.Baht(1200), Profit: money.Baht(120)})
	got := ComputeImpact(f).Months[0]
	if got.MedianSales.Hidden || got.MedianSales.V().String() != "1000.00" || got.MedianProfit.V().String() != "100.00" || got.Active.String() != "5" {
		t.Fatalf("5 active: %+v", got)
	}
}

// TestImpactNewBusinesses: a business is created in the month of its first
// trading day, counted once, only when that month is in the report; the
// month's count is suppressed below 5 like every count, and so is any
// total over it. The PDF (Thai and English) and the CSV tag it PI4583, and
// grants approved carry no IRIS+ code.
func TestImpactNewBusinesses(t *testing.T) {
	mar := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	f := ImpactFacts{From: mar, To: mar.AddDate(0, 1, 0)}
	firsts := []time.Time{mar, mar, mar, mar, mar, mar, // six in March
		mar.AddDate(0, 1, 0), mar.AddDate(0, 1, 0), // two in April
		mar.AddDate(0, -2, 0), // began before the report
		{}}                    // never traded
	for i, ft := range firsts {
		f.People = append(f.People, ImpactPerson{ID: int64(i + 1), FirstApproved: mar.AddDate(0, -3, 0), FirstTraded: ft})
	}
	im := ComputeImpact(f)
	if got := im.Months[0].NewBusinesses; got.Hidden || got.N() != 6 {
		t.Errorf("March: %v, want 6", got)
	}
	if got := im.Months[1].NewBusinesses; !got.Hidden || got.String() != "<5" {
		t.Errorf("April: %v, want <5", got)
	}
	if !im.Totals.NewBusinesses.Hidden {
		t.Errorf("the total over a hidden April shows %v", im.Totals.NewBusinesses)
	}
	f.To = mar
	if got := ComputeImpact(f).Totals.NewBusinesses; got.Hidden || got.N() != 6 {
		t.Errorf("March alone: total %v, want 6", got)
	}

	im = ComputeImpact(f)
	for _, c := range []struct{ lang, name, approved string }{
		{"th", "ธุรกิจที่เกิดขึ้นใหม่", "ทุนที่อนุมัติ"}, {"en", "New businesses created", "Grants approved"},
	} {
		b, err := im.PDF(c.lang)
		if err != nil {
			t.Fatal(err)
		}
		text := pdftotext(t, b)
		if strings.Count(text, "PI4583") != 1 {
			t.Errorf("%s PDF: PI4583 printed %d times, want once", c.lang, strings.Count(text, "PI4583"))
		}
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, c.name) && !strings.Contains(line, "PI4583") {
				t.Errorf("%s PDF: %q lacks its code", c.lang, line)
			}
			if strings.Contains(line, c.approved) && strings.Contains(line, "PI") {
				t.Errorf("%s PDF: %q carries a code", c.lang, line)
			}
		}
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(im.CSV(c.lang), []byte("\uFEFF"))))
		cr.FieldsPerRecord = -1
		rows, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rows {
			if len(r) >= 3 && r[0] == c.name {
				found = true
				if r[1] != "6" || r[2] != "PI4583" {
					t.Errorf("%s CSV: %v", c.lang, r)
				}
			}
			if len(r) >= 3 && r[0] == c.approved && r[2] != "" {
				t.Errorf("%s CSV: grants approved tagged %q", c.lang, r[2])
			}
			if len(r) > 7 && r[0] == "2025-03" && r[7] != "6" {
				t.Errorf("%s CSV: March's new businesses %q, want 6", c.lang, r[7])
			}
		}
		if !found {
			t.Errorf("%s CSV has no %q row", c.lang, c.name)
		}
	}
}
