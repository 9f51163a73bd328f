package main

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"hawker/participants"
)

// participantID resolves a participant code for --participant.
func participantID(ctx context.Context, db *sqlx.DB, code string) (int64, error) {
	p, err := participants.NewStore(db).ByCode(ctx, code)
	if err != nil {
		return 0, fmt.Errorf("user add: participant %s: %w", code, err)
	}
	if p.Erased() {
		return 0, fmt.Errorf("user add: participant %s: %w", code, participants.ErrErased)
	}
	return p.ID, nil
}
