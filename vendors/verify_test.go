package vendors_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg/pgtest"
	"hawker/vendors"
)

// TestVerifyAgainstLedger: vendor rows changed behind the ledger's back, as
// someone holding the superuser could, are caught; TRUNCATE is refused even
// to the owner.
func TestVerifyAgainstLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name, query, want string
	}{
		{"voids truncated", `TRUNCATE vendor_voids`, "no void records it"},
		{"amount changed", `UPDATE vendor_entries SET amount = 8 WHERE kind = 'sale'`, "off by"},
		{"kind changed", `UPDATE vendor_entries SET kind = 'drawing', category = NULL WHERE kind = 'expense'`, "does not post what the rule says"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.New(t)
			s := vendors.NewStore(db)
			p := enrol(t, db, 1)
			if _, err := s.Record(ctx, audit.System, request(p, "a", sale("2026-03-12", "80.50", "promptpay"))); err != nil {
				t.Fatal(err)
			}
			r, err := s.Record(ctx, audit.System, request(p, "b", vendors.Input{Date: "2026-03-13", Kind: "expense", Amount: "80", Category: "gas"}))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Void(ctx, audit.System, r.ID, "typed twice", 0); err != nil {
				t.Fatal(err)
			}
			n, ms, err := s.Verify(ctx)
			if err != nil || n != 2 || len(ms) != 0 {
				t.Fatalf("intact: %d checked, %v, %v", n, ms, err)
			}
			for _, table := range []string{"vendor_entries", "vendor_voids"} {
				if _, err := db.ExecContext(ctx, `TRUNCATE `+table+` CASCADE`); err == nil {
					t.Fatalf("TRUNCATE %s was allowed", table)
				}
			}
			conn, err := db.Connx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			replica(t, conn, tc.query)
			_, ms, err = s.Verify(ctx)
			if err != nil || len(ms) == 0 || !strings.Contains(ms[0].String(), tc.want) {
				t.Fatalf("after %s: %v, %v; want a mismatch saying %q", tc.query, ms, err, tc.want)
			}
		})
	}
}

// replica runs query with the triggers off, as only a superuser may.
func replica(t *testing.T, conn *sqlx.Conn, query string) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{`SET session_replication_role = replica`, query, `SET session_replication_role = DEFAULT`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}
