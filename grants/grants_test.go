package grants_test

import (
	"errors"
	"testing"
	"time"

	"hawker/grants"
)

// TestNext: every pair of state and action is either in the machine's table
// or refused with ErrWrongState.
func TestNext(t *testing.T) {
	allowed := map[grants.State]map[grants.Action]grants.State{
		grants.Draft:     {grants.Edit: grants.Draft, grants.Submit: grants.Submitted},
		grants.Submitted: {grants.Approve: grants.Approved, grants.Reject: grants.Rejected},
		grants.Approved: {grants.Cancel: grants.Cancelled, grants.Disburse: grants.Approved,
			grants.HandOver: grants.Approved, grants.Confirm: grants.Approved},
	}
	for _, s := range grants.States {
		for _, a := range grants.Actions {
			to, err := grants.Next(s, a)
			want, ok := allowed[s][a]
			switch {
			case ok && (err != nil || to != want):
				t.Errorf("%s --%s--> %s, %v; want %s", s, a, to, err, want)
			case !ok && !errors.Is(err, grants.ErrWrongState):
				t.Errorf("%s --%s--> %s, %v; want ErrWrongState", s, a, to, err)
			case s.Allows(a) != ok:
				t.Errorf("%s allows %s = %t", s, a, s.Allows(a))
			}
		}
	}
}

func TestInputCheck(t *testing.T) {
	three := 3
	zero := 0
	good := grants.Input{Participant: "hsf-2026-0001", Fund: 1,
		Tranches: []grants.TrancheInput{
			{Amount: "5000", Condition: "on_approval"},
			{Amount: "2500.50", Condition: "after_date", AfterDate: "2026-07-01"},
			{Amount: "1000", Condition: "trading_days", TradingDays: &three},
			{Amount: "1000", Condition: "milestone", Milestone: "ได้ใบอนุญาตจำหน่ายอาหาร"},
		},
		Equipment: []grants.ItemInput{{Description: "รถเข็น", AssetTag: "cart-1", Value: "30000", Basis: "invoice"}},
	}
	d, err := good.Check()
	if err != nil {
		t.Fatal(err)
	}
	if d.Participant != "HSF-2026-0001" || !d.Total().Equal(dec("39500.50")) || d.Items[0].AssetTag != "CART-1" {
		t.Errorf("checked %+v total %s", d, d.Total())
	}
	if d.Tranches[1].AfterDate == nil || !d.Tranches[1].AfterDate.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("after date %v", d.Tranches[1].AfterDate)
	}
	for _, c := range []struct {
		name  string
		edit  func(*grants.Input)
		field string
		key   string
	}{
		{"no participant", func(in *grants.Input) { in.Participant = " " }, "participant", "grant.participant_required"},
		{"no fund", func(in *grants.Input) { in.Fund = 0 }, "fund", "grant.fund_required"},
		{"empty", func(in *grants.Input) { in.Tranches, in.Equipment = nil, nil }, "tranches", "grant.empty"},
		{"float amount", func(in *grants.Input) { in.Tranches[0].Amount = "1e3" }, "tranches.0.amount", "grant.amount_invalid"},
		{"three decimals", func(in *grants.Input) { in.Tranches[0].Amount = "10.005" }, "tranches.0.amount", "grant.amount_decimals"},
		{"negative", func(in *grants.Input) { in.Tranches[0].Amount = "-5" }, "tranches.0.amount", "grant.amount_invalid"},
		{"zero", func(in *grants.Input) { in.Tranches[0].Amount = "0.00" }, "tranches.0.amount", "grant.amount_positive"},
		{"separators", func(in *grants.Input) { in.Tranches[0].Amount = "5,000" }, "tranches.0.amount", "grant.amount_invalid"},
		{"unknown condition", func(in *grants.Input) { in.Tranches[0].Condition = "whenever" }, "tranches.0.condition", "grant.condition_invalid"},
		{"bad date", func(in *grants.Input) { in.Tranches[1].AfterDate = "2026-02-30" }, "tranches.1.after_date", "grant.date_invalid"},
		{"days out of range", func(in *grants.Input) { in.Tranches[2].TradingDays = &zero }, "tranches.2.trading_days", "grant.trading_days_range"},
		{"no milestone", func(in *grants.Input) { in.Tranches[3].Milestone = "  " }, "tranches.3.milestone", "grant.text_required"},
		{"date on wrong condition", func(in *grants.Input) { in.Tranches[0].AfterDate = "2026-07-01" }, "tranches.0.after_date", "grant.field_not_for_condition"},
		{"no description", func(in *grants.Input) { in.Equipment[0].Description = "" }, "equipment.0.description", "grant.text_required"},
		{"bad basis", func(in *grants.Input) { in.Equipment[0].Basis = "guess" }, "equipment.0.basis", "grant.basis_invalid"},
		{"tag twice", func(in *grants.Input) { in.Equipment = append(in.Equipment, in.Equipment[0]) }, "equipment.1.asset_tag", "grant.asset_tag_twice"},
		{"control characters", func(in *grants.Input) { in.Purpose = "a\x00b" }, "purpose", "grant.text_invalid"},
		{"too large", func(in *grants.Input) { in.Tranches[0].Amount = "9999999999999999" }, "tranches", "grant.total_too_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := good
			in.Tranches = append([]grants.TrancheInput(nil), good.Tranches...)
			in.Equipment = append([]grants.ItemInput(nil), good.Equipment...)
			c.edit(&in)
			_, err := in.Check()
			if got := fieldsOf(err)[c.field]; got != c.key {
				t.Errorf("field %s: %q, want %q (%v)", c.field, got, c.key, err)
			}
		})
	}
}

func TestHolds(t *testing.T) {
	july := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	ten := 10
	now := time.Now()
	for _, c := range []struct {
		name string
		tr   grants.Tranche
		on   time.Time
		days int
		ok   bool
	}{
		{"on approval", grants.Tranche{Condition: grants.OnApproval}, today, 0, true},
		{"before the date", grants.Tranche{Condition: grants.AfterDate, AfterDate: &july}, july.AddDate(0, 0, -1), 0, false},
		{"on the date", grants.Tranche{Condition: grants.AfterDate, AfterDate: &july}, july, 0, true},
		{"too few days", grants.Tranche{Condition: grants.TradingDays, TradingDays: &ten}, today, 9, false},
		{"enough days", grants.Tranche{Condition: grants.TradingDays, TradingDays: &ten}, today, 10, true},
		{"milestone not confirmed", grants.Tranche{Condition: grants.Milestone, Milestone: "x"}, today, 0, false},
		{"milestone confirmed", grants.Tranche{Condition: grants.Milestone, Milestone: "x", ConfirmedAt: &now}, today, 0, true},
	} {
		err := c.tr.Holds(c.on, c.days)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, grants.ErrConditionNotMet)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
