package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
	"hawker/pg/pgtest"
)

func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	db, url := pgtest.NewURL(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
			return audit.Record(ctx, tx, audit.System, "test.action", "thing:1", "")
		}); err != nil {
			t.Fatal(err)
		}
	}
	getenv := func(k string) string {
		return map[string]string{"DATABASE_URL": url, "HAWKER_DEV": "1", "LOG_FORMAT": "text"}[k]
	}
	verify := func() (int, string, string) {
		var out, errb bytes.Buffer
		code := run([]string{"audit", "verify"}, strings.NewReader(""), &out, &errb, getenv)
		return code, out.String(), errb.String()
	}
	if code, out, stderr := verify(); code != 0 || !strings.Contains(out, "3 rows checked") {
		t.Fatalf("intact: exit %d, out %q, err %q", code, out, stderr)
	}

	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		`SET session_replication_role = replica`,
		`UPDATE audit_log SET actor_role = 'admin' WHERE id = 2`,
		`SET session_replication_role = DEFAULT`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := verify()
	if code != 1 || !strings.Contains(stderr, "row 2") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("tampered: exit %d, out %q, stderr %q; want 1 and one line naming row 2", code, out, stderr)
	}
	if code := run([]string{"audit"}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, getenv); code != 2 {
		t.Fatalf("hawker audit without verify: exit %d, want 2", code)
	}
}

// TestAuditCheckpointCommand: a checkpoint printed by `hawker audit
// checkpoint` and kept in a file catches a cut tail that the chain alone,
// and the database with its own checkpoints deleted, would let pass.
func TestAuditCheckpointCommand(t *testing.T) {
	t.Parallel()
	db, url := pgtest.NewURL(t)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
			return audit.Record(ctx, tx, audit.System, "test.action", "thing:1", "")
		}); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"DATABASE_URL": url, "HAWKER_AUDIT_KEY": strings.Repeat("k", 40), "LOG_FORMAT": "text"}
	cmd := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
		return code, out.String(), errb.String()
	}
	code, token, stderr := cmd("audit", "checkpoint")
	if code != 0 || !strings.HasPrefix(token, "hawker-audit-v1:5:") {
		t.Fatalf("checkpoint: exit %d, out %q, err %q", code, token, stderr)
	}
	file := filepath.Join(t.TempDir(), "hawker.log")
	if err := os.WriteFile(file, []byte("level=INFO msg=\"audit checkpoint\" checkpoint="+token), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := cmd("audit", "verify", "--checkpoints", file); code != 0 || !strings.Contains(out, "held to the signed checkpoint") {
		t.Fatalf("intact: exit %d, out %q, err %q", code, out, stderr)
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		`SET session_replication_role = replica`,
		`DELETE FROM audit_log WHERE id >= 4`,
		`DELETE FROM audit_checkpoints`,
		`SET session_replication_role = DEFAULT`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, _ := cmd("audit", "verify"); code != 0 {
		t.Fatalf("without the kept checkpoint the cut chain still holds by itself: exit %d, out %q", code, out)
	}
	code, out, stderr := cmd("audit", "verify", "--checkpoints", file)
	if code != 1 || !strings.Contains(stderr, "removed from its end") {
		t.Fatalf("cut tail: exit %d, out %q, stderr %q; want 1", code, out, stderr)
	}
	// Another key's checkpoint is refused.
	env["HAWKER_AUDIT_KEY"] = strings.Repeat("x", 40)
	if code, _, stderr := cmd("audit", "verify", "--checkpoints", file); code != 1 || !strings.Contains(stderr, "signature") {
		t.Fatalf("wrong key: exit %d, stderr %q", code, stderr)
	}
}
