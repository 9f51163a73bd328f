package participants_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/participants"
	"hawker/pg/pgtest"
	"hawker/training"
	"hawker/users"
	"hawker/valid"
)

var today = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

type fixture struct {
	db                         *sqlx.DB
	store                      *participants.Store
	training                   *training.Store
	officer, officer2, manager audit.Actor
	required                   []training.Module
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	us := users.NewStore(db)
	f := &fixture{db: db, store: participants.NewStore(db, us), training: training.NewStore(db)}
	for _, x := range []struct {
		login string
		role  users.Role
		to    *audit.Actor
	}{{"officer", users.Officer, &f.officer}, {"officer2", users.Officer, &f.officer2}, {"manager", users.Manager, &f.manager}} {
		u, err := us.Add(ctx, users.New{Login: x.login, Role: x.role, Password: "password-123"})
		if err != nil {
			t.Fatal(err)
		}
		*x.to = audit.Actor{UserID: u.ID, Role: string(u.Role)}
	}
	six := 6
	for _, m := range []training.Module{
		{NameTH: "สุขาภิบาลอาหาร", NameEN: "Food sanitation", Kind: training.FoodHandler, Required: true, ValidityMonths: &six, Active: true},
		{NameTH: "การวางแผนธุรกิจ", NameEN: "Business planning", Kind: training.Programme, Required: true, Active: true},
		{NameTH: "ครอบครัวสัมพันธ์", NameEN: "Family relations", Kind: training.Programme, Required: false, Active: true},
	} {
		m, err := f.training.AddModule(ctx, audit.System, m)
		if err != nil {
			t.Fatal(err)
		}
		if m.Required {
			f.required = append(f.required, m)
		}
	}
	return f
}

func (f *fixture) enrol(t *testing.T, phone string) participants.Participant {
	t.Helper()
	p, err := participants.Enrolment{Name: "มาลี ศรีสุข", Nickname: "มาลี", Phone: phone, Province: "กรุงเทพมหานคร", District: "ดินแดง", Cohort: "รุ่น 1/2569", EnrolledOn: "2026-02-01"}.Parse(today)
	if err != nil {
		t.Fatal(err)
	}
	p, err = f.store.Enrol(context.Background(), f.officer, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func planForm() participants.PlanForm {
	return participants.PlanForm{Business: "ข้าวมันไก่", Menu: "ข้าวมันไก่ต้ม ทอด", Location: "หน้าตลาดห้วยขวาง", DaysPerMonth: "24",
		ExpectedDailySales: "1500.00", IngredientCostPct: "40", MonthlyFixedCosts: "2000.00",
		Items: []participants.ItemForm{{Name: "รถเข็น", Quantity: "1", UnitCost: "30000.00"}}}
}

func TestEnrolCodesAndDuplicatePhone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.enrol(t, "0812345678")
	b := f.enrol(t, "0812345679")
	if a.Code != "HSF-2026-0001" || b.Code != "HSF-2026-0002" {
		t.Errorf("codes %s %s", a.Code, b.Code)
	}
	p, _ := participants.Enrolment{Name: "x", Phone: "081-234-5678", Province: "p", District: "d", Cohort: "c", EnrolledOn: "2026-01-01"}.Parse(today)
	_, err := f.store.Enrol(context.Background(), f.officer, p, nil)
	var dup *participants.DuplicatePhoneError
	if !errors.As(err, &dup) || dup.Code != a.Code || !errors.Is(err, participants.ErrDuplicatePhone) {
		t.Fatalf("duplicate phone: %v", err)
	}
	// After erasure the number is free again.
	if _, err := f.store.Erase(context.Background(), f.manager, a); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Enrol(context.Background(), f.officer, p, nil); err != nil {
		t.Fatalf("enrol after erase: %v", err)
	}
}

func TestPlanStateMachineAndFourEyes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	pt := f.enrol(t, "0891112222")
	form, err := planForm().Parse()
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.store.CreatePlan(ctx, f.manager, pt, form) // a manager may write one too
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != 1 || p.State != participants.Draft || len(p.Items) != 1 {
		t.Fatalf("created %+v", p)
	}
	if _, err := f.store.CreatePlan(ctx, f.officer, pt, form); !errors.Is(err, participants.ErrWrongState) {
		t.Errorf("second open version: %v", err)
	}
	if _, err := f.store.ApprovePlan(ctx, f.officer2, p.ID); !errors.Is(err, participants.ErrWrongState) {
		t.Errorf("approve a draft: %v", err)
	}
	if _, err := f.store.SubmitPlan(ctx, f.officer, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.ReturnPlan(ctx, f.officer2, p.ID, " "); fieldsOf(err)["comment"] != "plan.comment_required" {
		t.Errorf("return without comment: %v", err)
	}
	p, err = f.store.ReturnPlan(ctx, f.officer2, p.ID, "ต้นทุนวัตถุดิบสูงเกินไป")
	if err != nil || p.State != participants.Returned || p.ReviewComment == "" {
		t.Fatalf("return: %+v %v", p, err)
	}
	if _, err := f.store.UpdatePlan(ctx, f.officer, pt, p.ID, form); err != nil {
		t.Fatalf("edit returned plan: %v", err)
	}
	if _, err := f.store.SubmitPlan(ctx, f.officer, p.ID); err != nil {
		t.Fatal(err)
	}
	// The manager wrote it; the officer submitted it: neither may approve.
	if _, err := f.store.ApprovePlan(ctx, f.manager, p.ID); !errors.Is(err, participants.ErrFourEyes) {
		t.Errorf("writer approves: %v", err)
	}
	if _, err := f.store.ApprovePlan(ctx, f.officer, p.ID); !errors.Is(err, participants.ErrFourEyes) {
		t.Errorf("submitter approves: %v", err)
	}
	p, err = f.store.ApprovePlan(ctx, f.officer2, p.ID)
	if err != nil || p.State != participants.Approved || p.ApprovedAt == nil {
		t.Fatalf("approve: %+v %v", p, err)
	}
	// Frozen in Go and in the database.
	if _, err := f.store.UpdatePlan(ctx, f.officer, pt, p.ID, form); !errors.Is(err, participants.ErrWrongState) {
		t.Errorf("edit approved: %v", err)
	}
	if _, err := f.db.Exec(`UPDATE plans SET business = 'x' WHERE id = $1`, p.ID); err == nil || !strings.Contains(err.Error(), "approved") {
		t.Errorf("database let an approved plan change: %v", err)
	}
	if _, err := f.db.Exec(`DELETE FROM plan_items WHERE plan_id = $1`, p.ID); err == nil {
		t.Error("database let an approved plan's items go")
	}
	// The next version starts from a copy of the approved one.
	copyForm := participants.FormOf(p)
	next, err := copyForm.Parse()
	if err != nil {
		t.Fatal(err)
	}
	v2, err := f.store.CreatePlan(ctx, f.officer, pt, next)
	if err != nil || v2.Version != 2 || v2.Business != p.Business || !v2.Figures().MonthlyProfit.Equal(p.Figures().MonthlyProfit) {
		t.Fatalf("version 2: %+v %v", v2, err)
	}
}

func fieldsOf(err error) valid.Errors {
	var v valid.Errors
	errors.As(err, &v)
	return v
}

func TestEligibilityReasons(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	pt := f.enrol(t, "0655554444")
	reasons := func() []string {
		t.Helper()
		e, err := f.store.Eligibility(ctx, f.db, pt.Code, today)
		if err != nil {
			t.Fatal(err)
		}
		if e.Eligible != (len(e.Reasons) == 0) {
			t.Fatalf("eligible=%t with reasons %v", e.Eligible, e.Reasons)
		}
		return e.Reasons
	}
	want := func(w ...string) {
		t.Helper()
		if got := strings.Join(reasons(), ","); got != strings.Join(w, ",") {
			t.Errorf("reasons %s, want %s", got, strings.Join(w, ","))
		}
	}
	want(participants.ReasonNoConsent, participants.ReasonTrainingMissing, participants.ReasonNoApprovedPlan)

	yes := true
	c, _ := participants.ConsentForm{Purpose: "programme", Given: &yes}.Parse(today)
	if _, err := f.store.RecordConsent(ctx, f.officer, pt, c); err != nil {
		t.Fatal(err)
	}
	want(participants.ReasonTrainingMissing, participants.ReasonNoApprovedPlan)

	// A class for the food module, seven months ago: passed but expired (valid 6 months).
	old := training.ClassForm{ModuleID: f.required[0].ID, SessionOn: "2025-11-14", Attendees: []training.Attendee{{ParticipantID: pt.ID, Passed: true, Score: "90"}}}
	cl, err := old.Parse(today)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.RecordClass(ctx, f.officer, cl); err != nil {
		t.Fatal(err)
	}
	// Failed business planning does not count.
	comp, _ := training.CompletionForm{ModuleID: f.required[1].ID, CompletedOn: "2026-06-01", Passed: false, Score: "40"}.Parse(today)
	if _, err := f.store.RecordTraining(ctx, f.officer, pt, comp); err != nil {
		t.Fatal(err)
	}
	want(participants.ReasonTrainingMissing, participants.ReasonTrainingExpired, participants.ReasonNoApprovedPlan)

	comp.Passed = true
	if _, err := f.store.RecordTraining(ctx, f.officer, pt, comp); err != nil {
		t.Fatal(err)
	}
	comp.ModuleID, comp.CompletedOn = f.required[0].ID, today
	if _, err := f.store.RecordTraining(ctx, f.officer, pt, comp); err != nil {
		t.Fatal(err)
	}
	want(participants.ReasonNoApprovedPlan)

	form, _ := planForm().Parse()
	p, err := f.store.CreatePlan(ctx, f.officer, pt, form)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SubmitPlan(ctx, f.officer, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.ApprovePlan(ctx, f.manager, p.ID); err != nil {
		t.Fatal(err)
	}
	want()

	// The list agrees with Eligibility.
	rows, err := f.store.List(ctx, participants.Filter{Eligible: "yes"}, today)
	if err != nil || len(rows) != 1 || rows[0].State != participants.StateEligible {
		t.Fatalf("list eligible: %+v %v", rows, err)
	}
	// The certificate runs out on 2026-12-15: listed from 2026-11-15, not after.
	exp, err := f.training.ExpiringWithin(ctx, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), 30)
	if err != nil || len(exp) != 1 || exp[0].ValidUntil.Format(time.DateOnly) != "2026-12-15" {
		t.Fatalf("expiring: %+v %v", exp, err)
	}
	if exp, _ := f.training.ExpiringWithin(ctx, today, 30); len(exp) != 0 {
		t.Errorf("expiring today: %+v", exp)
	}
	later := time.Date(2026, 12, 16, 0, 0, 0, 0, time.UTC)
	if e, _ := f.store.Eligibility(ctx, f.db, pt.Code, later); e.Eligible || e.Reasons[0] != participants.ReasonTrainingExpired {
		t.Errorf("after expiry: %+v", e)
	}
	if rows, _ := f.store.List(ctx, participants.Filter{State: participants.StatePlanApproved}, later); len(rows) != 1 {
		t.Errorf("after expiry the list shows %+v", rows)
	}

	// Withdrawing consent takes eligibility away.
	no := false
	c, _ = participants.ConsentForm{Purpose: "programme", Given: &no}.Parse(today)
	if _, err := f.store.RecordConsent(ctx, f.officer, pt, c); err != nil {
		t.Fatal(err)
	}
	want(participants.ReasonNoConsent)
}

func TestExportAndErase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	pt := f.enrol(t, "0987654321")
	yes := true
	c, _ := participants.ConsentForm{Purpose: "story", Given: &yes}.Parse(today)
	if _, err := f.store.RecordConsent(ctx, f.officer, pt, c); err != nil {
		t.Fatal(err)
	}
	comp, _ := training.CompletionForm{ModuleID: f.required[0].ID, CompletedOn: "2026-06-01", Passed: true, Score: "88", CertificateNo: "FH-001"}.Parse(today)
	if _, err := f.store.RecordTraining(ctx, f.officer, pt, comp); err != nil {
		t.Fatal(err)
	}
	form, _ := planForm().Parse()
	if _, err := f.store.CreatePlan(ctx, f.officer, pt, form); err != nil {
		t.Fatal(err)
	}
	if _, err := users.NewStore(f.db).Add(ctx, users.New{Login: "vendor1", Name: "มาลี", Role: users.Vendor, Password: "password-123", ParticipantID: &pt.ID}); err != nil {
		t.Fatal(err)
	}

	x, err := f.store.Export(ctx, f.officer, pt.Code, time.Now(), today)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(x)
	doc := string(b)
	for _, want := range []string{pt.Code, "มาลี ศรีสุข", "0987654321", "ดินแดง", `"purpose":"story"`, "FH-001", `"valid_until":"2026-12-01"`,
		`"expected_daily_sales":"1500.00"`, `"break_even_daily_sales":"138.89"`, `"login":"vendor1"`, `"eligible":false`} {
		if !strings.Contains(doc, want) {
			t.Errorf("export lacks %s:\n%s", want, doc)
		}
	}
	for _, never := range []string{"offence", "offense", "sentence", "prison", "crime", "conviction"} {
		if strings.Contains(strings.ToLower(doc), never) {
			t.Errorf("export mentions %q", never)
		}
	}

	erased, err := f.store.Erase(ctx, f.manager, pt)
	if err != nil {
		t.Fatal(err)
	}
	if erased.Code != pt.Code || erased.Name != "" || erased.Phone != nil || !erased.Erased() {
		t.Errorf("erased %+v", erased)
	}
	if _, err := f.store.Erase(ctx, f.manager, erased); !errors.Is(err, participants.ErrErased) {
		t.Errorf("erase twice: %v", err)
	}
	x2, err := f.store.Export(ctx, f.officer, pt.Code, time.Now(), today)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(x2)
	doc = string(b)
	for _, gone := range []string{"มาลี", "0987654321"} {
		if strings.Contains(doc, gone) {
			t.Errorf("erased export still holds %s", gone)
		}
	}
	if len(x2.Plans) != 1 || x2.Plans[0].Figures["monthly_profit"] != "19600.00" || len(x2.Training) != 1 || len(x2.Consents) != 1 {
		t.Errorf("figures lost on erase: %+v", x2)
	}
	if x2.Participant.Province != "กรุงเทพมหานคร" {
		t.Errorf("area lost: %+v", x2.Participant)
	}
	// Both were recorded in the audit trail.
	events, err := audit.List(ctx, f.db, audit.Filter{Object: pt.Object()})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Action] = true
		if strings.Contains(e.Summary, "มาลี") {
			t.Errorf("audit summary names her: %+v", e)
		}
	}
	for _, a := range []string{"participant.enrol", "participant.consent", "training.record", "participant.export", "participant.erase"} {
		if !seen[a] {
			t.Errorf("audit lacks %s (%v)", a, seen)
		}
	}
	r, err := audit.Verify(ctx, f.db)
	if err != nil || len(r.Breaks) > 0 {
		t.Errorf("audit chain: %+v %v", r, err)
	}
}

func TestListSearchAndFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	a := f.enrol(t, "0811111111")
	f.enrol(t, "0822222222")
	tests := []struct {
		name string
		f    participants.Filter
		n    int
	}{
		{"all", participants.Filter{}, 2},
		{"by code", participants.Filter{Query: a.Code}, 1},
		{"by code part, any case", participants.Filter{Query: "hsf-2026-000"}, 2},
		{"by phone with dashes", participants.Filter{Query: "081-111"}, 1},
		{"by phone +66", participants.Filter{Query: "+66811111111"}, 1},
		{"by nickname", participants.Filter{Query: "มาลี"}, 2},
		{"like is escaped", participants.Filter{Query: "%"}, 0},
		{"cohort", participants.Filter{Cohort: "รุ่น 1/2569"}, 2},
		{"other cohort", participants.Filter{Cohort: "รุ่น 2/2569"}, 0},
		{"state enrolled", participants.Filter{State: participants.StateEnrolled}, 2},
		{"state in training", participants.Filter{State: participants.StateInTraining}, 0},
		{"not eligible", participants.Filter{Eligible: "no"}, 2},
	}
	for _, tt := range tests {
		rows, err := f.store.List(ctx, tt.f, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != tt.n {
			t.Errorf("%s: %d rows, want %d", tt.name, len(rows), tt.n)
		}
	}
}

// TestFourEyesCountsEditors: a manager who edited a version wrote part of
// it, and may not approve it even when another submitted it.
func TestFourEyesCountsEditors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	pt := f.enrol(t, "0811112222")
	p, form := f.draft(t, pt)
	form.Business = "ข้าวมันไก่ (แก้โดยผู้จัดการ)"
	if _, err := f.store.UpdatePlan(ctx, f.manager, pt, p.ID, form); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SubmitPlan(ctx, f.officer, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.ApprovePlan(ctx, f.manager, p.ID); !errors.Is(err, participants.ErrFourEyes) {
		t.Fatalf("approval by an editor: %v, want ErrFourEyes", err)
	}
	// The plan page asks the same rule before it shows the button.
	submitted, err := f.store.Plan(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who  int64
		want bool
	}{{f.manager.UserID, false}, {f.officer.UserID, false}, {f.officer2.UserID, true}} {
		if got, err := f.store.MayApprove(ctx, pt, submitted, c.who); err != nil || got != c.want {
			t.Errorf("MayApprove(user %d) = %v, %v; want %v", c.who, got, err, c.want)
		}
	}
	if p, err := f.store.ApprovePlan(ctx, f.officer2, p.ID); err != nil || p.State != participants.Approved {
		t.Fatalf("approval by another: %v (%s)", err, p.State)
	}
}

// TestReturnCommentIsBounded: a review comment is required and bounded.
func TestReturnCommentIsBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	p, _ := f.draft(t, f.enrol(t, "0811113333"))
	if _, err := f.store.SubmitPlan(ctx, f.officer, p.ID); err != nil {
		t.Fatal(err)
	}
	var fields valid.Errors
	if _, err := f.store.ReturnPlan(ctx, f.manager, p.ID, strings.Repeat("ก", participants.MaxComment+1)); !errors.As(err, &fields) || fields["comment"] != "input.too_long" {
		t.Errorf("overlong comment: %v", err)
	}
	if _, err := f.store.ReturnPlan(ctx, f.manager, p.ID, strings.Repeat("ก", participants.MaxComment)); err != nil {
		t.Errorf("longest comment: %v", err)
	}
}

// draft is an officer's draft plan for pt, and the plan it was made from.
func (f *fixture) draft(t *testing.T, pt participants.Participant) (participants.Plan, participants.Plan) {
	t.Helper()
	form, err := planForm().Parse()
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.store.CreatePlan(context.Background(), f.officer, pt, form)
	if err != nil {
		t.Fatal(err)
	}
	return p, form
}
