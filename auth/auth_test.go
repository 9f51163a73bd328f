package auth_test

import (
	"context"
	"errors"
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
		c.Add(time.Second)
	}
	_, err := s.SignIn(ctx, "somsri", password, "192.0.2.7")
	var locked *auth.LockedError
	if !errors.As(err, &locked) || !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("11th attempt: %v", err)
	}
	if want := c.Now().Add(-10 * time.Second).Add(15 * time.Minute); !locked.Until.Equal(want) {
		t.Fatalf("locked until %v, want %v", locked.Until, want)
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
