package reports

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/donors"
	"hawker/pg/pgtest"
	"hawker/users"
)

// mailServer is a real SMTP server on 127.0.0.1 (emersion/go-smtp) that
// keeps what it receives. It can refuse the first failData messages with a
// temporary error, and refuse some recipients for good.
type mailServer struct {
	url *url.URL

	mu       sync.Mutex
	got      []receivedMail
	failData int
	refuse   map[string]bool
	tries    int
}

type receivedMail struct {
	From string
	To   []string
	Data []byte
}

func startMailServer(t *testing.T) *mailServer {
	t.Helper()
	ms := &mailServer{refuse: map[string]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &mailSession{ms: ms}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ms.url, _ = url.Parse("smtp://" + ln.Addr().String() + "?from=reports@hawker.example.org")
	return ms
}

func (ms *mailServer) received() []receivedMail {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]receivedMail(nil), ms.got...)
}

type mailSession struct {
	ms   *mailServer
	from string
	to   []string
}

func (s *mailSession) Mail(from string, _ *gosmtp.MailOptions) error { s.from = from; return nil }
func (s *mailSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.ms.mu.Lock()
	defer s.ms.mu.Unlock()
	if s.ms.refuse[to] {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ms.mu.Lock()
	defer s.ms.mu.Unlock()
	s.ms.tries++
	if s.ms.failData > 0 {
		s.ms.failData--
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.ms.got = append(s.ms.got, receivedMail{From: s.from, To: s.to, Data: b})
	return nil
}
func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }

// deliveryFixture is a database with donors, each with report contacts.
type deliveryFixture struct {
	db     *sqlx.DB
	s      *Store
	donors []donors.Donor
}

func newDeliveryFixture(t *testing.T, contacts ...[]donors.NewContact) deliveryFixture {
	t.Helper()
	db := pgtest.New(t)
	u, err := users.NewStore(db).Add(ctx, users.New{Login: "manager", Role: users.Manager, Password: "password-123"})
	if err != nil {
		t.Fatal(err)
	}
	a := audit.Actor{UserID: u.ID, Role: string(u.Role)}
	f := deliveryFixture{db: db, s: NewStore(db, nil, "https://hawker.example.org")}
	ds := donors.NewStore(db)
	for i, cs := range contacts {
		d, err := ds.Add(ctx, a, donors.New{Name: fmt.Sprintf("มูลนิธิทดสอบ %d", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if _, err := ds.AddContact(ctx, a, d.ID, c); err != nil {
				t.Fatal(err)
			}
		}
		f.donors = append(f.donors, d)
	}
	return f
}

// delivery is one serve process's queue and delivery, named worker.
func (f deliveryFixture) delivery(worker string, smtp *url.URL, now time.Time) (*Queue, *Delivery) {
	q := NewQueue(f.db)
	q.worker = worker
	q.Poll = 20 * time.Millisecond
	d := NewDelivery(f.s, q, smtp)
	d.Now = func() time.Time { return now }
	d.Every = 20 * time.Millisecond
	d.Backoff = 300 * time.Millisecond
	d.Timeout = 10 * time.Second
	return q, d
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// parsedMail is a received message taken apart: its headers, its text and
// its one attachment.
type parsedMail struct {
	Header     mail.Header
	Subject    string
	Text       string
	Attachment string
	PDF        []byte
}

func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var p parsedMail
	p.Header = m.Header
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q: %v", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable itself
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			p.Text = string(b)
		case "application/pdf":
			if part.Header.Get("Content-Transfer-Encoding") != "base64" {
				t.Fatalf("attachment encoding %q", part.Header.Get("Content-Transfer-Encoding"))
			}
			p.Attachment = part.FileName()
			if p.PDF, err = base64.StdEncoding.DecodeString(string(b)); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("unexpected part %s", ct)
		}
	}
	return p
}

// A Bangkok instant: 00:30 on 1 December 2026 is still 30 November in UTC.
var dec1 = time.Date(2026, 12, 1, 0, 30, 0, 0, time.FixedZone("ICT", 7*3600))

func TestLastMonthIsBangkoks(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{dec1, "2026-11"},
		{time.Date(2026, 11, 30, 16, 59, 0, 0, time.UTC), "2026-10"}, // 23:59 on 30 November in Bangkok
		{time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC), "2026-11"},  // midnight, 1 December
		{time.Date(2027, 1, 1, 3, 0, 0, 0, time.UTC), "2026-12"},
	} {
		if got := LastMonth(c.at).Format("2006-01"); got != c.want {
			t.Errorf("LastMonth(%s) = %s, want %s", c.at, got, c.want)
		}
	}
}

// TestMonthlyReportMailed: on the first of the month, serve's delivery
// makes each donor's report for the month that ended and mails it to each
// contact, Thai first, then English, the PDF attached byte for byte as
// issued and as generated again from the database. A restart changes
// nothing: no second job, report or message.
func TestMonthlyReportMailed(t *testing.T) {
	ms := startMailServer(t)
	f := newDeliveryFixture(t,
		[]donors.NewContact{{Email: "somchai@donor-one.example", Language: "th"}, {Email: "grants@donor-one.example", Language: "en"}},
		[]donors.NewContact{{Email: "csr@donor-two.example", Language: "th"}},
		nil) // a donor without contacts still gets its report made
	q, d := f.delivery("serve-1", ms.url, dec1)
	queued, err := d.Schedule(ctx)
	if err != nil || !queued {
		t.Fatalf("schedule on the 1st: queued %v, %v", queued, err)
	}
	if j, ok, err := q.Execute(ctx, 0, nil); err != nil || !ok || j.State != JobDone || j.Done != 3 {
		t.Fatalf("monthly job: %+v ok %v err %v", j, ok, err)
	}
	if n, err := d.SendDue(ctx); err != nil || n != 3 {
		t.Fatalf("sent %d, %v; want 3", n, err)
	}
	got := ms.received()
	if len(got) != 3 {
		t.Fatalf("the server received %d messages, want 3", len(got))
	}
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	byTo := map[string]parsedMail{}
	for _, g := range got {
		if g.From != "reports@hawker.example.org" || len(g.To) != 1 {
			t.Fatalf("envelope from %q to %v", g.From, g.To)
		}
		byTo[g.To[0]] = parseMail(t, g.Data)
	}
	for i, c := range []struct {
		to, lang string
		donor    int
	}{{"somchai@donor-one.example", "th", 0}, {"grants@donor-one.example", "en", 0}, {"csr@donor-two.example", "th", 1}} {
		p, ok := byTo[c.to]
		if !ok {
			t.Fatalf("nothing received for %s", c.to)
		}
		dn := f.donors[c.donor]
		if p.Header.Get("To") != c.to || p.Header.Get("From") != "reports@hawker.example.org" {
			t.Errorf("%d: headers From %q To %q", i, p.Header.Get("From"), p.Header.Get("To"))
		}
		th := strings.Index(p.Subject, "รายงานผลลัพธ์ประจำเดือนพฤศจิกายน 2569")
		en := strings.Index(p.Subject, "Impact report for November 2026")
		if th != 0 || en < 0 {
			t.Errorf("%d: subject %q: want Thai first, then English", i, p.Subject)
		}
		th, en = strings.Index(p.Text, "เรียน "+dn.Name), strings.Index(p.Text, "Dear "+dn.Name)
		if th != 0 || en <= th || !strings.Contains(p.Text, "https://hawker.example.org/impact") {
			t.Errorf("%d: text: want the Thai letter, then the English one:\n%s", i, p.Text)
		}
		if want := fmt.Sprintf("impact-%d-2026-11-%s.pdf", dn.ID, c.lang); p.Attachment != want {
			t.Errorf("%d: attachment %q, want %q", i, p.Attachment, want)
		}
		// The attachment is exactly the report generated from the database
		// again, in the contact's language.
		im, err := f.s.Impact(ctx, dn.ID, nov, nov, dec1)
		if err != nil {
			t.Fatal(err)
		}
		want, err := im.PDF(c.lang)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p.PDF, want) {
			t.Errorf("%d: the attached PDF (%d bytes) is not the report (%d bytes)", i, len(p.PDF), len(want))
		}
		if c.lang == "th" {
			issued, err := f.s.IssuedImpact(ctx, dn.ID, nov)
			if err != nil || !bytes.Equal(issued, p.PDF) {
				t.Errorf("%d: the issued report differs from the one mailed (%v)", i, err)
			}
		}
	}
	if _, err := f.s.IssuedImpact(ctx, f.donors[2].ID, nov); err != nil {
		t.Errorf("the donor without contacts has no report issued: %v", err)
	}

	// A restart on the same day, and a later day of the month: nothing new.
	for _, at := range []time.Time{dec1.Add(time.Hour), dec1.AddDate(0, 0, 9)} {
		q2, d2 := f.delivery("serve-1-restarted", ms.url, at)
		if queued, err := d2.Schedule(ctx); err != nil || queued {
			t.Fatalf("schedule again at %s: queued %v, %v", at, queued, err)
		}
		if _, ok, err := q2.Execute(ctx, 0, nil); ok || err != nil {
			t.Fatalf("a job ran again at %s (%v)", at, err)
		}
		if n, err := d2.SendDue(ctx); n != 0 || err != nil {
			t.Fatalf("sent %d again at %s (%v)", n, at, err)
		}
	}
	if len(ms.received()) != 3 {
		t.Fatalf("the server received %d messages after the restart, want 3", len(ms.received()))
	}
	out, err := f.s.Outbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range out {
		if m.State != MailSent || m.Attempts != 1 || m.FinishedAt == nil || !m.Month.Equal(nov) {
			t.Errorf("outbox row %+v: want sent at the first attempt", m)
		}
	}
}

// TestMissedFirstIsCaughtUp: no server ran on the 1st; the first start
// later in the month makes and sends the month that ended.
func TestMissedFirstIsCaughtUp(t *testing.T) {
	ms := startMailServer(t)
	f := newDeliveryFixture(t, []donors.NewContact{{Email: "csr@donor.example", Language: "th"}})
	q, d := f.delivery("serve-1", ms.url, dec1.AddDate(0, 0, 6))
	if queued, err := d.Schedule(ctx); err != nil || !queued {
		t.Fatalf("catch-up: queued %v, %v", queued, err)
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go q.Work(wctx)
	go d.Run(wctx)
	waitFor(t, "the caught-up report to arrive", func() bool { return len(ms.received()) == 1 })
	if p := parseMail(t, ms.received()[0].Data); !strings.Contains(p.Subject, "November 2026") {
		t.Errorf("caught-up subject %q: want November's report", p.Subject)
	}
}

// TestMailRetriedWithBackoff: the server refuses the first two tries with a
// temporary error; the message goes on the third, each wait at least
// twice the one before, every attempt recorded. A recipient refused for
// good (550) fails at once, recorded too.
func TestMailRetriedWithBackoff(t *testing.T) {
	ms := startMailServer(t)
	ms.failData = 2
	ms.refuse["nobody@donor.example"] = true
	f := newDeliveryFixture(t, []donors.NewContact{{Email: "csr@donor.example", Language: "th"}},
		[]donors.NewContact{{Email: "nobody@donor.example", Language: "en"}})
	q, d := f.delivery("serve-1", ms.url, dec1)
	if _, err := d.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Execute(ctx, 0, nil); err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go d.Run(wctx)
	waitFor(t, "the message to go through", func() bool {
		var n int
		f.db.GetContext(ctx, &n, `SELECT count(*) FROM report_mail WHERE state <> 'queued'`)
		return n == 2
	})
	stop()
	out, err := f.s.Outbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]Mail{}
	for _, m := range out {
		states[m.Recipient] = m
	}
	ok, refused := states["csr@donor.example"], states["nobody@donor.example"]
	if ok.State != MailSent || ok.Attempts != 3 {
		t.Errorf("retried message: state %s after %d attempts, want sent after 3", ok.State, ok.Attempts)
	}
	if refused.State != MailFailed || refused.Attempts != 1 || !strings.Contains(refused.LastError, "550") {
		t.Errorf("refused message: state %s after %d attempts (%q), want failed after 1 with the 550", refused.State, refused.Attempts, refused.LastError)
	}
	_, as, err := f.s.OutboxMail(ctx, ok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 3 {
		t.Fatalf("%d attempts recorded, want 3: %+v", len(as), as)
	}
	for i, a := range as {
		if a.N != i+1 || a.Worker != "serve-1" || a.OK != (i == 2) || (i < 2) != strings.Contains(a.Error, "451") {
			t.Errorf("attempt %d recorded as %+v", i+1, a)
		}
	}
	if w := as[1].At.Sub(as[0].At); w < d.Backoff {
		t.Errorf("second attempt %s after the first, want at least %s", w, d.Backoff)
	}
	if w := as[2].At.Sub(as[1].At); w < 2*d.Backoff {
		t.Errorf("third attempt %s after the second, want at least %s", w, 2*d.Backoff)
	}
	ms.mu.Lock()
	tries := ms.tries
	ms.mu.Unlock()
	if tries != 3 {
		t.Errorf("the server saw %d tries, want 3", tries)
	}
	if _, as, _ := f.s.OutboxMail(ctx, refused.ID); len(as) != 1 || as[0].OK {
		t.Errorf("refused message's attempts: %+v", as)
	}
}

// TestTwoServersOneMailPerDonorMonth: two serve processes on one database
// both see the month begin; each donor's contact gets one message, and
// there is one job.
func TestTwoServersOneMailPerDonorMonth(t *testing.T) {
	ms := startMailServer(t)
	var contacts [][]donors.NewContact
	for i := range 6 {
		contacts = append(contacts, []donors.NewContact{{Email: fmt.Sprintf("contact%d@donor.example", i), Language: []string{"th", "en"}[i%2]}})
	}
	f := newDeliveryFixture(t, contacts...)
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i := range 2 {
		q, d := f.delivery(fmt.Sprintf("serve-%d", i), ms.url, dec1)
		wg.Add(2)
		go func() { defer wg.Done(); q.Work(wctx) }()
		go func() { defer wg.Done(); d.Run(wctx) }()
	}
	waitFor(t, "every message sent", func() bool {
		var n int
		f.db.GetContext(ctx, &n, `SELECT count(*) FROM report_mail WHERE state = 'sent'`)
		return n == len(contacts)
	})
	stop()
	wg.Wait()
	// Both servers look once more, as after a restart: nothing is left to do.
	for i := range 2 {
		q, d := f.delivery(fmt.Sprintf("serve-%d", i), ms.url, dec1)
		if queued, err := d.Schedule(ctx); err != nil || queued {
			t.Fatalf("schedule again: %v %v", queued, err)
		}
		if _, ok, _ := q.Execute(ctx, 0, nil); ok {
			t.Fatal("a job ran again")
		}
		if n, _ := d.SendDue(ctx); n != 0 {
			t.Fatalf("%d messages sent again", n)
		}
	}
	per := map[string]int{}
	for _, g := range ms.received() {
		for _, to := range g.To {
			per[to]++
		}
	}
	for i := range contacts {
		if to := fmt.Sprintf("contact%d@donor.example", i); per[to] != 1 {
			t.Errorf("%s received %d messages, want 1", to, per[to])
		}
	}
	var jobs, issues int
	f.db.GetContext(ctx, &jobs, `SELECT count(*) FROM report_jobs WHERE kind = 'impact_month'`)
	f.db.GetContext(ctx, &issues, `SELECT count(*) FROM report_impact_issues`)
	if jobs != 1 || issues != len(contacts) {
		t.Errorf("%d jobs and %d reports, want 1 and %d", jobs, issues, len(contacts))
	}
}

// TestWithoutSMTPKeptForTheOutbox: with no SMTP set, each message is kept
// for the outbox page, its one attempt recorded as kept, and can be opened.
func TestWithoutSMTPKeptForTheOutbox(t *testing.T) {
	f := newDeliveryFixture(t, []donors.NewContact{{Email: "csr@donor.example", Language: "en"}})
	q, d := f.delivery("serve-1", nil, dec1)
	if _, err := d.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Execute(ctx, 0, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := d.SendDue(ctx); n != 1 || err != nil {
		t.Fatalf("kept %d, %v", n, err)
	}
	out, err := f.s.Outbox(ctx, 10)
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox %+v, %v", out, err)
	}
	m, as, err := f.s.OutboxMail(ctx, out[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.State != MailKept || len(as) != 1 || !as[0].OK || !as[0].Kept || m.Recipient != "csr@donor.example" {
		t.Errorf("kept message %+v, attempts %+v", m, as)
	}
	raw, err := f.s.OutboxMessage(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p := parseMail(t, raw); p.Attachment != m.Attachment || !strings.HasPrefix(string(p.PDF), "%PDF-") {
		t.Errorf("kept message's attachment %q, %d bytes", p.Attachment, len(p.PDF))
	}
}

// TestKeptMailSentOnceSMTPIsOn: reports made while no mail server was set
// are kept; once one is, each is sent, once, to the contacts the donor
// still has, from the configured sender and dated when it goes, the report
// attached as issued. The attempt that kept it is recorded as such and
// does not count against the retry limit; a temporary refusal is retried
// after the back-off. A contact removed meanwhile gets nothing: her
// message is withheld. A restart sends nothing again.
func TestKeptMailSentOnceSMTPIsOn(t *testing.T) {
	f := newDeliveryFixture(t,
		[]donors.NewContact{{Email: "csr@donor-one.example", Language: "en"}, {Email: "left@donor-one.example", Language: "th"}},
		[]donors.NewContact{{Email: "board@donor-two.example", Language: "th"}})
	q, d := f.delivery("serve-1", nil, dec1)
	if _, err := d.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Execute(ctx, 0, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := d.SendDue(ctx); n != 3 || err != nil {
		t.Fatalf("kept %d, %v; want 3", n, err)
	}
	ds := donors.NewStore(f.db)
	cs, err := ds.Contacts(ctx, f.donors[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Email == "left@donor-one.example" {
			if err := ds.RemoveContact(ctx, audit.System, f.donors[0].ID, c.ID); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Ten days later the server restarts with a mail server, which refuses
	// the first message once.
	ms := startMailServer(t)
	ms.failData = 1
	later := dec1.AddDate(0, 0, 10)
	_, d2 := f.delivery("serve-2", ms.url, later)
	d2.MaxAttempts = 2 // the kept attempt and one refusal would be 2
	waitFor(t, "the kept mail to go", func() bool {
		if _, err := d2.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		return len(ms.received()) == 2
	})
	byTo := map[string]parsedMail{}
	for _, g := range ms.received() {
		if g.From != "reports@hawker.example.org" || len(g.To) != 1 {
			t.Fatalf("envelope from %q to %v", g.From, g.To)
		}
		if _, twice := byTo[g.To[0]]; twice {
			t.Fatalf("%s received the report twice", g.To[0])
		}
		byTo[g.To[0]] = parseMail(t, g.Data)
	}
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		to, lang string
		donor    int
	}{{"csr@donor-one.example", "en", 0}, {"board@donor-two.example", "th", 1}} {
		p, ok := byTo[c.to]
		if !ok {
			t.Fatalf("nothing received for %s", c.to)
		}
		if p.Header.Get("From") != "reports@hawker.example.org" {
			t.Errorf("%s: From %q, want the configured sender", c.to, p.Header.Get("From"))
		}
		if at, err := p.Header.Date(); err != nil || !at.Equal(later) {
			t.Errorf("%s: Date %v (%v), want %v", c.to, at, err, later)
		}
		if want := messageID(f.donors[c.donor].ID, nov, c.to); p.Header.Get("Message-ID") != want {
			t.Errorf("%s: Message-ID %q, want %q", c.to, p.Header.Get("Message-ID"), want)
		}
		im, err := f.s.Impact(ctx, f.donors[c.donor].ID, nov, nov, dec1)
		if err != nil {
			t.Fatal(err)
		}
		want, err := im.PDF(c.lang)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p.PDF, want) || !strings.Contains(p.Subject, "November 2026") {
			t.Errorf("%s: the attachment (%d bytes) is not November's report (%d bytes), subject %q", c.to, len(p.PDF), len(want), p.Subject)
		}
	}

	out, err := f.s.Outbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	retried := 0
	for _, m := range out {
		_, as, err := f.s.OutboxMail(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) == 0 || !as[0].Kept || !as[0].OK || as[0].Worker != "serve-1" {
			t.Fatalf("%s: first attempt %+v, want the one that kept it", m.Recipient, as)
		}
		if m.Recipient == "left@donor-one.example" {
			if m.State != MailWithheld || len(as) != 1 || m.FinishedAt == nil {
				t.Errorf("removed contact's mail: %s with attempts %+v, want withheld", m.State, as)
			}
			continue
		}
		last := as[len(as)-1]
		if m.State != MailSent || !last.OK || last.Kept || last.Worker != "serve-2" {
			t.Errorf("%s: %s, attempts %+v; want sent by serve-2", m.Recipient, m.State, as)
		}
		if len(as) == 3 {
			retried++
			if as[1].OK || !strings.Contains(as[1].Error, "451") || as[1].Kept {
				t.Errorf("%s: the refused try recorded as %+v", m.Recipient, as[1])
			}
			if w := as[2].At.Sub(as[1].At); w < d2.Backoff {
				t.Errorf("%s: retried %s after the refusal, want at least %s", m.Recipient, w, d2.Backoff)
			}
		} else if len(as) != 2 {
			t.Errorf("%s: %d attempts %+v", m.Recipient, len(as), as)
		}
	}
	if retried != 1 {
		t.Errorf("%d messages retried, want 1", retried)
	}

	// Another restart, with the mail server: nothing is sent again.
	_, d3 := f.delivery("serve-3", ms.url, later.Add(time.Hour))
	if n, err := d3.SendDue(ctx); n != 0 || err != nil {
		t.Fatalf("sent %d again after a restart (%v)", n, err)
	}
	if len(ms.received()) != 2 {
		t.Fatalf("the server received %d messages, want 2", len(ms.received()))
	}
}
