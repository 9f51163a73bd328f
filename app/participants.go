package app

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/grants"
	"hawker/participants"
	"hawker/thai"
	"hawker/training"
	"hawker/users"
	"hawker/valid"
)

// today is the business day in Bangkok by the server's clock.
func (s *Server) today() time.Time { return thai.Today(s.now()) }

// participantFrom loads the participant named by the route's :code and
// checks the caller may see her; a page view of her file is audited by
// showParticipant, not here.
func (s *Server) participantFrom(c *fiber.Ctx) (participants.Participant, error) {
	p, err := s.participants.ByCode(c.UserContext(), c.Params("code"))
	if err != nil {
		return p, err
	}
	if err := s.mayViewParticipant(c, p.ID); err != nil {
		return participants.Participant{}, err
	}
	return p, nil
}

// participantsPage is the list with its search and filters.
type participantsPage struct {
	Filter  participants.Filter
	Rows    []participants.Row
	Cohorts []string
	States  []string
}

func (s *Server) listParticipants(c *fiber.Ctx) error {
	f := participants.Filter{Query: c.Query("q"), Cohort: c.Query("cohort"), State: c.Query("state"), Eligible: c.Query("eligible")}
	store := s.participants
	rows, err := store.List(c.UserContext(), f, s.today())
	if err != nil {
		return err
	}
	if err := store.Searched(c.UserContext(), actor(c), f, rows); err != nil {
		return err
	}
	cohorts, err := store.Cohorts(c.UserContext())
	if err != nil {
		return err
	}
	return s.render(c, "participant_list", participantsPage{Filter: f, Rows: rows, Cohorts: cohorts, States: participants.States})
}

// enrolPage is the enrolment form as typed, to re-render on a mistake.
type enrolPage struct {
	Form      participants.Enrolment
	Consents  map[string]bool
	Purposes  []participants.Purpose
	Cohorts   []string
	Errors    valid.Errors
	Duplicate string // code of the file that already holds the phone
	Today     time.Time
}

func (s *Server) newParticipant(c *fiber.Ctx) error {
	return s.renderEnrol(c, enrolPage{Form: participants.Enrolment{EnrolledOn: s.today().Format(time.DateOnly), Language: "th"}})
}

func (s *Server) renderEnrol(c *fiber.Ctx, pg enrolPage) error {
	cohorts, err := s.participants.Cohorts(c.UserContext())
	if err != nil {
		return err
	}
	pg.Cohorts, pg.Purposes, pg.Today = cohorts, participants.Purposes, s.today()
	if pg.Consents == nil {
		pg.Consents = map[string]bool{}
	}
	return s.render(c, "participant_new", pg)
}

func (s *Server) enrolParticipant(c *fiber.Ctx) error {
	form := participants.Enrolment{
		Name: c.FormValue("name"), Nickname: c.FormValue("nickname"), Phone: c.FormValue("phone"),
		Province: c.FormValue("province"), District: c.FormValue("district"), Cohort: c.FormValue("cohort"),
		Language: c.FormValue("language"),
	}
	bad := s.formDates(c, map[string]*string{"enrolled_on": &form.EnrolledOn})
	page := enrolPage{Form: form, Consents: map[string]bool{}}
	today := s.today()
	p, err := form.Parse(today)
	err = withDateErrors(err, bad)
	// Each purpose is asked separately; an unticked box is recorded as withheld.
	var consents []participants.Consent
	for _, purpose := range participants.Purposes {
		given := c.FormValue("consent_"+string(purpose)) == "yes"
		page.Consents[string(purpose)] = given
		consents = append(consents, participants.Consent{Purpose: purpose, Given: given, RecordedOn: p.EnrolledOn})
	}
	if err == nil {
		p, err = s.participants.Enrol(c.UserContext(), actor(c), p, consents)
	}
	var dup *participants.DuplicatePhoneError
	var fields valid.Errors
	switch {
	case errors.As(err, &dup):
		page.Errors, page.Duplicate = valid.Errors{"phone": "participant.phone_taken"}, dup.Code
	case errors.As(err, &fields):
		page.Errors = fields
	case err != nil:
		return err
	default:
		return c.Redirect("/participants/"+p.Code+"?done=enrolled", http.StatusSeeOther)
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return s.renderEnrol(c, page)
}

// fileTabs are the tabs of a participant's file, in order.
var fileTabs = []string{"profile", "consent", "training", "plans", "grants", "books", "phone"}

// filePage is one participant's file, on one tab.
type filePage struct {
	P           participants.Participant
	Tab         string
	Tabs        []string
	Notice      string
	Errors      valid.Errors
	Eligibility participants.Eligibility
	Consent     participants.ConsentState
	History     []participants.Consent
	Purposes    []participants.Purpose
	Standing    []training.ModuleStatus
	Completions []participants.CompletionDoc
	Plans       []participants.Plan
	OpenPlan    bool // a version is under way: no new one yet
	Today       time.Time
	ConsentOn   any // the consent form's date: today, or as typed
	Role        users.Role
	Grants      []grants.Row
	Phone       phoneTab // her phones and a one-time link to set one up (phones.go)
}

// Can reports whether the reader's role is one of roles (for buttons).
func (f filePage) Can(roles ...string) bool { return slices.Contains(roles, string(f.Role)) }

var fileNotices = map[string]string{
	"enrolled":      "participant.notice_enrolled",
	"consent":       "participant.notice_consent",
	"training":      "participant.notice_training",
	"plan":          "participant.notice_plan",
	"erased":        "participant.notice_erased",
	"phone_revoked": "device.revoked_notice",
}

// showParticipant shows her file and records the view in the audit trail.
func (s *Server) showParticipant(c *fiber.Ctx) error {
	tab := c.Query("tab", "profile")
	if !slices.Contains(fileTabs, tab) {
		tab = "profile"
	}
	return s.renderFile(c, tab, nil, "")
}

// renderFile shows her file on tab; a consent form that did not save comes
// back with its errors and its date as typed (consentOn), else today.
func (s *Server) renderFile(c *fiber.Ctx, tab string, formErr valid.Errors, consentOn string) error {
	ctx := c.UserContext()
	store := s.participants
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	if _, err := store.View(ctx, actor(c), p.Code, "file:"+tab); err != nil {
		return err
	}
	today := s.today()
	pg := filePage{P: p, Tab: tab, Tabs: fileTabs, Notice: fileNotices[c.Query("done")], Errors: formErr, Purposes: participants.Purposes, Today: today, ConsentOn: today}
	if consentOn != "" {
		pg.ConsentOn = consentOn
	}
	if u := currentUser(c); u != nil {
		pg.Role = u.Role
	}
	if pg.Eligibility, err = store.Eligibility(ctx, s.db, p.Code, today); err != nil {
		return err
	}
	if pg.Consent, err = store.ConsentState(ctx, p.ID); err != nil {
		return err
	}
	switch tab {
	case "consent":
		if pg.History, err = store.ConsentHistory(ctx, p.ID); err != nil {
			return err
		}
	case "training":
		if pg.Standing, err = store.Standing(ctx, p.ID, today); err != nil {
			return err
		}
		if pg.Completions, err = s.completionDocs(c, p.ID); err != nil {
			return err
		}
	case "grants":
		if pg.Grants, err = s.grants.List(ctx, grants.Filter{Participant: p.ID}); err != nil {
			return err
		}
	case "phone":
		if err := s.loadPhoneTab(c, p, &pg.Phone); err != nil {
			return err
		}
	case "plans":
		if pg.Plans, err = store.Plans(ctx, p.ID); err != nil {
			return err
		}
		for _, pl := range pg.Plans {
			pg.OpenPlan = pg.OpenPlan || pl.State != participants.Approved
		}
	}
	return s.render(c, "participant_file", pg)
}

func (s *Server) completionDocs(c *fiber.Ctx, participantID int64) ([]participants.CompletionDoc, error) {
	ms, err := training.Modules(c.UserContext(), s.db, true)
	if err != nil {
		return nil, err
	}
	byID := map[int64]training.Module{}
	for _, m := range ms {
		byID[m.ID] = m
	}
	cs, err := training.Completions(c.UserContext(), s.db, participantID)
	if err != nil {
		return nil, err
	}
	docs := make([]participants.CompletionDoc, 0, len(cs))
	for _, x := range cs {
		docs = append(docs, participants.CompletionDocOf(x, byID[x.ModuleID]))
	}
	return docs, nil
}

// recordConsent records one purpose's decision from the consent tab.
func (s *Server) recordConsent(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	var given *bool
	switch c.FormValue("given") {
	case "yes":
		t := true
		given = &t
	case "no":
		f := false
		given = &f
	}
	form := participants.ConsentForm{Purpose: c.FormValue("purpose"), Given: given}
	bad := s.formDates(c, map[string]*string{"recorded_on": &form.RecordedOn})
	consent, err := form.Parse(s.today())
	err = withDateErrors(err, bad)
	if err == nil {
		_, err = s.participants.RecordConsent(c.UserContext(), actor(c), p, consent)
	}
	var fields valid.Errors
	if errors.As(err, &fields) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderFile(c, "consent", fields, form.RecordedOn)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/participants/"+p.Code+"?tab=consent&done=consent", http.StatusSeeOther)
}

// exportParticipant downloads all of her data as one JSON file.
func (s *Server) exportParticipant(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	x, err := s.exportOf(c, p)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+p.Code+`.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("json", "utf-8")
	return c.Send(b)
}

// erasePage asks for the code before erasing.
type erasePage struct {
	P      participants.Participant
	Errors valid.Errors
}

func (s *Server) confirmErase(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	return s.render(c, "participant_erase", erasePage{P: p})
}

// eraseParticipant erases her personal fields once the code is typed back.
func (s *Server) eraseParticipant(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	if p.Erased() {
		return participants.ErrErased
	}
	if !strings.EqualFold(strings.TrimSpace(c.FormValue("confirm")), p.Code) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "participant_erase", erasePage{P: p, Errors: valid.Errors{"confirm": "participant.erase_confirm_mismatch"}})
	}
	if _, err := s.participants.Erase(c.UserContext(), actor(c), p); err != nil {
		return err
	}
	return c.Redirect("/participants/"+url.PathEscape(p.Code)+"?done=erased", http.StatusSeeOther)
}

// programmeHome is the programme's part of the home page: for officers and
// managers, shortcuts and the certificates expiring within 30 days; for
// administrators, the training catalogue; for anyone else, nothing.
type programmeHome struct {
	Staff    bool
	Admin    bool
	Expiring []participants.Expiring
}

// ExpiryWindow is how many days ahead the home page warns of expiring certificates.
const ExpiryWindow = 30

func (s *Server) programmeHome(c *fiber.Ctx) (programmeHome, error) {
	switch {
	case hasRole(c, users.Admin):
		return programmeHome{Admin: true}, nil
	case !hasRole(c, users.Officer, users.Manager):
		return programmeHome{}, nil
	}
	exp, err := s.participants.ExpiringWithin(c.UserContext(), s.today(), ExpiryWindow)
	if err != nil {
		return programmeHome{}, err
	}
	return programmeHome{Staff: true, Expiring: exp}, nil
}

// formField is one labelled text input with its error, for the "pfield" partial.
type formField struct {
	V                        view
	Name, Label, Value, Type string
	Err                      string
}

func fieldOf(v view, errs valid.Errors, name, label, value, typ string) formField {
	return formField{V: v, Name: name, Label: label, Value: value, Type: typ, Err: errs[name]}
}

// The participant pages' template helpers join the shared function map
// before New parses the templates.
var participantFuncs = template.FuncMap{
	"fieldOf": fieldOf,
	"phone":   participants.FormatPhone,
	"inc":     func(i int) int { return i + 1 },
	// deref shows an optional number (a module's validity) rather than its address.
	"deref": func(p *int) int { return *p },
	"day":   func(iso string) time.Time { d, _ := time.Parse(time.DateOnly, iso); return d },
}
