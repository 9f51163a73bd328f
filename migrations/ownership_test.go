package migrations_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"hawker/migrations"
)

// owners names, for every table the migrations create, the one package
// whose Go code may name it in SQL. Any other package asks the owner
// through its functions (participants.Get, ledger's store, users.…), and
// joins a participant's export and erasure through participants.PersonalData.
// A new table gets its line here in the same change that creates it.
var owners = map[string]string{
	"users": "users", "sessions": "auth", "login_failures": "auth", "devices": "auth", "device_links": "auth",
	"audit_log":         "audit",
	"audit_checkpoints": "audit",
	"participants":      "participants", "participant_code_counters": "participants", "consents": "participants",
	"plans": "participants", "plan_items": "participants",
	"training_modules": "training", "training_sessions": "training", "training_completions": "training",
	"donors": "donors", "donor_contacts": "donors",
	"vendor_books": "vendors", "vendor_entries": "vendors", "vendor_voids": "vendors",
	"vendor_promptpay": "vendors", "vendor_settings": "vendors", "vendor_openings": "vendors", "vendor_month_sums": "vendors",
	"report_jobs": "reports", "report_job_items": "reports", "report_job_files": "reports", "report_statements": "reports",
	"report_impact_issues": "reports", "report_mail": "reports", "report_mail_attempts": "reports",
	"grants": "grants", "grant_settings": "grants", "grant_editors": "grants", "grant_approvals": "grants",
	"grant_tranches": "grants", "grant_items": "grants", "grant_item_events": "grants",
	"funds": "grants", "fund_receipts": "grants",
}

// ownedByPrefix are families of tables owned by one package.
var ownedByPrefix = map[string]string{"ledger_": "ledger"}

// shared are the reads across the line that remain, each with its reason;
// the test fails when one of them is no longer needed, so the list only shrinks.
var shared = map[[2]string]string{
	{"auth", "users"}: "the session lookup every request runs reads the session and its user in one statement",
}

func ownerOf(table string) string {
	if o, ok := owners[table]; ok {
		return o
	}
	for prefix, o := range ownedByPrefix {
		if strings.HasPrefix(table, prefix) {
			return o
		}
	}
	return ""
}

// TestEachTableHasOneOwner: every table has an owning package, and no other
// package's code (its own subpackages, tests, migrations and the bench
// programs aside) names it after FROM, JOIN, INTO, UPDATE or TABLE.
func TestEachTableHasOneOwner(t *testing.T) {
	t.Parallel()
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	create := regexp.MustCompile(`(?i)create table (?:if not exists )?([a-z_0-9]+)`)
	var tables []string
	for _, m := range all {
		for _, x := range create.FindAllStringSubmatch(m.SQL, -1) {
			tables = append(tables, strings.ToLower(x[1]))
		}
	}
	sort.Strings(tables)
	if len(tables) < 20 {
		t.Fatalf("found %d tables in the migrations: the pattern no longer reads them", len(tables))
	}
	for _, tbl := range tables {
		if ownerOf(tbl) == "" {
			t.Errorf("table %s has no owning package: add it to owners", tbl)
		}
	}
	names := regexp.MustCompile(`(?i)\b(?:from|join|into|update|table)\s+([a-z_][a-z_0-9]*)\b`)
	used := map[[2]string]bool{}
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, "../"))
		if d.IsDir() {
			switch rel {
			case "migrations", "bench", ".git", "bin":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		pkg := filepath.ToSlash(filepath.Dir(rel))
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, x := range names.FindAllStringSubmatch(string(b), -1) {
			tbl := strings.ToLower(x[1])
			owner := ownerOf(tbl)
			if owner == "" || owner == pkg || strings.HasPrefix(pkg, owner+"/") || !contains(tables, tbl) {
				continue
			}
			if _, ok := shared[[2]string{pkg, tbl}]; ok {
				used[[2]string{pkg, tbl}] = true
				continue
			}
			t.Errorf("%s names table %s, which belongs to %s: ask the %s package instead", rel, tbl, owner, owner)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k := range shared {
		if !used[k] {
			t.Errorf("%s no longer reads %s: take it off the shared list", k[0], k[1])
		}
	}
}

func contains(xs []string, x string) bool {
	i := sort.SearchStrings(xs, x)
	return i < len(xs) && xs[i] == x
}
