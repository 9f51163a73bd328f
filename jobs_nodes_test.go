package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hawker/audit"
	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/pg/pgtest"
	"hawker/reports"
	"hawker/thai"
	"hawker/users"
	"hawker/vendors"
)

// TestTwoServersShareJobs: two `hawker serve` processes (the real binary)
// on one database share the job queue. Of several statements jobs each is
// claimed once and finished by one process; the process running the big
// one is killed with SIGKILL half-way, and the other takes it over once
// its heartbeat is stale and finishes it, skipping what was done. Sessions
// and sign-in limits are shared too: any node serves any request.
func TestTwoServersShareJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, url := pgtest.NewURL(t)
	bin := filepath.Join(t.TempDir(), "hawker")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// 120 vendors with a closed month.
	vs := vendors.NewStore(db)
	today := thai.Today(time.Now())
	month := ledger.MonthOf(today).AddDate(0, -1, 0)
	var entries []vendors.Entry
	var codes []string
	for i := range 120 {
		phone := fmt.Sprintf("08%08d", 41000000+i)
		p, err := participants.NewStore(db).Enrol(ctx, audit.System, participants.Participant{
			Name: fmt.Sprintf("แม่ค้า งาน %d", i), Phone: &phone, Province: "กรุงเทพมหานคร", District: "บางรัก",
			Cohort: "2569-1", EnrolledOn: month.AddDate(0, -1, 0), Language: "th"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, p.Code)
		for d := range 20 {
			e, err := vendors.NewEntry(p.ID, p.Code, month.AddDate(0, 0, d), vendors.Sale, money.Satang(int64(10000+i*31+d*7)), "cash", "", fmt.Sprintf("j:%d:%d", i, d))
			if err != nil {
				t.Fatal(err)
			}
			entries = append(entries, e)
		}
	}
	if _, err := vs.RecordBulk(ctx, entries, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := vs.Ledger().CloseMonth(ctx, audit.System, month, time.Now()); err != nil {
		t.Fatal(err)
	}

	// Two nodes.
	type node struct {
		cmd  *exec.Cmd
		log  *strings.Builder
		base string
	}
	start := func() node {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		var log strings.Builder
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "HAWKER_ADDR="+addr, "HAWKER_METRICS_ADDR=off", "HAWKER_DEV=1",
			"LOG_LEVEL=info", "LOG_FORMAT=text", "HAWKER_JOB_STALE_AFTER=3s")
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		deadline := time.Now().Add(2 * time.Minute)
		for {
			resp, err := http.Get("http://" + addr + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return node{cmd, &log, "http://" + addr}
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("serve did not get ready: %v", err)
			}
			time.Sleep(50 * time.Millisecond) // polling a condition
		}
	}
	a, b := start(), start()

	// Sessions and sign-in limits live in PostgreSQL: a session made on one
	// node serves on the other and ends on both, and failed sign-ins on
	// one node count on the other.
	if _, err := users.NewStore(db).Add(ctx, users.New{Login: "nodes-officer", Name: "เจ้าหน้าที่ สองเครื่อง", Role: users.Officer, Password: "two-nodes-password"}); err != nil {
		t.Fatal(err)
	}
	login := func(n node, password string) (int, *http.Cookie, string) {
		t.Helper()
		body := fmt.Sprintf(`{"login": "nodes-officer", "password": %q}`, password)
		resp, err := http.Post(n.base+"/api/v1/login", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			CSRF string `json:"csrf_token"`
		}
		json.NewDecoder(resp.Body).Decode(&out)
		for _, c := range resp.Cookies() {
			if c.Value != "" {
				return resp.StatusCode, c, out.CSRF
			}
		}
		return resp.StatusCode, nil, out.CSRF
	}
	call := func(n node, method, path string, cookie *http.Cookie, csrf string) int {
		t.Helper()
		req, _ := http.NewRequest(method, n.base+path, nil)
		req.AddCookie(cookie)
		req.Header.Set("X-CSRF-Token", csrf)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	st, cookie, csrf := login(a, "two-nodes-password")
	if st != http.StatusOK || cookie == nil {
		t.Fatalf("sign in on the first node: %d", st)
	}
	if st := call(b, "GET", "/api/v1/me", cookie, ""); st != http.StatusOK {
		t.Errorf("the first node's session on the second: %d", st)
	}
	if st := call(b, "POST", "/api/v1/logout", cookie, csrf); st >= 300 {
		t.Errorf("sign out on the second node: %d", st)
	}
	if st := call(a, "GET", "/api/v1/me", cookie, ""); st != http.StatusUnauthorized {
		t.Errorf("a session ended on the second node, on the first: %d; want 401", st)
	}
	for i := range 3 {
		if st, _, _ := login(a, "wrong-password"); st != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d on the first node: %d", i+1, st)
		}
	}
	// Three failures back off the next attempt (a second, then two, then
	// four, …). A node counting alone would answer its own first three
	// failures with 401; the second node refuses by its second or third
	// attempt because it counts the first node's. Two of its own are
	// allowed because on a loaded machine a back-off can lapse before the
	// next attempt arrives; the doubling closes that gap, and timing
	// cannot make a node that counts alone answer 429 this early.
	seen := 0
	for {
		st, _, _ := login(b, "wrong-password")
		if st == http.StatusTooManyRequests {
			break
		}
		if seen++; st != http.StatusUnauthorized || seen > 2 {
			t.Fatalf("the second node after 3 failures on the first: %d (its own failures: %d); want 429", st, seen)
		}
	}

	// The big job first, then one vendor's statements at a time.
	q := reports.NewQueue(db)
	m := month.Format("2006-01")
	big, err := q.Enqueue(ctx, reports.KindStatements, reports.BulkParams{Month: m}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var small []int64
	for _, c := range codes[:6] {
		j, err := q.Enqueue(ctx, reports.KindStatements, reports.BulkParams{Month: m, Participant: c}, 0)
		if err != nil {
			t.Fatal(err)
		}
		small = append(small, j.ID)
	}

	// Kill whichever node runs the big job once it has done some of it.
	var first reports.Job
	for deadline := time.Now().Add(2 * time.Minute); ; {
		if first, err = q.Job(ctx, big.ID); err != nil {
			t.Fatal(err)
		}
		if first.State == reports.JobRunning && first.Done >= 5 {
			break
		}
		if first.Finished() || time.Now().After(deadline) {
			t.Fatalf("the big job is %s with %d of %d done before it could be killed", first.State, first.Done, first.Total)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition
	}
	victim, survivor := a, b
	if !strings.HasSuffix(first.Worker, ":"+strconv.Itoa(a.cmd.Process.Pid)) {
		victim, survivor = b, a
	}
	if !strings.HasSuffix(first.Worker, ":"+strconv.Itoa(victim.cmd.Process.Pid)) {
		t.Fatalf("the big job's worker %q is neither node (%d, %d)", first.Worker, a.cmd.Process.Pid, b.cmd.Process.Pid)
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim.cmd.Wait()
	killedAt, _ := q.Job(ctx, big.ID)
	t.Logf("killed node %d running job %d at %d of %d", victim.cmd.Process.Pid, big.ID, killedAt.Done, killedAt.Total)

	var done reports.Job
	for deadline := time.Now().Add(3 * time.Minute); ; {
		if done, err = q.Job(ctx, big.ID); err != nil {
			t.Fatal(err)
		}
		if done.Finished() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the big job was not finished by the other node: %+v", done)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition
	}
	if done.State != reports.JobDone || done.Done != 120 || done.Attempts != 2 ||
		!strings.HasSuffix(done.Worker, ":"+strconv.Itoa(survivor.cmd.Process.Pid)) {
		t.Errorf("big job after the kill: %+v; want done, 120 of 120, 2 attempts, by node %d", done, survivor.cmd.Process.Pid)
	}
	var items, files int
	db.Get(&items, `SELECT count(*) FROM report_job_items WHERE job_id = $1`, big.ID)
	db.Get(&files, `SELECT count(*) FROM report_job_files WHERE job_id = $1`, big.ID)
	if items != 120 || files != 240 {
		t.Errorf("big job kept %d items and %d files; want 120 and 240", items, files)
	}
	// Every small job ran once, on one node or the other.
	for deadline := time.Now().Add(2 * time.Minute); ; {
		var open int
		db.Get(&open, `SELECT count(*) FROM report_jobs WHERE state IN ('queued', 'running')`)
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs still open", open)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition
	}
	byNode := map[int]int{}
	for _, id := range small {
		j, err := q.Job(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != reports.JobDone || j.Attempts != 1 || j.Done != 1 {
			t.Errorf("job %d: %s, %d attempts, %d done; want done once", id, j.State, j.Attempts, j.Done)
		}
		pid, _ := strconv.Atoi(j.Worker[strings.LastIndex(j.Worker, ":")+1:])
		byNode[pid]++
	}
	// Each finished job is in one node's log, once (read once both stopped).
	survivor.cmd.Process.Signal(syscall.SIGTERM)
	survivor.cmd.Wait()
	for _, id := range append(small, big.ID) {
		n := strings.Count(a.log.String(), fmt.Sprintf("job=%d kind=statements", id)) + strings.Count(b.log.String(), fmt.Sprintf("job=%d kind=statements", id))
		if n != 1 {
			t.Errorf("job %d finished %d times in the nodes' logs", id, n)
		}
	}
	t.Logf("small jobs by node: %v", byNode)
}
