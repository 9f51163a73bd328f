package app

import (
	"errors"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/participants"
	"hawker/training"
	"hawker/valid"
)

// modulesPage is the catalogue as an administrator keeps it.
type modulesPage struct {
	Modules []training.Module
	Notice  string
}

func (s *Server) listModules(c *fiber.Ctx) error {
	ms, err := s.training.Modules(c.UserContext(), true)
	if err != nil {
		return err
	}
	notice := ""
	if c.Query("done") == "saved" {
		notice = "training.notice_saved"
	}
	return s.render(c, "training_modules", modulesPage{Modules: ms, Notice: notice})
}

// moduleFormPage is the add/edit module form.
type moduleFormPage struct {
	ID     int64 // 0: a new module
	Form   training.ModuleForm
	Errors valid.Errors
}

func (s *Server) newModule(c *fiber.Ctx) error {
	return s.render(c, "training_module_form", moduleFormPage{Form: training.ModuleForm{Kind: string(training.FoodHandler), Active: true}})
}

func (s *Server) editModule(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil {
		return errNotFound
	}
	m, err := s.training.Module(c.UserContext(), int64(id))
	if err != nil {
		return err
	}
	f := training.ModuleForm{NameTH: m.NameTH, NameEN: m.NameEN, Kind: string(m.Kind), Required: m.Required, Active: m.Active}
	if m.ValidityMonths != nil {
		f.ValidityMonths = strconv.Itoa(*m.ValidityMonths)
	}
	return s.render(c, "training_module_form", moduleFormPage{ID: m.ID, Form: f})
}

func moduleFormOf(c *fiber.Ctx) training.ModuleForm {
	return training.ModuleForm{
		NameTH: c.FormValue("name_th"), NameEN: c.FormValue("name_en"), Kind: c.FormValue("kind"),
		Required: c.FormValue("required") == "yes", ValidityMonths: c.FormValue("validity_months"), Active: c.FormValue("active") == "yes",
	}
}

// saveModule adds a module (no :id) or changes one.
func (s *Server) saveModule(c *fiber.Ctx) error {
	f := moduleFormOf(c)
	var id int64
	if c.Params("id") != "" {
		n, err := c.ParamsInt("id")
		if err != nil {
			return errNotFound
		}
		id = int64(n)
	}
	m, err := f.Parse()
	if err == nil {
		store := s.training
		if id == 0 {
			_, err = store.AddModule(c.UserContext(), actor(c), m)
		} else {
			m.ID = id
			_, err = store.UpdateModule(c.UserContext(), actor(c), m)
		}
	}
	var fields valid.Errors
	if errors.As(err, &fields) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "training_module_form", moduleFormPage{ID: id, Form: f, Errors: fields})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/training/modules?done=saved", http.StatusSeeOther)
}

// completionPage records one completion for one participant.
type completionPage struct {
	P       participants.Participant
	Modules []training.Module
	Form    training.CompletionForm
	Errors  valid.Errors
	Today   time.Time
	Result  string // "yes" or "no" as chosen; "" until the officer chooses: the form does not guess
}

func (s *Server) newCompletion(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	mid, _ := strconv.ParseInt(c.Query("module"), 10, 64)
	return s.renderCompletion(c, completionPage{P: p, Form: training.CompletionForm{ModuleID: mid, CompletedOn: s.today().Format(time.DateOnly)}})
}

func (s *Server) renderCompletion(c *fiber.Ctx, pg completionPage) error {
	ms, err := s.training.Modules(c.UserContext(), false)
	if err != nil {
		return err
	}
	pg.Modules, pg.Today = ms, s.today()
	return s.render(c, "training_completion", pg)
}

func (s *Server) recordCompletion(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	mid, _ := strconv.ParseInt(c.FormValue("module"), 10, 64)
	f := training.CompletionForm{
		ModuleID: mid, Passed: c.FormValue("passed") != "no",
		Score: c.FormValue("score"), CertificateNo: c.FormValue("certificate_no"), Issuer: c.FormValue("issuer"),
	}
	bad := s.formDates(c, map[string]*string{"completed_on": &f.CompletedOn})
	result := c.FormValue("passed")
	comp, err := f.Parse(s.today())
	err = withDateErrors(err, bad)
	if result != "yes" && result != "no" {
		fields := valid.Errors{}
		if errors.As(err, &fields) {
			fields = maps.Clone(fields)
		} else {
			fields = valid.Errors{}
		}
		fields["passed"] = "training.passed_required"
		err = fields
	} else if err == nil {
		_, err = s.participants.RecordTraining(c.UserContext(), actor(c), p, comp)
	}
	if errors.Is(err, training.ErrNotFound) {
		err = valid.Errors{"module": "training.module_required"}
	}
	var fields valid.Errors
	if errors.As(err, &fields) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderCompletion(c, completionPage{P: p, Form: f, Errors: fields, Result: result})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/participants/"+p.Code+"?tab=training&done=training", http.StatusSeeOther)
}

// resultOf is a posted result: "yes", "no", or "" for none chosen.
func resultOf(v string) string {
	if v == "yes" || v == "no" {
		return v
	}
	return ""
}

// classPage records a whole class: choose the module, the day and a cohort,
// then mark each attendee.
type classPage struct {
	Modules   []training.Module
	Cohorts   []string
	Cohort    string
	ModuleID  int64
	SessionOn string
	Trainer   string
	Issuer    string
	People    []participants.Row
	Marks     map[int64]training.Attendee // as typed, for those ticked
	Present   map[int64]bool
	Results   map[int64]string // each result as chosen: "yes", "no", or "" (none chosen: the form does not guess)
	Errors    valid.Errors
	Notice    string
	Today     time.Time
}

// Field is the error key of one attendee's field.
func (p classPage) Field(field string, id int64) string {
	return p.Errors[field+"."+strconv.FormatInt(id, 10)]
}

func (s *Server) newClass(c *fiber.Ctx) error {
	mid, _ := strconv.ParseInt(c.Query("module"), 10, 64)
	pg := classPage{Cohort: c.Query("cohort"), ModuleID: mid, SessionOn: c.Query("session_on", s.today().Format(time.DateOnly))}
	if c.Query("done") == "class" {
		pg.Notice = "training.notice_class"
	}
	return s.renderClass(c, pg)
}

func (s *Server) renderClass(c *fiber.Ctx, pg classPage) error {
	ctx := c.UserContext()
	var err error
	if pg.Modules, err = s.training.Modules(ctx, false); err != nil {
		return err
	}
	store := s.participants
	if pg.Cohorts, err = store.Cohorts(ctx); err != nil {
		return err
	}
	if pg.Cohort != "" {
		rows, err := store.List(ctx, participants.Filter{Cohort: pg.Cohort}, s.today())
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.ErasedAt == nil {
				pg.People = append(pg.People, r)
			}
		}
	}
	if pg.Marks == nil {
		pg.Marks, pg.Present, pg.Results = map[int64]training.Attendee{}, map[int64]bool{}, map[int64]string{}
	}
	pg.Today = s.today()
	return s.render(c, "training_class", pg)
}

// recordClass records every ticked attendee's result in one transaction.
// Attendees are posted as "attendee" values (participant ids) with
// "passed_ID" ("yes" or "no"), "score_ID" and "cert_ID" beside them. The
// form starts with no one ticked and no result chosen: a ticked attendee
// without a result is refused beside her row (the officer must choose), and
// so is a result chosen for someone not ticked (was she there?). Someone
// left untouched was not in the class and is not recorded.
func (s *Server) recordClass(c *fiber.Ctx) error {
	mid, _ := strconv.ParseInt(c.FormValue("module"), 10, 64)
	pg := classPage{Cohort: c.FormValue("cohort"), ModuleID: mid, Trainer: c.FormValue("trainer"), Issuer: c.FormValue("issuer"),
		Marks: map[int64]training.Attendee{}, Present: map[int64]bool{}, Results: map[int64]string{}}
	bad := s.formDates(c, map[string]*string{"session_on": &pg.SessionOn})
	f := training.ClassForm{ModuleID: mid, SessionOn: pg.SessionOn, Trainer: pg.Trainer, Issuer: pg.Issuer}
	args := c.Request().PostArgs()
	for _, v := range args.PeekMulti("attendee") {
		id, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			continue
		}
		n := strconv.FormatInt(id, 10)
		result := resultOf(c.FormValue("passed_" + n))
		a := training.Attendee{ParticipantID: id, Passed: result == "yes", NoResult: result == "",
			Score: c.FormValue("score_" + n), CertificateNo: c.FormValue("cert_" + n)}
		f.Attendees = append(f.Attendees, a)
		pg.Marks[id], pg.Present[id], pg.Results[id] = a, true, result
	}
	// A result chosen for someone not ticked: shown back, and refused.
	absent := valid.Errors{}
	args.VisitAll(func(k, v []byte) {
		name := string(k)
		if !strings.HasPrefix(name, "passed_") || resultOf(string(v)) == "" {
			return
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(name, "passed_"), 10, 64)
		if err != nil || pg.Present[id] {
			return
		}
		pg.Results[id] = resultOf(string(v))
		absent.Add("attendee."+strconv.FormatInt(id, 10), "training.result_not_ticked")
	})
	cl, err := f.Parse(s.today())
	err = withDateErrors(withDateErrors(err, bad), absent) // the form's own messages, beside the domain's
	if err == nil {
		_, err = s.participants.RecordClass(c.UserContext(), actor(c), cl)
	}
	if errors.Is(err, training.ErrNotFound) {
		err = valid.Errors{"module": "training.module_required"}
	}
	var fields valid.Errors
	if errors.As(err, &fields) {
		pg.Errors = fields
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderClass(c, pg)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/training/classes/new?done=class&cohort="+urlQuery(pg.Cohort), http.StatusSeeOther)
}
