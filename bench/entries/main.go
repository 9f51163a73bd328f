// Command entries-bench measures what a phone's entry costs end to end: it
// builds and starts the real hawker binary against a scratch database, signs
// in vendors through POST /api/v1/login, and drives POST /api/v1/entries from
// concurrent clients (each a vendor with her own session, CSRF token and
// unique Idempotency-Keys) for a fixed time. In the same run it measures
// pgbench's built-in TPC-B-like script on the same PostgreSQL server, and
// prints requests/s, p50/p99 latency and the ratio to pgbench's tps.
// Goal (issue 6): p99 < 50 ms and requests/s ≥ 0.5 × pgbench tps.
// It is a program, not a timed test; scratch databases are dropped at the end.
package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/valyala/fasthttp"

	"hawker/audit"
	"hawker/bench/benchdb"
	"hawker/config"
	"hawker/participants"
	"hawker/pg"
	"hawker/thai"
	"hawker/users"
)

func main() {
	duration := flag.Duration("duration", 20*time.Second, "how long the entries and pgbench run each")
	clients := flag.Int("clients", 4, "concurrent clients (each a signed-in vendor) and pgbench clients")
	scale := flag.Int("scale", 10, "pgbench scale factor")
	flag.Parse()
	log.SetFlags(0)
	server := os.Getenv("DATABASE_URL")
	if server == "" {
		server = config.DefaultDatabaseURL
	}
	ctx := context.Background()
	suffix := benchdb.Suffix()

	// The real binary, built fresh.
	bin, done := benchdb.BuildHawker()
	defer done()

	dbName := "hawker_bench_entries_" + suffix
	dbURL := benchdb.Scratch(ctx, server, dbName)
	defer benchdb.Drop(ctx, server, dbName)
	addr := benchdb.FreeAddr()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "HAWKER_ADDR="+addr, "HAWKER_METRICS_ADDR=off", "HAWKER_DEV=1", "LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
	defer stop()
	base := "http://" + addr
	benchdb.WaitReady(base)

	// Vendors with accounts, made directly in the database.
	db, err := pg.Open(ctx, dbURL)
	if err != nil {
		log.Fatal(err)
	}
	const password = "bench-password-1"
	logins := make([]string, *clients)
	for i := range logins {
		phone := fmt.Sprintf("08%08d", 20000000+i)
		p, err := participants.NewStore(db).Enrol(ctx, audit.System, participants.Participant{
			Name: fmt.Sprintf("ผู้ค้าทดสอบ %d", i+1), Phone: &phone, Province: "กรุงเทพมหานคร", District: "บางรัก",
			Cohort: "bench", EnrolledOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Language: "th",
		}, nil)
		if err != nil {
			log.Fatal(err)
		}
		logins[i] = fmt.Sprintf("benchvendor%d", i+1)
		if _, err := users.NewStore(db).Add(ctx, users.New{Login: logins[i], Name: p.Name, Role: users.Vendor, Password: password, ParticipantID: &p.ID}); err != nil {
			log.Fatal(err)
		}
	}

	// Each client signs in and warms up (the first entry makes the book).
	today := thai.Today(time.Now()).Format(time.DateOnly)
	cs := make([]*vendorClient, *clients)
	for i := range cs {
		cs[i] = signIn(base, logins[i], password)
		if st, _ := cs[i].post(today); st != http.StatusCreated {
			log.Fatalf("warm-up entry: status %d", st)
		}
	}

	fmt.Printf("POST /api/v1/entries: %d clients for %s...\n", *clients, *duration)
	var mu sync.Mutex
	var lat []time.Duration
	failures := 0
	var wg sync.WaitGroup
	deadline := time.Now().Add(*duration)
	begin := time.Now()
	for _, c := range cs {
		wg.Add(1)
		go func(c *vendorClient) {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				t0 := time.Now()
				st, err := c.post(today)
				d := time.Since(t0)
				if err != nil || st != http.StatusCreated {
					bad++
					continue
				}
				mine = append(mine, d)
			}
			mu.Lock()
			lat = append(lat, mine...)
			failures += bad
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(begin)
	stop()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	rps := float64(len(lat)) / elapsed.Seconds()
	p50, p99 := pct(lat, 0.50), pct(lat, 0.99)
	fmt.Printf("entries: %d created, %d failed, %.0f requests/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		len(lat), failures, rps, ms(p50), ms(p99), ms(pct(lat, 1)))
	var rows int
	db.Get(&rows, `SELECT count(*) FROM vendor_entries`)
	db.Close()
	fmt.Printf("entries in the database: %d (warm-up %d + created %d)\n", rows, len(cs), len(lat))

	tps := benchdb.Pgbench(ctx, server, "hawker_bench_pgbench_"+suffix, *scale, *clients, *duration)
	defer benchdb.Drop(ctx, server, "hawker_bench_pgbench_"+suffix)

	ratio := rps / tps
	fmt.Printf("\nratio: %.2f × pgbench tps (goal ≥ 0.50): %s\n", ratio, benchdb.Verdict(ratio >= 0.5))
	fmt.Printf("p99: %.1f ms (goal < 50 ms): %s\n", ms(p99), benchdb.Verdict(p99 < 50*time.Millisecond))
}

// vendorClient is one phone: its session cookie and CSRF token, and one
// keep-alive connection. The entries are sent with fasthttp's client, which
// costs a fraction of net/http's CPU per request: the client shares the
// machine's two cores with the server and PostgreSQL, and what it spends is
// taken from them. Every request is still a full HTTP/1.1 request over TCP,
// signed in (cookie and X-CSRF-Token) and under a key of its own.
type vendorClient struct {
	hc     *fasthttp.HostClient
	url    string
	cookie string
	csrf   string
	req    *fasthttp.Request
	resp   *fasthttp.Response
	key    [36]byte
	body   []byte
}

func signIn(base, login, password string) *vendorClient {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	body, _ := json.Marshal(map[string]string{"login": login, "password": password})
	resp, err := hc.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.CSRF == "" {
		log.Fatalf("sign in %s: status %d, %v", login, resp.StatusCode, err)
	}
	u, _ := url.Parse(base)
	var cookie string
	for _, ck := range jar.Cookies(u) {
		if cookie != "" {
			cookie += "; "
		}
		cookie += ck.Name + "=" + ck.Value
	}
	if cookie == "" {
		log.Fatalf("sign in %s: no session cookie", login)
	}
	return &vendorClient{
		hc:  &fasthttp.HostClient{Addr: u.Host, MaxConns: 1, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second},
		url: base + "/api/v1/entries", cookie: cookie, csrf: out.CSRF,
		req: fasthttp.AcquireRequest(), resp: fasthttp.AcquireResponse(),
	}
}

// post sends one entry for the day under a new key.
func (c *vendorClient) post(today string) (int, error) {
	req := c.req
	req.Reset()
	req.SetRequestURI(c.url)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.Header.Set("Cookie", c.cookie)
	req.Header.Set("X-CSRF-Token", c.csrf)
	id := uuid.New()
	hex.Encode(c.key[0:8], id[0:4])
	c.key[8] = '-'
	hex.Encode(c.key[9:13], id[4:6])
	c.key[13] = '-'
	hex.Encode(c.key[14:18], id[6:8])
	c.key[18] = '-'
	hex.Encode(c.key[19:23], id[8:10])
	c.key[23] = '-'
	hex.Encode(c.key[24:], id[10:])
	req.Header.SetBytesV("Idempotency-Key", c.key[:])
	c.body = fmt.Appendf(c.body[:0], entryBody, today)
	req.SetBodyRaw(c.body)
	if err := c.hc.Do(req, c.resp); err != nil {
		return 0, err
	}
	return c.resp.StatusCode(), nil
}

const entryBody = `{"date":"%s","kind":"sale","amount":"125.50","method":"cash"}`

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(float64(len(d)-1) * p)
	return d[i]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
