// Package catalog holds every word Hawker shows people, in Thai and English,
// for the web pages and their JSON twins (app/), the command line (main) and
// documents rendered outside any request (reports/, grants/).
//
// The words live in two embedded files, messages/th.toml and
// messages/en.toml, read by github.com/nicksnyder/go-i18n, which brings the
// CLDR plural rules of both languages. The package owns no table and imports
// no other Hawker package but valid, whose errors it explains.
//
// # Adding keys
//
// A key is "area.name": the area is the TOML table, usually the owning
// package ("vendor", "plan", "grant", "statement"); the name is the key in
// it. Add it to both files, in the area's table, sorted with its neighbours
// (a new area is a new table, in alphabetical order):
//
//	[grant]                                # messages/en.toml
//	approved = "Grant approved"
//
//	[grant]                                # messages/th.toml
//	approved = "อนุมัติทุนแล้ว"
//
// Then use it: T(lang, "grant.approved") in Go, {{.T "grant.approved"}} in a
// page template, or as the key a domain error or valid.Errors carries. A key
// whose last part is a plural word (one, other, few, …) must be quoted with
// its parent ("category.other" = …), or go-i18n reads it as a plural form.
//
// The tests fail when a key is in one file and not the other, when the two
// languages name different arguments, and when a key is used nowhere: they
// scan every Go source and template of the module for the quoted key, or for
// a quoted prefix ("state.") or printf pattern ("plan.state_%s") that code
// completes. A key that only a test uses counts as unused.
//
// # Arguments, numbers and plurals
//
// Arguments are named, passed as name/value pairs and written {{.Name}} in
// the text: T("en", "vendor.title_of", "Name", p.Name). Integers print with
// thousands separators (1,234) in both languages; pass what must not be
// grouped (a year, a code) as a string. Money is formatted by its own type
// before it is passed. The argument named "Count" also picks the plural
// form: English writes both forms as an inline table, Thai one plain text:
//
//	silent_days = { one = "No entry for {{.Count}} day", other = "No entry for {{.Count}} days" }
//	silent_days = "ไม่ได้บันทึกมา {{.Count}} วัน"
//
// A missing key, a missing argument or an odd list of arguments shows the
// key itself, so the mistake is seen on the page and caught by the tests.
//
// # Errors
//
// A domain package names what it refuses with keys: valid.Errors maps each
// field to one, and a sentinel error declared with valid.NewError carries
// one. app/ shows them beside fields or in the JSON error; Explain gives the
// same sentences to the command line, which picks the language with
// FromEnv, and to anything else that tells people why.
//
// # Outside a request
//
// Load once at the start and keep the *Catalog: it is read-only and safe for
// concurrent use. A PDF or a background job passes the reader's language
// ("th" or "en") with each call: c.T(lang, "statement.title").
package catalog

import (
	"embed"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"

	"hawker/valid"
)

// The languages every key is written in; Thai is the default.
const (
	Thai    = "th"
	English = "en"
)

// Langs lists the catalogue's languages, the default first.
var Langs = []string{Thai, English}

//go:embed messages/*.toml
var files embed.FS

// parser executes message texts; a missing argument is an error rather than
// "<no value>" in the sentence. Without helper functions go-i18n caches each
// parsed text.
var parser = &template.TextParser{Option: "missingkey=error"}

// Catalog translates keys. It is read-only once loaded and safe for
// concurrent use.
type Catalog struct {
	loc  map[string]*i18n.Localizer
	keys map[string][]*i18n.Message // per language, sorted by key
}

// Load parses the embedded catalogue files. A broken file fails here, at
// the start, not on a page.
func Load() (*Catalog, error) {
	b := i18n.NewBundle(language.Thai)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{loc: map[string]*i18n.Localizer{}, keys: map[string][]*i18n.Message{}}
	for _, lang := range Langs {
		f, err := b.LoadMessageFileFS(files, "messages/"+lang+".toml")
		if err != nil {
			return nil, fmt.Errorf("catalog: %s: %w", lang, err)
		}
		msgs := slices.Clone(f.Messages)
		slices.SortFunc(msgs, func(a, b *i18n.Message) int { return strings.Compare(a.ID, b.ID) })
		c.keys[lang] = msgs
		c.loc[lang] = i18n.NewLocalizer(b, lang)
	}
	return c, nil
}

// T renders key in lang ("th" or "en"; anything else is Thai) with args as
// name/value pairs. See the package doc for numbers and plurals.
func (c *Catalog) T(lang, key string, args ...any) string {
	data, count, ok := templateData(args)
	if !ok {
		return key
	}
	loc, found := c.loc[lang]
	if !found {
		loc = c.loc[Thai]
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count, TemplateParser: parser})
	if err != nil || s == "" {
		return key
	}
	return s
}

// Explain tells people what went wrong, in lang: for field errors
// (valid.Errors) the general message and then "field: message" for each
// field, sorted; for an error that carries a key (valid.Error) its message.
// ok is false for any other error: an internal one, whose text is for logs.
func (c *Catalog) Explain(lang string, err error) (lines []string, ok bool) {
	var fields valid.Errors
	if errors.As(err, &fields) && len(fields) > 0 {
		lines = append(lines, c.T(lang, "error.invalid"))
		for _, f := range slices.Sorted(maps.Keys(fields)) {
			lines = append(lines, f+": "+c.T(lang, fields[f]))
		}
		return lines, true
	}
	if key, found := valid.KeyOf(err); found {
		return []string{c.T(lang, key)}, true
	}
	return nil, false
}

// Has reports whether key is in the catalogue (in Thai, the default).
func (c *Catalog) Has(key string) bool {
	_, found := slices.BinarySearchFunc(c.keys[Thai], key, func(m *i18n.Message, k string) int { return strings.Compare(m.ID, k) })
	return found
}

// Arguments lists the argument names key's texts use in lang, sorted, so a
// caller's test can check what it passes.
func (c *Catalog) Arguments(lang, key string) []string {
	i, found := slices.BinarySearchFunc(c.keys[lang], key, func(m *i18n.Message, k string) int { return strings.Compare(m.ID, k) })
	if !found {
		return nil
	}
	m := c.keys[lang][i]
	var names []string
	for _, text := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		for _, a := range argument.FindAllStringSubmatch(text, -1) {
			names = append(names, a[1])
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// argument is a named argument in a text: {{.Name}}.
var argument = regexp.MustCompile(`\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}`)

// Keys lists lang's keys, sorted.
func (c *Catalog) Keys(lang string) []string {
	out := make([]string, len(c.keys[lang]))
	for i, m := range c.keys[lang] {
		out[i] = m.ID
	}
	return out
}

// FromEnv picks the command line's language the POSIX way: the first of
// LC_ALL, LC_MESSAGES and LANG that is set; Thai when it starts with "th",
// English otherwise.
func FromEnv(getenv func(string) string) string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := getenv(v); s != "" {
			if strings.HasPrefix(strings.ToLower(s), "th") {
				return Thai
			}
			return English
		}
	}
	return English
}

// templateData turns name/value pairs into the text's data, grouping
// integers, and returns the Count argument for the plural rules.
func templateData(args []any) (data map[string]any, count any, ok bool) {
	if len(args) == 0 {
		return nil, nil, true
	}
	if len(args)%2 != 0 {
		return nil, nil, false
	}
	data = make(map[string]any, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		name, isString := args[i].(string)
		if !isString || name == "" {
			return nil, nil, false
		}
		v := args[i+1]
		if n, isInt := integer(v); isInt {
			v = Group(n)
			if name == "Count" {
				count = n
			}
		} else if name == "Count" {
			count = fmt.Sprint(v) // a decimal count, such as "1.5"
		}
		data[name] = v
	}
	return data, count, true
}

// integer reads any Go integer kind.
func integer(v any) (int64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if u := rv.Uint(); u <= 1<<63-1 {
			return int64(u), true
		}
	}
	return 0, false
}

// Group writes n with a comma between each three digits: 1,234,567. Thai
// text uses the same Arabic digits and separators.
func Group(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	if len(s) <= 3 {
		return sign + s
	}
	var b strings.Builder
	b.WriteString(sign)
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > len(sign) {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
