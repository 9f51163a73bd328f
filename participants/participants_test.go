package participants

import (
	"errors"
	"testing"
	"time"

	"hawker/valid"
)

func fieldsOf(t *testing.T, err error) valid.Errors {
	t.Helper()
	var v valid.Errors
	if !errors.As(err, &v) {
		t.Fatalf("want valid.Errors, got %v", err)
	}
	return v
}

func TestNormalisePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0812345678", "0812345678"},
		{"081-234-5678", "0812345678"},
		{"081 234 5678", "0812345678"},
		{"+66 81 234 5678", "0812345678"},
		{"+66812345678", "0812345678"},
		{"66812345678", "0812345678"},
		{"(081) 234-5678", "0812345678"},
		{"0612345678", "0612345678"},
		{"0912345678", "0912345678"},
		{"021234567", ""},   // Bangkok landline
		{"0212345678", ""},  // not 06/08/09
		{"081234567", ""},   // nine digits
		{"08123456789", ""}, // eleven digits
		{"+1 812 345 6789", ""},
		{"081234567x", ""},
		{"", ""},
		{"๐๘๑๒๓๔๕๖๗๘", ""}, // Thai digits are not accepted silently
	}
	for _, tt := range tests {
		got, ok := NormalisePhone(tt.in)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("NormalisePhone(%q) = %q, %t; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestEnrolmentParse(t *testing.T) {
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	good := Enrolment{Name: "  สมหญิง   ใจงาม ", Nickname: "หญิง", Phone: "+66 89-123-4567", Province: "กรุงเทพมหานคร", District: "บางกะปิ", Cohort: "รุ่น 1/2569", EnrolledOn: "2026-03-10"}
	p, err := good.Parse(today)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "สมหญิง ใจงาม" || p.PhoneNumber() != "0891234567" || p.Language != "th" {
		t.Errorf("parsed %+v", p)
	}
	tests := []struct {
		name  string
		edit  func(*Enrolment)
		field string
		key   string
	}{
		{"no name", func(e *Enrolment) { e.Name = " " }, "name", "input.required"},
		{"landline", func(e *Enrolment) { e.Phone = "02-123-4567" }, "phone", "input.phone_not_mobile"},
		{"no phone", func(e *Enrolment) { e.Phone = "" }, "phone", "input.required"},
		{"tomorrow", func(e *Enrolment) { e.EnrolledOn = "2026-03-11" }, "enrolled_on", "input.date_future"},
		{"not a date", func(e *Enrolment) { e.EnrolledOn = "10/03/2569" }, "enrolled_on", "input.date_invalid"},
		{"no cohort", func(e *Enrolment) { e.Cohort = "" }, "cohort", "input.required"},
		{"language", func(e *Enrolment) { e.Language = "fr" }, "language", "input.language_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := good
			tt.edit(&e)
			_, err := e.Parse(today)
			if got := fieldsOf(t, err)[tt.field]; got != tt.key {
				t.Errorf("%s: %q, want %q (%v)", tt.field, got, tt.key, err)
			}
		})
	}
}
