package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"hawker/participants"
)

// TestPersonalDataReachesEveryTable: every table that refers to a
// participant is answered for exactly once, by the participants package
// itself or by one holder wired into the application, so that a package
// adding personal data cannot forget to join her export and erasure.
func TestPersonalDataReachesEveryTable(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	var referring []string
	err := f.db.Select(&referring, `
		SELECT DISTINCT c.conrelid::regclass::text FROM pg_constraint c
		WHERE c.contype = 'f' AND c.confrelid = 'participants'::regclass
		UNION SELECT 'participants'`)
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string][]string{}
	for _, tbl := range participants.CoveredTables {
		claims[tbl] = append(claims[tbl], "participants")
	}
	for _, h := range f.s.personalData() {
		for _, tbl := range h.PersonalTables() {
			claims[tbl] = append(claims[tbl], fmt.Sprintf("%T", h))
		}
	}
	for _, tbl := range referring {
		if n := len(claims[tbl]); n != 1 {
			t.Errorf("table %s refers to participants and is answered for by %d packages %v; want exactly one (participants.PersonalData)", tbl, n, claims[tbl])
		}
	}
	var all []string
	if err := f.db.Select(&all, `SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()`); err != nil {
		t.Fatal(err)
	}
	for tbl := range claims {
		if !slices.Contains(all, tbl) {
			t.Errorf("a holder names table %s, which does not exist", tbl)
		}
	}
}

// TestExportAndEraseReachEveryHolder: the export served to staff carries
// every section each wired holder fills, and the erasure page reaches each
// holder, whose own sections then hold nothing that identifies her.
func TestExportAndEraseReachEveryHolder(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	code := f.participant["vendor"].Code
	v, o, m := f.as("vendor"), f.as("officer"), f.as("manager")
	if resp := v.form("/books/promptpay", url.Values{"promptpay": {"0812345678"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save promptpay: %d", resp.StatusCode)
	}
	sections := func() map[string]json.RawMessage {
		t.Helper()
		ctx := context.Background()
		tx, err := f.db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		all := map[string]json.RawMessage{}
		for _, h := range f.s.personalData() {
			secs, err := h.ExportPersonal(ctx, tx, f.participant["vendor"].ID)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range secs {
				all[k], _ = json.Marshal(v)
			}
		}
		return all
	}
	export := func() map[string]json.RawMessage {
		t.Helper()
		resp := o.do("GET", "/api/v1/participants/"+code+"/export", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export: %d", resp.StatusCode)
		}
		var x map[string]json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	held, x := sections(), export()
	if len(held) < 3 {
		t.Fatalf("the holders fill %d sections, want at least logins, promptpay and books", len(held))
	}
	for k, want := range held {
		if string(x[k]) != string(want) {
			t.Errorf("export's %s = %s, want the holder's %s", k, x[k], want)
		}
	}
	if resp := m.form("/participants/"+code+"/erase", url.Values{"confirm": {code}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("erase: %d", resp.StatusCode)
	}
	after := export()
	if u, err := f.s.users.ByID(context.Background(), f.users["vendor"].ID); err != nil || u.Name != "" {
		t.Errorf("her login's display name after erasure: %q (%v)", u.Name, err)
	}
	for _, who := range []string{"0812345678", f.users["vendor"].Name} {
		for k := range held {
			if strings.Contains(string(after[k]), who) {
				t.Errorf("after erasure the export's %s still holds %q: %s", k, who, after[k])
			}
		}
	}
}
