package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"hawker/audit"
	"hawker/auth"
	"hawker/participants"
	"hawker/users"
)

// TestErasureRevokesPhones: erasing a participant's file, through the
// participants store with this package wired in as a holder of her
// personal data, revokes the phone set up for her (it signs no one in and
// remembers no one), ends her sessions, spends her unused link and blanks
// the phone's label; her export then shows the phone revoked, unnamed.
func TestErasureRevokesPhones(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db, officer, vendor, _, _ := phoneSetup(t)
	by := audit.Actor{UserID: officer.ID, Role: string(officer.Role), IP: "192.0.2.9"}
	link, err := s.CreateLink(ctx, by, vendor)
	if err != nil {
		t.Fatal(err)
	}
	setup, device, err := s.UseLink(ctx, auth.PhoneSetup{Token: link.Token, PIN: "240817", Confirm: "240817", Label: "Chrome on Android", IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	byPIN, err := s.SignInDevice(ctx, device, "240817", "192.0.2.1")
	if err != nil {
		t.Fatalf("her phone before erasure: %v", err)
	}
	byPassword, err := s.SignInPIN(ctx, vendor.Login, "240817", "192.0.2.2")
	if err != nil {
		t.Fatalf("her PIN before erasure: %v", err)
	}
	unused, err := s.CreateLink(ctx, by, vendor)
	if err != nil {
		t.Fatal(err)
	}

	ps := participants.NewStore(db, users.NewStore(db), s)
	p, err := ps.ByID(ctx, *vendor.ParticipantID)
	if err != nil {
		t.Fatal(err)
	}
	export := func() string {
		t.Helper()
		x, err := ps.Export(ctx, by, p.Code, time.Now(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Phones []auth.PhoneDoc `json:"phones"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Phones) != 1 {
			t.Fatalf("export's phones: %s", b)
		}
		out, _ := json.Marshal(doc.Phones[0])
		return string(out)
	}
	if got := export(); !strings.Contains(got, "Chrome on Android") || !strings.Contains(got, `"revoked_at":null`) {
		t.Errorf("export's phone before erasure: %s", got)
	}

	if _, err := ps.Erase(ctx, by, p); err != nil {
		t.Fatal(err)
	}

	if _, err := s.SignInPIN(ctx, vendor.Login, "240817", "192.0.2.7"); err == nil {
		t.Error("her login still signs in with her PIN after erasure (it signed in before)")
	}
	if _, err := s.SignInDevice(ctx, device, "240817", "192.0.2.5"); !errors.Is(err, auth.ErrNoDevice) {
		t.Errorf("her phone signs in after erasure: %v, want ErrNoDevice", err)
	}
	if _, err := s.DeviceUser(ctx, device); !errors.Is(err, auth.ErrNoDevice) {
		t.Errorf("her phone remembers her after erasure: %v", err)
	}
	for name, tok := range map[string]string{"phone set-up": setup.Token, "phone PIN": byPIN.Token, "login PIN": byPassword.Token} {
		if _, err := s.Lookup(ctx, tok); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("her %s session after erasure: %v, want ended", name, err)
		}
	}
	if _, err := s.CheckLink(ctx, unused.Token, "192.0.2.6"); !errors.Is(err, auth.ErrLinkExpired) {
		t.Errorf("her unused link after erasure: %v, want expired", err)
	}
	ds, err := s.Devices(ctx, vendor.ID)
	if err != nil || len(ds) != 1 || !ds[0].Revoked() || ds[0].Label != "" {
		t.Errorf("her phones after erasure: %+v, %v", ds, err)
	}
	if got := export(); strings.Contains(got, "Chrome") || strings.Contains(got, `"revoked_at":null`) {
		t.Errorf("export's phone after erasure: %s", got)
	}
	var summary string
	if err := db.Get(&summary, `SELECT summary FROM audit_log WHERE action = 'participant.erase'`); err != nil || !strings.Contains(summary, "phone sign-ins") {
		t.Errorf("erasure's audit summary %q (%v) does not say the phones went", summary, err)
	}
}
