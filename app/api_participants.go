package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"hawker/money"
	"hawker/participants"
	"hawker/training"
	"hawker/valid"
)

// readJSON decodes the request body into v; anything unreadable is 400, and
// so is a string holding NUL ("\u0000"), which PostgreSQL cannot store. (The
// decoder itself turns bytes that are not UTF-8 into U+FFFD.) An amount sent
// as a JSON number (or any form but a string like "120.50") is 422 naming
// its field: the body was read, one field is wrong. So is a field the
// endpoint does not know: a misspelt "amuont" must not pass for a request
// without an amount, nor a field meant elsewhere be silently dropped.
func readJSON(c *fiber.Ctx, v any) error {
	body := c.Body()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		// A second value after the first (`{}{}`) or trailing garbage.
		if _, tail := dec.Token(); tail != io.EOF {
			err = errors.New("app: data after the JSON value")
		}
	}
	if err != nil {
		if field, ok := unknownJSONField(err); ok {
			return &Problem{Status: fiber.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid",
				Fields: valid.Errors{field: "error.unknown_field"}, Err: err}
		}
		if field, ok := money.JSONFieldIn(body, err); ok {
			if field == "" {
				field = "body"
			}
			return &Problem{Status: fiber.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid",
				Fields: valid.Errors{field: money.KeyJSON}, Err: err}
		}
		return &Problem{Status: fiber.StatusBadRequest, Code: "malformed", Key: "error.malformed", Err: err}
	}
	if jsonHasNUL(body) {
		return errMalformed
	}
	return nil
}

// unknownJSONField is the name in encoding/json's refusal of a field that
// the target struct does not have (`json: unknown field "amuont"`), which
// the package reports only as text.
func unknownJSONField(err error) (string, bool) {
	const prefix = `json: unknown field "`
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, `"`) {
		return "", false
	}
	name := strings.TrimSuffix(strings.TrimPrefix(msg, prefix), `"`)
	if name == "" || !utf8.ValidString(name) || len(name) > 100 {
		name = "body"
	}
	return name, true
}

// jsonHasNUL reports whether valid JSON b escapes a NUL in a string. A
// backslash occurs only inside strings, and starts an escape of two
// characters or of six ("\u0000").
func jsonHasNUL(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+5 < len(b) && b[i+1] == 'u' && string(b[i+2:i+6]) == "0000" {
			return true
		}
		i++ // skip the escaped character
	}
	return false
}

// participantJSON is a participant as the API shows her.
type participantJSON struct {
	participants.ProfileDoc
	Consents map[participants.Purpose]bool `json:"consents"`
	State    string                        `json:"state,omitempty"`
}

func (s *Server) participantJSON(c *fiber.Ctx, p participants.Participant) (participantJSON, error) {
	st, err := s.participants.ConsentState(c.UserContext(), p.ID)
	if err != nil {
		return participantJSON{}, err
	}
	out := participantJSON{ProfileDoc: p.Doc(), Consents: map[participants.Purpose]bool{}}
	for _, purpose := range participants.Purposes {
		out.Consents[purpose] = st.Gives(purpose)
	}
	return out, nil
}

// apiEnrol: POST /api/v1/participants. Consents may come along as
// {"consents": {"programme": true, …}}; else they are recorded separately.
func (s *Server) apiEnrol(c *fiber.Ctx) error {
	var body struct {
		participants.Enrolment
		Consents map[string]bool `json:"consents"`
	}
	if err := readJSON(c, &body); err != nil {
		return err
	}
	p, err := body.Enrolment.Parse(s.today())
	if err != nil {
		return err
	}
	var consents []participants.Consent
	for purpose, given := range body.Consents {
		if !participants.Purpose(purpose).Valid() {
			return valid.Errors{"consents": "consent.purpose_invalid"}
		}
		consents = append(consents, participants.Consent{Purpose: participants.Purpose(purpose), Given: given, RecordedOn: p.EnrolledOn})
	}
	p, err = s.participants.Enrol(c.UserContext(), actor(c), p, consents)
	if dup := (*participants.DuplicatePhoneError)(nil); errors.As(err, &dup) {
		return &Problem{Status: fiber.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid",
			Fields: valid.Errors{"phone": "participant.phone_taken"}, Ref: "/api/v1/participants/" + dup.Code, Err: err}
	}
	if err != nil {
		return err
	}
	out, err := s.participantJSON(c, p)
	if err != nil {
		return err
	}
	c.Location("/api/v1/participants/" + p.Code)
	return c.Status(fiber.StatusCreated).JSON(out)
}

// apiParticipant: GET /api/v1/participants/{code}; the view is audited.
func (s *Server) apiParticipant(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	if _, err := s.participants.View(c.UserContext(), actor(c), p.Code, "api"); err != nil {
		return err
	}
	out, err := s.participantJSON(c, p)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// apiExport: GET /api/v1/participants/{code}/export, the personal-data JSON.
func (s *Server) apiExport(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	x, err := s.exportOf(c, p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(x)
}

// exportOf gathers p's export, every package's part of it; the view is
// recorded in the audit trail.
func (s *Server) exportOf(c *fiber.Ctx, p participants.Participant) (participants.Export, error) {
	return s.participants.Export(c.UserContext(), actor(c), p.Code, s.now(), s.today())
}

// apiRecordConsent: POST /api/v1/participants/{code}/consents.
func (s *Server) apiRecordConsent(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	var form participants.ConsentForm
	if err := readJSON(c, &form); err != nil {
		return err
	}
	consent, err := form.Parse(s.today())
	if err != nil {
		return err
	}
	consent, err = s.participants.RecordConsent(c.UserContext(), actor(c), p, consent)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(consent.Doc())
}

// apiModules: GET /api/v1/training/modules, the active catalogue.
func (s *Server) apiModules(c *fiber.Ctx) error {
	ms, err := s.training.Modules(c.UserContext(), false)
	if err != nil {
		return err
	}
	return c.JSON(ms)
}

// apiRecordTraining: POST /api/v1/participants/{code}/training.
func (s *Server) apiRecordTraining(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	var body struct {
		Module        int64               `json:"module"`
		CompletedOn   string              `json:"completed_on"`
		Passed        *bool               `json:"passed"`
		Score         participants.Number `json:"score"`
		CertificateNo string              `json:"certificate_no"`
		Issuer        string              `json:"issuer"`
	}
	if err := readJSON(c, &body); err != nil {
		return err
	}
	if body.Passed == nil {
		return valid.Errors{"passed": "training.passed_required"}
	}
	comp, err := training.CompletionForm{ModuleID: body.Module, CompletedOn: body.CompletedOn, Passed: *body.Passed,
		Score: string(body.Score), CertificateNo: body.CertificateNo, Issuer: body.Issuer}.Parse(s.today())
	if err != nil {
		return err
	}
	comp, err = s.participants.RecordTraining(c.UserContext(), actor(c), p, comp)
	if errors.Is(err, training.ErrNotFound) {
		return valid.Errors{"module": "training.module_required"}
	}
	if err != nil {
		return err
	}
	m, err := s.training.Module(c.UserContext(), comp.ModuleID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(participants.CompletionDocOf(comp, m))
}

// apiCreatePlan: POST /api/v1/participants/{code}/plans, a new draft version.
func (s *Server) apiCreatePlan(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	var form participants.PlanForm
	if err := readJSON(c, &form); err != nil {
		return err
	}
	plan, err := form.Parse()
	if err != nil {
		return err
	}
	plan, err = s.participants.CreatePlan(c.UserContext(), actor(c), p, plan)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(plan.Doc(p.Code))
}

// apiReviewPlan: POST /api/v1/plans/{id}/submit, /approve, /return {"comment"}.
func (s *Server) apiReviewPlan(step participants.Review) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pl, p, err := s.planFrom(c)
		if err != nil {
			return err
		}
		var body struct {
			Comment string `json:"comment"`
		}
		if len(c.Body()) > 0 {
			if err := readJSON(c, &body); err != nil {
				return err
			}
		}
		if pl, err = s.participants.ReviewPlan(c.UserContext(), actor(c), pl.ID, step, body.Comment); err != nil {
			return err
		}
		return c.JSON(pl.Doc(p.Code))
	}
}

// apiPlan: GET /api/v1/plans/{id}.
func (s *Server) apiPlan(c *fiber.Ctx) error {
	pl, p, err := s.planFrom(c)
	if err != nil {
		return err
	}
	if err := s.auditStaffView(c, p, "plan:"+strconv.Itoa(pl.Version)); err != nil {
		return err
	}
	return c.JSON(pl.Doc(p.Code))
}

// eligibilityJSON lists every unmet reason and the modules behind the training ones.
type eligibilityJSON struct {
	Participant string           `json:"participant"`
	Eligible    bool             `json:"eligible"`
	Reasons     []string         `json:"reasons"`
	Training    []moduleStanding `json:"training"`
	AsOf        string           `json:"as_of"`
}

type moduleStanding struct {
	Module     int64  `json:"module"`
	NameTH     string `json:"name_th"`
	NameEN     string `json:"name_en"`
	Status     string `json:"status"`
	ValidUntil string `json:"valid_until,omitempty"`
}

// apiEligibility: GET /api/v1/participants/{code}/eligibility.
func (s *Server) apiEligibility(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	if err := s.auditStaffView(c, p, "eligibility"); err != nil {
		return err
	}
	today := s.today()
	e, err := s.participants.Eligibility(c.UserContext(), s.db, p.Code, today)
	if err != nil {
		return err
	}
	out := eligibilityJSON{Participant: p.Code, Eligible: e.Eligible, Reasons: e.Reasons, Training: []moduleStanding{}, AsOf: today.Format(time.DateOnly)}
	for _, m := range e.Training {
		ms := moduleStanding{Module: m.Module.ID, NameTH: m.Module.NameTH, NameEN: m.Module.NameEN, Status: string(m.Status)}
		if m.ValidUntil != nil {
			ms.ValidUntil = m.ValidUntil.Format(time.DateOnly)
		}
		out.Training = append(out.Training, ms)
	}
	return c.JSON(out)
}
