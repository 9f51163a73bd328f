package thai

import (
	"strconv"
	"strings"
	"time"

	"hawker/valid"
)

// A date box on Hawker's pages shows and takes day/month/year: the B.E.
// year on Thai pages (30/11/2569), the C.E. year on English ones
// (30/11/2026). ParseDate is the one reading of it on the server;
// app/static/datefield.js mirrors it in the page, rule for rule, and the
// table in dateinput_test.go pins both.

// Errors of ParseDate, each naming its message in the catalogue.
var (
	ErrDateFormat = valid.NewError("thai: not a date as day/month/year", "input.date_format")
	ErrDateNoDay  = valid.NewError("thai: no such day in the calendar", "input.date_no_day")
	ErrDateWantBE = valid.NewError("thai: a C.E. year on a Thai page", "input.date_want_be")
	ErrDateWantCE = valid.NewError("thai: a B.E. year on an English page", "input.date_want_ce")
	ErrDateRange  = valid.NewError("thai: date outside the years Hawker keeps", "input.date_range")
)

// ParseDate reads a date typed on a page in lang ("th" or "en") as its
// calendar day (midnight UTC). It takes D/M/YYYY (day and month of one or
// two digits; "/", "-" or "." between them, the same twice) with a B.E.
// year on Thai pages and a C.E. year on English ones, and also the
// machine form YYYY-MM-DD (always C.E.), which browsers without the page's
// script and programs send. A year of the other era is refused with its
// own message rather than read 543 years off; so is a day the calendar
// lacks (29/02/2568) rather than rolled into the next month. The day must
// lie between valid.FirstDay and valid.LastDay. Leading and trailing
// spaces are ignored; an empty string is ErrDateFormat (the caller says
// whether a date is required).
func ParseDate(lang, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, ok := isoDate(s); ok {
		return inRange(d.y, d.m, d.d)
	}
	d, ok := dmy(s)
	if !ok {
		return time.Time{}, ErrDateFormat
	}
	first, last := valid.FirstDay.Year(), valid.LastDay.Year()
	if lang == "en" {
		if d.y >= first+BEOffset && d.y <= last+BEOffset {
			return time.Time{}, ErrDateWantCE
		}
		return inRange(d.y, d.m, d.d)
	}
	if d.y >= first && d.y <= last {
		return time.Time{}, ErrDateWantBE
	}
	return inRange(d.y-BEOffset, d.m, d.d)
}

// FormatDate writes t as ParseDate reads it on a page in lang:
// "30/11/2569" in Thai, "30/11/2026" in English.
func FormatDate(lang string, t time.Time) string {
	y := t.Year()
	if lang != "en" {
		y += BEOffset
	}
	return twoDigits(t.Day()) + "/" + twoDigits(int(t.Month())) + "/" + strconv.Itoa(y)
}

type ymd struct{ y, m, d int }

// isoDate reads exactly YYYY-MM-DD.
func isoDate(s string) (ymd, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return ymd{}, false
	}
	y, ok1 := digits(s[:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:])
	return ymd{y, m, d}, ok1 && ok2 && ok3
}

// dmy reads D/M/YYYY with one separator of "/-." used twice.
func dmy(s string) (ymd, bool) {
	i := strings.IndexAny(s, "/-.")
	if i < 0 {
		return ymd{}, false
	}
	parts := strings.Split(s, s[i:i+1])
	if len(parts) != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return ymd{}, false
	}
	d, ok1 := digits(parts[0])
	m, ok2 := digits(parts[1])
	y, ok3 := digits(parts[2])
	return ymd{y, m, d}, ok1 && ok2 && ok3
}

// digits reads ASCII digits only (no sign, no spaces, no Thai digits).
func digits(s string) (int, bool) {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, s != ""
}

// inRange checks the day exists in the C.E. year y and lies in Hawker's years.
func inRange(y, m, d int) (time.Time, error) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, ErrDateNoDay
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, ErrDateNoDay
	}
	if t.Before(valid.FirstDay) || t.After(valid.LastDay) {
		return time.Time{}, ErrDateRange
	}
	return t, nil
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
