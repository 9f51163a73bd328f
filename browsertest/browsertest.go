// Package browsertest drives Debian's chromium headless (chromedp) against
// the real application, for tests of what a person sees. A missing browser
// fails the test: `make test` installs it, and nothing here ever skips.
package browsertest

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jmoiron/sqlx"

	"hawker/app"
	"hawker/pg/pgtest"
)

// ChromiumPath is where Debian's chromium package puts the browser.
const ChromiumPath = "/usr/bin/chromium"

// Timeout bounds each browser a test starts, so a hung page fails the test
// instead of the whole run. It is generous: the longest browser test (the
// vendor offline, TestVendorOfflineEverywhere) took 59 s alone with both
// cores busy, and the app suite runs several browsers at once.
var Timeout = 3 * time.Minute

// Chromium returns the browser's path, failing t when it is not installed.
func Chromium(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err == nil {
		return ChromiumPath
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatalf("browsertest: chromium is not installed (looked for %s and chromium on PATH); install it with: apt-get install -y chromium (make test does)", ChromiumPath)
	return ""
}

// New starts a headless chromium with a fresh profile for t and returns the
// context of its first tab; the browser stops when t ends.
func New(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// The first Run starts the browser; it must not carry the timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("browsertest: start chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, Timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	return tctx
}

// NewTab opens another tab in a browser context of its own (its own cookies:
// another person at another phone) within browser, which New returned.
func NewTab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: new tab: %v", err)
	}
	return ctx
}

// Server is the real application serving over TCP for a browser.
type Server struct {
	URL  string // base URL, such as http://127.0.0.1:41234
	DB   *sqlx.DB
	App  *app.Server
	gate *gate
}

// Unreachable cuts the server off from every client (down) or lets them
// reach it again: open connections are closed and new ones closed as they
// come, so a page's requests and its service worker's fail alike, as on a
// phone that lost its connection. The browser's offline emulation alone
// does not reach every request a service worker makes.
func (s *Server) Unreachable(down bool) { s.gate.set(down) }

// Offline takes the phone of ctx off the network or puts it back, as when
// it loses its signal: the server is cut off (Unreachable), so neither the
// page nor its service worker reaches it, and the browser's emulation
// tells the page (navigator.onLine, the online and offline events).
func (s *Server) Offline(t testing.TB, ctx context.Context, off bool) {
	t.Helper()
	s.Unreachable(off)
	Offline(t, ctx, off)
}

// gate stands between the browser and the server, copying bytes both
// ways, and can cut every connection: the server only ever sees a client
// that went away.
type gate struct {
	ln     net.Listener // the browser's side
	server string       // the server's address
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]struct{}
}

func (g *gate) serve() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.mu.Lock()
		if g.down {
			g.mu.Unlock()
			c.Close()
			continue
		}
		g.conns[c] = struct{}{}
		g.mu.Unlock()
		go g.pipe(c)
	}
}

// pipe copies c to the server and back until either side closes.
func (g *gate) pipe(c net.Conn) {
	defer func() {
		g.mu.Lock()
		delete(g.conns, c)
		g.mu.Unlock()
		c.Close()
	}()
	s, err := net.Dial("tcp", g.server)
	if err != nil {
		return
	}
	defer s.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(s, c); done <- struct{}{} }()
	go func() { io.Copy(c, s); done <- struct{}{} }()
	<-done
}

func (g *gate) set(down bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.down = down
	if down {
		for c := range g.conns {
			c.Close()
		}
	}
}

// Start runs the application (Dev mode, its own migrated database) on a
// free port of 127.0.0.1 until t ends. configure, when given, adjusts the
// dependencies before app.New.
func Start(t testing.TB, configure ...func(*app.Deps)) *Server {
	t.Helper()
	db := pgtest.New(t)
	secret := make([]byte, 32)
	rand.Read(secret)
	deps := app.Deps{DB: db, Log: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), Secret: secret, Dev: true}
	for _, f := range configure {
		f(&deps)
	}
	srv, err := app.New(deps)
	if err != nil {
		t.Fatalf("browsertest: app.New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("browsertest: listen: %v", err)
	}
	front, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("browsertest: listen: %v", err)
	}
	g := &gate{ln: front, server: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	go g.serve()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, 5*time.Second) }()
	t.Cleanup(func() {
		front.Close()
		g.set(true)
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("browsertest: serve: %v", err)
		}
	})
	return &Server{URL: "http://" + front.Addr().String(), DB: db, App: srv, gate: g}
}

// testWriter sends the application's log lines to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// Screenshot captures the whole page of ctx as a PNG at path (directories
// are made as needed) and returns the image.
func Screenshot(t testing.TB, ctx context.Context, path string) []byte {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return png
}
