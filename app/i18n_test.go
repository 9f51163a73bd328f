package app

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template/parse"

	"hawker/catalog"
	"hawker/valid"
)

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
	tr, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	use := regexp.MustCompile(`\.T\s+"([^"]+)"`)
	n := 0
	for name, body := range templateSources(t) {
		for _, m := range use.FindAllStringSubmatch(body, -1) {
			n++
			if !tr.Has(m[1]) {
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
	tr, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	keyLit := regexp.MustCompile(`(?:Key:\s*|errs\.Add\("[a-z_]+",\s*|valid\.Errors\{"[a-z_]+":\s*|p\.Message(?:, p\.Minutes)? = |valid\.NewError\("[^"]*", )"([a-z_]+\.[a-z_]+)"`)
	found := 0
	defer func() {
		if found < 20 {
			t.Errorf("found only %d keys in Go code: the pattern is wrong", found)
		}
	}()
	for _, dir := range []string{".", "../users", "../donors", "../auth", "../participants", "../training", "../vendors", "../ledger", "../grants", "../reports"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range keyLit.FindAllStringSubmatch(string(b), -1) {
				found++
				if !tr.Has(m[1]) {
					t.Errorf("%s: key %q is in no translation table", file, m[1])
				}
			}
		}
	}
}

// TestGrantKeysExist: every message key the grants package hands out
// ("grant.…", "fund.…" literals) is in the catalogue, and every action it
// records in the audit trail has its timeline label.
func TestGrantKeysExist(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`"((?:grant|fund)\.[a-z_.]+)"`)
	action := regexp.MustCompile(`(?:audit\.Record|audit\.RecordDetails|recordDraft)\(ctx, tx, a, "([a-z_.]+)"`)
	files, _ := filepath.Glob("../grants/*.go")
	keys, actions := 0, 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		isAction := map[string]bool{}
		for _, m := range action.FindAllStringSubmatch(string(b), -1) {
			actions++
			isAction[m[1]] = true
			if key := timelineKey(m[1]); !c.Has(key) {
				t.Errorf("%s: action %q has no timeline label %q", file, m[1], key)
			}
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			if isAction[m[1]] {
				continue
			}
			keys++
			if !c.Has(m[1]) {
				t.Errorf("%s: key %q is not in the catalogue", file, m[1])
			}
		}
	}
	if keys < 30 || actions < 10 {
		t.Errorf("found only %d keys and %d actions in grants: the patterns are wrong", keys, actions)
	}
}

// TestDomainErrorsCarryKeys: every domain error the error handler knows
// names a message in the catalogue, which is what pages, the API and the
// command line show.
func TestDomainErrorsCarryKeys(t *testing.T) {
	tr, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range domainErrors {
		key, ok := valid.KeyOf(d.err)
		if !ok {
			t.Errorf("%v carries no catalogue key: declare it with valid.NewError", d.err)
		} else if !tr.Has(key) {
			t.Errorf("%v: key %q is not in the catalogue", d.err, key)
		}
		if p := problemOf(fmt.Errorf("wrapped: %w", d.err)); p.Key != key || p.Status != d.status {
			t.Errorf("%v: problem %+v, want key %q and status %d", d.err, p, key, d.status)
		}
	}
}

// TestTemplateArguments: every .T call in a template passes name/value
// pairs, and for a literal key exactly the arguments its message names, so
// a page never shows a key for want of an argument.
func TestTemplateArguments(t *testing.T) {
	st, err := loadStatic()
	if err != nil {
		t.Fatal(err)
	}
	v, err := parseViews(st)
	if err != nil {
		t.Fatal(err)
	}
	calls, withArgs := 0, 0
	check := func(where string, cmd *parse.CommandNode) {
		if len(cmd.Args) < 2 {
			return
		}
		var ident []string
		switch f := cmd.Args[0].(type) {
		case *parse.FieldNode:
			ident = f.Ident
		case *parse.VariableNode:
			ident = f.Ident
		}
		if len(ident) == 0 || ident[len(ident)-1] != "T" {
			return
		}
		calls++
		args := cmd.Args[2:]
		if len(args)%2 != 0 {
			t.Errorf("%s: %s: arguments come in name/value pairs", where, cmd)
			return
		}
		var names []string
		for i := 0; i < len(args); i += 2 {
			name, ok := args[i].(*parse.StringNode)
			if !ok {
				t.Errorf("%s: %s: argument %d's name is not a quoted name", where, cmd, i/2+1)
				return
			}
			names = append(names, name.Text)
		}
		if len(names) > 0 {
			withArgs++
		}
		key, ok := cmd.Args[1].(*parse.StringNode)
		if !ok {
			return // a key computed on the page; TestTemplateKeysExist and the pages' tests cover it
		}
		slices.Sort(names)
		if want := v.tr.Arguments(catalog.English, key.Text); !slices.Equal(names, want) {
			t.Errorf("%s: %s passes %v; the message takes %v", where, cmd, names, want)
		}
	}
	var walk func(where string, n parse.Node)
	walk = func(where string, n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(where, c)
				}
			}
		case *parse.ActionNode:
			walk(where, n.Pipe)
		case *parse.IfNode:
			walk(where, n.Pipe)
			walk(where, n.List)
			walk(where, n.ElseList)
		case *parse.RangeNode:
			walk(where, n.Pipe)
			walk(where, n.List)
			walk(where, n.ElseList)
		case *parse.WithNode:
			walk(where, n.Pipe)
			walk(where, n.List)
			walk(where, n.ElseList)
		case *parse.TemplateNode:
			walk(where, n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(where, c)
				}
			}
		case *parse.CommandNode:
			check(where, n)
			for _, a := range n.Args {
				walk(where, a)
			}
		}
	}
	seen := map[string]bool{}
	for _, page := range v.pages {
		for _, tmpl := range page.Templates() {
			if tmpl.Tree == nil || seen[tmpl.Tree.ParseName+"/"+tmpl.Name()] {
				continue
			}
			seen[tmpl.Tree.ParseName+"/"+tmpl.Name()] = true
			walk(tmpl.Tree.ParseName+" ("+tmpl.Name()+")", tmpl.Tree.Root)
		}
	}
	if calls < 300 || withArgs < 15 {
		t.Fatalf("found %d .T calls, %d with arguments: the walk is wrong", calls, withArgs)
	}
}
