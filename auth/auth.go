// Package auth signs people in and keeps their sessions: server-side rows in
// PostgreSQL found by the SHA-256 of a random cookie token, ended by sign-out,
// by an administrator, by idle time or by age. Sign-in attempts are counted
// before the secret is checked, per login and client address pair (with
// back-off, then a temporary lock) and per address.
//
// It owns sessions, login_failures and the phones that remember their
// vendor (devices, device_links; devices.go), and reads a session's user with it
// in the one statement every request runs (the one read of another
// package's table that remains, listed in migrations/ownership_test.go).
// It imports users, audit, pg and valid.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
	"hawker/users"
	"hawker/valid"
)

// Errors of this package.
var (
	// ErrBadCredentials covers an unknown login, a wrong password or PIN and a
	// disabled account alike, so that a guesser learns nothing.
	ErrBadCredentials = valid.NewError("auth: wrong login or password", "login.bad_credentials")
	ErrLocked         = valid.NewError("auth: too many failed sign-ins", "login.locked_api")
	ErrNoSession      = valid.NewError("auth: no session, or it has ended", "error.unauthenticated")
)

// LockedError says until when sign-in is locked; errors.Is(err, ErrLocked).
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("%v; locked until %s", ErrLocked, e.Until.UTC().Format(time.RFC3339))
}

// Is makes a LockedError match ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Config sets the timeouts and limits; zero fields take the defaults.
type Config struct {
	IdleTimeout     time.Duration // a session unused this long ends (default 2 hours)
	AbsoluteTimeout time.Duration // a session ends this long after sign-in (default 12 hours)
	FailureWindow   time.Duration // failures count this long, and a lock lasts up to this (default 15 minutes)
	// MaxFailures is the failures of one login from one address in the
	// window before that pair is locked (default 10). Only the pair is
	// locked: a stranger who knows a login cannot lock its owner out.
	MaxFailures   int
	MaxIPFailures int // failures from one client address, whatever the login (default 50)
	// BackoffAfter failures of a pair, each further attempt waits Backoff,
	// doubled for each failure since (defaults 3 and 1 second).
	BackoffAfter int
	Backoff      time.Duration
	Now          func() time.Time
}

func (c Config) withDefaults() Config {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 2 * time.Hour
	}
	if c.AbsoluteTimeout <= 0 {
		c.AbsoluteTimeout = 12 * time.Hour
	}
	if c.FailureWindow <= 0 {
		c.FailureWindow = 15 * time.Minute
	}
	if c.MaxFailures <= 0 {
		c.MaxFailures = 10
	}
	if c.MaxIPFailures <= 0 {
		c.MaxIPFailures = 50
	}
	if c.BackoffAfter <= 0 {
		c.BackoffAfter = 3
	}
	if c.Backoff <= 0 {
		c.Backoff = time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Session is a signed-in user's session. Token is the cookie's value and is
// known only when the session starts; the database keeps its hash.
type Session struct {
	Token     string
	User      users.User
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Store keeps sessions and sign-in failures.
type Store struct {
	db  *sqlx.DB
	cfg Config
	// lookupStmt runs on every request: prepared, it is one round trip
	// and planned once per connection.
	lookupStmt *pg.Stmt
}

// NewStore returns a Store on db.
func NewStore(db *sqlx.DB, cfg Config) *Store {
	return &Store{db: db, cfg: cfg.withDefaults(), lookupStmt: pg.NewStmt(db, lookupSQL)}
}

// Config is the store's configuration with the defaults filled in.
func (s *Store) Config() Config { return s.cfg }

func (s *Store) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// SignIn checks a login and password and starts a session.
func (s *Store) SignIn(ctx context.Context, login, password, ip string) (Session, error) {
	return s.signIn(ctx, login, ip, "password", nil, func(u users.User) (bool, error) {
		return users.CheckPassword(u.PasswordHash, password)
	})
}

// SignInPIN checks a vendor's login and 6-digit PIN and starts a session.
// A staff login, or a vendor without a PIN, costs one argon2id check like
// any other, so that the time taken tells nothing about the login.
func (s *Store) SignInPIN(ctx context.Context, login, pin, ip string) (Session, error) {
	return s.signIn(ctx, login, ip, "pin", nil, func(u users.User) (bool, error) {
		if u.Role != users.Vendor || u.PINHash == nil {
			_, err := users.CheckPassword(dummyHash(), pin)
			return false, err
		}
		return users.CheckPassword(*u.PINHash, pin)
	})
}

// Reauthenticate checks the signed-in user's current password (or, with
// pin, also her PIN) before a change of credentials, under the same limits
// as signing in: a session is no free field for guessing. It returns nil,
// ErrBadCredentials, a *LockedError or users.ErrBusy.
func (s *Store) Reauthenticate(ctx context.Context, u users.User, secret, ip string, pin bool) error {
	return s.attempt(ctx, u.Login, ip, func() (int64, bool, error) {
		ok, err := users.CheckPassword(u.PasswordHash, secret)
		if err == nil && !ok && pin && u.PINHash != nil {
			ok, err = users.CheckPassword(*u.PINHash, secret)
		}
		return u.ID, ok, err
	})
}

// dummyHash is checked against when the login is unknown, so that an
// unknown login takes as long to refuse as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	for {
		if h, err := users.HashPassword("not a password"); err == nil {
			return h
		}
	}
})

func (s *Store) signIn(ctx context.Context, login, ip, method string, deviceID *int64, check func(users.User) (bool, error)) (Session, error) {
	login = normalLogin(login)
	var u users.User
	err := s.attempt(ctx, login, ip, func() (int64, bool, error) {
		var err error
		u, err = users.NewStore(s.db).ByLogin(ctx, login)
		switch {
		case errors.Is(err, users.ErrNotFound) || utf8.RuneCountInString(login) > users.MaxLogin:
			_, err := users.CheckPassword(dummyHash(), "x")
			return 0, false, err
		case err != nil:
			return 0, false, fmt.Errorf("auth: sign in: %w", err)
		}
		ok, err := check(u)
		if err != nil {
			return u.ID, false, err
		}
		return u.ID, ok && u.DisabledAt == nil, nil
	})
	if err != nil {
		return Session{}, err
	}
	var sess Session
	err = pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		now := s.now()
		if sess, err = s.start(ctx, tx, u, ip, now, deviceID); err != nil {
			return err
		}
		if deviceID != nil {
			// A revoked phone signs no one in, even one revoked as she typed.
			res, err := tx.ExecContext(ctx, `UPDATE devices SET last_used_at = $2 WHERE id = $1 AND revoked_at IS NULL`, *deviceID, now)
			if err != nil {
				return fmt.Errorf("auth: device used: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return ErrNoDevice
			}
		}
		details := audit.Details{"method": method}
		summary := "method=" + method
		if deviceID != nil {
			details["device"] = strconv.FormatInt(*deviceID, 10)
			summary += " device=" + details["device"]
		}
		return audit.RecordDetails(ctx, tx, audit.Actor{UserID: u.ID, Role: string(u.Role), IP: ip}, "auth.sign_in", userObject(u.ID), summary, details)
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// normalLogin lower-cases and trims a login as typed. No user has a longer
// login than users.MaxLogin; only its start (one rune more, so that it
// stays unknown) is kept, to count failures in the index.
func normalLogin(login string) string {
	login = strings.ToLower(strings.TrimSpace(login))
	if utf8.RuneCountInString(login) > users.MaxLogin {
		login = string([]rune(login)[:users.MaxLogin+1])
	}
	return login
}

// Renew starts a fresh session for u without credentials, after a change
// (a new password) that ended the old ones.
func (s *Store) Renew(ctx context.Context, u users.User, ip string) (Session, error) {
	var sess Session
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if sess, err = s.start(ctx, tx, u, ip, s.now(), nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Actor{UserID: u.ID, Role: string(u.Role), IP: ip}, "auth.renew", userObject(u.ID), "")
	})
	return sess, err
}

// start begins a session of u, on the remembered phone deviceID when not nil.
func (s *Store) start(ctx context.Context, tx *sqlx.Tx, u users.User, ip string, now time.Time, deviceID *int64) (Session, error) {
	token, err := randomToken()
	if err != nil {
		return Session{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return Session{}, err
	}
	// The user's ended sessions go as a new one starts.
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND (expires_at <= $2 OR last_seen_at <= $3)`,
		u.ID, now, now.Add(-s.cfg.IdleTimeout)); err != nil {
		return Session{}, fmt.Errorf("auth: prune sessions: %w", err)
	}
	sess := Session{Token: token, User: u, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(s.cfg.AbsoluteTimeout)}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, device_id)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`, hashToken(token), u.ID, csrf, now, sess.ExpiresAt, ip, deviceID)
	if err != nil {
		return Session{}, fmt.Errorf("auth: start session: %w", err)
	}
	return sess, nil
}

// attempt runs check, the costly comparison of a secret, for login from
// ip within the limits. The attempt is counted, as a failure, before check
// runs, in a transaction that holds the address's lock: parallel attempts
// see each other's counts, and no more than the limit are ever checked.
// Success clears the pair's failures; a refusal leaves its failure counted.
// check returns the user's id (0 when the login is unknown) and whether the
// secret matched.
func (s *Store) attempt(ctx context.Context, login, ip string, check func() (int64, bool, error)) error {
	now := s.now()
	id, err := s.count(ctx, login, ip, now)
	if err != nil {
		return err
	}
	userID, ok, err := check()
	switch {
	case errors.Is(err, users.ErrBusy):
		// Nothing was checked: the attempt does not count.
		if _, derr := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE id = $1`, id); derr != nil {
			return fmt.Errorf("auth: uncount attempt: %w", derr)
		}
		return err
	case err != nil:
		return err
	case ok:
		if _, err := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE login = $1 AND ip = $2`, login, ip); err != nil {
			return fmt.Errorf("auth: clear failures: %w", err)
		}
		return nil
	}
	return s.failed(ctx, login, ip, userID, now)
}

// count refuses an attempt while the pair or the address is locked or
// backing off, and otherwise records it as a failure, returning its id.
func (s *Store) count(ctx context.Context, login, ip string, now time.Time) (int64, error) {
	since := now.Add(-s.cfg.FailureWindow)
	var id int64
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		// Every count this transaction reads is of the address's rows, so
		// its lock serialises all that matters.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, attemptLock, ip); err != nil {
			return fmt.Errorf("auth: lock attempts: %w", err)
		}
		var pair []time.Time // the pair's failures in the window, newest first
		if err := tx.SelectContext(ctx, &pair, `SELECT at FROM login_failures WHERE ip = $1 AND login = $2 AND at > $3
			ORDER BY at DESC LIMIT $4`, ip, login, since, s.cfg.MaxFailures); err != nil {
			return fmt.Errorf("auth: count failures: %w", err)
		}
		if len(pair) >= s.cfg.MaxFailures {
			return &LockedError{Until: pair[s.cfg.MaxFailures-1].Add(s.cfg.FailureWindow)}
		}
		if n := len(pair); n >= s.cfg.BackoffAfter {
			wait := s.cfg.Backoff << (n - s.cfg.BackoffAfter)
			if until := pair[0].Add(wait); now.Before(until) {
				return &LockedError{Until: until}
			}
		}
		var at []time.Time // the address's max-th most recent failure, if any
		if err := tx.SelectContext(ctx, &at, `SELECT at FROM login_failures WHERE ip = $1 AND at > $2
			ORDER BY at DESC OFFSET $3 LIMIT 1`, ip, since, s.cfg.MaxIPFailures-1); err != nil {
			return fmt.Errorf("auth: count failures: %w", err)
		}
		if len(at) > 0 {
			return &LockedError{Until: at[0].Add(s.cfg.FailureWindow)}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at <= $1`, since); err != nil {
			return fmt.Errorf("auth: prune failures: %w", err)
		}
		err := tx.GetContext(ctx, &id, `INSERT INTO login_failures (login, ip, at) VALUES ($1, $2, $3) RETURNING id`, login, ip, now)
		if err != nil {
			return fmt.Errorf("auth: record attempt: %w", err)
		}
		return nil
	})
	return id, err
}

// attemptLock is the advisory lock class of sign-in attempts ("atmp").
const attemptLock = 0x61746d70

// failed returns ErrBadCredentials for an attempt whose failure is already
// counted. The failure that reaches the limit is written to the audit trail
// as a lock of that login from that address.
func (s *Store) failed(ctx context.Context, login, ip string, userID int64, now time.Time) error {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM login_failures WHERE login = $1 AND ip = $2 AND at > $3`,
		login, ip, now.Add(-s.cfg.FailureWindow))
	if err != nil {
		return fmt.Errorf("auth: count failures: %w", err)
	}
	if n == s.cfg.MaxFailures {
		object := "login:" + login
		if userID != 0 {
			object = userObject(userID)
		}
		err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
			return audit.RecordDetails(ctx, tx, audit.Actor{IP: ip}, "auth.lock", object, fmt.Sprintf("%d failed sign-ins from %s", n, ip),
				audit.Details{"count": strconv.Itoa(n), "ip": ip})
		})
		if err != nil {
			return err
		}
	}
	return ErrBadCredentials
}

// sessionRow is a session joined with its user.
type sessionRow struct {
	users.User
	CSRF            string    `db:"csrf_token"`
	SessionCreated  time.Time `db:"session_created_at"`
	SessionLastSeen time.Time `db:"session_last_seen_at"`
	SessionExpires  time.Time `db:"session_expires_at"`
}

// Lookup finds the live session of a cookie token and marks it used. An
// unknown, ended, idle or too old session, or a disabled user, is ErrNoSession.
func (s *Store) Lookup(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, ErrNoSession
	}
	now := s.now()
	h := hashToken(token)
	var r sessionRow
	stmt, err := s.lookupStmt.Get(ctx)
	if err != nil {
		return Session{}, fmt.Errorf("auth: lookup: %w", err)
	}
	err = stmt.GetContext(ctx, &r, h, now, now.Add(-s.cfg.IdleTimeout))
	if err != nil {
		return Session{}, fmt.Errorf("auth: lookup: %w", pg.NotFound(err, ErrNoSession))
	}
	// Writing on every request would be wasteful: touch at most every so often.
	touch := min(time.Minute, s.cfg.IdleTimeout/4)
	if now.Sub(r.SessionLastSeen) >= touch {
		if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1`, h, now); err != nil {
			return Session{}, fmt.Errorf("auth: touch session: %w", err)
		}
	}
	return Session{User: r.User, CSRF: r.CSRF, CreatedAt: r.SessionCreated, ExpiresAt: r.SessionExpires}, nil
}

// lookupSQL finds a live session of an enabled user by the hash of its token.
const lookupSQL = `
	SELECT u.*, s.csrf_token, s.created_at AS session_created_at,
	       s.last_seen_at AS session_last_seen_at, s.expires_at AS session_expires_at
	FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.disabled_at IS NULL`

// End ends the session of token (signing out) and records it.
func (s *Store) End(ctx context.Context, a audit.Actor, token string) error {
	return pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var userID int64
		err := tx.GetContext(ctx, &userID, `DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id`, hashToken(token))
		if err != nil {
			return fmt.Errorf("auth: end session: %w", pg.NotFound(err, ErrNoSession))
		}
		return audit.Record(ctx, tx, a, "auth.sign_out", userObject(userID), "")
	})
}

// EndAll ends every session of user id and returns how many there were.
func (s *Store) EndAll(ctx context.Context, a audit.Actor, userID int64) (int, error) {
	var n int64
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		if err != nil {
			return fmt.Errorf("auth: end sessions of %d: %w", userID, err)
		}
		n, _ = res.RowsAffected()
		return audit.RecordDetails(ctx, tx, a, "auth.end_sessions", userObject(userID), fmt.Sprintf("%d sessions ended", n),
			audit.Details{"count": strconv.FormatInt(n, 10)})
	})
	return int(n), err
}

// Count is how many live sessions user id has.
func (s *Store) Count(ctx context.Context, userID int64) (int, error) {
	now := s.now()
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM sessions WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3`,
		userID, now, now.Add(-s.cfg.IdleTimeout))
	if err != nil {
		return 0, fmt.Errorf("auth: count sessions: %w", err)
	}
	return n, nil
}

func userObject(id int64) string { return fmt.Sprintf("user:%d", id) }

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
