package app

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"hawker/thai"
)

// TestStaffEntryDateBox (issue 14, point 8): an officer typing a vendor's
// paper form on her behalf picks the day in the shared date box (B.E. on
// Thai pages), never the browser's date input. A day the box does not read
// is refused beside it with what was typed kept and nothing recorded; a
// good one is booked as that day. The vendor's own page has no box: her
// entries are today's, sent as YYYY-MM-DD.
func TestStaffEntryDateBox(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	code := f.participant["vendor"].Code
	officer := f.as("officer")
	today := thai.Today(f.clock.Now())

	page := readBody(t, officer.do("GET", "/vendors/"+code, nil, nil))
	if strings.Contains(page, `type="date"`) || !strings.Contains(page, `id="sale-date" name="date" type="text"`) ||
		!strings.Contains(page, `value="`+thai.FormatDate("th", today)+`"`) || !strings.Contains(page, "/static/datefield.") {
		t.Fatalf("the officer's entry form has no B.E. date box: %s", page)
	}
	own := readBody(t, f.as("vendor").do("GET", "/books", nil, nil))
	if strings.Contains(own, "data-date") || !strings.Contains(own, `type="hidden" name="date" value="`+today.Format(time.DateOnly)+`"`) {
		t.Errorf("her own page's entry date: %s", own)
	}

	entries := func() []string {
		t.Helper()
		var days []string
		if err := f.db.Select(&days, `SELECT business_date::text FROM vendor_entries WHERE participant_id = $1 ORDER BY id`, f.participant["vendor"].ID); err != nil {
			t.Fatal(err)
		}
		return days
	}
	for _, tc := range []struct{ date, want string }{
		{"31/04/2569", "ไม่มีวันนี้ในปฏิทิน"},
		{today.Format("02/01/2006"), "ใช้ปี พ.ศ."},
		{"15-11", "พิมพ์วันที่แบบ วัน/เดือน/ปี พ.ศ."},
	} {
		resp := officer.form("/vendors/"+code+"/entries", url.Values{"kind": {"sale"}, "amount": {"120"}, "method": {"cash"}, "key": {"staff-date-bad"}, "date": {tc.date}})
		body := readBody(t, resp)
		if resp.StatusCode != 422 || !strings.Contains(body, tc.want) || !strings.Contains(body, `value="`+tc.date+`"`) || !strings.Contains(body, `value="120.00"`) ||
			regexp.MustCompile(`id="sale-amount"[^>]*aria-invalid`).MatchString(body) {
			t.Errorf("entry on %q: %d, want 422 with %q beside the date, the date and amount shown back and the amount not marked wrong: %s", tc.date, resp.StatusCode, tc.want, body)
		}
	}
	if days := entries(); len(days) != 0 {
		t.Fatalf("refused dates recorded %v", days)
	}
	day := today.AddDate(0, 0, -1)
	resp := officer.form("/vendors/"+code+"/entries", url.Values{"kind": {"sale"}, "amount": {"120"}, "method": {"cash"}, "key": {"staff-date-good"}, "date": {thai.FormatDate("th", day)}})
	if resp.StatusCode != 303 {
		t.Fatalf("entry on %s: %d %s", thai.FormatDate("th", day), resp.StatusCode, readBody(t, resp))
	}
	if days := entries(); len(days) != 1 || days[0] != day.Format(time.DateOnly) {
		t.Errorf("booked on %v, want %s", days, day.Format(time.DateOnly))
	}
}
