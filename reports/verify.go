package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"hawker/ledger"
	"hawker/thai"
)

// ErrNotStatement means a file is not a Hawker statement (or its marks
// were removed).
var ErrNotStatement = errors.New("reports: not a Hawker statement")

// keywordsPattern finds what PDF() writes in the information dictionary.
var keywordsPattern = regexp.MustCompile(`/Keywords \(hawker-statement v1 number=([A-Za-z0-9-]+)-(\d{4}-\d{2}) lang=(th|en) closed=(true|false) fingerprint=([0-9a-f]{64})\)`)

// Marks are what a statement file says about itself.
type Marks struct {
	Number      string
	Code        string
	Month       time.Time
	Lang        string
	Closed      bool
	Fingerprint string
}

// ReadMarks reads a statement's number, language and fingerprint from its
// PDF.
func ReadMarks(pdf []byte) (Marks, error) {
	m := keywordsPattern.FindSubmatch(pdf)
	if m == nil {
		return Marks{}, ErrNotStatement
	}
	month, err := ledger.ParseMonth(string(m[2]))
	if err != nil {
		return Marks{}, ErrNotStatement
	}
	return Marks{Number: string(m[1]) + "-" + string(m[2]), Code: string(m[1]), Month: month, Lang: string(m[3]),
		Closed: string(m[4]) == "true", Fingerprint: string(m[5])}, nil
}

// Verdict is what checking a statement file against the ledger found.
type Verdict struct {
	Marks
	// Figures is true when the ledger gives the fingerprint the file
	// carries: its figures are the ledger's.
	Figures bool
	// Identical is true when the file is byte for byte what Hawker prints
	// for that closed month now: nothing in it was edited.
	Identical bool
	// Issued is true when the register holds the statement.
	Issued bool
	Now    Statement // the statement as the ledger gives it now
}

// OK reports whether the file is a genuine statement: a closed month's
// must be identical and issued; a provisional one's figures must match.
func (v Verdict) OK() bool {
	if v.Closed {
		return v.Figures && v.Identical && v.Issued
	}
	return v.Figures
}

// String says what was found, in English, one line.
func (v Verdict) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "statement %s (%s, fingerprint %s): ", v.Number, map[bool]string{true: "closed month", false: "provisional"}[v.Closed], ShortFingerprint(v.Fingerprint))
	switch {
	case v.OK():
		b.WriteString("matches the ledger")
		if v.Closed {
			b.WriteString(", identical to the issued document")
		}
	case !v.Figures:
		fmt.Fprintf(&b, "DOES NOT match the ledger (the ledger gives %s)", ShortFingerprint(v.Now.Fingerprint))
	case !v.Issued:
		b.WriteString("figures match but no such statement was issued")
	default:
		b.WriteString("figures match but the file differs from the issued document: it was edited")
	}
	return b.String()
}

// Verify checks a statement file against the ledger.
func (s *Store) Verify(ctx context.Context, pdf []byte, now time.Time) (Verdict, error) {
	m, err := ReadMarks(pdf)
	if err != nil {
		return Verdict{}, err
	}
	v := Verdict{Marks: m}
	st, err := s.Statement(ctx, m.Code, m.Month, thai.Today(now))
	if err != nil {
		return v, err
	}
	v.Now = st
	v.Figures = st.Fingerprint == m.Fingerprint && st.Closed == m.Closed
	if !m.Closed || !v.Figures {
		return v, nil
	}
	if _, err := s.IssuedAs(ctx, m.Number, m.Fingerprint); err == nil {
		v.Issued = true
	} else if !errors.Is(err, ErrNotIssued) {
		return v, err
	}
	if v.Issued {
		doc, err := s.print(ctx, st, m.Lang, now)
		if err != nil {
			return v, err
		}
		v.Identical = bytes.Equal(doc.PDF, pdf)
	}
	return v, nil
}
