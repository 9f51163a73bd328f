package app_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hawker/browsertest"
	"hawker/participants"
	"hawker/thai"
	"hawker/users"
)

// staffBrowser is a signed-in member of staff at a browser, with the steps
// the staff browser tests share.
type staffBrowser struct {
	t   *testing.T
	b   context.Context
	srv *browsertest.Server
}

func newStaffBrowser(t *testing.T, srv *browsertest.Server, login, password string) *staffBrowser {
	t.Helper()
	s := &staffBrowser{t: t, b: browsertest.New(t), srv: srv}
	s.run(chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.SetValue(chromedp.CSS("#login"), login),
		chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("form[action='/logout']")),
	)
	return s
}

func (s *staffBrowser) run(steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.b, steps...); err != nil {
		s.t.Fatal(err)
	}
}

func (s *staffBrowser) text(sel string) string {
	s.t.Helper()
	v, err := chromedp.Run(s.b, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

func (s *staffBrowser) eval(js string) string {
	s.t.Helper()
	v, err := chromedp.Run(s.b, chromedp.Evaluate[string](js))
	if err != nil {
		s.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// setValue sets the value of the input with id.
func (s *staffBrowser) setValue(id, v string) {
	s.t.Helper()
	if _, err := chromedp.Run(s.b, chromedp.Evaluate[bool](`(function (e, v) { e.value = v; return true; })(document.getElementById(`+strconv.Quote(id)+`), `+strconv.Quote(v)+`)`)); err != nil {
		s.t.Fatalf("set #%s: %v", id, err)
	}
}

// shots photographs path at 360 px and 1280 px wide under testdata/ as
// name-360.png and name-1280.png, waiting for ready first; the page is
// left at 360 px.
func (s *staffBrowser) shots(path, ready, name string) {
	s.t.Helper()
	for _, w := range []int64{1280, 360} {
		s.run(chromedp.EmulateViewport(w, 800), chromedp.Navigate(s.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(ready)))
		browsertest.Screenshot(s.t, s.b, "testdata/"+name+"-"+map[int64]string{360: "360", 1280: "1280"}[w]+".png")
	}
}

// TestDateFieldInBrowser: the date box (issue 14, point 8) in Chromium. Its
// script reads every case of thai/testdata/dates.json as the server does;
// a C.E. year on a Thai page is told beside the box at once and the form is
// not sent; a good date is tidied into dd/mm/yyyy (B.E.) and saved as that
// day. The enrolment form and the audit filters are photographed at 360 px
// and 1280 px.
func TestDateFieldInBrowser(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := context.Background()
	const password = "staff-pass-1"
	us := users.NewStore(srv.DB)
	for _, n := range []users.New{
		{Login: "officer", Name: "สมศรี ใจดี", Role: users.Officer, Password: password},
		{Login: "admin", Name: "ผู้ดูแล ระบบ", Role: users.Admin, Password: password},
	} {
		if _, err := us.Add(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	table, err := os.ReadFile("../thai/testdata/dates.json")
	if err != nil {
		t.Fatal(err)
	}

	o := newStaffBrowser(t, srv, "officer", password)
	o.run(chromedp.Navigate(srv.URL+"/participants/new"), chromedp.WaitVisible(chromedp.CSS("#enrolled_on")))
	// The page's reading and the server's are one table.
	if bad := o.eval(`(function (cases) {
		var bad = [];
		cases.forEach(function (c) {
			var r = window.hawkerDate.parse(c.lang, c.in), key = {'format': 'input.date_format', 'no-day': 'input.date_no_day',
				'want-be': 'input.date_want_be', 'want-ce': 'input.date_want_ce', 'range': 'input.date_range'}[r.err];
			var got = r.err ? key : r.y + '-' + ('0' + r.m).slice(-2) + '-' + ('0' + r.d).slice(-2);
			if (got !== (c.err || c.want)) bad.push(c.lang + ' ' + c.in + ': ' + got);
		});
		return bad.join('; ');
	})(` + string(table) + `)`); bad != "" {
		t.Fatalf("datefield.js disagrees with thai.ParseDate: %s", bad)
	}

	today := thai.Today(time.Now())
	// A C.E. year: told beside the box when she leaves it; submitting is held back.
	for id, v := range map[string]string{"name": "ดวงใจ แสนดี", "phone": "089 555 1234", "province": "กรุงเทพมหานคร",
		"district": "ห้วยขวาง", "cohort": "รุ่น 1/2569", "enrolled_on": ""} {
		o.setValue(id, v)
	}
	o.run(chromedp.SendKeys(chromedp.CSS("#enrolled_on"), today.Format("2/1/2006")),
		chromedp.Blur(chromedp.CSS("#enrolled_on")),
		chromedp.WaitVisible(chromedp.CSS("#enrolled_on-error")),
	)
	if msg := o.text("#enrolled_on-error"); !strings.Contains(msg, "ใช้ปี พ.ศ.") {
		t.Fatalf("message for a C.E. year: %q", msg)
	}
	o.eval(`window.stillHere = 'yes'; ''`)
	o.run(chromedp.Click(chromedp.CSS("form[action='/participants'] button[type=submit]")))
	if got := o.eval(`(window.stillHere || '') + ' ' + document.activeElement.id`); got != "yes enrolled_on" {
		t.Fatalf("after submitting a C.E. year: %q, want the page kept and the box focused", got)
	}
	browsertest.Screenshot(t, o.b, "testdata/date-field-error-360.png")

	// The B.E. date, typed loosely, is tidied and saved as that day.
	o.setValue("enrolled_on", "")
	o.run(chromedp.SendKeys(chromedp.CSS("#enrolled_on"), strings.Join([]string{strconv.Itoa(today.Day()), strconv.Itoa(int(today.Month())), strconv.Itoa(thai.Year(today))}, "/")),
		chromedp.Blur(chromedp.CSS("#enrolled_on")),
		chromedp.WaitNotVisible(chromedp.CSS("#enrolled_on-error")),
	)
	if v := o.eval(`document.getElementById('enrolled_on').value`); v != thai.FormatDate("th", today) {
		t.Fatalf("tidied date %q, want %q", v, thai.FormatDate("th", today))
	}
	o.run(chromedp.Click(chromedp.CSS("form[action='/participants'] button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#eligibility")))
	rows, err := participants.NewStore(srv.DB).List(ctx, participants.Filter{Cohort: "รุ่น 1/2569"}, today)
	if err != nil || len(rows) != 1 {
		t.Fatalf("enrolled: %v, %v", rows, err)
	}
	if p, err := participants.NewStore(srv.DB).ByCode(ctx, rows[0].Code); err != nil || !p.EnrolledOn.Equal(today) {
		t.Fatalf("enrolled on %v (%v), want %v", p.EnrolledOn, err, today)
	}
	o.shots("/participants/new", "#enrolled_on", "date-field")

	// The audit trail's range, in the same boxes, and its sentences.
	a := newStaffBrowser(t, srv, "admin", password)
	a.run(chromedp.Navigate(srv.URL+"/admin/audit"), chromedp.WaitVisible(chromedp.CSS("#from")),
		chromedp.SendKeys(chromedp.CSS("#from"), "31/04/2569"), chromedp.Blur(chromedp.CSS("#from")),
		chromedp.WaitVisible(chromedp.CSS("#from-error")))
	if msg := a.text("#from-error"); !strings.Contains(msg, "ไม่มีวันนี้ในปฏิทิน") {
		t.Fatalf("audit range message: %q", msg)
	}
	from := thai.FormatDate("th", today.AddDate(0, 0, -1))
	a.setValue("from", from)
	a.run(chromedp.Click(chromedp.CSS("form[action='/admin/audit'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("table.audit")))
	if rows := a.text("table.audit tbody"); !strings.Contains(rows, "ลงทะเบียนผู้เข้าร่วม") || strings.Contains(rows, "participant.enrol") {
		t.Fatalf("audit rows: %q", rows)
	}
	a.shots("/admin/audit?from="+from, "table.audit", "audit")
	a.shots("/admin/users", "#user-officer", "users")
	a.shots("/admin/settings", "#ceiling", "settings")
}
