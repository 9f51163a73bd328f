package ledger

import (
	"database/sql"
	"errors"
	"testing"
)

// TestFused: the caller's row and the posting are written by one statement
// when the caller's check passes and the ledger accepts; otherwise neither.
func TestFused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.db.Exec(`CREATE TABLE notes (id bigserial PRIMARY KEY, entry_id bigint NOT NULL, note text NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	fu := f.s.Fuse(`SELECT $1::text AS note, $2::boolean AS ok`,
		`INSERT INTO notes (entry_id, note) SELECT posted.entry_id, $1 FROM posted RETURNING id`, 2)
	post := func(note string, pass bool, p Posting) (int64, bool, sql.NullInt64, error) {
		var (
			gotNote string
			ok      bool
			id      sql.NullInt64
		)
		entry, written, err := fu.Post(ctx, p, []any{note, pass}, &gotNote, &ok, &id)
		// (An invalid posting is declined before the database: no columns.)
		if err == nil && p.Validate() == nil && (gotNote != note || ok != pass) {
			t.Errorf("check's columns came back as %q, %v", gotNote, ok)
		}
		return entry, written, id, err
	}
	sale := Posting{Book: f.vendor.ID, BusinessDate: day("2025-03-01"), IdempotencyKey: "fused-1",
		Lines: []Line{{Code: "1000", Amount: dec("25")}, {Code: "4000", Amount: dec("-25")}}}
	before := f.state(t)
	if _, written, id, err := post("declined", false, sale); err != nil || written || id.Valid || f.state(t) != before {
		t.Fatalf("a failed check: written %v, row %v, %v; the ledger went %s -> %s", written, id, err, before, f.state(t))
	}
	entry, written, id, err := post("first", true, sale)
	if err != nil || !written || !id.Valid {
		t.Fatalf("a passed check: %d, %v, %v, %v", entry, written, id, err)
	}
	e, err := f.s.EntryByKey(ctx, f.vendor.ID, "fused-1")
	if err != nil || e.ID != entry || len(e.Lines) != 2 || !f.balance(t, f.cash).Equal(dec("25")) {
		t.Fatalf("the entry by its key: %+v, %v", e, err)
	}
	// The key again: ledger_post answers a replay, so nothing is written.
	before = f.state(t)
	if _, written, id, err := post("second", true, sale); err != nil || written || id.Valid || f.state(t) != before {
		t.Fatalf("a replay: written %v, row %v, %v", written, id, err)
	}
	// The caller's row refused (its unique note): the posting goes too.
	sale.IdempotencyKey = "fused-2"
	if _, _, _, err := post("first", true, sale); err == nil || f.state(t) != before {
		t.Fatalf("a refused row: %v; the ledger went %s -> %s", err, before, f.state(t))
	}
	// A floor refuses, and an invalid posting is declined before the database.
	grant := Posting{Book: f.programme.ID, BusinessDate: day("2025-03-01"), Lines: move(f.grants, f.fund, "1")}
	if _, written, _, err := post("grant", true, grant); err != nil || written {
		t.Fatalf("below the floor: written %v, %v", written, err)
	}
	grant.Lines[0].Amount = dec("2")
	if _, written, _, err := post("grant", true, grant); err != nil || written {
		t.Fatalf("unbalanced: written %v, %v", written, err)
	}
	if _, err := f.s.EntryByKey(ctx, f.vendor.ID, "nothing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown key: %v", err)
	}
	mustVerify(t, f.s)
}

// TestPostAll: a grant's disbursement, one entry in the programme's book
// and one in the vendor's under one reference, written together or not at
// all; BalanceOf reads each side by account code.
func TestPostAll(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.programme.ID, "2025-03-01", "", move(f.fund, f.equity, "5000")...)
	disburse := func(amount, key string) ([]Entry, error) {
		return f.s.PostAll(ctx,
			Posting{Book: f.programme.ID, BusinessDate: day("2025-03-02"), Reference: "grant-7/1", IdempotencyKey: key,
				Lines: move(f.grants, f.fund, amount)},
			Posting{Book: f.vendor.ID, BusinessDate: day("2025-03-02"), Reference: "grant-7/1", IdempotencyKey: key,
				Lines: []Line{{Code: "1000", Amount: dec(amount)}, {Code: "4000", Amount: dec(amount).Neg()}}})
	}
	es, err := disburse("3000", "d-1")
	if err != nil || len(es) != 2 || es[0].BookID != f.programme.ID || es[1].BookID != f.vendor.ID {
		t.Fatalf("disbursement = %+v, %v", es, err)
	}
	again, err := disburse("3000", "d-1")
	if err != nil || !again[0].Replayed || !again[1].Replayed || again[1].ID != es[1].ID {
		t.Fatalf("its replay = %+v, %v", again, err)
	}
	before := f.state(t)
	if _, err := disburse("2500", "d-2"); !errors.Is(err, ErrInsufficientFunds) || f.state(t) != before {
		t.Fatalf("beyond the fund: %v; the ledger went %s -> %s", err, before, f.state(t))
	}
	fund, err := f.s.BalanceOf(ctx, f.programme.ID, "1100")
	if err != nil || !fund.Equal(amt("2000")) {
		t.Errorf("fund = %s, %v", fund, err)
	}
	if cash, err := f.s.BalanceOf(ctx, f.vendor.ID, "1000"); err != nil || !cash.Equal(amt("3000")) {
		t.Errorf("vendor's cash = %s, %v", cash, err)
	}
	if none, err := f.s.BalanceOf(ctx, f.vendor.ID, "no-such"); err != nil || !none.IsZero() {
		t.Errorf("no such account = %s, %v", none, err)
	}
	mustVerify(t, f.s)
}
