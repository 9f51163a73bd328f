package participants_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"hawker/audit"
	"hawker/participants"
	"hawker/training"
)

// TestEligibilityCases is the one table of cases for the grant rule and
// the file states: each case is a file built through the store, then read
// by Eligibility (what a grant's approval calls) and by List (the
// participant list and its filters), which must both give the table's answer.
func TestEligibilityCases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	const (
		none = iota
		given
		withdrawn
	)
	const (
		untrained = iota
		current   // both required modules passed and current
		expired   // the food module's pass ran out; business planning current
		failed    // food failed, business planning passed
		partial   // only business planning passed
		stale     // only the food module, passed long ago
	)
	type plan int
	const (
		noPlan plan = iota
		draft
		submitted
		returned
		approved
		approvedThenDraft // v1 approved, v2 under way
	)
	cases := []struct {
		name     string
		consent  int
		training int
		plan     plan
		erase    bool
		reasons  string
		state    string
	}{
		{"just enrolled", none, untrained, noPlan, false, "no_programme_consent,training_missing,no_approved_plan", participants.StateEnrolled},
		{"consent only", given, untrained, noPlan, false, "training_missing,no_approved_plan", participants.StateEnrolled},
		{"in training", given, partial, noPlan, false, "training_missing,no_approved_plan", participants.StateInTraining},
		{"failed counts as training, not as a pass", given, failed, noPlan, false, "training_missing,no_approved_plan", participants.StateInTraining},
		{"trained, no plan", given, current, noPlan, false, "no_approved_plan", participants.StateInTraining},
		{"draft plan", given, current, draft, false, "no_approved_plan", participants.StatePlanDraft},
		{"submitted plan", given, current, submitted, false, "no_approved_plan", participants.StatePlanSubmitted},
		{"returned plan", given, current, returned, false, "no_approved_plan", participants.StatePlanReturned},
		{"eligible", given, current, approved, false, "", participants.StateEligible},
		{"an approved version still counts while the next is drafted", given, current, approvedThenDraft, false, "", participants.StateEligible},
		{"expired certificate", given, expired, approved, false, "training_expired", participants.StatePlanApproved},
		{"approved plan, untrained", given, untrained, approved, false, "training_missing", participants.StatePlanApproved},
		{"missing and expired at once", given, stale, approved, false, "training_missing,training_expired", participants.StatePlanApproved},
		{"consent withdrawn", withdrawn, current, approved, false, "no_programme_consent", participants.StatePlanApproved},
		{"never asked, all else done", none, current, approved, false, "no_programme_consent", participants.StatePlanApproved},
		{"erased", given, current, approved, true, "erased", participants.StateErased},
		{"erased before anything", none, untrained, noPlan, true, "erased,no_programme_consent,training_missing,no_approved_plan", participants.StateErased},
	}

	food, business := f.required[0].ID, f.required[1].ID
	pass := func(pt participants.Participant, module int64, on string, passed bool) {
		t.Helper()
		c, err := training.CompletionForm{ModuleID: module, CompletedOn: on, Passed: passed}.Parse(today)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.RecordTraining(ctx, f.officer, pt, c); err != nil {
			t.Fatal(err)
		}
	}
	consent := func(pt participants.Participant, give bool) {
		t.Helper()
		c, _ := participants.ConsentForm{Purpose: "programme", Given: &give}.Parse(today)
		if _, err := f.store.RecordConsent(ctx, f.officer, pt, c); err != nil {
			t.Fatal(err)
		}
	}
	newPlan := func(pt participants.Participant) participants.Plan {
		t.Helper()
		form, _ := planForm().Parse()
		p, err := f.store.CreatePlan(ctx, f.officer, pt, form)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	review := func(p participants.Plan, to participants.PlanState) {
		t.Helper()
		if _, err := f.store.SubmitPlan(ctx, f.officer, p.ID); err != nil {
			t.Fatal(err)
		}
		var err error
		switch to {
		case participants.Approved:
			_, err = f.store.ApprovePlan(ctx, f.manager, p.ID)
		case participants.Returned:
			_, err = f.store.ReturnPlan(ctx, f.manager, p.ID, "ราคาวัตถุดิบสูงไป")
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	codes := map[string]string{}
	for i, tc := range cases {
		pt := f.enrol(t, fmt.Sprintf("08%08d", 20000000+i))
		codes[pt.Code] = tc.name
		switch tc.consent {
		case given:
			consent(pt, true)
		case withdrawn:
			consent(pt, true)
			consent(pt, false)
		}
		switch tc.training {
		case current:
			pass(pt, food, "2026-06-01", true)
			pass(pt, business, "2026-05-01", true)
		case expired:
			pass(pt, food, "2025-11-14", true)
			pass(pt, business, "2026-05-01", true)
		case failed:
			pass(pt, food, "2026-06-01", false)
			pass(pt, business, "2026-05-01", true)
		case partial:
			pass(pt, business, "2026-05-01", true)
		case stale:
			pass(pt, food, "2025-11-14", true)
		}
		switch tc.plan {
		case draft:
			newPlan(pt)
		case submitted:
			review(newPlan(pt), participants.Submitted)
		case returned:
			review(newPlan(pt), participants.Returned)
		case approved:
			review(newPlan(pt), participants.Approved)
		case approvedThenDraft:
			review(newPlan(pt), participants.Approved)
			newPlan(pt)
		}
		if tc.erase {
			if _, err := f.store.Erase(ctx, f.manager, pt); err != nil {
				t.Fatal(err)
			}
		}
		e, err := f.store.Eligibility(ctx, f.db, pt.Code, today)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(e.Reasons, ","); got != tc.reasons || e.Eligible != (tc.reasons == "") {
			t.Errorf("%s: Eligibility says eligible=%t reasons %q, want %q", tc.name, e.Eligible, got, tc.reasons)
		}
	}

	rows, err := f.store.List(ctx, participants.Filter{}, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(cases) {
		t.Fatalf("list: %d rows, want %d", len(rows), len(cases))
	}
	byName := map[string]participants.Row{}
	for _, r := range rows {
		byName[codes[r.Code]] = r
	}
	for _, tc := range cases {
		r := byName[tc.name]
		if r.State != tc.state || r.Eligible != (tc.reasons == "") {
			t.Errorf("%s: the list says state %s, eligible=%t; want %s, %t", tc.name, r.State, r.Eligible, tc.state, tc.reasons == "")
		}
	}
	// Each filter keeps exactly the rows the table says.
	for _, st := range participants.States {
		want := 0
		for _, tc := range cases {
			if tc.state == st {
				want++
			}
		}
		if rows, err := f.store.List(ctx, participants.Filter{State: st}, today); err != nil || len(rows) != want {
			t.Errorf("filter state %s: %d rows (%v), want %d", st, len(rows), err, want)
		}
	}
	eligible := 0
	for _, tc := range cases {
		if tc.reasons == "" {
			eligible++
		}
	}
	yes, _ := f.store.List(ctx, participants.Filter{Eligible: "yes"}, today)
	no, _ := f.store.List(ctx, participants.Filter{Eligible: "no"}, today)
	if len(yes) != eligible || len(no) != len(cases)-eligible {
		t.Errorf("filter eligible: %d yes and %d no, want %d and %d", len(yes), len(no), eligible, len(cases)-eligible)
	}
	if rows, _ := f.store.List(ctx, participants.Filter{Limit: 3}, today); len(rows) != 3 {
		t.Errorf("limit 3: %d rows", len(rows))
	}
}

// TestReviewPlanSteps: the one review function the plan page and the API
// share takes a plan through each step, and refuses a step it does not know.
func TestReviewPlanSteps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	pt := f.enrol(t, "0899990000")
	form, _ := planForm().Parse()
	p, err := f.store.CreatePlan(ctx, f.officer, pt, form)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		by      audit.Actor
		review  participants.Review
		comment string
		want    participants.PlanState
	}{
		{f.officer, participants.Submit, "", participants.Submitted},
		{f.manager, participants.Return, "ตัวเลขยอดขายสูงไป", participants.Returned},
		{f.officer, participants.Submit, "", participants.Submitted},
		{f.manager, participants.Approve, "", participants.Approved},
	} {
		got, err := f.store.ReviewPlan(ctx, step.by, p.ID, step.review, step.comment)
		if err != nil || got.State != step.want {
			t.Fatalf("%s: %s %v, want %s", step.review, got.State, err, step.want)
		}
	}
	if _, err := f.store.ReviewPlan(ctx, f.manager, p.ID, "publish", ""); !errors.Is(err, participants.ErrWrongState) {
		t.Errorf("an unknown step: %v", err)
	}
}
