package app

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/thai"
	"hawker/valid"
)

// Every date a person types goes through one box: the "datefield" partial,
// which shows and takes day/month/year (B.E. on Thai pages), read here by
// thai.ParseDate and in the page by static/datefield.js. The domain
// packages keep taking YYYY-MM-DD, the form the JSON API speaks.

// dateBox is one date box for the "datefield" partial.
type dateBox struct {
	V               view
	ID, Name, Label string
	Shown           string // the value as the box shows it
	Err             string // catalogue key of its message, if any
}

// dateFieldOf is the box for field name of a form whose errors are errs;
// value is the field's value: a time.Time, a YYYY-MM-DD string (shown in
// the reader's form) or the text as typed (shown back unchanged).
func dateFieldOf(v view, errs valid.Errors, name, label string, value any) dateBox {
	return dateBox{V: v, ID: name, Name: name, Label: label, Shown: v.DateInput(value), Err: errs[name]}
}

// dateFieldID is dateFieldOf for a form repeated on a page (one per item):
// the box's id differs from its name.
func dateFieldID(v view, id, name, label string, value any) dateBox {
	return dateBox{V: v, ID: id, Name: name, Label: label, Shown: v.DateInput(value)}
}

// DateInput writes a date as the reader's date box shows it: 30/11/2569 on
// Thai pages, 30/11/2026 on English ones. Text that is not a YYYY-MM-DD
// date is what someone typed, shown back as it was.
func (v view) DateInput(value any) string {
	switch d := value.(type) {
	case time.Time:
		if d.IsZero() {
			return ""
		}
		return thai.FormatDate(v.Lang, d)
	case *time.Time:
		if d == nil {
			return ""
		}
		return thai.FormatDate(v.Lang, *d)
	case string:
		if t, err := valid.Date(d); err == nil && len(strings.TrimSpace(d)) == len(time.DateOnly) {
			return thai.FormatDate(v.Lang, t)
		}
		return d
	}
	return ""
}

// readDate reads raw, typed into a date box on a page in the reader's
// language. It returns the day as YYYY-MM-DD, or "" for an empty box; for
// text that is no date it returns the text (for the page to show back) and
// the catalogue key of the message.
func (s *Server) readDate(c *fiber.Ctx, raw string) (value, errKey string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", ""
	}
	d, err := thai.ParseDate(s.lang(c), raw)
	if err != nil {
		key, _ := valid.KeyOf(err)
		return strings.Clone(raw), key
	}
	return d.Format(time.DateOnly), ""
}

// formDates reads the posted date boxes named by the keys of boxes into
// the strings they point to (see readDate) and returns the messages of
// those that did not read.
func (s *Server) formDates(c *fiber.Ctx, boxes map[string]*string) valid.Errors {
	bad := valid.Errors{}
	for name, dst := range boxes {
		v, key := s.readDate(c, c.FormValue(name))
		*dst = v
		if key != "" {
			bad.Add(name, key)
		}
	}
	return bad
}

// withDateErrors puts the messages of date boxes that did not read in
// front of what the domain said of the rest of the form (err): a box's own
// message says more than the domain's "not a date".
func withDateErrors(err error, bad valid.Errors) error {
	if len(bad) == 0 {
		return err
	}
	var fields valid.Errors
	if errors.As(err, &fields) {
		for k, v := range bad {
			fields[k] = v
		}
		return fields
	}
	return bad
}
