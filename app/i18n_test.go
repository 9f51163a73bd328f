package app

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTranslationsComplete: every key has Thai and English, with the same
// formatting verbs in both.
func TestTranslationsComplete(t *testing.T) {
	tr, err := newTranslator(allMessages()...)
	if err != nil {
		t.Fatal(err)
	}
	verbs := regexp.MustCompile(`%[dsvq]`)
	for _, k := range tr.keys() {
		v := tr.all[k]
		if strings.TrimSpace(v[0]) == "" || strings.TrimSpace(v[1]) == "" {
			t.Errorf("%s: Thai %q, English %q: both are needed", k, v[0], v[1])
		}
		if th, en := verbs.FindAllString(v[0], -1), verbs.FindAllString(v[1], -1); strings.Join(th, "") != strings.Join(en, "") {
			t.Errorf("%s: Thai has %v, English %v", k, th, en)
		}
	}
}

// templateSources reads every embedded template.
func templateSources(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(assets, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, path)
		out[path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTemplateKeysExist: every literal key a template translates (.T "key",
// $.T "key") is in a table.
func TestTemplateKeysExist(t *testing.T) {
	tr, err := newTranslator(allMessages()...)
	if err != nil {
		t.Fatal(err)
	}
	use := regexp.MustCompile(`\.T\s+"([^"]+)"`)
	n := 0
	for name, body := range templateSources(t) {
		for _, m := range use.FindAllStringSubmatch(body, -1) {
			n++
			if _, ok := tr.all[m[1]]; !ok {
				t.Errorf("%s: key %q is in no translation table", name, m[1])
			}
		}
	}
	if n == 0 {
		t.Fatal("found no .T uses: the pattern is wrong")
	}
}

// TestMessageKeysInGoExist: the message keys Go code hands to templates and
// the error handler (Key: "…", and the validation keys of the domain
// packages this application shows) are in a table too.
func TestMessageKeysInGoExist(t *testing.T) {
	tr, err := newTranslator(allMessages()...)
	if err != nil {
		t.Fatal(err)
	}
	keyLit := regexp.MustCompile(`(?:Key:\s*|errs\.Add\("[a-z_]+",\s*|valid\.Errors\{"[a-z_]+":\s*|p\.Message(?:, p\.Minutes)? = |\{auth\.\w+, [^,]+, "[a-z_]+", |\{users\.\w+, [^,]+, "[a-z_]+", |\{donors\.\w+, [^,]+, "[a-z_]+", )"([a-z_]+\.[a-z_]+)"`)
	found := 0
	defer func() {
		if found < 20 {
			t.Errorf("found only %d keys in Go code: the pattern is wrong", found)
		}
	}()
	for _, dir := range []string{".", "../users", "../donors", "../auth"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") || strings.HasSuffix(file, "i18n_access.go") || strings.HasSuffix(file, "i18n.go") {
				continue
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range keyLit.FindAllStringSubmatch(string(b), -1) {
				found++
				if _, ok := tr.all[m[1]]; !ok {
					t.Errorf("%s: key %q is in no translation table", file, m[1])
				}
			}
		}
	}
}
