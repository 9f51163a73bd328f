package grants

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"hawker/money"
	"hawker/valid"
)

// Limits on what a grant may hold.
const (
	MaxTranches = 12
	MaxItems    = 50
	MaxText     = 500 // a description, a milestone, a reason, a note
	MaxTag      = 64
)

// amountKey judges an amount typed for a grant, a tranche, an item or a
// receipt, as money.Parse read it (a and err are Parse's results): it must
// be read and more than zero. The result is the message key
// for the field, "" when the amount may be used.
func amountKey(a money.Amount, err error) string {
	switch money.CodeOf(err) {
	case "":
	case money.CodeRequired:
		return "grant.amount_required"
	case money.CodeDecimals:
		return "grant.amount_decimals"
	default:
		return "grant.amount_invalid"
	}
	switch {
	case err != nil:
		return "grant.amount_invalid"
	case !a.IsPositive():
		return "grant.amount_positive"
	}
	return ""
}

// ParseDate reads "YYYY-MM-DD"; the error is a message key.
func ParseDate(s string) (time.Time, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, "grant.date_required"
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < 2000 || d.Year() > 2200 {
		return time.Time{}, "grant.date_invalid"
	}
	return d, ""
}

// checkText adds an error for a text field that is missing (when required),
// too long, or holds control characters.
func checkText(errs valid.Errors, field, v string, required bool, max int) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && required:
		errs.Add(field, "grant.text_required")
	case utf8.RuneCountInString(v) > max:
		errs.Add(field, "grant.text_long")
	case strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\n' && r != '\t' || r == 0x7f }):
		errs.Add(field, "grant.text_invalid")
	}
	return v
}

// TrancheInput is a tranche as a client sends it.
type TrancheInput struct {
	Amount      money.Text `json:"amount"` // a JSON string such as "5000.50"; a number is refused
	Condition   string     `json:"condition"`
	AfterDate   string     `json:"after_date,omitempty"`
	TradingDays *int       `json:"trading_days,omitempty"`
	Milestone   string     `json:"milestone,omitempty"`
}

// ItemInput is an item of equipment as a client sends it. Donor is the
// donor the item is attributed to; none means the fund's donor.
type ItemInput struct {
	Description string     `json:"description"`
	AssetTag    string     `json:"asset_tag"`
	Serial      string     `json:"serial"`
	Value       money.Text `json:"value"` // a JSON string, as a tranche's amount
	Basis       string     `json:"basis"`
	Donor       *int64     `json:"donor,omitempty"`
}

// Input is a grant as a client sends it (the JSON body of POST
// /api/v1/grants, or the form): unchecked.
type Input struct {
	Participant string         `json:"participant"`
	Fund        int64          `json:"fund"`
	Purpose     string         `json:"purpose"`
	Tranches    []TrancheInput `json:"tranches"`
	Equipment   []ItemInput    `json:"equipment"`
}

// Checked is a checked grant, ready to store.
type Checked struct {
	Participant string
	Fund        int64
	Purpose     string
	Tranches    []Tranche
	Items       []Item
}

// Total is the sum of the tranches and the items' values.
func (d Checked) Total() money.Amount {
	sum := money.Zero
	for _, t := range d.Tranches {
		sum = sum.Add(t.Amount)
	}
	for _, i := range d.Items {
		sum = sum.Add(i.Value)
	}
	return sum
}

// maxTotal bounds a grant's total, and any amount of grants (NUMERIC(18,2)
// with room to add them up).
var maxTotal = money.Baht(1_000_000_000_000_000)

// Check validates in. Field errors carry message keys under names such as
// "tranches.0.amount" and "equipment.2.value".
func (in Input) Check() (Checked, error) {
	errs := valid.Errors{}
	d := Checked{Participant: strings.ToUpper(strings.TrimSpace(in.Participant)), Fund: in.Fund}
	if d.Participant == "" {
		errs.Add("participant", "grant.participant_required")
	} else if len(d.Participant) > 40 {
		errs.Add("participant", "grant.participant_unknown")
	}
	if in.Fund <= 0 {
		errs.Add("fund", "grant.fund_required")
	}
	d.Purpose = checkText(errs, "purpose", in.Purpose, false, MaxText)
	switch {
	case len(in.Tranches) == 0 && len(in.Equipment) == 0:
		errs.Add("tranches", "grant.empty")
	case len(in.Tranches) > MaxTranches:
		errs.Add("tranches", "grant.too_many_tranches")
	case len(in.Equipment) > MaxItems:
		errs.Add("equipment", "grant.too_many_items")
	}
	if len(in.Tranches) > MaxTranches || len(in.Equipment) > MaxItems {
		return Checked{}, errs
	}
	for i, t := range in.Tranches {
		f := "tranches." + strconv.Itoa(i) + "."
		tr := Tranche{N: i + 1, Condition: Condition(strings.TrimSpace(t.Condition)), State: TranchePending}
		if a, err := t.Amount.Parse(); amountKey(a, err) != "" {
			errs.Add(f+"amount", amountKey(a, err))
		} else {
			tr.Amount = a
		}
		switch tr.Condition {
		case OnApproval:
		case AfterDate:
			if day, key := ParseDate(t.AfterDate); key != "" {
				errs.Add(f+"after_date", key)
			} else {
				tr.AfterDate = &day
			}
		case TradingDays:
			if t.TradingDays == nil || *t.TradingDays < 1 || *t.TradingDays > 30 {
				errs.Add(f+"trading_days", "grant.trading_days_range")
			} else {
				n := *t.TradingDays
				tr.TradingDays = &n
			}
		case Milestone:
			tr.Milestone = checkText(errs, f+"milestone", t.Milestone, true, MaxText)
		default:
			errs.Add(f+"condition", "grant.condition_invalid")
		}
		if tr.Condition != AfterDate && strings.TrimSpace(t.AfterDate) != "" {
			errs.Add(f+"after_date", "grant.field_not_for_condition")
		}
		if tr.Condition != TradingDays && t.TradingDays != nil {
			errs.Add(f+"trading_days", "grant.field_not_for_condition")
		}
		if tr.Condition != Milestone && strings.TrimSpace(t.Milestone) != "" {
			errs.Add(f+"milestone", "grant.field_not_for_condition")
		}
		d.Tranches = append(d.Tranches, tr)
	}
	tags := map[string]bool{}
	for i, it := range in.Equipment {
		f := "equipment." + strconv.Itoa(i) + "."
		item := Item{Position: i + 1, Basis: Basis(strings.TrimSpace(it.Basis)), Status: Planned}
		item.Description = checkText(errs, f+"description", it.Description, true, MaxText)
		item.AssetTag = strings.ToUpper(checkText(errs, f+"asset_tag", it.AssetTag, false, MaxTag))
		item.Serial = checkText(errs, f+"serial", it.Serial, false, MaxTag)
		if item.AssetTag != "" {
			if tags[item.AssetTag] {
				errs.Add(f+"asset_tag", "grant.asset_tag_twice")
			}
			tags[item.AssetTag] = true
		}
		if v, err := it.Value.Parse(); amountKey(v, err) != "" {
			errs.Add(f+"value", amountKey(v, err))
		} else {
			item.Value = v
		}
		if !slices.Contains(Bases, item.Basis) {
			errs.Add(f+"basis", "grant.basis_invalid")
		}
		if it.Donor != nil {
			if *it.Donor <= 0 {
				errs.Add(f+"donor", "grant.donor_unknown")
			} else {
				item.DonorID = *it.Donor
			}
		}
		d.Items = append(d.Items, item)
	}
	if err := errs.Err(); err != nil {
		return Checked{}, err
	}
	if !d.Total().LessThan(maxTotal) {
		return Checked{}, valid.Errors{"tranches": "grant.total_too_large"}
	}
	return d, nil
}

// InputOf is the input that would recreate g (to edit a draft).
func InputOf(g Grant) Input {
	in := Input{Participant: g.Participant, Fund: g.FundID, Purpose: g.Purpose}
	for _, t := range g.Tranches {
		ti := TrancheInput{Amount: money.Text(t.Amount.String()), Condition: string(t.Condition), Milestone: t.Milestone, TradingDays: t.TradingDays}
		if t.AfterDate != nil {
			ti.AfterDate = t.AfterDate.Format(time.DateOnly)
		}
		in.Tranches = append(in.Tranches, ti)
	}
	for _, i := range g.Items {
		donor := i.DonorID
		in.Equipment = append(in.Equipment, ItemInput{Description: i.Description, AssetTag: i.AssetTag, Serial: i.Serial,
			Value: money.Text(i.Value.String()), Basis: string(i.Basis), Donor: &donor})
	}
	return in
}
