package money_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"hawker/money"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // String() of the amount, when accepted
		code money.Code
	}{
		{"120", "120.00", ""},
		{" 35.50 ", "35.50", ""},
		{"35.5", "35.50", ""},
		{"0.01", "0.01", ""},
		{"0", "0.00", ""},
		{"007", "7.00", ""},
		{"100000", "100000.00", ""},
		{"9999999999999999.99", "9999999999999999.99", ""},
		{"", "", money.CodeRequired},
		{"   ", "", money.CodeRequired},
		{"1.005", "", money.CodeDecimals},
		{"12.345", "", money.CodeDecimals},
		{"0.001", "", money.CodeDecimals},
		{"10000000000000000", "", money.CodeTooLarge},
		{"abc", "", money.CodeInvalid},
		{"-5", "", money.CodeNegative},
		{"-0.50", "", money.CodeNegative},
		{"--5", "", money.CodeInvalid},
		{"-", "", money.CodeInvalid},
		{"+5", "", money.CodeInvalid},
		{"1e3", "", money.CodeInvalid},
		{"1E3", "", money.CodeInvalid},
		{"1,000", "", money.CodeInvalid},
		{"1.000,50", "", money.CodeInvalid},
		{".5", "", money.CodeInvalid},
		{"5.", "", money.CodeInvalid},
		{"5..0", "", money.CodeInvalid},
		{"NaN", "", money.CodeInvalid},
		{"Inf", "", money.CodeInvalid},
		{"0x10", "", money.CodeInvalid},
		{"๑๒๐", "", money.CodeInvalid},
		{"١٢٠", "", money.CodeInvalid}, // Arabic-Indic digits
		{"12 0", "", money.CodeInvalid},
		{"฿120", "", money.CodeInvalid},
		{"120 บาท", "", money.CodeInvalid},
	} {
		a, err := money.Parse(c.in)
		if got := money.CodeOf(err); got != c.code {
			t.Errorf("Parse(%q) code %q (%v), want %q", c.in, got, err, c.code)
			continue
		}
		if err != nil {
			if !errors.Is(err, money.ErrInvalid) {
				t.Errorf("Parse(%q): %v does not match ErrInvalid", c.in, err)
			}
			var e *money.Error
			if errors.As(err, &e); e.Key() != "money."+string(c.code) {
				t.Errorf("Parse(%q) key %q", c.in, e.Key())
			}
			continue
		}
		if a.String() != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, a, c.want)
		}
	}
}

func TestParseGrouped(t *testing.T) {
	for _, c := range []struct {
		in, want string
		code     money.Code
	}{
		{" 1,500.50 ", "1500.50", ""},
		{"12,345,678.9", "12345678.90", ""},
		{"50,000", "50000.00", ""},
		{"999", "999.00", ""},
		{"1500", "1500.00", ""},
		{"1,50", "", money.CodeInvalid},
		{"1,0000", "", money.CodeInvalid},
		{",500", "", money.CodeInvalid},
		{"1,,500", "", money.CodeInvalid},
		{"1234,567", "", money.CodeInvalid},
		{"1,500.", "", money.CodeInvalid},
		{"1,500.505", "", money.CodeDecimals},
		{"-1,500", "", money.CodeNegative},
		{"1e3", "", money.CodeInvalid},
		{"", "", money.CodeRequired},
		{"99,999,999,999,999,999", "", money.CodeTooLarge},
	} {
		a, err := money.ParseGrouped(c.in)
		if got := money.CodeOf(err); got != c.code {
			t.Errorf("ParseGrouped(%q) code %q, want %q", c.in, got, c.code)
			continue
		}
		if err == nil && a.String() != c.want {
			t.Errorf("ParseGrouped(%q) = %s, want %s", c.in, a, c.want)
		}
	}
}

func TestThaiDigits(t *testing.T) {
	if _, err := money.Parse("๑๒๐.๕๐"); money.CodeOf(err) != money.CodeInvalid {
		t.Fatalf("Parse takes Thai digits: %v", err)
	}
	a, err := money.Parse(money.ThaiDigits("๑๒๐.๕๐"))
	if err != nil || a.String() != "120.50" {
		t.Fatalf("Parse(ThaiDigits) = %s, %v", a, err)
	}
	if got := money.ThaiDigits("๐๑๒๓๔๕๖๗๘๙ x"); got != "0123456789 x" {
		t.Fatalf("ThaiDigits = %q", got)
	}
}

func TestFormat(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0.00", "1": "1.00", "12.5": "12.50", "123": "123.00", "1234.5": "1,234.50",
		"1000000": "1,000,000.00", "-20": "-20.00", "-1234567.89": "-1,234,567.89", "999.99": "999.99",
		"-999.99": "-999.99", "-1000": "-1,000.00", "9999999999999999.99": "9,999,999,999,999,999.99",
	} {
		a, err := money.FromDecimal(decimal.RequireFromString(in))
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Format(); got != want {
			t.Errorf("Format(%s) = %s, want %s", in, got, want)
		}
	}
	a := money.MustParse("1234.5")
	for got, want := range map[string]string{
		a.String():                     "1234.50",
		a.WithSymbol():                 "฿1,234.50",
		a.Neg().WithSymbol():           "-฿1,234.50",
		a.In("th"):                     "1,234.50 บาท",
		a.In("en"):                     "฿1,234.50",
		a.FormatWhole():                "1,234.50",
		money.Baht(1234).FormatWhole(): "1,234",
		money.Baht(-5).FormatWhole():   "-5",
		money.Satang(5).String():       "0.05",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestArithmetic(t *testing.T) {
	a, b := money.MustParse("100.25"), money.MustParse("0.75")
	checks := []struct {
		what string
		got  money.Amount
		want string
	}{
		{"add", a.Add(b), "101.00"},
		{"sub", b.Sub(a), "-99.50"},
		{"neg", a.Neg(), "-100.25"},
		{"abs", a.Neg().Abs(), "100.25"},
		{"mul", b.Mul(3), "2.25"},
		{"round half away from zero", money.Round(decimal.RequireFromString("0.125")), "0.13"},
		{"round negative", money.Round(decimal.RequireFromString("-0.125")), "-0.13"},
		{"round up", money.RoundUp(decimal.RequireFromString("33.3333")), "33.34"},
		{"round up exact", money.RoundUp(decimal.RequireFromString("33.30")), "33.30"},
		{"round up negative", money.RoundUp(decimal.RequireFromString("-33.339")), "-33.33"},
	}
	for _, c := range checks {
		if c.got.String() != c.want {
			t.Errorf("%s = %s, want %s", c.what, c.got, c.want)
		}
	}
	if !money.Zero.IsZero() || money.Zero.Sign() != 0 || !a.IsPositive() || !a.Neg().IsNegative() {
		t.Error("signs")
	}
	if !a.GreaterThan(b) || !b.LessThan(a) || a.Cmp(b) != 1 || !money.MustParse("5").Equal(money.MustParse("5.00")) {
		t.Error("comparisons")
	}
	if _, err := money.FromDecimal(decimal.RequireFromString("1.001")); money.CodeOf(err) != money.CodeDecimals {
		t.Errorf("FromDecimal(1.001): %v", err)
	}
	if !money.MustParse("9999999999999999.99").Storable() || money.MustParse("9999999999999999.99").Add(money.Satang(1)).Storable() {
		t.Error("Storable is not NUMERIC(18,2)")
	}
}

func TestJSON(t *testing.T) {
	b, err := json.Marshal(struct {
		A money.Amount  `json:"a"`
		N *money.Amount `json:"n"`
	}{A: money.MustParse("120.5")})
	if err != nil || string(b) != `{"a":"120.50","n":null}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var in struct {
		Amount money.Amount `json:"amount"`
		Text   money.Text   `json:"text"`
	}
	if err := json.Unmarshal([]byte(`{"amount":"35.50","text":" 12.345 "}`), &in); err != nil || in.Amount.String() != "35.50" || in.Text != " 12.345 " {
		t.Fatalf("unmarshal: %+v %v", in, err)
	}
	if _, err := in.Text.Parse(); money.CodeOf(err) != money.CodeDecimals {
		t.Fatalf("Text.Parse: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"amount":null,"text":null}`), &in); err != nil {
		t.Fatalf("null: %v", err)
	}
	for body, field := range map[string]string{
		`{"amount":120.5}`:      "amount",
		`{"amount":"1e3"}`:      "amount",
		`{"amount":"12.345"}`:   "amount",
		`{"amount":true}`:       "amount",
		`{"amount":["1"]}`:      "amount",
		`{"text":120}`:          "text",
		`{"text":{"a":1}}`:      "text",
		`{"amount":-1}`:         "amount",
		`{"amount":"-1"}`:       "amount",
		`{"amount":"1,000"}`:    "amount",
		`{"amount":"NaN"}`:      "amount",
		`{"amount":"๑๒๐"}`:      "amount",
		`{"amount":1.5e2}`:      "amount",
		`{"text":12.345678901}`: "text",
	} {
		err := json.Unmarshal([]byte(body), &in)
		got, ok := money.JSONField(err)
		if !ok || got != field {
			t.Errorf("%s: JSONField(%v) = %q, %v; want %q", body, err, got, ok, field)
		}
	}
	var nested struct {
		Tranches []struct {
			Amount money.Amount `json:"amount"`
		} `json:"tranches"`
	}
	if got, ok := money.JSONField(json.Unmarshal([]byte(`{"tranches":[{"amount":"1"},{"amount":5000}]}`), &nested)); !ok || got != "tranches.amount" {
		t.Errorf("nested: %q %v", got, ok)
	}
	var plain struct{ N int }
	if _, ok := money.JSONField(json.Unmarshal([]byte(`{"N":"x"}`), &plain)); ok {
		t.Error("JSONField claims an error that is not about an amount")
	}
}

func TestSQL(t *testing.T) {
	for _, src := range []any{[]byte("1234.50"), "1234.5", int64(1234), float64(0.5)} {
		var a money.Amount
		if err := a.Scan(src); err != nil {
			t.Errorf("Scan(%v): %v", src, err)
		}
	}
	var a money.Amount
	if err := a.Scan([]byte("-20.00")); err != nil || a.String() != "-20.00" {
		t.Errorf("Scan negative: %s %v", a, err)
	}
	if err := a.Scan(nil); err == nil {
		t.Error("Scan(NULL) into an Amount")
	}
	if err := a.Scan([]byte("1.005")); err == nil {
		t.Error("Scan of three decimals")
	}
	if err := a.Scan([]byte("abc")); err == nil {
		t.Error("Scan of text")
	}
	if v, err := money.MustParse("35.5").Value(); err != nil || v != "35.50" {
		t.Errorf("Value = %v, %v", v, err)
	}
}

// strict is every amount Parse may accept.
var strict = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)

// FuzzParse: whatever Parse accepts is a plain decimal that it reads
// exactly; what it writes (String, and Format through ParseGrouped) it
// reads back as the same amount; JSON round-trips; nothing accepted is
// beyond NUMERIC(18,2).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"120", "35.50", "0.01", "0", "-1", "1e3", "1.005", "100000", " 7 ", "๑", "1,000",
		".5", "5.", "0x10", "9999999999999999.99", "10000000000000000", "NaN", "Inf", "007", "-0", "1,234.50"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := money.Parse(s)
		if err != nil {
			if !errors.Is(err, money.ErrInvalid) || money.CodeOf(err) == "" {
				t.Fatalf("Parse(%q): %v carries no code", s, err)
			}
			if g, gerr := money.ParseGrouped(s); gerr == nil && strings.Contains(s, ",") == false && money.ThaiDigits(s) == s {
				t.Fatalf("ParseGrouped(%q) = %s where Parse refuses", s, g)
			}
			return
		}
		trimmed := strings.TrimSpace(s)
		if !strict.MatchString(trimmed) {
			t.Fatalf("accepted malformed %q", s)
		}
		if !a.Decimal().Equal(decimal.RequireFromString(trimmed)) || a.IsNegative() || !a.Storable() {
			t.Fatalf("%q read as %s", s, a)
		}
		for _, out := range []string{a.String(), a.Format()} {
			back, err := money.ParseGrouped(out)
			if err != nil || !back.Equal(a) {
				t.Fatalf("%q → %q → %s, %v", s, out, back, err)
			}
		}
		back, err := money.Parse(a.String())
		if err != nil || !back.Equal(a) || back.String() != a.String() {
			t.Fatalf("%q → %q → %s, %v", s, a.String(), back, err)
		}
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var j money.Amount
		if err := json.Unmarshal(b, &j); err != nil || !j.Equal(a) {
			t.Fatalf("JSON %s → %s, %v", b, j, err)
		}
		if v, _ := a.Value(); v != a.String() {
			t.Fatalf("Value %v", v)
		}
		var sc money.Amount
		if err := sc.Scan([]byte(a.String())); err != nil || !sc.Equal(a) {
			t.Fatalf("Scan %s → %s, %v", a, sc, err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := money.Parse("1234.50"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormat(b *testing.B) {
	a := money.MustParse("1234567.50")
	for b.Loop() {
		_ = a.Format()
	}
}

// TestJSONFieldIn: a refused amount is named with the indices encoding/json
// leaves out, whichever element of a list holds it.
func TestJSONFieldIn(t *testing.T) {
	type line struct {
		Amount money.Text `json:"amount"`
		Note   string     `json:"note"`
	}
	type doc struct {
		Lines []line       `json:"lines"`
		Total money.Amount `json:"total"`
	}
	for body, want := range map[string]string{
		`{"lines":[{"amount":"1","note":"x"},{"amount":"abc"},{"note":"y","amount":5}]}`: "lines.2.amount",
		`{"lines":[{"amount":[1]}]}`:                           "lines.0.amount",
		`{"total":120.5}`:                                      "total",
		`{"lines":[{"amount":"5"}],"total":"1e3"}`:             "total",
		`{"Lines":[{"note":"a"},{"Amount":true}],"total":"1"}`: "Lines.1.Amount",
	} {
		var d doc
		err := json.Unmarshal([]byte(body), &d)
		if got, ok := money.JSONFieldIn([]byte(body), err); !ok || got != want {
			t.Errorf("%s: %q %v, want %q", body, got, ok, want)
		}
	}
	if _, ok := money.JSONFieldIn([]byte(`{"total":"1"}`), nil); ok {
		t.Error("no error, yet a field")
	}
}
