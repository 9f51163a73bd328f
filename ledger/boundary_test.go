package ledger

import (
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The ledger's objects as the migrations create them: tables, functions,
// triggers, indexes, sequences.
var ledgerObject = regexp.MustCompile(`(?i)CREATE\s+(?:UNIQUE\s+|CONSTRAINT\s+)?(?:TABLE|FUNCTION|TRIGGER|INDEX|SEQUENCE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(ledger_[a-z0-9_]+)`)

// ledgerWord is a word that may name one of them (or something derived from
// a table's name: its sequences, constraints and indexes).
var ledgerWord = regexp.MustCompile(`\bledger_[a-z0-9_]+`)

// ledgerNames reads the names of the ledger's objects from the migrations.
func ledgerNames(t *testing.T, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations under %s: %v", root, err)
	}
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ledgerObject.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
	}
	return names
}

// namesLedger reports the first word of text that names one of the
// ledger's objects, or something derived from a table's name.
func namesLedger(text string, names []string) string {
	for _, w := range ledgerWord.FindAllString(text, -1) {
		for _, n := range names {
			if w == n || strings.HasPrefix(w, n+"_") {
				return w
			}
		}
	}
	return ""
}

// ledgerInGo is the first ledger name in a Go file's string literals, where
// its SQL lives (comments may speak of the ledger's tables).
func ledgerInGo(src []byte, names []string) string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", fset.Base(), len(src)), src, nil, 0)
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return ""
		}
		if tok == token.STRING {
			if w := namesLedger(lit, names); w != "" {
				return w
			}
		}
	}
}

var sqlComment = regexp.MustCompile(`--[^\n]*`)

// TestOneWayIntoTheLedger: only the ledger package (and the migrations that
// create its tables) names the ledger's tables or calls ledger_post, in Go
// (tests included) or in SQL. Everyone else asks the ledger.
func TestOneWayIntoTheLedger(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	names := ledgerNames(t, root)
	for _, want := range []string{"ledger_entries", "ledger_lines", "ledger_balances", "ledger_periods", "ledger_post"} {
		if !slices.Contains(names, want) {
			t.Fatalf("the migrations' ledger objects %v lack %s", names, want)
		}
	}
	// The scan itself: SQL in a string is found, a comment is not, nor a
	// word that merely ends in "ledger_".
	bad := []byte("package x\n// ledger_lines are the ledger's\nconst q = `SELECT sum(amount) FROM ledger_lines`\nconst db = \"hawker_bench_ledger_x\"\n")
	if got := ledgerInGo(bad, names); got != "ledger_lines" {
		t.Fatalf("the scan found %q in a query naming ledger_lines", got)
	}
	if got := ledgerInGo(bad[:strings.Index(string(bad), "const q")], names); got != "" {
		t.Fatalf("the scan found %q in a comment", got)
	}
	if got := namesLedger("SELECT nextval('ledger_entries_id_seq')", names); got != "ledger_entries_id_seq" {
		t.Fatalf("the scan missed a table's sequence: %q", got)
	}

	scanned := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "ledger" || rel == "migrations" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		ext := filepath.Ext(path)
		if ext != ".go" && ext != ".sql" {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		var w string
		if ext == ".go" {
			w = ledgerInGo(src, names)
		} else {
			w = namesLedger(sqlComment.ReplaceAllString(string(src), ""), names)
		}
		if w != "" {
			t.Errorf("%s names the ledger's %s: ask package ledger instead", rel, w)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 50 {
		t.Fatalf("scanned only %d files under %s", scanned, root)
	}
}
