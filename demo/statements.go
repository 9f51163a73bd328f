package demo

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"hawker/audit"
	"hawker/ledger"
	"hawker/thai"
	"hawker/vendors"
)

// statements makes the demo's monthly statements worth printing: a grant
// tranche and a food cart handed over in the first vendor's books (as the
// ledger holds them until the grants package records its own), and every
// month that has ended closed, so that past months print as final
// statements with their verification QR and this month's as provisional.
func (s *seeder) statements(ctx context.Context) error {
	vs := vendors.NewStore(s.db)
	holders, err := vs.Holders(ctx)
	if err != nil || len(holders) == 0 {
		return err
	}
	l := vs.Ledger()
	today := thai.Today(s.o.Now)
	this := ledger.MonthOf(today)
	granted := this.AddDate(0, -4, 2)
	for i, g := range []struct {
		memo, debit, credit string
		amount              int64
	}{
		{"ทุนประกอบอาชีพ งวดที่ 1", vendors.AccountCash, vendors.AccountGrantIncome, 5000},
		{"รถเข็นสแตนเลสพร้อมตู้กระจก AT-0001", vendors.AccountEquipment, vendors.AccountGrantCapital, 30000},
	} {
		amt := decimal.NewFromInt(g.amount)
		if _, err := l.Post(ctx, ledger.Posting{Book: holders[0].Book, BusinessDate: granted, Memo: g.memo,
			IdempotencyKey: fmt.Sprintf("demo-grant-%d", i), Reference: "demo-grant-1",
			Lines: []ledger.Line{{Code: g.debit, Amount: amt}, {Code: g.credit, Amount: amt.Neg()}}}); err != nil {
			return fmt.Errorf("demo: grant: %w", err)
		}
	}
	for m := this.AddDate(0, -6, 0); m.Before(this); m = m.AddDate(0, 1, 0) {
		if _, err := l.CloseMonth(ctx, audit.System, m, s.o.Now); err != nil {
			return fmt.Errorf("demo: close %s: %w", m.Format("2006-01"), err)
		}
	}
	return nil
}
