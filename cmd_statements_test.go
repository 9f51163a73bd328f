package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hawker/audit"
	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/pg/pgtest"
	"hawker/reports"
	"hawker/vendors"
)

// TestStatementsCommand writes a month's statements, resumes a killed run
// with only what is missing, reprints the same bytes and verifies a file.
func TestStatementsCommand(t *testing.T) {
	t.Parallel()
	db, url := pgtest.NewURL(t)
	ctx := context.Background()
	vs := vendors.NewStore(db)
	today := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	var codes []string
	for i := range 3 {
		phone := fmt.Sprintf("08%08d", 20000000+i)
		p, err := participants.NewStore(db).Enrol(ctx, audit.System, participants.Participant{
			Name: fmt.Sprintf("แม่ค้า %d", i), Phone: &phone, Province: "กรุงเทพมหานคร", District: "บางรัก",
			Cohort: "2569-1", EnrolledOn: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Language: []string{"th", "en", "th"}[i],
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, p.Code)
		for d := 1; d <= 5; d++ {
			if _, err := vs.Record(ctx, audit.System, vendors.Request{ParticipantID: p.ID, Code: p.Code, Today: today,
				Key: fmt.Sprintf("%d-%d", i, d), Input: vendors.Input{Date: fmt.Sprintf("2026-10-%02d", d), Kind: "sale", Amount: money.Text(fmt.Sprintf("%d.25", 100*d+i)), Method: "cash"}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	oct, _ := ledger.ParseMonth("2026-10")
	if _, err := vs.Ledger().CloseMonth(ctx, audit.System, oct, time.Now()); err != nil {
		t.Fatal(err)
	}
	hawker := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errb, func(k string) string {
			switch k {
			case "DATABASE_URL":
				return url
			case "HAWKER_DEV":
				return "1"
			case "HAWKER_PUBLIC_URL":
				return "https://hawker.example.org"
			}
			return ""
		})
		return code, out.String(), errb.String()
	}
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"statements"}, 2},
		{[]string{"statements", "--month", "2026-10"}, 2},
		{[]string{"statements", "--month", "2026-13", "--out", dir}, 2},
		{[]string{"statements", "--month", "2026-10", "--out", dir, "--lang", "fr"}, 2},
		{[]string{"statements", "--month", "2099-01", "--out", dir}, 1},
		{[]string{"statements", "--month", "2026-10", "--out", dir, "--participant", "HSF-NOPE"}, 1},
		{[]string{"statements", "verify"}, 2},
		{[]string{"statements", "--help"}, 0},
	} {
		if code, out, errs := hawker(c.args...); code != c.want {
			t.Errorf("%v: exit %d, want %d (%s %s)", c.args, code, c.want, out, errs)
		}
	}

	// A run killed after its first statement.
	params := reports.BulkParams{Month: "2026-10", Out: dir}
	q := reports.NewQueue(db)
	bulk := reports.NewBulk(reports.NewStore(db, vs, "https://hawker.example.org"), q)
	bulk.Workers = 1
	job, err := q.EnqueuePinned(ctx, reports.KindStatements, params, 0)
	if err != nil {
		t.Fatal(err)
	}
	killed, kill := context.WithCancel(ctx)
	if _, _, err := q.Execute(killed, job.ID, func(done, total int) {
		if done == 1 {
			kill()
		}
	}); err == nil {
		t.Fatal("the killed run ended without an error")
	}
	first := filepath.Join(dir, codes[0]+"-2026-10.pdf")
	if err := os.WriteFile(first, []byte("left by the killed run"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := hawker("statements", "--month", "2026-10", "--out", dir)
	if code != 0 || !strings.Contains(errs, "resuming job") || !strings.Contains(out, "3 statements") {
		t.Fatalf("resume: exit %d, %q %q", code, out, errs)
	}
	if b, _ := os.ReadFile(first); string(b) != "left by the killed run" {
		t.Error("the resumed run made the finished statement again")
	}
	for _, c := range codes {
		for _, ext := range []string{".pdf", ".csv"} {
			if _, err := os.Stat(filepath.Join(dir, c+"-2026-10"+ext)); err != nil {
				t.Error(err)
			}
		}
	}

	// A fresh run reprints every statement, the same bytes.
	second := filepath.Join(dir, codes[1]+"-2026-10.pdf")
	before, _ := os.ReadFile(second)
	if code, out, errs := hawker("statements", "--month", "2026-10", "--out", dir); code != 0 {
		t.Fatalf("rerun: exit %d, %q %q", code, out, errs)
	}
	after, _ := os.ReadFile(second)
	if !bytes.Equal(before, after) || len(after) < 1000 {
		t.Error("a closed month's statement changed between runs")
	}
	if b, _ := os.ReadFile(first); !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Error("a fresh run did not print every statement")
	}

	if code, out, errs := hawker("statements", "verify", second); code != 0 || !strings.Contains(out, "matches the ledger") {
		t.Errorf("verify: exit %d, %q %q", code, out, errs)
	}
	edited := filepath.Join(t.TempDir(), "edited.pdf")
	os.WriteFile(edited, bytes.Replace(after, []byte("/Creator (Hawker)"), []byte("/Creator (Edited)"), 1), 0o644)
	if code, out, _ := hawker("statements", "verify", edited); code != 1 || !strings.Contains(out, "edited") {
		t.Errorf("verify an edited file: exit %d, %q", code, out)
	}
	csv := filepath.Join(dir, codes[1]+"-2026-10.csv")
	if code, _, errs := hawker("statements", "verify", csv); code != 1 || !strings.Contains(errs, "not a Hawker statement") {
		t.Errorf("verify a CSV: exit %d, %q", code, errs)
	}
}
