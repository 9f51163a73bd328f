// Command scale-bench measures Hawker at the size of a national programme
// (issue 16): on a database seeded by `hawker seed --scale --vendors N
// --months M` it prints the statement query of one vendor for the last
// month against the first (the cost must not grow with history), one
// donor's impact report (issue 13: ≤ 2 s), the programme's trial balance,
// POST /api/v1/entries p50/p99 against the real binary on this data, the
// statements command for every vendor of the last month with its peak RSS
// (issue 12: ≤ 200 MB), the database's size per vendor-year, and each
// figure projected to 100,000 vendors.
//
// SCALE_DB names the database (default bench_scale_<N>x<M> on the server of
// DATABASE_URL): when it already holds a programme it is reused as it is,
// otherwise it is created and seeded, and kept for the next run.
package main

import (
	"bytes"
	"context"
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
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"hawker/bench/benchdb"
	"hawker/grants"
	"hawker/ledger"
	"hawker/pg"
	"hawker/reports"
	"hawker/thai"
	"hawker/users"
	"hawker/vendors"
)

func main() {
	nVendors := flag.Int("vendors", 10000, "vendors to seed when the database is new")
	nMonths := flag.Int("months", 24, "months to seed when the database is new")
	clients := flag.Int("clients", 4, "concurrent vendors posting entries")
	duration := flag.Duration("duration", 15*time.Second, "how long entries are posted")
	runs := flag.Int("runs", 15, "repetitions of each single query")
	skipAll := flag.Bool("no-statements", false, "skip the statements of every vendor (the longest part)")
	flag.Parse()
	log.SetFlags(0)
	ctx := context.Background()
	server := benchdb.Server()
	name := os.Getenv("SCALE_DB")
	if name == "" {
		name = fmt.Sprintf("bench_scale_%dx%d", *nVendors, *nMonths)
	}
	dbURL, err := pg.WithDatabase(server, name)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("scale bench on database %s; load average at the start: %s\n", name, loadavg())
	bin, done := benchdb.BuildHawker()
	defer done()

	created, err := pg.CreateDatabase(ctx, dbURL)
	if err != nil {
		log.Fatal(err)
	}
	db, err := pg.Open(ctx, dbURL)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	var people int
	if !created {
		if err := db.Get(&people, `SELECT count(*) FROM participants`); err != nil {
			people = 0
		}
	}
	if people == 0 {
		fmt.Printf("seeding %d vendors × %d months into %s...\n", *nVendors, *nMonths, name)
		t0 := time.Now()
		cmd := exec.Command(bin, "seed", "--scale", "--vendors", fmt.Sprint(*nVendors), "--months", fmt.Sprint(*nMonths))
		cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "LOG_LEVEL=warn")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			log.Fatalf("seed: %v", err)
		}
		fmt.Printf("seed: %s (load average %s)\n", time.Since(t0).Round(time.Second), loadavg())
	} else {
		fmt.Printf("reusing %s: %d participants (SCALE_DB; drop it to seed afresh)\n", name, people)
	}

	// A reused database is brought to the current schema, and every table's
	// statistics are fresh (a bulk load leaves them behind).
	mig := exec.Command(bin, "migrate")
	mig.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "LOG_LEVEL=warn")
	if out, err := mig.CombinedOutput(); err != nil {
		log.Fatalf("migrate: %v\n%s", err, out)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		log.Fatal(err)
	}
	ls := ledger.NewStore(db)
	prog, err := ls.BookByOwner(ctx, ledger.Programme, grants.ProgrammeRef)
	if err != nil {
		log.Fatalf("the programme's book: %v", err)
	}
	var size struct {
		Vendors int       `db:"vendors"`
		Entries int64     `db:"entries"`
		First   time.Time `db:"first"`
		Bytes   int64     `db:"bytes"`
		Grants  int       `db:"grants"`
		Last    time.Time
	}
	if err := db.Get(&size, `
		SELECT (SELECT count(*) FROM vendor_books) AS vendors, (SELECT count(*) FROM vendor_entries) AS entries,
		       (SELECT date_trunc('month', min(business_date))::date FROM vendor_entries) AS first,
		       pg_database_size(current_database()) AS bytes, (SELECT count(*) FROM grants) AS grants`); err != nil {
		log.Fatal(err)
	}
	closed, err := ls.LatestClosed(ctx, []int64{prog.ID})
	if err != nil || closed[prog.ID].IsZero() {
		log.Fatalf("no closed month in the programme's book: %v", err)
	}
	size.Last = closed[prog.ID]
	counts, err := ls.Count(ctx)
	if err != nil {
		log.Fatal(err)
	}
	months := monthsBetween(size.First, size.Last)
	scale := 100000 / float64(size.Vendors)
	fmt.Printf("data: %d vendors, %d closed months (%s to %s), %d vendor entries, %d ledger lines\n\n",
		size.Vendors, months, size.First.Format("2006-01"), size.Last.Format("2006-01"), size.Entries, counts.Lines)

	var rows []row
	today := thai.Today(time.Now())
	store := reports.NewStore(db, vendors.NewStore(db), "https://hawker.example.org")

	// 1. One vendor's statement, first month against last.
	var code string
	if err := db.Get(&code, `
		SELECT p.code FROM participants p
		WHERE EXISTS (SELECT 1 FROM vendor_entries e WHERE e.participant_id = p.id AND e.business_date >= $1::date AND e.business_date < $1::date + 31)
		  AND EXISTS (SELECT 1 FROM vendor_entries e WHERE e.participant_id = p.id AND e.business_date >= $2::date AND e.business_date < $2::date + 31)
		ORDER BY p.id LIMIT 1`, size.First, size.Last); err != nil {
		log.Fatalf("a vendor trading in both months: %v", err)
	}
	stmt := func(m time.Time) func() {
		return func() {
			if _, err := store.Statement(ctx, code, m, today); err != nil {
				log.Fatal(err)
			}
		}
	}
	first := timeIt(*runs, stmt(size.First))
	last := timeIt(*runs, stmt(size.Last))
	ratio := float64(last) / float64(first)
	rows = append(rows,
		row{"statement query, one vendor, month 1 (" + size.First.Format("2006-01") + ")", ms(first), "same (index range scans of one vendor's month)", ""},
		row{fmt.Sprintf("statement query, month %d (%s)", months, size.Last.Format("2006-01")), ms(last), "same", fmt.Sprintf("ratio %.2f (goal ≤ 1.5): %s", ratio, benchdb.Verdict(ratio <= 1.5))})

	// 2. One donor's impact report over the whole programme.
	var donor int64
	if err := db.Get(&donor, `SELECT min(id) FROM donors`); err != nil {
		log.Fatal(err)
	}
	var supported int
	db.Get(&supported, `SELECT count(DISTINCT g.participant_id) FROM grants g JOIN funds f ON f.id = g.fund_id WHERE f.donor_id = $1`, donor)
	impact := timeIt(3, func() {
		im, err := store.Impact(ctx, donor, size.First, size.Last, today)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := im.PDF("th"); err != nil {
			log.Fatal(err)
		}
		_ = im.CSV("th")
	})
	rows = append(rows, row{fmt.Sprintf("impact report, donor %d (%d participants supported, %d months, figures + PDF + CSV)", donor, supported, months),
		ms(impact), ms(time.Duration(float64(impact)*scale)) + " (linear in the donor's participants)", fmt.Sprintf("goal ≤ 2 s: %s", benchdb.Verdict(impact <= 2*time.Second))})

	// 3. The programme's trial balance.
	programme := prog.ID
	tb := timeIt(*runs, func() {
		if _, err := ls.TrialBalance(ctx, programme, today); err != nil {
			log.Fatal(err)
		}
	})
	rows = append(rows, row{fmt.Sprintf("programme trial balance (the book of %d grants)", size.Grants), ms(tb),
		"same (snapshot of the last closed month + the open month's lines)", ""})

	// 4. POST /api/v1/entries against the real binary on this data.
	p50, p99, n := postEntries(ctx, bin, dbURL, db, *clients, *duration)
	rows = append(rows, row{fmt.Sprintf("POST /api/v1/entries, %d vendors at once, %s (%d entries)", *clients, *duration, n),
		"p50 " + ms(p50) + ", p99 " + ms(p99), "same (one vendor's balances and index lookups)", ""})

	// 5. Every vendor's statement for the last month, with the command's peak RSS.
	if !*skipAll {
		dir, err := os.MkdirTemp("", "bench-scale-statements-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		fmt.Printf("hawker statements --month %s for %d vendors...\n", size.Last.Format("2006-01"), size.Vendors)
		cmd := exec.Command(bin, "statements", "--month", size.Last.Format("2006-01"), "--out", dir)
		cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "LOG_LEVEL=warn")
		cmd.Stderr = os.Stderr
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			log.Fatalf("statements: %v", err)
		}
		took := time.Since(t0)
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss / 1024
		files, _ := os.ReadDir(dir)
		rows = append(rows, row{fmt.Sprintf("hawker statements, every vendor of %s (%d files)", size.Last.Format("2006-01"), len(files)),
			fmt.Sprintf("%s (%.1f/s), peak RSS %d MB", took.Round(time.Second), float64(len(files)/2)/took.Seconds(), rss),
			fmt.Sprintf("%s, peak RSS the same (streamed)", (time.Duration(float64(took) * scale)).Round(time.Minute)),
			fmt.Sprintf("RSS goal ≤ 200 MB: %s", benchdb.Verdict(rss <= 200))})
	}

	// 6. Size.
	vendorYears := float64(size.Vendors) * float64(months) / 12
	perVY := float64(size.Bytes) / vendorYears
	rows = append(rows, row{fmt.Sprintf("database size (%d vendors × %d months)", size.Vendors, months),
		fmt.Sprintf("%.2f GB, %.0f kB per vendor-year", float64(size.Bytes)/1e9, perVY/1e3),
		fmt.Sprintf("%.0f GB for 100,000 vendors × %d months", perVY*100000*float64(months)/12/1e9, months), ""})

	fmt.Printf("\n%-100s | %-34s | %-50s | %s\n", "figure", "measured", "projected to 100,000 vendors", "goal")
	for _, r := range rows {
		fmt.Printf("%-100s | %-34s | %-50s | %s\n", r.what, r.measured, r.projected, r.goal)
	}
	var top []struct {
		Name  string `db:"name"`
		Bytes int64  `db:"bytes"`
	}
	db.Select(&top, `SELECT relname AS name, pg_total_relation_size(oid) AS bytes FROM pg_class WHERE relkind = 'r' ORDER BY 2 DESC LIMIT 6`)
	fmt.Print("\nlargest tables (with their indexes):")
	for _, t := range top {
		fmt.Printf(" %s %.2f GB;", t.Name, float64(t.Bytes)/1e9)
	}
	fmt.Printf("\nload average at the end: %s\n", loadavg())
}

type row struct{ what, measured, projected, goal string }

// postEntries starts `hawker serve` on the database, gives clients seeded
// vendors a login (made once, kept), and posts entries for duration.
func postEntries(ctx context.Context, bin, dbURL string, db *sqlx.DB, clients int, duration time.Duration) (p50, p99 time.Duration, n int) {
	const password = "bench-scale-password"
	var ids []int64
	if err := db.Select(&ids, `SELECT participant_id FROM vendor_books ORDER BY participant_id LIMIT $1`, clients); err != nil {
		log.Fatal(err)
	}
	us := users.NewStore(db)
	logins := make([]string, len(ids))
	for i, id := range ids {
		logins[i] = fmt.Sprintf("scalebench%d", i+1)
		if _, err := us.ByLogin(ctx, logins[i]); err == nil {
			continue
		}
		id := id
		if _, err := us.Add(ctx, users.New{Login: logins[i], Name: logins[i], Role: users.Vendor, Password: password, ParticipantID: &id}); err != nil {
			log.Fatal(err)
		}
	}
	addr := benchdb.FreeAddr()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "HAWKER_ADDR="+addr, "HAWKER_METRICS_ADDR=off", "HAWKER_DEV=1", "LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	base := "http://" + addr
	benchdb.WaitReady(base)
	today := thai.Today(time.Now()).Format(time.DateOnly)
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	deadline := time.Now().Add(duration)
	for _, login := range logins {
		c := signIn(base, login, password)
		c.post(today) // warm-up
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if st := c.post(today); st != http.StatusCreated {
					log.Fatalf("POST /api/v1/entries: status %d", st)
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		log.Fatal("no entries posted")
	}
	return lat[len(lat)/2], lat[(len(lat)-1)*99/100], len(lat)
}

type client struct {
	hc   *http.Client
	base string
	csrf string
}

func signIn(base, login, password string) *client {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	body, _ := json.Marshal(map[string]string{"login": login, "password": password})
	resp, err := hc.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		log.Fatalf("sign in %s: status %d, %v", login, resp.StatusCode, err)
	}
	if _, err := url.Parse(base); err != nil {
		log.Fatal(err)
	}
	return &client{hc: hc, base: base, csrf: out.CSRF}
}

func (c *client) post(today string) int {
	body := fmt.Sprintf(`{"date":"%s","kind":"sale","amount":"125.50","method":"cash"}`, today)
	req, _ := http.NewRequest(http.MethodPost, c.base+"/api/v1/entries", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.Header.Set("Idempotency-Key", uuid.NewString())
	resp, err := c.hc.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// timeIt runs fn once to warm up, then runs times, and returns the median.
func timeIt(runs int, fn func()) time.Duration {
	fn()
	ds := make([]time.Duration, runs)
	for i := range ds {
		t0 := time.Now()
		fn()
		ds[i] = time.Since(t0)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month()) + 1
}

func ms(d time.Duration) string {
	if d >= 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}
