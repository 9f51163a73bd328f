package vendors

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"hawker/audit"
	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/pg/pgtest"
	"hawker/valid"
)

// The one-statement path writes exactly what the transaction path (record) writes, and declines
// (writing nothing) whenever the transaction path would answer otherwise.

var oneToday = time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)

func oneEnrol(t *testing.T, db *sqlx.DB, n int) participants.Participant {
	t.Helper()
	phone := fmt.Sprintf("08%08d", 30000000+n)
	p, err := participants.NewStore(db).Enrol(context.Background(), audit.System, participants.Participant{
		Name: fmt.Sprintf("แม่ค้า %d", n), Phone: &phone, Province: "กรุงเทพมหานคร", District: "บางรัก",
		Cohort: "2569-1", EnrolledOn: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Language: "th",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func oneRequest(p participants.Participant, key string, in Input) Request {
	return Request{ParticipantID: p.ID, Input: in, Key: key, Today: oneToday, RecordedBy: 0}
}

func rows(t *testing.T, db *sqlx.DB) (int, int) {
	t.Helper()
	var ve int
	if err := db.Get(&ve, `SELECT count(*) FROM vendor_entries`); err != nil {
		t.Fatal(err)
	}
	c, err := ledger.NewStore(db).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ve, int(c.Entries)
}

// warm records a first entry the long way, so that her book exists and is
// cached, as it is for every entry after a vendor's first.
func warm(t *testing.T, s *Store, p participants.Participant) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if _, err := s.Record(ctx, audit.System, oneRequest(p, fmt.Sprintf("warm-%d-%d", p.ID, i), Input{Date: "2026-03-01", Kind: "sale", Amount: "1", Method: "cash"})); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := s.books.Load(p.ID); !ok {
		t.Fatal("book not cached after two entries")
	}
}

func TestRecordOneMatchesRecordTx(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := NewStore(db)
	p := oneEnrol(t, db, 1)
	warm(t, s, p)
	for i, in := range []Input{
		{Date: "2026-03-14", Kind: "sale", Amount: " 120.5 ", Method: "promptpay", Note: " ลูกค้าประจำ "},
		{Date: "2026-03-13", Kind: "expense", Amount: "80", Category: "gas"},
		{Date: "2026-03-12", Kind: "drawing", Amount: "15.25"},
	} {
		r := oneRequest(p, fmt.Sprintf("one-%d", i), in)
		r.RecordedBy = 0
		got, ok := s.recordOne(ctx, r)
		if !ok {
			t.Fatalf("%+v: the one statement declined", in)
		}
		stored, err := s.Entry(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		// What the store reads back is what the call answered.
		stored.RecordedAt, got.RecordedAt = stored.RecordedAt.UTC(), got.RecordedAt.UTC()
		stored.Date = got.Date
		if !stored.Amount.Equal(got.Amount) {
			t.Fatalf("amount answered %s, stored %s", got.Amount, stored.Amount)
		}
		stored.Amount = got.Amount
		if !reflect.DeepEqual(stored, got) {
			t.Fatalf("answered %+v\nstored   %+v", got, stored)
		}
		le, err := s.Ledger().Entry(ctx, got.EntryID)
		if err != nil || len(le.Lines) != 2 || le.IdempotencyKey == nil || *le.IdempotencyKey != r.Key {
			t.Fatalf("ledger entry %+v, %v", le, err)
		}
		// A retry is a replay of the same entry, through the transaction path.
		again, err := s.Record(ctx, audit.System, r)
		if err != nil || !again.Replayed || again.ID != got.ID {
			t.Fatalf("replay: %+v, %v", again, err)
		}
	}
	cash, err := s.CashOnHand(ctx, p.ID)
	if err != nil || !cash.Equal(dec("-93.25")) { // 2 warm-up cash sales, −80 gas, −15.25 drawing
		t.Fatalf("cash = %s, %v", cash, err)
	}
}

func dec(s string) money.Amount {
	a, err := money.FromDecimal(decimal.RequireFromString(s))
	if err != nil {
		panic(err)
	}
	return a
}

func TestRecordOneDeclines(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := NewStore(db)
	p, other, gone := oneEnrol(t, db, 1), oneEnrol(t, db, 2), oneEnrol(t, db, 3)
	warm(t, s, p)
	warm(t, s, other)
	warm(t, s, gone)
	if _, err := s.Record(ctx, audit.System, oneRequest(p, "k", Input{Date: "2026-03-14", Kind: "sale", Amount: "10", Method: "cash"})); err != nil {
		t.Fatal(err)
	}
	ve, le := rows(t, db)
	declined := func(name string, r Request) {
		t.Helper()
		if out, ok := s.recordOne(ctx, r); ok {
			t.Fatalf("%s: the one statement wrote %+v", name, out)
		}
		if v, l := rows(t, db); v != ve || l != le {
			t.Fatalf("%s: declined but wrote (%d, %d entries; want %d, %d)", name, v, l, ve, le)
		}
	}
	declined("replay", oneRequest(p, "k", Input{Date: "2026-03-14", Kind: "sale", Amount: "10", Method: "cash"}))
	declined("conflict", oneRequest(p, "k", Input{Date: "2026-03-14", Kind: "sale", Amount: "11", Method: "cash"}))
	declined("key of another", oneRequest(other, "k", Input{Date: "2026-03-14", Kind: "sale", Amount: "10", Method: "cash"}))
	declined("over the ceiling", oneRequest(p, "c", Input{Date: "2026-03-14", Kind: "sale", Amount: "100000.01", Method: "cash"}))
	declined("invalid", oneRequest(p, "v", Input{Date: "2026-03-15", Kind: "sale", Amount: "10", Method: "cash"}))
	onBehalf := oneRequest(p, "o", Input{Date: "2026-03-14", Kind: "sale", Amount: "10", Method: "cash"})
	onBehalf.OnBehalf = true
	declined("on behalf", onBehalf)
	missing := oneRequest(p, "m", Input{Date: "2026-03-14", Kind: "sale", Amount: "10", Method: "cash"})
	missing.ParticipantID = 999999
	s.books.Store(missing.ParticipantID, int64(1))
	declined("no participant", missing)
	if _, err := participants.NewStore(db, s).Erase(ctx, audit.System, gone); err != nil {
		t.Fatal(err)
	}
	declined("erased", oneRequest(gone, "e", Input{Date: "2026-03-14", Kind: "sale", Amount: "10", Method: "cash"}))
	book, _ := s.Book(ctx, p.ID)
	if _, err := s.Ledger().ClosePeriod(ctx, audit.System, book, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Now()); err != nil {
		t.Fatal(err)
	}
	declined("closed month", oneRequest(p, "cm", Input{Date: "2026-02-11", Kind: "sale", Amount: "10", Method: "cash"}))

	// And Record answers each as before.
	for _, c := range []struct {
		r    Request
		want func(error) bool
	}{
		{oneRequest(p, "k", Input{Date: "2026-03-14", Kind: "sale", Amount: "11", Method: "cash"}), func(err error) bool { return errors.Is(err, ErrIdempotencyConflict) }},
		{oneRequest(other, "k", Input{Date: "2026-03-14", Kind: "sale", Amount: "10", Method: "cash"}), func(err error) bool { return errors.Is(err, ErrIdempotencyConflict) }},
		{oneRequest(p, "c", Input{Date: "2026-03-14", Kind: "sale", Amount: "100000.01", Method: "cash"}), func(err error) bool {
			var v valid.Errors
			return errors.As(err, &v) && v["amount"] == "vendor.amount_ceiling"
		}},
		{oneRequest(gone, "e", Input{Date: "2026-03-14", Kind: "sale", Amount: "10", Method: "cash"}), func(err error) bool { return errors.Is(err, ErrErased) }},
	} {
		if _, err := s.Record(ctx, audit.System, c.r); !c.want(err) {
			t.Fatalf("%+v: %v", c.r, err)
		}
	}
	if v, l := rows(t, db); v != ve || l != le {
		t.Fatalf("refusals wrote (%d, %d entries; want %d, %d)", v, l, ve, le)
	}
	// The closed month's entry the statement declined, record books late.
	if r, err := s.Record(ctx, audit.System, oneRequest(p, "cm", Input{Date: "2026-02-11", Kind: "sale", Amount: "10", Method: "cash"})); err != nil || !r.Late() {
		t.Fatalf("closed month: %+v, %v", r, err)
	}
}

// Retries of one key racing through the one statement, for one vendor and
// for two: one entry, every answer the same entry or a conflict.
func TestRecordOneRaces(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := NewStore(db)
	p, other := oneEnrol(t, db, 1), oneEnrol(t, db, 2)
	warm(t, s, p)
	warm(t, s, other)
	ve, le := rows(t, db)
	for round := 0; round < 5; round++ {
		key := fmt.Sprintf("race-%d", round)
		const n = 8
		var wg sync.WaitGroup
		ids := make([]int64, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				who := p
				if round%2 == 1 && i%2 == 1 {
					who = other
				}
				r, err := s.Record(ctx, audit.System, oneRequest(who, key, Input{Date: "2026-03-14", Kind: "sale", Amount: "99", Method: "cash"}))
				ids[i], errs[i] = r.ID, err
			}()
		}
		wg.Wait()
		var id int64
		for i := range ids {
			switch {
			case errors.Is(errs[i], ErrIdempotencyConflict):
				if round%2 == 0 {
					t.Fatalf("round %d: conflict for one vendor", round)
				}
			case errs[i] != nil:
				t.Fatal(errs[i])
			case id == 0:
				id = ids[i]
			case ids[i] != id:
				t.Fatalf("round %d: ids %d and %d", round, id, ids[i])
			}
		}
		ve, le = ve+1, le+1
		if v, l := rows(t, db); v != ve || l != le {
			t.Fatalf("round %d: %d, %d entries; want %d, %d", round, v, l, ve, le)
		}
	}
}
