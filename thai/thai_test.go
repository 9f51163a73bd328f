package thai

import (
	"testing"
	"time"
)

func TestDates(t *testing.T) {
	d := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	cases := []struct{ got, want string }{
		{Date(d), "26 พ.ย. 2569"},
		{LongDate(d), "26 พฤศจิกายน 2569"},
		{Month(d), "พฤศจิกายน 2569"},
		{DateIn("en", d), "26 Nov 2026"},
		{DateIn("th", d), "26 พ.ย. 2569"},
		{MonthIn("en", d), "November 2026"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestToday(t *testing.T) {
	cases := []struct {
		utc  string
		want string
	}{
		{"2026-11-26T16:59:59Z", "2026-11-26"},
		{"2026-11-26T17:00:00Z", "2026-11-27"}, // already tomorrow in Bangkok
		{"2026-12-31T17:30:00Z", "2027-01-01"}, // and the next year on 31 December
		{"2026-01-01T00:00:00Z", "2026-01-01"},
		{"2025-01-31T16:59:00Z", "2025-01-31"},
		{"2025-01-31T17:00:00Z", "2025-02-01"},
		{"2025-12-31T23:00:00Z", "2026-01-01"},
	}
	for _, c := range cases {
		now, _ := time.Parse(time.RFC3339, c.utc)
		got := Today(now)
		if got.Format("2006-01-02") != c.want || got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("Today(%s) = %v, want %s at midnight UTC", c.utc, got, c.want)
		}
	}
}
