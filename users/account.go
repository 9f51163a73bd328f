package users

import (
	"context"
	"crypto/rand"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
	"hawker/valid"
)

// The administration and self-service changes below each write their audit
// row in the transaction that makes the change. Ending a user's sessions on
// disable or on a new password is the database's job (migration 0005).

// linkError turns a violated link constraint into a field error, or returns nil.
func linkError(err error) error {
	switch pg.Constraint(err) {
	case "users_participant_fkey":
		return valid.Errors{"participant": "user.participant_unknown"}
	case "users_participant_key":
		return valid.Errors{"participant": "user.participant_taken"}
	case "users_donor_fkey":
		return valid.Errors{"donor": "user.donor_unknown"}
	}
	return nil
}

// oneTimeAlphabet leaves out characters read alike (0/o, 1/l/i).
const oneTimeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// OneTimePassword makes a random password to be read aloud or copied once:
// three groups of four, about 59 bits.
func OneTimePassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("users: one-time password: %w", err)
	}
	var sb strings.Builder
	for i, x := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		// 256 is not a multiple of 31: the bias is under 1% per character.
		sb.WriteByte(oneTimeAlphabet[int(x)%len(oneTimeAlphabet)])
	}
	return sb.String(), nil
}

// Create adds a user on an administrator's behalf with a one-time password,
// which it returns to be shown once; the user must change it at first
// sign-in. n.Password is ignored.
func (s *Store) Create(ctx context.Context, a audit.Actor, n New) (User, string, error) {
	otp, err := OneTimePassword()
	if err != nil {
		return User{}, "", err
	}
	n.Password, n.oneTime = otp, true
	var u User
	err = pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if u, err = AddTx(ctx, tx, n); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "user.create", object(u.ID), fmt.Sprintf("login=%s role=%s", u.Login, u.Role),
			audit.Details{"login": u.Login, "role": string(u.Role)})
	})
	if err != nil {
		return User{}, "", err
	}
	return u, otp, nil
}

func object(id int64) string { return fmt.Sprintf("user:%d", id) }

// List returns every user, staff first, then by login.
func (s *Store) List(ctx context.Context) ([]User, error) {
	var us []User
	err := s.db.SelectContext(ctx, &us, `
		SELECT * FROM users
		ORDER BY array_position(ARRAY['admin','manager','officer','donor','vendor'], role), login`)
	if err != nil {
		return nil, fmt.Errorf("users: list: %w", err)
	}
	return us, nil
}

// update runs one UPDATE of user id and records action in the same
// transaction; ErrNotFound when there is no such user.
func (s *Store) update(ctx context.Context, a audit.Actor, id int64, action, summary string, details audit.Details, query string, args ...any) error {
	return pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, query, append([]any{id}, args...)...)
		if err != nil {
			return fmt.Errorf("users: %s %d: %w", action, id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("users: %s %d: %w", action, id, ErrNotFound)
		}
		return audit.RecordDetails(ctx, tx, a, action, object(id), summary, details)
	})
}

// Disable stops user id from signing in and ends their sessions. An
// administrator cannot disable themselves (and so lock everyone out).
func (s *Store) Disable(ctx context.Context, a audit.Actor, id int64) error {
	if a.UserID == id {
		return ErrSelf
	}
	return s.update(ctx, a, id, "user.disable", "", nil, `UPDATE users SET disabled_at = COALESCE(disabled_at, now()) WHERE id = $1`)
}

// Enable lets a disabled user sign in again.
func (s *Store) Enable(ctx context.Context, a audit.Actor, id int64) error {
	return s.update(ctx, a, id, "user.enable", "", nil, `UPDATE users SET disabled_at = NULL WHERE id = $1`)
}

// ResetPassword replaces user id's password with a one-time one, returned to
// be shown once; every session of the user ends, and a vendor's PIN is
// cleared: whoever knew it (or took her phone) must not keep a way in.
func (s *Store) ResetPassword(ctx context.Context, a audit.Actor, id int64) (string, error) {
	otp, err := OneTimePassword()
	if err != nil {
		return "", err
	}
	hash, err := HashPassword(otp)
	if err != nil {
		return "", err
	}
	err = s.update(ctx, a, id, "user.reset_password", "one-time password issued, PIN cleared", audit.Details{"pin": "cleared"},
		`UPDATE users SET password_hash = $2, must_change_password = true, pin_hash = NULL WHERE id = $1`, hash)
	if err != nil {
		return "", err
	}
	return otp, nil
}

// PasswordChange is a user choosing a new password.
type PasswordChange struct {
	Current string
	New     string
	Confirm string
}

// Validate checks a new password against u's login and the current one.
func (p PasswordChange) Validate(u User) valid.Errors {
	errs := valid.Errors{}
	switch {
	case utf8.RuneCountInString(p.New) < MinPasswordLen:
		errs.Add("new", "user.password_short")
	case p.New == p.Current:
		errs.Add("new", "user.password_same")
	case strings.EqualFold(p.New, u.Login):
		errs.Add("new", "user.password_is_login")
	}
	if p.New != p.Confirm {
		errs.Add("confirm", "user.password_mismatch")
	}
	return errs
}

// ChangePassword sets user id's own password. The caller has checked
// p.Current first, under the sign-in limits (auth.Store.Reauthenticate), so
// that a session is no free field for guessing it. Every session of the
// user ends; the caller starts a fresh one.
func (s *Store) ChangePassword(ctx context.Context, a audit.Actor, id int64, p PasswordChange) error {
	u, err := s.ByID(ctx, id)
	if err != nil {
		return err
	}
	if err := p.Validate(u).Err(); err != nil {
		return err
	}
	hash, err := HashPassword(p.New)
	if err != nil {
		return err
	}
	return s.update(ctx, a, id, "user.change_password", "", nil,
		`UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1`, hash)
}

var pinPattern = regexp.MustCompile(`^[0-9]{6}$`)

// ValidatePIN checks a vendor's PIN: six digits, not one digit repeated and
// not a straight run such as 123456 or 987654.
func ValidatePIN(pin string) error {
	if !pinPattern.MatchString(pin) {
		return valid.Errors{"pin": "user.pin_invalid"}
	}
	same, up, down := true, true, true
	for i := 1; i < len(pin); i++ {
		d := int(pin[i]) - int(pin[i-1])
		same = same && d == 0
		up = up && d == 1
		down = down && d == -1
	}
	if same || up || down {
		return valid.Errors{"pin": "user.pin_weak"}
	}
	return nil
}

// SetPIN sets a vendor's 6-digit sign-in PIN: demo data, and the account
// page once she has proved who she is with her current password or PIN
// (auth.Store.Reauthenticate): someone holding her unlocked phone must not
// be able to give themselves a way back in.
func (s *Store) SetPIN(ctx context.Context, a audit.Actor, id int64, pin, confirm string) error {
	if err := ValidatePIN(pin); err != nil {
		return err
	}
	if pin != confirm {
		return valid.Errors{"pin_confirm": "user.pin_mismatch"}
	}
	hash, err := HashPassword(pin)
	if err != nil {
		return err
	}
	err = s.update(ctx, a, id, "user.set_pin", "", audit.Details{"how": "account"},
		`UPDATE users SET pin_hash = $2 WHERE id = $1`, hash)
	if pg.Constraint(err) == "users_pin_check" {
		return valid.Errors{"pin": "user.pin_only_vendor"}
	}
	return err
}

// SetLanguage remembers the language user id reads Hawker in.
func (s *Store) SetLanguage(ctx context.Context, a audit.Actor, id int64, lang string) error {
	if lang != "th" && lang != "en" {
		return valid.Errors{"lang": "user.language_invalid"}
	}
	return s.update(ctx, a, id, "user.set_language", "language="+lang, audit.Details{"lang": lang},
		`UPDATE users SET language = $2 WHERE id = $1`, lang)
}

// ForParticipant finds the vendor login tied to a participant; ErrNotFound
// when she has none yet.
func (s *Store) ForParticipant(ctx context.Context, participantID int64) (User, error) {
	var u User
	err := s.db.GetContext(ctx, &u, `SELECT * FROM users WHERE participant_id = $1`, participantID)
	if err != nil {
		return User{}, fmt.Errorf("users: login of participant %d: %w", participantID, pg.NotFound(err, ErrNotFound))
	}
	return u, nil
}

// SetPINForPhoneTx sets vendor id's PIN as she sets up her phone with her
// officer's one-time link, in the caller's transaction tx (the link is used
// in the same one). The link stands for the proof of who she is that
// SetPIN asks for: her officer is beside her. A one-time password still
// outstanding is retired (replaced by a random one nobody knows): the
// phone and her PIN take its place, and her first sign-in needs no Latin
// password. Audited as user.set_pin.
func SetPINForPhoneTx(ctx context.Context, tx *sqlx.Tx, a audit.Actor, id int64, pin, confirm string) error {
	if err := ValidatePIN(pin); err != nil {
		return err
	}
	if pin != confirm {
		return valid.Errors{"pin_confirm": "user.pin_mismatch"}
	}
	hash, err := HashPassword(pin)
	if err != nil {
		return err
	}
	var oneTime bool
	err = tx.GetContext(ctx, &oneTime, `SELECT must_change_password FROM users WHERE id = $1 AND role = 'vendor' FOR UPDATE`, id)
	if err != nil {
		return fmt.Errorf("users: set pin of %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	summary, details := "set on her phone with a one-time link", audit.Details{"how": "phone_link"}
	if oneTime {
		unknown, err := OneTimePassword()
		if err != nil {
			return err
		}
		pw, err := HashPassword(unknown + unknown)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1`, id, pw); err != nil {
			return fmt.Errorf("users: retire one-time password of %d: %w", id, err)
		}
		summary += "; one-time password retired"
		details["how"] = "phone_link_retired"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET pin_hash = $2 WHERE id = $1`, id, hash); err != nil {
		return fmt.Errorf("users: set pin of %d: %w", id, err)
	}
	return audit.RecordDetails(ctx, tx, a, "user.set_pin", object(id), summary, details)
}
