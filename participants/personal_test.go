package participants_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/participants"
	"hawker/users"
	"hawker/vendors"
)

// TestPersonalDataHolders: her export carries what every holder keeps
// about her, and her erasure reaches each of them, through the hooks alone
// (this package names none of their tables).
func TestPersonalDataHolders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	us, vs := users.NewStore(f.db), vendors.NewStore(f.db)
	store := participants.NewStore(f.db, us, vs)
	pt := f.enrol(t, "0861234567")
	if _, err := us.Add(ctx, users.New{Login: "malee", Name: "มาลี ศรีสุข", Role: users.Vendor, Password: "password-123", ParticipantID: &pt.ID}); err != nil {
		t.Fatal(err)
	}
	id, err := vendors.ParsePromptPayID("1-1017-00207-02-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := vs.SetPromptPay(ctx, f.officer, pt.ID, pt.Code, id); err != nil {
		t.Fatal(err)
	}

	export := func() map[string]json.RawMessage {
		t.Helper()
		x, err := store.Export(ctx, f.officer, pt.Code, time.Now(), today)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("export is not one JSON object: %v\n%s", err, b)
		}
		return doc
	}
	doc := export()
	for key, want := range map[string]string{
		"logins":    `"login":"malee"`,
		"promptpay": `{"kind":"national_id","value":"1101700207021"}`,
		"books":     `[]`,
		"consents":  `[]`,
	} {
		if !strings.Contains(string(doc[key]), want) {
			t.Errorf("export's %s = %s, want it to hold %s", key, doc[key], want)
		}
	}

	if _, err := store.Erase(ctx, f.manager, pt); err != nil {
		t.Fatal(err)
	}
	doc = export()
	if string(doc["promptpay"]) != "null" || !strings.Contains(string(doc["logins"]), `"login":"malee"`) {
		t.Errorf("after erasure: promptpay %s, logins %s; want null and the login kept", doc["promptpay"], doc["logins"])
	}
	if u, err := us.ByLogin(ctx, "malee"); err != nil || u.Name != "" {
		t.Errorf("the login's display name after erasure: %q (%v)", u.Name, err)
	}
	if _, err := vs.PromptPay(ctx, pt.ID); !errors.Is(err, vendors.ErrNotFound) {
		t.Errorf("PromptPay id after erasure: %v", err)
	}
	if err := vs.SetPromptPay(ctx, f.officer, pt.ID, pt.Code, id); !errors.Is(err, vendors.ErrErased) {
		t.Errorf("PromptPay id saved on an erased file: %v", err)
	}
	events, err := audit.List(ctx, f.db, audit.Filter{Object: pt.Object(), Action: "participant.erase"})
	if err != nil || len(events) != 1 {
		t.Fatalf("erase events: %+v %v", events, err)
	}
	if got, want := events[0].Summary, "name, nickname, phone, login display name and PromptPay id erased"; got != want {
		t.Errorf("audit summary %q, want %q", got, want)
	}
}

// failing is a holder whose erasure fails, as a package's would on a
// broken database: the whole erasure must then be undone.
type failing struct{ participants.PersonalData }

func (failing) ErasePersonal(context.Context, *sqlx.Tx, int64) (string, error) {
	return "", errors.New("bank details: disk full")
}

// TestEraseIsAllOrNothing: when one holder cannot erase, nothing is
// erased, neither her file nor another holder's data.
func TestEraseIsAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	us, vs := users.NewStore(f.db), vendors.NewStore(f.db)
	store := participants.NewStore(f.db, us, vs, failing{us})
	pt := f.enrol(t, "0861234568")
	id, _ := vendors.ParsePromptPayID("0861234568")
	if err := vs.SetPromptPay(ctx, f.officer, pt.ID, pt.Code, id); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Erase(ctx, f.manager, pt); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("erase with a failing holder: %v", err)
	}
	if p, err := store.ByCode(ctx, pt.Code); err != nil || p.Erased() || p.Name == "" {
		t.Errorf("her file after a failed erasure: %+v %v", p, err)
	}
	if got, err := vs.PromptPay(ctx, pt.ID); err != nil || got != id {
		t.Errorf("PromptPay id after a failed erasure: %+v %v", got, err)
	}
}

// clash is a holder that fills a section this package already writes.
type clash struct{ participants.PersonalData }

func (clash) ExportPersonal(context.Context, *sqlx.Tx, int64) (map[string]any, error) {
	return map[string]any{"participant": "someone else"}, nil
}

// TestExportRefusesAClash: no holder overwrites another's part of the export.
func TestExportRefusesAClash(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	us := users.NewStore(f.db)
	pt := f.enrol(t, "0861234569")
	for name, store := range map[string]*participants.Store{
		"a section of the file": participants.NewStore(f.db, clash{us}),
		"one holder's twice":    participants.NewStore(f.db, us, us),
	} {
		if _, err := store.Export(context.Background(), f.officer, pt.Code, time.Now(), today); err == nil {
			t.Errorf("%s: export with two writers of one section succeeded", name)
		}
	}
}
