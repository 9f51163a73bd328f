package reports

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"hawker/money"
)

// MinCell is the smallest count a donor report prints: a count below it is
// printed "<5", and a figure about fewer people than it is not printed.
const MinCell = 5

// ActiveDays is how many trading days in a month make a business active.
const ActiveDays = 8

// SurvivalMonths are the survival horizons, months after the month of a
// participant's first disbursement.
var SurvivalMonths = []int{3, 6, 12}

// Count is a published count: hidden prints "<5" and carries no value out.
type Count struct {
	n      int
	Hidden bool
}

// N is the count; 0 when hidden, so that nothing downstream can print it.
func (c Count) N() int {
	if c.Hidden {
		return 0
	}
	return c.n
}

func (c Count) String() string {
	if c.Hidden {
		return "<5"
	}
	return fmt.Sprint(c.n)
}

// MarshalJSON writes a number, or the string "<5" when hidden.
func (c Count) MarshalJSON() ([]byte, error) {
	if c.Hidden {
		return []byte(`"<5"`), nil
	}
	return json.Marshal(c.n)
}

// count publishes n, hidden when below MinCell.
func count(n int) Count { return Count{n: n, Hidden: n < MinCell} }

// Sum is a published sum or median of money; hidden when it is about
// fewer than MinCell people, and then carries no value out.
type Sum struct {
	v      money.Amount
	Hidden bool
}

// V is the amount; zero when hidden.
func (a Sum) V() money.Amount {
	if a.Hidden {
		return money.Zero
	}
	return a.v
}

// MarshalJSON writes "1234.50", or null when hidden.
func (a Sum) MarshalJSON() ([]byte, error) {
	if a.Hidden {
		return []byte("null"), nil
	}
	return a.v.MarshalJSON()
}

// ImpactPerson is what the report knows of one consenting participant
// supported by the donor: no name, no code, only an opaque number used to
// count her once.
type ImpactPerson struct {
	ID             int64
	FirstApproved  time.Time // her first approved grant from this donor
	FirstDisbursed time.Time // zero: nothing released yet
	FirstTraded    time.Time // the month of her first trading day ever; zero: no sale yet
}

// ImpactMonth is one person's month of business and training.
type ImpactMonth struct {
	ID          int64
	Month       time.Time
	Sales       money.Amount
	Profit      money.Amount
	TradingDays int
	Trained     int // modules passed
}

// ImpactFacts is what an impact report is computed from. Money figures
// are the donor's own funds; people figures count only the people listed
// (those who consent to aggregate reporting).
type ImpactFacts struct {
	Donor    int64
	From, To time.Time // first days of the first and last month
	// Money within the months.
	Received, Committed, DisbursedCash, InKind money.Amount
	People                                     []ImpactPerson
	Months                                     []ImpactMonth
	// Events of consenting people, by month: grants approved, grants with a
	// release, items handed over.
	GrantsApproved, GrantsDisbursed, Equipment map[time.Time]int
}

// MonthFigures is one month's row of the report.
type MonthFigures struct {
	Month           time.Time `json:"-"`
	Key             string    `json:"month"` // YYYY-MM
	Active          Count     `json:"businesses_active"`
	TradingDays     Count     `json:"trading_days"`
	Sales           Sum       `json:"sales"`
	MedianSales     Sum       `json:"median_sales"`
	MedianProfit    Sum       `json:"median_profit"`
	Training        Count     `json:"training_completions"`
	NewBusinesses   Count     `json:"new_businesses"`
	GrantsApproved  Count     `json:"grants_approved"`
	GrantsDisbursed Count     `json:"grants_disbursed"`
	Equipment       Count     `json:"equipment_handed_over"`
}

// Survival is the share of businesses still active k months after their
// first disbursement, among those whose k-th month has come.
type Survival struct {
	Months   int   `json:"months"`
	Eligible Count `json:"eligible"`
	Active   Count `json:"still_active"`
}

// Percent is the survival rate as "73%", or "" when not published.
func (s Survival) Percent() string {
	if s.Eligible.Hidden || s.Active.Hidden || s.Eligible.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d%%", (s.Active.n*100+s.Eligible.n/2)/s.Eligible.n)
}

// Impact is a donor's impact report: every figure already suppressed, so
// that whatever prints it cannot reveal a person.
type Impact struct {
	Donor         int64          `json:"donor"`
	DonorName     string         `json:"donor_name"`
	From          string         `json:"from"`
	To            string         `json:"to"`
	Received      money.Amount   `json:"received"`
	Committed     money.Amount   `json:"committed"`
	DisbursedCash money.Amount   `json:"disbursed_cash"`
	InKind        money.Amount   `json:"in_kind"`
	Supported     Count          `json:"participants_supported"`
	Months        []MonthFigures `json:"months"`
	Totals        MonthFigures   `json:"totals"`
	Survival      []Survival     `json:"survival"`
	Closed        bool           `json:"closed"`
	from, to      time.Time
}

// monthsOf lists the first days of the months from..to.
func monthsOf(from, to time.Time) []time.Time {
	var out []time.Time
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}

// firstOf is the first day of t's month.
func firstOf(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }

// median of sorted-or-not amounts. The mean of the middle two is halved in
// decimal (money has no division: a half satang is rounded, as a figure).
func median(xs []money.Amount) money.Amount {
	sort.Slice(xs, func(i, j int) bool { return xs[i].LessThan(xs[j]) })
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return money.Round(xs[n/2-1].Add(xs[n/2]).Decimal().Div(decimal.NewFromInt(2)))
}

// ComputeImpact turns facts into the published figures. Its rules are the
// privacy rules of the donor report:
//
//   - each month's cell is a count below MinCell printed "<5"; a month's sum
//     (sales, trading days) is printed only when at least MinCell businesses
//     traded, a median only when at least MinCell businesses were active;
//   - a month's cell depends on that month alone, never on the range asked
//     for, so every report that shows a month shows the same cell;
//   - a range total is printed only when none of its months' cells is
//     hidden, so no total less the shown cells leaves a hidden one;
//   - cumulative figures (people supported, survival) are published month
//     end by month end from the donor's first grant, each only when every
//     part is at least MinCell and differs from the last published one by
//     0 or at least MinCell: the previous month's report, subtracted, never
//     isolates fewer than MinCell people. Survival publishes the still
//     active and, through the eligible, the not active: both parts count.
func ComputeImpact(f ImpactFacts) Impact {
	im := Impact{Donor: f.Donor, From: f.From.Format("2006-01"), To: f.To.Format("2006-01"),
		Received: f.Received, Committed: f.Committed, DisbursedCash: f.DisbursedCash, InKind: f.InKind,
		from: f.From, to: f.To}
	byMonth := map[time.Time][]ImpactMonth{}
	for _, m := range f.Months {
		byMonth[m.Month] = append(byMonth[m.Month], m)
	}
	// A business is created in the month of its first trading day: each
	// person counts in one month at most, so the months add up.
	created := map[time.Time]int{}
	for _, p := range f.People {
		if !p.FirstTraded.IsZero() {
			created[firstOf(p.FirstTraded)]++
		}
	}
	tot := MonthFigures{Key: "total"}
	anyHidden := map[string]bool{}
	sums := map[string]int{}
	salesTotal := money.Zero
	for _, m := range monthsOf(f.From, f.To) {
		row := MonthFigures{Month: m, Key: m.Format("2006-01")}
		var active, trading, days, trained int
		sales := money.Zero
		var activeSales, activeProfit []money.Amount
		for _, p := range byMonth[m] {
			trained += p.Trained
			if p.TradingDays > 0 {
				trading++
				days += p.TradingDays
				sales = sales.Add(p.Sales)
			}
			if p.TradingDays >= ActiveDays {
				active++
				activeSales = append(activeSales, p.Sales)
				activeProfit = append(activeProfit, p.Profit)
			}
		}
		row.Active = count(active)
		row.Training = count(trained)
		row.NewBusinesses = count(created[m])
		row.GrantsApproved = count(f.GrantsApproved[m])
		row.GrantsDisbursed = count(f.GrantsDisbursed[m])
		row.Equipment = count(f.Equipment[m])
		row.TradingDays = Count{n: days, Hidden: trading < MinCell}
		row.Sales = Sum{v: sales, Hidden: trading < MinCell}
		row.MedianSales = Sum{Hidden: true}
		row.MedianProfit = Sum{Hidden: true}
		if active >= MinCell {
			row.MedianSales = Sum{v: median(activeSales)}
			row.MedianProfit = Sum{v: median(activeProfit)}
		}
		for k, c := range map[string]Count{"days": row.TradingDays, "training": row.Training, "new": row.NewBusinesses, "approved": row.GrantsApproved,
			"disbursed": row.GrantsDisbursed, "equipment": row.Equipment} {
			anyHidden[k] = anyHidden[k] || c.Hidden
			sums[k] += c.n
		}
		anyHidden["sales"] = anyHidden["sales"] || row.Sales.Hidden
		salesTotal = salesTotal.Add(sales)
		im.Months = append(im.Months, row)
	}
	total := func(k string) Count { return Count{n: sums[k], Hidden: anyHidden[k]} }
	tot.TradingDays = total("days")
	tot.Training = total("training")
	tot.NewBusinesses = total("new")
	tot.GrantsApproved = total("approved")
	tot.GrantsDisbursed = total("disbursed")
	tot.Equipment = total("equipment")
	tot.Sales = Sum{v: salesTotal, Hidden: anyHidden["sales"]}
	// Distinct people active in any month is not a sum of the months: it is
	// not printed as a total; nor are medians.
	tot.Active = Count{Hidden: true}
	tot.MedianSales = Sum{Hidden: true}
	tot.MedianProfit = Sum{Hidden: true}
	im.Totals = tot
	im.Supported, im.Survival = cumulative(f)
	return im
}

// cumulative publishes the people supported and the survival at each
// horizon as of f.To, by the month-end rule of ComputeImpact.
func cumulative(f ImpactFacts) (Count, []Survival) {
	active := map[int64]map[time.Time]bool{}
	for _, m := range f.Months {
		if m.TradingDays >= ActiveDays {
			if active[m.ID] == nil {
				active[m.ID] = map[time.Time]bool{}
			}
			active[m.ID][m.Month] = true
		}
	}
	start := time.Time{}
	for _, p := range f.People {
		if a := firstOf(p.FirstApproved); start.IsZero() || a.Before(start) {
			start = a
		}
	}
	supported := newGuard(1)
	guards := make([]*guard, len(SurvivalMonths))
	for i := range guards {
		guards[i] = newGuard(2)
	}
	if !start.IsZero() {
		for e := start; !e.After(f.To); e = e.AddDate(0, 1, 0) {
			n := 0
			for _, p := range f.People {
				if !firstOf(p.FirstApproved).After(e) {
					n++
				}
			}
			supported.step(n)
			for i, k := range SurvivalMonths {
				still, gone := 0, 0
				for _, p := range f.People {
					if p.FirstDisbursed.IsZero() {
						continue
					}
					at := firstOf(p.FirstDisbursed).AddDate(0, k, 0)
					if at.After(e) {
						continue
					}
					if active[p.ID][at] {
						still++
					} else {
						gone++
					}
				}
				guards[i].step(still, gone)
			}
		}
	}
	out := make([]Survival, len(SurvivalMonths))
	for i, k := range SurvivalMonths {
		g := guards[i]
		s := Survival{Months: k, Eligible: Count{Hidden: true}, Active: Count{Hidden: true}}
		if g.shownNow {
			s.Eligible = Count{n: g.last[0] + g.last[1]}
			s.Active = Count{n: g.last[0]}
		}
		out[i] = s
	}
	sup := Count{Hidden: true}
	if supported.shownNow {
		sup = Count{n: supported.last[0]}
	}
	return sup, out
}

// guard publishes a cumulative figure of parts month end after month end:
// a step is shown when every part is at least MinCell and moved by 0 or at
// least MinCell since the last shown step.
type guard struct {
	last     []int
	shownNow bool
}

func newGuard(parts int) *guard { return &guard{last: make([]int, parts)} }

func (g *guard) step(parts ...int) {
	g.shownNow = true
	for i, v := range parts {
		d := v - g.last[i]
		if d < 0 {
			d = -d
		}
		if v < MinCell || (d > 0 && d < MinCell) {
			g.shownNow = false
		}
	}
	if g.shownNow {
		copy(g.last, parts)
	}
}
