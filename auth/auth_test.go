package auth_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"hawker/audit"
	"hawker/auth"
	"hawker/pg/pgtest"
	"hawker/users"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

const password = "long enough 42"

func setup(t *testing.T) (*auth.Store, *users.Store, users.User, *clock) {
	t.Helper()
	db := pgtest.New(t)
	c := &clock{now: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	s := auth.NewStore(db, auth.Config{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 2 * time.Hour, Now: c.Now})
	us := users.NewStore(db)
	u, err := us.Add(context.Background(), users.New{Login: "somsri", Role: users.Officer, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return s, us, u, c
}

func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	s, us, u, c := setup(t)
	ctx := context.Background()
	sess, err := s.SignIn(ctx, " SomSri ", password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if len(sess.Token) < 40 || sess.CSRF == "" || sess.User.ID != u.ID {
		t.Fatalf("session = %+v", sess)
	}
	got, err := s.Lookup(ctx, sess.Token)
	if err != nil || got.User.ID != u.ID || got.CSRF != sess.CSRF || got.Token != "" {
		t.Fatalf("lookup = %+v, %v", got, err)
	}
	if _, err := s.Lookup(ctx, sess.Token+"x"); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("unknown token: %v", err)
	}
	// Idle.
	c.Add(31 * time.Minute)
	if _, err := s.Lookup(ctx, sess.Token); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("idle session: %v", err)
	}
	// Absolute.
	sess, _ = s.SignIn(ctx, "somsri", password, "192.0.2.1")
	for i := 0; i < 4; i++ {
		c.Add(29 * time.Minute)
		if _, err := s.Lookup(ctx, sess.Token); err != nil {
			t.Fatalf("in use after %d min: %v", (i+1)*29, err)
		}
	}
	c.Add(5 * time.Minute) // 121 minutes
	if _, err := s.Lookup(ctx, sess.Token); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("past the absolute timeout: %v", err)
	}
	// End, end-all, and what the database ends by itself.
	a, _ := s.SignIn(ctx, "somsri", password, "192.0.2.1")
	if err := s.End(ctx, audit.Actor{UserID: u.ID}, a.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, a.Token); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("ended session: %v", err)
	}
	s.SignIn(ctx, "somsri", password, "192.0.2.1")
	s.SignIn(ctx, "somsri", password, "192.0.2.2")
	if n, err := s.EndAll(ctx, audit.System, u.ID); err != nil || n != 2 {
		t.Fatalf("end all: %d, %v", n, err)
	}
	b, _ := s.SignIn(ctx, "somsri", password, "192.0.2.1")
	if _, err := us.ResetPassword(ctx, audit.System, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, b.Token); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("session after a password reset: %v", err)
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	s, us, u, c := setup(t)
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		if _, err := s.SignIn(ctx, "somsri", "wrong", "192.0.2.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
		c.Add(70 * time.Second) // past the back-off (64 s at most here)
	}
	_, err := s.SignIn(ctx, "somsri", password, "192.0.2.1")
	var locked *auth.LockedError
	if !errors.As(err, &locked) || !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("11th attempt: %v", err)
	}
	if want := c.Now().Add(-10 * 70 * time.Second).Add(15 * time.Minute); !locked.Until.Equal(want) {
		t.Fatalf("locked until %v, want %v", locked.Until, want)
	}
	// Only that login from that address is locked: its owner elsewhere
	// signs in, so a stranger cannot lock her out.
	if _, err := s.SignIn(ctx, "somsri", password, "192.0.2.7"); err != nil {
		t.Fatalf("the owner from another address: %v", err)
	}
	c.Add(15 * time.Minute)
	if _, err := s.SignIn(ctx, "somsri", password, "192.0.2.1"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// A disabled account and an unknown login are just bad credentials.
	if err := us.Disable(ctx, audit.System, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "somsri", password, "192.0.2.1"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("disabled: %v", err)
	}
	if _, err := s.SignIn(ctx, "nobody", password, "192.0.2.1"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("unknown: %v", err)
	}
}

// TestBackoff: after three failures of a pair, each further attempt waits
// twice as long as the one before.
func TestBackoff(t *testing.T) {
	t.Parallel()
	s, _, _, c := setup(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := s.SignIn(ctx, "somsri", "wrong", "192.0.2.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	for _, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		_, err := s.SignIn(ctx, "somsri", password, "192.0.2.1")
		var locked *auth.LockedError
		if !errors.As(err, &locked) || !locked.Until.Equal(c.Now().Add(wait)) {
			t.Fatalf("before %v: %v", wait, err)
		}
		c.Add(wait)
		if _, err := s.SignIn(ctx, "somsri", "wrong", "192.0.2.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("after %v: %v", wait, err)
		}
	}
}

// TestParallelAttemptsAreCounted: a hundred wrong attempts at once for one
// login from one address; no more than the limit reach the secret, the rest
// are refused as locked.
func TestParallelAttemptsAreCounted(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	// No back-off, so that the limit alone is what holds.
	s := auth.NewStore(db, auth.Config{BackoffAfter: 10})
	us := users.NewStore(db)
	if _, err := us.Add(ctx, users.New{Login: "somsri", Role: users.Officer, Password: password}); err != nil {
		t.Fatal(err)
	}
	before := users.HashRuns()
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string]int{}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.SignIn(ctx, "somsri", "wrong", "192.0.2.1")
			kind := "other: " + fmt.Sprint(err)
			switch {
			case errors.Is(err, auth.ErrBadCredentials):
				kind = "bad"
			case errors.Is(err, auth.ErrLocked):
				kind = "locked"
			case errors.Is(err, users.ErrBusy):
				kind = "busy"
			}
			mu.Lock()
			got[kind]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	// On a loaded machine an attempt may wait too long for a hash slot and
	// be answered busy, unchecked and not counted as a failure: the limit
	// then lets one more through, still never more than 10 checked.
	checked := users.HashRuns() - before
	t.Logf("outcomes %v, %d secrets checked", got, checked)
	if got["bad"] > 10 || checked > 10 || got["bad"]+got["locked"]+got["busy"] != 100 || got["locked"]+got["busy"] < 90 {
		t.Fatalf("outcomes %v with %d secrets checked; want at most 10 checked, the rest locked", got, checked)
	}
	// An attempt answered busy was not a failure, so the login locks at
	// the tenth failure it did count: make up the difference one by one.
	for failures, tries := got["bad"], 0; failures < 10; tries++ {
		_, err := s.SignIn(ctx, "somsri", "wrong", "192.0.2.1")
		switch {
		case errors.Is(err, auth.ErrBadCredentials):
			failures++
		case errors.Is(err, users.ErrBusy) && tries < 20:
		default:
			t.Fatalf("failure %d after the flood: %v", failures+1, err)
		}
	}
	// And the right password, now, is refused too.
	if _, err := s.SignIn(ctx, "somsri", password, "192.0.2.1"); !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("after the flood: %v", err)
	}
}

// TestPINSignInCostsTheSame: every PIN sign-in runs exactly one argon2id
// check, whether the login is a vendor's, a staff member's or unknown, so
// that its time tells nothing about which logins exist.
func TestPINSignInCostsTheSame(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	s := auth.NewStore(db, auth.Config{})
	if _, err := users.NewStore(db).Add(ctx, users.New{Login: "somsri", Role: users.Officer, Password: password}); err != nil {
		t.Fatal(err)
	}
	s.SignInPIN(ctx, "nobody", "000000", "192.0.2.99") // makes the stand-in hash once
	for i, login := range []string{"somsri", "nobody", "somsri", "nobody"} {
		before := users.HashRuns()
		if _, err := s.SignInPIN(ctx, login, "482916", fmt.Sprintf("192.0.2.%d", i)); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("%s: %v", login, err)
		}
		if n := users.HashRuns() - before; n != 1 {
			t.Errorf("PIN sign-in as %s ran %d argon2id checks, want 1", login, n)
		}
	}
}
