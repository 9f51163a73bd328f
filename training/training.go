// Package training keeps the training catalogue (the food-handler course
// the Ministry of Public Health requires and the programme's own modules)
// and each participant's completions: one at a time, or a whole class in
// one transaction. A certificate is current until its module's validity
// runs out; a module without validity never expires.
//
// It owns training_modules, training_sessions and training_completions.
// Its rules: a certificate's validity (ValidUntil, months added as
// PostgreSQL adds them) and each module's standing on a day (Standing).
// It knows participants only by id: a class is recorded by the participants
// package (which checks each attendee's file) over StartClass and Record.
// It imports audit, pg and valid.
package training

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"hawker/valid"
)

// Errors of this package.
var (
	ErrNotFound = valid.NewError("training: not found", "error.not_found")
	// ErrDuplicate means a participant appears twice in one class.
	ErrDuplicate = valid.NewError("training: participant recorded twice in one class", "training.attendee_twice")
)

// Kind is what a module belongs to.
type Kind string

// The kinds of module.
const (
	FoodHandler Kind = "food_handler" // the Ministry's food-handler course
	Programme   Kind = "programme"    // the programme's own modules
)

// Module is one entry of the catalogue.
type Module struct {
	ID             int64     `db:"id" json:"id"`
	NameTH         string    `db:"name_th" json:"name_th"`
	NameEN         string    `db:"name_en" json:"name_en"`
	Kind           Kind      `db:"kind" json:"kind"`
	Required       bool      `db:"required" json:"required"`
	ValidityMonths *int      `db:"validity_months" json:"validity_months"`
	Active         bool      `db:"active" json:"active"`
	Position       int       `db:"position" json:"-"`
	CreatedAt      time.Time `db:"created_at" json:"-"`
}

// Name is the module's name in lang.
func (m Module) Name(lang string) string {
	if lang == "en" {
		return m.NameEN
	}
	return m.NameTH
}

// ModuleForm is a module as an administrator types it.
type ModuleForm struct {
	NameTH         string
	NameEN         string
	Kind           string
	Required       bool
	ValidityMonths string // empty: no expiry
	Active         bool
}

// Parse validates the form and returns the module it describes.
func (f ModuleForm) Parse() (Module, error) {
	errs := valid.Errors{}
	m := Module{NameTH: strings.TrimSpace(f.NameTH), NameEN: strings.TrimSpace(f.NameEN), Kind: Kind(f.Kind), Required: f.Required, Active: f.Active}
	if m.NameTH == "" || utf8.RuneCountInString(m.NameTH) > 200 {
		errs.Add("name_th", "training.name_required")
	}
	if m.NameEN == "" || utf8.RuneCountInString(m.NameEN) > 200 {
		errs.Add("name_en", "training.name_required")
	}
	if m.Kind != FoodHandler && m.Kind != Programme {
		errs.Add("kind", "training.kind_invalid")
	}
	if v := strings.TrimSpace(f.ValidityMonths); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 240 {
			errs.Add("validity_months", "training.validity_invalid")
		} else {
			m.ValidityMonths = &n
		}
	}
	return m, errs.Err()
}

// Completion is one participant's result in one module.
type Completion struct {
	ID            int64     `db:"id" json:"id"`
	ParticipantID int64     `db:"participant_id" json:"-"`
	ModuleID      int64     `db:"module_id" json:"module"`
	SessionID     *int64    `db:"session_id" json:"session,omitempty"`
	CompletedOn   time.Time `db:"completed_on" json:"-"`
	Passed        bool      `db:"passed" json:"passed"`
	Score         *int      `db:"score" json:"score"`
	CertificateNo string    `db:"certificate_no" json:"certificate_no"`
	Issuer        string    `db:"issuer" json:"issuer"`
	RecordedBy    *int64    `db:"recorded_by" json:"-"`
	RecordedAt    time.Time `db:"recorded_at" json:"recorded_at"`
}

// ValidUntil is the last day a passed completion of a module with the
// given validity counts, and false when it never expires. Months are added
// as PostgreSQL adds them: the 31st plus one month is the month's last day.
func ValidUntil(completedOn time.Time, validityMonths *int) (time.Time, bool) {
	if validityMonths == nil {
		return time.Time{}, false
	}
	return AddMonths(completedOn, *validityMonths), true
}

// AddMonths adds n calendar months, clamping to the end of a shorter month.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, t.Location())
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, t.Location())
}

// Status of one module for one participant.
type Status string

// The statuses a module can have for a participant.
const (
	Missing Status = "missing" // never passed
	Current Status = "current" // passed and still valid
	Expired Status = "expired" // passed, but the certificate ran out
)

// ModuleStatus is one module with a participant's best standing in it.
type ModuleStatus struct {
	Module     Module
	Status     Status
	Latest     *Completion // the latest passed completion, if any
	ValidUntil *time.Time  // when Latest stops counting; nil: never
}

// Standing works out each module's status for one participant on day today
// from her completions (any order).
func Standing(modules []Module, completions []Completion, today time.Time) []ModuleStatus {
	latest := map[int64]*Completion{}
	for i := range completions {
		c := &completions[i]
		if !c.Passed {
			continue
		}
		if l, ok := latest[c.ModuleID]; !ok || c.CompletedOn.After(l.CompletedOn) {
			latest[c.ModuleID] = c
		}
	}
	out := make([]ModuleStatus, 0, len(modules))
	for _, m := range modules {
		ms := ModuleStatus{Module: m, Status: Missing}
		if c, ok := latest[m.ID]; ok {
			ms.Latest = c
			ms.Status = Current
			if until, expires := ValidUntil(c.CompletedOn, m.ValidityMonths); expires {
				ms.ValidUntil = &until
				if until.Before(today) {
					ms.Status = Expired
				}
			}
		}
		out = append(out, ms)
	}
	return out
}

// CompletionForm is one completion as an officer types it.
type CompletionForm struct {
	ModuleID      int64
	CompletedOn   string // YYYY-MM-DD
	Passed        bool
	Score         string // empty: not scored
	CertificateNo string
	Issuer        string
}

// Parse validates f against the business day today.
func (f CompletionForm) Parse(today time.Time) (Completion, error) {
	errs := valid.Errors{}
	c := Completion{ModuleID: f.ModuleID, Passed: f.Passed, CertificateNo: strings.TrimSpace(f.CertificateNo), Issuer: strings.TrimSpace(f.Issuer)}
	if f.ModuleID <= 0 {
		errs.Add("module", "training.module_required")
	}
	if d, key := ParseDate(f.CompletedOn, today); key != "" {
		errs.Add("completed_on", key)
	} else {
		c.CompletedOn = d
	}
	if s, key := parseScore(f.Score); key != "" {
		errs.Add("score", key)
	} else {
		c.Score = s
	}
	if utf8.RuneCountInString(c.CertificateNo) > 64 {
		errs.Add("certificate_no", "training.certificate_too_long")
	}
	if utf8.RuneCountInString(c.Issuer) > 200 {
		errs.Add("issuer", "training.issuer_too_long")
	}
	return c, errs.Err()
}

func parseScore(s string) (*int, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 100 {
		return nil, "training.score_invalid"
	}
	return &n, ""
}

// ParseDate reads a YYYY-MM-DD date that is not after today, returning a
// message key when it cannot.
func ParseDate(s string, today time.Time) (time.Time, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, "input.date_required"
	}
	d, err := valid.Date(s)
	switch {
	case errors.Is(err, valid.ErrDateRange) && s < "2000":
		return time.Time{}, "input.date_too_old"
	case err != nil:
		return time.Time{}, "input.date_invalid"
	case d.After(today):
		return time.Time{}, "input.date_future"
	}
	return d, ""
}

// Attendee is one person's result in a class.
type Attendee struct {
	ParticipantID int64
	Passed        bool
	// NoResult says the officer ticked her as present but chose neither
	// passed nor failed: the form does not guess, so the class is refused
	// until she chooses.
	NoResult      bool
	Score         string
	CertificateNo string
}

// ClassForm is a whole class as an officer records it.
type ClassForm struct {
	ModuleID  int64
	SessionOn string
	Trainer   string
	Issuer    string
	Attendees []Attendee
}

// Class is a validated ClassForm.
type Class struct {
	ModuleID    int64
	SessionOn   time.Time
	Trainer     string
	Issuer      string
	Completions []Completion
}

// Parse validates the class; an attendee's problems are reported under
// "passed.<participant id>", "score.<participant id>" and
// "certificate_no.<participant id>".
func (f ClassForm) Parse(today time.Time) (Class, error) {
	errs := valid.Errors{}
	cl := Class{ModuleID: f.ModuleID, Trainer: strings.TrimSpace(f.Trainer), Issuer: strings.TrimSpace(f.Issuer)}
	if f.ModuleID <= 0 {
		errs.Add("module", "training.module_required")
	}
	if d, key := ParseDate(f.SessionOn, today); key != "" {
		errs.Add("session_on", key)
	} else {
		cl.SessionOn = d
	}
	if len(f.Attendees) == 0 {
		errs.Add("attendees", "training.no_attendees")
	}
	seen := map[int64]bool{}
	for _, a := range f.Attendees {
		id := strconv.FormatInt(a.ParticipantID, 10)
		if seen[a.ParticipantID] {
			errs.Add("attendees", "training.attendee_twice")
		}
		seen[a.ParticipantID] = true
		if a.NoResult {
			errs.Add("passed."+id, "training.passed_required")
		}
		score, key := parseScore(a.Score)
		if key != "" {
			errs.Add("score."+id, key)
		}
		cert := strings.TrimSpace(a.CertificateNo)
		if utf8.RuneCountInString(cert) > 64 {
			errs.Add("certificate_no."+id, "training.certificate_too_long")
		}
		cl.Completions = append(cl.Completions, Completion{
			ParticipantID: a.ParticipantID, ModuleID: f.ModuleID, CompletedOn: cl.SessionOn,
			Passed: a.Passed, Score: score, CertificateNo: cert, Issuer: cl.Issuer,
		})
	}
	return cl, errs.Err()
}
