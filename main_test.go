package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hawker/pg"
	"hawker/pg/pgtest"
)

// envOf makes a getenv from pairs.
func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestConfigurationErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  []string
		want string
	}{
		{"unparsable DATABASE_URL", []string{"HAWKER_DEV", "1", "DATABASE_URL", "postgres://%zz"}, "DATABASE_URL"},
		{"not postgres", []string{"HAWKER_DEV", "1", "DATABASE_URL", "mysql://root@localhost/x"}, "DATABASE_URL"},
		{"no database name", []string{"HAWKER_DEV", "1", "DATABASE_URL", "postgres://postgres@localhost:5432/"}, "DATABASE_URL"},
		{"bad HAWKER_ADDR", []string{"HAWKER_DEV", "1", "HAWKER_ADDR", "localhost"}, "HAWKER_ADDR"},
		{"bad port", []string{"HAWKER_DEV", "1", "HAWKER_ADDR", ":99999"}, "HAWKER_ADDR"},
		{"bad HAWKER_METRICS_ADDR", []string{"HAWKER_DEV", "1", "HAWKER_METRICS_ADDR", "9090"}, "HAWKER_METRICS_ADDR"},
		{"short secret", []string{"HAWKER_SECRET", "short"}, "HAWKER_SECRET"},
		{"bad LOG_LEVEL", []string{"HAWKER_DEV", "1", "LOG_LEVEL", "loud"}, "LOG_LEVEL"},
		{"bad LOG_FORMAT", []string{"HAWKER_DEV", "1", "LOG_FORMAT", "xml"}, "LOG_FORMAT"},
		{"bad HAWKER_DEV", []string{"HAWKER_DEV", "yes please"}, "HAWKER_DEV"},
		{"bad SMTP", []string{"HAWKER_DEV", "1", "HAWKER_SMTP_URL", "http://mail"}, "HAWKER_SMTP_URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"migrate"}, strings.NewReader(""), &stdout, &stderr, envOf(c.env...))
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			msg := stderr.String()
			if !strings.Contains(msg, c.want) || strings.Count(msg, "\n") != 1 {
				t.Errorf("stderr %q: want one line naming %s", msg, c.want)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"--help"}, 0},
		{[]string{"frobnicate"}, 2},
		{[]string{"serve", "--help"}, 0},
		{[]string{"migrate", "--help"}, 0},
		{[]string{"seed", "--help"}, 0},
		{[]string{"user", "add", "--help"}, 0},
		{[]string{"ledger", "--help"}, 0},
		{[]string{"db", "create", "--help"}, 0},
		{[]string{"migrate", "--bogus"}, 2},
		{[]string{"seed"}, 2},
		{[]string{"seed", "--scale", "--vendors", "0"}, 2},
		{[]string{"seed", "--scale", "--demo"}, 2},
		{[]string{"user", "add", "--login", "x"}, 2},
	} {
		var stdout, stderr bytes.Buffer
		code := run(c.args, strings.NewReader(""), &stdout, &stderr, envOf("HAWKER_DEV", "1"))
		if code != c.code {
			t.Errorf("hawker %v: exit %d, want %d (stderr %q)", c.args, code, c.code, stderr.String())
		}
	}
}

func TestUnreachableDatabaseFailsWithOneLine(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing answers there now
	var stdout, stderr bytes.Buffer
	code := run([]string{"migrate"}, strings.NewReader(""), &stdout, &stderr,
		envOf("HAWKER_DEV", "1", "DATABASE_URL", "postgres://postgres@"+addr+"/x?sslmode=disable&connect_timeout=2"))
	if code != 1 || strings.Count(stderr.String(), "\n") != 1 {
		t.Fatalf("exit %d, stderr %q; want 1 and one line", code, stderr.String())
	}
}

func TestUserAddReadsPasswordFromStdin(t *testing.T) {
	t.Parallel()
	db, url := pgtest.NewURL(t)
	var stdout, stderr bytes.Buffer
	code := run([]string{"user", "add", "--login", "somchai", "--role", "officer", "--name", "สมชาย"},
		strings.NewReader("correct horse battery\n"), &stdout, &stderr, envOf("HAWKER_DEV", "1", "DATABASE_URL", url))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var hash string
	if err := db.Get(&hash, `SELECT password_hash FROM users WHERE login = 'somchai'`); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, "correct horse") {
		t.Fatalf("password stored as %q", hash)
	}
	// The same login again is refused with exit 1.
	stderr.Reset()
	code = run([]string{"user", "add", "--login", "somchai", "--role", "officer"},
		strings.NewReader("another password\n"), &stdout, &stderr, envOf("HAWKER_DEV", "1", "DATABASE_URL", url))
	if code != 1 {
		t.Fatalf("duplicate login: exit %d, want 1", code)
	}
}

// TestMakeRunSmoke runs `make run` as a new user would (provision, build,
// migrate, seed, serve), waits for /readyz, then stops it with SIGTERM.
func TestMakeRunSmoke(t *testing.T) {
	t.Parallel()
	// Start from an empty database, as a fresh clone would.
	emptyURL := pgtest.NewEmpty(t)
	port := freePort(t)
	cmd := exec.Command("make", "run")
	cmd.Dir = "."
	metricsPort := freePort(t)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+emptyURL, "HAWKER_ADDR=127.0.0.1:"+port, "HAWKER_METRICS_ADDR=127.0.0.1:"+metricsPort, "LOG_FORMAT=text")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}()
	ready := false
	deadline := time.Now().Add(4 * time.Minute)
	for time.Now().Before(deadline) && !ready {
		select {
		case err := <-done:
			t.Fatalf("make run exited early (%v):\n%s", err, out.String())
		case <-time.After(300 * time.Millisecond):
		}
		resp, err := http.Get("http://127.0.0.1:" + port + "/readyz")
		if err == nil {
			ready = resp.StatusCode == 200
			resp.Body.Close()
		}
	}
	if !ready {
		t.Fatalf("/readyz never answered 200:\n%s", out.String())
	}
	// /metrics answers on its own address only.
	if resp, err := http.Get("http://127.0.0.1:" + port + "/metrics"); err != nil || resp.StatusCode != 404 {
		t.Errorf("/metrics on HAWKER_ADDR: %v, %v; want 404", resp, err)
	} else {
		resp.Body.Close()
	}
	if resp, err := http.Get("http://127.0.0.1:" + metricsPort + "/metrics"); err != nil || resp.StatusCode != 200 {
		t.Errorf("/metrics on HAWKER_METRICS_ADDR: %v, %v; want 200", resp, err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "hawker_password_hashes_total") {
			t.Errorf("metrics lack the password hash count:\n%s", b)
		}
	}
	if !strings.Contains(out.String(), "db_role="+pg.AppRole) {
		t.Errorf("serve does not work as %s:\n%s", pg.AppRole, out.String())
	}
	if !strings.Contains(out.String(), "admin") || !strings.Contains(out.String(), "officer") {
		t.Errorf("make run did not print the demo logins:\n%s", out.String())
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("make run did not stop on SIGTERM:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "shutting down") {
		t.Errorf("no graceful shutdown logged:\n%s", out.String())
	}
}

// syncBuffer is a bytes.Buffer that the child's output goroutine and the
// test may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSiteURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080": "http://localhost:8080", "127.0.0.1:8777": "http://127.0.0.1:8777",
		"0.0.0.0:80": "http://localhost:80", "[::]:8080": "http://localhost:8080",
	} {
		if got := siteURL(addr); got != want {
			t.Errorf("siteURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// TestToolsNeedNoSecret: only serve signs cookies; the operator's tools run
// with DATABASE_URL alone, neither HAWKER_SECRET nor development mode.
func TestToolsNeedNoSecret(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewURL(t)
	for _, args := range [][]string{{"migrate"}, {"ledger", "verify"}, {"audit", "verify"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, strings.NewReader(""), &stdout, &stderr, envOf("DATABASE_URL", url)); code != 0 {
			t.Errorf("hawker %v without HAWKER_SECRET: exit %d: %s", args, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"user", "add", "--login", "somsri", "--role", "admin"}, strings.NewReader("long enough password\n"),
		&stdout, &stderr, envOf("DATABASE_URL", url))
	if code != 0 {
		t.Errorf("user add without HAWKER_SECRET: exit %d: %s", code, stderr.String())
	}
	// serve does need it, and says so in one line before touching anything.
	stderr.Reset()
	code = run([]string{"serve"}, strings.NewReader(""), &stdout, &stderr, envOf("DATABASE_URL", url))
	if code != 2 || !strings.Contains(stderr.String(), "HAWKER_SECRET") || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("serve without HAWKER_SECRET: exit %d, stderr %q; want 2 naming HAWKER_SECRET", code, stderr.String())
	}
}
