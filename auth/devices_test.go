package auth_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/auth"
	"hawker/participants"
	"hawker/pg/pgtest"
	"hawker/users"
	"hawker/valid"
)

// phoneSetup is a store with tight limits, an officer and a vendor created
// by an administrator (so with a one-time password outstanding).
func phoneSetup(t *testing.T) (*auth.Store, *sqlx.DB, users.User, users.User, string, *clock) {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	c := &clock{now: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	s := auth.NewStore(db, auth.Config{MaxFailures: 3, BackoffAfter: 100, Now: c.Now})
	us := users.NewStore(db)
	officer, err := us.Add(ctx, users.New{Login: "officer", Role: users.Officer, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	phone := "0812223333"
	p, err := participants.NewStore(db).Enrol(ctx, audit.System, participants.Participant{
		Name: "มาลี ใจดี", Phone: &phone, Province: "กรุงเทพมหานคร", District: "บางรัก",
		Cohort: "2569-1", EnrolledOn: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Language: "th",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	vendor, otp, err := us.Create(ctx, audit.System, users.New{Login: "malee", Name: p.Name, Role: users.Vendor, ParticipantID: &p.ID})
	if err != nil {
		t.Fatal(err)
	}
	return s, db, officer, vendor, otp, c
}

// TestPhoneLink: an officer's one-time link sets up a vendor's phone once:
// a weak PIN leaves it unused, a good one sets her PIN, retires her
// one-time password, gives the phone its token and starts a session; the
// link then answers "used". Links expire after LinkTTL, and a new one
// expires the one before. Only a vendor's phone is set up this way.
func TestPhoneLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db, officer, vendor, otp, c := phoneSetup(t)
	by := audit.Actor{UserID: officer.ID, Role: string(officer.Role), IP: "192.0.2.9"}

	if _, err := s.CreateLink(ctx, by, officer); !errors.Is(err, auth.ErrNotVendor) {
		t.Fatalf("a link for an officer: %v", err)
	}
	first, err := s.CreateLink(ctx, by, vendor)
	if err != nil || len(first.Token) != auth.LinkLen || !first.ExpiresAt.Equal(c.Now().Add(auth.LinkTTL)) {
		t.Fatalf("link %+v, %v", first, err)
	}
	link, err := s.CreateLink(ctx, by, vendor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckLink(ctx, first.Token, "192.0.2.1"); !errors.Is(err, auth.ErrLinkExpired) {
		t.Fatalf("the earlier link after a new one: %v", err)
	}
	if u, err := s.CheckLink(ctx, link.Token, "192.0.2.1"); err != nil || u.ID != vendor.ID {
		t.Fatalf("check: %+v, %v", u, err)
	}

	// A weak PIN, or two that differ: the link stays unused.
	for _, c := range []struct{ pin, confirm, field string }{
		{"123456", "123456", "pin"},
		{"12345", "12345", "pin"},
		{"240817", "240871", "pin_confirm"},
	} {
		_, _, err := s.UseLink(ctx, auth.PhoneSetup{Token: link.Token, PIN: c.pin, Confirm: c.confirm, IP: "192.0.2.1"})
		var fields valid.Errors
		if !errors.As(err, &fields) || fields[c.field] == "" {
			t.Fatalf("PIN %s/%s: %v, want an error on %s", c.pin, c.confirm, err, c.field)
		}
	}
	sess, device, err := s.UseLink(ctx, auth.PhoneSetup{Token: link.Token, PIN: "240817", Confirm: "240817", Label: "Chrome on Android", IP: "192.0.2.1"})
	if err != nil || sess.User.ID != vendor.ID || len(device) < 40 {
		t.Fatalf("use: %+v %q %v", sess, device, err)
	}
	if got, err := s.Lookup(ctx, sess.Token); err != nil || got.User.MustChangePassword {
		t.Fatalf("her session: %+v, %v", got, err)
	}
	// Her one-time password no longer signs anyone in; her PIN does.
	if _, err := s.SignIn(ctx, "malee", otp, "192.0.2.2"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("the retired one-time password: %v", err)
	}
	if _, err := s.SignInPIN(ctx, "malee", "240817", "192.0.2.2"); err != nil {
		t.Fatalf("her new PIN: %v", err)
	}
	// Spent: a second use, or a look, says so.
	if _, _, err := s.UseLink(ctx, auth.PhoneSetup{Token: link.Token, PIN: "240817", Confirm: "240817", IP: "192.0.2.1"}); !errors.Is(err, auth.ErrLinkUsed) {
		t.Fatalf("second use: %v", err)
	}
	if _, err := s.CheckLink(ctx, link.Token, "192.0.2.3"); !errors.Is(err, auth.ErrLinkUsed) {
		t.Fatalf("a used link: %v", err)
	}
	// Expiry.
	late, err := s.CreateLink(ctx, by, vendor)
	if err != nil {
		t.Fatal(err)
	}
	c.Add(auth.LinkTTL)
	if _, _, err := s.UseLink(ctx, auth.PhoneSetup{Token: late.Token, PIN: "240817", Confirm: "240817", IP: "192.0.2.4"}); !errors.Is(err, auth.ErrLinkExpired) {
		t.Fatalf("an expired link: %v", err)
	}

	var actions []string
	if err := db.Select(&actions, `SELECT action FROM audit_log WHERE object = $1 ORDER BY id`, "user:"+itoa(vendor.ID)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"auth.device_link.create", "user.set_pin", "auth.device_link.use", "auth.device.add", "auth.sign_in"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit of her account %v lacks %s", actions, want)
		}
	}
}

// TestPhoneRemembers: a set-up phone signs her in with her PIN alone,
// under the sign-in limits (wrong PINs lock, as with her login); revoking
// it ends its session and it signs no one in again. Guesses at links are
// counted and locked like sign-ins.
func TestPhoneRemembers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, officer, vendor, _, _ := phoneSetup(t)
	by := audit.Actor{UserID: officer.ID, Role: string(officer.Role), IP: "192.0.2.9"}
	link, err := s.CreateLink(ctx, by, vendor)
	if err != nil {
		t.Fatal(err)
	}
	first, device, err := s.UseLink(ctx, auth.PhoneSetup{Token: link.Token, PIN: "240817", Confirm: "240817", IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := s.DeviceUser(ctx, device); err != nil || u.ID != vendor.ID {
		t.Fatalf("the phone remembers %+v, %v", u, err)
	}
	if _, err := s.DeviceUser(ctx, device+"x"); !errors.Is(err, auth.ErrNoDevice) {
		t.Fatalf("an unknown device: %v", err)
	}
	sess, err := s.SignInDevice(ctx, device, "240817", "192.0.2.1")
	if err != nil || sess.User.ID != vendor.ID {
		t.Fatalf("PIN on her phone: %+v, %v", sess, err)
	}
	// Wrong PINs count against her login from this address: the third locks.
	for i := 0; i < 3; i++ {
		if _, err := s.SignInDevice(ctx, device, "999111", "192.0.2.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("wrong PIN %d: %v", i+1, err)
		}
	}
	var locked *auth.LockedError
	if _, err := s.SignInDevice(ctx, device, "240817", "192.0.2.1"); !errors.As(err, &locked) {
		t.Fatalf("after 3 wrong PINs: %v, want a lock", err)
	}

	ds, err := s.Devices(ctx, vendor.ID)
	if err != nil || len(ds) != 1 || ds[0].Revoked() || ds[0].LastUsedAt == nil {
		t.Fatalf("her phones: %+v, %v", ds, err)
	}
	if err := s.RevokeDevice(ctx, by, officer.ID, ds[0].ID); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("revoking under another user: %v", err)
	}
	if err := s.RevokeDevice(ctx, by, vendor.ID, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{first.Token, sess.Token} {
		if _, err := s.Lookup(ctx, token); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("a session of the revoked phone: %v", err)
		}
	}
	if _, err := s.DeviceUser(ctx, device); !errors.Is(err, auth.ErrNoDevice) {
		t.Fatalf("the revoked phone remembers: %v", err)
	}
	if _, err := s.SignInDevice(ctx, device, "240817", "192.0.2.5"); !errors.Is(err, auth.ErrNoDevice) {
		t.Fatalf("the revoked phone signs in: %v", err)
	}
	if ds, _ := s.Devices(ctx, vendor.ID); len(ds) != 1 || !ds[0].Revoked() {
		t.Fatalf("after revoking: %+v", ds)
	}

	// Guessing links: each unknown token is a failed attempt.
	for i := 0; i < 3; i++ {
		if _, err := s.CheckLink(ctx, "guess"+itoa(int64(i)), "198.51.100.7"); !errors.Is(err, auth.ErrLinkUnknown) {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	if _, err := s.CheckLink(ctx, "guess", "198.51.100.7"); !errors.As(err, &locked) {
		t.Fatalf("a fourth guess: %v, want a lock", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
