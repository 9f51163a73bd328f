// Package demo fills an empty database with a lived-in demo programme, so
// that `make run` shows Hawker at work. Each capability adds its own step.
//
// It owns no table: every step goes through the stores of the packages it
// seeds (participants, training, users, donors, vendors, grants, ledger), so the
// demo obeys the same rules as the pages.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/participants"
	"hawker/users"
)

// ErrNotEmpty means the database already holds a programme.
var ErrNotEmpty = errors.New("demo: the database already holds participants; seed only an empty database")

// Options shape the demo.
type Options struct {
	Password string    // every demo login's password
	Now      time.Time // "today" for the demo's history
}

// Login is one demo account to print.
type Login struct {
	Login string
	Role  users.Role
	Name  string
}

// Seed loads the demo programme and returns the logins it created.
func Seed(ctx context.Context, db *sqlx.DB, o Options) ([]Login, error) {
	n, err := participants.NewStore(db).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: check empty: %w", err)
	}
	if n > 0 {
		return nil, ErrNotEmpty
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	s := &seeder{db: db, o: o}
	for _, step := range []func(context.Context) error{
		s.staff,
		s.donor,
		s.participants,
		s.vendorBooks,
		s.grants,
		s.impactGrants,
		s.statements,
		s.deliveries,
	} {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return s.logins, nil
}

type seeder struct {
	db     *sqlx.DB
	o      Options
	logins []Login
}

func (s *seeder) addUser(ctx context.Context, n users.New) (users.User, error) {
	n.Password = s.o.Password
	u, err := users.NewStore(s.db).Add(ctx, n)
	if err != nil {
		return u, fmt.Errorf("demo: user %s: %w", n.Login, err)
	}
	s.logins = append(s.logins, Login{Login: u.Login, Role: u.Role, Name: u.Name})
	return u, nil
}

// staff creates the programme's staff accounts.
func (s *seeder) staff(ctx context.Context) error {
	for _, n := range []users.New{
		{Login: "admin", Name: "ผู้ดูแลระบบ (Admin)", Role: users.Admin},
		{Login: "officer", Name: "สมศรี ใจดี", Role: users.Officer},
		{Login: "officer2", Name: "วิภา แสงทอง", Role: users.Officer},
		{Login: "manager", Name: "ประภาพร วงศ์ไทย", Role: users.Manager},
	} {
		if _, err := s.addUser(ctx, n); err != nil {
			return err
		}
	}
	return nil
}
