package demo

import (
	"context"
	"fmt"

	"hawker/audit"
	"hawker/ledger"
	"hawker/thai"
	"hawker/vendors"
)

// statements closes every month of the demo that has ended, so that past
// months print as final statements with their verification QR and this
// month's as provisional.
func (s *seeder) statements(ctx context.Context) error {
	l := vendors.NewStore(s.db).Ledger()
	this := ledger.MonthOf(thai.Today(s.o.Now))
	for m := this.AddDate(0, -6, 0); m.Before(this); m = m.AddDate(0, 1, 0) {
		if _, err := l.CloseMonth(ctx, audit.System, m, s.o.Now); err != nil {
			return fmt.Errorf("demo: close %s: %w", m.Format("2006-01"), err)
		}
	}
	return nil
}
