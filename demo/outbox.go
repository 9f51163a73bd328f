package demo

import (
	"context"
	"fmt"
	"time"

	"hawker/audit"
	"hawker/donors"
	"hawker/reports"
	"hawker/thai"
)

// deliveries gives each donor report contacts and runs the monthly donor
// report job for the last three months that ended, as serve would have on
// each first of the month. Without a mail server the messages are kept, so
// the outbox page shows each delivery, its message and its report.
func (s *seeder) deliveries(ctx context.Context) error {
	ds := donors.NewStore(s.db)
	list, err := ds.List(ctx)
	if err != nil {
		return fmt.Errorf("demo: deliveries: %w", err)
	}
	for i, d := range list {
		cs := []donors.NewContact{{Email: fmt.Sprintf("reports@donor%d.example.org", d.ID), Language: "th"}}
		if i == 0 {
			cs = append(cs, donors.NewContact{Email: fmt.Sprintf("grants@donor%d.example.org", d.ID), Language: "en"})
		}
		for _, c := range cs {
			if _, err := ds.AddContact(ctx, audit.System, d.ID, c); err != nil {
				return fmt.Errorf("demo: contact of donor %d: %w", d.ID, err)
			}
		}
	}
	q := reports.NewQueue(s.db)
	dl := reports.NewDelivery(reports.NewStore(s.db, nil, "http://localhost:8080"), q, nil)
	this := thai.Today(s.o.Now)
	this = time.Date(this.Year(), this.Month(), 1, 0, 0, 0, 0, thai.Bangkok)
	for k := 2; k >= 0; k-- {
		// 08:00 on the first of a month: the job for the month before.
		at := this.AddDate(0, -k, 0).Add(8 * time.Hour)
		dl.Now = func() time.Time { return at }
		if _, err := dl.Schedule(ctx); err != nil {
			return err
		}
		for {
			_, ok, err := q.Execute(ctx, 0, nil)
			if err != nil {
				return fmt.Errorf("demo: donor reports of %s: %w", reports.LastMonth(at).Format("2006-01"), err)
			}
			if !ok {
				break
			}
		}
		if _, err := dl.SendDue(ctx); err != nil {
			return err
		}
	}
	return nil
}
