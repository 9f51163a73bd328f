package reports

import (
	"encoding/csv"
	"regexp"
)

// plainNumber is a cell a spreadsheet reads as a number and never as a
// formula, negative or not: an amount such as -50.00.
var plainNumber = regexp.MustCompile(`^[-+]?[0-9]+(\.[0-9]+)?$`)

// SafeCell neutralises a cell that a spreadsheet would take for a formula
// (one starting with =, +, -, @, a tab or a carriage return, as a name or
// a note typed by anyone may): a leading apostrophe makes it text. Plain
// numbers are left alone.
func SafeCell(s string) string {
	if s == "" || plainNumber.MatchString(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// writeSafe writes rows through SafeCell: every CSV Hawker hands out.
func writeSafe(w *csv.Writer, rows [][]string) error {
	for _, r := range rows {
		out := make([]string, len(r))
		for i, c := range r {
			out[i] = SafeCell(c)
		}
		if err := w.Write(out); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
