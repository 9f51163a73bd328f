package grants

import (
	"context"
	"fmt"
	"time"

	"hawker/money"
)

// DonorReceipt is money a donor's fund received on a day.
type DonorReceipt struct {
	On     time.Time    `db:"received_on"`
	Amount money.Amount `db:"amount"`
}

// DonorGrant is one of a donor's grants that was approved, on its business
// day: the date of the ledger entry that committed it to its fund.
type DonorGrant struct {
	ID            int64        `db:"id"`
	ParticipantID int64        `db:"participant_id"`
	CommitEntry   int64        `db:"commit_entry_id"`
	ApprovedOn    time.Time    `db:"-"`
	Total         money.Amount `db:"total"`
}

// DonorRelease is what went out of a donor's grant to a participant on a
// day: a cash tranche ("cash") or an item handed over ("equipment").
type DonorRelease struct {
	GrantID       int64        `db:"grant_id"`
	ParticipantID int64        `db:"participant_id"`
	Kind          string       `db:"kind"`
	On            time.Time    `db:"released_on"`
	Amount        money.Amount `db:"amount"`
}

// DonorActivity is everything a donor's impact report counts from grants,
// up to a day: receipts, approved grants and releases.
type DonorActivity struct {
	Receipts []DonorReceipt
	Grants   []DonorGrant
	Releases []DonorRelease
}

// Activity reads a donor's receipts, approved grants and releases dated on
// or before through.
func (s *Store) Activity(ctx context.Context, donor int64, through time.Time) (DonorActivity, error) {
	day := through.Format(time.DateOnly)
	a := DonorActivity{Receipts: []DonorReceipt{}, Grants: []DonorGrant{}, Releases: []DonorRelease{}}
	err := s.db.SelectContext(ctx, &a.Receipts, `
		SELECT r.received_on, r.amount FROM fund_receipts r JOIN funds f ON f.id = r.fund_id
		WHERE f.donor_id = $1 AND r.received_on <= $2::date ORDER BY r.received_on, r.id`, donor, day)
	if err != nil {
		return a, fmt.Errorf("grants: activity of donor %d: receipts: %w", donor, err)
	}
	err = s.db.SelectContext(ctx, &a.Grants, `
		SELECT g.id, g.participant_id, g.commit_entry_id, g.total
		FROM grants g JOIN funds f ON f.id = g.fund_id
		WHERE f.donor_id = $1 AND g.commit_entry_id IS NOT NULL ORDER BY g.id`, donor)
	if err != nil {
		return a, fmt.Errorf("grants: activity of donor %d: grants: %w", donor, err)
	}
	ids := make([]int64, len(a.Grants))
	for i, g := range a.Grants {
		ids[i] = g.CommitEntry
	}
	entries, err := s.ledger.Entries(ctx, ids)
	if err != nil {
		return a, fmt.Errorf("grants: activity of donor %d: commits: %w", donor, err)
	}
	kept := a.Grants[:0]
	for _, g := range a.Grants {
		g.ApprovedOn = entries[g.CommitEntry].BusinessDate
		if !g.ApprovedOn.After(through) {
			kept = append(kept, g)
		}
	}
	a.Grants = kept
	err = s.db.SelectContext(ctx, &a.Releases, `
		SELECT t.grant_id, g.participant_id, 'cash' AS kind, t.disbursed_on AS released_on, t.amount
		FROM grant_tranches t JOIN grants g ON g.id = t.grant_id JOIN funds f ON f.id = g.fund_id
		WHERE f.donor_id = $1 AND t.state = 'disbursed' AND t.disbursed_on <= $2::date
		UNION ALL
		SELECT i.grant_id, e.participant_id, 'equipment', e.business_date, i.value
		FROM grant_item_events e JOIN grant_items i ON i.id = e.item_id
		WHERE i.donor_id = $1 AND e.action = 'handover' AND e.business_date <= $2::date
		ORDER BY 4, 1, 3`, donor, day)
	if err != nil {
		return a, fmt.Errorf("grants: activity of donor %d: releases: %w", donor, err)
	}
	return a, nil
}
