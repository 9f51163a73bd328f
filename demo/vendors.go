package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"hawker/audit"
	"hawker/money"
	"hawker/participants"
	"hawker/thai"
	"hawker/users"
	"hawker/vendors"
)

// vendorProfile shapes one demo vendor's six months of trading.
type vendorProfile struct {
	daily    int          // a usual day's sales, baht
	restDay  time.Weekday // the day she does not trade
	missPct  int          // chance of a missed working day, in percent
	stopsAgo int          // > 0: the business stopped this many days ago
	fallsAgo int          // > 0: sales fell by about 45% this many days ago
}

var vendorProfiles = []vendorProfile{
	{daily: 1400, restDay: time.Monday, missPct: 5},
	{daily: 800, restDay: time.Sunday, missPct: 10},
	{daily: 1100, restDay: time.Wednesday, missPct: 8, stopsAgo: 19}, // the business that stops
	{daily: 1900, restDay: time.Monday, missPct: 6, fallsAgo: 30},    // sales falling
	{daily: 500, restDay: time.Sunday, missPct: 15},
}

// openingCash is what each demo vendor starts her books with, in baht.
var openingCash = []int{1500, 800, 1200, 2500, 600}

// vendorBooks writes six months of daily entries for the demo vendors:
// sales by cash, PromptPay and credit with a weekly rhythm (weekends busier,
// one rest day), ingredients, ice, gas, packaging, pitch fees and transport,
// money taken home, missed days, one business that stops three weeks before
// today and one whose sales fall: the officers' call list has something to
// show. Each starts with her opening cash; the days go through the
// ledger's bulk path, in one transaction.
func (s *seeder) vendorBooks(ctx context.Context) error {
	type vendor struct {
		UserID int64
		ID     int64
		Code   string
	}
	var vs []vendor
	accounts, err := users.NewStore(s.db).List(ctx) // vendors by login
	if err != nil {
		return fmt.Errorf("demo: vendors: %w", err)
	}
	for _, u := range accounts {
		if u.Role != users.Vendor || u.ParticipantID == nil {
			continue
		}
		p, err := participants.Get(ctx, s.db, *u.ParticipantID)
		if err != nil {
			return fmt.Errorf("demo: vendors: %w", err)
		}
		vs = append(vs, vendor{UserID: u.ID, ID: p.ID, Code: p.Code})
	}
	today := thai.Today(s.o.Now)
	start := today.AddDate(0, -6, 0)
	rng := rand.New(rand.NewPCG(6, 2569))
	chance := func(percent int) bool { return rng.IntN(100) < percent }
	pct := func(from, span int) int64 { return int64(from + rng.IntN(span+1)) } // a percentage in [from, from+span]
	var entries []vendors.Entry
	store := vendors.NewStore(s.db)
	for i, v := range vs {
		prof := vendorProfiles[i%len(vendorProfiles)]
		// She starts with the cash in her tin, counted with her officer on
		// the first day: her cash on hand starts there.
		_, err := store.RecordOpening(ctx, audit.System, vendors.OpeningRequest{
			ParticipantID: v.ID, Code: v.Code, Amount: money.Baht(int64(openingCash[i%len(openingCash)])).String(),
			RecordedBy: v.UserID, Date: start,
		})
		if err != nil {
			return fmt.Errorf("demo: opening cash of %s: %w", v.Code, err)
		}
		n := 0
		// Amounts are whole baht in integers: money never touches float,
		// not even made-up money.
		add := func(day time.Time, kind vendors.Kind, baht int64, what, note string) error {
			n++
			if baht <= 0 {
				return nil
			}
			amt := money.Baht(baht)
			e, err := vendors.NewEntry(v.ID, v.Code, day, kind, amt, what, note, fmt.Sprintf("demo:%s:%d", v.Code, n))
			if err != nil {
				return fmt.Errorf("demo: entry for %s on %s: %w", v.Code, day.Format(time.DateOnly), err)
			}
			e.RecordedBy = v.UserID
			entries = append(entries, e)
			return nil
		}
		for day := start; !day.After(today); day = day.AddDate(0, 0, 1) {
			ago := int(today.Sub(day).Hours() / 24)
			if day.Weekday() == prof.restDay || chance(prof.missPct) {
				continue
			}
			if prof.stopsAgo > 0 && ago < prof.stopsAgo {
				continue
			}
			sales := int64(prof.daily) * pct(75, 50) / 100
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				sales = sales * 125 / 100
			}
			if prof.fallsAgo > 0 && ago < prof.fallsAgo {
				sales = sales * 55 / 100
			}
			sales = min(max(sales, 200), 2500)
			// Takings: mostly cash, some PromptPay, now and then on credit.
			promptpay := sales * pct(15, 25) / 100
			credit := int64(0)
			if chance(15) {
				credit = 40 + int64(rng.IntN(81))
			}
			cash := sales - promptpay - credit
			if err := add(day, vendors.Sale, cash, "cash", ""); err != nil {
				return err
			}
			if err := add(day, vendors.Sale, promptpay, "promptpay", ""); err != nil {
				return err
			}
			if credit > 0 {
				if err := add(day, vendors.Sale, credit, "credit", "ลูกค้าประจำ ค้างไว้"); err != nil {
					return err
				}
			}
			// Costs.
			if err := add(day, vendors.Expense, sales*pct(35, 10)/100, "ingredients", "ตลาดเช้า"); err != nil {
				return err
			}
			if err := add(day, vendors.Expense, int64(20+10*rng.IntN(3)), "ice", ""); err != nil {
				return err
			}
			if chance(20) {
				if err := add(day, vendors.Expense, int64(380+rng.IntN(4)*10), "gas", "ถังแก๊ส 15 กก."); err != nil {
					return err
				}
			}
			if chance(30) {
				if err := add(day, vendors.Expense, int64(60+rng.IntN(60)), "packaging", "ถุงและกล่อง"); err != nil {
					return err
				}
			}
			if err := add(day, vendors.Expense, 40, "pitch", "ค่าที่ตลาด"); err != nil {
				return err
			}
			if chance(25) {
				if err := add(day, vendors.Expense, int64(30+rng.IntN(40)), "transport", "วินมอเตอร์ไซค์"); err != nil {
					return err
				}
			}
			// Money taken home, most evenings.
			if chance(60) {
				if err := add(day, vendors.Drawing, int64(100+50*rng.IntN(5)), "", ""); err != nil {
					return err
				}
			}
		}
	}
	if _, err := store.RecordBulk(ctx, entries, nil); err != nil {
		return fmt.Errorf("demo: vendors' books: %w", err)
	}
	return nil
}
