package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"hawker/audit"
	"hawker/donors"
	"hawker/grants"
	"hawker/money"
	"hawker/participants"
	"hawker/thai"
	"hawker/training"
	"hawker/users"
	"hawker/vendors"
)

// impactGrants gives the first donor (the one with a login) a report worth
// reading: a cohort of twenty, trained and with approved plans, who got
// start-up cash ten months ago (and a third of them six months ago), with books kept by officers on their behalf.
// Most trade on; some stopped or trade a few days a month, so survival has
// both parts. Three of them withheld consent to donor reports: they are
// in the money figures, never in the people figures. With these numbers some
// of the donor's figures show and others print "<5".
func (s *seeder) impactGrants(ctx context.Context) error {
	us := users.NewStore(s.db)
	byLogin := func(login string) (audit.Actor, int64, error) {
		u, err := us.ByLogin(ctx, login)
		if err != nil {
			return audit.Actor{}, 0, fmt.Errorf("demo: %s: %w", login, err)
		}
		return audit.Actor{UserID: u.ID, Role: string(u.Role)}, u.ID, nil
	}
	officer, officerID, err := byLogin("officer")
	if err != nil {
		return err
	}
	officer2, _, err := byLogin("officer2")
	if err != nil {
		return err
	}
	today := thai.Today(s.o.Now)
	store := grants.NewStore(s.db, vendors.NewStore(s.db))
	people := participants.NewStore(s.db)
	ds, err := donors.NewStore(s.db).List(ctx)
	if err != nil || len(ds) == 0 {
		return fmt.Errorf("demo: impact: donors: %v", err)
	}
	var donor donors.Donor
	for _, d := range ds {
		if donor.ID == 0 || d.ID < donor.ID {
			donor = d
		}
	}
	funds, err := store.Dashboard(ctx, donor.ID)
	if err != nil {
		return err
	}
	var fund grants.Fund
	best := money.Zero
	for _, f := range funds {
		if f.Available.GreaterThan(best) {
			fund, best = f.Fund, f.Available
		}
	}
	if fund.ID == 0 {
		return fmt.Errorf("demo: impact: donor %d has no money available", donor.ID)
	}
	cohort, err := s.impactCohort(ctx, people, officer, officer2, today)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(13, 2569))
	var entries []vendors.Entry
	for i, p := range cohort {
		monthsAgo := 10
		if i%3 == 2 {
			monthsAgo = 6
		}
		on := today.AddDate(0, -monthsAgo, -3)
		g, err := store.Create(ctx, officer, grants.Input{Participant: p.Code, Fund: fund.ID,
			Purpose: "เงินทุนตั้งต้นและวัตถุดิบ", Tranches: []grants.TrancheInput{{Amount: "4000.00", Condition: "on_approval"}}})
		if err != nil {
			return fmt.Errorf("demo: impact grant for %s: %w", p.Code, err)
		}
		if g, err = store.Submit(ctx, officer, g.ID, on); err == nil {
			g, err = store.Approve(ctx, officer2, g.ID, on)
		}
		if err != nil {
			return fmt.Errorf("demo: impact approve %d: %w", g.ID, err)
		}
		if _, err := store.Disburse(ctx, officer, grants.Release{Grant: g.ID, N: 1, Key: fmt.Sprintf("demo:impact:%d", g.ID), On: on}); err != nil {
			return fmt.Errorf("demo: impact release %d: %w", g.ID, err)
		}
		// Every third stops after two months; every fourth trades only a
		// few days a month; the rest trade most days.
		stopsAfter, fewDays := 0, i%4 == 3
		if i%3 == 1 {
			stopsAfter = 2
		}
		n := 0
		for day := on.AddDate(0, 0, 1); !day.After(today); day = day.AddDate(0, 0, 1) {
			if stopsAfter > 0 && day.After(on.AddDate(0, stopsAfter, 0)) {
				break
			}
			if fewDays && day.Day()%5 != 0 || !fewDays && rng.IntN(100) < 25 {
				continue
			}
			sales := int64(500 + rng.IntN(900))
			for _, x := range []struct {
				kind vendors.Kind
				baht int64
				what string
			}{{vendors.Sale, sales, "cash"}, {vendors.Expense, sales * int64(35+rng.IntN(15)) / 100, "ingredients"}} {
				n++
				e, err := vendors.NewEntry(p.ID, p.Code, day, x.kind, money.Baht(x.baht), x.what, "", fmt.Sprintf("demo:impact:%s:%d", p.Code, n))
				if err != nil {
					return fmt.Errorf("demo: impact entry: %w", err)
				}
				e.RecordedBy, e.OnBehalf = officerID, true
				entries = append(entries, e)
			}
		}
	}
	if _, err := vendors.NewStore(s.db).RecordBulk(ctx, entries, nil); err != nil {
		return fmt.Errorf("demo: impact books: %w", err)
	}
	return nil
}

// impactCohort enrols twenty participants of an earlier cohort, every
// required module passed (the knowledge test retaken lately, so it is
// current) and a plan the manager approved: eligible for a grant.
func (s *seeder) impactCohort(ctx context.Context, people *participants.Store, officer, officer2 audit.Actor, today time.Time) ([]participants.Participant, error) {
	manager, err := users.NewStore(s.db).ByLogin(ctx, "manager")
	if err != nil {
		return nil, fmt.Errorf("demo: manager: %w", err)
	}
	mgr := audit.Actor{UserID: manager.ID, Role: string(manager.Role)}
	first := []string{"สมศรี", "บุษบา", "ลำดวน", "ประไพ", "นวลจันทร์", "อัมพร", "สายสุนีย์", "ทองใบ", "พิมพ์ใจ", "วาสนา",
		"จำเนียร", "สุดารัตน์", "ละเอียด", "เพ็ญศรี", "บุญเรือน", "ศิริพร", "มยุรี", "กาญจนา", "ปราณี", "สมหมาย"}
	last := []string{"แสงทอง", "ใจดี", "มีสุข", "ศรีสวัสดิ์", "บุญยืน", "คำแก้ว", "ทองคำ", "พูลผล", "วงศ์ใหญ่", "สุขเจริญ"}
	start := today.AddDate(0, -13, 0)
	name := fmt.Sprintf("รุ่น 1/%d", thai.Year(start))
	if thai.Year(start) == thai.Year(today.AddDate(0, -10, 0)) {
		name = fmt.Sprintf("รุ่น 0/%d", thai.Year(start)) // the programme's pilot, before cohort 1
	}
	var out []participants.Participant
	for i := range first {
		p, err := participants.Enrolment{Name: first[i] + " " + last[i%len(last)], Nickname: "", Phone: fmt.Sprintf("09%08d", 71_000_000+i*10_007),
			Province: "กรุงเทพมหานคร", District: []string{"ห้วยขวาง", "ดินแดง", "บางซื่อ", "จตุจักร"}[i%4], Cohort: name,
			EnrolledOn: start.AddDate(0, 0, i%5).Format(time.DateOnly), Language: "th"}.Parse(today)
		if err != nil {
			return nil, fmt.Errorf("demo: impact cohort %d: %w", i, err)
		}
		consents := []participants.Consent{
			{Purpose: participants.TakingPart, Given: true, RecordedOn: p.EnrolledOn},
			{Purpose: participants.DonorReports, Given: i%7 != 6, RecordedOn: p.EnrolledOn},
			{Purpose: participants.Story, Given: false, RecordedOn: p.EnrolledOn},
		}
		if p, err = people.Enrol(ctx, officer, p, consents); err != nil {
			return nil, fmt.Errorf("demo: impact enrol %d: %w", i, err)
		}
		out = append(out, p)
	}
	mods, err := training.NewStore(s.db).Modules(ctx, false)
	if err != nil {
		return nil, err
	}
	for k, m := range mods {
		on := start.AddDate(0, 0, 10+3*k)
		if m.ValidityMonths != nil {
			on = today.AddDate(0, -1, -k) // retaken lately: current
		}
		f := training.ClassForm{ModuleID: m.ID, SessionOn: on.Format(time.DateOnly), Trainer: "สำนักงานเขต / กรมอนามัย", Issuer: "กรมอนามัย กระทรวงสาธารณสุข"}
		for j, p := range out {
			a := training.Attendee{ParticipantID: p.ID, Passed: true, Score: fmt.Sprint(70 + (j*7+k*3)%30)}
			if m.Kind == training.FoodHandler && m.ValidityMonths != nil {
				a.CertificateNo = fmt.Sprintf("FH-%d-%04d-%02d", thai.Year(on), p.ID, m.ID)
			}
			f.Attendees = append(f.Attendees, a)
		}
		cl, err := f.Parse(today)
		if err != nil {
			return nil, fmt.Errorf("demo: impact class %s: %w", m.NameEN, err)
		}
		if _, err := people.RecordClass(ctx, officer, cl); err != nil {
			return nil, fmt.Errorf("demo: impact class: %w", err)
		}
	}
	for i, p := range out {
		writer := officer
		if i%2 == 1 {
			writer = officer2
		}
		pl, err := demoPlan(i).Parse()
		if err != nil {
			return nil, err
		}
		plan, err := people.CreatePlan(ctx, writer, p, pl)
		if err == nil {
			_, err = people.SubmitPlan(ctx, writer, plan.ID)
		}
		if err == nil {
			_, err = people.ApprovePlan(ctx, mgr, plan.ID)
		}
		if err != nil {
			return nil, fmt.Errorf("demo: impact plan for %s: %w", p.Code, err)
		}
	}
	return out, nil
}
