package participants

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"hawker/money"
	"hawker/valid"
)

// PlanState is where a plan stands in its review.
type PlanState string

// The states of a plan: draft → submitted → returned (with a comment) →
// submitted … → approved by a manager who did not write it.
const (
	Draft     PlanState = "draft"
	Submitted PlanState = "submitted"
	Returned  PlanState = "returned"
	Approved  PlanState = "approved"
)

// Editable reports whether a plan in state s may still change.
func (s PlanState) Editable() bool { return s == Draft || s == Returned }

// Plan is one version of a participant's business plan.
type Plan struct {
	ID                 int64        `db:"id"`
	ParticipantID      int64        `db:"participant_id"`
	Version            int          `db:"version"`
	State              PlanState    `db:"state"`
	Business           string       `db:"business"`
	Menu               string       `db:"menu"`
	Location           string       `db:"location"`
	TradingDays        string       `db:"trading_days"`
	TradingHours       string       `db:"trading_hours"`
	DaysPerMonth       int          `db:"days_per_month"`
	ExpectedDailySales money.Amount `db:"expected_daily_sales"`
	IngredientCostPct  Percent      `db:"ingredient_cost_pct"`
	MonthlyFixedCosts  money.Amount `db:"monthly_fixed_costs"`
	WrittenBy          *int64       `db:"written_by"`
	CreatedAt          time.Time    `db:"created_at"`
	UpdatedAt          time.Time    `db:"updated_at"`
	SubmittedAt        *time.Time   `db:"submitted_at"`
	SubmittedBy        *int64       `db:"submitted_by"`
	ReviewedBy         *int64       `db:"reviewed_by"`
	ReviewedAt         *time.Time   `db:"reviewed_at"`
	ReviewComment      string       `db:"review_comment"`
	ApprovedAt         *time.Time   `db:"approved_at"`
	Items              []Item       `db:"-"`
}

// Item is one start-up purchase: a cart, a gas burner, the first ingredients.
type Item struct {
	ID       int64        `db:"id" json:"-"`
	PlanID   int64        `db:"plan_id" json:"-"`
	Position int          `db:"position" json:"-"`
	Name     string       `db:"name" json:"name"`
	Quantity int          `db:"quantity" json:"quantity"`
	UnitCost money.Amount `db:"unit_cost" json:"unit_cost"`
}

// Total is quantity × unit cost.
func (i Item) Total() money.Amount { return i.UnitCost.Mul(int64(i.Quantity)) }

// Percent is a share from 0 to 100 with at most two decimals, such as the
// part of sales that pays for ingredients: a ratio, never money.
type Percent struct{ decimal.Decimal }

// Figures are what a plan's numbers add up to, in baht.
type Figures struct {
	StartupTotal   money.Amount `json:"startup_total"`
	MonthlySales   money.Amount `json:"monthly_sales"`
	IngredientCost money.Amount `json:"monthly_ingredient_costs"`
	FixedCosts     money.Amount `json:"monthly_fixed_costs"`
	MonthlyProfit  money.Amount `json:"monthly_profit"`
	// BreakEven is the daily sales at which the month's profit is zero;
	// absent when ingredients take 100 % of sales (no sales level breaks even).
	BreakEven *money.Amount `json:"break_even_daily_sales"`
}

var hundred = decimal.NewFromInt(100)

// Figures computes the plan's totals exactly:
//   - start-up total: Σ quantity × unit cost;
//   - projected monthly sales: expected daily sales × trading days per month;
//   - ingredient costs: monthly sales × pct / 100, rounded half-up to the satang;
//   - monthly profit: sales − ingredient costs − fixed costs;
//   - break-even daily sales: fixed costs / (days × (1 − pct/100)), rounded
//     up to the satang, so that selling that much does cover the costs.
func (p Plan) Figures() Figures {
	f := Figures{FixedCosts: p.MonthlyFixedCosts}
	for _, it := range p.Items {
		f.StartupTotal = f.StartupTotal.Add(it.Total())
	}
	days := decimal.NewFromInt(int64(p.DaysPerMonth))
	f.MonthlySales = p.ExpectedDailySales.Mul(int64(p.DaysPerMonth))
	f.IngredientCost = money.Round(f.MonthlySales.Decimal().Mul(p.IngredientCostPct.Decimal).Div(hundred))
	f.MonthlyProfit = f.MonthlySales.Sub(f.IngredientCost).Sub(p.MonthlyFixedCosts)
	margin := hundred.Sub(p.IngredientCostPct.Decimal) // percent of sales left after ingredients
	if margin.IsPositive() && p.DaysPerMonth > 0 {
		// In satang: ceil(fixed × 100 × 100 / (days × margin)), exact.
		q, r := p.MonthlyFixedCosts.Decimal().Mul(hundred).Mul(hundred).QuoRem(days.Mul(margin), 0)
		if r.IsPositive() {
			q = q.Add(decimal.NewFromInt(1))
		}
		be := money.Satang(q.IntPart())
		f.BreakEven = &be
	}
	return f
}

// Number is a plain figure as typed or sent: days a month, a quantity, a
// percentage, a score; never money (money.Text is). JSON may carry it as a
// number or a string; it is kept as text so that nothing is rounded before
// it is checked.
type Number string

// UnmarshalJSON accepts "24" and 24 alike.
func (n *Number) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*n = Number(s)
		return nil
	}
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		return err
	}
	*n = Number(num.String())
	return nil
}

// ItemForm is one start-up item as sent.
type ItemForm struct {
	Name     string     `json:"name"`
	Quantity Number     `json:"quantity"`
	UnitCost money.Text `json:"unit_cost"`
}

// PlanForm is a plan as an officer writes it or an API client sends it.
type PlanForm struct {
	Business           string     `json:"business"`
	Menu               string     `json:"menu"`
	Location           string     `json:"location"`
	TradingDays        string     `json:"trading_days"`
	TradingHours       string     `json:"trading_hours"`
	DaysPerMonth       Number     `json:"days_per_month"`
	ExpectedDailySales money.Text `json:"expected_daily_sales"`
	IngredientCostPct  Number     `json:"ingredient_cost_pct"`
	MonthlyFixedCosts  money.Text `json:"monthly_fixed_costs"`
	Items              []ItemForm `json:"startup_items"`
}

// FormOf is the form that shows plan p, for editing or copying.
func FormOf(p Plan) PlanForm {
	f := PlanForm{
		Business: p.Business, Menu: p.Menu, Location: p.Location, TradingDays: p.TradingDays, TradingHours: p.TradingHours,
		DaysPerMonth:       Number(strconv.Itoa(p.DaysPerMonth)),
		ExpectedDailySales: money.Text(p.ExpectedDailySales.String()),
		IngredientCostPct:  Number(p.IngredientCostPct.String()),
		MonthlyFixedCosts:  money.Text(p.MonthlyFixedCosts.String()),
	}
	for _, it := range p.Items {
		f.Items = append(f.Items, ItemForm{Name: it.Name, Quantity: Number(strconv.Itoa(it.Quantity)), UnitCost: money.Text(it.UnitCost.String())})
	}
	return f
}

// MaxItems is the most start-up items a plan lists.
const MaxItems = 50

// Parse validates the form: every amount above zero with at most two
// decimals (never rounded), the ingredient share 0–100 %, at least one
// start-up item. Item problems are reported as "items.N.field" (N from 0).
func (f PlanForm) Parse() (Plan, error) {
	errs := valid.Errors{}
	p := Plan{
		Business: clean(f.Business), Menu: strings.TrimSpace(f.Menu), Location: strings.TrimSpace(f.Location),
		TradingDays: clean(f.TradingDays), TradingHours: clean(f.TradingHours),
	}
	checkText(errs, "business", p.Business, true, 200)
	checkText(errs, "menu", p.Menu, false, 2000)
	checkText(errs, "location", p.Location, false, 500)
	checkText(errs, "trading_days", p.TradingDays, false, 200)
	checkText(errs, "trading_hours", p.TradingHours, false, 200)
	if n, key := parseCount(string(f.DaysPerMonth), 31, "plan.days_range"); key != "" {
		errs.Add("days_per_month", key)
	} else {
		p.DaysPerMonth = n
	}
	if d, key := readAmount(f.ExpectedDailySales); key != "" {
		errs.Add("expected_daily_sales", key)
	} else {
		p.ExpectedDailySales = d
	}
	if d, key := ParsePercent(string(f.IngredientCostPct)); key != "" {
		errs.Add("ingredient_cost_pct", key)
	} else {
		p.IngredientCostPct = d
	}
	if d, key := readAmount(f.MonthlyFixedCosts); key != "" {
		errs.Add("monthly_fixed_costs", key)
	} else {
		p.MonthlyFixedCosts = d
	}
	n := 0
	for _, it := range f.Items {
		if strings.TrimSpace(it.Name) == "" && strings.TrimSpace(string(it.Quantity)) == "" && strings.TrimSpace(string(it.UnitCost)) == "" {
			continue // an empty row of the form
		}
		prefix := "items." + strconv.Itoa(n) + "."
		item := Item{Position: n + 1, Name: clean(it.Name)}
		checkText(errs, prefix+"name", item.Name, true, 200)
		if q, key := parseCount(string(it.Quantity), 10000, "plan.quantity_range"); key != "" {
			errs.Add(prefix+"quantity", key)
		} else {
			item.Quantity = q
		}
		if d, key := readAmount(it.UnitCost); key != "" {
			errs.Add(prefix+"unit_cost", key)
		} else {
			item.UnitCost = d
		}
		p.Items = append(p.Items, item)
		n++
	}
	if n == 0 {
		errs.Add("items", "plan.items_required")
	}
	if n > MaxItems {
		errs.Add("items", "plan.items_too_many")
	}
	return p, errs.Err()
}

// readAmount reads an amount in baht as an officer types it or a client
// sends it: money.ParseGrouped (thousands separators allowed, "1,500.50";
// never rounded: "10.005" is refused), above zero. The message key says
// what is wrong.
func readAmount(t money.Text) (money.Amount, string) {
	a, err := t.ParseGrouped()
	switch money.CodeOf(err) {
	case "":
	case money.CodeRequired:
		return money.Zero, "input.required"
	case money.CodeNegative:
		return money.Zero, "input.amount_positive"
	case money.CodeDecimals:
		return money.Zero, "input.amount_decimals"
	case money.CodeTooLarge:
		return money.Zero, "input.amount_too_large"
	default:
		return money.Zero, "input.amount_invalid"
	}
	if !a.IsPositive() {
		return money.Zero, "input.amount_positive"
	}
	return a, ""
}

// percentText is a percentage as typed: digits, optionally decimals.
var percentText = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]+)?$`)

// ParsePercent reads a percentage from 0 to 100 with at most two decimals,
// "40", "33.5", "35%".
func ParsePercent(s string) (Percent, string) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if !percentText.MatchString(s) {
		return Percent{}, "input.percent_range"
	}
	if _, frac, _ := strings.Cut(s, "."); len(frac) > 2 {
		return Percent{}, "input.percent_decimals"
	}
	d, err := decimal.NewFromString(s)
	if err != nil || d.GreaterThan(hundred) {
		return Percent{}, "input.percent_range"
	}
	return Percent{d}, ""
}

// parseCount reads a whole number from 1 to max; rangeKey says so when it is not.
func parseCount(s string, max int, rangeKey string) (int, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, "input.required"
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, "input.whole_number"
	}
	if n < 1 || n > max {
		return 0, rangeKey
	}
	return n, ""
}
