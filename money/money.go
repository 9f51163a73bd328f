// Package money is Hawker's one type for an amount of baht, and the one place
// amounts are read and written. An Amount is exact to the satang (two
// decimals) on shopspring/decimal and never passes through a float. It is
// signed: a line of the ledger, a balance or a month's profit may be below
// zero; what people and programs type is not (the kind of entry says which
// way the money went).
//
// Amounts are read strictly (Parse): ASCII digits with at most two decimals,
// no sign, no exponent, no separators, no NaN; the two lenient readings a
// form may choose, thousands separators (ParseGrouped) and Thai digits
// (ThaiDigits), are separate named functions. Refusals are *Error values
// carrying a stable Code and a catalogue Key. Amounts are written for pages
// as "1,234.50" (with or without ฿), for JSON as the string "1234.50" (a
// JSON number is refused, it may already have lost the satang), and to
// PostgreSQL as NUMERIC(18,2) through Scan and Value.
//
// The package imports only the standard library and shopspring/decimal;
// every package that handles money imports it.
package money

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Amount is a sum of baht, exact to the satang. The zero value is 0.00.
// Amounts are values: every operation returns a new one.
type Amount struct{ d decimal.Decimal }

// Zero is 0.00 baht.
var Zero Amount

// MaxDigits is how many digits an amount may have before the point: what
// NUMERIC(18,2) holds.
const MaxDigits = 16

// limit is the first whole number of baht too large to store (10^16).
var limit = decimal.New(1, MaxDigits)

// Max is the largest amount NUMERIC(18,2) holds, 9999999999999999.99.
var Max = Amount{limit.Sub(decimal.New(1, -2))}

// Baht is n whole baht.
func Baht(n int64) Amount { return Amount{decimal.New(n, 0)} }

// Satang is n satang (hundredths of a baht).
func Satang(n int64) Amount { return Amount{decimal.New(n, -2)} }

// FromDecimal is d as an amount; more than two decimals is refused
// (CodeDecimals), never rounded. Use Round for a computed figure.
func FromDecimal(d decimal.Decimal) (Amount, error) {
	if !d.Equal(d.Truncate(2)) {
		return Amount{}, &Error{Code: CodeDecimals, Input: d.String()}
	}
	return Amount{d}, nil
}

// Round is d rounded half away from zero to the satang: for a computed
// figure, such as a share of sales.
func Round(d decimal.Decimal) Amount { return Amount{d.Round(2)} }

// RoundUp is d rounded up (towards +∞) to the satang: for a figure that must
// cover a cost, such as a break-even sales level.
func RoundUp(d decimal.Decimal) Amount {
	r := d.Truncate(2)
	if r.LessThan(d) {
		r = r.Add(decimal.New(1, -2))
	}
	return Amount{r}
}

// MustParse is Parse for amounts written in code (demo data, tests); it
// panics on a malformed one.
func MustParse(s string) Amount {
	a, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

// Decimal is a as a decimal, for arithmetic this package does not offer
// (a percentage of an amount); turn the result back with Round or FromDecimal.
func (a Amount) Decimal() decimal.Decimal { return a.d }

// Add is a + b.
func (a Amount) Add(b Amount) Amount { return Amount{a.d.Add(b.d)} }

// Sub is a − b.
func (a Amount) Sub(b Amount) Amount { return Amount{a.d.Sub(b.d)} }

// Neg is −a.
func (a Amount) Neg() Amount { return Amount{a.d.Neg()} }

// Abs is |a|.
func (a Amount) Abs() Amount { return Amount{a.d.Abs()} }

// Mul is a × n: n items at a each, n days at a a day.
func (a Amount) Mul(n int64) Amount { return Amount{a.d.Mul(decimal.New(n, 0))} }

// Sign is −1, 0 or +1.
func (a Amount) Sign() int { return a.d.Sign() }

// IsZero reports whether a is 0.00.
func (a Amount) IsZero() bool { return a.d.IsZero() }

// IsPositive reports whether a > 0.
func (a Amount) IsPositive() bool { return a.d.IsPositive() }

// IsNegative reports whether a < 0.
func (a Amount) IsNegative() bool { return a.d.IsNegative() }

// Greatest is the largest of a and others.
func Greatest(a Amount, others ...Amount) Amount {
	for _, b := range others {
		if b.GreaterThan(a) {
			a = b
		}
	}
	return a
}

// Cmp is −1, 0 or +1 as a is less than, equal to or greater than b.
func (a Amount) Cmp(b Amount) int { return a.d.Cmp(b.d) }

// Equal reports whether a and b are the same sum ("5" equals "5.00").
func (a Amount) Equal(b Amount) bool { return a.d.Equal(b.d) }

// LessThan reports whether a < b.
func (a Amount) LessThan(b Amount) bool { return a.d.LessThan(b.d) }

// GreaterThan reports whether a > b.
func (a Amount) GreaterThan(b Amount) bool { return a.d.GreaterThan(b.d) }

// Storable reports whether a fits NUMERIC(18,2): at most MaxDigits digits
// before the point (and, as every Amount, at most two after it).
func (a Amount) Storable() bool {
	return a.d.Abs().LessThan(limit) && a.d.Equal(a.d.Truncate(2))
}

// Code says what is wrong with an amount; codes are stable (clients and
// catalogues rely on them).
type Code string

// Codes of Error.
const (
	CodeRequired Code = "required"  // nothing typed
	CodeInvalid  Code = "invalid"   // not digits with an optional point and decimals
	CodeNegative Code = "negative"  // a minus sign before an otherwise good amount
	CodeDecimals Code = "decimals"  // more than two decimals: never rounded
	CodeTooLarge Code = "too_large" // more than MaxDigits digits before the point
)

// ErrInvalid matches every *Error with errors.Is. Its Key, like an Error's,
// names its message in the catalogue.
var ErrInvalid error = sentinel("money: invalid amount")

type sentinel string

func (s sentinel) Error() string { return string(s) }

// Key is the catalogue key of the message for people.
func (sentinel) Key() string { return "money." + string(CodeInvalid) }

// Error is an amount refused, with what was typed (for logs) and why.
type Error struct {
	Code  Code
	Input string
}

func (e *Error) Error() string {
	return fmt.Sprintf("money: %q: %s", e.Input, e.Code)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Key is the catalogue key of the message for people, "money.<code>".
func (e *Error) Key() string { return "money." + string(e.Code) }

// CodeOf is the Code of the *Error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Parse reads an amount as typed or sent: "120", "35.5", "35.50", with
// spaces around it ignored. It refuses, never guesses: a sign, an exponent,
// a comma or any separator, a leading or trailing point (".5", "5."), more
// than two decimals (never rounded), NaN or Infinity, digits other than
// ASCII 0–9, and more than MaxDigits digits before the point. Zero is an
// amount; whether it may be used is the caller's rule.
func Parse(s string) (Amount, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Amount{}, &Error{Code: CodeRequired, Input: s}
	}
	if t[0] == '-' {
		if _, err := Parse(t[1:]); err == nil {
			return Amount{}, &Error{Code: CodeNegative, Input: s}
		}
		return Amount{}, &Error{Code: CodeInvalid, Input: s}
	}
	whole, frac, point := strings.Cut(t, ".")
	if whole == "" || (point && frac == "") || !digits(whole) || !digits(frac) {
		return Amount{}, &Error{Code: CodeInvalid, Input: s}
	}
	if len(frac) > 2 {
		return Amount{}, &Error{Code: CodeDecimals, Input: s}
	}
	if len(strings.TrimLeft(whole, "0")) > MaxDigits {
		return Amount{}, &Error{Code: CodeTooLarge, Input: s}
	}
	d, err := decimal.NewFromString(t)
	if err != nil { // cannot happen after the checks above; refuse rather than trust
		return Amount{}, &Error{Code: CodeInvalid, Input: s}
	}
	return Amount{d}, nil
}

// ParseGrouped is Parse that also reads thousands separators where Format
// writes them ("1,500.50", "12,345,678"), for forms people fill in from
// paper or copy from a page. Misplaced commas ("1,50", "1,0000") are refused.
func ParseGrouped(s string) (Amount, error) {
	t := strings.TrimSpace(s)
	if !strings.Contains(t, ",") {
		return Parse(s)
	}
	whole, frac, point := strings.Cut(strings.TrimPrefix(t, "-"), ".")
	groups := strings.Split(whole, ",")
	if len(groups[0]) < 1 || len(groups[0]) > 3 {
		return Amount{}, &Error{Code: CodeInvalid, Input: s}
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return Amount{}, &Error{Code: CodeInvalid, Input: s}
		}
	}
	plain := strings.Join(groups, "")
	if strings.HasPrefix(t, "-") {
		plain = "-" + plain
	}
	if point {
		plain += "." + frac
	}
	a, err := Parse(plain)
	if err != nil {
		return Amount{}, &Error{Code: CodeOf(err), Input: s}
	}
	return a, nil
}

// thaiDigits maps ๐–๙ to 0–9.
var thaiDigits = strings.NewReplacer("๐", "0", "๑", "1", "๒", "2", "๓", "3", "๔", "4", "๕", "5", "๖", "6", "๗", "7", "๘", "8", "๙", "9")

// ThaiDigits is s with the Thai digits ๐–๙ turned into 0–9, for a caller
// that chooses to accept them: Parse(ThaiDigits("๑๒๐")) is 120. Parse alone
// refuses them, as it refuses every digit that is not ASCII.
func ThaiDigits(s string) string { return thaiDigits.Replace(s) }

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String is a with exactly two decimals and no separators, "1234.50",
// "-20.00": the form of JSON, CSV, form values and logs. Parse reads it back
// (a negative one as its absolute value, after its sign).
func (a Amount) String() string { return a.d.StringFixed(2) }

// Format is a for a page, in Thai and English alike: thousands separators
// and two decimals, "1,234.50", "-20.00".
func (a Amount) Format() string {
	s := a.d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	b.Grow(len(s) + len(s)/3 + 1)
	if neg {
		b.WriteByte('-')
	}
	for i := 0; i < len(whole); i++ {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	b.WriteByte('.')
	b.WriteString(frac)
	return b.String()
}

// FormatWhole is Format without ".00" on whole baht, "1,234" but "1,234.50":
// for big figures read at a glance.
func (a Amount) FormatWhole() string { return strings.TrimSuffix(a.Format(), ".00") }

// Symbol is the baht sign.
const Symbol = "฿"

// WithSymbol is Format after the baht sign, "฿1,234.50", "-฿20.00": for
// tables and figures in either language.
func (a Amount) WithSymbol() string {
	if a.IsNegative() {
		return "-" + Symbol + a.Abs().Format()
	}
	return Symbol + a.Format()
}

// In is a as running text for a reader of lang: "1,234.50 บาท" in Thai,
// "฿1,234.50" in English.
func (a Amount) In(lang string) string {
	if lang == "th" {
		return a.Format() + " บาท"
	}
	return a.WithSymbol()
}

// Scan reads a NUMERIC column (or its text) as an amount; NULL is refused,
// so a column that may be NULL is scanned into a *Amount.
func (a *Amount) Scan(src any) error {
	if src == nil {
		return fmt.Errorf("money: scan NULL into an Amount")
	}
	var d decimal.Decimal
	if err := d.Scan(src); err != nil {
		return fmt.Errorf("money: scan: %w", err)
	}
	v, err := FromDecimal(d)
	if err != nil {
		return fmt.Errorf("money: scan: %w", err)
	}
	*a = v
	return nil
}

// Value writes a as NUMERIC text with two decimals.
func (a Amount) Value() (driver.Value, error) { return a.String(), nil }
