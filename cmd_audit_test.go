package main

import (
	"bytes"
	"context"
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
