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

// dateFieldID is dateFieldOf for a box whose id differs from its name (a
// form repeated on a page, one per item) or whose message is kept under
// another key: err is the catalogue key of its message, "" for none.
func dateFieldID(v view, id, name, label string, value any, err string) dateBox {
	return dateBox{V: v, ID: id, Name: name, Label: label, Shown: v.DateInput(value), Err: err}
}

// rowForm is what was posted to one of a page's repeated forms (one per
// fund, per item, per action on an item) when it did not go through: the
// page shows that form open again, with what was typed and each message
// beside its box, and every other form fresh. Key names the form
// ("5", "recover-5").
type rowForm struct {
	Key    string
	Values map[string]string
	Errors valid.Errors
}

// postedRow is the rowForm of form key as posted: the fields names as typed,
// and the date boxes in values as readDate left them (its Errors are set
// by whoever re-renders).
func postedRow(c *fiber.Ctx, key string, values map[string]string, names ...string) rowForm {
	f := rowForm{Key: key, Values: map[string]string{}}
	for _, n := range names {
		f.Values[n] = strings.Clone(c.FormValue(n))
	}
	for n, v := range values {
		f.Values[n] = v
	}
	return f
}

// Open reports whether form key is the one that failed.
func (f rowForm) Open(key string) bool { return f.Key != "" && f.Key == key }

// Err is the message key of field name of form key, if it failed there.
func (f rowForm) Err(key, name string) string {
	if !f.Open(key) {
		return ""
	}
	return f.Errors[name]
}

// Value is what was typed in field name of form key when it failed, else def.
func (f rowForm) Value(key, name string, def any) any {
	if v, ok := f.Values[name]; ok && f.Open(key) {
		return v
	}
	return def
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

// readOnly is the value of date box name as the domain is to be given it:
// as read, or "" when the box did not read (bad holds its message), so
// that no typed text the page refused reaches a domain whose own reading
// of dates is wider; the domain then answers "required", which
// withDateErrors replaces with the box's own message.
func readOnly(value string, bad valid.Errors, name string) string {
	if _, refused := bad[name]; refused {
		return ""
	}
	return value
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
