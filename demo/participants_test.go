package demo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"hawker/demo"
	"hawker/participants"
	"hawker/pg/pgtest"
	"hawker/thai"
	"hawker/training"
	"hawker/users"
)

func TestSeedParticipants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	logins, err := demo.Seed(ctx, db, demo.Options{Password: "demo-password", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	today := thai.Today(now)
	rows, err := participants.NewStore(db).List(ctx, participants.Filter{}, today)
	if err != nil {
		t.Fatal(err)
	}
	// Two cohorts of about twenty, and the earlier cohort of twenty whose
	// grants and books fill the donor's impact report (impact.go).
	if len(rows) < 58 || len(rows) > 65 {
		t.Errorf("%d participants", len(rows))
	}
	states := map[string]int{}
	cohorts := map[string]int{}
	for _, r := range rows {
		states[r.State]++
		cohorts[r.Cohort]++
	}
	for _, st := range participants.States {
		if states[st] == 0 {
			t.Errorf("no participant in state %s (%v)", st, states)
		}
	}
	if len(cohorts) != 3 {
		t.Errorf("cohorts %v", cohorts)
	}
	exp, err := training.NewStore(db).ExpiringWithin(ctx, today, 30)
	if err != nil || len(exp) == 0 {
		t.Errorf("expiring certificates: %d %v", len(exp), err)
	}
	vendors := 0
	for _, l := range logins {
		if l.Role == users.Vendor {
			vendors++
			u, err := users.NewStore(db).ByLogin(ctx, l.Login)
			if err != nil || u.ParticipantID == nil || u.PINHash == nil {
				t.Fatalf("vendor %s: %+v %v", l.Login, u, err)
			}
			p, _ := participants.NewStore(db).ByID(ctx, *u.ParticipantID)
			if e, _ := participants.NewStore(db).Eligibility(ctx, db, p.Code, today); !e.Eligible {
				t.Errorf("vendor %s is tied to %s, not eligible: %v", l.Login, p.Code, e.Reasons)
			}
		}
	}
	if vendors != 5 {
		t.Errorf("%d vendor logins", vendors)
	}
	if _, err := demo.Seed(ctx, db, demo.Options{Password: "demo-password", Now: now}); !errors.Is(err, demo.ErrNotEmpty) {
		t.Errorf("second seed: %v", err)
	}
}
