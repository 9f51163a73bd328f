// Package users owns Hawker's user accounts: who may sign in, with which role,
// and the password hashes (argon2id; never stored or logged in clear).
//
// It owns the users table. A vendor's account is tied to her participant
// file by id; the account's part of her export and erasure is its
// PersonalData hook (personal.go). It imports audit, pg and valid.
package users

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"hawker/pg"
	"hawker/valid"
)

// Role is what a user does in the programme.
type Role string

// The roles, one each per user.
const (
	Admin   Role = "admin"
	Officer Role = "officer"
	Manager Role = "manager"
	Donor   Role = "donor"
	Vendor  Role = "vendor"
)

// Roles lists every role.
var Roles = []Role{Admin, Officer, Manager, Donor, Vendor}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Errors of this package.
var (
	ErrNotFound   = valid.NewError("users: not found", "error.not_found")
	ErrLoginTaken = valid.NewError("users: login already taken", "user.login_taken")
	// ErrSelf refuses an administrator disabling their own account.
	ErrSelf = valid.NewError("users: an administrator cannot disable their own account", "user.cannot_disable_self")
)

// User is one account.
type User struct {
	ID            int64      `db:"id"`
	Login         string     `db:"login"`
	Name          string     `db:"name"`
	Role          Role       `db:"role"`
	PasswordHash  string     `db:"password_hash"`
	ParticipantID *int64     `db:"participant_id"`
	DonorID       *int64     `db:"donor_id"`
	Language      string     `db:"language"`
	DisabledAt    *time.Time `db:"disabled_at"`
	CreatedAt     time.Time  `db:"created_at"`
	// MustChangePassword is set while the password is a one-time one
	// (after creation by an administrator or a reset).
	MustChangePassword bool    `db:"must_change_password"`
	PINHash            *string `db:"pin_hash"` // vendors only; nil when no PIN is set
}

// New is what creating a user needs.
type New struct {
	Login         string
	Name          string
	Role          Role
	Password      string
	ParticipantID *int64
	DonorID       *int64
	Language      string
	oneTime       bool // Password is a one-time one (Create)
}

// MaxLogin is the longest login a user can have (loginPattern).
const MaxLogin = 64

var loginPattern = regexp.MustCompile(`^[a-z0-9._-]{3,` + strconv.Itoa(MaxLogin) + `}$`)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

// Validate checks a new user's fields.
func (n New) Validate() error {
	errs := valid.Errors{}
	if !loginPattern.MatchString(n.Login) {
		errs.Add("login", "user.login_invalid")
	}
	if !n.Role.Valid() {
		errs.Add("role", "user.role_invalid")
	}
	if utf8.RuneCountInString(n.Password) < MinPasswordLen {
		errs.Add("password", "user.password_short")
	}
	if n.Role == Vendor && n.ParticipantID == nil {
		errs.Add("participant", "user.vendor_needs_participant")
	}
	if n.Role != Vendor && n.ParticipantID != nil {
		errs.Add("participant", "user.participant_only_vendor")
	}
	if n.Role == Donor && n.DonorID == nil {
		errs.Add("donor", "user.donor_needs_donor")
	}
	if n.Role != Donor && n.DonorID != nil {
		errs.Add("donor", "user.donor_only_donor")
	}
	if n.Language != "" && n.Language != "th" && n.Language != "en" {
		errs.Add("language", "user.language_invalid")
	}
	return errs.Err()
}

// Store reads and writes users.
type Store struct{ db *sqlx.DB }

// NewStore returns a Store on db.
func NewStore(db *sqlx.DB) *Store { return &Store{db: db} }

// Add creates a user after validating it.
func (s *Store) Add(ctx context.Context, n New) (User, error) {
	var u User
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		u, err = AddTx(ctx, tx, n)
		return err
	})
	return u, err
}

// AddTx creates a user inside the caller's transaction.
func AddTx(ctx context.Context, tx *sqlx.Tx, n New) (User, error) {
	if err := n.Validate(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	if n.Language == "" {
		n.Language = "th"
	}
	var u User
	err = tx.GetContext(ctx, &u, `
		INSERT INTO users (login, name, role, password_hash, participant_id, donor_id, language, must_change_password)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		RETURNING *`, n.Login, n.Name, n.Role, hash, n.ParticipantID, n.DonorID, n.Language, n.oneTime)
	if pg.IsUnique(err, "users_login_key") {
		return User{}, fmt.Errorf("users: add %s: %w", n.Login, ErrLoginTaken)
	}
	if err := linkError(err); err != nil {
		return User{}, fmt.Errorf("users: add %s: %w", n.Login, err)
	}
	if err != nil {
		return User{}, fmt.Errorf("users: add %s: %w", n.Login, err)
	}
	return u, nil
}

// ByLogin finds a user by login, case-insensitively.
func (s *Store) ByLogin(ctx context.Context, login string) (User, error) {
	var u User
	err := s.db.GetContext(ctx, &u, `SELECT * FROM users WHERE lower(login) = lower($1)`, login)
	if err != nil {
		return User{}, fmt.Errorf("users: by login: %w", pg.NotFound(err, ErrNotFound))
	}
	return u, nil
}

// ByID finds a user by id.
func (s *Store) ByID(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.db.GetContext(ctx, &u, `SELECT * FROM users WHERE id = $1`, id)
	if err != nil {
		return User{}, fmt.Errorf("users: by id: %w", pg.NotFound(err, ErrNotFound))
	}
	return u, nil
}
