package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/ledger"
	"hawker/pg"
	"hawker/pg/pgtest"
)

// tcpProxy stands between the app and PostgreSQL so a test can make the
// database unreachable and bring it back, as an outage would.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	p.start("127.0.0.1:0")
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) start(addr string) {
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the old port may linger briefly
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("proxy listen: %v", err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// stop refuses new connections and cuts every open one.
func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func TestReadyzFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	_, dbURL := pgtest.NewURL(t)
	u, _ := url.Parse(dbURL)
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	ctx := context.Background()
	db, err := pg.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(Deps{DB: db, Log: testLogger(t), Secret: []byte(strings.Repeat("k", 32)), Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	ready := func() int {
		resp, err := s.Fiber.Test(httptestRequest("GET", "/readyz"), 10_000)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	if got := ready(); got != 200 {
		t.Fatalf("readyz with the database up = %d, want 200", got)
	}
	proxy.stop()
	if got := ready(); got != 503 {
		t.Fatalf("readyz with the database unreachable = %d, want 503", got)
	}
	proxy.start(proxy.addr) // the database comes back on the same address
	deadline := time.Now().Add(10 * time.Second)
	for ready() != 200 {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not return to 200 after the database came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := mustGet(t, s, "/healthz"); got != 200 {
		t.Fatalf("healthz = %d", got)
	}
}

func TestReadyzWhenSchemaBehind(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	s, err := New(Deps{DB: db, Log: testLogger(t), Secret: []byte(strings.Repeat("k", 32)), Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	// Pretend the last migration has not been applied (bypassing nothing:
	// schema_migrations is an ordinary table).
	if _, err := db.Exec(`DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, "/readyz"); got != 503 {
		t.Fatalf("readyz with the schema behind = %d, want 503", got)
	}
}

func TestGracefulShutdownFinishesInFlightRequest(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	started := make(chan struct{})
	// A slow handler stands in for a long request; it runs on the real
	// listener and the real shutdown path that `hawker serve` uses.
	slow := route{"GET", "/test/slow", public, func(c *fiber.Ctx) error {
		close(started)
		time.Sleep(1500 * time.Millisecond)
		return c.SendString("finished")
	}}
	s, err := New(Deps{DB: db, Log: testLogger(t), Secret: []byte(strings.Repeat("k", 32)), Dev: true, testRoutes: []route{slow}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln, 10*time.Second) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/test/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	cancel() // SIGTERM arrives while the request is in flight
	r := <-got
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: body %q, err %v; want it to finish", r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	s, err := New(Deps{DB: db, Log: testLogger(t), Secret: []byte(strings.Repeat("k", 32)), Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, "/healthz")
	mustGet(t, s, "/no/such/HSF-2026-0001")
	rec := httptest.NewRecorder()
	s.Metrics().ServeHTTP(rec, httptestRequest("GET", "/metrics"))
	body := rec.Body.String()
	for _, want := range []string{
		`hawker_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`hawker_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`hawker_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="0.005"}`,
		`go_sql_max_open_connections{db_name="hawker"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "HSF-2026-0001") {
		t.Error("metrics carry a raw path with a participant code")
	}
	// The metrics are not on the application's address.
	if resp, err := s.Fiber.Test(httptestRequest("GET", "/metrics"), 10_000); err != nil || resp.StatusCode != 404 {
		t.Fatalf("GET /metrics on the public address: %v, %v", resp.StatusCode, err)
	}
}

func httptestRequest(method, path string) *http.Request {
	r, _ := http.NewRequest(method, path, nil)
	return r
}

func mustGet(t *testing.T, s *Server, path string) int {
	t.Helper()
	resp, err := s.Fiber.Test(httptestRequest("GET", path), 10_000)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// TestLedgerErrorsMapToInterfaceCodes: the ledger's refusals reach API
// callers with the codes of interfaces.md, never as a 500.
func TestLedgerErrorsMapToInterfaceCodes(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		code   string
	}{
		{&ledger.InsufficientFundsError{}, 409, "insufficient_funds"},
		{fmt.Errorf("wrapped: %w", ledger.ErrInvalidAmount), 422, "invalid"},
		{ledger.ErrClosedPeriod, 409, "closed_period"},
		{ledger.ErrIdempotencyConflict, 409, "idempotency_conflict"},
	} {
		p := problemOf(c.err)
		if p.Status != c.status || p.Code != c.code {
			t.Errorf("%v → %d %s, want %d %s", c.err, p.Status, p.Code, c.status, c.code)
		}
	}
}
