package vendors

import (
	"context"
	"fmt"

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

// Verify checks that every vendor entry agrees with its ledger entry (the
// vendor's book; the accounts, debit and credit, and the amount its kind,
// method or category post to, by the same rule as recording), that every
// void names the reversal of that entry, and that every entry the ledger
// reversed has its void: a vendor row changed, or voids truncated, behind
// the ledger's back shows here. It returns how many entries it checked.
func (s *Store) Verify(ctx context.Context) (int, []Mismatch, error) {
	var out []Mismatch
	checked := 0
	codes := map[int64]map[int64]string{} // book → account id → code
	var after int64
	for {
		var rs []struct {
			Recorded
			Book int64 `db:"book_id"`
		}
		err := s.db.SelectContext(ctx, &rs, `SELECT `+recordedColumns+`, vb.book_id`+recordedFrom+`
			WHERE ve.id > $1 ORDER BY ve.id LIMIT $2`, after, verifyBatch)
		if err != nil {
			return checked, out, fmt.Errorf("vendors: verify: %w", err)
		}
		if len(rs) == 0 {
			return checked, out, nil
		}
		after = rs[len(rs)-1].ID
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
			return checked, out, err
		}
		reversals, err := s.ledger.Reversals(ctx, originals)
		if err != nil {
			return checked, out, err
		}
		for _, r := range rs {
			checked++
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
			if codes[e.BookID] == nil {
				accounts, err := s.ledger.Accounts(ctx, e.BookID)
				if err != nil {
					return checked, out, err
				}
				codes[e.BookID] = map[int64]string{}
				for _, a := range accounts {
					codes[e.BookID][a.ID] = a.Code
				}
			}
			want := r.entry().posting(e.BookID).Lines
			if why := sameLines(codes[e.BookID], want, e.Lines, false); why != "" {
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
				if why := sameLines(codes[e.BookID], want, entries[rev].Lines, true); why != "" {
					bad("reversal %d %s", rev, why)
				}
			}
		}
	}
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
