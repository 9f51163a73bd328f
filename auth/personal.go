package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/users"
)

// PhoneDoc is one of a participant's phones as her personal-data export
// shows it (never its token).
type PhoneDoc struct {
	Label      string     `json:"label" db:"label"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at" db:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at" db:"revoked_at"`
}

// ExportPersonal gives a participant's export its "phones": the phones that
// remember her logins (participants.PersonalData).
func (s *Store) ExportPersonal(ctx context.Context, tx *sqlx.Tx, participantID int64) (map[string]any, error) {
	ids, err := users.LoginsOf(ctx, tx, participantID)
	if err != nil {
		return nil, err
	}
	phones := []PhoneDoc{}
	err = tx.SelectContext(ctx, &phones, `SELECT label, created_at, last_used_at, revoked_at FROM devices
		WHERE user_id = ANY($1) ORDER BY created_at, id`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("auth: phones of participant %d: %w", participantID, err)
	}
	return map[string]any{"phones": phones}, nil
}

// ErasePersonal, as a participant's file is erased, revokes every phone
// that remembers one of her logins (and blanks its label, her browser's
// description), spends her unused one-time links and ends all her
// sessions: no phone signs her in with a PIN any more, and no session
// started before the erasure goes on (participants.PersonalData). The rows
// stay, as the audit trail names them by id.
func (s *Store) ErasePersonal(ctx context.Context, tx *sqlx.Tx, participantID int64) (string, error) {
	ids, err := users.LoginsOf(ctx, tx, participantID)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	now := s.now()
	res, err := tx.ExecContext(ctx, `UPDATE devices SET revoked_at = COALESCE(revoked_at, $2), label = ''
		WHERE user_id = ANY($1)`, pq.Array(ids), now)
	if err != nil {
		return "", fmt.Errorf("auth: revoke phones of participant %d: %w", participantID, err)
	}
	phones, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, `UPDATE device_links SET expires_at = $2
		WHERE user_id = ANY($1) AND used_at IS NULL AND expires_at > $2`, pq.Array(ids), now); err != nil {
		return "", fmt.Errorf("auth: expire links of participant %d: %w", participantID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ANY($1)`, pq.Array(ids)); err != nil {
		return "", fmt.Errorf("auth: end sessions of participant %d: %w", participantID, err)
	}
	if phones == 0 {
		return "", nil
	}
	return "phone sign-ins", nil
}

// PersonalTables is empty: no table of this package refers to a
// participant; her phones and sessions hang on her logins (users), and
// ErasePersonal reaches them through users.LoginsOf.
func (s *Store) PersonalTables() []string { return nil }
