// Package valid carries what the domain packages refuse, as catalogue keys
// (hawker/catalog), to whoever tells people: field-level validation failures
// (Errors), shown beside each field on a page, in the JSON error's fields
// or one line per field on the command line; and domain errors that name
// their message (Error), such as "This login is taken".
//
// It owns no table and imports no other Hawker package.
package valid

import (
	"errors"
	"sort"
	"strings"
)

// Error is a domain error that names its message in the catalogue. Pages,
// the API and the command line show people that message in their language;
// logs keep the text. Domain packages declare their sentinel errors with it:
//
//	ErrLoginTaken = valid.NewError("users: login already taken", "user.login_taken")
type Error struct{ text, key string }

// NewError is errors.New for an error people are told about.
func NewError(text, key string) *Error { return &Error{text: text, key: key} }

func (e *Error) Error() string { return e.text }

// Key is the error's catalogue key.
func (e *Error) Key() string { return e.key }

// KeyOf returns the catalogue key of the outermost error in err's chain that
// names one.
func KeyOf(err error) (string, bool) {
	var k interface{ Key() string }
	if errors.As(err, &k) {
		return k.Key(), true
	}
	return "", false
}

// Errors maps a field name to a message key, such as "phone.not_mobile".
type Errors map[string]string

// Add records the first problem found with field.
func (e Errors) Add(field, key string) {
	if _, ok := e[field]; !ok {
		e[field] = key
	}
}

// Err returns e as an error, or nil when there is nothing in it.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

func (e Errors) Error() string {
	fields := make([]string, 0, len(e))
	for f, k := range e {
		fields = append(fields, f+": "+k)
	}
	sort.Strings(fields)
	return "invalid: " + strings.Join(fields, ", ")
}
