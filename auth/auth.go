// Package auth signs people in and keeps their sessions: server-side rows in
// PostgreSQL found by the SHA-256 of a random cookie token, ended by sign-out,
// by an administrator, by idle time or by age. Failed sign-ins are throttled
// per login and per client address, with a temporary lock after too many.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
	"hawker/users"
)

// Errors of this package.
var (
	// ErrBadCredentials covers an unknown login, a wrong password or PIN and a
	// disabled account alike, so that a guesser learns nothing.
	ErrBadCredentials = errors.New("auth: wrong login or password")
	ErrLocked         = errors.New("auth: too many failed sign-ins")
	ErrNoSession      = errors.New("auth: no session, or it has ended")
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
	MaxFailures     int           // failures per login in the window before the lock (default 10)
	MaxIPFailures   int           // failures per client address in the window (default 50: offices share one)
	Now             func() time.Time
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
	return s.signIn(ctx, login, ip, "password", func(u users.User) (bool, error) {
		return users.CheckPassword(u.PasswordHash, password)
	})
}

// SignInPIN checks a vendor's login and 6-digit PIN and starts a session.
func (s *Store) SignInPIN(ctx context.Context, login, pin, ip string) (Session, error) {
	return s.signIn(ctx, login, ip, "pin", func(u users.User) (bool, error) {
		if u.Role != users.Vendor || u.PINHash == nil {
			return false, nil
		}
		return users.CheckPassword(*u.PINHash, pin)
	})
}

// dummyHash is checked against when the login is unknown, so that an
// unknown login takes as long to refuse as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := users.HashPassword("not a password")
	return h
})

func (s *Store) signIn(ctx context.Context, login, ip, method string, check func(users.User) (bool, error)) (Session, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	// No user has a longer login; only its start is kept, to count failures
	// (a long one would overflow the failures' index).
	tooLong := utf8.RuneCountInString(login) > users.MaxLogin
	if tooLong {
		login = string([]rune(login)[:users.MaxLogin])
	}
	now := s.now()
	if err := s.checkLock(ctx, login, ip, now); err != nil {
		return Session{}, err
	}
	u, err := users.User{}, users.ErrNotFound
	if !tooLong {
		u, err = users.NewStore(s.db).ByLogin(ctx, login)
	}
	switch {
	case errors.Is(err, users.ErrNotFound):
		users.CheckPassword(dummyHash(), "x")
		return Session{}, s.fail(ctx, login, ip, nil, now)
	case err != nil:
		return Session{}, fmt.Errorf("auth: sign in: %w", err)
	}
	ok, err := check(u)
	if err != nil {
		return Session{}, fmt.Errorf("auth: sign in %s: %w", login, err)
	}
	if !ok || u.DisabledAt != nil {
		return Session{}, s.fail(ctx, login, ip, &u, now)
	}
	var sess Session
	err = pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE login = $1`, login); err != nil {
			return fmt.Errorf("auth: clear failures: %w", err)
		}
		var err error
		if sess, err = s.start(ctx, tx, u, ip, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Actor{UserID: u.ID, Role: string(u.Role), IP: ip}, "auth.sign_in", userObject(u.ID), "method="+method)
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Renew starts a fresh session for u without credentials, after a change
// (a new password) that ended the old ones.
func (s *Store) Renew(ctx context.Context, u users.User, ip string) (Session, error) {
	var sess Session
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if sess, err = s.start(ctx, tx, u, ip, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Actor{UserID: u.ID, Role: string(u.Role), IP: ip}, "auth.renew", userObject(u.ID), "")
	})
	return sess, err
}

func (s *Store) start(ctx context.Context, tx *sqlx.Tx, u users.User, ip string, now time.Time) (Session, error) {
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
		INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip)
		VALUES ($1, $2, $3, $4, $4, $5, $6)`, hashToken(token), u.ID, csrf, now, sess.ExpiresAt, ip)
	if err != nil {
		return Session{}, fmt.Errorf("auth: start session: %w", err)
	}
	return sess, nil
}

// checkLock refuses a sign-in while the login or the address has too many
// recent failures. The lock lifts when the oldest counted failure ages out.
func (s *Store) checkLock(ctx context.Context, login, ip string, now time.Time) error {
	since := now.Add(-s.cfg.FailureWindow)
	for _, q := range []struct {
		col, val string
		max      int
	}{{"login", login, s.cfg.MaxFailures}, {"ip", ip, s.cfg.MaxIPFailures}} {
		// The max-th most recent failure in the window, if there is one.
		var at []time.Time
		err := s.db.SelectContext(ctx, &at, `SELECT at FROM login_failures WHERE `+q.col+` = $1 AND at > $2
			ORDER BY at DESC OFFSET $3 LIMIT 1`, q.val, since, q.max-1)
		if err != nil {
			return fmt.Errorf("auth: check lock: %w", err)
		}
		if len(at) > 0 {
			return &LockedError{Until: at[0].Add(s.cfg.FailureWindow)}
		}
	}
	return nil
}

// fail records a failed sign-in and returns ErrBadCredentials. The failure
// that reaches the limit is written to the audit trail as a lock.
func (s *Store) fail(ctx context.Context, login, ip string, u *users.User, now time.Time) error {
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at <= $1`, now.Add(-s.cfg.FailureWindow)); err != nil {
			return fmt.Errorf("auth: prune failures: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (login, ip, at) VALUES ($1, $2, $3)`, login, ip, now); err != nil {
			return fmt.Errorf("auth: record failure: %w", err)
		}
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM login_failures WHERE login = $1`, login); err != nil {
			return fmt.Errorf("auth: count failures: %w", err)
		}
		if n != s.cfg.MaxFailures {
			return nil
		}
		object := "login:" + login
		if u != nil {
			object = userObject(u.ID)
		}
		return audit.Record(ctx, tx, audit.Actor{IP: ip}, "auth.lock", object, fmt.Sprintf("%d failed sign-ins", n))
	})
	if err != nil {
		return err
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
		return audit.Record(ctx, tx, a, "auth.end_sessions", userObject(userID), fmt.Sprintf("%d sessions ended", n))
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
