package vendors

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"hawker/ledger"
	"hawker/money"
)

// Mismatch is a vendor entry or void that does not agree with the ledger.
type Mismatch struct {
	Entry  int64 // the vendor entry's id
	Reason string
}

func (m Mismatch) String() string { return fmt.Sprintf("vendor entry %d: %s", m.Entry, m.Reason) }

// verifyBatch is how many vendor entries Verify reads from the ledger at once.
const verifyBatch = 2000

// verifyWorkers is how many batches Verify checks at once: each is a few
// round trips and some Go, so at tens of millions of entries the batches
// overlap rather than wait on one another.
const verifyWorkers = 3

// verifyRow is a vendor entry as Verify reads it, with its book.
type verifyRow struct {
	Recorded
	Book int64 `db:"book_id"`
}

// Verify checks that every vendor entry agrees with its ledger entry (the
// vendor's book; the accounts, debit and credit, and the amount its kind,
// method or category post to, by the same rule as recording), that every
// void names the reversal of that entry, and that every entry the ledger
// reversed has its void: a vendor row changed, or voids truncated, behind
// the ledger's back shows here. It returns how many entries it checked and
// the mismatches in the order of the entries.
func (s *Store) Verify(ctx context.Context) (int, []Mismatch, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []verifyRow, verifyWorkers)
	var (
		mu      sync.Mutex
		out     []Mismatch
		checked int
		first   error
		codes   = map[int64]map[int64]string{} // book → account id → code
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
			cancel()
		}
	}
	accountCodes := func(book int64) (map[int64]string, error) {
		mu.Lock()
		c := codes[book]
		mu.Unlock()
		if c != nil {
			return c, nil
		}
		accounts, err := s.ledger.Accounts(ctx, book)
		if err != nil {
			return nil, err
		}
		c = map[int64]string{}
		for _, a := range accounts {
			c[a.ID] = a.Code
		}
		mu.Lock()
		codes[book] = c
		mu.Unlock()
		return c, nil
	}
	var wg sync.WaitGroup
	for range verifyWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rs := range batches {
				bad, err := s.verifyBatch(ctx, rs, accountCodes)
				if err != nil {
					fail(err)
					continue // drain
				}
				mu.Lock()
				out = append(out, bad...)
				checked += len(rs)
				mu.Unlock()
			}
		}()
	}
	var after int64
	for ctx.Err() == nil {
		var rs []verifyRow
		err := s.db.SelectContext(ctx, &rs, `SELECT `+recordedColumns+`, vb.book_id`+recordedFrom+`
			WHERE ve.id > $1 ORDER BY ve.id LIMIT $2`, after, verifyBatch)
		if err != nil {
			fail(fmt.Errorf("vendors: verify: %w", err))
			break
		}
		if len(rs) == 0 {
			break
		}
		after = rs[len(rs)-1].ID
		batches <- rs
	}
	close(batches)
	wg.Wait()
	if first != nil {
		return checked, out, first
	}
	if err := ctx.Err(); err != nil {
		return checked, out, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Entry < out[j].Entry })
	return checked, out, nil
}

// verifyBatch checks one batch of vendor entries against the ledger.
func (s *Store) verifyBatch(ctx context.Context, rs []verifyRow, accountCodes func(int64) (map[int64]string, error)) ([]Mismatch, error) {
	var out []Mismatch
	ids := make([]int64, 0, 2*len(rs))
	originals := make([]int64, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, r.EntryID)
		originals = append(originals, r.EntryID)
		if r.ReversalID != nil {
			ids = append(ids, *r.ReversalID)
		}
	}
	entries, err := s.ledger.Entries(ctx, ids)
	if err != nil {
		return nil, err
	}
	reversals, err := s.ledger.Reversals(ctx, originals)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		bad := func(format string, args ...any) {
			out = append(out, Mismatch{r.ID, fmt.Sprintf(format, args...)})
		}
		e, ok := entries[r.EntryID]
		if !ok {
			bad("its ledger entry %d does not exist", r.EntryID)
			continue
		}
		if e.BookID != r.Book {
			bad("its ledger entry %d is in book %d, not the vendor's book %d", e.ID, e.BookID, r.Book)
			continue
		}
		codes, err := accountCodes(e.BookID)
		if err != nil {
			return nil, err
		}
		want := r.entry().posting(e.BookID).Lines
		if why := sameLines(codes, want, e.Lines, false); why != "" {
			bad("ledger entry %d %s", e.ID, why)
		}
		rev, reversed := reversals[r.EntryID]
		switch {
		case r.ReversalID == nil && reversed:
			bad("the ledger reversed it (entry %d) but no void records it", rev)
		case r.ReversalID != nil && !reversed:
			bad("its void names entry %d, but the ledger has no reversal of entry %d", *r.ReversalID, r.EntryID)
		case r.ReversalID != nil && rev != *r.ReversalID:
			bad("its void names entry %d, but the ledger's reversal is entry %d", *r.ReversalID, rev)
		case r.ReversalID != nil:
			if why := sameLines(codes, want, entries[rev].Lines, true); why != "" {
				bad("reversal %d %s", rev, why)
			}
		}
	}
	return out, nil
}

// entry is the recorded row as the Entry whose posting rule it followed.
func (r Recorded) entry() Entry {
	e := Entry{Kind: r.Kind, Amount: r.Amount, Date: r.Date, Key: r.Key}
	if r.Category != nil {
		e.Category = *r.Category
	}
	if r.Method != nil {
		e.Method = *r.Method
	}
	return e
}

// sameLines says how got (written lines) differs from want (the posting
// rule's lines, negated for a reversal), or "".
func sameLines(codes map[int64]string, want []ledger.Line, got []ledger.EntryLine, negate bool) string {
	if len(got) != len(want) {
		return fmt.Sprintf("has %d lines, the rule %d", len(got), len(want))
	}
	left := map[string]money.Amount{}
	for _, l := range want {
		a := money.Round(l.Amount) // the rule's lines are built from money amounts
		if negate {
			a = a.Neg()
		}
		left[l.Code] = left[l.Code].Add(a)
	}
	for _, l := range got {
		code := codes[l.AccountID]
		left[code] = left[code].Sub(l.Amount)
	}
	for code, d := range left {
		if !d.IsZero() {
			return fmt.Sprintf("does not post what the rule says to account %q (off by %s)", code, d)
		}
	}
	return ""
}
