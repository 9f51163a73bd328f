package app

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/audit"
	"hawker/thai"
	"hawker/users"
	"hawker/valid"
)

// auditPage is the audit trail as an administrator browses it.
type auditPage struct {
	Actor, Action, Object, From, To string // the filter as typed
	Events                          []auditRow
	Actions                         []auditChoice // the action filter's choices
	Older                           int64         // id to page back from, or 0
	Errors                          valid.Errors
}

type auditRow struct {
	audit.Event
	When   string // in Bangkok time, B.E. for Thai readers
	Login  string
	What   string // the action's description
	Target string // the object, named for people
	// The participant's code in Target, kept on one line, and the text
	// around it (a code breaks at its hyphens in a narrow column).
	Before, Code, After string
	Detail              string // the summary as a sentence
	Raw                 bool   // Detail is the recorded text: no sentence reads it yet
}

// auditChoice is one action of the filter, with its description.
type auditChoice struct{ Code, Text string }

const auditPageSize = 50

// showAudit lists the trail newest first, filtered by who (login), action
// prefix, object prefix and a date range (Bangkok days, both ends included).
func (s *Server) showAudit(c *fiber.Ctx) error {
	p := auditPage{
		Actor:  strings.ToLower(strings.TrimSpace(c.Query("actor"))),
		Action: strings.TrimSpace(c.Query("action")),
		Object: strings.TrimSpace(c.Query("object")),
		From:   c.Query("from"),
		To:     c.Query("to"),
	}
	lang := s.lang(c)
	for _, a := range auditActions {
		p.Actions = append(p.Actions, auditChoice{Code: a, Text: s.views.tr.T(lang, auditActionKey(a))})
	}
	// A bare code is a participant's (the object people look for most).
	object := p.Object
	if object != "" && !strings.Contains(object, ":") {
		object = "participant:" + strings.ToUpper(object)
	}
	f := audit.Filter{Action: p.Action, Object: object, Limit: auditPageSize}
	f.Before, _ = strconv.ParseInt(c.Query("before"), 10, 64)
	errs := valid.Errors{}
	store := s.users
	if p.Actor != "" {
		u, err := store.ByLogin(c.UserContext(), p.Actor)
		switch {
		case errors.Is(err, users.ErrNotFound):
			errs.Add("actor", "audit.actor_unknown")
		case err != nil:
			return err
		default:
			f.ActorID = u.ID
		}
	}
	// The range is typed in the date boxes (day/month/year, B.E. in Thai);
	// each end is a Bangkok day, both included.
	var key string
	if p.From, key = s.readDate(c, p.From); key != "" {
		errs.Add("from", key)
	} else if p.From != "" {
		d, _ := valid.Date(p.From)
		f.From = bangkokDay(d)
	}
	if p.To, key = s.readDate(c, p.To); key != "" {
		errs.Add("to", key)
	} else if p.To != "" {
		d, _ := valid.Date(p.To)
		f.To = bangkokDay(d).AddDate(0, 0, 1)
	}
	if len(errs) > 0 {
		p.Errors = errs
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "admin_audit", p)
	}
	events, err := audit.List(c.UserContext(), s.db, f)
	if err != nil {
		return err
	}
	all, err := store.List(c.UserContext())
	if err != nil {
		return err
	}
	logins := make(map[int64]string, len(all))
	for _, u := range all {
		logins[u.ID] = u.Login
	}
	for _, e := range events {
		r := auditRow{Event: e, When: thai.DateIn(lang, e.At.In(thai.Bangkok)) + " " + e.At.In(thai.Bangkok).Format("15:04:05"),
			What: s.views.tr.T(lang, "auditlog.unknown_action"), Target: s.auditObject(lang, e.Object, logins)}
		if key := auditActionKey(e.Action); s.views.tr.Has(key) {
			r.What = s.views.tr.T(lang, key)
		}
		r.Detail, r.Raw = s.auditDetail(lang, e, logins)
		if code, ok := strings.CutPrefix(e.Object, "participant:"); ok {
			code, _, _ = strings.Cut(code, "/")
			if before, after, found := strings.Cut(r.Target, code); found && code != "" {
				r.Before, r.Code, r.After = before, code, after
			}
		}
		if e.ActorID != nil {
			r.Login = logins[*e.ActorID]
		}
		p.Events = append(p.Events, r)
	}
	if len(events) == auditPageSize {
		p.Older = events[len(events)-1].ID
	}
	return s.render(c, "admin_audit", p)
}

// bangkokDay is midnight in Bangkok of d's calendar day.
func bangkokDay(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, thai.Bangkok)
}
