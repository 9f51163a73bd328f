package app

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"hawker/auth"
	"hawker/donors"
	"hawker/grants"
	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/pg"
	"hawker/reports"
	"hawker/training"
	"hawker/users"
	"hawker/valid"
	"hawker/vendors"
)

// Problem is an error a handler returns deliberately, with the status, the
// interfaces.md code and a message key for people.
type Problem struct {
	Status int
	Code   string
	Key    string // translation key of the message
	Fields valid.Errors
	Ref    string // the resource the problem is about, such as the file that already holds a phone
	// Extra carries a refusal's particulars into the JSON error beside code
	// and message: an eligibility refusal's reasons, a fund's shortfall.
	Extra map[string]any
	Err   error // what caused it, for the log; never shown
}

func (p *Problem) Error() string {
	if p.Err != nil {
		return p.Code + ": " + p.Err.Error()
	}
	return p.Code
}

func (p *Problem) Unwrap() error { return p.Err }

// domainError maps a domain package's exported error to its HTTP meaning.
// Each domain package's errors are added here as the package arrives; the
// message people read is the catalogue key the error itself carries
// (valid.NewError), the same one the command line prints.
type domainError struct {
	err    error
	status int
	code   string
}

var domainErrors = []domainError{
	// Access (issue 4).
	{auth.ErrBadCredentials, fiber.StatusUnauthorized, "unauthenticated"},
	{auth.ErrLocked, fiber.StatusTooManyRequests, "rate_limited"},
	{auth.ErrNoSession, fiber.StatusUnauthorized, "unauthenticated"},
	{auth.ErrNotFound, fiber.StatusNotFound, "not_found"}, // a phone that is not hers (found by the route fuzzer)
	{users.ErrBusy, fiber.StatusTooManyRequests, "rate_limited"},
	{users.ErrNotFound, fiber.StatusNotFound, "not_found"},
	{users.ErrLoginTaken, fiber.StatusConflict, "conflict"},
	{users.ErrSelf, fiber.StatusConflict, "conflict"},
	{donors.ErrNotFound, fiber.StatusNotFound, "not_found"},
	// Participants, training, plans (issue 5).
	{participants.ErrNotFound, fiber.StatusNotFound, "not_found"},
	{participants.ErrDuplicatePhone, fiber.StatusUnprocessableEntity, "invalid"},
	{participants.ErrWrongState, fiber.StatusConflict, "conflict"},
	{participants.ErrFourEyes, fiber.StatusForbidden, "four_eyes"},
	{participants.ErrErased, fiber.StatusConflict, "conflict"},
	{participants.ErrNotEligible, fiber.StatusConflict, "not_eligible"},
	{training.ErrNotFound, fiber.StatusNotFound, "not_found"},
	{training.ErrDuplicate, fiber.StatusConflict, "conflict"},
	// Vendors' books (issue 6), and the ledger beneath them.
	{vendors.ErrNotFound, fiber.StatusNotFound, "not_found"},
	{vendors.ErrIdempotencyConflict, fiber.StatusConflict, "idempotency_conflict"},
	{vendors.ErrAlreadyVoided, fiber.StatusConflict, "conflict"},
	{vendors.ErrErased, fiber.StatusConflict, "conflict"},
	{vendors.ErrOpeningExists, fiber.StatusConflict, "conflict"},
	{ledger.ErrClosedPeriod, fiber.StatusConflict, "closed_period"},
	{ledger.ErrMonthNotEnded, fiber.StatusConflict, "conflict"},
	{ledger.ErrAlreadyReversed, fiber.StatusConflict, "conflict"},
	{ledger.ErrIdempotencyConflict, fiber.StatusConflict, "idempotency_conflict"},
	{ledger.ErrInsufficientFunds, fiber.StatusConflict, "insufficient_funds"},
	{ledger.ErrInvalidAmount, fiber.StatusUnprocessableEntity, "invalid"},
	{money.ErrInvalid, fiber.StatusUnprocessableEntity, "invalid"},
	// Monthly statements (issue 12).
	{reports.ErrNotFound, fiber.StatusNotFound, "not_found"},
	{reports.ErrFutureMonth, fiber.StatusUnprocessableEntity, "invalid"},
	// Grants (issue 11).
	{grants.ErrNotFound, fiber.StatusNotFound, "not_found"},
	{grants.ErrWrongState, fiber.StatusConflict, "conflict"},
	{grants.ErrFourEyes, fiber.StatusForbidden, "four_eyes"},
	{grants.ErrManagerRequired, fiber.StatusForbidden, "forbidden"},
	{grants.ErrForbidden, fiber.StatusForbidden, "forbidden"},
	{grants.ErrNotEligible, fiber.StatusConflict, "not_eligible"},
	{grants.ErrInsufficientFunds, fiber.StatusConflict, "insufficient_funds"},
	{grants.ErrIdempotencyConflict, fiber.StatusConflict, "idempotency_conflict"},
	{grants.ErrConditionNotMet, fiber.StatusConflict, "conflict"},
	{grants.ErrAlreadyDisbursed, fiber.StatusConflict, "conflict"},
	{grants.ErrItemUnavailable, fiber.StatusConflict, "conflict"},
	{grants.ErrErased, fiber.StatusConflict, "conflict"},
}

// extraOf is what a refusal adds to the JSON error.
func extraOf(err error) map[string]any {
	var ne *grants.NotEligibleError
	if errors.As(err, &ne) {
		return map[string]any{"reasons": ne.Reasons}
	}
	var fe *grants.InsufficientFundsError
	if errors.As(err, &fe) {
		return map[string]any{"fund": fe.Fund, "available": fe.Available.String(), "shortfall": fe.Shortfall.String()}
	}
	var ce *grants.ConditionError
	if errors.As(err, &ce) {
		return map[string]any{"condition": ce.Key, "detail": ce.Arg}
	}
	return nil
}

// problemOf classifies any error a handler returned.
func problemOf(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var fields valid.Errors
	if errors.As(err, &fields) {
		return &Problem{Status: fiber.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid", Fields: fields, Err: err}
	}
	for _, d := range domainErrors {
		if errors.Is(err, d.err) {
			key, _ := valid.KeyOf(d.err)
			return &Problem{Status: d.status, Code: d.code, Key: key, Err: err, Extra: extraOf(err)}
		}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusNotFound:
			return &Problem{Status: fe.Code, Code: "not_found", Key: "error.not_found", Err: err}
		case fiber.StatusRequestEntityTooLarge:
			return &Problem{Status: fe.Code, Code: "too_large", Key: "error.too_large", Err: err}
		case fiber.StatusMethodNotAllowed:
			return &Problem{Status: fe.Code, Code: "not_found", Key: "error.not_found", Err: err}
		case fiber.StatusTooManyRequests:
			return &Problem{Status: fe.Code, Code: "rate_limited", Key: "error.rate_limited", Err: err}
		}
		if fe.Code >= 400 && fe.Code < 500 {
			return &Problem{Status: fiber.StatusBadRequest, Code: "malformed", Key: "error.malformed", Err: err}
		}
	}
	if pg.Unavailable(err) {
		// The database is down or restarting: nothing was done, and the
		// same request may be sent again (the phone's outbox does).
		return &Problem{Status: fiber.StatusServiceUnavailable, Code: "unavailable", Key: "error.unavailable", Err: err}
	}
	return &Problem{Status: fiber.StatusInternalServerError, Code: "internal", Key: "error.internal", Err: err}
}

func statusOf(err error) int { return problemOf(err).Status }

// handleError is the one place errors become responses: JSON under /api,
// a bilingual page elsewhere. 5xx are logged in full and shown without detail.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	p := problemOf(err)
	if p.Status >= 500 {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	} else {
		s.log.Debug("request refused", "method", c.Method(), "path", c.Path(), "status", p.Status, "err", err)
	}
	if p.Status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	lang := s.lang(c)
	if isAPI(c) {
		body := fiber.Map{"code": p.Code, "message": s.views.tr.T(lang, p.Key)}
		if len(p.Fields) > 0 {
			fields := make(map[string]string, len(p.Fields))
			for f, k := range p.Fields {
				fields[f] = s.views.tr.T(lang, k)
			}
			body["fields"] = fields
		}
		if p.Ref != "" {
			body["ref"] = p.Ref
		}
		for k, v := range p.Extra {
			body[k] = v
		}
		return c.Status(p.Status).JSON(fiber.Map{"error": body})
	}
	c.Status(p.Status)
	return s.render(c, "error", fiber.Map{"Status": p.Status, "Key": p.Key})
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }
