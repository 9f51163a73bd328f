package thai

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"hawker/valid"
)

// DateCase is one row of testdata/dates.json: what a person types on a
// page in Lang and the day it means (Want, YYYY-MM-DD) or the catalogue key
// of the message they get (Err). The page's script is held to the same
// table by a browser test in app/.
type dateCase struct {
	Lang string `json:"lang"`
	In   string `json:"in"`
	Want string `json:"want"`
	Err  string `json:"err"`
}

func TestParseDate(t *testing.T) {
	b, err := os.ReadFile("testdata/dates.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []dateCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases read", len(cases))
	}
	for _, tc := range cases {
		d, err := ParseDate(tc.Lang, tc.In)
		if tc.Err != "" {
			key, _ := valid.KeyOf(err)
			if key != tc.Err {
				t.Errorf("%s %q: got %v (%q), want %s", tc.Lang, tc.In, d, key, tc.Err)
			}
			continue
		}
		if err != nil || d.Format(time.DateOnly) != tc.Want {
			t.Errorf("%s %q: got %v, %v; want %s", tc.Lang, tc.In, d, err, tc.Want)
		}
		// What the page shows reads back as the same day.
		back, err := ParseDate(tc.Lang, FormatDate(tc.Lang, d))
		if err != nil || !back.Equal(d) {
			t.Errorf("%s %q: %q reads back as %v, %v", tc.Lang, tc.In, FormatDate(tc.Lang, d), back, err)
		}
	}
}

func TestFormatDate(t *testing.T) {
	d := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{"th": "01/02/2569", "en": "01/02/2026"} {
		if got := FormatDate(lang, d); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
