package audit

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"hawker/pg"
	"hawker/pg/pgtest"
)

// superuser runs queries past the append-only triggers, as someone holding
// the database's superuser can (session_replication_role = replica).
func superuser(t *testing.T, db *sqlx.DB, fn func(conn *sqlx.Conn)) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `SET session_replication_role = DEFAULT`)
	fn(conn)
}

func appendRows(t *testing.T, db *sqlx.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		if err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
			return Record(ctx, tx, Actor{UserID: 7, Role: "officer", IP: "192.0.2.1"}, "participant.view", "participant:HSF-2026-0001", "file")
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckpointCatchesRewrites: an edited row with every later hash
// recomputed, or the last rows deleted, leaves a chain that holds by itself;
// the checkpoint kept outside the database catches both, even when the
// checkpoints inside it are deleted too.
func TestCheckpointCatchesRewrites(t *testing.T) {
	t.Parallel()
	key := []byte("an audit key of at least 32 bytes!")
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, conn *sqlx.Conn)
	}{
		{"edited and re-hashed", func(t *testing.T, conn *sqlx.Conn) {
			ctx := context.Background()
			if _, err := conn.ExecContext(ctx, `UPDATE audit_log SET actor_id = NULL, actor_role = 'system' WHERE id = 3`); err != nil {
				t.Fatal(err)
			}
			var es []Event
			if err := conn.SelectContext(ctx, &es, `SELECT * FROM audit_log ORDER BY id`); err != nil {
				t.Fatal(err)
			}
			prev := genesis
			for _, e := range es {
				e.PrevHash = prev
				e.Hash = e.computeHash()
				if _, err := conn.ExecContext(ctx, `UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE id = $1`, e.ID, e.PrevHash, e.Hash); err != nil {
					t.Fatal(err)
				}
				prev = e.Hash
			}
		}},
		{"tail deleted", func(t *testing.T, conn *sqlx.Conn) {
			if _, err := conn.ExecContext(context.Background(), `DELETE FROM audit_log WHERE id >= 5`); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.New(t)
			ctx := context.Background()
			appendRows(t, db, 6)
			cp, err := WriteCheckpoint(ctx, db, key)
			if err != nil || cp.Rows != 6 {
				t.Fatalf("checkpoint %+v, %v", cp, err)
			}
			kept := cp.String() // what the log holds
			appendRows(t, db, 2)
			if r, err := VerifyAgainst(ctx, db, &cp); err != nil || len(r.Breaks) != 0 || r.Rows != 8 {
				t.Fatalf("untouched: %+v, %v", r, err)
			}
			superuser(t, db, func(conn *sqlx.Conn) {
				tc.tamper(t, conn)
				if _, err := conn.ExecContext(ctx, `DELETE FROM audit_checkpoints`); err != nil {
					t.Fatal(err)
				}
			})
			// The chain alone is fooled.
			if r, err := Verify(ctx, db); err != nil || len(r.Breaks) != 0 {
				t.Fatalf("the chain alone: %+v, %v (the tampering is meant to pass it)", r, err)
			}
			found := FindCheckpoints("time=... msg=\"audit checkpoint\" checkpoint=" + kept + "\n")
			latest, ok := Latest(found...)
			if !ok || latest.Check(key) != nil {
				t.Fatalf("the kept checkpoint %q reads as %+v", kept, found)
			}
			r, err := VerifyAgainst(ctx, db, &latest)
			if err != nil || len(r.Breaks) == 0 {
				t.Fatalf("against the checkpoint: %+v, %v; want a break", r, err)
			}
			t.Log(r.Breaks[0].Reason)
		})
	}
}

// TestCheckpointSignature: a checkpoint signed with another key, or altered
// after signing, is refused.
func TestCheckpointSignature(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	appendRows(t, db, 2)
	cp, err := WriteCheckpoint(ctx, db, []byte("the right key, thirty-two bytes!!"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.Check([]byte("another key, also thirty-two bytes")); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("other key: %v", err)
	}
	forged := cp
	forged.Rows = 1
	if err := forged.Check([]byte("the right key, thirty-two bytes!!")); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("altered: %v", err)
	}
	got, ok, err := LatestCheckpoint(ctx, db)
	if err != nil || !ok || got.String() != cp.String() {
		t.Fatalf("latest in the database: %v, %v, %v; want %v", got, ok, err, cp)
	}
}
