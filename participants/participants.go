// Package participants owns the participant's file: enrolment under a
// pseudonymous code, consent per purpose, business plans and their review,
// grant eligibility, and the personal-data rights of export and erasure.
// It stores nothing about offences, sentences or prisons.
//
// It owns the tables participants, participant_code_counters, consents,
// plans and plan_items, and only it names them: other packages read a file
// through Get, ByCodes, ByIDs and the Store. Its rules: the participant code,
// one live file per phone, consent per purpose (the latest decision holds),
// the plan's review and four eyes (ReviewPlan, the one function the plan page
// and the API share), and grant eligibility, written once (Facts.Eligibility)
// and read by the list, the file page, the API and a grant's approval
// (Store.Eligibility, inside the caller's transaction). Her export and
// erasure reach every other package's data about her through the
// PersonalData hooks that app.New wires; LockLive lets a package check, in
// its own transaction, that her file still takes personal data.
// It imports training (her results, read through its functions), audit, pg
// and valid; the packages that hold data about her import it, never the
// other way round.
package participants

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hawker/training"
	"hawker/valid"
)

// Errors of this package.
var (
	ErrNotFound = valid.NewError("participants: not found", "error.not_found")
	// ErrDuplicatePhone is matched by every *DuplicatePhoneError.
	ErrDuplicatePhone = valid.NewError("participants: phone already enrolled", "participant.phone_taken")
	// ErrWrongState means the plan's state does not allow the action.
	ErrWrongState = valid.NewError("participants: the plan's state does not allow this", "error.conflict")
	// ErrFourEyes means a manager tried to approve a plan they wrote or submitted.
	ErrFourEyes = valid.NewError("participants: a plan is approved by a manager who did not write it", "plan.four_eyes")
	// ErrErased means the file's personal data was erased; it can no longer change.
	ErrErased = valid.NewError("participants: the participant's personal data was erased", "participant.erased_conflict")
	// ErrNotEligible means the participant does not yet meet the grant conditions.
	ErrNotEligible = valid.NewError("participants: not eligible for a grant", "participant.not_eligible")
)

// DuplicatePhoneError carries the code of the file that already holds the phone.
type DuplicatePhoneError struct{ Code string }

func (e *DuplicatePhoneError) Error() string {
	return "participants: phone already enrolled as " + e.Code
}

// Is makes errors.Is(err, ErrDuplicatePhone) hold.
func (e *DuplicatePhoneError) Is(target error) bool { return target == ErrDuplicatePhone }

// Participant is one person's file.
type Participant struct {
	ID         int64      `db:"id"`
	Code       string     `db:"code"`
	Name       string     `db:"name"`
	Nickname   string     `db:"nickname"`
	Phone      *string    `db:"phone"`
	Province   string     `db:"province"`
	District   string     `db:"district"`
	Cohort     string     `db:"cohort"`
	EnrolledOn time.Time  `db:"enrolled_on"`
	Language   string     `db:"language"`
	ErasedAt   *time.Time `db:"erased_at"`
	ErasedBy   *int64     `db:"erased_by"`
	CreatedBy  *int64     `db:"created_by"`
	CreatedAt  time.Time  `db:"created_at"`
}

// Erased reports whether the personal fields were erased.
func (p Participant) Erased() bool { return p.ErasedAt != nil }

// PhoneNumber is the phone or "" once erased.
func (p Participant) PhoneNumber() string {
	if p.Phone == nil {
		return ""
	}
	return *p.Phone
}

// Object names the participant in the audit trail: by code, never by name.
func (p Participant) Object() string { return "participant:" + p.Code }

// Enrolment is the enrolment form as an officer or an API client sends it.
type Enrolment struct {
	Name       string `json:"name"`
	Nickname   string `json:"nickname"`
	Phone      string `json:"phone"`
	Province   string `json:"province"`
	District   string `json:"district"`
	Cohort     string `json:"cohort"`
	EnrolledOn string `json:"enrolled_on"` // YYYY-MM-DD
	Language   string `json:"language"`
}

// Parse validates e against the business day today and returns the
// participant it describes (without code), the phone normalised.
func (e Enrolment) Parse(today time.Time) (Participant, error) {
	errs := valid.Errors{}
	p := Participant{
		Name:     clean(e.Name),
		Nickname: clean(e.Nickname),
		Province: clean(e.Province),
		District: clean(e.District),
		Cohort:   clean(e.Cohort),
		Language: strings.TrimSpace(e.Language),
	}
	checkText(errs, "name", p.Name, true, 120)
	checkText(errs, "nickname", p.Nickname, false, 60)
	checkText(errs, "province", p.Province, true, 80)
	checkText(errs, "district", p.District, true, 80)
	checkText(errs, "cohort", p.Cohort, true, 60)
	if phone, ok := NormalisePhone(e.Phone); !ok {
		if strings.TrimSpace(e.Phone) == "" {
			errs.Add("phone", "input.required")
		} else {
			errs.Add("phone", "input.phone_not_mobile")
		}
	} else {
		p.Phone = &phone
	}
	if d, key := training.ParseDate(e.EnrolledOn, today); key != "" {
		errs.Add("enrolled_on", key)
	} else {
		p.EnrolledOn = d
	}
	switch p.Language {
	case "":
		p.Language = "th"
	case "th", "en":
	default:
		errs.Add("language", "input.language_invalid")
	}
	return p, errs.Err()
}

// clean trims and folds runs of white space into one space.
// checkText adds field's problem to errs: empty when required, or longer
// than max characters.
func checkText(errs valid.Errors, field, v string, required bool, max int) {
	switch {
	case required && v == "":
		errs.Add(field, "input.required")
	case utf8.RuneCountInString(v) > max:
		errs.Add(field, "input.too_long")
	}
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// NormalisePhone reads a Thai mobile number written with spaces, dashes,
// dots or brackets, or with +66 / 66 in front, and returns it as
// 0XXXXXXXXX. Mobile numbers start 06, 08 or 09 and have ten digits.
func NormalisePhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || unicode.IsSpace(r):
		default:
			return "", false
		}
	}
	d := b.String()
	hadPlus := strings.HasPrefix(strings.TrimSpace(s), "+")
	switch {
	case strings.HasPrefix(d, "66") && len(d) == 11:
		d = "0" + d[2:]
	case hadPlus:
		return "", false
	}
	if len(d) != 10 || d[0] != '0' || (d[1] != '6' && d[1] != '8' && d[1] != '9') {
		return "", false
	}
	return d, true
}

// FormatPhone shows 0812345678 as 081-234-5678.
func FormatPhone(p string) string {
	if len(p) != 10 {
		return p
	}
	return p[:3] + "-" + p[3:6] + "-" + p[6:]
}

// Purpose is what a consent is for; each is given or withheld separately.
type Purpose string

// The purposes of consent (PDPA: explicit, separate per purpose, withdrawable).
const (
	TakingPart   Purpose = "programme"     // taking part in the programme
	DonorReports Purpose = "donor_reports" // aggregate use in donor reports
	Story        Purpose = "story"         // use of her story or photo
)

// Purposes lists every purpose in the order forms show them.
var Purposes = []Purpose{TakingPart, DonorReports, Story}

// Valid reports whether p is a purpose.
func (p Purpose) Valid() bool {
	for _, x := range Purposes {
		if p == x {
			return true
		}
	}
	return false
}

// Consent is one recorded decision; the latest per purpose holds.
type Consent struct {
	ID            int64     `db:"id" json:"-"`
	ParticipantID int64     `db:"participant_id" json:"-"`
	Purpose       Purpose   `db:"purpose" json:"purpose"`
	Given         bool      `db:"given" json:"given"`
	RecordedOn    time.Time `db:"recorded_on" json:"-"`
	RecordedBy    *int64    `db:"recorded_by" json:"recorded_by"`
	RecordedAt    time.Time `db:"recorded_at" json:"recorded_at"`
}

// ConsentForm is one consent decision as sent.
type ConsentForm struct {
	Purpose    string `json:"purpose"`
	Given      *bool  `json:"given"`
	RecordedOn string `json:"recorded_on"` // empty: today
}

// Parse validates the decision.
func (f ConsentForm) Parse(today time.Time) (Consent, error) {
	errs := valid.Errors{}
	c := Consent{Purpose: Purpose(f.Purpose), RecordedOn: today}
	if !c.Purpose.Valid() {
		errs.Add("purpose", "consent.purpose_invalid")
	}
	if f.Given == nil {
		errs.Add("given", "consent.given_required")
	} else {
		c.Given = *f.Given
	}
	if strings.TrimSpace(f.RecordedOn) != "" {
		if d, key := training.ParseDate(f.RecordedOn, today); key != "" {
			errs.Add("recorded_on", key)
		} else {
			c.RecordedOn = d
		}
	}
	return c, errs.Err()
}

// ConsentState is the standing decision for each purpose (absent: never asked).
type ConsentState map[Purpose]Consent

// Gives reports whether consent for p is recorded and not withdrawn.
func (s ConsentState) Gives(p Purpose) bool { c, ok := s[p]; return ok && c.Given }

// Code makes a participant code from the enrolment year and its sequence.
func Code(year, seq int) string { return fmt.Sprintf("HSF-%d-%04d", year, seq) }

func validErr(field, key string) error { return valid.Errors{field: key} }
