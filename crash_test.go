package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"hawker/thai"
)

// op is one request a client made, as many times as it took to get an answer.
type op struct {
	kind     string // entry, void, disburse, job
	key      string // Idempotency-Key (entry, disburse)
	target   int64  // the entry voided, the grant disbursed, the job
	n        int    // the tranche
	attempts int    // how many times it was sent
	status   int    // the last answer's status (0: none)
	acked    bool   // a 2xx (or, for a job, its 303) came back
	retried  bool   // sent again after an attempt that got no answer
}

// crashLedger collects the ops of every client.
type crashLedger struct {
	mu    sync.Mutex
	ops   []*op
	sent  atomic.Int64 // requests sent, attempts included
	nAcks atomic.Int64 // operations acknowledged so far
	bad   []string     // answers no client should get (5xx but 503)
}

func (l *crashLedger) add(o *op) {
	l.mu.Lock()
	l.ops = append(l.ops, o)
	l.mu.Unlock()
}

func (l *crashLedger) badAnswer(format string, args ...any) {
	l.mu.Lock()
	l.bad = append(l.bad, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *crashLedger) acked() int { return int(l.nAcks.Load()) }

// TestCrashLosesNothing (issue 15, point 2) runs the real binary on a copy
// of the demo programme while vendors record and void entries, an officer
// releases grant tranches and a manager starts statement jobs, all at once,
// and kills the server with SIGKILL mid-flight SOAK_KILLS times (5 by
// default), starting it again each time. A client whose request got no
// answer sends it again, with the same Idempotency-Key and body, until it
// gets one. Afterwards every acknowledged request exists exactly once,
// every retried one at most once, every job has finished, and `hawker
// ledger verify` and `hawker audit verify` pass.
func TestCrashLosesNothing(t *testing.T) {
	t.Parallel()
	kills := envInt("SOAK_KILLS", 5)
	u := demoURL(t)
	db := openDB(t, u)
	h := newHawker(t, u)
	h.Start()
	today := thai.Today(time.Now()).Format(time.DateOnly)
	lastMonth := thai.Today(time.Now()).AddDate(0, -1, 0).Format("2006-01")

	signIn := func(login string) *apiClient {
		c := newAPIClient(h.Base)
		c.signIn(t, login, stressPassword)
		return c
	}
	officer, officer2, manager := signIn("officer"), signIn("officer2"), signIn("manager")

	// Grants to release: small ones (one approval), three tranches each,
	// for participants the programme finds eligible, from a fund with money.
	var fund int64
	if err := db.Get(&fund, `SELECT id FROM funds ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	var codes []string
	if err := db.Select(&codes, `SELECT code FROM participants ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	type tranche struct {
		grant int64
		n     int
	}
	var tranches []tranche
	for _, code := range codes {
		if len(tranches) >= 12 {
			break
		}
		st, body, err := officer.call("POST", "/api/v1/grants", map[string]any{"participant": code, "fund": fund, "purpose": "ทดสอบการล่ม",
			"tranches": []map[string]string{{"amount": "100.00", "condition": "on_approval"}, {"amount": "50.00", "condition": "on_approval"}, {"amount": "25.00", "condition": "on_approval"}}}, "")
		if err != nil || st != 201 {
			continue // not eligible, or a grant already open
		}
		g := idOf(body)
		if st, body, err := officer.call("POST", fmt.Sprintf("/api/v1/grants/%d/submit", g), nil, ""); err != nil || st != 200 {
			t.Fatalf("submit grant %d: %d %v %s", g, st, err, body)
		}
		if st, body, err := officer2.call("POST", fmt.Sprintf("/api/v1/grants/%d/approve", g), nil, ""); err != nil || st != 200 {
			t.Fatalf("approve grant %d: %d %v %s", g, st, err, body)
		}
		for n := 1; n <= 3; n++ {
			tranches = append(tranches, tranche{g, n})
		}
	}
	if len(tranches) == 0 {
		t.Fatal("no participant of the demo could be given a grant")
	}

	l := &crashLedger{}
	stop := make(chan struct{})
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	// send tries o until it gets an answer that is not 503, whatever
	// happens to the server meanwhile; the same key and body each time.
	send := func(c *apiClient, o *op, method, path string, body any) []byte {
		deadline := time.Now().Add(3 * time.Minute)
		for {
			o.attempts++
			l.sent.Add(1)
			st, b, err := c.call(method, path, body, o.key)
			if err == nil && st != 503 {
				o.status = st
				o.acked = st >= 200 && st < 300
				if o.acked {
					l.nAcks.Add(1)
				}
				if st >= 500 {
					l.badAnswer("%s %s: %d %s", method, path, st, b)
				}
				return b
			}
			if err != nil {
				o.retried = true
			}
			if time.Now().After(deadline) {
				l.badAnswer("%s %s: no answer for 3 minutes: %v", method, path, err)
				return nil
			}
			waitABit(20 * time.Millisecond)
		}
	}

	var wg sync.WaitGroup
	// Vendors: entries, every third one voided.
	for v := 1; v <= 3; v++ {
		c := signIn(fmt.Sprintf("vendor%d", v))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stopped(); i++ {
				kinds := []map[string]string{
					{"kind": "sale", "method": "cash"}, {"kind": "expense", "category": "ice"}, {"kind": "sale", "method": "promptpay"}, {"kind": "drawing"}}
				body := kinds[i%len(kinds)]
				body["date"], body["amount"], body["note"] = today, fmt.Sprintf("%d.%02d", 10+i%90, i%100), "crash "+c.login
				o := &op{kind: "entry", key: uuid.NewString()}
				l.add(o)
				b := send(c, o, "POST", "/api/v1/entries", body)
				if !o.acked || i%3 != 2 {
					continue
				}
				v := &op{kind: "void", target: idOf(b)}
				l.add(v)
				send(c, v, "POST", fmt.Sprintf("/api/v1/entries/%d/void", v.target), map[string]string{"reason": "บันทึกผิด"})
			}
		}()
	}
	// The officer releases tranches, one after another.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, tr := range tranches {
			if stopped() {
				return
			}
			o := &op{kind: "disburse", key: uuid.NewString(), target: tr.grant, n: tr.n}
			l.add(o)
			send(officer, o, "POST", fmt.Sprintf("/api/v1/grants/%d/tranches/%d/disburse", tr.grant, tr.n), nil)
		}
	}()
	// The manager starts a statement job for last month, waits for its end
	// (through restarts), and starts another.
	var jobs []int64
	var jobsMu sync.Mutex
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stopped() {
			o := &op{kind: "job", attempts: 1}
			l.add(o)
			l.sent.Add(1)
			st, hdr, _, err := manager.form("/statements", url.Values{"month": {lastMonth}})
			if err != nil {
				o.retried = true // not sent again: a job started twice is only work done twice
				waitABit(50 * time.Millisecond)
				continue
			}
			o.status = st
			loc := hdr.Get("Location")
			if st != 303 || !strings.HasPrefix(loc, "/statements/jobs/") {
				if st >= 500 && st != 503 {
					l.badAnswer("POST /statements: %d", st)
				}
				waitABit(50 * time.Millisecond)
				continue
			}
			o.acked = true
			l.nAcks.Add(1)
			fmt.Sscanf(strings.TrimPrefix(loc, "/statements/jobs/"), "%d", &o.target)
			jobsMu.Lock()
			jobs = append(jobs, o.target)
			jobsMu.Unlock()
			for !stopped() {
				st, b, err := manager.call("GET", fmt.Sprintf("/api/v1/statement-jobs/%d", o.target), nil, "")
				var j struct{ State string }
				if err == nil && st == 200 && json.Unmarshal(b, &j) == nil && (j.State == "done" || j.State == "failed") {
					break
				}
				waitABit(50 * time.Millisecond)
			}
		}
	}()

	// The kills: each once the clients have had answers since the last
	// start, and every other one while a statement job is running.
	for k := 0; k < kills; k++ {
		before := l.acked()
		deadline := time.Now().Add(2 * time.Minute)
		for l.acked() < before+8 && time.Now().Before(deadline) {
			waitABit(10 * time.Millisecond)
		}
		if k%2 == 1 {
			for time.Now().Before(deadline) {
				var running bool
				if err := db.Get(&running, `SELECT EXISTS (SELECT 1 FROM report_jobs WHERE state = 'running')`); err == nil && running {
					break
				}
				waitABit(10 * time.Millisecond)
			}
		}
		h.Kill()
		h.Start()
	}
	// A last stretch of work on the final life, then the clients stop.
	before := l.acked()
	for deadline := time.Now().Add(time.Minute); l.acked() < before+8 && time.Now().Before(deadline); {
		waitABit(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	// Every job ends, the interrupted ones resumed by the restarted server.
	var unfinished int
	for deadline := time.Now().Add(3 * time.Minute); ; {
		if err := db.Get(&unfinished, `SELECT count(*) FROM report_jobs WHERE state IN ('queued', 'running')`); err != nil {
			t.Fatal(err)
		}
		if unfinished == 0 || time.Now().After(deadline) {
			break
		}
		waitABit(100 * time.Millisecond)
	}
	if unfinished != 0 {
		t.Errorf("%d statement jobs never finished", unfinished)
	}
	var failedJobs, resumedJobs int
	db.Get(&failedJobs, `SELECT count(*) FROM report_jobs WHERE state = 'failed'`)
	db.Get(&resumedJobs, `SELECT count(*) FROM report_jobs WHERE attempts > 1`)
	if failedJobs != 0 {
		t.Errorf("%d statement jobs failed", failedJobs)
	}
	for _, id := range jobs {
		var state string
		if err := db.Get(&state, `SELECT state FROM report_jobs WHERE id = $1`, id); err != nil || state != "done" {
			t.Errorf("acknowledged job %d: state %q (%v)", id, state, err)
		}
	}

	// Each request against the database.
	var acked, retried, lost, doubled int
	for _, o := range l.ops {
		if o.acked {
			acked++
		}
		if o.retried {
			retried++
		}
		var n int
		switch o.kind {
		case "entry":
			db.Get(&n, `SELECT count(*) FROM vendor_entries WHERE idempotency_key = $1`, o.key)
		case "void":
			if o.target == 0 {
				continue
			}
			db.Get(&n, `SELECT count(*) FROM vendor_voids WHERE vendor_entry_id = $1`, o.target)
			if !o.acked && o.retried && o.status == 409 {
				// Voided by the attempt whose answer was lost; the retry found it done.
				o.acked = n == 1
			}
		case "disburse":
			db.Get(&n, `SELECT count(*) FROM grant_tranches WHERE grant_id = $1 AND n = $2 AND state = 'disbursed' AND idempotency_key = $3`, o.target, o.n, o.key)
		case "job":
			if !o.acked {
				continue
			}
			db.Get(&n, `SELECT count(*) FROM report_jobs WHERE id = $1`, o.target)
		}
		switch {
		case o.acked && n != 1:
			lost++
			t.Errorf("%s %s (grant/entry/job %d, tranche %d) was acknowledged (%d) but exists %d times", o.kind, o.key, o.target, o.n, o.status, n)
		case n > 1:
			doubled++
			t.Errorf("%s %s (retried %v) exists %d times", o.kind, o.key, o.retried, n)
		}
	}
	// Nothing exists that no client asked for.
	var entriesNow, entriesAsked int
	if err := db.Get(&entriesNow, `SELECT count(*) FROM vendor_entries WHERE note LIKE 'crash vendor%'`); err != nil {
		t.Fatal(err)
	}
	for _, o := range l.ops {
		if o.kind == "entry" && o.status != 0 && o.status < 300 {
			entriesAsked++
		}
	}
	if entriesNow != entriesAsked {
		t.Errorf("%d entries in the books, %d acknowledged", entriesNow, entriesAsked)
	}
	for _, b := range l.bad {
		t.Error(b)
	}
	if code, out := h.hawkerCmd("", "ledger", "verify"); code != 0 || !strings.Contains(out, "0 mismatches") {
		t.Errorf("hawker ledger verify after %d kills: exit %d\n%s", kills, code, out)
	}
	if code, out := h.hawkerCmd("", "audit", "verify"); code != 0 {
		t.Errorf("hawker audit verify after %d kills: exit %d\n%s", kills, code, out)
	}
	noSecretsIn(t, h.Log.String(), officer, officer2, manager)
	t.Logf("crash: %d requests sent (%d operations, %d acknowledged, %d retried after a lost answer), %d kills survived, %d jobs (%d resumed after a kill), lost %d, doubled %d",
		l.sent.Load(), len(l.ops), acked, retried, kills, len(jobs), resumedJobs, lost, doubled)
}
