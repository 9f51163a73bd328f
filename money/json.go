package money

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// Example is the form an amount takes in JSON, shown to clients that send
// another.
const Example = `"120.50"`

var (
	amountType = reflect.TypeFor[Amount]()
	textType   = reflect.TypeFor[Text]()
)

// MarshalJSON writes a as a JSON string with two decimals, "1234.50".
func (a Amount) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(make([]byte, 0, 24), a.String()), nil
}

// UnmarshalJSON reads a JSON string with Parse; null changes nothing, as for
// every Go value. A number, or a string Parse refuses, is a
// *json.UnmarshalTypeError, which encoding/json completes with the field's
// name; JSONField finds it.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s, err := jsonString(b, amountType)
	if err != nil {
		return err
	}
	v, err := Parse(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(clip(s)) + " (" + string(CodeOf(err)) + ")", Type: amountType}
	}
	*a = v
	return nil
}

// Text is an amount as a person typed it or a client sent it, before it is
// read: a form value, a CSV cell, the string of a JSON body. It lets a form
// report every field's problem at once (Parse is called with the others'
// checks) while JSON still refuses a number for it.
type Text string

// Parse reads t with Parse.
func (t Text) Parse() (Amount, error) { return Parse(string(t)) }

// ParseGrouped reads t with ParseGrouped.
func (t Text) ParseGrouped() (Amount, error) { return ParseGrouped(string(t)) }

// UnmarshalJSON accepts only a JSON string (or null, for nothing); a number
// is a *json.UnmarshalTypeError that JSONField finds.
func (t *Text) UnmarshalJSON(b []byte) error {
	s, err := jsonString(b, textType)
	if err != nil {
		return err
	}
	*t = Text(s)
	return nil
}

// jsonString reads b as a JSON string; null is "" (nothing typed).
func jsonString(b []byte, typ reflect.Type) (string, error) {
	if string(b) == "null" {
		return "", nil
	}
	var s string
	if len(b) == 0 || b[0] != '"' {
		return "", &json.UnmarshalTypeError{Value: jsonKind(b), Type: typ}
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return "", err
	}
	return s, nil
}

func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "number"
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// JSONField reports whether err is encoding/json refusing an amount (an
// Amount or a Text) and names the field ("amount", "tranches.0.amount"),
// so that the API answers 422 naming it and showing Example, not 400.
func JSONField(err error) (string, bool) {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || (te.Type != amountType && te.Type != textType) {
		return "", false
	}
	return te.Field, true
}

// JSONFieldIn is JSONField for an error of decoding body, naming the field
// with the indices encoding/json leaves out: "tranches.1.amount", not
// "tranches.amount" (the client sees which of its tranches is wrong, in the
// names the API's other field errors use). It is the first value at that
// path that the amount's type refuses: not a string, or, for an Amount, a
// string Parse refuses.
func JSONFieldIn(body []byte, err error) (string, bool) {
	field, ok := JSONField(err)
	if !ok || field == "" {
		return field, ok
	}
	var te *json.UnmarshalTypeError
	errors.As(err, &te)
	w := pathWalk{dec: json.NewDecoder(bytes.NewReader(body)), want: strings.Split(field, "."), amount: te.Type == amountType}
	w.dec.UseNumber()
	if found, ok := w.value(nil); ok {
		return strings.Join(found, "."), true
	}
	return field, true
}

// pathWalk looks through a JSON document for the refused value at want
// (object keys only; array indices are what it finds).
type pathWalk struct {
	dec    *json.Decoder
	want   []string
	amount bool
}

// value reads one value at path (keys and indices) and reports the path of
// the refused value in it, if any.
func (w *pathWalk) value(path []string) ([]string, bool) {
	tok, err := w.dec.Token()
	if err != nil {
		return nil, false
	}
	here := w.at(path)
	switch t := tok.(type) {
	case json.Delim:
		var found []string
		for i := 0; w.dec.More(); i++ {
			next := strconv.Itoa(i)
			if t == '{' {
				k, err := w.dec.Token()
				if err != nil {
					return nil, false
				}
				next, _ = k.(string)
			}
			if f, ok := w.value(append(path[:len(path):len(path)], next)); ok && found == nil {
				found = f
			}
		}
		if _, err := w.dec.Token(); err != nil && err != io.EOF {
			return nil, false
		}
		if here { // an object or array where an amount belongs
			return path, true
		}
		return found, found != nil
	case nil:
		return nil, false
	case string:
		if _, err := Parse(t); !w.amount || err == nil {
			return nil, false
		}
	}
	return path, here
}

// at reports whether path, its indices left out, is the field looked for.
func (w *pathWalk) at(path []string) bool {
	var keys []string
	for _, p := range path {
		if _, err := strconv.Atoi(p); err != nil {
			keys = append(keys, p)
		}
	}
	if len(keys) != len(w.want) {
		return false
	}
	for i := range keys {
		if !strings.EqualFold(keys[i], w.want[i]) {
			return false
		}
	}
	return true
}

// KeyJSON is the catalogue key of the message for an amount sent in another
// form than a JSON string like Example.
const KeyJSON = "money.json"
