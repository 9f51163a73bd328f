package demo

import (
	"context"
	"fmt"

	"hawker/audit"
	"hawker/donors"
	"hawker/users"
)

// donor creates the demo's donor, a Thai company's foundation, and its
// donor login, which sees only this donor's funds and reports.
func (s *seeder) donor(ctx context.Context) error {
	d, err := donors.NewStore(s.db).Add(ctx, audit.System, donors.New{Name: "มูลนิธิสยามฟู้ดส์เพื่อสังคม (Siam Foods Foundation)"})
	if err != nil {
		return fmt.Errorf("demo: donor: %w", err)
	}
	_, err = s.addUser(ctx, users.New{Login: "donor", Name: "คุณกนกวรรณ ศรีสุข (มูลนิธิสยามฟู้ดส์)", Role: users.Donor, DonorID: &d.ID})
	return err
}
