package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"hawker/valid"
)

func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// forms are a message's texts by plural form; a plain text is "other".
func forms(m *i18n.Message) map[string]string {
	out := map[string]string{}
	for name, s := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if s != "" {
			out[name] = s
		}
	}
	return out
}

// TestCatalogue: every key is in both languages, with text, the same
// arguments, and the plural forms each language needs.
func TestCatalogue(t *testing.T) {
	c := load(t)
	if n := len(c.Keys(Thai)); n < 400 {
		t.Fatalf("only %d Thai keys: the files were not read", n)
	}
	byLang := map[string]map[string]*i18n.Message{}
	for _, lang := range Langs {
		byLang[lang] = map[string]*i18n.Message{}
		for _, m := range c.keys[lang] {
			byLang[lang][m.ID] = m
		}
	}
	for _, lang := range Langs {
		for _, other := range Langs {
			for id := range byLang[lang] {
				if _, ok := byLang[other][id]; !ok {
					t.Errorf("%s is in messages/%s.toml but not in messages/%s.toml", id, lang, other)
				}
			}
		}
	}
	for id, th := range byLang[Thai] {
		en, ok := byLang[English][id]
		if !ok {
			continue
		}
		for lang, m := range map[string]*i18n.Message{Thai: th, English: en} {
			f := forms(m)
			if strings.TrimSpace(f["other"]) == "" {
				t.Errorf("%s: no %s text", id, lang)
			}
			for form, s := range f {
				if strings.Contains(s, "{{") && !argument.MatchString(s) {
					t.Errorf("%s (%s, %s): %q: write arguments as {{.Name}}", id, lang, form, s)
				}
				if strings.Contains(s, "%s") || strings.Contains(s, "%d") {
					t.Errorf("%s (%s, %s): %q: printf verbs are not filled; use {{.Name}}", id, lang, form, s)
				}
			}
		}
		if a, b := c.Arguments(Thai, id), c.Arguments(English, id); !slices.Equal(a, b) {
			t.Errorf("%s: Thai takes %v, English %v", id, a, b)
		}
		// Thai has one form; English needs "one" beside "other" when it has it.
		if f := forms(th); len(f) != 1 {
			t.Errorf("%s: Thai has no plural forms, only a text; got %v", id, f)
		}
		if f := forms(en); len(f) > 1 {
			if f["one"] == "" || len(f) != 2 {
				t.Errorf("%s: English plural forms are one and other; got %v", id, f)
			}
			if !slices.Contains(c.Arguments(English, id), "Count") {
				t.Errorf("%s: a plural needs the Count argument", id)
			}
		}
	}
}

// TestEveryMessageRenders: each text runs with its own arguments filled.
func TestEveryMessageRenders(t *testing.T) {
	c := load(t)
	for _, lang := range Langs {
		for _, m := range c.keys[lang] {
			var args []any
			for _, a := range c.Arguments(lang, m.ID) {
				args = append(args, a, 2)
			}
			if got := c.T(lang, m.ID, args...); got == m.ID || strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
				t.Errorf("%s (%s) renders %q", m.ID, lang, got)
			}
		}
	}
}

func TestT(t *testing.T) {
	c := load(t)
	for _, tt := range []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "vendor.title_of", []any{"Name", "Somchai"}, "Books of Somchai"},
		{"th", "vendor.title_of", []any{"Name", "สมชาย"}, "บัญชีร้านของ สมชาย"},
		{"fr", "nav.home", nil, "หน้าแรก"}, // an unknown language reads Thai
		{"", "nav.home", nil, "หน้าแรก"},
		{"en", "nav.home", nil, "Home"},
		// Plurals: English picks one or other by Count, Thai has one form.
		{"en", "vendor.silent_days", []any{"Count", 1}, "No entry for 1 day"},
		{"en", "vendor.silent_days", []any{"Count", 0}, "No entry for 0 days"},
		{"en", "vendor.silent_days", []any{"Count", int64(12)}, "No entry for 12 days"},
		{"th", "vendor.silent_days", []any{"Count", 1}, "ไม่ได้บันทึกมา 1 วัน"},
		{"en", "training.months", []any{"Count", uint8(1)}, "1 month"},
		{"en", "training.months", []any{"Count", "1.5"}, "1.5 months"},
		// Integers are grouped in both languages.
		{"en", "vendor.import_done", []any{"Entries", 12345, "Vendors", 1000}, "Imported 12,345 entries for 1,000 vendors"},
		{"th", "vendor.import_refused", []any{"Count", 1234567}, "ไม่ได้นำเข้าเลย: พบปัญหา 1,234,567 จุด แก้ไขไฟล์แล้วลองใหม่"},
		{"en", "vendor.declining", []any{"Percent", 40}, "Sales down 40%"},
		// Mistakes show the key.
		{"en", "no.such_key", nil, "no.such_key"},
		{"en", "vendor.title_of", nil, "vendor.title_of"},                               // argument missing
		{"en", "vendor.title_of", []any{"Nme", "x"}, "vendor.title_of"},                 // misspelt
		{"en", "vendor.title_of", []any{"Name"}, "vendor.title_of"},                     // odd list
		{"en", "vendor.title_of", []any{1, "Somchai"}, "vendor.title_of"},               // name not a string
		{"en", "nav.home", []any{"Unused", 1}, "Home"},                                  // extra arguments are harmless
		{"en", "vendor.promptpay_to", []any{"ID", "081-234-5678"}, "Pays 081-234-5678"}, // strings are not grouped
	} {
		if got := c.T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%q, %q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestGroup(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", -1000: "-1,000", 12345: "12,345", 100000: "100,000",
		-999: "-999", 1234567: "1,234,567", -9223372036854775808: "-9,223,372,036,854,775,808",
	} {
		if got := Group(n); got != want {
			t.Errorf("Group(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{nil, English},
		{map[string]string{"LANG": "th_TH.UTF-8"}, Thai},
		{map[string]string{"LANG": "th"}, Thai},
		{map[string]string{"LANG": "TH_th"}, Thai},
		{map[string]string{"LANG": "en_GB.UTF-8"}, English},
		{map[string]string{"LANG": "C.UTF-8"}, English},
		{map[string]string{"LANG": "C", "LC_MESSAGES": "th_TH.UTF-8"}, Thai},
		{map[string]string{"LANG": "th_TH.UTF-8", "LC_ALL": "C"}, English},
		{map[string]string{"LANG": "th_TH.UTF-8", "LC_ALL": ""}, Thai},
	} {
		if got := FromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("FromEnv(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

// keyPattern is a printf pattern that yields keys ("plan.state_%s"), and
// keyPrefix a prefix that code completes ("state."): both begin with an
// area and a dot, so "%s.%s" or "." make nothing used.
var (
	keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z0-9_.]*%[sdv][a-z0-9_.%sdv]*$`)
	keyPrefix  = regexp.MustCompile(`^[a-z][a-z0-9_]*\.([a-z0-9_.]*[._])?$`)
)

// stringLit finds double-quoted literals in Go and in template actions.
var (
	stringLit = regexp.MustCompile(`"((?:[^"\\\n]|\\.)*)"`)
	action    = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
)

// TestEveryKeyIsUsed: a key nobody asks for is dead text that translators
// would keep up. A key counts as used when a Go source (tests aside) or a
// template of the module quotes it, or quotes a prefix ending in "." or "_"
// that code completes ("state." + s), or a printf pattern that yields it
// (printf "plan.state_%s" …).
func TestEveryKeyIsUsed(t *testing.T) {
	c := load(t)
	exact := map[string]bool{}
	var prefixes []string
	var patterns []*regexp.Regexp
	files := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// The catalogue's own doc quotes keys as examples.
			if name := d.Name(); path != ".." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || path == filepath.Join("..", "catalog")) {
				return filepath.SkipDir
			}
			return nil
		}
		ext := filepath.Ext(path)
		if (ext != ".go" && ext != ".html" && ext != ".js") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		src := string(b)
		if ext == ".html" {
			// Only actions quote keys; attributes around them have quotes of their own.
			src = strings.Join(action.FindAllString(src, -1), "\n")
		}
		for _, m := range stringLit.FindAllStringSubmatch(src, -1) {
			lit := m[1]
			switch {
			case keyPattern.MatchString(lit):
				re := regexp.QuoteMeta(lit)
				for _, verb := range []string{"%s", "%d", "%v"} {
					re = strings.ReplaceAll(re, verb, `[a-z0-9_.]+`)
				}
				patterns = append(patterns, regexp.MustCompile("^"+re+"$"))
			case keyPrefix.MatchString(lit):
				prefixes = append(prefixes, lit)
			default:
				exact[lit] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("read only %d files: the walk is wrong", files)
	}
	used := func(key string) bool {
		if exact[key] {
			return true
		}
		for _, p := range prefixes {
			if strings.HasPrefix(key, p) {
				return true
			}
		}
		for _, re := range patterns {
			if re.MatchString(key) {
				return true
			}
		}
		return false
	}
	for _, key := range c.Keys(Thai) {
		if !used(key) {
			t.Errorf("%s is used nowhere: delete it from both files, or use it", key)
		}
	}
}

func TestExplain(t *testing.T) {
	c := load(t)
	taken := valid.NewError("users: login already taken", "user.login_taken")
	for _, tt := range []struct {
		lang string
		err  error
		want []string
		ok   bool
	}{
		{English, fmt.Errorf("user add: %w", valid.Errors{"login": "user.login_invalid", "donor": "user.donor_needs_donor"}),
			[]string{"Some fields are not valid; please check them", "donor: A donor login needs a donor", "login: Use a–z, 0–9, . _ - (3–64 characters)"}, true},
		{Thai, valid.Errors{"donor": "user.donor_needs_donor"},
			[]string{"ข้อมูลบางช่องไม่ถูกต้อง กรุณาตรวจสอบ", "donor: บัญชีผู้สนับสนุนต้องเลือกผู้สนับสนุนทุน"}, true},
		{English, fmt.Errorf("user add: %w", taken), []string{"This login is taken"}, true},
		{Thai, taken, []string{"ชื่อผู้ใช้นี้มีผู้ใช้แล้ว"}, true},
		{English, errors.New("pg: connection refused"), nil, false},
		{English, valid.Errors{}, nil, false},
	} {
		got, ok := c.Explain(tt.lang, tt.err)
		if !slices.Equal(got, tt.want) || ok != tt.ok {
			t.Errorf("Explain(%s, %v) = %q, %v; want %q, %v", tt.lang, tt.err, got, ok, tt.want, tt.ok)
		}
	}
}

// TestFilesSorted: areas in alphabetical order and keys sorted in each, so
// the two files read side by side and two people adding keys rarely touch
// the same line.
func TestFilesSorted(t *testing.T) {
	for _, lang := range Langs {
		b, err := files.ReadFile("messages/" + lang + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		var area, prevArea, prevKey string
		for i, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			switch {
			case line == "" || strings.HasPrefix(line, "#"):
			case strings.HasPrefix(line, "["):
				area = strings.Trim(line, "[]")
				if area <= prevArea {
					t.Errorf("messages/%s.toml:%d: [%s] comes after [%s]: keep areas in alphabetical order", lang, i+1, area, prevArea)
				}
				prevArea, prevKey = area, ""
			default:
				key, _, _ := strings.Cut(line, " = ")
				key = strings.Trim(key, `"`)
				if key <= prevKey {
					t.Errorf("messages/%s.toml:%d: %s.%s comes after %s.%s: keep keys sorted", lang, i+1, area, key, area, prevKey)
				}
				prevKey = key
			}
		}
	}
}
