package app

import (
	"bufio"
	"bytes"
	"encoding/csv"
	stdjson "encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/thai"
	"hawker/users"
)

// varied is n Thai letters that do not repeat in a pattern, so that
// PostgreSQL cannot compress them below its index row limit.
func varied(n int) string {
	var b strings.Builder
	x := uint32(12345)
	for range n {
		x = x*1664525 + 1013904223
		b.WriteRune(rune(0x0e01 + (x>>16)%46))
	}
	return b.String()
}

// TestHostileInputIsRefused: NUL bytes, bytes that are not UTF-8 and
// overlong values in paths, queries, forms and JSON are a 4xx, never a 500.
func TestHostileInputIsRefused(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	code := f.participant["vendor"].Code
	today := thai.Today(f.clock.Now()).Format(time.DateOnly)
	officer, vendor, admin := f.as("officer"), f.as("vendor"), f.as("admin")
	anon := f.anon()
	anon.page("/login")
	json := func(c *client, path, body string) func() (int, string) {
		return func() (int, string) {
			r := c.do("POST", path, strings.NewReader(body), map[string]string{
				"Content-Type": "application/json", "X-CSRF-Token": c.csrf, "Idempotency-Key": "hostile-1"})
			return r.StatusCode, readBody(t, r)
		}
	}
	form := func(c *client, path string, v url.Values) func() (int, string) {
		return func() (int, string) { r := c.form(path, v); return r.StatusCode, readBody(t, r) }
	}
	get := func(c *client, path string) func() (int, string) {
		return func() (int, string) { r := c.do("GET", path, nil, nil); return r.StatusCode, readBody(t, r) }
	}
	cases := []struct {
		name string
		do   func() (int, string)
		want int
	}{
		{"form login with NUL", form(anon, "/login", url.Values{"login": {"ad\x00min"}, "password": {"x"}}), 400},
		{"form login not UTF-8", form(anon, "/login", url.Values{"login": {"\xff\xfe"}, "password": {"x"}}), 400},
		{"overlong login", form(anon, "/login", url.Values{"login": {varied(5000)}, "password": {"x"}}), 401},
		{"API login with NUL", json(anon, "/api/v1/login", `{"login":"\u0000","password":"x"}`), 400},
		{"search with NUL", get(officer, "/participants?q=%00"), 400},
		{"search not UTF-8", get(officer, "/participants?q=%FF"), 400},
		{"cohort filter with NUL", get(officer, "/participants?cohort=%00"), 400},
		{"path not UTF-8", get(officer, "/participants/%FF%FE"), 400},
		{"audit filter with NUL", get(admin, "/admin/audit?object=%00"), 400},
		{"enrolment with NUL", json(officer, "/api/v1/participants",
			`{"name":"a\u0000","nickname":"b","phone":"0812345670","province":"x","district":"y","cohort":"z","enrolled_on":"2026-01-01","language":"th"}`), 400},
		{"training with NUL", json(officer, "/api/v1/participants/"+code+"/training",
			`{"module":1,"completed_on":"2026-01-01","passed":true,"score":85,"certificate_no":"\u0000"}`), 400},
		{"entry note with NUL", json(vendor, "/api/v1/entries", `{"kind":"sale","method":"cash","amount":"10","note":"\u0000"}`), 400},
		{"user form with NUL", form(admin, "/admin/users", url.Values{"login": {"x\x00"}, "role": {"officer"}}), 400},
		{"overlong form key", form(vendor, "/books/entries", url.Values{"kind": {"sale"}, "method": {"cash"}, "amount": {"10"}, "key": {varied(3000)}}), 400},
		{"Idempotency-Key not UTF-8", func() (int, string) {
			r := vendor.do("POST", "/api/v1/entries", strings.NewReader(`{"kind":"sale","method":"cash","amount":"10","date":"`+today+`"}`),
				map[string]string{"Content-Type": "application/json", "X-CSRF-Token": vendor.csrf, "Idempotency-Key": "\xff\xfe"})
			return r.StatusCode, readBody(t, r)
		}, 400},
		// An escaped backslash before "u0000" is no NUL.
		{"escaped backslash is fine", json(vendor, "/api/v1/entries", `{"kind":"sale","method":"cash","amount":"10","date":"`+today+`","note":"a\\u0000"}`), 201},
	}
	for _, tc := range cases {
		if got, body := tc.do(); got != tc.want {
			t.Errorf("%s: status %d, want %d; body %.200s", tc.name, got, tc.want, body)
		}
	}
}

func TestJSONHasNUL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		`{"a":"\u0000"}`:         true,
		`{"a":"x\u0000y"}`:       true,
		`{"a":"\\u0000"}`:        false,
		`{"a":"\\\u0000"}`:       true,
		`{"a":"\u00001"}`:        true,
		`{"a":"\u0001"}`:         false,
		`{"a":"\"","b":"u0000"}`: false,
	} {
		if got := jsonHasNUL([]byte(in)); got != want {
			t.Errorf("jsonHasNUL(%s) = %v, want %v", in, got, want)
		}
	}
}

// TestVoidReasonIsBounded: a void's reason goes to the ledger and the audit
// trail, both forever; it is required and at most 200 characters, on the
// API and on the page.
func TestVoidReasonIsBounded(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	v := f.as("vendor")
	today := thai.Today(f.clock.Now()).Format(time.DateOnly)
	resp := v.do("POST", "/api/v1/entries", strings.NewReader(`{"kind":"sale","method":"cash","amount":"10","date":"`+today+`"}`),
		map[string]string{"Content-Type": "application/json", "X-CSRF-Token": v.csrf, "Idempotency-Key": "bounded-1"})
	var e struct{ ID int64 }
	if err := stdjson.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != 201 {
		t.Fatalf("entry: %d %v", resp.StatusCode, err)
	}
	api, page := fmt.Sprintf("/api/v1/entries/%d/void", e.ID), fmt.Sprintf("/books/entries/%d/void", e.ID)
	if resp := v.api("POST", api, map[string]string{"reason": varied(201)}); resp.StatusCode != 422 || apiError(t, resp) != "invalid" {
		t.Errorf("API void with a 201-character reason: %d", resp.StatusCode)
	}
	if resp := v.api("POST", api, map[string]string{"reason": "  "}); resp.StatusCode != 422 {
		t.Errorf("API void with a blank reason: %d", resp.StatusCode)
	}
	resp = v.form(page, url.Values{"reason": {varied(201)}})
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "200") {
		t.Errorf("page void with a 201-character reason: %d", resp.StatusCode)
	}
	if resp := v.form(page, url.Values{"reason": {varied(200)}}); resp.StatusCode != 303 {
		t.Errorf("page void with a 200-character reason: %d", resp.StatusCode)
	}
}

// hostileValues are the JSON values the fuzzer puts in every field: huge,
// negative, zero and fractional numbers, exponents, NaN and infinities
// (as numbers and strings), dates out of range, SQL- and script-like
// strings, a right-to-left override, a lone surrogate, wrong types and an
// overlong string.
var hostileValues = []string{
	`1e400`, `-1`, `0`, `-0.0`, `0.001`, `1e-9`, `123456789012345678901234567890`, `99999999999999999.99`, `1e5`,
	`"NaN"`, `"Infinity"`, `"-Infinity"`, `"1e5"`, `"-5.00"`, `"0"`, `"0.001"`, `"99999999999999999999.99"`, `"  12 "`,
	`"0000-01-01"`, `"9999-12-31"`, `"0000-01"`, `"9999-12"`, `"2026-02-30"`, `"-2026-01-01"`,
	`"' OR 1=1; DROP TABLE users; --"`, `"Robert'); DELETE FROM participants; --"`,
	`"<script>alert('hawker')</script>"`, `"<img src=x onerror=alert(1)>"`, `"=HYPERLINK(\"http://evil\",\"x\")"`, `"@SUM(1+1)"`,
	`"\u202eevil\u202c"`, `"\ud800"`, `true`, `[]`, `{}`, `null`, `[1,2,3]`, `{"a":{"b":[{}]}}`,
}

// hostileFields are the field names of every JSON body and form in
// interfaces.md and the pages: the fuzzer fills them all at once.
var hostileFields = []string{
	"participant", "date", "kind", "amount", "category", "method", "note", "reason", "name", "nickname", "phone", "province",
	"district", "cohort", "enrolled_on", "language", "purpose", "given", "module", "completed_on", "passed", "score",
	"business", "menu", "location", "days_per_month", "expected_daily_sales", "ingredient_cost_pct", "monthly_fixed_costs",
	"startup_items", "donor", "fund", "received_on", "tranches", "equipment", "handed_over_on", "received_by", "comment",
	"login", "password", "role", "month", "key", "promptpay", "pin", "current", "new", "confirm", "threshold", "lang",
	"condition", "after_date", "trading_days", "milestone", "items", "description", "asset_tag", "serial", "value", "basis",
	"acceptance", "to", "from", "q", "participants", "required", "validity_months", "name_th", "name_en",
}

// hostileBodies are the JSON bodies sent to every JSON route: broken ones,
// then one object per hostile value with every field set to it and an
// unknown field besides.
func hostileBodies() [][]byte {
	bodies := [][]byte{[]byte(`{`), []byte(`[]`), []byte(`null`), []byte(`"x"`), []byte(``), []byte(`{"amount":"1"}{"x":1}`),
		[]byte(`{"note":"` + "\xff\xfe" + `"}`), []byte(`{"amount":NaN}`), []byte(`{"amount":Infinity}`), []byte(`{"amount":01}`),
		[]byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000)),
		append(append([]byte(`{"note":"`), bytes.Repeat([]byte("a"), 10<<20)...), `"}`...)}
	for _, v := range hostileValues {
		var b strings.Builder
		b.WriteString(`{"zzz_unknown_field":{"x":1}`)
		for _, f := range hostileFields {
			fmt.Fprintf(&b, `,%q:%s`, f, v)
		}
		b.WriteString("}")
		bodies = append(bodies, []byte(b.String()))
	}
	return bodies
}

// hostileStrings are what the fuzzer puts in forms, queries and paths.
var hostileStrings = []string{"", "0", "-1", "1e400", "99999999999999999999", "NaN", "0000-01", "9999-12", "0000-01-01", "9999-12-31",
	"2026-13", "' OR 1=1 --", "<script>alert('hawker')</script>", "=HYPERLINK(\"x\")", "\u202eevil", "\xff\xfe", varied(20)}

// hostileFormStrings adds to hostileStrings what only a body can carry (a
// request line or query of that size is refused before any handler).
var hostileFormStrings = append(append([]string{}, hostileStrings...), varied(3000))

// fuzzOutcome checks one answer: never a 5xx; a refusal is the JSON error
// shape under /api and a page elsewhere.
func fuzzOutcome(t *testing.T, what string, resp *http.Response) {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		t.Errorf("%s: %d %.300s", what, resp.StatusCode, body)
		return
	}
	if resp.StatusCode < 400 {
		return
	}
	if strings.Contains(what, " /api/") {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := stdjson.Unmarshal(body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Errorf("%s: %d without the JSON error shape: %.300s", what, resp.StatusCode, body)
		}
		return
	}
	if ct := resp.Header.Get("Content-Type"); resp.Request != nil && resp.Request.Method != "HEAD" && !strings.HasPrefix(ct, "text/html") && len(body) > 0 {
		t.Errorf("%s: %d refused with %s, want a page: %.200s", what, resp.StatusCode, ct, body)
	}
}

// rowCounts counts the rows of every table, for the check that a refused
// request wrote nothing. The sessions and sign-in failures a request may
// touch without writing anything of the programme's are left out.
func rowCounts(t *testing.T, db *sqlx.DB) map[string]int64 {
	t.Helper()
	var tables []string
	if err := db.Select(&tables, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'
		AND tablename NOT IN ('sessions', 'login_failures', 'schema_migrations') ORDER BY tablename`); err != nil {
		t.Fatal(err)
	}
	parts := make([]string, len(tables))
	for i, tb := range tables {
		parts[i] = fmt.Sprintf(`SELECT %s AS t, count(*) AS n FROM %s`, pq.QuoteLiteral(tb), pq.QuoteIdentifier(tb))
		if tb == "audit_log" {
			// A refused form shows its page again, and a staff member's
			// view of a participant's file is audited: a read, not a write.
			parts[i] += ` WHERE action NOT IN ('participant.view')`
		}
	}
	var rows []struct {
		T string `db:"t"`
		N int64  `db:"n"`
	}
	if err := db.Select(&rows, strings.Join(parts, " UNION ALL ")); err != nil {
		t.Fatal(err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.T] = r.N
	}
	return out
}

// TestFuzzEveryRoute (issue 15, point 4) sends hostile input to every route
// of the table (so that a route added later is fuzzed too) as a user its
// rule lets in: hostile path parameters and queries, every broken and
// hostile JSON body to the JSON routes, hostile forms (and one of 10 MB)
// to the pages. No answer is a 5xx, a refusal is a clear error, and a
// refused request changes no row of any table. The short version samples
// the inputs (every one is used, on some routes); SOAK_FUZZ=1 sends every
// input to every route.
func TestFuzzEveryRoute(t *testing.T) {
	t.Parallel()
	var logs syncLog
	f := newAccessFixture(t, func(d *Deps) {
		d.Log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	code := f.participant["vendor"].Code
	entry := f.entryOf("vendor")
	callers := map[users.Role]*client{}
	for _, r := range users.Roles {
		callers[r] = f.as(string(r))
	}
	anon := f.anon()
	anon.page("/login")
	full := os.Getenv("SOAK_FUZZ") != ""
	bodies := hostileBodies()
	real := map[string]string{":code": code, ":id": fmt.Sprint(entry), ":n": "1", ":item": "1", ":month": "2026-01", ":file": "2026-01.pdf", ":token": "x"}
	params := regexp.MustCompile(`:[A-Za-z_]+`)
	tried, seq := 0, 0
	var counts map[string]int64 // the rows after the last refusal, if nothing happened since
	pick := func(n int) []int { // which of n inputs this route gets
		if full {
			idx := make([]int, n)
			for i := range idx {
				idx[i] = i
			}
			return idx
		}
		var idx []int
		for i := 0; i < 3 && i < n; i++ {
			idx = append(idx, (seq+i*7)%n)
		}
		seq++
		return idx
	}
	send := func(c *client, method, path string, body []byte, ct string) {
		t.Helper()
		// The counts after a refusal are the next request's before.
		before := counts
		if method != "GET" && method != "HEAD" && before == nil {
			before = rowCounts(t, f.db)
		}
		counts = nil
		h := map[string]string{"X-CSRF-Token": c.csrf, "Idempotency-Key": fmt.Sprintf("fuzz-%d", tried)}
		if ct != "" {
			h["Content-Type"] = ct
		}
		var r io.Reader
		if body != nil {
			r = bytes.NewReader(body)
		}
		tried++
		what := fmt.Sprintf("%s %s (%d bytes %.60q)", method, path, len(body), body)
		var resp *http.Response
		if len(body) > 1<<20 {
			// Beyond the body limit only a real connection shows the answer.
			resp = overTCP(t, f, c, method, path, body, h)
		} else {
			resp = c.do(method, path, r, h)
		}
		fuzzOutcome(t, what, resp)
		if before != nil && resp.StatusCode >= 400 {
			after := rowCounts(t, f.db)
			for tb, n := range after {
				if n != before[tb] {
					t.Errorf("%s refused with %d, yet %s went from %d to %d rows", what, resp.StatusCode, tb, before[tb], n)
				}
			}
			counts = after
		}
	}
	for _, rt := range f.s.routes() {
		c := anon
		if !rt.allow.public {
			c = callers[rt.allow.roles[0]]
		}
		base := params.ReplaceAllStringFunc(rt.path, func(p string) string { return real[p] })
		// Hostile path parameters, one parameter at a time.
		for _, p := range params.FindAllString(rt.path, -1) {
			for _, i := range pick(len(hostileStrings)) {
				v := url.PathEscape(hostileStrings[i])
				path := params.ReplaceAllStringFunc(rt.path, func(q string) string {
					if q == p {
						return v
					}
					return real[q]
				})
				if rt.method == "GET" {
					send(c, "GET", path, nil, "")
				} else {
					send(c, rt.method, path, []byte(`{}`), "application/json")
				}
			}
		}
		switch {
		case rt.method == "GET":
			for _, i := range pick(len(hostileStrings)) {
				q := url.Values{}
				for _, k := range []string{"month", "from", "to", "q", "cohort", "object", "page", "eligible", "lang", "state", "donor", "year", "action", "next"} {
					q.Set(k, hostileStrings[i])
				}
				send(c, "GET", base+"?"+q.Encode(), nil, "")
			}
		case strings.HasPrefix(rt.path, "/api/"):
			for _, i := range pick(len(bodies)) {
				send(c, rt.method, base, bodies[i], "application/json")
			}
		default:
			for _, i := range pick(len(hostileFormStrings) + 1) {
				if i == len(hostileFormStrings) {
					send(c, rt.method, base, append([]byte("_csrf="+url.QueryEscape(c.csrf)+"&note="), bytes.Repeat([]byte("a"), 10<<20)...),
						"application/x-www-form-urlencoded")
					continue
				}
				v := url.Values{"_csrf": {c.csrf}}
				for _, k := range hostileFields {
					v.Set(k, hostileFormStrings[i])
				}
				send(c, rt.method, base, []byte(v.Encode()), "application/x-www-form-urlencoded")
			}
		}
	}
	t.Logf("fuzz: %d hostile inputs tried over %d routes", tried, len(f.s.routes()))
	noSecretInLog(t, logs.String(), callers, anon)
}

// overTCP sends a request whose body is over the server's limit to f's
// server through a real listener (started on first use), with c's
// cookies. The server refuses it from its Content-Length before reading a
// byte of it and closes the connection, so only the head is written: a
// client still writing would meet a reset instead of the answer.
func overTCP(t *testing.T, f *accessFixture, c *client, method, path string, body []byte, h map[string]string) *http.Response {
	t.Helper()
	if f.tcp == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go f.s.Fiber.Listener(ln)
		t.Cleanup(func() { f.s.Fiber.Shutdown() })
		f.tcp = ln.Addr().String()
	}
	conn, err := net.Dial("tcp", f.tcp)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head bytes.Buffer
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", method, path, f.tcp, len(body))
	for k, v := range h {
		fmt.Fprintf(&head, "%s: %s\r\n", k, v)
	}
	for k, v := range c.cookies {
		fmt.Fprintf(&head, "Cookie: %s=%s\r\n", k, v)
	}
	head.WriteString("\r\n")
	if _, err := conn.Write(head.Bytes()); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	req, _ := http.NewRequest(method, path, nil)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("%s %s with %d bytes: %v", method, path, len(body), err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

// syncLog is a log buffer the server's goroutines and the test share.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// noSecretInLog fails t when the log holds the fixture's password, the
// cookie secret, or a session id or CSRF token of a client.
func noSecretInLog(t *testing.T, log string, callers map[users.Role]*client, more ...*client) {
	t.Helper()
	if log == "" {
		t.Fatal("the server logged nothing")
	}
	secrets := map[string]string{"the password": fixturePassword, "the cookie secret": strings.Repeat("s", 32)}
	all := append([]*client{}, more...)
	for _, c := range callers {
		all = append(all, c)
	}
	for i, c := range all {
		for name, v := range c.cookies {
			if len(v) >= 16 {
				secrets[fmt.Sprintf("cookie %s of client %d", name, i)] = v
			}
		}
		if c.csrf != "" {
			secrets[fmt.Sprintf("CSRF token of client %d", i)] = c.csrf
		}
	}
	for what, s := range secrets {
		if i := strings.Index(log, s); i >= 0 {
			t.Errorf("the log holds %s: …%.300s…", what, log[max(0, i-150):])
		}
	}
}

// hostileScript and hostileFormula are what a hostile user types into
// every free-text field.
const (
	hostileScript  = `<script>alert('hawker')</script>`
	hostileFormula = `=HYPERLINK("http://evil.example","x")`
)

// TestScriptLikeInputIsShownEscaped (issue 15, point 4): a participant,
// a donor and vendor entries carrying script- and formula-like text. Every
// page and JSON answer of the route table, as every role its rule lets in,
// shows the text escaped, never as markup; the statement's PDF shows it as
// text; in the statement's and the impact report's CSV no cell starts a
// formula.
func TestScriptLikeInputIsShownEscaped(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	officer, manager := f.as("officer"), f.as("manager")
	today := thai.Today(f.clock.Now())
	resp := officer.api("POST", "/api/v1/participants", map[string]any{"name": hostileFormula + " " + hostileScript, "nickname": hostileScript,
		"phone": "0819998877", "province": hostileScript, "district": "-" + hostileScript, "cohort": "@" + hostileScript,
		"enrolled_on": today.Format(time.DateOnly), "language": "th"})
	body := readBody(t, resp)
	if resp.StatusCode != 201 {
		t.Fatalf("enrol a participant with script-like text: %d %s", resp.StatusCode, body)
	}
	var p struct{ Code string }
	stdjson.Unmarshal([]byte(body), &p)
	resp = manager.api("POST", "/api/v1/donors", map[string]string{"name": hostileFormula + hostileScript})
	donorBody := readBody(t, resp)
	if resp.StatusCode != 201 {
		t.Fatalf("add a donor with script-like text: %d %s", resp.StatusCode, donorBody)
	}
	donor := struct{ ID int64 }{}
	stdjson.Unmarshal([]byte(donorBody), &donor)
	vendor := f.as("vendor")
	code := f.participant["vendor"].Code
	var entry int64
	for i, note := range []string{hostileScript, hostileFormula, "+" + hostileScript, "@" + hostileFormula} {
		resp := vendor.do("POST", "/api/v1/entries", strings.NewReader(fmt.Sprintf(`{"kind":"sale","method":"cash","amount":"10","date":%q,"note":%q}`,
			today.Format(time.DateOnly), note)), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": vendor.csrf, "Idempotency-Key": fmt.Sprintf("script-%d", i)})
		b := readBody(t, resp)
		if resp.StatusCode != 201 {
			t.Fatalf("entry with note %q: %d %s", note, resp.StatusCode, b)
		}
		var e struct{ ID int64 }
		stdjson.Unmarshal([]byte(b), &e)
		entry = e.ID
	}

	// Every GET route, as each role it lets in, on these objects.
	month := today.Format("2006-01")
	real := func(path string, key string) string {
		c := code
		if key != "vendor" {
			c = p.Code
		}
		r := strings.NewReplacer(":code", c, ":file", month+".pdf", ":month", month, ":token", "x", ":item", "1", ":n", "1")
		path = r.Replace(path)
		if strings.Contains(path, "/donors/:id") {
			return strings.Replace(path, ":id", fmt.Sprint(donor.ID), 1) + "?from=" + month + "&to=" + month
		}
		return strings.Replace(path, ":id", fmt.Sprint(entry), 1)
	}
	pages := 0
	for _, rt := range f.s.routes() {
		if rt.method != "GET" {
			continue
		}
		roles := rt.allow.roles
		if rt.allow.public {
			roles = []users.Role{users.Officer}
		}
		for _, role := range roles {
			key := string(role)
			path := real(rt.path, key)
			resp := f.as(key).do("GET", path, nil, nil)
			b := readBody(t, resp)
			pages++
			if resp.StatusCode >= 500 {
				t.Errorf("GET %s as %s: %d", path, key, resp.StatusCode)
			}
			// A page or a JSON answer never carries the markup; a CSV or PDF
			// carries the text as text (checked below).
			ct := resp.Header.Get("Content-Type")
			markup := strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/json")
			if markup && (strings.Contains(b, hostileScript) || strings.Contains(b, "<script>alert")) {
				t.Errorf("GET %s as %s shows the script unescaped", path, key)
			}
		}
	}
	// The participant's own page and the vendor's books do show the text, escaped.
	for _, c := range []struct{ who, path string }{{"officer", "/participants/" + p.Code}, {"vendor", "/books"}, {"officer", "/vendors/" + code}} {
		b := readBody(t, f.as(c.who).do("GET", c.path, nil, nil))
		if !strings.Contains(b, "&lt;script&gt;alert(&#39;hawker&#39;)&lt;/script&gt;") {
			t.Errorf("GET %s as %s does not show the text escaped", c.path, c.who)
		}
	}

	// CSV: no cell starts a formula.
	noFormula := func(what string, b []byte) {
		t.Helper()
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		seen := false
		for _, row := range rows {
			for _, cell := range row {
				if strings.Contains(cell, "HYPERLINK") || strings.Contains(cell, "script") {
					seen = true
				}
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !regexp.MustCompile(`^[-+]?[0-9]+(\.[0-9]+)?$`).MatchString(cell) {
					t.Errorf("%s: cell %q starts a formula", what, cell)
				}
			}
		}
		if !seen {
			t.Errorf("%s: the hostile text is not in it at all", what)
		}
	}
	resp = vendor.do("GET", "/api/v1/participants/"+code+"/statements/"+month+".csv", nil, nil)
	statementCSV := []byte(readBody(t, resp))
	if resp.StatusCode != 200 {
		t.Fatalf("statement CSV: %d %s", resp.StatusCode, statementCSV)
	}
	noFormula("statement CSV", statementCSV)
	resp = manager.do("GET", fmt.Sprintf("/api/v1/donors/%d/impact.csv?from=%s&to=%s", donor.ID, month, month), nil, nil)
	impactCSV := []byte(readBody(t, resp))
	if resp.StatusCode != 200 {
		t.Fatalf("impact CSV: %d %s", resp.StatusCode, impactCSV)
	}
	noFormula("impact CSV", impactCSV)

	// PDF: the note is text on the page, as typed.
	resp = vendor.do("GET", "/api/v1/participants/"+code+"/statements/"+month+".pdf", nil, nil)
	pdf := []byte(readBody(t, resp))
	if resp.StatusCode != 200 {
		t.Fatalf("statement PDF: %d", resp.StatusCode)
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is missing: make poppler installs it")
	}
	cmd := exec.Command(pdftotext, "-raw", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	text, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "alert('hawker')") {
		t.Errorf("the statement PDF does not show the note as text:\n%s", text)
	}
	t.Logf("%d pages and answers checked", pages)
}
