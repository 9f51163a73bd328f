package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"hawker/browsertest"
	"hawker/thai"
)

// privatePG is a PostgreSQL cluster of one test's own, made with Debian's
// binaries in a temporary folder and listening on a free port of
// 127.0.0.1, so that the test may stop it: the shared server on 5432 is
// never touched. PostgreSQL refuses to run as root; as root the cluster
// belongs to the postgres user.
type privatePG struct {
	t    *testing.T
	bin  string
	data string
	dir  string
	Port string
	cred *syscall.Credential
}

func startPrivatePG(t *testing.T) *privatePG {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Fatal("no /usr/lib/postgresql/*/bin/pg_ctl: install Debian's postgresql (make postgres does)")
	}
	sort.Slice(bins, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(bins[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(bins[j]))))
		return vi < vj
	})
	p := &privatePG{t: t, bin: filepath.Dir(bins[len(bins)-1]), dir: t.TempDir(), Port: freePort(t)}
	p.data = filepath.Join(p.dir, "data")
	if os.Getuid() == 0 {
		uid, gid := lookupPostgresUser(t)
		p.cred = &syscall.Credential{Uid: uid, Gid: gid}
		// t.TempDir's parent is root's alone: let the postgres user through.
		os.Chmod(filepath.Dir(p.dir), 0o711)
		if err := os.Chown(p.dir, int(uid), int(gid)); err != nil {
			t.Fatal(err)
		}
	}
	p.run("initdb", "-D", p.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
	p.Start()
	t.Cleanup(func() { p.pgctl("stop", "-m", "immediate") })
	return p
}

func lookupPostgresUser(t *testing.T) (uint32, uint32) {
	out, err := exec.Command("id", "-u", "postgres").Output()
	if err != nil {
		t.Fatalf("as root the private cluster needs the postgres user: %v", err)
	}
	uid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	out, err = exec.Command("id", "-g", "postgres").Output()
	if err != nil {
		t.Fatal(err)
	}
	gid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return uint32(uid), uint32(gid)
}

func (p *privatePG) run(name string, args ...string) string {
	p.t.Helper()
	cmd := exec.Command(filepath.Join(p.bin, name), args...)
	cmd.Dir = p.dir
	if p.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "server.log"))
		p.t.Fatalf("%s %v: %v\n%s\n%s", name, args, err, out, tail(string(log), 2000))
	}
	return string(out)
}

func (p *privatePG) pgctl(args ...string) string {
	return p.run("pg_ctl", append([]string{"-D", p.data, "-w", "-t", "120"}, args...)...)
}

// Start starts the cluster and waits until it accepts connections.
func (p *privatePG) Start() {
	p.pgctl("start", "-l", filepath.Join(p.dir, "server.log"),
		"-o", fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60", p.Port, p.dir))
}

// Stop stops it: mode "fast" (sessions ended, a clean shutdown) or
// "immediate" (every process killed, recovery at the next start).
func (p *privatePG) Stop(mode string) { p.pgctl("stop", "-m", mode) }

// URL is the address of database name on the cluster.
func (p *privatePG) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%s/%s?sslmode=disable", p.Port, name)
}

// TestDatabaseOutage (issue 15, point 3): the real binary on a private
// cluster under load from three phones' worth of API clients and a vendor's
// browser. The cluster is stopped twice (fast, then immediate; SOAK_OUTAGES
// times in the soak): every
// request answers 503 within a second, /readyz fails, /healthz lives, and
// the browser keeps the entry she records in its outbox; started again, the
// same hawker process serves again, the outbox drains by itself, and every
// acknowledged entry is in the books exactly once.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	cluster := startPrivatePG(t)
	u := cluster.URL("hawker")
	h := newHawker(t, u)
	if code, out := h.hawkerCmd("", "db", "create"); code != 0 {
		t.Fatalf("db create: %s", out)
	}
	if code, out := h.hawkerCmd("", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", out)
	}
	if code, out := h.hawkerCmd("officer password 1\n", "user", "add", "--login", "officer", "--role", "officer"); code != 0 {
		t.Fatalf("user add: %s", out)
	}
	h.Start()
	officer := newAPIClient(h.Base)
	officer.signIn(t, "officer", "officer password 1")
	var codes []string
	for i := range 4 {
		st, b, err := officer.call("POST", "/api/v1/participants", map[string]any{"name": fmt.Sprintf("แม่ค้า ทดสอบ %d", i), "nickname": "ทดสอบ",
			"phone": fmt.Sprintf("08155500%02d", i), "province": "กรุงเทพมหานคร", "district": "บางรัก", "cohort": "2569-1",
			"enrolled_on": thai.Today(time.Now()).Format(time.DateOnly), "language": "th"}, "")
		if err != nil || st != 201 {
			t.Fatalf("enrol: %d %v %s", st, err, b)
		}
		var p struct{ Code string }
		json.Unmarshal(b, &p)
		codes = append(codes, p.Code)
		if code, out := h.hawkerCmd("vendor password 1\n", "user", "add", "--login", fmt.Sprintf("vendor%d", i), "--role", "vendor", "--participant", p.Code); code != 0 {
			t.Fatalf("user add vendor: %s", out)
		}
	}
	today := thai.Today(time.Now()).Format(time.DateOnly)

	// Load: three vendors' phones send entries without pause; an entry is
	// sent again (same key, same body) until the server takes it.
	var (
		mu      sync.Mutex
		acked   = map[string]bool{}
		bad     []string
		sent    atomic.Int64
		ackN    atomic.Int64
		slow503 atomic.Int64
		n503    atomic.Int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var clients []*apiClient
	for i := 1; i <= 3; i++ {
		c := newAPIClient(h.Base)
		c.signIn(t, fmt.Sprintf("vendor%d", i), "vendor password 1")
		clients = append(clients, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; ; j++ {
				key := uuid.NewString()
				body := map[string]string{"date": today, "kind": "sale", "method": "cash", "amount": fmt.Sprintf("%d.00", 1+j%500), "note": "outage"}
				for {
					select {
					case <-stop:
						return
					default:
					}
					sent.Add(1)
					start := time.Now()
					st, b, err := c.call("POST", "/api/v1/entries", body, key)
					took := time.Since(start)
					if err == nil && (st == 201 || st == 200) {
						mu.Lock()
						acked[key] = true
						mu.Unlock()
						ackN.Add(1)
						break
					}
					if err == nil && st == 503 {
						n503.Add(1)
						if took > time.Second {
							slow503.Add(1)
						}
						if !strings.Contains(string(b), `"code":"unavailable"`) {
							mu.Lock()
							bad = append(bad, fmt.Sprintf("503 without the error shape: %s", b))
							mu.Unlock()
						}
					} else {
						mu.Lock()
						bad = append(bad, fmt.Sprintf("entry: %d %v %s (after %v)", st, err, b, took))
						mu.Unlock()
					}
					waitABit(20 * time.Millisecond)
				}
			}
		}()
	}
	waitAcks := func(n int64) {
		t.Helper()
		target := ackN.Load() + n
		for deadline := time.Now().Add(90 * time.Second); ackN.Load() < target; {
			if time.Now().After(deadline) {
				t.Fatalf("the clients got no answers: %d acknowledged", ackN.Load())
			}
			waitABit(10 * time.Millisecond)
		}
	}
	plain := &http.Client{Timeout: 10 * time.Second}
	status := func(path string) (int, time.Duration) {
		start := time.Now()
		resp, err := plain.Get(h.Base + path)
		if err != nil {
			t.Fatalf("GET %s: %v (the server should answer)", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode, time.Since(start)
	}
	// down checks what a client sees while the database is stopped.
	down := func(mode string) {
		t.Helper()
		if st, _ := status("/healthz"); st != 200 {
			t.Errorf("%s: /healthz %d while the database is down, want 200 (the process lives)", mode, st)
		}
		if st, took := status("/readyz"); st != 503 || took > 3*time.Second {
			t.Errorf("%s: /readyz %d after %v while the database is down, want 503", mode, st, took)
		}
		vendor := clients[0]
		// A hang takes longer every time; a probe slowed by a busy machine's
		// scheduler does not: three tries before a slow answer counts.
		for _, path := range []string{"/api/v1/me", "/api/v1/participants/" + codes[1] + "/days?month=" + today[:7]} {
			for try := 1; ; try++ {
				start := time.Now()
				st, b, err := vendor.call("GET", path, nil, "")
				took := time.Since(start)
				if err != nil || st != 503 {
					t.Errorf("%s: GET %s: %d %v, want 503: %s", mode, path, st, err, b)
				} else if took > time.Second && try < 3 {
					continue
				} else if took > time.Second {
					t.Errorf("%s: GET %s answered 503 after %v three times, want within a second", mode, path, took)
				}
				break
			}
		}
		// A page: the bilingual error page, 503.
		start := time.Now()
		st, _, b, err := vendor.form("/books/entries", map[string][]string{"kind": {"sale"}, "method": {"cash"}, "amount": {"5"}})
		if took := time.Since(start); err != nil || st != 503 || took > time.Second || !strings.Contains(string(b), "ระบบขัดข้องชั่วคราว") {
			t.Errorf("%s: a form while the database is down: %d %v after %v", mode, st, err, took)
		}
		// The load keeps getting 503s, each within a second.
		before := n503.Load()
		for deadline := time.Now().Add(30 * time.Second); n503.Load() < before+20 && time.Now().Before(deadline); {
			waitABit(10 * time.Millisecond)
		}
		if n503.Load() < before+20 {
			t.Errorf("%s: the clients saw %d answers of 503 while the database was down", mode, n503.Load()-before)
		}
	}
	// up waits until the same process is ready again and serving entries.
	up := func(mode string) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); ; {
			if st, _ := status("/readyz"); st == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: /readyz never answered 200 after the database came back", mode)
			}
			waitABit(50 * time.Millisecond)
		}
		if !h.running() {
			t.Fatalf("%s: hawker stopped:\n%s", mode, tail(h.Log.String(), 3000))
		}
		waitAcks(10)
	}

	waitAcks(20)
	// The vendor's phone: signed in, her books open.
	b := browsertest.New(t)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, steps...); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(b, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}
	do(chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(h.Base+"/login"),
		chromedp.SetValue(chromedp.CSS("#login"), "vendor0"),
		chromedp.SetValue(chromedp.CSS("#password"), "vendor password 1"),
		chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#sale-amount")),
	)
	phoneEntries := func() int {
		t.Helper()
		var n int
		if err := openDB(t, u).Get(&n, `SELECT count(*) FROM vendor_entries ve JOIN participants p ON p.id = ve.participant_id
			WHERE p.code = $1 AND ve.amount = 77`, codes[0]); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// First outage: a clean, fast shutdown.
	cluster.Stop("fast")
	down("fast")
	do(chromedp.SetValue(chromedp.CSS("#sale-amount"), "77"), chromedp.Click(chromedp.CSS("#sale-form button[value=cash]")))
	// The phone tried, was told "later", and keeps the entry waiting.
	for deadline := time.Now().Add(20 * time.Second); ; {
		if eval(`hawkerBooks.outbox().then(items => items.length === 1 && items[0].state !== 'refused' && items[0].state !== 'auth' ? 1 : 0)`) == 1 &&
			eval(`document.querySelector('#outbox-list li') ? 1 : 0`) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the phone does not keep the entry in its outbox while the server answers 503")
		}
		waitABit(100 * time.Millisecond)
	}
	cluster.Start()
	up("fast")
	// The outbox drains by itself: no reload, no tap.
	for deadline := time.Now().Add(60 * time.Second); eval(`hawkerBooks.outbox().then(items => items.length)`) != 0; {
		if time.Now().After(deadline) {
			t.Fatal("the phone's outbox did not drain after the database came back")
		}
		waitABit(100 * time.Millisecond)
	}
	if n := phoneEntries(); n != 1 {
		t.Errorf("the phone's entry of ฿77 is in the books %d times, want 1", n)
	}

	// Then every database process killed at once; the soak (SOAK_OUTAGES)
	// goes on alternating the two.
	outages := envInt("SOAK_OUTAGES", 2)
	for i := 1; i < outages; i++ {
		mode := "immediate"
		if i%2 == 0 {
			mode = "fast"
		}
		cluster.Stop(mode)
		down(mode)
		cluster.Start()
		up(mode)
	}

	close(stop)
	wg.Wait()
	// Every acknowledged entry is in the books exactly once; nothing else is.
	db := openDB(t, u)
	var keys []string
	if err := db.Select(&keys, `SELECT idempotency_key FROM vendor_entries WHERE note = 'outage'`); err != nil {
		t.Fatal(err)
	}
	held := map[string]int{}
	for _, k := range keys {
		held[k]++
	}
	lost := 0
	for k := range acked {
		if held[k] != 1 {
			lost++
			t.Errorf("entry %s acknowledged, in the books %d times", k, held[k])
		}
	}
	for k, n := range held {
		if !acked[k] && n > 0 {
			// Its answer went out as the load stopped: it was asked for once.
			if n > 1 {
				t.Errorf("entry %s unacknowledged, in the books %d times", k, n)
			}
		}
	}
	for _, s := range bad {
		t.Error(s)
	}
	// The load's answers: a few slow ones are the busy machine's scheduler
	// (logged); a hang would make them all slow.
	if slow503.Load()*20 > n503.Load() {
		t.Errorf("%d of %d answers of 503 took more than a second", slow503.Load(), n503.Load())
	}
	if code, out := h.hawkerCmd("", "ledger", "verify"); code != 0 {
		t.Errorf("ledger verify: %s", out)
	}
	noSecretsIn(t, h.Log.String(), append(clients, officer)...)
	t.Logf("outage: %d requests sent, %d entries acknowledged, %d answers of 503 (%d slower than a second), %d outages, lost %d",
		sent.Load(), len(acked), n503.Load(), slow503.Load(), outages, lost)
}
