package users

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// LoginDoc is a sign-in account tied to a participant, as her personal-data
// export shows it (never the password or PIN hash).
type LoginDoc struct {
	Login     string    `json:"login" db:"login"`
	Role      string    `json:"role" db:"role"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// ExportPersonal gives a participant's export its "logins": the vendor
// accounts tied to her (participants.PersonalData).
func (s *Store) ExportPersonal(ctx context.Context, tx *sqlx.Tx, participantID int64) (map[string]any, error) {
	logins := []LoginDoc{}
	err := tx.SelectContext(ctx, &logins, `SELECT login, role, created_at FROM users WHERE participant_id = $1 ORDER BY id`, participantID)
	if err != nil {
		return nil, fmt.Errorf("users: logins of participant %d: %w", participantID, err)
	}
	return map[string]any{"logins": logins}, nil
}

// ErasePersonal blanks the display name of every account tied to an erased
// participant and disables it (participants.PersonalData): her book is
// closed to her, and no password or PIN signs her in any more. The
// accounts stay, as the audit trail names them by id.
func (s *Store) ErasePersonal(ctx context.Context, tx *sqlx.Tx, participantID int64) (string, error) {
	res, err := tx.ExecContext(ctx, `UPDATE users SET name = '', disabled_at = COALESCE(disabled_at, now())
		WHERE participant_id = $1`, participantID)
	if err != nil {
		return "", fmt.Errorf("users: erase logins of participant %d: %w", participantID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", fmt.Errorf("users: erase logins of participant %d: %w", participantID, err)
	} else if n == 0 {
		return "", nil
	}
	return "login display name", nil
}

// PersonalTables names the table of this package that refers to a participant.
func (s *Store) PersonalTables() []string { return []string{"users"} }

// ParticipantsWithLogin lists the participants tied to an enabled account
// of role, reading through q: whom the programme counts as trading.
func ParticipantsWithLogin(ctx context.Context, q sqlx.QueryerContext, role Role) ([]int64, error) {
	ids := []int64{}
	err := sqlx.SelectContext(ctx, q, &ids, `
		SELECT DISTINCT participant_id FROM users
		WHERE role = $1 AND participant_id IS NOT NULL AND disabled_at IS NULL ORDER BY participant_id`, role)
	if err != nil {
		return nil, fmt.Errorf("users: participants with a %s login: %w", role, err)
	}
	return ids, nil
}

// LoginsOf lists the ids of the accounts tied to participant id, reading
// through q (her erasure's transaction): the packages that keep data under
// a login (auth's phones and sessions) reach her through it without naming
// this package's table.
func LoginsOf(ctx context.Context, q sqlx.QueryerContext, participantID int64) ([]int64, error) {
	ids := []int64{}
	if err := sqlx.SelectContext(ctx, q, &ids, `SELECT id FROM users WHERE participant_id = $1 ORDER BY id`, participantID); err != nil {
		return nil, fmt.Errorf("users: logins of participant %d: %w", participantID, err)
	}
	return ids, nil
}
