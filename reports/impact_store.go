package reports

import (
	"context"
	"fmt"
	"sort"
	"time"

	"hawker/donors"
	"hawker/participants"
	"hawker/training"
	"hawker/valid"
)

// ErrImpactRange means the months asked for are not a range of ended or
// running months: from after to, to in the future, or more than 60 months.
var ErrImpactRange = valid.NewError("reports: impact range", "impact.bad_range")

// MaxImpactMonths is the longest range one report covers.
const MaxImpactMonths = 60

// ParseImpactRange reads from and to as YYYY-MM and checks them against
// today (Bangkok): to may be the running month at most.
func ParseImpactRange(from, to string, today time.Time) (time.Time, time.Time, error) {
	errs := valid.Errors{}
	// valid.Month is every month field's rule: year 0000 or 9999 is no
	// month a report can cover (the database has no year 0).
	f, err := valid.Month(from)
	if err != nil {
		errs["from"] = "impact.bad_month"
	}
	t, err := valid.Month(to)
	if err != nil {
		errs["to"] = "impact.bad_month"
	}
	if len(errs) > 0 {
		return f, t, errs
	}
	switch {
	case t.After(firstOf(today)):
		errs["to"] = "impact.future"
	case f.After(t):
		errs["from"] = "impact.from_after_to"
	case f.AddDate(0, MaxImpactMonths, 0).Before(t.AddDate(0, 1, 0)):
		errs["from"] = "impact.too_long"
	}
	if len(errs) > 0 {
		return f, t, errs
	}
	return f, t, nil
}

// ImpactFacts gathers a donor's facts for the months from..to (first days
// of months) from the packages that own them: grants for the money and
// the grants, participants for consent, vendors for the books, training
// for completions. People who do not consent to donor reports, or whose
// file was erased, are left out of every people figure.
func (s *Store) ImpactFacts(ctx context.Context, donor int64, from, to time.Time) (ImpactFacts, error) {
	end := to.AddDate(0, 1, -1)
	f := ImpactFacts{Donor: donor, From: from, To: to, GrantsApproved: map[time.Time]int{}, GrantsDisbursed: map[time.Time]int{}, Equipment: map[time.Time]int{}}
	act, err := s.grants.Activity(ctx, donor, end)
	if err != nil {
		return f, err
	}
	in := func(t time.Time) bool { return !t.Before(from) && !t.After(end) }
	for _, r := range act.Receipts {
		if in(r.On) {
			f.Received = f.Received.Add(r.Amount)
		}
	}
	ids := []int64{}
	seen := map[int64]bool{}
	for _, g := range act.Grants {
		if in(g.ApprovedOn) {
			f.Committed = f.Committed.Add(g.Total)
		}
		if !seen[g.ParticipantID] {
			seen[g.ParticipantID] = true
			ids = append(ids, g.ParticipantID)
		}
	}
	for _, r := range act.Releases {
		if !in(r.On) {
			continue
		}
		if r.Kind == "cash" {
			f.DisbursedCash = f.DisbursedCash.Add(r.Amount)
		} else {
			f.InKind = f.InKind.Add(r.Amount)
		}
	}
	ok, err := s.participants.Consenting(ctx, ids, participants.DonorReports)
	if err != nil {
		return f, err
	}
	people := map[int64]*ImpactPerson{}
	for _, g := range act.Grants {
		if !ok[g.ParticipantID] {
			continue
		}
		p := people[g.ParticipantID]
		if p == nil {
			p = &ImpactPerson{ID: g.ParticipantID, FirstApproved: g.ApprovedOn}
			people[g.ParticipantID] = p
		}
		if g.ApprovedOn.Before(p.FirstApproved) {
			p.FirstApproved = g.ApprovedOn
		}
		if in(g.ApprovedOn) {
			f.GrantsApproved[firstOf(g.ApprovedOn)]++
		}
	}
	released := map[[2]int64]bool{} // grant, month: counted once
	for _, r := range act.Releases {
		p := people[r.ParticipantID]
		if p == nil {
			continue
		}
		if p.FirstDisbursed.IsZero() || r.On.Before(p.FirstDisbursed) {
			p.FirstDisbursed = r.On
		}
		if !in(r.On) {
			continue
		}
		m := firstOf(r.On)
		if r.Kind == "equipment" {
			f.Equipment[m]++
		}
		if k := [2]int64{r.GrantID, m.Unix()}; !released[k] {
			released[k] = true
			f.GrantsDisbursed[m]++
		}
	}
	consenting := make([]int64, 0, len(people))
	start := from
	for id, p := range people {
		consenting = append(consenting, id)
		f.People = append(f.People, *p)
		if a := firstOf(p.FirstApproved); a.Before(start) {
			start = a
		}
	}
	sort.Slice(consenting, func(i, j int) bool { return consenting[i] < consenting[j] })
	first, err := s.vendors.FirstTradingMonths(ctx, consenting)
	if err != nil {
		return f, err
	}
	for i := range f.People {
		f.People[i].FirstTraded = first[f.People[i].ID]
	}
	sort.Slice(f.People, func(i, j int) bool { return f.People[i].ID < f.People[j].ID })
	// Survival looks at months before from too: read from the first grant.
	sums, err := s.vendors.MonthSums(ctx, consenting, start, to)
	if err != nil {
		return f, err
	}
	trained, err := training.NewStore(s.db).PassedByMonth(ctx, consenting, from, to)
	if err != nil {
		return f, err
	}
	months := map[[2]int64]*ImpactMonth{}
	get := func(id int64, m time.Time) *ImpactMonth {
		k := [2]int64{id, m.Unix()}
		if months[k] == nil {
			months[k] = &ImpactMonth{ID: id, Month: m}
		}
		return months[k]
	}
	for _, m := range sums {
		im := get(m.ParticipantID, firstOf(m.Month))
		im.Sales, im.Profit, im.TradingDays = m.Sales, m.Profit(), m.TradingDays
	}
	for _, t := range trained {
		get(t.ParticipantID, firstOf(t.Month)).Trained = t.Passed
	}
	for _, m := range months {
		f.Months = append(f.Months, *m)
	}
	sort.Slice(f.Months, func(i, j int) bool {
		if !f.Months[i].Month.Equal(f.Months[j].Month) {
			return f.Months[i].Month.Before(f.Months[j].Month)
		}
		return f.Months[i].ID < f.Months[j].ID
	})
	return f, nil
}

// Impact makes a donor's report for the months from..to. A month that has
// not ended makes a provisional report.
func (s *Store) Impact(ctx context.Context, donor int64, from, to, today time.Time) (Impact, error) {
	d, err := donors.NewStore(s.db).ByID(ctx, donor)
	if err != nil {
		return Impact{}, err
	}
	f, err := s.ImpactFacts(ctx, donor, from, to)
	if err != nil {
		return Impact{}, fmt.Errorf("reports: impact of donor %d: %w", donor, err)
	}
	im := ComputeImpact(f)
	im.DonorName = d.Name
	im.Closed = to.Before(firstOf(today))
	return im, nil
}
