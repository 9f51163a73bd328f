package participants

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
	"hawker/training"
)

// ExportFormat names the layout of an export, so readers can tell versions apart.
const ExportFormat = "hawker.participant/v1"

// Export is everything Hawker holds about one participant, as one JSON
// document (PDPA sections 30–31: access in a portable, machine-readable form).
type Export struct {
	Format      string          `json:"format"`
	ExportedAt  time.Time       `json:"exported_at"`
	Participant ProfileDoc      `json:"participant"`
	Consents    []ConsentDoc    `json:"consents"`
	Training    []CompletionDoc `json:"training"`
	Plans       []PlanDoc       `json:"plans"`
	Eligibility Eligibility     `json:"eligibility"`
	// Sections are what the other packages hold about her (PersonalData),
	// written into the same JSON object after the fields above.
	Sections Sections `json:"-"`
	order    []string
}

// ProfileDoc is the participant's own fields.
type ProfileDoc struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Nickname   string     `json:"nickname"`
	Phone      string     `json:"phone"`
	Province   string     `json:"province"`
	District   string     `json:"district"`
	Cohort     string     `json:"cohort"`
	EnrolledOn string     `json:"enrolled_on"`
	Language   string     `json:"language"`
	Erased     bool       `json:"erased"`
	ErasedAt   *time.Time `json:"erased_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// Doc is p as the API and the export show it.
func (p Participant) Doc() ProfileDoc {
	return ProfileDoc{
		Code: p.Code, Name: p.Name, Nickname: p.Nickname, Phone: p.PhoneNumber(), Province: p.Province,
		District: p.District, Cohort: p.Cohort, EnrolledOn: p.EnrolledOn.Format(time.DateOnly),
		Language: p.Language, Erased: p.Erased(), ErasedAt: p.ErasedAt, CreatedAt: p.CreatedAt,
	}
}

// ConsentDoc is one recorded consent decision.
type ConsentDoc struct {
	Purpose    Purpose   `json:"purpose"`
	Given      bool      `json:"given"`
	RecordedOn string    `json:"recorded_on"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Doc is c as the API and the export show it.
func (c Consent) Doc() ConsentDoc {
	return ConsentDoc{Purpose: c.Purpose, Given: c.Given, RecordedOn: c.RecordedOn.Format(time.DateOnly), RecordedAt: c.RecordedAt}
}

// CompletionDoc is one training result.
type CompletionDoc struct {
	ID            int64  `json:"id"`
	Module        int64  `json:"module"`
	ModuleTH      string `json:"module_name_th"`
	ModuleEN      string `json:"module_name_en"`
	CompletedOn   string `json:"completed_on"`
	Passed        bool   `json:"passed"`
	Score         *int   `json:"score"`
	CertificateNo string `json:"certificate_no"`
	Issuer        string `json:"issuer"`
	ValidUntil    string `json:"valid_until,omitempty"`
}

// CompletionDocOf shows c with its module's names and validity.
func CompletionDocOf(c training.Completion, m training.Module) CompletionDoc {
	d := CompletionDoc{ID: c.ID, Module: c.ModuleID, ModuleTH: m.NameTH, ModuleEN: m.NameEN,
		CompletedOn: c.CompletedOn.Format(time.DateOnly), Passed: c.Passed, Score: c.Score,
		CertificateNo: c.CertificateNo, Issuer: c.Issuer}
	if until, ok := training.ValidUntil(c.CompletedOn, m.ValidityMonths); ok && c.Passed {
		d.ValidUntil = until.Format(time.DateOnly)
	}
	return d
}

// PlanDoc is one plan version with its items and computed figures; every
// amount is a string with two decimals.
type PlanDoc struct {
	ID                 int64          `json:"id"`
	Participant        string         `json:"participant"`
	Version            int            `json:"version"`
	State              PlanState      `json:"state"`
	Business           string         `json:"business"`
	Menu               string         `json:"menu"`
	Location           string         `json:"location"`
	TradingDays        string         `json:"trading_days"`
	TradingHours       string         `json:"trading_hours"`
	DaysPerMonth       int            `json:"days_per_month"`
	ExpectedDailySales string         `json:"expected_daily_sales"`
	IngredientCostPct  string         `json:"ingredient_cost_pct"`
	MonthlyFixedCosts  string         `json:"monthly_fixed_costs"`
	Items              []ItemDoc      `json:"startup_items"`
	Figures            map[string]any `json:"figures"`
	ReviewComment      string         `json:"review_comment"`
	CreatedAt          time.Time      `json:"created_at"`
	SubmittedAt        *time.Time     `json:"submitted_at"`
	ApprovedAt         *time.Time     `json:"approved_at"`
}

// ItemDoc is one start-up item.
type ItemDoc struct {
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
	UnitCost string `json:"unit_cost"`
	Total    string `json:"total"`
}

// Doc is p as the API and the export show it; code is its participant's.
func (p Plan) Doc(code string) PlanDoc {
	f := p.Figures()
	d := PlanDoc{
		ID: p.ID, Participant: code, Version: p.Version, State: p.State, Business: p.Business, Menu: p.Menu,
		Location: p.Location, TradingDays: p.TradingDays, TradingHours: p.TradingHours, DaysPerMonth: p.DaysPerMonth,
		ExpectedDailySales: p.ExpectedDailySales.String(), IngredientCostPct: p.IngredientCostPct.StringFixed(2),
		MonthlyFixedCosts: p.MonthlyFixedCosts.String(), Items: []ItemDoc{}, ReviewComment: p.ReviewComment,
		CreatedAt: p.CreatedAt, SubmittedAt: p.SubmittedAt, ApprovedAt: p.ApprovedAt,
		Figures: map[string]any{
			"startup_total":            f.StartupTotal.String(),
			"monthly_sales":            f.MonthlySales.String(),
			"monthly_ingredient_costs": f.IngredientCost.String(),
			"monthly_fixed_costs":      f.FixedCosts.String(),
			"monthly_profit":           f.MonthlyProfit.String(),
			"break_even_daily_sales":   nil,
		},
	}
	if f.BreakEven != nil {
		d.Figures["break_even_daily_sales"] = f.BreakEven.String()
	}
	for _, it := range p.Items {
		d.Items = append(d.Items, ItemDoc{Name: it.Name, Quantity: it.Quantity, UnitCost: it.UnitCost.String(), Total: it.Total().String()})
	}
	return d
}

// Export gathers all of her data, this package's and every holder's
// (PersonalData), in one transaction, and records the export in the audit trail.
func (s *Store) Export(ctx context.Context, a audit.Actor, code string, now time.Time, today time.Time) (Export, error) {
	var x Export
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		p, err := byCode(ctx, tx, code)
		if err != nil {
			return err
		}
		x = Export{Format: ExportFormat, ExportedAt: now.UTC(), Participant: p.Doc(), Consents: []ConsentDoc{}, Training: []CompletionDoc{}, Plans: []PlanDoc{}}
		cs, err := consentHistory(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		for _, c := range cs {
			x.Consents = append(x.Consents, c.Doc())
		}
		modules, err := training.Modules(ctx, tx, true)
		if err != nil {
			return err
		}
		byID := map[int64]training.Module{}
		for _, m := range modules {
			byID[m.ID] = m
		}
		done, err := training.Completions(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		for _, c := range done {
			x.Training = append(x.Training, CompletionDocOf(c, byID[c.ModuleID]))
		}
		ps, err := plans(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		for _, pl := range ps {
			x.Plans = append(x.Plans, pl.Doc(p.Code))
		}
		if x.Eligibility, err = eligibility(ctx, tx, p, today); err != nil {
			return err
		}
		if err := s.exportHeld(ctx, tx, p, &x); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "participant.export", p.Object(), ExportFormat, audit.Details{"format": ExportFormat})
	})
	return x, err
}
