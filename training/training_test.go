package training

import (
	"strings"
	"testing"
	"time"

	"hawker/pg/pgtest"
)

func day(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }

func TestAddMonthsLikePostgres(t *testing.T) {
	tests := []struct {
		from   string
		months int
		want   string
	}{
		{"2026-01-15", 1, "2026-02-15"},
		{"2026-01-31", 1, "2026-02-28"}, // clamped, as date + interval '1 month'
		{"2024-01-31", 1, "2024-02-29"},
		{"2026-03-31", 6, "2026-09-30"},
		{"2026-11-30", 3, "2027-02-28"},
		{"2026-06-15", 24, "2028-06-15"},
	}
	for _, tt := range tests {
		if got := AddMonths(day(tt.from), tt.months).Format(time.DateOnly); got != tt.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tt.from, tt.months, got, tt.want)
		}
	}
	// The rule exists in SQL too (ExpiringWithin): the same cases hold there.
	db := pgtest.New(t)
	for _, tt := range tests {
		var got string
		err := db.Get(&got, `SELECT to_char(($1::date + make_interval(months => $2))::date, 'YYYY-MM-DD')`, tt.from, tt.months)
		if err != nil || got != tt.want {
			t.Errorf("PostgreSQL: %s + %d months = %s (%v), want %s", tt.from, tt.months, got, err, tt.want)
		}
	}
}

func TestStanding(t *testing.T) {
	six := 6
	food := Module{ID: 1, Required: true, ValidityMonths: &six}
	plan := Module{ID: 2, Required: true}
	law := Module{ID: 3}
	cs := []Completion{
		{ModuleID: 1, CompletedOn: day("2025-01-10"), Passed: true},
		{ModuleID: 1, CompletedOn: day("2025-12-01"), Passed: true}, // the latest pass counts
		{ModuleID: 1, CompletedOn: day("2026-02-01"), Passed: false},
		{ModuleID: 2, CompletedOn: day("2025-05-01"), Passed: true},
		{ModuleID: 3, CompletedOn: day("2026-01-01"), Passed: false},
	}
	tests := []struct {
		today string
		want  [3]Status
	}{
		{"2026-03-01", [3]Status{Current, Current, Missing}},
		{"2026-06-01", [3]Status{Current, Current, Missing}}, // the last valid day
		{"2026-06-02", [3]Status{Expired, Current, Missing}},
	}
	for _, tt := range tests {
		st := Standing([]Module{food, plan, law}, cs, day(tt.today))
		for i, s := range st {
			if s.Status != tt.want[i] {
				t.Errorf("%s: module %d is %s, want %s", tt.today, s.Module.ID, s.Status, tt.want[i])
			}
		}
	}
}

func TestFormsParse(t *testing.T) {
	today := day("2026-03-14")
	tests := []struct {
		name  string
		err   func() error
		field string
		key   string
	}{
		{"future completion", func() error {
			_, err := CompletionForm{ModuleID: 1, CompletedOn: "2026-03-15", Passed: true}.Parse(today)
			return err
		}, "completed_on", "input.date_future"},
		{"score over 100", func() error {
			_, err := CompletionForm{ModuleID: 1, CompletedOn: "2026-03-14", Score: "101"}.Parse(today)
			return err
		}, "score", "training.score_invalid"},
		{"no module", func() error {
			_, err := CompletionForm{CompletedOn: "2026-03-14"}.Parse(today)
			return err
		}, "module", "training.module_required"},
		{"class without attendees", func() error {
			_, err := ClassForm{ModuleID: 1, SessionOn: "2026-03-01"}.Parse(today)
			return err
		}, "attendees", "training.no_attendees"},
		{"attendee score", func() error {
			_, err := ClassForm{ModuleID: 1, SessionOn: "2026-03-01", Attendees: []Attendee{{ParticipantID: 7, Score: "x"}}}.Parse(today)
			return err
		}, "score.7", "training.score_invalid"},
		{"attendee without a result", func() error {
			_, err := ClassForm{ModuleID: 1, SessionOn: "2026-03-01", Attendees: []Attendee{{ParticipantID: 7, NoResult: true}}}.Parse(today)
			return err
		}, "passed.7", "training.passed_required"},
		{"attendee twice", func() error {
			_, err := ClassForm{ModuleID: 1, SessionOn: "2026-03-01", Attendees: []Attendee{{ParticipantID: 7}, {ParticipantID: 7}}}.Parse(today)
			return err
		}, "attendees", "training.attendee_twice"},
		{"validity zero", func() error {
			_, err := ModuleForm{NameTH: "ก", NameEN: "a", Kind: "programme", ValidityMonths: "0"}.Parse()
			return err
		}, "validity_months", "training.validity_invalid"},
		{"kind", func() error {
			_, err := ModuleForm{NameTH: "ก", NameEN: "a", Kind: "other"}.Parse()
			return err
		}, "kind", "training.kind_invalid"},
	}
	for _, tt := range tests {
		err := tt.err()
		if err == nil || !containsField(err.Error(), tt.field+": "+tt.key) {
			t.Errorf("%s: %v, want %s: %s", tt.name, err, tt.field, tt.key)
		}
	}
	cl, err := ClassForm{ModuleID: 1, SessionOn: "2026-03-01", Issuer: " กรมอนามัย ", Attendees: []Attendee{{ParticipantID: 7, Passed: true, Score: "90", CertificateNo: "FH-1"}}}.Parse(today)
	if err != nil || len(cl.Completions) != 1 || *cl.Completions[0].Score != 90 || cl.Completions[0].Issuer != "กรมอนามัย" || !cl.Completions[0].CompletedOn.Equal(day("2026-03-01")) {
		t.Errorf("class: %+v %v", cl, err)
	}
}

func containsField(s, want string) bool { return strings.Contains(s, want) }
