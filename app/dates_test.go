package app

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"hawker/participants"
	"hawker/thai"
)

// TestDateBoxes: every staff form's date is one box that shows and takes
// day/month/year, the B.E. year on Thai pages and the C.E. year on English
// ones (issue 14, point 8), read on the server without the page's script,
// with a message that says what is wrong.
func TestDateBoxes(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	today := thai.Today(f.clock.Now())
	officer, admin := f.as("officer"), f.as("admin")

	// The form shows today as a Thai reads it, in a text box, never the browser's date input.
	body := readBody(t, officer.do("GET", "/participants/new", nil, nil))
	if !strings.Contains(body, `value="`+thai.FormatDate("th", today)+`"`) || strings.Contains(body, `type="date"`) || !strings.Contains(body, "วว/ดด/ปปปป") {
		t.Fatalf("enrolment form's date box: %s", body)
	}

	enrol := func(c *client, phone, on string) (int, string) {
		t.Helper()
		resp := c.form("/participants", url.Values{"name": {"ทดสอบ วันที่"}, "phone": {phone}, "province": {"กรุงเทพมหานคร"},
			"district": {"บางรัก"}, "cohort": {"รุ่น 9/2569"}, "enrolled_on": {on}, "language": {"th"}})
		return resp.StatusCode, readBody(t, resp)
	}
	for _, tc := range []struct {
		on, want string // want: a words of the message, "" for saved
	}{
		{"2026-02-29", "ไม่มีวันนี้ในปฏิทิน"},
		{"29/02/2568", "ไม่มีวันนี้ในปฏิทิน"},
		{today.Format("02/01/2006"), "ใช้ปี พ.ศ."},
		{"30/11/69", "พิมพ์วันที่แบบ วัน/เดือน/ปี พ.ศ."},
		{"1/1/2542", "วันที่ต้องอยู่ระหว่างปี พ.ศ. 2543 ถึง 2642"},
		{thai.FormatDate("th", today.AddDate(0, 0, 1)), "วันที่ต้องไม่เกินวันนี้"},
	} {
		status, body := enrol(officer, "0891110001", tc.on)
		if status != 422 || !strings.Contains(body, tc.want) || !strings.Contains(body, `value="`+tc.on+`"`) {
			t.Errorf("enrolled on %q: %d, want 422 with %q and the text shown back", tc.on, status, tc.want)
		}
	}
	// 29 February of a B.E. leap year (2567 = 2024) is a day.
	if status, body := enrol(officer, "0891110002", "29/2/2567"); status != 303 {
		t.Fatalf("enrolled on 29/2/2567: %d %s", status, body)
	}
	rows, err := participants.NewStore(f.db).List(context.Background(), participants.Filter{Cohort: "รุ่น 9/2569"}, today)
	if err != nil || len(rows) != 1 {
		t.Fatalf("enrolled: %v %v", rows, err)
	}
	p, err := participants.NewStore(f.db).ByCode(context.Background(), rows[0].Code)
	if err != nil || !p.EnrolledOn.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("enrolled on %v, %v; want 2024-02-29", p.EnrolledOn, err)
	}

	// An English reader types the C.E. year; a B.E. one is told so in English.
	if resp := officer.form("/language", url.Values{"lang": {"en"}, "back": {"/"}}); resp.StatusCode != 303 {
		t.Fatalf("language: %d", resp.StatusCode)
	}
	if status, body := enrol(officer, "0891110003", thai.FormatDate("th", today)); status != 422 || !strings.Contains(body, "Type the year in C.E.") {
		t.Errorf("a B.E. year on an English page: %d %s", status, body)
	}
	if status, body := enrol(officer, "0891110003", thai.FormatDate("en", today)); status != 303 {
		t.Errorf("a C.E. date on an English page: %d %s", status, body)
	}
	if body := readBody(t, officer.do("GET", "/participants/new", nil, nil)); !strings.Contains(body, `value="`+today.Format("02/01/2006")+`"`) || !strings.Contains(body, "dd/mm/yyyy") {
		t.Errorf("English enrolment form's date box: %s", body)
	}

	// The audit trail's range takes the same boxes and shows them back as typed.
	from := thai.FormatDate("th", today.AddDate(0, 0, -1))
	resp := admin.do("GET", "/admin/audit?from="+url.QueryEscape(from)+"&to="+url.QueryEscape(thai.FormatDate("th", today)), nil, nil)
	if body := readBody(t, resp); resp.StatusCode != 200 || !strings.Contains(body, `value="`+from+`"`) || strings.Contains(body, `type="date"`) {
		t.Errorf("audit range in B.E.: %d %s", resp.StatusCode, body)
	}
	resp = admin.do("GET", "/admin/audit?from=31/04/2569", nil, nil)
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "ไม่มีวันนี้ในปฏิทิน") || !strings.Contains(body, `value="31/04/2569"`) {
		t.Errorf("audit range on 31/04/2569: %d %s", resp.StatusCode, body)
	}
}
