package participants

import (
	"testing"

	"github.com/shopspring/decimal"

	"hawker/money"
)

func dec(s string) money.Amount { return money.MustParse(s) }

func pct(s string) Percent { return Percent{decimal.RequireFromString(s)} }

func TestFigures(t *testing.T) {
	tests := []struct {
		name                             string
		daily, pct, fixed                string
		days                             int
		items                            []Item
		startup, sales, ingr, profit, be string // be "" when there is none
	}{
		{"the example of interfaces.md", "1500.00", "40", "2000.00", 24,
			[]Item{{Quantity: 1, UnitCost: dec("30000.00")}},
			"30000.00", "36000.00", "14400.00", "19600.00", "138.89"},
		{"break-even exact needs no rounding", "1000", "50", "1200", 24,
			[]Item{{Quantity: 2, UnitCost: dec("1500.50")}, {Quantity: 3, UnitCost: dec("0.10")}},
			"3001.30", "24000.00", "12000.00", "10800.00", "100.00"},
		{"break-even rounds up to the satang", "350.75", "33.33", "1000", 26,
			nil,
			"0.00", "9119.50", "3039.53", "5079.97", "57.69"},
		{"loss-making plan", "200", "60", "5000", 20,
			[]Item{{Quantity: 1, UnitCost: dec("55000")}},
			"55000.00", "4000.00", "2400.00", "-3400.00", "625.00"},
		{"no ingredients", "500", "0", "3000", 30, nil, "0.00", "15000.00", "0.00", "12000.00", "100.00"},
		{"ingredients take everything: no break-even", "500", "100", "3000", 30, nil, "0.00", "15000.00", "15000.00", "-3000.00", ""},
		{"a third of a satang rounds up", "100", "0", "100", 3, nil, "0.00", "300.00", "0.00", "200.00", "33.34"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Plan{ExpectedDailySales: dec(tt.daily), IngredientCostPct: pct(tt.pct), MonthlyFixedCosts: dec(tt.fixed), DaysPerMonth: tt.days, Items: tt.items}
			f := p.Figures()
			check := func(what string, got money.Amount, want string) {
				t.Helper()
				if got.String() != want {
					t.Errorf("%s = %s, want %s", what, got.String(), want)
				}
			}
			check("startup", f.StartupTotal, tt.startup)
			check("sales", f.MonthlySales, tt.sales)
			check("ingredients", f.IngredientCost, tt.ingr)
			check("profit", f.MonthlyProfit, tt.profit)
			switch {
			case tt.be == "" && f.BreakEven != nil:
				t.Errorf("break-even = %s, want none", f.BreakEven)
			case tt.be != "" && f.BreakEven == nil:
				t.Errorf("break-even missing, want %s", tt.be)
			case tt.be != "":
				check("break-even", *f.BreakEven, tt.be)
				// Selling the break-even amount every day covers the costs.
				at := Plan{ExpectedDailySales: *f.BreakEven, IngredientCostPct: p.IngredientCostPct, MonthlyFixedCosts: p.MonthlyFixedCosts, DaysPerMonth: p.DaysPerMonth}
				sales := at.ExpectedDailySales.Decimal().Mul(decimal.NewFromInt(int64(at.DaysPerMonth)))
				margin := sales.Sub(sales.Mul(at.IngredientCostPct.Decimal).Div(hundred))
				if margin.LessThan(at.MonthlyFixedCosts.Decimal()) {
					t.Errorf("selling %s a day leaves %s, below fixed costs %s", f.BreakEven, margin, at.MonthlyFixedCosts)
				}
			}
		})
	}
}

func TestReadAmount(t *testing.T) {
	tests := []struct{ in, want, key string }{
		{"1500", "1500", ""},
		{"1500.5", "1500.5", ""},
		{" 1,500.50 ", "1500.5", ""},
		{"0.01", "0.01", ""},
		{"10.005", "", "input.amount_decimals"},
		{"0", "", "input.amount_positive"},
		{"0.00", "", "input.amount_positive"},
		{"-5", "", "input.amount_positive"},
		{"", "", "input.required"},
		{"abc", "", "input.amount_invalid"},
		{"1e3", "", "input.amount_invalid"},
		{"1,50", "", "input.amount_invalid"},
		{"12,345,678.9", "12345678.9", ""},
		{"99999999999999999", "", "input.amount_too_large"},
	}
	for _, tt := range tests {
		d, key := readAmount(money.Text(tt.in))
		if key != tt.key || (key == "" && !d.Equal(dec(tt.want))) {
			t.Errorf("readAmount(%q) = %s, %q; want %s, %q", tt.in, d, key, tt.want, tt.key)
		}
	}
}

func TestParsePercent(t *testing.T) {
	tests := []struct{ in, key string }{
		{"0", ""}, {"40", ""}, {"40.5", ""}, {"100", ""}, {"35%", ""},
		{"100.01", "input.percent_range"}, {"-1", "input.percent_range"}, {"33.333", "input.percent_decimals"},
		{"", "input.percent_range"}, {"forty", "input.percent_range"},
	}
	for _, tt := range tests {
		if _, key := ParsePercent(tt.in); key != tt.key {
			t.Errorf("ParsePercent(%q) key %q, want %q", tt.in, key, tt.key)
		}
	}
}

func TestPlanFormParse(t *testing.T) {
	good := PlanForm{Business: "ข้าวมันไก่", DaysPerMonth: "24", ExpectedDailySales: "1500.00", IngredientCostPct: "40",
		MonthlyFixedCosts: "2000", Items: []ItemForm{{Name: "รถเข็น", Quantity: "1", UnitCost: "30000"}, {}}}
	p, err := good.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 || p.Items[0].Position != 1 || p.DaysPerMonth != 24 {
		t.Fatalf("parsed %+v", p)
	}
	bad := PlanForm{DaysPerMonth: "32", ExpectedDailySales: "1500.001", IngredientCostPct: "101", MonthlyFixedCosts: "0",
		Items: []ItemForm{{Name: "", Quantity: "0", UnitCost: "12.345"}}}
	_, err = bad.Parse()
	want := map[string]string{
		"business": "input.required", "days_per_month": "plan.days_range", "expected_daily_sales": "input.amount_decimals",
		"ingredient_cost_pct": "input.percent_range", "monthly_fixed_costs": "input.amount_positive",
		"items.0.name": "input.required", "items.0.quantity": "plan.quantity_range", "items.0.unit_cost": "input.amount_decimals",
	}
	fields := fieldsOf(t, err)
	for f, k := range want {
		if fields[f] != k {
			t.Errorf("field %s: %q, want %q", f, fields[f], k)
		}
	}
	if _, err := (PlanForm{Business: "x", DaysPerMonth: "1", ExpectedDailySales: "1", IngredientCostPct: "1", MonthlyFixedCosts: "1"}).Parse(); fieldsOf(t, err)["items"] != "plan.items_required" {
		t.Errorf("no items: %v", err)
	}
}
