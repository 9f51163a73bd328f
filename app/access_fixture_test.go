package app

import (
	"context"
	"encoding/json"
	"fmt"
	"hawker/thai"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/donors"
	"hawker/participants"
	"hawker/pg/pgtest"
	"hawker/users"
)

// fixturePassword is every fixture user's password.
const fixturePassword = "correct horse 1"

// accessFixture is an application on its own database with one user per
// role, a second vendor and a second donor (for object rules), and a clock
// the test moves.
type accessFixture struct {
	t     *testing.T
	db    *sqlx.DB
	s     *Server
	clock *testClock
	users map[string]users.User // admin officer manager donor donor2 vendor vendor2
	// The vendors' participants and the donors, by the user's key.
	participant map[string]participants.Participant
	donor       map[string]donors.Donor
	tcp         string // the server's address once overTCP has started it
}

// testClock is a clock a test sets and moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newAccessFixture(t *testing.T, configure ...func(*Deps)) *accessFixture {
	t.Helper()
	ctx := context.Background()
	db, url := pgtest.NewURL(t)
	// The clock starts now: cookie expiry dates come from it, and a client
	// drops a cookie whose date has passed.
	clock := &testClock{now: time.Now().Truncate(time.Second)}
	// The application works as serve does, as the role that owns nothing;
	// the fixture sets up and checks as the owner.
	deps := Deps{DB: pgtest.App(t, url), Log: quietLogger(), Secret: []byte(strings.Repeat("s", 32)), Dev: true, Now: clock.Now}
	for _, f := range configure {
		f(&deps)
	}
	s, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	f := &accessFixture{t: t, db: db, s: s, clock: clock, users: map[string]users.User{},
		participant: map[string]participants.Participant{}, donor: map[string]donors.Donor{}}
	ps := participants.NewStore(db)
	for i, key := range []string{"vendor", "vendor2"} {
		phone := fmt.Sprintf("08100000%02d", i)
		p, err := ps.Enrol(ctx, audit.System, participants.Participant{
			Name: "ผู้เข้าร่วม " + key, Phone: &phone, Province: "กรุงเทพมหานคร", District: "บางรัก",
			Cohort: "2569-1", EnrolledOn: thai.Today(clock.Now()), Language: "th",
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.participant[key] = p
	}
	for _, key := range []string{"donor", "donor2"} {
		d, err := donors.NewStore(db).Add(ctx, audit.System, donors.New{Name: "มูลนิธิ " + key})
		if err != nil {
			t.Fatal(err)
		}
		f.donor[key] = d
	}
	for _, key := range []string{"admin", "officer", "manager", "donor", "donor2", "vendor", "vendor2"} {
		n := users.New{Login: key, Name: "ทดสอบ " + key, Role: users.Role(strings.TrimSuffix(key, "2")), Password: fixturePassword}
		if p, ok := f.participant[key]; ok {
			n.ParticipantID = &p.ID
		}
		if d, ok := f.donor[key]; ok {
			n.DonorID = &d.ID
		}
		u, err := users.NewStore(db).Add(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		f.users[key] = u
	}
	return f
}

// client is one browser or API client: its cookies and CSRF token.
type client struct {
	f       *accessFixture
	cookies map[string]string
	csrf    string
}

func (f *accessFixture) anon() *client { return &client{f: f, cookies: map[string]string{}} }

// as returns a client signed in as the fixture user key, without the
// sign-in form (and so without its audit row or argon2 cost).
func (f *accessFixture) as(key string) *client {
	f.t.Helper()
	u, err := users.NewStore(f.db).ByID(context.Background(), f.users[key].ID)
	if err != nil {
		f.t.Fatal(err)
	}
	sess, err := f.s.auth.Renew(context.Background(), u, "192.0.2.1")
	if err != nil {
		f.t.Fatal(err)
	}
	testLogs.secret("session id of "+key, sess.Token)
	testLogs.secret("CSRF token of "+key, sess.CSRF)
	return &client{f: f, cookies: map[string]string{sessionCookie: sess.Token}, csrf: sess.CSRF}
}

// page fetches a page anonymously so that the client holds the anonymous
// CSRF cookie and token, as a browser does before its first form.
func (c *client) page(path string) *http.Response {
	resp := c.do("GET", path, nil, nil)
	if tok := c.f.s.anonToken(c.cookies[anonCookie]); c.cookies[anonCookie] != "" {
		c.csrf = tok
		testLogs.secret("anonymous CSRF token", tok)
	}
	return resp
}

// do sends a request with the client's cookies and keeps the ones set.
func (c *client) do(method, path string, body io.Reader, header map[string]string) *http.Response {
	c.f.t.Helper()
	req := httptest.NewRequest(method, path, body)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := c.f.s.Fiber.Test(req, -1)
	if err != nil {
		c.f.t.Fatal(err)
	}
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" || (!ck.Expires.IsZero() && ck.Expires.Before(time.Now())) {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
			testLogs.secret("cookie "+ck.Name, ck.Value)
		}
	}
	return resp
}

// form posts form values, adding the CSRF token unless the values carry one.
func (c *client) form(path string, v url.Values) *http.Response {
	if _, ok := v["_csrf"]; !ok && c.csrf != "" {
		v.Set("_csrf", c.csrf)
	}
	return c.do("POST", path, strings.NewReader(v.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

// api sends JSON with the CSRF header.
func (c *client) api(method, path string, body any) *http.Response {
	c.f.t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	if c.csrf != "" {
		h["X-CSRF-Token"] = c.csrf
	}
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.f.t.Fatal(err)
		}
		r = strings.NewReader(string(b))
	}
	return c.do(method, path, r, h)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// apiError decodes a JSON error body's code.
func apiError(t *testing.T, resp *http.Response) string {
	t.Helper()
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode error body (status %d): %v", resp.StatusCode, err)
	}
	return body.Error.Code
}

// auditActions lists the actions recorded on object, oldest first.
func (f *accessFixture) auditActions(object string) []string {
	f.t.Helper()
	es, err := audit.List(context.Background(), f.db, audit.Filter{Object: object, Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	var as []string
	for i := len(es) - 1; i >= 0; i-- {
		as = append(as, es[i].Action)
	}
	return as
}
