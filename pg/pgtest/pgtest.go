// Package pgtest gives each test its own PostgreSQL database, cloned from a
// template that is migrated once per schema version, so tests run in
// parallel against the real server. An unreachable server fails the test:
// nothing here ever skips.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/config"
	"hawker/migrations"
	"hawker/pg"
)

// ServerURL is the server tests use: HAWKER_TEST_DATABASE_URL, else
// DATABASE_URL, else the local default. Its database name is ignored.
func ServerURL() string {
	for _, v := range []string{"HAWKER_TEST_DATABASE_URL", "DATABASE_URL"} {
		if s := os.Getenv(v); s != "" {
			return s
		}
	}
	return config.DefaultDatabaseURL
}

var (
	templateMu   sync.Mutex
	templateName string
)

// New returns a fresh, migrated database of its own for t, dropped when t ends.
func New(t testing.TB) *sqlx.DB {
	t.Helper()
	db, _ := NewURL(t)
	return db
}

// NewURL is New that also returns the database's URL, for tests that start
// the hawker binary against it.
func NewURL(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	ctx := context.Background()
	name := "hawker_test_" + randomHex(6)
	// Another tree's run (a second checkout with other migrations) may
	// drop the template between our build and our clone: build it again.
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var tpl string
		tpl, err = template(ctx)
		if err != nil {
			t.Fatalf("pgtest: template database: %v (is PostgreSQL running at %s?)", err, pg.Redact(ServerURL()))
		}
		err = withAdmin(ctx, func(admin *sqlx.DB) error {
			_, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, pq.QuoteIdentifier(name), pq.QuoteIdentifier(tpl)))
			return err
		})
		var pqErr *pq.Error
		if !errors.As(err, &pqErr) || pqErr.Code != "3D000" {
			break
		}
		forgetTemplate(tpl)
	}
	if err != nil {
		t.Fatalf("pgtest: create %s: %v", name, err)
	}
	url, err := pg.WithDatabase(ServerURL(), name)
	if err != nil {
		t.Fatal(err)
	}
	db, err := pg.Open(ctx, url)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		Drop(t, name)
	})
	return db, url
}

// App connects to the database at url (from NewURL) as the application
// role, as `hawker serve` does: the rights the migrations grant it are all
// it has, so a test through it fails where serve would.
func App(t testing.TB, url string) *sqlx.DB {
	t.Helper()
	appURL, _, err := pg.AppURL(url)
	if err != nil {
		t.Fatal(err)
	}
	db, err := pg.Open(context.Background(), appURL)
	if err != nil {
		t.Fatalf("pgtest: connect as %s: %v", pg.AppRole, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// NewEmpty returns the URL of a new database with nothing in it, not even
// migrations, dropped when t ends: for testing the migrations themselves.
func NewEmpty(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	name := "hawker_test_" + randomHex(6)
	if err := withAdmin(ctx, func(admin *sqlx.DB) error {
		_, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name))
		return err
	}); err != nil {
		t.Fatalf("pgtest: create %s: %v (is PostgreSQL running at %s?)", name, err, pg.Redact(ServerURL()))
	}
	t.Cleanup(func() { Drop(t, name) })
	url, err := pg.WithDatabase(ServerURL(), name)
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// Drop removes a test database, ending any session still connected to it.
func Drop(t testing.TB, name string) {
	ctx := context.Background()
	if err := withAdmin(ctx, func(admin *sqlx.DB) error {
		_, err := admin.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, pq.QuoteIdentifier(name)))
		return err
	}); err != nil {
		t.Errorf("pgtest: drop %s: %v", name, err)
	}
}

// template returns the name of a database migrated to this tree's schema.
// Its name carries a hash of the migrations, so every test package and run
// reuses it until a migration changes; an advisory lock keeps packages that
// run in parallel from building it twice.
func template(ctx context.Context) (string, error) {
	templateMu.Lock()
	defer templateMu.Unlock()
	if templateName != "" {
		return templateName, nil
	}
	name, err := buildTemplate(ctx)
	if err == nil {
		templateName = name
	}
	return name, err
}

// forgetTemplate makes the next template call check the database again.
func forgetTemplate(name string) {
	templateMu.Lock()
	defer templateMu.Unlock()
	if templateName == name {
		templateName = ""
	}
}

func buildTemplate(ctx context.Context) (string, error) {
	ms, err := migrations.All()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d\x00%s\x00", m.Version, m.SQL)
	}
	name := "hawker_tpl_" + hex.EncodeToString(h.Sum(nil))[:12]
	err = withAdmin(ctx, func(admin *sqlx.DB) error {
		conn, err := admin.Connx(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7734)`); err != nil {
			return err
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(7734)`)
		var ready bool
		if err := conn.GetContext(ctx, &ready, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name); err != nil {
			return err
		}
		if ready {
			return nil
		}
		// The template is built under another name and renamed when done,
		// so that no one (another package's process holding the name from
		// before a rebuild) ever clones it half-built. A half-built one
		// from an interrupted run is dropped first.
		building := name + "_build"
		for _, n := range []string{building, name} {
			if _, err := conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, pq.QuoteIdentifier(n))); err != nil {
				return err
			}
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, pq.QuoteIdentifier(building))); err != nil {
			return err
		}
		url, err := pg.WithDatabase(ServerURL(), building)
		if err != nil {
			return err
		}
		tdb, err := pg.Open(ctx, url)
		if err != nil {
			return err
		}
		_, err = migrations.Apply(ctx, tdb, nil)
		tdb.Close()
		if err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, pq.QuoteIdentifier(building), pq.QuoteIdentifier(name))); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s IS_TEMPLATE true`, pq.QuoteIdentifier(name))); err != nil {
			return err
		}
		dropOldTemplates(ctx, conn, name)
		return nil
	})
	return name, err
}

// dropOldTemplates removes the templates of earlier schemas, which no run
// of this tree will clone again. One still in use is left for next time.
func dropOldTemplates(ctx context.Context, conn *sqlx.Conn, keep string) {
	var old []string
	if err := conn.SelectContext(ctx, &old, `SELECT datname FROM pg_database
		WHERE datistemplate AND datname LIKE 'hawker\_tpl\_%' AND datname <> $1`, keep); err != nil {
		return
	}
	for _, name := range old {
		q := pq.QuoteIdentifier(name)
		if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+q+` IS_TEMPLATE false`); err != nil {
			continue
		}
		if _, err := conn.ExecContext(ctx, `DROP DATABASE `+q); err != nil {
			conn.ExecContext(ctx, `ALTER DATABASE `+q+` IS_TEMPLATE true`)
		}
	}
}

func withAdmin(ctx context.Context, fn func(*sqlx.DB) error) error {
	url, err := pg.WithDatabase(ServerURL(), "postgres")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	admin, err := pg.Open(ctx, url)
	if err != nil {
		return err
	}
	defer admin.Close()
	return fn(admin)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
