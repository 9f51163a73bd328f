package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"hawker/pg"
	"hawker/pg/pgtest"
	"hawker/thai"
)

// TestBackupAndRestore (issue 15, point 6) follows the README's "Backup
// and restore" on a copy of the demo programme with last month closed:
// pg_dump in the custom format, pg_restore --no-owner into a new database,
// hawker migrate there; then hawker ledger verify and hawker audit verify
// pass on the restored copy, and the closed month's statements made from
// it are byte for byte those made before the backup.
func TestBackupAndRestore(t *testing.T) {
	t.Parallel()
	u := demoURL(t)
	// The statements print their verification address under the public
	// address, which a restored installation keeps.
	public := "HAWKER_PUBLIC_URL=https://hawker.example.org"
	h := newHawker(t, u, public)
	month := thai.Today(time.Now()).AddDate(0, -1, 0).Format("2006-01")
	if code, out := h.hawkerCmd("", "ledger", "close", "--month", month); code != 0 {
		t.Fatalf("ledger close %s: %s", month, out)
	}
	before := filepath.Join(t.TempDir(), "before")
	if code, out := h.hawkerCmd("", "statements", "--month", month, "--out", before); code != 0 {
		t.Fatalf("statements before the backup: %s", out)
	}

	dump := filepath.Join(t.TempDir(), "hawker.dump")
	tool := func(name string, args ...string) {
		t.Helper()
		path, err := exec.LookPath(name)
		if err != nil {
			t.Fatalf("%s is missing (Debian's postgresql-client; make postgres installs it)", name)
		}
		if out, err := exec.Command(path, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	tool("pg_dump", "--format=custom", "--file="+dump, u)

	restored := "hawker_test_restored_" + strings.TrimPrefix(pg.DatabaseName(u), "hawker_test_")
	if len(restored) > 60 {
		restored = restored[:60]
	}
	if err := adminExec(`CREATE DATABASE ` + pq.QuoteIdentifier(restored)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropDatabase(restored) })
	ru, err := pg.WithDatabase(pgtest.ServerURL(), restored)
	if err != nil {
		t.Fatal(err)
	}
	tool("pg_restore", "--no-owner", "--exit-on-error", "--dbname="+ru, dump)

	r := newHawker(t, ru, public)
	for _, args := range [][]string{{"migrate"}, {"ledger", "verify"}, {"audit", "verify"}} {
		if code, out := r.hawkerCmd("", args...); code != 0 {
			t.Fatalf("hawker %s on the restored copy: exit %d\n%s", strings.Join(args, " "), code, out)
		} else if args[0] == "ledger" && !strings.Contains(out, "0 mismatches") {
			t.Errorf("ledger verify on the restored copy:\n%s", out)
		}
	}
	after := filepath.Join(t.TempDir(), "after")
	if code, out := r.hawkerCmd("", "statements", "--month", month, "--out", after); code != 0 {
		t.Fatalf("statements from the restored copy: %s", out)
	}
	files, err := os.ReadDir(before)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("only %d statement files for %s", len(files), month)
	}
	for _, f := range files {
		a, _ := os.ReadFile(filepath.Join(before, f.Name()))
		b, err := os.ReadFile(filepath.Join(after, f.Name()))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: not byte-identical after the restore (%v)", f.Name(), err)
		}
	}
	if left, _ := os.ReadDir(after); len(left) != len(files) {
		t.Errorf("%d statements after the restore, %d before", len(left), len(files))
	}
	// A restored statement still verifies against the restored ledger.
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".pdf") {
			if code, out := r.hawkerCmd("", "statements", "verify", filepath.Join(after, f.Name())); code != 0 {
				t.Errorf("statements verify %s on the restored copy: %s", f.Name(), out)
			}
			break
		}
	}
	t.Logf("backup: %d statement files of %s byte-identical after pg_dump and pg_restore", len(files), month)
}
