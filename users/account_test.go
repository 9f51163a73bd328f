package users_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"hawker/audit"
	"hawker/pg/pgtest"
	"hawker/users"
	"hawker/valid"
)

func TestOneTimePassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		p, err := users.OneTimePassword()
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$`).MatchString(p) || seen[p] {
			t.Fatalf("one-time password %q", p)
		}
		seen[p] = true
	}
}

func TestValidatePIN(t *testing.T) {
	for pin, want := range map[string]string{
		"482916": "", "000001": "", "12345": "user.pin_invalid", "1234567": "user.pin_invalid", "12a456": "user.pin_invalid",
		"123456": "user.pin_weak", "987654": "user.pin_weak", "555555": "user.pin_weak",
	} {
		err := users.ValidatePIN(pin)
		var fields valid.Errors
		got := ""
		if errors.As(err, &fields) {
			got = fields["pin"]
		}
		if got != want {
			t.Errorf("PIN %q: %q, want %q", pin, got, want)
		}
	}
}

func fieldErr(err error, field string) string {
	var fields valid.Errors
	if errors.As(err, &fields) {
		return fields[field]
	}
	return ""
}

func TestAccountChanges(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := users.NewStore(db)
	admin, err := s.Add(ctx, users.New{Login: "admin", Role: users.Admin, Password: "admin password"})
	if err != nil {
		t.Fatal(err)
	}
	a := audit.Actor{UserID: admin.ID, Role: "admin"}
	u, otp, err := s.Create(ctx, a, users.New{Login: "wipa", Role: users.Officer})
	if err != nil || !u.MustChangePassword {
		t.Fatalf("create: %+v, %v", u, err)
	}
	if ok, _ := users.CheckPassword(u.PasswordHash, otp); !ok {
		t.Fatal("the one-time password does not match")
	}
	if _, _, err := s.Create(ctx, a, users.New{Login: "WIPA2", Role: users.Vendor}); fieldErr(err, "participant") != "user.vendor_needs_participant" || fieldErr(err, "login") == "" {
		t.Fatalf("vendor without participant, upper-case login: %v", err)
	}
	if _, _, err := s.Create(ctx, a, users.New{Login: "wipa", Role: users.Officer}); !errors.Is(err, users.ErrLoginTaken) {
		t.Fatalf("taken: %v", err)
	}
	bad := int64(424242)
	if _, _, err := s.Create(ctx, a, users.New{Login: "ghost", Role: users.Donor, DonorID: &bad}); fieldErr(err, "donor") != "user.donor_unknown" {
		t.Fatalf("unknown donor: %v", err)
	}

	for _, tc := range []struct {
		p     users.PasswordChange
		field string
		key   string
	}{
		{users.PasswordChange{Current: otp, New: "short", Confirm: "short"}, "new", "user.password_short"},
		{users.PasswordChange{Current: otp, New: otp, Confirm: otp}, "new", "user.password_same"},
		{users.PasswordChange{Current: otp, New: "a new password", Confirm: "another"}, "confirm", "user.password_mismatch"},
	} {
		if err := s.ChangePassword(ctx, a, u.ID, tc.p); fieldErr(err, tc.field) != tc.key {
			t.Errorf("%+v: %v, want %s", tc.p, err, tc.key)
		}
	}
	if err := s.ChangePassword(ctx, a, u.ID, users.PasswordChange{Current: otp, New: "a new password", Confirm: "a new password"}); err != nil {
		t.Fatal(err)
	}
	u, _ = s.ByID(ctx, u.ID)
	if u.MustChangePassword {
		t.Fatal("must still change after changing")
	}
	if err := s.SetPIN(ctx, a, u.ID, "482916", "482916"); fieldErr(err, "pin") != "user.pin_only_vendor" {
		t.Fatalf("officer PIN: %v", err)
	}
	if err := s.SetLanguage(ctx, a, u.ID, "en"); err != nil {
		t.Fatal(err)
	}
	if err := s.Disable(ctx, a, admin.ID); !errors.Is(err, users.ErrSelf) {
		t.Fatalf("disable self: %v", err)
	}
	if err := s.Disable(ctx, a, 999999); !errors.Is(err, users.ErrNotFound) {
		t.Fatalf("disable nobody: %v", err)
	}
	if err := s.Disable(ctx, a, u.ID); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 2 || list[0].Login != "admin" || list[1].DisabledAt == nil || list[1].Language != "en" {
		t.Fatalf("list: %+v, %v", list, err)
	}
	// The database holds the links whatever the code does.
	if _, err := db.ExecContext(ctx, `INSERT INTO users (login, role, password_hash) VALUES ('v0', 'vendor', 'x')`); err == nil {
		t.Fatal("a vendor without a participant was stored")
	}
	if _, err := db.ExecContext(ctx, `UPDATE audit_log SET summary = '' WHERE true`); err == nil {
		t.Fatal("the audit trail was changed")
	}
	// Each change is recorded once; refusals are not changes.
	es, err := audit.List(ctx, db, audit.Filter{ActorID: admin.ID})
	var got []string
	for i := len(es) - 1; i >= 0; i-- {
		got = append(got, es[i].Action)
	}
	if want := "user.create user.change_password user.set_language user.disable"; err != nil || strings.Join(got, " ") != want {
		t.Fatalf("audit = %v, %v; want %s", got, err, want)
	}
}
