package valid

import (
	"errors"
	"strings"
	"time"
)

// The dates Hawker accepts anywhere: a form, a query, a path, a file, a
// command line. The programme began long after the first and no plan runs
// past the last; outside them PostgreSQL or the Buddhist Era arithmetic
// would fail far from the input (year 0 is a 500, not a 422).
var (
	FirstDay = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	LastDay  = time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)
)

// Errors of Date and Month.
var (
	ErrDateFormat = errors.New("valid: not a date in the form YYYY-MM-DD (or a month YYYY-MM)")
	ErrDateRange  = errors.New("valid: date outside 2000-01-01 to 2099-12-31")
)

// Date reads a YYYY-MM-DD date (midnight UTC) between FirstDay and LastDay.
func Date(s string) (time.Time, error) {
	return inRange(time.Parse(time.DateOnly, strings.TrimSpace(s)))
}

// Month reads a YYYY-MM month as its first day (midnight UTC), between
// FirstDay and LastDay.
func Month(s string) (time.Time, error) {
	return inRange(time.Parse("2006-01", strings.TrimSpace(s)))
}

func inRange(t time.Time, err error) (time.Time, error) {
	switch {
	case err != nil:
		return time.Time{}, ErrDateFormat
	case t.Before(FirstDay) || t.After(LastDay):
		return time.Time{}, ErrDateRange
	}
	return t, nil
}
