// Package thai formats dates the way Thai readers expect: Buddhist Era
// years and Thai month names. (Amounts are package money's.)
// Go's "2006" layout is always C.E., so B.E. years are made here.
//
// It owns no table and imports no other Hawker package but valid (the
// years Hawker keeps, and errors that name their message).
package thai

import (
	"fmt"
	"time"
)

// Bangkok is Asia/Bangkok: UTC+7 all year, with no daylight saving, fixed
// so that slim containers without zoneinfo still get it right.
var Bangkok = time.FixedZone("Asia/Bangkok", 7*60*60)

// BEOffset is the difference between Buddhist Era and Common Era years.
const BEOffset = 543

var (
	months      = [12]string{"มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"}
	shortMonths = [12]string{"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."}
)

// Today is the business day in Bangkok at the instant now.
func Today(now time.Time) time.Time {
	t := now.In(Bangkok)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// MonthName is the full Thai name of m.
func MonthName(m time.Month) string { return months[m-1] }

// ShortMonthName is the abbreviated Thai name of m.
func ShortMonthName(m time.Month) string { return shortMonths[m-1] }

// Year is the B.E. year of t.
func Year(t time.Time) int { return t.Year() + BEOffset }

// Date formats t's calendar date as "26 พ.ย. 2569".
func Date(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), ShortMonthName(t.Month()), Year(t))
}

// LongDate formats t's calendar date as "26 พฤศจิกายน 2569".
func LongDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), MonthName(t.Month()), Year(t))
}

// Month formats t's month as "พฤศจิกายน 2569".
func Month(t time.Time) string {
	return fmt.Sprintf("%s %d", MonthName(t.Month()), Year(t))
}

// DateIn formats a date for a reader of lang: B.E. in Thai, C.E. in English.
func DateIn(lang string, t time.Time) string {
	if lang == "en" {
		return t.Format("2 Jan 2006")
	}
	return Date(t)
}

// MonthIn formats a month for a reader of lang.
func MonthIn(lang string, t time.Time) string {
	if lang == "en" {
		return t.Format("January 2006")
	}
	return Month(t)
}
