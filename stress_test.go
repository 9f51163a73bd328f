package main

// Helpers of the stress suites (crash, outage, backup): the real binary,
// built once per test process, run as a child against a database of its
// own; a demo programme seeded once and cloned for each test; clients that
// speak the JSON API as a phone or an officer's browser does.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/pg"
	"hawker/pg/pgtest"
)

// stressPassword is every demo login's password in the stress suites.
const stressPassword = "demo-pass-1"

// stressSecret signs the test servers' cookies; the log check looks for it.
const stressSecret = "stress-secret-0123456789abcdef0123"

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error

	demoOnce sync.Once
	demoName string
	demoErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	if demoName != "" {
		dropDatabase(demoName)
	}
	os.Exit(code)
}

// hawkerBinary builds the binary from this tree once per test process, as
// interfaces.md says (go build -o bin/hawker .), into a folder of its own.
func hawkerBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "hawker-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "hawker")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// demoURL returns a database of t's own holding the demo programme (seeded
// once per test process, with stressPassword, then cloned), dropped when t ends.
func demoURL(t *testing.T) string {
	t.Helper()
	demoOnce.Do(func() {
		name := fmt.Sprintf("hawker_test_demo_%d", os.Getpid())
		dropDatabase(name)
		if demoErr = adminExec(`CREATE DATABASE ` + pq.QuoteIdentifier(name)); demoErr != nil {
			return
		}
		demoName = name
		u, err := pg.WithDatabase(pgtest.ServerURL(), name)
		if err != nil {
			demoErr = err
			return
		}
		var stdout, stderr bytes.Buffer
		if code := run([]string{"seed", "--demo", "--password", stressPassword}, strings.NewReader(""), &stdout, &stderr,
			envOf("DATABASE_URL", u, "HAWKER_DEV", "1", "LOG_LEVEL", "warn")); code != 0 {
			demoErr = fmt.Errorf("seed --demo: exit %d: %s", code, stderr.String())
		}
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	name := fmt.Sprintf("hawker_test_%s_%d", strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]`).ReplaceAllString(t.Name(), "")), time.Now().UnixNano()%1e9)
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	if err := adminExec(fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, pq.QuoteIdentifier(name), pq.QuoteIdentifier(demoName))); err != nil {
		t.Fatalf("clone the demo: %v", err)
	}
	t.Cleanup(func() { dropDatabase(name) })
	u, err := pg.WithDatabase(pgtest.ServerURL(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func adminExec(q string) error {
	u, err := pg.WithDatabase(pgtest.ServerURL(), "postgres")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := pg.Open(ctx, u)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, q)
	return err
}

func dropDatabase(name string) {
	adminExec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`)
}

// openDB connects the test to url as the owner, closed when t ends.
func openDB(t *testing.T, u string) *sqlx.DB {
	t.Helper()
	db, err := pg.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// hawkerProc is the real binary serving on a fixed port of 127.0.0.1,
// started again after each kill; its log (every life) is kept for checks.
type hawkerProc struct {
	t    *testing.T
	bin  string
	env  []string
	Base string
	Log  *syncBuffer
	cmd  *exec.Cmd
	done chan error
}

func newHawker(t *testing.T, dbURL string, extra ...string) *hawkerProc {
	t.Helper()
	port := freePort(t)
	h := &hawkerProc{t: t, bin: hawkerBinary(t), Base: "http://127.0.0.1:" + port, Log: &syncBuffer{}}
	h.env = append(os.Environ(), "DATABASE_URL="+dbURL, "HAWKER_ADDR=127.0.0.1:"+port, "HAWKER_METRICS_ADDR=off",
		"HAWKER_SECRET="+stressSecret, "HAWKER_DEV=1", "LOG_FORMAT=json", "LOG_LEVEL=debug")
	h.env = append(h.env, extra...)
	t.Cleanup(func() {
		if h.running() {
			h.Kill()
		}
	})
	return h
}

// hawkerCmd runs a command of the binary against the same database and
// returns its exit status and output.
func (h *hawkerProc) hawkerCmd(stdin string, args ...string) (int, string) {
	cmd := exec.Command(h.bin, args...)
	cmd.Env = h.env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		h.t.Fatalf("hawker %v: %v", args, err)
	}
	return 0, string(out)
}

func (h *hawkerProc) running() bool {
	if h.done == nil {
		return false
	}
	select {
	case err := <-h.done:
		h.done <- err
		return false
	default:
		return true
	}
}

// Start runs hawker serve and waits until /readyz answers 200.
func (h *hawkerProc) Start() {
	h.t.Helper()
	h.cmd = exec.Command(h.bin, "serve")
	h.cmd.Env = h.env
	h.cmd.Stdout, h.cmd.Stderr = h.Log, h.Log
	if err := h.cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.done = make(chan error, 1)
	go func(cmd *exec.Cmd, done chan error) { done <- cmd.Wait() }(h.cmd, h.done)
	deadline := time.Now().Add(90 * time.Second)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		if !h.running() {
			h.t.Fatalf("hawker serve exited before it was ready:\n%s", tail(h.Log.String(), 3000))
		}
		if resp, err := hc.Get(h.Base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("/readyz never answered 200:\n%s", tail(h.Log.String(), 3000))
		}
		waitABit(50 * time.Millisecond)
	}
}

// Kill stops the server with SIGKILL and waits until the process is gone.
func (h *hawkerProc) Kill() {
	h.cmd.Process.Signal(syscall.SIGKILL)
	err := <-h.done
	h.done <- err
}

// Stop stops the server with SIGTERM and waits for it to exit.
func (h *hawkerProc) Stop() {
	h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-h.done:
		h.done <- err
	case <-time.After(60 * time.Second):
		h.t.Errorf("hawker serve did not stop on SIGTERM")
		h.Kill()
	}
}

// waitABit is the pause between two looks at a condition a test waits for.
func waitABit(d time.Duration) { time.Sleep(d) }

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// apiClient is one person's session with the JSON API.
type apiClient struct {
	base     string
	hc       *http.Client
	csrf     string
	login    string
	password string
}

func newAPIClient(base string) *apiClient {
	jar, _ := cookiejar.New(nil)
	return &apiClient{base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn signs in through POST /api/v1/login.
func (c *apiClient) signIn(t *testing.T, login, password string) {
	t.Helper()
	st, body, err := c.call("POST", "/api/v1/login", map[string]string{"login": login, "password": password}, "")
	if err != nil || st != 200 {
		t.Fatalf("sign in as %s: %d %v %s", login, st, err, body)
	}
	var r struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.CSRF == "" {
		t.Fatalf("sign in as %s: %s", login, body)
	}
	c.csrf, c.login, c.password = r.CSRF, login, password
}

// call sends JSON (body nil: none) with the CSRF header and, when key is
// not empty, an Idempotency-Key. err is a transport error: no answer.
func (c *apiClient) call(method, path string, body any, key string) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	return c.send(req)
}

// form posts a form with the session's CSRF token.
func (c *apiClient) form(path string, v url.Values) (int, http.Header, []byte, error) {
	v.Set("_csrf", c.csrf)
	req, err := http.NewRequest("POST", c.base+path, strings.NewReader(v.Encode()))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

func (c *apiClient) send(req *http.Request) (int, []byte, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}

// idOf reads "id" from a JSON body.
func idOf(b []byte) int64 {
	var r struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal(b, &r)
	return r.ID
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// envInt reads a whole number from the environment (the soak's knobs), or def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// noSecretsIn fails t when log holds a password, the cookie secret, or a
// session id or CSRF token of one of the clients.
func noSecretsIn(t *testing.T, log string, clients ...*apiClient) {
	t.Helper()
	secrets := map[string]string{"the demo password": stressPassword, "HAWKER_SECRET": stressSecret}
	for _, c := range clients {
		u, _ := url.Parse(c.base)
		for _, ck := range c.hc.Jar.Cookies(u) {
			if len(ck.Value) >= 16 {
				secrets["cookie "+ck.Name+" of "+c.login] = ck.Value
			}
		}
		if c.csrf != "" {
			secrets["CSRF token of "+c.login] = c.csrf
		}
		if c.password != "" {
			secrets["password of "+c.login] = c.password
		}
	}
	if log == "" {
		t.Error("no log to check for secrets")
	}
	for what, s := range secrets {
		if i := strings.Index(log, s); i >= 0 {
			lo := max(0, i-200)
			t.Errorf("the log holds %s: …%s…", what, log[lo:min(len(log), i+len(s)+50)])
		}
	}
}
