package valid

import (
	"errors"
	"testing"
)

func TestDateAndMonth(t *testing.T) {
	for _, tc := range []struct {
		in    string
		month bool
		err   error
	}{
		{"2026-05-31", false, nil},
		{" 2000-01-01 ", false, nil},
		{"2099-12-31", false, nil},
		{"0000-01-01", false, ErrDateRange},
		{"1999-12-31", false, ErrDateRange},
		{"2100-01-01", false, ErrDateRange},
		{"9999-12-31", false, ErrDateRange},
		{"2026-02-30", false, ErrDateFormat},
		{"2026-5-1", false, ErrDateFormat},
		{"", false, ErrDateFormat},
		{"2026-05", true, nil},
		{"0000-01", true, ErrDateRange},
		{"1999-12", true, ErrDateRange},
		{"2100-01", true, ErrDateRange},
		{"2026-13", true, ErrDateFormat},
		{"2026-05-01", true, ErrDateFormat},
	} {
		parse := Date
		if tc.month {
			parse = Month
		}
		if _, err := parse(tc.in); !errors.Is(err, tc.err) {
			t.Errorf("%q (month %v): %v, want %v", tc.in, tc.month, err, tc.err)
		}
	}
}
