package audit_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
	"hawker/pg/pgtest"
)

// TestBatch: events recorded under a batch are held (nothing in the trail,
// but Did sees them) until Flush appends them in order, chained after rows
// recorded directly meanwhile, details and all; batches flushed from
// several loaders at once keep the chain whole.
func TestBatch(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	clerk := audit.Actor{UserID: 7, Role: "officer", IP: "192.0.2.7"}
	count := func() int {
		var n int
		if err := db.GetContext(ctx, &n, `SELECT count(*) FROM audit_log`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	record(t, db, 2)
	b := &audit.Batch{}
	bctx := audit.WithBatch(ctx, b)
	err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
		if err := audit.RecordDetails(bctx, tx, clerk, "plan.update", "plan:1", "edited", audit.Details{"version": "2"}); err != nil {
			return err
		}
		return audit.RecordMany(bctx, tx, clerk, "ledger.close", []string{"book:1", "book:2"}, []string{"month 2026-01", "month 2026-01"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 || b.Len() != 3 {
		t.Fatalf("before the flush: %d rows in the trail, %d held; want 2 and 3", n, b.Len())
	}
	for _, tc := range []struct {
		ctx  context.Context
		user int64
		want bool
	}{{bctx, 7, true}, {bctx, 8, false}, {ctx, 7, false}} {
		did, err := audit.Did(tc.ctx, db, tc.user, "plan.update", "plan:1")
		if err != nil || did != tc.want {
			t.Errorf("did user %d (batch %v): %v, %v; want %v", tc.user, tc.ctx == bctx, did, err, tc.want)
		}
	}
	record(t, db, 1) // recorded directly meanwhile: chained before the batch
	if n, err := b.Flush(ctx, db); n != 3 || err != nil {
		t.Fatalf("flush: %d, %v", n, err)
	}
	if n := count(); n != 6 || b.Len() != 0 {
		t.Fatalf("after the flush: %d rows, %d held; want 6 and 0", n, b.Len())
	}
	es, err := audit.List(ctx, db, audit.Filter{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if es[2].Action != "plan.update" || es[2].Details["version"] != "2" || es[1].Object != "book:1" || es[0].Object != "book:2" {
		t.Errorf("flushed = %+v", es)
	}
	if did, err := audit.Did(ctx, db, 7, "plan.update", "plan:1"); !did || err != nil {
		t.Errorf("did after the flush: %v, %v", did, err)
	}

	// Four loaders, each with its batch, flushing as they go.
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := &audit.Batch{}
			bctx := audit.WithBatch(ctx, b)
			for i := range 50 {
				err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
					return audit.Record(bctx, tx, clerk, "test.load", "thing:"+string(rune('a'+w)), "step")
				})
				if err == nil && i%20 == 19 {
					_, err = b.Flush(ctx, db)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
			if _, err := b.Flush(ctx, db); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	r, err := audit.Verify(ctx, db)
	if err != nil || r.Rows != 6+200 || len(r.Breaks) > 0 {
		t.Errorf("verify: %d rows, breaks %v, %v", r.Rows, r.Breaks, err)
	}
}
