package main

import (
	"bytes"
	"strings"
	"testing"

	"hawker/pg/pgtest"
)

// TestUserAddRefusalsReadAsSentences: what users.Add refuses is printed as
// the pages say it, one line per field, in English unless the locale is
// Thai; never as catalogue keys.
func TestUserAddRefusalsReadAsSentences(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewURL(t)
	userAdd := func(password string, env []string, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		env = append([]string{"HAWKER_DEV", "1", "DATABASE_URL", url}, env...)
		code := run(append([]string{"user", "add"}, args...), strings.NewReader(password+"\n"), &stdout, &stderr, envOf(env...))
		return code, stdout.String(), stderr.String()
	}
	for _, tt := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"fields, English by default", nil, []string{"--login", "No Spaces", "--role", "donor"},
			"hawker: Some fields are not valid; please check them\n" +
				"  donor: A donor login needs a donor\n" +
				"  login: Use a–z, 0–9, . _ - (3–64 characters)\n"},
		{"fields, English locale", []string{"LANG", "en_GB.UTF-8"}, []string{"--login", "No Spaces", "--role", "donor"},
			"hawker: Some fields are not valid; please check them\n" +
				"  donor: A donor login needs a donor\n" +
				"  login: Use a–z, 0–9, . _ - (3–64 characters)\n"},
		{"fields, Thai locale", []string{"LANG", "th_TH.UTF-8"}, []string{"--login", "No Spaces", "--role", "donor"},
			"hawker: ข้อมูลบางช่องไม่ถูกต้อง กรุณาตรวจสอบ\n" +
				"  donor: บัญชีผู้สนับสนุนต้องเลือกผู้สนับสนุนทุน\n" +
				"  login: ชื่อผู้ใช้ใช้ได้เฉพาะ a–z 0–9 . _ - ยาว 3–64 ตัว\n"},
		{"LC_ALL before LANG", []string{"LANG", "th_TH.UTF-8", "LC_ALL", "C"}, []string{"--login", "somsak", "--role", "vendor"},
			"hawker: Some fields are not valid; please check them\n" +
				"  participant: A vendor login needs a participant code\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := userAdd("correct horse battery", tt.env, tt.args...)
			if code != 1 || out != "" || errs != tt.want {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 1 and:\n%s", code, out, errs, tt.want)
			}
		})
	}

	// A refusal that is not about one field is one sentence.
	if code, _, errs := userAdd("correct horse battery", nil, "--login", "somsak", "--role", "officer"); code != 0 {
		t.Fatalf("first add: exit %d: %s", code, errs)
	}
	for lang, want := range map[string]string{"C.UTF-8": "hawker: This login is taken\n", "th_TH.UTF-8": "hawker: ชื่อผู้ใช้นี้มีผู้ใช้แล้ว\n"} {
		if code, _, errs := userAdd("another password", []string{"LANG", lang}, "--login", "somsak", "--role", "officer"); code != 1 || errs != want {
			t.Errorf("LANG=%s, login taken: exit %d, stderr %q; want 1 and %q", lang, code, errs, want)
		}
	}
}
