// Package valid carries field-level validation failures from the domain
// packages to the HTTP layer, which translates each message key into Thai
// and English beside its field (pages) or into the JSON error's fields (API).
package valid

import (
	"sort"
	"strings"
)

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
