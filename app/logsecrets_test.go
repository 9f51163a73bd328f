package app

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// testLogs receives the log of every application the package's fixtures
// start, at debug level, for the whole run; TestMain then reads it for
// secrets (issue 15: no password, PIN, session id or token in any log line).
var testLogs = &secretLog{secrets: map[string]string{}}

// secretLog is a log file shared by every test, and the secrets the
// tests handed to the applications that wrote to it.
type secretLog struct {
	mu      sync.Mutex
	f       *os.File
	secrets map[string]string // the secret → what it is
}

func (l *secretLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return len(p), nil
	}
	return l.f.Write(p)
}

// secret notes s as a secret the log must never hold. Short values (a
// flag cookie, a language) are not secrets and would match by chance.
func (l *secretLog) secret(what, s string) {
	if len(s) < 16 {
		return
	}
	l.mu.Lock()
	l.secrets[s] = what
	l.mu.Unlock()
}

// quietLogger is the fixtures' logger: nothing on the test's output, every
// line, debug included, in testLogs.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(testLogs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// secretShapes are secrets by their place rather than their value: a PIN
// (six digits, too short to look for by value) or a password after its
// key, as a form (pin=482916) or JSON, escaped or not, writes them.
var secretShapes = regexp.MustCompile(`(?i)(\bpin\\?"?[=:]\\?"?\d{4,}|(password|passwd|secret)\\?"?[=:]\\?"?[^\s"\\,}&]{4,})`)

// leaks reads the log and names every line that holds a secret.
func (l *secretLog) leaks() ([]string, int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Seek(0, 0); err != nil {
		return nil, 0, err
	}
	var out []string
	lines := 0
	sc := bufio.NewScanner(l.f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		lines++
		line := sc.Text()
		for s, what := range l.secrets {
			if strings.Contains(line, s) {
				out = append(out, fmt.Sprintf("%s in: %.300s", what, line))
			}
		}
		if m := secretShapes.FindString(line); m != "" {
			out = append(out, fmt.Sprintf("%q in: %.300s", m, line))
		}
	}
	return out, lines, sc.Err()
}

// TestMain runs the package's tests, then fails the run if any
// application's log line held a secret.
func TestMain(m *testing.M) {
	f, err := os.CreateTemp("", "hawker-app-test-log-*.jsonl")
	if err != nil {
		fmt.Fprintln(os.Stderr, "app tests: log file:", err)
		os.Exit(1)
	}
	defer os.Remove(f.Name())
	testLogs.f = f
	testLogs.secrets[fixturePassword] = "the fixtures' password" // shorter than secret takes
	code := m.Run()
	// A run of a few tests may log nothing; TestSecretLogFindsLeaks shows
	// that the check finds what it looks for.
	leaks, _, err := testLogs.leaks()
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "app tests: reading the log:", err)
		code = 1
	case len(leaks) > 0:
		fmt.Fprintf(os.Stderr, "app tests: %d log lines hold a secret:\n", len(leaks))
		for _, l := range leaks[:min(len(leaks), 20)] {
			fmt.Fprintln(os.Stderr, "  ", l)
		}
		code = 1
	}
	f.Close()
	os.Remove(f.Name())
	os.Exit(code)
}

// TestSecretLogFindsLeaks: the check TestMain runs finds a secret by value
// and a PIN or password by its place, and lets ordinary lines be.
func TestSecretLogFindsLeaks(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	l := &secretLog{f: f, secrets: map[string]string{}}
	l.secret("session id", "0123456789abcdef0123")
	log := slog.New(slog.NewJSONHandler(l, nil))
	log.Info("request", "path", "/books", "status", 200, "latency", "1.482916ms", "error", "users: wrong password: refused")
	log.Info("sign-in", "pin_attempts", 3, "note", "pin locked")
	log.Info("request", "cookie", "hawker_session=0123456789abcdef0123")
	log.Info("form", "body", "login=vendor&pin=482916")
	log.Info("json", "body", `{"login":"vendor","password":"correct horse 1"}`)
	leaks, lines, err := l.leaks()
	if err != nil || lines != 5 {
		t.Fatalf("read %d lines (%v), want 5", lines, err)
	}
	if len(leaks) != 3 {
		t.Errorf("found %d leaks, want the session id, the PIN and the password:\n%s", len(leaks), strings.Join(leaks, "\n"))
	}
}
