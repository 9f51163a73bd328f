package grants

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// DonorReceipt is money a donor's fund received on a day.
type DonorReceipt struct {
	On     time.Time       `db:"received_on"`
	Amount decimal.Decimal `db:"amount"`
}

// DonorGrant is one of a donor's grants that was approved, on the day (in
// Bangkok) it was approved.
type DonorGrant struct {
	ID            int64           `db:"id"`
	ParticipantID int64           `db:"participant_id"`
	ApprovedOn    time.Time       `db:"approved_on"`
	Total         decimal.Decimal `db:"total"`
}

// DonorRelease is what went out of a donor's grant to a participant on a
// day: a cash tranche ("cash") or an item handed over ("equipment").
type DonorRelease struct {
	GrantID       int64           `db:"grant_id"`
	ParticipantID int64           `db:"participant_id"`
	Kind          string          `db:"kind"`
	On            time.Time       `db:"released_on"`
	Amount        decimal.Decimal `db:"amount"`
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
		SELECT g.id, g.participant_id, (g.approved_at AT TIME ZONE 'Asia/Bangkok')::date AS approved_on, g.total
		FROM grants g JOIN funds f ON f.id = g.fund_id
		WHERE f.donor_id = $1 AND g.approved_at IS NOT NULL
		  AND (g.approved_at AT TIME ZONE 'Asia/Bangkok')::date <= $2::date ORDER BY g.id`, donor, day)
	if err != nil {
		return a, fmt.Errorf("grants: activity of donor %d: grants: %w", donor, err)
	}
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
