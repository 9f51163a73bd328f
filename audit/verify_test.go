package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
	"hawker/pg/pgtest"
)

func record(t *testing.T, db *sqlx.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
			return audit.Record(ctx, tx, audit.Actor{UserID: 0, Role: "system", IP: "192.0.2.1"}, "test.action", "thing:1", "step")
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Tamper changes a row as the superuser, past the append-only trigger, as
// someone with direct database access could.
func Tamper(t testing.TB, db *sqlx.DB, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `SET session_replication_role = DEFAULT`)
	if _, err := conn.ExecContext(ctx, query, args...); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, query, reason string
		id                  int64
	}{
		{"altered", `UPDATE audit_log SET summary = 'nothing happened' WHERE id = 3`, "altered", 3},
		{"removed", `DELETE FROM audit_log WHERE id = 3`, "removed", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.New(t)
			ctx := context.Background()
			record(t, db, 5)
			r, err := audit.Verify(ctx, db)
			if err != nil || len(r.Breaks) != 0 || r.Rows < 5 {
				t.Fatalf("intact trail: %+v, %v", r, err)
			}
			// The database refuses changes to the trail.
			if _, err := db.ExecContext(ctx, `UPDATE audit_log SET summary = 'x' WHERE id = 1`); err == nil {
				t.Fatal("UPDATE of the audit trail was allowed")
			}
			if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE id = 1`); err == nil {
				t.Fatal("DELETE from the audit trail was allowed")
			}
			Tamper(t, db, tc.query)
			r, err = audit.Verify(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Breaks) == 0 || r.Breaks[0].ID != tc.id || !strings.Contains(r.Breaks[0].Reason, tc.reason) {
				t.Fatalf("breaks = %+v, want row %d %s", r.Breaks, tc.id, tc.reason)
			}
		})
	}
}

func TestActorUser(t *testing.T) {
	if audit.System.User() != nil {
		t.Errorf("the system's user = %v, want nil", *audit.System.User())
	}
	a := audit.Actor{UserID: 7}
	if u := a.User(); u == nil || *u != 7 {
		t.Errorf("user 7's User() = %v", u)
	}
	*a.User() = 8 // a copy: the actor stays as it was
	if a.UserID != 7 {
		t.Errorf("User() shares the actor's field")
	}
}

// TestRecordMany: events appended many at once chain to the events before
// and after them like events appended one by one, and a changed one is
// caught.
func TestRecordMany(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	record(t, db, 2)
	objects := []string{"book:1", "book:2", "book:3"}
	summaries := []string{"month 2026-10", "month 2026-10", "month 2026-10"}
	err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
		return audit.RecordMany(ctx, tx, audit.Actor{UserID: 4, Role: "manager"}, "ledger.close", objects, summaries)
	})
	if err != nil {
		t.Fatal(err)
	}
	record(t, db, 1)
	r, err := audit.Verify(ctx, db)
	if err != nil || len(r.Breaks) != 0 || r.Rows != 6 {
		t.Fatalf("trail: %+v, %v", r, err)
	}
	var got []string
	if err := db.Select(&got, `SELECT object FROM audit_log WHERE action = 'ledger.close' ORDER BY id`); err != nil || strings.Join(got, " ") != "book:1 book:2 book:3" {
		t.Fatalf("objects = %v, %v", got, err)
	}
	err = pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
		return audit.RecordMany(ctx, tx, audit.System, "ledger.close", objects, summaries[:1])
	})
	if err == nil {
		t.Error("RecordMany with fewer summaries than objects succeeded")
	}
	Tamper(t, db, `UPDATE audit_log SET object = 'book:9' WHERE object = 'book:2'`)
	if r, err := audit.Verify(ctx, db); err != nil || len(r.Breaks) == 0 || r.Breaks[0].ID != 4 {
		t.Fatalf("after tampering: %+v, %v", r, err)
	}
}

// TestDetailsAreKeptAndChained: an event's details come back as written, and
// are covered by its hash: changing one breaks the chain at that row, while
// rows without details hash as before.
func TestDetailsAreKeptAndChained(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	record(t, db, 2)
	err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
		return audit.RecordDetails(ctx, tx, audit.System, "test.pay", "thing:1", "paid 5000.00",
			audit.Details{"amount": "5000.00", "on": "2026-06-01", "note": `"quoted" <b>`})
	})
	if err != nil {
		t.Fatal(err)
	}
	es, err := audit.List(ctx, db, audit.Filter{Object: "thing:1"})
	if err != nil || len(es) != 3 {
		t.Fatalf("list: %d %v", len(es), err)
	}
	if d := es[0].Details; len(d) != 3 || d["amount"] != "5000.00" || d["note"] != `"quoted" <b>` || es[1].Details != nil {
		t.Fatalf("details read back: %v, %v", es[0].Details, es[1].Details)
	}
	if r, err := audit.Verify(ctx, db); err != nil || len(r.Breaks) != 0 {
		t.Fatalf("intact trail: %+v, %v", r, err)
	}
	Tamper(t, db, `UPDATE audit_log SET details = jsonb_set(details, '{amount}', '"50.00"') WHERE id = $1`, es[0].ID)
	r, err := audit.Verify(ctx, db)
	if err != nil || len(r.Breaks) == 0 || r.Breaks[0].ID != es[0].ID || !strings.Contains(r.Breaks[0].Reason, "altered") {
		t.Fatalf("details altered: breaks %+v, %v", r.Breaks, err)
	}
}
